"""The Store: one SQLite file or one PostgreSQL shared by several walls. Synchronous; call it from a worker thread."""
from __future__ import annotations

import collections
import dataclasses
import gc
import hashlib
import json
import re
import math
import os
import threading
import types
import typing
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from enum import Enum
from json.encoder import encode_basestring
from operator import itemgetter
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping, Sequence

from sqlalchemy import (
    Connection, Engine, Text, and_, create_engine, delete, event, func, insert, or_, select, text, type_coerce,
    union_all, update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, StatementError

from ..domain import (
    Alert, AlertStatus, Incident, KpiValue, OperatorAction, QuarantinedRecord, Resource, Status, StatusChange,
    TerritoryLevel, TerritoryNode, decode_stored, encode,
)
from ..domain.enums import ActionKind, Category, ResolutionLevel, Source
from ..domain.limits import text_problem
from . import gridmonths as GM, rollup as R
from .checkpoint import WalCheckpointer
from .memory import bound_sqlite_heap
from .drills import DrillRecord  # noqa: F401 - the drill row's record, used in the signatures above
from .schema import T

_INC, _STAT, _RES, _RSTAT = T["incidents"], T["incident_status"], T["resources"], T["resource_status"]
_AL, _AUPD, _ACT, _CUR = T["alerts"], T["alert_updates"], T["operator_actions"], T["feed_cursors"]
_QUAR, _LOG, _TERR, _META, _ROLL = T["quarantine"], T["record_log"], T["territory"], T["store_meta"], T["kpi_rollup"]
_SET, _GM = T["store_settings"], T["kpi_grid_month"]
BAD_CHAR_SUB = re.compile("[\x00\ud800-\udfff]").sub

#: What apply reads of a stored incident (see Store._stored_incidents).
_STORED_COLS = ("id", *(c for c in R.CONTRIB_COLUMNS if c != "id"), "version", "timeline_len")
_Stored = collections.namedtuple("_Stored", (*_STORED_COLS, "reported_column"))
_REPORTED = _STORED_COLS.index("reported_at")
_STORED_TIMES = tuple(_STORED_COLS.index(c) for c in ("reported_at", "accepted_at", "arrived_at", "assessed_at",
                                                      "dispatched_at", "closed_at"))

#: Rollup statements kept per Store (one per column set written; bench/store_ingest.py uses 7 to 18 a batch).
_ROLLUP_SQL_MAX = 256
_PG_LOCK_KEY = 0x636F6D6D  # "comm": serialises writers across processes on PostgreSQL
_CHUNK = 1000


class StoreError(RuntimeError):
    """The store cannot be opened or used (e.g. the database is newer than this program)."""


def refuses_record(exc: BaseException) -> bool:
    """Whether a failed write was refused because of what a record holds (a value the engine or the rollups
    cannot keep: an integer beyond 64 bits, a date outside the calendar, text the encoder rejects, a constraint),
    as opposed to the store being unusable (disk full, database down, locked): only the former is worth splitting
    a batch for, since the same records would fail again; the latter fails any record and must be retried."""
    if isinstance(exc, DBAPIError):
        return isinstance(exc, (DataError, IntegrityError))
    if isinstance(exc, StatementError) and exc.orig is not None:   # a bind parameter the driver refused
        return refuses_record(exc.orig)
    return isinstance(exc, (ArithmeticError, ValueError, TypeError, LookupError))


@dataclass(frozen=True, slots=True)
class Applied:
    """What an apply() changed: only records that were new or newer than the stored version."""

    incidents: list[Incident] = field(default_factory=list)
    resources: list[Resource] = field(default_factory=list)
    alerts: list[Alert] = field(default_factory=list)
    territory: list[TerritoryNode] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.incidents or self.resources or self.alerts or self.territory)


def _utc(t: datetime | None) -> datetime | None:
    if t is None:
        return None
    return t.replace(tzinfo=timezone.utc) if t.tzinfo is None else t.astimezone(timezone.utc)


#: UTC time → (codec text "YYYY-MM-DDTHH:MM:SS[.ffffff]Z", SQLite column text "YYYY-MM-DD HH:MM:SS.ffffff").
#: A record's times are written twice (its JSON and its columns) and most recur in its next versions (reported,
#: accepted, ...): one isoformat() per distinct instant instead of ~15 a record. Bounded: cleared when full.
_TIMES: dict[datetime, tuple[str, str]] = {}
_TIMES_MAX = 1 << 16
_UTC = timezone.utc


def _time_texts(t: datetime) -> tuple[str, str]:
    got = _TIMES.get(t)   # aware times equal (and hash equal) when they are the same instant, whatever the zone
    if got is None:
        u = t if t.tzinfo is _UTC else t.replace(tzinfo=_UTC) if t.tzinfo is None else t.astimezone(_UTC)
        s = u.isoformat(" ")[:-6]   # a timespec argument makes isoformat three times slower
        got = (s[:10] + "T" + s[11:] + "Z", s if u.microsecond else s + ".000000")
        if len(_TIMES) >= _TIMES_MAX:
            _TIMES.clear()
        _TIMES[t] = got
    return got


_TIMES_GET = _TIMES.get   # the same dict for ever (cleared, never replaced)


def _sqlite_time(t: datetime | None) -> str | None:
    """The text SQLAlchemy's SQLite DateTime writes (naive UTC, always with microseconds): same order, same parse.

    The cache lookup is inlined (here and in the compiled encoders): called ~10 times a record, the two extra
    Python calls of going through _time_texts on a hit cost more than the lookup."""
    if t is None:
        return None
    got = _TIMES_GET(t)
    return (got or _time_texts(t))[1]


def _format_time(t: datetime) -> str:
    """codec.format_time (ISO 8601 UTC with a Z), cached like the SQLite text."""
    got = _TIMES_GET(t)
    return (got or _time_texts(t))[0]


_GC_LOCK = threading.Lock()
_GC_HOLDERS = 0
_GC_SAVED: tuple[int, ...] = ()
#: Generation-0 threshold while paused: allocations never reach it within a batch.
_GC_PAUSED_THRESHOLD = 1 << 30


@contextmanager
def _gc_paused() -> Iterator[None]:
    """No automatic cyclic collection while a write transaction builds and runs its rows.

    Why: a batch allocates ~100 objects per record (row tuples, texts, rollup vectors), none in a reference
    cycle, so the generation-0 collections it triggers free nothing, and every hundredth one walks the caller's
    whole heap: 10 % of the ingest stream's wall time (bench/store_ingest.py: 562 collections, 0.75-0.83 s of
    7-8 s for 30k updates; 15, 0.03 s, with this). The wall and `collect` already turn automatic collection off
    while their pipelines run (services.ingest.LoopThreadGc); this gives every other caller the same.

    The pause raises the generation-0 threshold rather than calling gc.disable(): the enabled flag belongs to
    LoopThreadGc, which records it when the first pipeline starts (a pipeline starting during an apply would
    otherwise record "disabled" and never re-enable, or have it re-enabled under it). Nested and concurrent
    holders share one pause; the last one out restores the thresholds."""
    global _GC_HOLDERS, _GC_SAVED
    with _GC_LOCK:
        if _GC_HOLDERS == 0:
            _GC_SAVED = gc.get_threshold()
            gc.set_threshold(_GC_PAUSED_THRESHOLD, *_GC_SAVED[1:])
        _GC_HOLDERS += 1
    try:
        yield
    finally:
        with _GC_LOCK:
            _GC_HOLDERS -= 1
            if _GC_HOLDERS == 0:
                gc.set_threshold(*_GC_SAVED)


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


_SCALARS = (str, int, float, bool, type(None))


