"""The Store: one SQLite file or one PostgreSQL shared by several walls. Synchronous; call it from a worker thread."""
from __future__ import annotations

import dataclasses
import gc
import json
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal, NamedTuple

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
    FeedHealth,
    Incident,
    KpiValue,
    OperatorAction,
    QuarantinedRecord,
    Resource,
    Status,
    StatusChange,
    TerritoryLevel,
    TerritoryNode,
)
from ..domain.enums import ActionKind
from ..domain.record_json import decode_stored_json
from ..domain.recorder import FeedStatus, RecorderStatus
from ..domain.sensors import Sensor, SensorReading
from . import commits as CL
from . import rollup
from . import sensors as SS
from . import status as ST
from . import writer_epoch as WE
from .checkpoint import WalCheckpointer
from .dialect import Dialect
from .drills import DrillRecord, read_drills, start_drill, stop_drill
from .encoding import utc
from .engine import make_engine
from .errors import CalendarMismatch, StoreError
from .history import state_at
from .kpi import KpiSource, compute
from .schema import T
from .territory import TerritoryTree
from .writes import Writer

INCIDENTS, INCIDENT_STATUS = T["incidents"], T["incident_status"]
RESOURCES, RESOURCE_STATUS = T["resources"], T["resource_status"]
ALERTS, ALERT_UPDATES = T["alerts"], T["alert_updates"]
ACTIONS, CURSORS, QUARANTINE, RECORD_LOG = T["operator_actions"], T["feed_cursors"], T["quarantine"], T["record_log"]
TERRITORY, META, ROLLUPS, SETTINGS = T["territory"], T["store_meta"], T["kpi_rollup"], T["store_settings"]
GRID_MONTHS = T["kpi_grid_month"]

#: What Store.open does when the store's rollups were built on another calendar (see there).
CalendarMode = Literal["adopt", "require", "keep"]
_PG_LOCK_KEY = 0x636F6D6D  # "comm": serialises writers across processes on PostgreSQL
_UTC = UTC


@dataclass(frozen=True, slots=True)
class Applied:
    """What an apply() changed: only records that were new or newer than the stored version."""

    incidents: list[Incident] = field(default_factory=list)
    resources: list[Resource] = field(default_factory=list)
    alerts: list[Alert] = field(default_factory=list)
    territory: list[TerritoryNode] = field(default_factory=list)
    sensors: list[Sensor] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.incidents or self.resources or self.alerts or self.territory or self.sensors)


class ResourceChange(NamedTuple):
    """One row of a resource's status history."""

    resource_id: str
    at: datetime
    status: str
    incident_id: str | None


@dataclass(frozen=True, slots=True)
class DrillHistory:
    """What a drill left besides its records: operator actions, resource status changes, alert versions."""

    actions: list[OperatorAction]
    resource_changes: list[ResourceChange]
    alert_versions: list[Alert]


_GC_LOCK = threading.Lock()
_GC_HOLDERS = 0
_GC_SAVED: tuple[int, ...] = ()
#: Generation-0 threshold while paused: allocations never reach it within a batch.
_GC_PAUSED_THRESHOLD = 1 << 30


