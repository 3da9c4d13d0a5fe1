"""The Store: one SQLite file or one PostgreSQL shared by several walls. Synchronous; call it from a worker thread."""
from __future__ import annotations

import dataclasses
import gc
import json
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from operator import itemgetter
from pathlib import Path
from typing import Any, NamedTuple

from sqlalchemy import (
    CompoundSelect,
    Connection,
    Engine,
    Select,
    Text,
    and_,
    delete,
    func,
    insert,
    or_,
    select,
    text,
    type_coerce,
    union_all,
)
from sqlalchemy.exc import IntegrityError

from ..domain import (
    Alert,
    AlertStatus,
    Incident,
    KpiValue,
    OperatorAction,
    QuarantinedRecord,
    Resource,
    Status,
    StatusChange,
    TerritoryLevel,
    TerritoryNode,
    decode_stored,
)
from ..domain.enums import ActionKind
from . import gridmonths, rollup
from .checkpoint import WalCheckpointer
from .dialect import Dialect, Row
from .drills import DrillRecord, read_drills, start_drill, stop_drill
from .encoding import (
    IS_OPEN,
    VALUE,
    encode_alert,
    encode_incident,
    encode_resource,
    quarantine_row,
    utc,
)
from .engine import make_engine
from .errors import StoreError
from .history import state_at
from .kpi import KpiSource, compute
from .schema import T
from .territory import TerritoryTree

INCIDENTS, INCIDENT_STATUS = T["incidents"], T["incident_status"]
RESOURCES, RESOURCE_STATUS = T["resources"], T["resource_status"]
ALERTS, ALERT_UPDATES = T["alerts"], T["alert_updates"]
ACTIONS, CURSORS, QUARANTINE, RECORD_LOG = T["operator_actions"], T["feed_cursors"], T["quarantine"], T["record_log"]
TERRITORY, META, ROLLUPS, SETTINGS = T["territory"], T["store_meta"], T["kpi_rollup"], T["store_settings"]
GRID_MONTHS = T["kpi_grid_month"]

#: What apply reads of a stored incident (see Store._stored_incidents).
_STORED_COLS = ("id", *(c for c in rollup.CONTRIB_COLUMNS if c != "id"), "version", "timeline_len")


class StoredIncident(NamedTuple):
    """What a new version of a stored incident replaces: its rollup contribution's columns, version, timeline
    length, and `reported_at` as the column holds it."""

    id: str
    grid_id: str
    category: str
    reported_at: datetime
    status: str
    accepted_at: datetime | None
    arrived_at: datetime | None
    assessed_at: datetime | None
    emergency: bool
    on_the_spot: bool
    resolution_level: str | None
    satisfaction: int | None
    drill_id: str | None
    source: str
    dispatched_at: datetime | None
    closed_at: datetime | None
    departments_n: int
    version: int
    timeline_len: int
    reported_column: Any


assert StoredIncident._fields[:-1] == _STORED_COLS, "StoredIncident follows _STORED_COLS"
_REPORTED = _STORED_COLS.index("reported_at")
_STORED_TIMES = tuple(_STORED_COLS.index(c) for c in ("reported_at", "accepted_at", "arrived_at", "assessed_at",
                                                      "dispatched_at", "closed_at"))
_PG_LOCK_KEY = 0x636F6D6D  # "comm": serialises writers across processes on PostgreSQL
_UTC = UTC


@dataclass(frozen=True, slots=True)
class Applied:
    """What an apply() changed: only records that were new or newer than the stored version."""

    incidents: list[Incident] = field(default_factory=list)
    resources: list[Resource] = field(default_factory=list)
    alerts: list[Alert] = field(default_factory=list)
    territory: list[TerritoryNode] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.incidents or self.resources or self.alerts or self.territory)


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
    return datetime.now(_UTC)


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


def _latest_rows(records: list[Any], rows: list[Row]) -> list[Row]:
    """The row of each id's highest version (one upsert per id: PostgreSQL refuses two in one statement)."""
    last = {r.id: i for i, r in enumerate(records)}     # records are in version order per id
    return [rows[i] for i in sorted(last.values())]


def default_url() -> str:
    from platformdirs import user_data_dir

    d = Path(user_data_dir("commandcenter", appauthor=False))
    d.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{d / 'store.db'}"