def _enc(value: Any) -> Any:
    """codec.encode's output for one value, with the common cases first (the apply hot path)."""
    if isinstance(value, _SCALARS):
        return value.value if isinstance(value, Enum) else value
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return _format_time(value)
    if isinstance(value, tuple | list):
        return [_enc(v) for v in value]
    return encode(value) if dataclasses.is_dataclass(value) else value


def _json_value(value: Any) -> str:
    """The JSON text of one value as _dumps(codec.encode-style value) writes it (the uncommon types)."""
    return _dumps(_enc(value))


def _json_float(v: Any) -> str:
    return float.__repr__(v) if v.__class__ is float and math.isfinite(v) else _json_value(v)


def _make_encoder(cls: type, empty: tuple[str, ...] = (), *, omit_defaults: bool = False) -> Any:
    """A compiled `record -> JSON text` for one record class, the text `_dumps(codec.encode(record))` gives
    (same keys in the same order, same escapes), built by string concatenation from the field types known up
    front: json.dumps of a dict cost a third of the ingest's per-record Python.

    omit_defaults: leave out fields whose value is the field's default (codec.decode fills them back in, so the
    decoded record is equal). A stored incident is mostly defaults and key names: this shrinks its `data` by a
    third. `empty` fields are always left out (stored elsewhere)."""
    hints = typing.get_type_hints(cls)
    lines = ["def encode(r):", "    p = []", "    a = p.append"]
    enums: dict[str, dict[Any, str]] = {}
    for f in dataclasses.fields(cls):
        h = hints[f.name]
        args = [a for a in typing.get_args(h) if a is not type(None)]
        union = typing.get_origin(h) in (typing.Union, types.UnionType)
        optional = union and type(None) in typing.get_args(h)
        base = args[0] if union and len(args) == 1 else h
        key = json.dumps(f.name) + ":"
        if f.name in empty:
            if not omit_defaults:
                lines.append(f"    a({key + '[]'!r})")
            continue
        lines.append(f"    v = r.{f.name}")
        enum = isinstance(base, type) and issubclass(base, Enum)
        if base is datetime:   # the time-text cache looked up inline (see _sqlite_time)
            lines.append("    c = None if v is None else _tg(v) or _tt(v)")
            expr = "'\"' + c[0] + '\"'"
        elif enum and issubclass(base, (str, int)):
            # each member's JSON text precomputed: Enum.value is a Python-level descriptor (~0.3 µs a call).
            # Members hash and compare as their values, so a plain value finds the same text.
            text_of = encode_basestring if issubclass(base, str) else (lambda x: int.__repr__(int(x)))
            other = "_s(v.value)" if issubclass(base, str) else "_int(v.value)"
            enums[f"_e_{f.name}"] = {m: text_of(m.value) for m in base}
            expr = f"(_e_{f.name}.get(v) or {other})"
        elif base is str:
            expr = "(_s(v) if isinstance(v, str) else _jv(v))"
        elif base is int:
            expr = "(_int(v) if v.__class__ is int else _jv(v))"
        elif base is float:
            expr = "_jf(v)"
        elif base is bool:
            expr = "('true' if v is True else 'false' if v is False else _jv(v))"
        else:
            expr = "_jv(v)"
        has_default = f.default is not dataclasses.MISSING or f.default_factory is not dataclasses.MISSING
        default = f.default if f.default is not dataclasses.MISSING else (
            f.default_factory() if f.default_factory is not dataclasses.MISSING else None)
        if not omit_defaults or not has_default:
            if optional or (enum and issubclass(base, (str, int))):
                expr = f"('null' if v is None else {expr})"
            lines.append(f"    a({key!r} + {expr})")
        elif default is None:
            lines.append(f"    if v is not None: a({key!r} + {expr})")
        elif not default:   # "", 0, False, (): a falsy value of the field's own type is the default
            lines.append(f"    if v: a({key!r} + {expr})")
        else:
            lines.append(f"    if v != _defaults[{f.name!r}]: a({key!r} + {expr})")
    lines.append("    return '{' + ','.join(p) + '}'")
    defaults = {f.name: f.default for f in dataclasses.fields(cls) if f.default is not dataclasses.MISSING}
    scope: dict[str, Any] = {"_tg": _TIMES_GET, "_tt": _time_texts, "_jv": _json_value, "_jf": _json_float,
                             "_defaults": defaults, "_s": encode_basestring, "_int": int.__repr__, **enums}
    exec("\n".join(lines), scope)  # noqa: S102 - source built above from the dataclass fields only
    return scope["encode"]


#: A StrEnum member → its value as a plain str (what the columns hold), without the Python-level `.value`
#: descriptor (~0.3 µs; ~6 a record). Members hash and compare as their values, so one table serves every enum
#: of the incident row (equal values map to the same text), and a plain str value finds itself.
_VALUE: dict[Any, str] = {m: m.value for E in (Status, Category, ResolutionLevel, Source) for m in E}
_IS_OPEN: dict[Any, bool] = {m: m.is_open for m in Status}
#: Flags bound as the integers SQLite stores for them: Python's sqlite3 binds an exact int in ~45 ns, but a bool
#: (or None) only after a failed adapter lookup, ~300 ns (three flags a row). PostgreSQL's typed arrays keep bools.
_SQLITE_FLAG: dict[Any, Any] = {False: 0, True: 1}
_PG_FLAG: dict[Any, Any] = {False: False, True: True}

_ENCODE_INCIDENT = _make_encoder(Incident, empty=("timeline",), omit_defaults=True)   # timeline: incident_status
_ENCODE_RESOURCE = _make_encoder(Resource)
_ENCODE_ALERT = _make_encoder(Alert)


def _chunks(seq: Sequence[Any], n: int = _CHUNK) -> Iterator[Sequence[Any]]:
    for i in range(0, len(seq), n):
        yield seq[i:i + n]


def _newest(records: Iterable[Any]) -> list[Any]:
    """One record per id: the highest version (the last one given wins a tie)."""
    best: dict[str, Any] = {}
    for r in records:
        cur = best.get(r.id)
        if cur is None or r.version >= cur.version:
            best[r.id] = r
    return list(best.values())


def _every_version(records: Iterable[Any]) -> list[Any]:
    """Each distinct (id, version) once, in version order per id: resources and alerts keep no history inside the
    record, so every version a feed delivered becomes a row of their status / update history."""
    seen: dict[tuple[str, int], Any] = {}
    for r in records:
        seen[(r.id, r.version)] = r
    return [seen[k] for k in sorted(seen, key=lambda k: k[1])]


def _latest_rows(records: list[Any], rows: list[tuple]) -> list[tuple]:
    """The row of each id's highest version (one upsert per id: PostgreSQL refuses two in one statement)."""
    last = {r.id: i for i, r in enumerate(records)}     # records are in version order per id
    return [rows[i] for i in sorted(last.values())]


def quarantine_digest(kind: str, raw: bytes) -> str:
    """What identifies one quarantined input of a feed: blake2b-128 (hex) of kind + NUL + raw (migration 0006)."""
    return hashlib.blake2b(kind.encode("utf-8", "replace") + b"\0" + bytes(raw), digest_size=16).hexdigest()


def _storable(text: str | None, most: int | None = None) -> str | None:
    """Text any engine keeps: NUL and lone surrogates replaced (U+FFFD), cut to `most` characters."""
    if text is None:
        return None
    if text_problem(text) is not None:
        text = BAD_CHAR_SUB("\ufffd", text)
    return text if most is None else text[:most]