@contextmanager
def _gc_paused() -> Iterator[None]:
    """No automatic cyclic collection while a write transaction builds and runs its rows.

    Why: a batch allocates many objects per record (row tuples, texts, rollup vectors), none in a reference
    cycle, so the collections it triggers free nothing while the older generations' walk the caller's whole heap
    (docs/benchmarks.md, Store, ingest round 4). The wall and `collect` already turn automatic collection off
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


def default_url() -> str:
    from platformdirs import user_data_dir

    d = Path(user_data_dir("commandcenter", appauthor=False))
    d.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{d / 'store.db'}"


class Store:
    """See the package docstring for the contract."""

    def __init__(self, engine: Engine, *, writer: Engine | None = None, retention_days: int = 90,
                 tz: str = rollup.DEFAULT_TZ, limits: Mapping[str, timedelta] | None = None) -> None:
        """`engine` serves reads; `writer`, when given, serves the write transactions (SQLite: one connection
        with the large page cache, so the readers' caches can stay small)."""
        self._engine = engine
        self._writer = writer or engine
        self.calendar = rollup.Calendar(tz, limits)
        self.sql = Dialect(engine.dialect.name)
        self.dialect = self.sql.name
        self.retention_days = retention_days
        self.tree = TerritoryTree()
        self.writer = Writer(self.sql, self.tree, self.calendar)
        self._kpi_source = KpiSource(self.sql, self.calendar, self.tree)
        self._fence: Callable[[Connection], None] | None = None
        self._follow_lock = threading.Lock()
        self._follow_conn: Connection | None = None      # PostgreSQL: a follower's held reader (_follow_read)
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
             tz: str = rollup.DEFAULT_TZ, limits: Mapping[str, timedelta] | None = None,
             calendar: CalendarMode = "adopt") -> Store:
        """Open (creating and migrating as needed). StoreError if the database is newer than this code.

        `tz` is the calendar of the KPI days and months (a Chinese command center's "today" is Asia/Shanghai);
        `limits` the time allowed per category value (domain.kpis.limits_of: a config's `[deadlines.hours]` over
        the defaults), the KPIs' due clock. The store keeps the calendar its rollups were built on; `calendar`
        says what to do when it differs from this one (or none is kept yet, right after a migration):
        "adopt" (a writer of records: the recorder, a wall running its own feeds) rebuilds the rollups on this
        one; "require" (a wall following the store) raises CalendarMismatch naming the keys that differ, and
        leaves a store without one as it is; "keep" (administration: `store grant`) leaves the rollups alone."""
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
            store = cls(engine, writer=writer, retention_days=retention_days, tz=tz, limits=limits)
            if calendar == "adopt":
                store._ensure_rollup_calendar()
            elif calendar == "require":
                store._require_rollup_calendar()
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

    def _require_rollup_calendar(self) -> None:
        with self._read() as conn:
            basis = self._setting(conn, "rollup_tz")
        if basis is not None and basis != self.calendar.basis:
            where = self._engine.url.render_as_string(hide_password=True)
            raise CalendarMismatch(where, self.calendar.differences(basis))

    def _ensure_rollup_calendar(self) -> None:
        """Rebuild the rollups when they were built in another time zone or on other limits than this store's
        calendar (`rollup_tz` holds its basis: the zone, and any limit that differs from the defaults)."""
        with self._read() as conn:
            if self._setting(conn, "rollup_tz") == self.calendar.basis:
                return
        with self._write() as conn:   # re-checked under the write lock: two walls opening at once rebuild once
            if self._setting(conn, "rollup_tz") != self.calendar.basis:
                self.writer.rebuild_rollups(conn)

    @property
    def engine(self) -> Engine:
        return self._engine

    def close(self) -> None:
        with self._follow_lock:
            if self._follow_conn is not None:
                self._follow_conn.close()
                self._follow_conn = None
        if self._checkpointer is not None:
            self._checkpointer.close()
        self._engine.dispose()
        if self._writer is not self._engine:
            self._writer.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def prepare_writes(self) -> None:
        """Load now what the first batch of records would otherwise wait for (a recorder, before its feeds start):
        numpy, which the rollups are summed with, and the territory's chain index."""
        import numpy  # noqa: F401 - imported for its side effect: the module is loaded

        with self._read() as conn:
            self.tree.refresh(conn)
        self.tree.chain_index()

    def claim_writes(self) -> int:
        """Make this Store the one writer of records (the recorder that has just taken the recorder lock): raise the
        writer epoch in a transaction of its own, which waits for any write still in flight (a previous recorder's
        last batch), and fence every later write transaction on it: once another process claims, this Store's
        writes raise FencedOut (store/writer_epoch.py). Read the feeds' cursors after this. Returns the epoch."""
        with self._write(fenced=False) as conn:
            epoch = WE.claim(conn, self.sql)
        self._fence = WE.EpochFence(epoch, self.sql)
        return epoch

    def refuse_writes(self) -> None:
        """Fence every write transaction out (a recorder that lost its lock) until claim_writes again."""
        self._fence = WE.refuse

    @contextmanager
    def _write(self, *, fenced: bool = True) -> Iterator[Connection]:
        """One write transaction, serialised with every other writer (other processes included); checked by the
        write fence (claim_writes) before it commits unless `fenced` is False."""
        if self._checkpointer is not None:
            self._checkpointer.before_write()
        with self._writer.connect() as conn:
            if self.sql.sqlite:
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            else:
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK_KEY})
            try:
                yield conn
                fence = self._fence
                if fenced and fence is not None:
                    fence(conn)
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
        sensors: Sequence[Sensor] = (),
        readings: Sequence[SensorReading] = (),
    ) -> Applied:
        """One transaction: upsert newer versions, append history, update rollups, quarantine, save the cursor."""
        now = utc(received_at) or _now()
        incidents, resources, alerts = _newest(incidents), _every_version(resources), _every_version(alerts)
        territory = list({t.id: t for t in territory}.values())
        quarantined = list(quarantined)
        with _gc_paused(), self._write() as conn:
            self.tree.refresh(conn)
            w = self.writer
            logged = log and bool(incidents or resources or alerts)
            log_after = CL.log_head(conn, self.sql) if logged else None
            t_new = w.territory(conn, territory) if territory else []
            i_new = w.incidents(conn, feed, incidents, now, log) if incidents else []
            r_new = w.resources(conn, feed, resources, now, log) if resources else []
            a_new = w.alerts(conn, feed, alerts, now, log) if alerts else []
            s_new = w.sensors(conn, feed, sensors, readings) if sensors or readings else []
            if quarantined:
                w.quarantine(conn, quarantined)
            if cursor is not None:
                w.cursor(conn, feed, cursor, now)
            if t_new or s_new or (logged and (i_new or r_new or a_new)):
                wrote = logged and bool(i_new or r_new or a_new)
                CL.announce(conn, self.sql, now, CL.Announced(
                    log_after=log_after if wrote else None,
                    territory=bool(t_new), sensors=[d.id for d in s_new]))
        return Applied(incidents=i_new, resources=r_new, alerts=a_new, territory=t_new, sensors=s_new)

    # ------------------------------------------------------------------ the recorder's status (store/status.py)
    def write_feed_status(self, reports: Sequence[FeedHealth], recorder: RecorderStatus) -> None:
        """The recorder's feeds' health and its heartbeat, in one transaction (fenced, like the records)."""
        with self._write() as conn:
            ST.write_feeds(conn, self.sql, reports, recorder)
            ST.write_recorder(conn, self.sql, recorder)

    def write_recorder(self, recorder: RecorderStatus) -> None:
        """A recorder's role and heartbeat alone (not fenced: a standby one says so without holding the lock)."""
        with self._write(fenced=False) as conn:
            ST.write_recorder(conn, self.sql, recorder)

    def forget_recorders(self, before: datetime) -> int:
        """Forget recorders not heard from since `before` (the active recorder calls it when it takes over)."""
        with self._write() as conn:
            return ST.forget_recorders(conn, before)

    def feed_status(self) -> list[FeedStatus]:
        """Each feed's health as the recorder last wrote it, by feed name; empty when no recorder ever ran here.

        For walls and consoles that follow the store instead of running the feeds. A row carries `health`
        (domain.FeedHealth: state, last good contact, lag, last error, counts), the recorder that wrote it
        (`host`, `pid`) and its `heartbeat_at`: the active recorder rewrites every feed's row about once a second
        and at once on a change of state, so a heartbeat older than a few seconds (`FeedStatus.is_stale`) means
        the recorder is gone and the feed should be shown as stale whatever its `state` says."""
        with self._follow_read() as conn:      # a follower reads it once a second beside the commits
            return ST.read_feeds(conn)

    def recorders(self) -> list[RecorderStatus]:
        """Every recorder that ran on this store lately, newest heartbeat first: `role` is active, standby or
        stopped (domain.recorder.RecorderRole); each one rewrites its row about once a second while it runs, so a
        row whose heartbeat is more than a few seconds old is a recorder that ended without saying so (killed).
        Rows not heard from for `services.recorder.FORGET_AFTER` are deleted when a recorder takes over."""
        with self._read() as conn:
            return ST.read_recorders(conn)

    # ------------------------------------------------------------------ sensors (store/sensors.py)
    def sensors(self) -> list[Sensor]:
        """Every device's latest state."""
        with self._read() as conn:
            return SS.sensors(conn)

    def sensor_readings(self, sensor_id: str, start: datetime, end: datetime) -> list[SensorReading]:
        """A device's readings in [start, end): raw, else hourly means where the raw ones are past retention."""
        with self._read() as conn:
            return SS.readings(conn, sensor_id, utc(start), utc(end))

    def prune_sensors(self, *, raw_days: int, hourly_months: int, now: datetime | None = None) -> int:
        """Readings past `raw_days` and hourly summaries past `hourly_months` deleted; how many rows went."""
        with self._write() as conn:
            return SS.prune(conn, utc(now) or _now(), raw_days, hourly_months)

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
                    self.writer.incidents(conn, feed, chunk, now, False, assume_new=True)
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
            return [decode_stored_json(Incident, row[0]) for row in conn.execute(q)]

    def incident(self, id: str) -> Incident | None:
        """One incident with its full status timeline."""
        with self._read() as conn:
            data = conn.execute(select(INCIDENTS.c.data).where(INCIDENTS.c.id == id)).scalar()
            if data is None:
                return None
            tl = conn.execute(select(INCIDENT_STATUS).where(INCIDENT_STATUS.c.incident_id == id)
                              .order_by(INCIDENT_STATUS.c.seq)).all()
        inc = decode_stored_json(Incident, data)
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
            return [decode_stored_json(Alert, d) for (d,) in conn.execute(q)]

    def resources(self, *, drill: bool | None = False) -> list[Resource]:
        q = select(RESOURCES.c.data).order_by(RESOURCES.c.id)
        d = self._drill_filter(RESOURCES.c.drill_id, drill)
        if d is not None:
            q = q.where(d)
        with self._read() as conn:
            return [decode_stored_json(Resource, d) for (d,) in conn.execute(q)]

    def territory(self) -> list[TerritoryNode]:
        with self._read() as conn:
            return self._territory(conn)

    @staticmethod
    def _territory(conn: Connection) -> list[TerritoryNode]:
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
            CL.announce(conn, self.sql, _now(), CL.Announced(action_id=int(new_id)))
        return dataclasses.replace(action, id=int(new_id))

    def actions_since(self, last_id: int = 0, *, limit: int = 1000) -> list[OperatorAction]:
        """Actions with id > last_id, oldest first: poll this (every second or so) to see other consoles' actions."""
        with self._read() as conn:
            rows = conn.execute(select(ACTIONS).where(ACTIONS.c.id > last_id).order_by(ACTIONS.c.id).limit(limit)).all()
        return [self.action_from_row(r) for r in rows]

    def _actions_by_id(self, conn: Connection, ids: list[int]) -> list[OperatorAction]:
        rows = conn.execute(select(ACTIONS).where(ACTIONS.c.id.in_(ids)).order_by(ACTIONS.c.id)).all()
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

    # ------------------------------------------------------------------ following (store/commits.py)
    def commit_position(self) -> int:
        """The newest committed position a follower can start after (0: none yet)."""
        with self._follow_read() as conn:
            return CL.position(conn)

    def commits_after(self, position: int, *, limit: int = 500) -> CL.CommitsAfter:
        """Up to `limit` committed transactions after `position`, oldest first, with what each wrote (`behind`:
        retention removed part of what came after it)."""
        with self._follow_read() as conn:
            return CL.read_after(conn, self.sql, position, limit, self._actions_by_id, self._territory)

    @contextmanager
    def _follow_read(self) -> Iterator[Connection]:
        """A follower's read. PostgreSQL: on one connection held between reads, in autocommit (a read is one
        statement, its own snapshot), so a read costs one round trip instead of a pool checkout's ping, a BEGIN
        and a ROLLBACK; dropped on any failure (the next read opens another). SQLite: a pooled reader."""
        if self.sql.sqlite:
            with self._read() as conn:
                yield conn
            return
        with self._follow_lock:
            held = self._follow_conn
            if held is None:
                held = self._engine.connect().execution_options(isolation_level="AUTOCOMMIT")
                # planned for each read's own position: a plan cached while the log was a few rows long (a fresh
                # store) can keep scanning it whole once it has grown
                held.exec_driver_sql("SET plan_cache_mode = force_custom_plan")
                self._follow_conn = held
            try:
                yield held
                held.rollback()          # ends SQLAlchemy's autobegun transaction; nothing on the server
            except BaseException:
                self._follow_conn = None
                held.close()
                raise

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
            self.writer.rebuild_rollups(conn)

    # ------------------------------------------------------------------ history
    def state_at(self, t: datetime, *, lookback: timedelta = timedelta(hours=24), drill: bool | None = None,
                 limit: int = 20_000) -> dict[str, list[Any]]:
        """Everything as of time t: incidents open at t or closed within `lookback` before it, alerts live at t,
        resources as they were at t. Built from the status timeline and the alert/resource history."""
        with self._read() as conn:
            state = state_at(conn, utc(t), lookback=lookback, drill=drill, limit=limit)
            state["sensors"] = SS.sensors_at(conn, utc(t))
            return state

    # ------------------------------------------------------------------ drills and retention
    def record_drill_start(self, drill: DrillRecord, action: OperatorAction) -> OperatorAction:
        """The drill's row and its DRILL_START action, in one transaction (a drill id is started once)."""
        with self._write() as conn:
            recorded = start_drill(conn, drill, action)
            CL.announce(conn, self.sql, _now(), CL.Announced(action_id=recorded.id, drill_id=drill.id))
            return recorded

    def record_drill_stop(self, drill_id: str, at: datetime, *, kind: str = "stopped",
                          action: OperatorAction | None = None) -> bool:
        """Set the drill's stop (once: False when it was already stopped or is unknown) and record `action`."""
        with self._write() as conn:
            stopped, recorded = stop_drill(conn, drill_id, utc(at), kind, action)
            if stopped:
                CL.announce(conn, self.sql, _now(), CL.Announced(
                    action_id=recorded.id if recorded is not None else None, drill_id=drill_id))
            return stopped

    def drill_records(self, *, running_only: bool = False, drill_id: str | None = None) -> list[DrillRecord]:
        """Drills as recorded (newest start first); `running_only`: those whose stop is not recorded."""
        with self._read() as conn:
            return read_drills(conn, running_only=running_only, drill_id=drill_id)

    def drill_history(self, drill_id: str) -> DrillHistory:
        """A drill's operator actions, resource status changes and alert versions, each oldest first."""
        with self._read() as conn:
            actions = conn.execute(select(ACTIONS).where(ACTIONS.c.drill_id == drill_id).order_by(ACTIONS.c.id)).all()
            changes = conn.execute(select(RESOURCE_STATUS.c.resource_id, RESOURCE_STATUS.c.at, RESOURCE_STATUS.c.status,
                                          RESOURCE_STATUS.c.incident_id)
                                   .where(RESOURCE_STATUS.c.drill_id == drill_id).order_by(RESOURCE_STATUS.c.id)).all()
            alerts = conn.execute(select(ALERT_UPDATES.c.data).where(ALERT_UPDATES.c.drill_id == drill_id)
                                  .order_by(ALERT_UPDATES.c.id)).all()
        return DrillHistory(
            actions=[self.action_from_row(r) for r in actions],
            resource_changes=[ResourceChange(r.resource_id, utc(r.at), r.status, r.incident_id) for r in changes],
            alert_versions=[decode_stored_json(Alert, d) for (d,) in alerts])

    def delete_drill(self, drill_id: str) -> int:
        """Remove every row a drill made (and its rollup contributions). Returns the number of records removed."""
        with self._write() as conn:
            self.tree.refresh(conn)
            self.writer.remove_drill_rollups(conn, drill_id)
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
        (default: retention_days), `chunk` rows per short transaction so the wall never waits long; the commit log
        too, first (a follower whose position it removed reloads: store/commits.py).
        Rollups, current records, timelines and operator actions are kept forever. Returns rows deleted."""
        cutoff = (utc(now) or _now()) - timedelta(days=raw_days or self.retention_days)
        total, chunks = 0, 0
        commit_chunks = 0      # the commit log first (its own budget, not counted as raw messages)
        while max_chunks is None or commit_chunks < max_chunks:
            with self._write() as conn:
                n = CL.prune(conn, cutoff, chunk)
            commit_chunks += 1
            if n < chunk:
                break
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