class Store:
    """See the package docstring for the contract."""

    def __init__(self, engine: Engine, *, writer: Engine | None = None, retention_days: int = 90,
                 tz: str = rollup.DEFAULT_TZ) -> None:
        """`engine` serves reads; `writer`, when given, serves the write transactions (SQLite: one connection
        with the large page cache, so the readers' caches can stay small)."""
        self._engine = engine
        self._writer = writer or engine
        self.calendar = rollup.Calendar(tz)
        self.sql = Dialect(engine.dialect.name)
        self.dialect = self.sql.name
        self.retention_days = retention_days
        self.tree = TerritoryTree()
        self._kpi_source = KpiSource(self.sql, self.calendar, self.tree)
        # SQLite: WAL checkpoints run in a background thread (the writer connection's autocheckpoint is off)
        path = self._writer.url.database if self.sql.sqlite else None
        self._checkpointer: WalCheckpointer | None = None
        if path:
            with self._writer.connect() as conn:
                page_size = int(conn.exec_driver_sql("PRAGMA page_size").scalar() or 4096)
            self._checkpointer = WalCheckpointer(path, page_size=page_size)

    # ------------------------------------------------------------------ opening
    @classmethod
    def open(cls, url: str = "", *, retention_days: int = 90, migrate: bool = True,
             tz: str = rollup.DEFAULT_TZ) -> Store:
        """Open (creating and migrating as needed). StoreError if the database is newer than this code.

        `tz` is the calendar of the KPI days and months (a Chinese command center's "today" is Asia/Shanghai).
        If the rollups were built in another zone (or not yet, right after a migration), they are rebuilt here."""
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
            rollup.Calendar(tz)
        except ValueError as exc:
            dispose()
            raise StoreError(f"store calendar: {exc}") from exc
        try:
            upgrade(engine, migrate=migrate)
            store = cls(engine, writer=writer, retention_days=retention_days, tz=tz)
            store._ensure_rollup_calendar()
        except StoreError:
            dispose()
            raise
        except Exception as exc:  # noqa: BLE001 - give the caller one error type with the cause
            dispose()
            where = engine.url.render_as_string(hide_password=True)
            raise StoreError(f"cannot open the store at {where}: {exc}") from exc
        return store

    def _setting(self, conn: Connection, key: str) -> str | None:
        value: str | None = conn.execute(select(SETTINGS.c.value).where(SETTINGS.c.key == key)).scalar()
        return value

    def _ensure_rollup_calendar(self) -> None:
        """Rebuild the rollups when they were built in another time zone than this store's calendar."""
        with self._read() as conn:
            if self._setting(conn, "rollup_tz") == self.calendar.name:
                return
        with self._write() as conn:   # re-checked under the write lock: two walls opening at once rebuild once
            if self._setting(conn, "rollup_tz") != self.calendar.name:
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

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        """One write transaction, serialised with every other writer (other processes included)."""
        if self._checkpointer is not None:
            self._checkpointer.before_write()
        with self._writer.connect() as conn:
            if self.sql.sqlite:
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
        now = utc(received_at) or _now()
        incidents, resources, alerts = _newest(incidents), _every_version(resources), _every_version(alerts)
        territory = list({t.id: t for t in territory}.values())
        quarantined = list(quarantined)
        with _gc_paused(), self._write() as conn:
            self.tree.refresh(conn)
            t_new = self._apply_territory(conn, territory) if territory else []
            i_new = self._apply_incidents(conn, feed, incidents, now, log) if incidents else []
            r_new = self._apply_resources(conn, feed, resources, now, log) if resources else []
            a_new = self._apply_alerts(conn, feed, alerts, now, log) if alerts else []
            if quarantined:
                self._quarantine(conn, quarantined)
            if cursor is not None:
                ins = self.sql.insert(CURSORS).values(feed=feed, cursor=cursor, updated_at=now)
                conn.execute(ins.on_conflict_do_update(
                    index_elements=["feed"],
                    set_={"cursor": ins.excluded.cursor, "updated_at": ins.excluded.updated_at}))
        return Applied(incidents=i_new, resources=r_new, alerts=a_new, territory=t_new)

    def _quarantine(self, conn: Connection, records: list[QuarantinedRecord]) -> None:
        """Insert-if-absent: one row per (feed, digest of kind and raw), so input quarantined before (by this
        process or an earlier one) is not added again. Whatever the record holds, the row is storable text."""
        rows: dict[tuple[str, str], dict[str, Any]] = {}
        for q in records:
            row = quarantine_row(q)
            rows.setdefault((row["feed"], row["digest"]), row)
        ins = self.sql.insert(QUARANTINE).on_conflict_do_nothing(index_elements=["feed", "digest"])
        conn.execute(ins, list(rows.values()))

    def load_history(self, feed: str, incidents: Iterable[Incident], *, batch: int = 50_000,
                     received_at: datetime | None = None) -> int:
        """Bulk-load incidents that are not in the store yet (generating or importing a history); returns how many.

        The database ends up exactly as `apply(feed, incidents=..., log=False)` would leave it (same rows, same
        timelines, same rollups; tests/store/test_bulk.py checks it), only faster: no lookup of stored versions,
        one transaction per `batch` records, no Applied list. An id already stored makes that batch fail with
        StoreError and roll back (the batches before it stay)."""
        now = utc(received_at) or _now()
        total, buf = 0, []

        def flush(chunk: list[Incident]) -> int:
            chunk = _newest(chunk)
            try:
                with _gc_paused(), self._write() as conn:
                    self.tree.refresh(conn)
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

    def _stored_versions(self, conn: Connection, table: str, ids: list[str]) -> dict[str, int]:
        return {i: v for i, v in self.sql.select_ids(conn, table, ids, ("id", "version"))}

    def _stored_incidents(self, conn: Connection, ids: list[str]) -> dict[str, StoredIncident]:
        """What a new version of each stored incident among `ids` replaces (times as aware UTC)."""
        out: dict[str, StoredIncident] = {}
        sqlite_ = self.sql.sqlite
        parse = datetime.fromisoformat
        for row in self.sql.select_ids(conn, "incidents", ids, _STORED_COLS):
            v = list(row)
            v.append(v[_REPORTED])
            for k in _STORED_TIMES:
                t = v[k]
                if t is not None:
                    # the text with "+00:00" parses straight to an aware UTC time (tzinfo is timezone.utc):
                    # 0.1 µs, where parse-then-replace(tzinfo=) cost 0.9 µs (four times a stored incident)
                    v[k] = parse(t + "+00:00") if sqlite_ else t.astimezone(_UTC)
            out[v[0]] = StoredIncident._make(v)
        return out

    # Hot path: prepared SQL at the driver level (dialect.py). SQLite: executemany of one row statement.
    # PostgreSQL: one statement per table and batch whose rows arrive as one array per column (unnest).
    _INC_COLS = ("id", "version", "feed", "updated_at", "reported_at", "status", "is_open", "category", "severity",
                 "grid_id", "emergency", "title", "accepted_at", "arrived_at", "assessed_at", "closed_at",
                 "resolution_level", "on_the_spot", "satisfaction", "timeline_len", "drill_id", "data",
                 "source", "dispatched_at", "departments_n")
    _STAT_COLS = ("incident_id", "seq", "status", "at", "handler", "department", "note", "drill_id")
    _LOG_COLS = ("feed", "kind", "record_id", "version", "received_at", "data")
    _RES_COLS = ("id", "version", "feed", "updated_at", "kind", "status", "grid_id", "incident_id", "drill_id", "data")
    _RES_STATUS_COLS = ("resource_id", "version", "at", "status", "incident_id", "lon", "lat", "quantity", "drill_id")
    _ALERT_COLS = ("id", "version", "feed", "updated_at", "issued_at", "expires_at", "level", "type", "status",
                   "drill_id", "data")
    _ALERT_UPDATE_COLS = ("alert_id", "version", "updated_at", "status", "level", "drill_id", "data")

    def _apply_incidents(self, conn: Connection, feed: str, records: list[Incident], now: datetime, log: bool,
                         *, assume_new: bool = False) -> list[Incident]:
        old = {} if assume_new else self._stored_incidents(conn, [r.id for r in records])
        new = [r for r in records if r.id not in old or r.version > old[r.id].version]
        if not new:
            return []
        tv = self.sql.time_value
        rows, statuses, logs = [], [], []
        acc = rollup.Deltas(self.calendar)
        tnow = tv(now)
        value, is_open, encode, timeline_rows = VALUE, IS_OPEN, encode_incident, self._timeline_rows
        flag = self.sql.flag
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
            self.sql.insert_many(conn, "incident_status", self._STAT_COLS, statuses)
        self._add_rollup_groups(conn, acc.row_groups(self.tree.chain, self.tree.chain_index()))
        gridmonths.add(self.sql, conn, gridmonths.rows(acc, self.tree.chain))
        if logs:
            self.sql.insert_many(conn, "record_log", self._LOG_COLS, logs)
        return new

    # Columns a status update leaves alone in the common case; SQLite rewrites an index entry only when the UPDATE
    # names one of its columns, so leaving them out of SET spares ix_incidents_grid_reported, ix_incidents_reported
    # and ix_incidents_drill on every update.
    _INC_FIXED = ("id", "grid_id", "reported_at", "drill_id")
    _FIXED_POS = tuple(map(_INC_COLS.index, _INC_FIXED))

    def _write_incidents(self, conn: Connection, rows: list[Row], old: dict[str, Any]) -> None:
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
            self.sql.insert_many(conn, "incidents", self._INC_COLS, fresh)
        for part, skip in ((narrow, set(self._FIXED_POS)), (wide, {0})):
            if not part:
                continue
            idx = [i for i in range(len(self._INC_COLS)) if i not in skip]
            sql = self.sql.update_newer_sql("incidents", [self._INC_COLS[i] for i in idx])
            self.sql.run_many(conn, sql, list(map(itemgetter(*idx, 0, 1), part)))   # tuples built in C

    def _timeline_rows(self, r: Incident, o: Any) -> tuple[list[Row], int]:
        """Status rows to append: timeline entries beyond those stored, or a synthesised change of status."""
        have = o.timeline_len if o is not None else 0
        tv = self.sql.time_value
        if r.timeline:
            rid, drill, value = r.id, r.drill_id, VALUE
            out = [(rid, seq, value[c.status], tv(c.at), c.handler, c.department, c.note, drill)
                   for seq, c in enumerate(r.timeline[have:], start=have)]
            return out, max(have, len(r.timeline))
        if o is None or o.status != r.status:
            at = {
                Status.REPORTED: r.reported_at, Status.ACCEPTED: r.accepted_at, Status.DISPATCHED: r.dispatched_at,
                Status.CLOSED: r.closed_at, Status.FOLLOWED_UP: r.followed_up_at,
            }.get(r.status) or r.updated_at
            return [(r.id, have, VALUE[r.status], tv(at), r.handler, "", "", r.drill_id)], have + 1
        return [], have

    def _add_rollups(self, conn: Connection, rows: list[Row], cols: Sequence[str] = rollup.WRITE_COLUMNS[4:]) -> None:
        """Add rollup rows (the key, then the values of `cols`; by default all of rollup.WRITE_COLUMNS, as Deltas.rows
        gives them) into kpi_rollup."""
        if rows:
            sql = self.sql.add_into_sql("kpi_rollup", rollup.WRITE_COLUMNS[:4], rollup.WRITE_COLUMNS, tuple(cols))
            self.sql.run_many(conn, sql, rows)

    def _add_rollup_groups(self, conn: Connection, groups: list[tuple[tuple[str, ...], list[Row]]]) -> None:
        """Add Deltas.row_groups: one statement per column set."""
        for cols, rows in groups:
            self._add_rollups(conn, rows, cols)

    def _apply_resources(self, conn: Connection, feed: str, records: list[Resource], now: datetime,
                         log: bool) -> list[Resource]:
        old = self._stored_versions(conn, "resources", [r.id for r in records])
        new = [r for r in records if r.id not in old or r.version > old[r.id]]
        if not new:
            return []
        tv, tnow = self.sql.time_value, self.sql.time_value(now)
        rows, hist, logs = [], [], []
        for r in new:
            data = encode_resource(r)
            rows.append((r.id, r.version, feed, tv(r.updated_at), r.kind.value, r.status.value, r.grid_id,
                         r.incident_id, r.drill_id, data))
            hist.append((r.id, r.version, tv(r.updated_at), r.status.value, r.incident_id, r.lon, r.lat, r.quantity,
                         r.drill_id))
            if log:
                logs.append((feed, "resource", r.id, r.version, tnow, data))
        self.sql.run_many(conn, self.sql.upsert_versioned_sql("resources", self._RES_COLS), _latest_rows(new, rows))
        self.sql.insert_many(conn, "resource_status", self._RES_STATUS_COLS, hist)
        if logs:
            self.sql.insert_many(conn, "record_log", self._LOG_COLS, logs)
        return new

    def _apply_alerts(self, conn: Connection, feed: str, records: list[Alert], now: datetime, log: bool) -> list[Alert]:
        old = self._stored_versions(conn, "alerts", [r.id for r in records])
        new = [r for r in records if r.id not in old or r.version > old[r.id]]
        if not new:
            return []
        tv, tnow = self.sql.time_value, self.sql.time_value(now)
        rows, hist, logs = [], [], []
        for r in new:
            data = encode_alert(r)
            rows.append((r.id, r.version, feed, tv(r.updated_at), tv(r.issued_at), tv(r.expires_at), int(r.level),
                         r.type.value, r.status.value, r.drill_id, data))
            hist.append((r.id, r.version, tv(r.updated_at), r.status.value, int(r.level), r.drill_id, data))
            if log:
                logs.append((feed, "alert", r.id, r.version, tnow, data))
        self.sql.run_many(conn, self.sql.upsert_versioned_sql("alerts", self._ALERT_COLS), _latest_rows(new, rows))
        self.sql.insert_many(conn, "alert_updates", self._ALERT_UPDATE_COLS, hist)
        if logs:
            self.sql.insert_many(conn, "record_log", self._LOG_COLS, logs)
        return new

    def _apply_territory(self, conn: Connection, nodes: list[TerritoryNode]) -> list[TerritoryNode]:
        old = {r.id: r for r in conn.execute(select(TERRITORY).where(TERRITORY.c.id.in_([n.id for n in nodes])))}
        changed, rows = [], []
        for n in nodes:
            poly = [list(p) for p in n.polygon]
            row = {"id": n.id, "level": n.level.value, "name": n.name, "parent_id": n.parent_id,
                   "households": n.households, "grid_worker": n.grid_worker, "grid_head": n.grid_head,
                   "polygon": json.dumps(poly, ensure_ascii=False, separators=(",", ":")),
                   "min_lon": min((p[0] for p in poly), default=None),
                   "min_lat": min((p[1] for p in poly), default=None),
                   "max_lon": max((p[0] for p in poly), default=None),
                   "max_lat": max((p[1] for p in poly), default=None)}
            o = old.get(n.id)
            if o is not None and all(getattr(o, k) == v for k, v in row.items()):
                continue
            changed.append(n)
            rows.append(row)
        if not rows:
            return []
        ins = self.sql.insert(TERRITORY)
        set_ = {c: ins.excluded[c] for c in rows[0] if c != "id"}
        conn.execute(ins.on_conflict_do_update(index_elements=["id"], set_=set_), rows)
        moved = [n for n in changed if n.id not in old or old[n.id].parent_id != n.parent_id]
        old_parents = dict(self.tree.parents)
        self._bump(conn, "territory_rev")
        self.tree.refresh(conn)
        if moved:
            self._move_rollups(conn, old_parents)
        return changed

    def _bump(self, conn: Connection, key: str) -> None:
        ins = self.sql.insert(META).values(key=key, value=1)
        conn.execute(ins.on_conflict_do_update(index_elements=["key"], set_={"value": META.c.value + 1}))

    def _move_rollups(self, conn: Connection, old_parents: dict[str, str | None]) -> None:
        """The hierarchy changed: move the contributions of incidents whose ancestor chain changed."""
        grids = [g for (g,) in conn.execute(select(INCIDENTS.c.grid_id).distinct())]
        affected = {}
        for g in grids:
            before, after = self.tree.chain(g, old_parents), self.tree.chain(g)
            if before != after:
                affected[g] = ([n for n in before if n not in after], [n for n in after if n not in before])
        cols = [INCIDENTS.c[c] for c in rollup.CONTRIB_COLUMNS]
        for g, (gone, came) in affected.items():
            acc = rollup.Deltas(self.calendar)
            for row in conn.execute(select(*cols).where(INCIDENTS.c.grid_id == g)):
                acc.add(row)
            self._add_rollups(conn, acc.rows(self.tree.chain, nodes=gone, sign=-1)
                              + acc.rows(self.tree.chain, nodes=came))
            was, now = gridmonths.holders(self.tree.chain(g, old_parents)), gridmonths.holders(self.tree.chain(g))
            gridmonths.add(self.sql, conn,
                           gridmonths.rows(acc, self.tree.chain, nodes=[x for x in was if x not in now], sign=-1)
                           + gridmonths.rows(acc, self.tree.chain, nodes=[x for x in now if x not in was]),
                           drop_zero=True)

    # ------------------------------------------------------------------ reads
    def cursor(self, feed: str) -> str | None:
        with self._read() as conn:
            return conn.execute(select(CURSORS.c.cursor).where(CURSORS.c.feed == feed)).scalar()

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
        d = self._drill_filter(INCIDENTS.c.drill_id, drill)
        if d is not None:
            conds.append(d)
        if since is not None:
            conds.append(INCIDENTS.c.updated_at > utc(since))
        with self._read() as conn:
            ids = list(grid_ids) if grid_ids is not None else None
            if node_id:
                self.tree.refresh(conn)
                ids = (ids or []) + self.tree.descendants(node_id)
            if ids is not None:
                conds.append(INCIDENTS.c.grid_id.in_(ids))
            if text:
                pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
                conds.append(or_(INCIDENTS.c.title.ilike(pattern, escape="\\"), INCIDENTS.c.id == text))
            order = (INCIDENTS.c.updated_at.desc(), INCIDENTS.c.id)
            q: Select[Any] | CompoundSelect[Any]
            if open_only:
                q = select(INCIDENTS.c.data).where(INCIDENTS.c.is_open.is_(True), *conds).order_by(*order).limit(limit)
            else:
                # updated_at as the driver gives it: it only orders the merge (same order as text on SQLite),
                # and parsing 2 × limit of them into datetimes cost more than the merge itself
                when = type_coerce(INCIDENTS.c.updated_at, Text).label("updated_at")
                both = union_all(*(select(INCIDENTS.c.data, when, INCIDENTS.c.id)
                                   .where(INCIDENTS.c.is_open.is_(flag), *conds) for flag in (True, False)))
                q = both.order_by(both.selected_columns.updated_at.desc(), both.selected_columns.id).limit(limit)
            return [decode_stored(Incident, json.loads(row[0])) for row in conn.execute(q)]

    def incident(self, id: str) -> Incident | None:
        """One incident with its full status timeline."""
        with self._read() as conn:
            data = conn.execute(select(INCIDENTS.c.data).where(INCIDENTS.c.id == id)).scalar()
            if data is None:
                return None
            tl = conn.execute(select(INCIDENT_STATUS).where(INCIDENT_STATUS.c.incident_id == id)
                              .order_by(INCIDENT_STATUS.c.seq)).all()
        inc = decode_stored(Incident, json.loads(data))
        return dataclasses.replace(inc, timeline=tuple(
            StatusChange(Status(r.status), utc(r.at), r.handler, r.department, r.note) for r in tl))

    def alerts(self, *, live_only: bool = True, now: datetime | None = None, drill: bool | None = False) -> list[Alert]:
        """Most severe first, then newest."""
        q = select(ALERTS.c.data)
        conds = []
        if live_only:
            now = utc(now) or _now()
            conds += [ALERTS.c.status == AlertStatus.ACTIVE.value,
                      or_(ALERTS.c.expires_at.is_(None), ALERTS.c.expires_at > now)]
        d = self._drill_filter(ALERTS.c.drill_id, drill)
        if d is not None:
            conds.append(d)
        if conds:
            q = q.where(and_(*conds))
        q = q.order_by(ALERTS.c.level.desc(), ALERTS.c.updated_at.desc())
        with self._read() as conn:
            return [decode_stored(Alert, json.loads(d)) for (d,) in conn.execute(q)]

    def resources(self, *, drill: bool | None = False) -> list[Resource]:
        q = select(RESOURCES.c.data).order_by(RESOURCES.c.id)
        d = self._drill_filter(RESOURCES.c.drill_id, drill)
        if d is not None:
            q = q.where(d)
        with self._read() as conn:
            return [decode_stored(Resource, json.loads(d)) for (d,) in conn.execute(q)]

    def territory(self) -> list[TerritoryNode]:
        with self._read() as conn:
            rows = conn.execute(select(TERRITORY).order_by(TERRITORY.c.id)).all()
        return [TerritoryNode(
            id=r.id, level=TerritoryLevel(r.level), name=r.name, parent_id=r.parent_id,
            polygon=tuple((float(p[0]), float(p[1])) for p in json.loads(r.polygon or "[]")),
            households=r.households, grid_worker=r.grid_worker, grid_head=r.grid_head) for r in rows]

    def quarantine(self, limit: int = 500) -> list[QuarantinedRecord]:
        """Newest first."""
        with self._read() as conn:
            rows = conn.execute(select(QUARANTINE).order_by(QUARANTINE.c.id.desc()).limit(limit)).all()
        return [QuarantinedRecord(r.feed, r.kind, bytes(r.raw), r.reason, utc(r.received_at), r.record_id)
                for r in rows]

    def quarantine_count(self) -> int:
        with self._read() as conn:
            return conn.execute(select(func.count()).select_from(QUARANTINE)).scalar() or 0

    # ------------------------------------------------------------------ operator actions
    def record_action(self, action: OperatorAction) -> OperatorAction:
        row = {"kind": ActionKind(action.kind).value, "target_kind": action.target_kind, "target_id": action.target_id,
               "actor": action.actor, "console": action.console, "at": utc(action.at), "reason": action.reason,
               "expires_at": utc(action.expires_at), "drill_id": action.drill_id, "seat": action.seat,
               "recipient": action.recipient}
        with self._write() as conn:
            new_id = conn.execute(insert(ACTIONS).values(**row).returning(ACTIONS.c.id)).scalar_one()
        return dataclasses.replace(action, id=int(new_id))

    def actions_since(self, last_id: int = 0, *, limit: int = 1000) -> list[OperatorAction]:
        """Actions with id > last_id, oldest first: poll this (every second or so) to see other consoles' actions."""
        with self._read() as conn:
            rows = conn.execute(select(ACTIONS).where(ACTIONS.c.id > last_id).order_by(ACTIONS.c.id).limit(limit)).all()
        return [self.action_from_row(r) for r in rows]

    def actions_for(self, target_kind: str, target_id: str) -> list[OperatorAction]:
        with self._read() as conn:
            rows = conn.execute(select(ACTIONS)
                                .where(ACTIONS.c.target_kind == target_kind, ACTIONS.c.target_id == target_id)
                                .order_by(ACTIONS.c.id)).all()
        return [self.action_from_row(r) for r in rows]

    @staticmethod
    def action_from_row(r: Any) -> OperatorAction:
        """An operator_actions row (as a Core select returns it) as an OperatorAction."""
        return OperatorAction(kind=ActionKind(r.kind), target_kind=r.target_kind, target_id=r.target_id, actor=r.actor,
                              console=r.console, at=utc(r.at), reason=r.reason, expires_at=utc(r.expires_at),
                              drill_id=r.drill_id, id=int(r.id), seat=r.seat or "", recipient=r.recipient or "")

    # ------------------------------------------------------------------ KPIs
    def kpis(self, node_id: str = "", start: datetime | None = None, end: datetime | None = None, *,
             include_drill: bool = False) -> dict[str, KpiValue]:
        """KPIs for incidents reported in [start, end) under a territory node ("" = everything); see docs/kpis.md."""
        end = utc(end) or _now()
        start = utc(start) or end - timedelta(days=1)
        with self._read() as conn:
            self.tree.refresh(conn)
            return compute(self._kpi_source, conn, node_id, start, end, include_drill=include_drill)

    def rebuild_rollups(self) -> None:
        """Recompute every rollup from the incidents table (repair tool; the normal path is incremental)."""
        with self._write() as conn:
            self._rebuild(conn)

    def _rebuild(self, conn: Connection) -> None:
        """Every rollup from the incidents table in this store's calendar; records the calendar in `rollup_tz`."""
        self.tree.refresh(conn)
        conn.execute(delete(ROLLUPS))
        conn.execute(delete(GRID_MONTHS))
        cols = [INCIDENTS.c[c] for c in rollup.CONTRIB_COLUMNS]
        acc = rollup.Deltas(self.calendar)
        for n, row in enumerate(conn.execute(select(*cols).order_by(INCIDENTS.c.reported_at)), start=1):
            acc.add(row)
            if n % 50_000 == 0:
                self._add_rollups(conn, acc.rows(self.tree.chain))
                gridmonths.add(self.sql, conn, gridmonths.rows(acc, self.tree.chain))
                acc = rollup.Deltas(self.calendar)
        self._add_rollups(conn, acc.rows(self.tree.chain))
        gridmonths.add(self.sql, conn, gridmonths.rows(acc, self.tree.chain))
        ins = self.sql.insert(SETTINGS).values(key="rollup_tz", value=self.calendar.name)
        conn.execute(ins.on_conflict_do_update(index_elements=["key"], set_={"value": ins.excluded.value}))

    # ------------------------------------------------------------------ history
    def state_at(self, t: datetime, *, lookback: timedelta = timedelta(hours=24), drill: bool | None = None,
                 limit: int = 20_000) -> dict[str, list[Any]]:
        """Everything as of time t: incidents open at t or closed within `lookback` before it, alerts live at t,
        resources as they were at t. Built from the status timeline and the alert/resource history."""
        with self._read() as conn:
            return state_at(conn, utc(t), lookback=lookback, drill=drill, limit=limit)

    # ------------------------------------------------------------------ drills and retention
    def record_drill_start(self, drill: DrillRecord, action: OperatorAction) -> OperatorAction:
        """The drill's row and its DRILL_START action, in one transaction (a drill id is started once)."""
        with self._write() as conn:
            return start_drill(conn, drill, action)

    def record_drill_stop(self, drill_id: str, at: datetime, *, kind: str = "stopped",
                          action: OperatorAction | None = None) -> bool:
        """Set the drill's stop (once: False when it was already stopped or is unknown) and record `action`."""
        with self._write() as conn:
            return stop_drill(conn, drill_id, utc(at), kind, action)

    def drill_records(self, *, running_only: bool = False, drill_id: str | None = None) -> list[DrillRecord]:
        """Drills as recorded (newest start first); `running_only`: those whose stop is not recorded."""
        with self._read() as conn:
            return read_drills(conn, running_only=running_only, drill_id=drill_id)

    def delete_drill(self, drill_id: str) -> int:
        """Remove every row a drill made (and its rollup contributions). Returns the number of records removed."""
        with self._write() as conn:
            self.tree.refresh(conn)
            acc = rollup.Deltas(self.calendar)
            cols = [INCIDENTS.c[c] for c in rollup.CONTRIB_COLUMNS]
            for row in conn.execute(select(*cols).where(INCIDENTS.c.drill_id == drill_id)):
                acc.add(row, -1)
            self._add_rollups(conn, acc.rows(self.tree.chain))
            gridmonths.add(self.sql, conn, gridmonths.rows(acc, self.tree.chain))
            n = 0
            for tbl, child, fk in ((INCIDENTS, INCIDENT_STATUS, "incident_id"),
                                   (RESOURCES, RESOURCE_STATUS, "resource_id"), (ALERTS, ALERT_UPDATES, "alert_id")):
                ids = select(tbl.c.id).where(tbl.c.drill_id == drill_id)
                conn.execute(delete(child).where(child.c[fk].in_(ids)))
                n += conn.execute(delete(tbl).where(tbl.c.drill_id == drill_id)).rowcount or 0
            conn.execute(delete(ACTIONS).where(ACTIONS.c.drill_id == drill_id, ACTIONS.c.kind.not_in(
                [ActionKind.DRILL_START.value, ActionKind.DRILL_STOP.value])))
            # a due bucket's row has n = 0 (its incidents were reported earlier) and due_n > 0: keep those
            conn.execute(delete(ROLLUPS).where(ROLLUPS.c.drill == 1, ROLLUPS.c.n == 0, ROLLUPS.c.due_n == 0))
            conn.execute(delete(GRID_MONTHS).where(GRID_MONTHS.c.drill == 1, GRID_MONTHS.c.n == 0))
        return n

    def prune(self, *, now: datetime | None = None, raw_days: int | None = None, chunk: int = 5000,
              max_chunks: int | None = None) -> int:
        """Retention: delete raw messages (record_log) and quarantined input older than `raw_days`
        (default: retention_days), `chunk` rows per short transaction so the wall never waits long.
        Rollups, current records, timelines and operator actions are kept forever. Returns rows deleted."""
        cutoff = (utc(now) or _now()) - timedelta(days=raw_days or self.retention_days)
        total, chunks = 0, 0
        for tbl, col in ((RECORD_LOG, RECORD_LOG.c.received_at), (QUARANTINE, QUARANTINE.c.received_at)):
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