def quarantine_row(q: QuarantinedRecord) -> dict[str, Any]:
    """A quarantine row for `q`: its columns within their lengths and storable whatever the feed sent."""
    kind = _storable(q.kind, 32) or ""
    raw = bytes(q.raw)
    return {"feed": _storable(q.feed, 64), "kind": kind, "raw": raw, "reason": _storable(q.reason),
            "received_at": _utc(q.received_at), "record_id": _storable(q.record_id, 64),
            "digest": quarantine_digest(kind, raw)}


def default_url() -> str:
    from platformdirs import user_data_dir

    d = Path(user_data_dir("commandcenter", appauthor=False))
    d.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{d / 'store.db'}"


class Store:
    """See the package docstring for the contract."""

    def __init__(self, engine: Engine, *, writer: Engine | None = None, retention_days: int = 90,
                 tz: str = R.DEFAULT_TZ, limits: Mapping[str, timedelta] | None = None) -> None:
        """`engine` serves reads; `writer`, when given, serves the write transactions (SQLite: one connection
        with the large page cache, so the readers' caches can stay small)."""
        self._engine = engine
        self._writer = writer or engine
        self.calendar = R.Calendar(tz, limits)
        self.dialect = engine.dialect.name
        self.retention_days = retention_days
        self._insert = sqlite.insert if self.dialect == "sqlite" else postgresql.insert
        self._ph = "?" if self.dialect == "sqlite" else "%s"
        self._tv = _sqlite_time if self.dialect == "sqlite" else _utc
        self._sql: dict[str, str] = {}
        self._rollup_sql: dict[tuple[str, ...], str] = {}   # per column set (Deltas.row_groups), bounded
        self._tree_lock = threading.Lock()
        self._tree_rev = -1
        self._parents: dict[str, str | None] = {}
        self._chains: dict[str, list[str]] = {}
        self._index: R.ChainIndex | None = None
        self._children: dict[str, list[str]] = {}
        self._levels: dict[str, str] = {}
        # SQLite: WAL checkpoints run in a background thread (the writer connection's autocheckpoint is off)
        path = self._writer.url.database if self.dialect == "sqlite" else None
        self._checkpointer: WalCheckpointer | None = None
        if path:
            with self._writer.connect() as conn:
                page_size = int(conn.exec_driver_sql("PRAGMA page_size").scalar() or 4096)
            self._checkpointer = WalCheckpointer(path, page_size=page_size)

    # ------------------------------------------------------------------ opening
    @classmethod
    def open(cls, url: str = "", *, retention_days: int = 90, migrate: bool = True, tz: str = R.DEFAULT_TZ,
             limits: Mapping[str, timedelta] | None = None) -> "Store":
        """Open (creating and migrating as needed). StoreError if the database is newer than this code.

        `tz` is the calendar of the KPI days and months (a Chinese command center's "today" is Asia/Shanghai);
        `limits` the time allowed per category value (domain.kpis.limits_of: a config's `[deadlines.hours]` over
        the defaults), the KPIs' due clock. If the rollups were built in another zone or on other limits (or not
        yet, right after a migration), they are rebuilt here."""
        url = url or default_url()
        engine = make_engine(url)
        # SQLite: writes go through one dedicated connection holding the large page cache (a batch rewrites
        # index and rollup pages all over the file); the pooled readers keep a small one (see make_engine)
        writer = make_engine(url, writer=True) if engine.dialect.name == "sqlite" else engine

        def dispose() -> None:
            engine.dispose()
            writer.dispose()

        from .migrate import upgrade

        try:
            R.Calendar(tz)
        except ValueError as exc:
            dispose()
            raise StoreError(f"store calendar: {exc}") from exc
        try:
            upgrade(engine, migrate=migrate)
            store = cls(engine, writer=writer, retention_days=retention_days, tz=tz, limits=limits)
            store._ensure_rollup_calendar()
        except StoreError:
            dispose()
            raise
        except Exception as exc:  # noqa: BLE001 - give the caller one error type with the cause
            dispose()
            raise StoreError(f"cannot open the store at {engine.url.render_as_string(hide_password=True)}: {exc}") from exc
        return store

    def _setting(self, conn: Connection, key: str) -> str | None:
        return conn.execute(select(_SET.c.value).where(_SET.c.key == key)).scalar()

    def _ensure_rollup_calendar(self) -> None:
        """Rebuild the rollups when they were built in another time zone or on other limits than this store's
        calendar (`rollup_tz` holds its basis: the zone, and any limit that differs from the defaults)."""
        with self._read() as conn:
            if self._setting(conn, "rollup_tz") == self.calendar.basis:
                return
        with self._write() as conn:   # re-checked under the write lock: two walls opening at once rebuild once
            if self._setting(conn, "rollup_tz") != self.calendar.basis:
                self._rebuild(conn)

    @property
    def engine(self) -> Engine:
        return self._engine

    def close(self) -> None:
        if self._checkpointer is not None:
            self._checkpointer.close()
        self._engine.dispose()
        if self._writer is not self._engine:
            self._writer.dispose()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        """One write transaction, serialised with every other writer (other processes included)."""
        if self._checkpointer is not None:
            self._checkpointer.before_write()
        with self._writer.connect() as conn:
            if self.dialect == "sqlite":
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            else:
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK_KEY})
            try:
                yield conn
                conn.commit()
            except BaseException:
                conn.rollback()
                raise
        if self._checkpointer is not None:
            self._checkpointer.after_commit()

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        with self._engine.connect() as conn:
            yield conn

    # ------------------------------------------------------------------ territory tree
    def _tree(self, conn: Connection) -> None:
        rev = conn.execute(select(_META.c.value).where(_META.c.key == "territory_rev")).scalar() or 0
        if rev == self._tree_rev:
            return
        rows = conn.execute(select(_TERR.c.id, _TERR.c.parent_id, _TERR.c.level)).all()
        with self._tree_lock:
            self._parents = {r.id: r.parent_id for r in rows}
            self._chains = {}   # after _parents: _chain reads them in the other order (see there)
            self._index = None
            self._levels = {r.id: r.level for r in rows}
            children: dict[str, list[str]] = {}
            for r in rows:
                children.setdefault(r.parent_id or "", []).append(r.id)
            self._children = children
            self._tree_rev = rev

    def _chain(self, node: str, parents: dict[str, str | None] | None = None) -> list[str]:
        """The node, its ancestors, then "" (the whole territory). Do not modify the list: the chains of the
        current tree are remembered until it changes (a batch asks for ~2,000 grids' chains, ~5 µs a walk)."""
        memo = None
        if parents is None:
            # memo before parents: _tree replaces _parents first, so a memo read here is never newer than them
            memo = self._chains
            got = memo.get(node)
            if got is not None:
                return got
            parents = self._parents
        out = [node]
        seen = {node}
        p = parents.get(node)
        while p and p not in seen:
            out.append(p)
            seen.add(p)
            p = parents.get(p)
        out.append("")
        if memo is not None:
            memo[node] = out
        return out

    def _chain_index(self) -> R.ChainIndex:
        """Every territory node's chain as Deltas wants it, built once per tree (called inside a write
        transaction, after _tree)."""
        index = self._index
        if index is None:
            index = self._index = R.ChainIndex(self._chain, list(self._parents))
        return index

    def _descendants(self, node: str) -> list[str]:
        out, stack = [], [node]
        while stack:
            n = stack.pop()
            out.append(n)
            stack.extend(self._children.get(n, ()))
        return out

    # ------------------------------------------------------------------ apply
    def apply(
        self,
        feed: str,
        *,
        incidents: Iterable[Incident] = (),
        resources: Iterable[Resource] = (),
        alerts: Iterable[Alert] = (),
        territory: Iterable[TerritoryNode] = (),
        quarantined: Iterable[QuarantinedRecord] = (),
        cursor: str | None = None,
        received_at: datetime | None = None,
        log: bool = True,
    ) -> Applied:
        """One transaction: upsert newer versions, append history, update rollups, quarantine, save the cursor."""
        now = _utc(received_at) or _now()
        incidents, resources, alerts = _newest(incidents), _every_version(resources), _every_version(alerts)
        territory = list({t.id: t for t in territory}.values())
        quarantined = list(quarantined)
        with _gc_paused(), self._write() as conn:
            self._tree(conn)
            t_new = self._apply_territory(conn, territory) if territory else []
            i_new = self._apply_incidents(conn, feed, incidents, now, log) if incidents else []
            r_new = self._apply_resources(conn, feed, resources, now, log) if resources else []
            a_new = self._apply_alerts(conn, feed, alerts, now, log) if alerts else []
            if quarantined:
                self._quarantine(conn, quarantined)
            if cursor is not None:
                ins = self._insert(_CUR).values(feed=feed, cursor=cursor, updated_at=now)
                conn.execute(ins.on_conflict_do_update(
                    index_elements=["feed"], set_={"cursor": ins.excluded.cursor, "updated_at": ins.excluded.updated_at}))
        return Applied(incidents=i_new, resources=r_new, alerts=a_new, territory=t_new)

    def _quarantine(self, conn: Connection, records: list[QuarantinedRecord]) -> None:
        """Insert-if-absent: one row per (feed, digest of kind and raw), so input quarantined before (by this
        process or an earlier one) is not added again. Whatever the record holds, the row is storable text."""
        rows: dict[tuple[str, str], dict[str, Any]] = {}
        for q in records:
            row = quarantine_row(q)
            rows.setdefault((row["feed"], row["digest"]), row)
        ins = self._insert(_QUAR).on_conflict_do_nothing(index_elements=["feed", "digest"])
        conn.execute(ins, list(rows.values()))

    def load_history(self, feed: str, incidents: Iterable[Incident], *, batch: int = 50_000,
                     received_at: datetime | None = None) -> int:
        """Bulk-load incidents that are not in the store yet (generating or importing a history); returns how many.

        The database ends up exactly as `apply(feed, incidents=..., log=False)` would leave it (same rows, same
        timelines, same rollups; tests/store/test_bulk.py checks it), only faster: no lookup of stored versions,
        one transaction per `batch` records, no Applied list. An id already stored makes that batch fail with
        StoreError and roll back (the batches before it stay)."""
        from sqlalchemy.exc import IntegrityError

        now = _utc(received_at) or _now()
        total, buf = 0, []

        def flush(chunk: list[Incident]) -> int:
            chunk = _newest(chunk)
            try:
                with _gc_paused(), self._write() as conn:
                    self._tree(conn)
                    self._apply_incidents(conn, feed, chunk, now, False, assume_new=True)
            except IntegrityError as exc:
                raise StoreError(f"load_history: an incident of this batch is already stored ({exc.orig})") from exc
            return len(chunk)

        for inc in incidents:
            buf.append(inc)
            if len(buf) >= batch:
                total += flush(buf)
                buf = []
        if buf:
            total += flush(buf)
        return total

    def _existing(self, conn: Connection, table: str, ids: list[str], cols: Sequence[str]) -> list[tuple]:
        """Rows (`cols`, as the driver returns them) of the stored records among `ids`, read through the DBAPI
        cursor: SQLAlchemy's expanding IN and its result processing cost more than the index lookups."""
        names = ", ".join(chr(34) + c + chr(34) for c in cols)
        if self.dialect == "postgresql":
            parts = [(f"SELECT {names} FROM {table} WHERE id = ANY(%s::varchar[])", (ids,))]
        else:
            parts = [(f"SELECT {names} FROM {table} WHERE id IN ({','.join('?' * len(p))})", p)
                     for p in _chunks(ids, 500)]
        cur = conn.connection.cursor()
        out: list[tuple] = []
        dbapi_error = conn.dialect.loaded_dbapi.Error
        try:
            for sql, params in parts:
                try:
                    cur.execute(sql, params)
                except dbapi_error as exc:   # the error type SQLAlchemy would have raised
                    raise DBAPIError.instance(sql, params, exc, dbapi_error) from exc
                out.extend(cur.fetchall())
        finally:
            cur.close()
        return out

    def _stored_versions(self, conn: Connection, table: str, ids: list[str]) -> dict[str, int]:
        return {i: v for i, v in self._existing(conn, table, ids, ("id", "version"))}

    def _stored_incidents(self, conn: Connection, ids: list[str]) -> dict[str, "_Stored"]:
        """What a new version of each stored incident among `ids` replaces: its rollup contribution's columns
        (times as aware UTC), version, timeline length, and `reported_at` as the column holds it."""
        out: dict[str, _Stored] = {}
        sqlite_ = self.dialect == "sqlite"
        parse = datetime.fromisoformat
        for row in self._existing(conn, "incidents", ids, _STORED_COLS):
            v = list(row)
            v.append(v[_REPORTED])
            for k in _STORED_TIMES:
                t = v[k]
                if t is not None:
                    # the text with "+00:00" parses straight to an aware UTC time (tzinfo is timezone.utc):
                    # 0.1 µs, where parse-then-replace(tzinfo=) cost 0.9 µs (four times a stored incident)
                    v[k] = parse(t + "+00:00") if sqlite_ else t.astimezone(_UTC)
            out[v[0]] = _Stored._make(v)
        return out

    # Hot path: prepared SQL at the driver level. SQLite: executemany of one row statement. PostgreSQL: one
    # statement per table and batch whose rows arrive as one array per column (INSERT ... SELECT FROM unnest(...)):
    # psycopg's executemany costs a round of Python protocol work per row (~60 µs), unnest a few µs.
    def _unnest(self, table: str, cols: Sequence[str], extra: Sequence[tuple[str, str]] = ()) -> str:
        """`unnest(%b::type[], ...) AS u(cols)` for PostgreSQL, typed from the table's columns (%b: binary)."""
        from sqlalchemy.dialects.postgresql.base import PGDialect

        dialect = PGDialect()
        types_ = [T[table].c[c].type.compile(dialect=dialect) for c in cols] + [t for _, t in extra]
        names = [*cols, *(n for n, _ in extra)]
        return (f'unnest({", ".join(f"%b::{t}[]" for t in types_)}) '
                f'AS u({", ".join(chr(34) + c + chr(34) for c in names)})')

    def _sql_insert(self, table: str, cols: Sequence[str], conflict: Sequence[str] = (), set_: str = "",
                    where: str = "") -> str:
        key = f"{table}|{','.join(cols)}|{set_}|{where}"
        sql = self._sql.get(key)
        if sql is None:
            names = ", ".join(chr(34) + c + chr(34) for c in cols)
            if self.dialect == "postgresql":
                sql = f"INSERT INTO {table} ({names}) SELECT * FROM {self._unnest(table, cols)}"
            else:
                sql = f'INSERT INTO {table} ({names}) VALUES ({", ".join([self._ph] * len(cols))})'
            if conflict:
                sql += f' ON CONFLICT ({", ".join(conflict)}) DO UPDATE SET {set_}'
                if where:
                    sql += f" WHERE {where}"
            self._sql[key] = sql
        return sql

    def _sql_update_incidents(self, cols: Sequence[str]) -> str:
        """UPDATE incidents SET cols WHERE id = ? AND version < ? (rows: the values of cols, then id, version)."""
        key = f"incidents-update|{','.join(cols)}"
        sql = self._sql.get(key)
        if sql is None:
            if self.dialect == "postgresql":
                sets = ", ".join(f'"{c}" = u."{c}"' for c in cols)
                src = self._unnest("incidents", cols, (("_id", "VARCHAR(64)"), ("_version", "BIGINT")))
                sql = (f"UPDATE incidents AS t SET {sets} FROM {src} "
                       f"WHERE t.id = u._id AND t.version < u._version")
            else:
                sets = ", ".join(f'"{c}" = ?' for c in cols)
                sql = f"UPDATE incidents SET {sets} WHERE id = ? AND version < ?"
            self._sql[key] = sql
        return sql

    def _run_many(self, conn: Connection, sql: str, rows: list[tuple]) -> None:
        """Run one prepared statement for every row: SQLite executemany; PostgreSQL one execute with a list per
        column (the statement is an unnest one). Rows of one call never repeat a conflict key (they are merged
        per key before), which INSERT ... ON CONFLICT on PostgreSQL requires."""
        if not rows:
            return
        if self.dialect == "postgresql":
            # arrays go in binary (%b in _unnest): psycopg's text array dumper quotes and escapes every element in
            # Python (a regex substitution each), two thirds of this process's time on the ingest stream
            for part in _chunks(rows, 20_000):
                conn.exec_driver_sql(sql, tuple(list(col) for col in zip(*part)))
            return
        for part in _chunks(rows, 2000):
            conn.exec_driver_sql(sql, list(part))

    def _upsert_versioned(self, conn: Connection, table: str, cols: Sequence[str], rows: list[tuple]) -> None:
        """INSERT ... ON CONFLICT (id) DO UPDATE ... WHERE the stored version is older (race-safe, both engines)."""
        set_ = ", ".join(f'"{c}" = excluded."{c}"' for c in cols if c != "id")
        sql = self._sql_insert(table, cols, ("id",), set_, f"{table}.version < excluded.version")
        self._run_many(conn, sql, rows)

    def _insert_many(self, conn: Connection, table: str, cols: Sequence[str], rows: list[tuple]) -> None:
        self._run_many(conn, self._sql_insert(table, cols), rows)

    _INC_COLS = ("id", "version", "feed", "updated_at", "reported_at", "status", "is_open", "category", "severity",
                 "grid_id", "emergency", "title", "accepted_at", "arrived_at", "assessed_at", "closed_at",
                 "resolution_level", "on_the_spot", "satisfaction", "timeline_len", "drill_id", "data",
                 "source", "dispatched_at", "departments_n")
    _STAT_COLS = ("incident_id", "seq", "status", "at", "handler", "department", "note", "drill_id")
    _LOG_COLS = ("feed", "kind", "record_id", "version", "received_at", "data")

    def _apply_incidents(self, conn: Connection, feed: str, records: list[Incident], now: datetime, log: bool,
                         *, assume_new: bool = False) -> list[Incident]:
        old = {} if assume_new else self._stored_incidents(conn, [r.id for r in records])
        new = [r for r in records if r.id not in old or r.version > old[r.id].version]
        if not new:
            return []
        tv = self._tv
        rows, statuses, logs = [], [], []
        acc = R.Deltas(self.calendar)
        tnow = tv(now)
        value, is_open, encode, timeline_rows = _VALUE, _IS_OPEN, _ENCODE_INCIDENT, self._timeline_rows
        flag = _SQLITE_FLAG if self.dialect == "sqlite" else _PG_FLAG
        for r in new:
            o = old.get(r.id)
            data = encode(r)
            st, tl_len = timeline_rows(r, o)
            statuses.extend(st)
            status = r.status
            rows.append((r.id, r.version, feed, tv(r.updated_at), tv(r.reported_at), value[status],
                         flag[is_open[status]], value[r.category], int(r.severity), r.grid_id, flag[r.emergency],
                         r.title, tv(r.accepted_at), tv(r.arrived_at), tv(r.assessed_at), tv(r.closed_at),
                         value.get(r.resolution_level), flag[r.on_the_spot], r.satisfaction, tl_len, r.drill_id,
                         data, value[r.source], tv(r.dispatched_at), len(r.departments)))
            if o is not None:
                acc.add(o, -1)
            acc.add(r, +1)
            if log:
                logs.append((feed, "incident", r.id, r.version, tnow, data))
        self._write_incidents(conn, rows, old)
        if statuses:
            self._insert_many(conn, "incident_status", self._STAT_COLS, statuses)
        self._add_rollup_groups(conn, acc.row_groups(self._chain, self._chain_index()))
        GM.add(self, conn, GM.rows(acc, self._chain))
        if logs:
            self._insert_many(conn, "record_log", self._LOG_COLS, logs)
        return new

    # Columns a status update leaves alone in the common case; SQLite rewrites an index entry only when the UPDATE
    # names one of its columns, so leaving them out of SET spares ix_incidents_grid_reported, ix_incidents_reported
    # and ix_incidents_drill on every update.
    _INC_FIXED = ("id", "grid_id", "reported_at", "drill_id")
    _FIXED_POS = tuple(map(_INC_COLS.index, _INC_FIXED))

    def _write_incidents(self, conn: Connection, rows: list[tuple], old: dict[str, Any]) -> None:
        """Plain INSERT of new ids, UPDATE ... WHERE version < new of stored ones (naming only the columns that
        changed in the common case). Both run inside the write lock after `_existing`, so no id can appear or
        advance in between; the version guard keeps an older version from ever overwriting a newer one."""
        fresh, narrow, wide = [], [], []
        for row in rows:
            o = old.get(row[0])
            if o is None:
                fresh.append(row)
            elif (row[9], row[4], row[20]) == (o.grid_id, o.reported_column, o.drill_id):
                narrow.append(row)
            else:
                wide.append(row)
        if fresh:
            self._insert_many(conn, "incidents", self._INC_COLS, fresh)
        for part, skip in ((narrow, set(self._FIXED_POS)), (wide, {0})):
            if not part:
                continue
            idx = [i for i in range(len(self._INC_COLS)) if i not in skip]
            sql = self._sql_update_incidents([self._INC_COLS[i] for i in idx])
            self._run_many(conn, sql, list(map(itemgetter(*idx, 0, 1), part)))   # tuples built in C

    def _timeline_rows(self, r: Incident, o: Any) -> tuple[list[tuple], int]:
        """Status rows to append: timeline entries beyond those stored, or a synthesised change of status."""
        have = o.timeline_len if o is not None else 0
        tv = self._tv
        if r.timeline:
            rid, drill, value = r.id, r.drill_id, _VALUE
            out = [(rid, seq, value[c.status], tv(c.at), c.handler, c.department, c.note, drill)
                   for seq, c in enumerate(r.timeline[have:], start=have)]
            return out, max(have, len(r.timeline))
        if o is None or o.status != r.status:
            at = {
                Status.REPORTED: r.reported_at, Status.ACCEPTED: r.accepted_at, Status.DISPATCHED: r.dispatched_at,
                Status.CLOSED: r.closed_at, Status.FOLLOWED_UP: r.followed_up_at,
            }.get(r.status) or r.updated_at
            return [(r.id, have, _VALUE[r.status], tv(at), r.handler, "", "", r.drill_id)], have + 1
        return [], have

    def _add_rollups(self, conn: Connection, rows: list[tuple], cols: Sequence[str] = R.WRITE_COLUMNS[4:]) -> None:
        """Add rollup rows (the key, then the values of `cols`; by default all of R.WRITE_COLUMNS, as Deltas.rows
        gives them) into kpi_rollup."""
        if rows:
            self._run_many(conn, self._sql_rollup(tuple(cols)), rows)

    def _add_rollup_groups(self, conn: Connection, groups: list[tuple[tuple[str, ...], list[tuple]]]) -> None:
        """Add Deltas.row_groups: one statement per column set."""
        for cols, rows in groups:
            self._add_rollups(conn, rows, cols)

    def _sql_rollup(self, cols: tuple[str, ...]) -> str:
        """INSERT a rollup row ... ON CONFLICT add `cols` to the stored sums. A new row gets 0 in the columns
        left out (they are NOT NULL without a default)."""
        sql = self._rollup_sql.get(cols)
        if sql is None:
            keys = R.WRITE_COLUMNS[:4]
            every = R.WRITE_COLUMNS
            q = lambda c: chr(34) + c + chr(34)   # noqa: E731
            if self.dialect == "postgresql":
                values = ", ".join(f"u.{q(c)}" if c in keys or c in cols else "0" for c in every)
                src = f"SELECT {values} FROM {self._unnest('kpi_rollup', (*keys, *cols))}"
            else:
                given = {*keys, *cols}
                src = f'VALUES ({", ".join(self._ph if c in given else "0" for c in every)})'
            set_ = ", ".join(f"{q(c)} = kpi_rollup.{q(c)} + excluded.{q(c)}" for c in cols)
            sql = (f'INSERT INTO kpi_rollup ({", ".join(map(q, every))}) {src} '
                   f'ON CONFLICT ({", ".join(keys)}) DO UPDATE SET {set_}')
            if len(self._rollup_sql) >= _ROLLUP_SQL_MAX:   # column sets a stream keeps using come back at once
                self._rollup_sql.clear()
            self._rollup_sql[cols] = sql
        return sql

    def _apply_resources(self, conn: Connection, feed: str, records: list[Resource], now: datetime, log: bool) -> list[Resource]:
        old = self._stored_versions(conn, "resources", [r.id for r in records])
        new = [r for r in records if r.id not in old or r.version > old[r.id]]
        if not new:
            return []
        tv, tnow = self._tv, self._tv(now)
        rows, hist, logs = [], [], []
        for r in new:
            data = _ENCODE_RESOURCE(r)
            rows.append((r.id, r.version, feed, tv(r.updated_at), r.kind.value, r.status.value, r.grid_id,
                         r.incident_id, r.drill_id, data))
            hist.append((r.id, r.version, tv(r.updated_at), r.status.value, r.incident_id, r.lon, r.lat, r.quantity,
                         r.drill_id))
            if log:
                logs.append((feed, "resource", r.id, r.version, tnow, data))
        self._upsert_versioned(conn, "resources", ("id", "version", "feed", "updated_at", "kind", "status", "grid_id",
                                                   "incident_id", "drill_id", "data"), _latest_rows(new, rows))
        self._insert_many(conn, "resource_status", ("resource_id", "version", "at", "status", "incident_id", "lon", "lat",
                                                    "quantity", "drill_id"), hist)
        if logs:
            self._insert_many(conn, "record_log", self._LOG_COLS, logs)
        return new

    def _apply_alerts(self, conn: Connection, feed: str, records: list[Alert], now: datetime, log: bool) -> list[Alert]:
        old = self._stored_versions(conn, "alerts", [r.id for r in records])
        new = [r for r in records if r.id not in old or r.version > old[r.id]]
        if not new:
            return []
        tv, tnow = self._tv, self._tv(now)
        rows, hist, logs = [], [], []
        for r in new:
            data = _ENCODE_ALERT(r)
            rows.append((r.id, r.version, feed, tv(r.updated_at), tv(r.issued_at), tv(r.expires_at), int(r.level),
                         r.type.value, r.status.value, r.drill_id, data))
            hist.append((r.id, r.version, tv(r.updated_at), r.status.value, int(r.level), r.drill_id, data))
            if log:
                logs.append((feed, "alert", r.id, r.version, tnow, data))
        self._upsert_versioned(conn, "alerts", ("id", "version", "feed", "updated_at", "issued_at", "expires_at", "level",
                                                "type", "status", "drill_id", "data"), _latest_rows(new, rows))
        self._insert_many(conn, "alert_updates", ("alert_id", "version", "updated_at", "status", "level", "drill_id",
                                                  "data"), hist)
        if logs:
            self._insert_many(conn, "record_log", self._LOG_COLS, logs)
        return new

    def _apply_territory(self, conn: Connection, nodes: list[TerritoryNode]) -> list[TerritoryNode]:
        old = {r.id: r for r in conn.execute(select(_TERR).where(_TERR.c.id.in_([n.id for n in nodes])))}
        changed, rows = [], []
        for n in nodes:
            poly = [list(p) for p in n.polygon]
            row = {"id": n.id, "level": n.level.value, "name": n.name, "parent_id": n.parent_id,
                   "households": n.households, "grid_worker": n.grid_worker, "grid_head": n.grid_head,
                   "polygon": _dumps(poly),
                   "min_lon": min((p[0] for p in poly), default=None), "min_lat": min((p[1] for p in poly), default=None),
                   "max_lon": max((p[0] for p in poly), default=None), "max_lat": max((p[1] for p in poly), default=None)}
            o = old.get(n.id)
            if o is not None and all(getattr(o, k) == v for k, v in row.items()):
                continue
            changed.append(n)
            rows.append(row)
        if not rows:
            return []
        ins = self._insert(_TERR)
        conn.execute(ins.on_conflict_do_update(index_elements=["id"], set_={c: ins.excluded[c] for c in rows[0] if c != "id"}), rows)
        moved = [n for n in changed if n.id not in old or old[n.id].parent_id != n.parent_id]
        old_parents = dict(self._parents)
        self._bump(conn, "territory_rev")
        self._tree(conn)
        if moved:
            self._move_rollups(conn, old_parents)
        return changed

    def _bump(self, conn: Connection, key: str) -> None:
        ins = self._insert(_META).values(key=key, value=1)
        conn.execute(ins.on_conflict_do_update(index_elements=["key"], set_={"value": _META.c.value + 1}))

    def _move_rollups(self, conn: Connection, old_parents: dict[str, str | None]) -> None:
        """The hierarchy changed: move the contributions of incidents whose ancestor chain changed."""
        grids = [g for (g,) in conn.execute(select(_INC.c.grid_id).distinct())]
        affected = {}
        for g in grids:
            before, after = self._chain(g, old_parents), self._chain(g)
            if before != after:
                affected[g] = ([n for n in before if n not in after], [n for n in after if n not in before])
        cols = [_INC.c[c] for c in R.CONTRIB_COLUMNS]
        for g, (gone, came) in affected.items():
            acc = R.Deltas(self.calendar)
            for row in conn.execute(select(*cols).where(_INC.c.grid_id == g)):
                acc.add(row)
            self._add_rollups(conn, acc.rows(self._chain, nodes=gone, sign=-1) + acc.rows(self._chain, nodes=came))
            was, now = GM.holders(self._chain(g, old_parents)), GM.holders(self._chain(g))
            GM.add(self, conn, GM.rows(acc, self._chain, nodes=[x for x in was if x not in now], sign=-1)
                   + GM.rows(acc, self._chain, nodes=[x for x in now if x not in was]), drop_zero=True)

    # ------------------------------------------------------------------ reads
    def cursor(self, feed: str) -> str | None:
        with self._read() as conn:
            return conn.execute(select(_CUR.c.cursor).where(_CUR.c.feed == feed)).scalar()

    @staticmethod
    def _drill_filter(col: Any, drill: bool | None) -> Any:
        if drill is None:
            return None
        return col.is_not(None) if drill else col.is_(None)

    def incidents(
        self, *, open_only: bool = False, limit: int = 1000, drill: bool | None = False, since: datetime | None = None,
        grid_ids: Iterable[str] | None = None, text: str | None = None, node_id: str | None = None,
    ) -> list[Incident]:
        """Newest (by updated_at) first, without their timelines (see incident()).

        The only index by update time is (is_open, updated_at) (migration 0005: one index less rewritten by every
        new version): the newest of all incidents are the open ones and the closed ones, two index ranges each read
        in order, merged (a compound SELECT's ORDER BY: SQLite merges, PostgreSQL a Merge Append) up to `limit`."""
        conds = []
        d = self._drill_filter(_INC.c.drill_id, drill)
        if d is not None:
            conds.append(d)
        if since is not None:
            conds.append(_INC.c.updated_at > _utc(since))
        with self._read() as conn:
            ids = list(grid_ids) if grid_ids is not None else None
            if node_id:
                self._tree(conn)
                ids = (ids or []) + self._descendants(node_id)
            if ids is not None:
                conds.append(_INC.c.grid_id.in_(ids))
            if text:
                pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
                conds.append(or_(_INC.c.title.ilike(pattern, escape="\\"), _INC.c.id == text))
            order = (_INC.c.updated_at.desc(), _INC.c.id)
            if open_only:
                q = select(_INC.c.data).where(_INC.c.is_open.is_(True), *conds).order_by(*order).limit(limit)
            else:
                # updated_at as the driver gives it: it only orders the merge (same order as text on SQLite),
                # and parsing 2 × limit of them into datetimes cost more than the merge itself
                when = type_coerce(_INC.c.updated_at, Text).label("updated_at")
                q = union_all(*(select(_INC.c.data, when, _INC.c.id).where(_INC.c.is_open.is_(flag), *conds)
                                for flag in (True, False)))
                q = q.order_by(q.selected_columns.updated_at.desc(), q.selected_columns.id).limit(limit)
            return [decode_stored(Incident, json.loads(row[0])) for row in conn.execute(q)]

    def incident(self, id: str) -> Incident | None:
        """One incident with its full status timeline."""
        with self._read() as conn:
            data = conn.execute(select(_INC.c.data).where(_INC.c.id == id)).scalar()
            if data is None:
                return None
            tl = conn.execute(select(_STAT).where(_STAT.c.incident_id == id).order_by(_STAT.c.seq)).all()
        inc = decode_stored(Incident, json.loads(data))
        return dataclasses.replace(inc, timeline=tuple(
            StatusChange(Status(r.status), _utc(r.at), r.handler, r.department, r.note) for r in tl))

    def alerts(self, *, live_only: bool = True, now: datetime | None = None, drill: bool | None = False) -> list[Alert]:
        """Most severe first, then newest."""
        q = select(_AL.c.data)
        conds = []
        if live_only:
            now = _utc(now) or _now()
            conds += [_AL.c.status == AlertStatus.ACTIVE.value, or_(_AL.c.expires_at.is_(None), _AL.c.expires_at > now)]
        d = self._drill_filter(_AL.c.drill_id, drill)
        if d is not None:
            conds.append(d)
        if conds:
            q = q.where(and_(*conds))
        q = q.order_by(_AL.c.level.desc(), _AL.c.updated_at.desc())
        with self._read() as conn:
            return [decode_stored(Alert, json.loads(d)) for (d,) in conn.execute(q)]

    def resources(self, *, drill: bool | None = False) -> list[Resource]:
        q = select(_RES.c.data).order_by(_RES.c.id)
        d = self._drill_filter(_RES.c.drill_id, drill)
        if d is not None:
            q = q.where(d)
        with self._read() as conn:
            return [decode_stored(Resource, json.loads(d)) for (d,) in conn.execute(q)]

    def territory(self) -> list[TerritoryNode]:
        with self._read() as conn:
            rows = conn.execute(select(_TERR).order_by(_TERR.c.id)).all()
        return [TerritoryNode(
            id=r.id, level=TerritoryLevel(r.level), name=r.name, parent_id=r.parent_id,
            polygon=tuple((float(p[0]), float(p[1])) for p in json.loads(r.polygon or "[]")),
            households=r.households, grid_worker=r.grid_worker, grid_head=r.grid_head) for r in rows]

    def quarantine(self, limit: int = 500) -> list[QuarantinedRecord]:
        """Newest first."""
        with self._read() as conn:
            rows = conn.execute(select(_QUAR).order_by(_QUAR.c.id.desc()).limit(limit)).all()
        return [QuarantinedRecord(r.feed, r.kind, bytes(r.raw), r.reason, _utc(r.received_at), r.record_id) for r in rows]

    def quarantine_count(self) -> int:
        with self._read() as conn:
            return conn.execute(select(func.count()).select_from(_QUAR)).scalar() or 0

    # ------------------------------------------------------------------ operator actions
    def record_action(self, action: OperatorAction) -> OperatorAction:
        row = {"kind": ActionKind(action.kind).value, "target_kind": action.target_kind, "target_id": action.target_id,
               "actor": action.actor, "console": action.console, "at": _utc(action.at), "reason": action.reason,
               "expires_at": _utc(action.expires_at), "drill_id": action.drill_id, "seat": action.seat,
               "recipient": action.recipient}
        with self._write() as conn:
            new_id = conn.execute(insert(_ACT).values(**row).returning(_ACT.c.id)).scalar_one()
        return dataclasses.replace(action, id=int(new_id))

    def actions_since(self, last_id: int = 0, *, limit: int = 1000) -> list[OperatorAction]:
        """Actions with id > last_id, oldest first: poll this (every second or so) to see other consoles' actions."""
        with self._read() as conn:
            rows = conn.execute(select(_ACT).where(_ACT.c.id > last_id).order_by(_ACT.c.id).limit(limit)).all()
        return [self._action(r) for r in rows]

    def actions_for(self, target_kind: str, target_id: str) -> list[OperatorAction]:
        with self._read() as conn:
            rows = conn.execute(select(_ACT).where(_ACT.c.target_kind == target_kind, _ACT.c.target_id == target_id)
                                .order_by(_ACT.c.id)).all()
        return [self._action(r) for r in rows]

    @staticmethod
    def _action(r: Any) -> OperatorAction:
        return OperatorAction(kind=ActionKind(r.kind), target_kind=r.target_kind, target_id=r.target_id, actor=r.actor,
                              console=r.console, at=_utc(r.at), reason=r.reason, expires_at=_utc(r.expires_at),
                              drill_id=r.drill_id, id=int(r.id), seat=r.seat or "", recipient=r.recipient or "")

    # ------------------------------------------------------------------ KPIs
    def kpis(self, node_id: str = "", start: datetime | None = None, end: datetime | None = None, *,
             include_drill: bool = False) -> dict[str, KpiValue]:
        """KPIs for incidents reported in [start, end) under a territory node ("" = everything); see docs/kpis.md."""
        from .kpi import compute

        end = _utc(end) or _now()
        start = _utc(start) or end - timedelta(days=1)
        with self._read() as conn:
            self._tree(conn)
            return compute(self, conn, node_id, start, end, include_drill=include_drill)

    def rebuild_rollups(self) -> None:
        """Recompute every rollup from the incidents table (repair tool; the normal path is incremental)."""
        with self._write() as conn:
            self._rebuild(conn)

    def _rebuild(self, conn: Connection) -> None:
        """Every rollup from the incidents table in this store's calendar; records the calendar in `rollup_tz`."""
        self._tree(conn)
        conn.execute(delete(_ROLL))
        conn.execute(delete(_GM))
        cols = [_INC.c[c] for c in R.CONTRIB_COLUMNS]
        acc = R.Deltas(self.calendar)
        n = 0
        for row in conn.execute(select(*cols).order_by(_INC.c.reported_at)):
            acc.add(row)
            n += 1
            if n % 50_000 == 0:
                self._add_rollups(conn, acc.rows(self._chain))
                GM.add(self, conn, GM.rows(acc, self._chain))
                acc = R.Deltas(self.calendar)
        self._add_rollups(conn, acc.rows(self._chain))
        GM.add(self, conn, GM.rows(acc, self._chain))
        ins = self._insert(_SET).values(key="rollup_tz", value=self.calendar.basis)
        conn.execute(ins.on_conflict_do_update(index_elements=["key"], set_={"value": ins.excluded.value}))

    # ------------------------------------------------------------------ history
    def state_at(self, t: datetime, *, lookback: timedelta = timedelta(hours=24), drill: bool | None = None,
                 limit: int = 20_000) -> dict[str, list[Any]]:
        """Everything as of time t: incidents open at t or closed within `lookback` before it, alerts live at t,
        resources as they were at t. Built from the status timeline and the alert/resource history."""
        from .history import state_at

        with self._read() as conn:
            return state_at(self, conn, _utc(t), lookback=lookback, drill=drill, limit=limit)

    # ------------------------------------------------------------------ drills and retention
    def record_drill_start(self, drill: "DrillRecord", action: OperatorAction) -> OperatorAction:
        """The drill's row and its DRILL_START action, in one transaction (a drill id is started once)."""
        from .drills import start_drill

        with self._write() as conn:
            return start_drill(conn, drill, action)

    def record_drill_stop(self, drill_id: str, at: datetime, *, kind: str = "stopped",
                          action: OperatorAction | None = None) -> bool:
        """Set the drill's stop (once: False when it was already stopped or is unknown) and record `action`."""
        from .drills import stop_drill

        with self._write() as conn:
            return stop_drill(conn, drill_id, _utc(at), kind, action)

    def drill_records(self, *, running_only: bool = False, drill_id: str | None = None) -> list["DrillRecord"]:
        """Drills as recorded (newest start first); `running_only`: those whose stop is not recorded."""
        from .drills import read_drills

        with self._read() as conn:
            return read_drills(conn, running_only=running_only, drill_id=drill_id)

    def delete_drill(self, drill_id: str) -> int:
        """Remove every row a drill made (and its rollup contributions). Returns the number of records removed."""
        with self._write() as conn:
            self._tree(conn)
            acc = R.Deltas(self.calendar)
            cols = [_INC.c[c] for c in R.CONTRIB_COLUMNS]
            for row in conn.execute(select(*cols).where(_INC.c.drill_id == drill_id)):
                acc.add(row, -1)
            self._add_rollups(conn, acc.rows(self._chain))
            GM.add(self, conn, GM.rows(acc, self._chain))
            n = 0
            for tbl, child, fk in ((_INC, _STAT, "incident_id"), (_RES, _RSTAT, "resource_id"), (_AL, _AUPD, "alert_id")):
                ids = select(tbl.c.id).where(tbl.c.drill_id == drill_id)
                conn.execute(delete(child).where(child.c[fk].in_(ids)))
                n += conn.execute(delete(tbl).where(tbl.c.drill_id == drill_id)).rowcount or 0
            conn.execute(delete(_ACT).where(_ACT.c.drill_id == drill_id, _ACT.c.kind.not_in(
                [ActionKind.DRILL_START.value, ActionKind.DRILL_STOP.value])))
            # a due bucket's row has n = 0 (its incidents were reported earlier) and due_n > 0: keep those
            conn.execute(delete(_ROLL).where(_ROLL.c.drill == 1, _ROLL.c.n == 0, _ROLL.c.due_n == 0))
            conn.execute(delete(_GM).where(_GM.c.drill == 1, _GM.c.n == 0))
        return n

    def prune(self, *, now: datetime | None = None, raw_days: int | None = None, chunk: int = 5000,
              max_chunks: int | None = None) -> int:
        """Retention: delete raw messages (record_log) and quarantined input older than `raw_days`
        (default: retention_days), `chunk` rows per short transaction so the wall never waits long.
        Rollups, current records, timelines and operator actions are kept forever. Returns rows deleted."""
        cutoff = (_utc(now) or _now()) - timedelta(days=raw_days or self.retention_days)
        total, chunks = 0, 0
        for tbl, col in ((_LOG, _LOG.c.received_at), (_QUAR, _QUAR.c.received_at)):
            while max_chunks is None or chunks < max_chunks:
                with self._write() as conn:
                    ids = select(tbl.c.id).where(col < cutoff).order_by(tbl.c.id).limit(chunk)
                    n = conn.execute(delete(tbl).where(tbl.c.id.in_(ids.scalar_subquery()))).rowcount or 0
                chunks += 1
                total += n
                if n < chunk:
                    break
        return total

    def counts(self) -> dict[str, int]:
        with self._read() as conn:
            return {name: conn.execute(select(func.count()).select_from(T[name])).scalar() or 0
                    for name in ("incidents", "incident_status", "resources", "alerts", "operator_actions",
                                 "quarantine", "record_log", "kpi_rollup", "territory")}


# SQLite page cache per connection, in KiB. The writer's batch touches index, timeline and rollup pages spread
# over the whole file, so it keeps the large cache; a reader's queries are index range scans of a few pages each
# (KPI rollup ranges, open incidents by status), and every pooled reader connection holding 64 MB was a large part
# of the wall's resident memory once the open incidents had been read. Together they are bounded once more by
# SQLite's process-wide soft heap limit (memory.SQLITE_SOFT_HEAP_LIMIT_KIB): writer + the pooled readers' caches
# fit under it, and an overflow reader beyond them recycles its pages instead of growing the heap.
# Measured in docs/benchmarks.md, Store and Soak.
WRITER_CACHE_KIB = 24_576
READER_CACHE_KIB = 4_096
# Reader connections: the wall reads from its store thread and its history thread (two at a time); the pool is
# LIFO, so a lone reader keeps reusing the connection whose cache is warm rather than warming them all in turn,
# and an overflow connection (bursts from CLI or tests) is closed when given back, its cache freed with it.
READER_POOL_SIZE = 2
READER_MAX_OVERFLOW = 4


def make_engine(url: str, *, writer: bool = False) -> Engine:
    """An engine for `url`. SQLite: `writer` gives a single-connection pool with the writer's page cache (the
    store serialises writes anyway), otherwise a pool of reader connections with a small cache."""
    if url.startswith("sqlite"):
        if url in ("sqlite://", "sqlite:///:memory:"):
            raise StoreError("an in-memory SQLite store is not supported; give a file path")
        path = url.split(":///", 1)[1] if ":///" in url else ""
        if path:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        cache_kib = WRITER_CACHE_KIB if writer else READER_CACHE_KIB
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30},
                               pool_size=1 if writer else READER_POOL_SIZE,
                               max_overflow=0 if writer else READER_MAX_OVERFLOW, pool_use_lifo=True)

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn: Any, _rec: Any) -> None:
            dbapi_conn.isolation_level = None   # we issue BEGIN [IMMEDIATE] ourselves
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.execute(f"PRAGMA cache_size=-{cache_kib}")
            bound_sqlite_heap(dbapi_conn)   # process-wide: the sum of all caches stays under one bound
            if writer:   # the Store checkpoints from a background thread (checkpoint.py), never inside a commit;
                cur.execute("PRAGMA wal_autocheckpoint=0")   # a restarted WAL is cut to what its first commit
                cur.execute("PRAGMA journal_size_limit=0")   # wrote, so its file size is its length
            else:
                cur.execute("PRAGMA wal_autocheckpoint=8192")
            cur.close()

        return engine
    if url.startswith("postgresql"):
        if url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url[len("postgresql://"):]
        return create_engine(url, pool_size=4, max_overflow=8, pool_pre_ping=True)
    raise StoreError(f"unsupported store URL {url!r}: expected sqlite:///path or postgresql+psycopg://...")
