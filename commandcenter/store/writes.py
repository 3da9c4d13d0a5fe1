"""The write path inside one transaction: records and their history, the KPI rollups they move, quarantined
input, feed cursors. The Store opens the transaction (and serialises writers); a Writer fills it.

Hot path: prepared SQL at the driver level (dialect.py); each batch of records becomes one statement per table
(SQLite executemany, PostgreSQL unnest arrays), rollups summed per batch before they are written (rollup.Deltas).
"""
from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from operator import itemgetter
from typing import Any, Generic, NamedTuple, TypeVar

from sqlalchemy import Connection, delete, select

from ..domain import Alert, Incident, QuarantinedRecord, Resource, Status, TerritoryNode
from ..domain.sensors import Sensor, SensorReading
from . import gridmonths, rollup, sensors as store_sensors
from .dialect import Dialect, Row
from .encoding import IS_OPEN, VALUE, encode_alert, encode_incident, encode_resource, quarantine_row
from .schema import T
from .territory import TerritoryTree

INCIDENTS, CURSORS, QUARANTINE = T["incidents"], T["feed_cursors"], T["quarantine"]
TERRITORY, META, ROLLUPS, SETTINGS, GRID_MONTHS = (
    T["territory"], T["store_meta"], T["kpi_rollup"], T["store_settings"], T["kpi_grid_month"])
_UTC = UTC

#: What a write reads of a stored incident (see Writer._stored_incidents).
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
#: The time of a status change synthesised from a version without a timeline: the status's own time field.
_STATUS_TIME = {Status.REPORTED: "reported_at", Status.ACCEPTED: "accepted_at", Status.DISPATCHED: "dispatched_at",
                Status.CLOSED: "closed_at", Status.FOLLOWED_UP: "followed_up_at"}


def _latest_rows(records: list[Any], rows: list[Row]) -> list[Row]:
    """The row of each id's highest version (one upsert per id: PostgreSQL refuses two in one statement)."""
    last = {r.id: i for i, r in enumerate(records)}     # records are in version order per id
    return [rows[i] for i in sorted(last.values())]


V = TypeVar("V", Resource, Alert)
TimeValue = Callable[[datetime | None], Any]


@dataclass(frozen=True)
class VersionedKind(Generic[V]):
    """How one kind of versioned record is written: its table of latest versions and their row, its history
    table and row, its name in the record log."""

    table: str
    columns: tuple[str, ...]
    row: Callable[[V, str, TimeValue, str], Row]          # record, feed, time value, its JSON
    history_table: str
    history_columns: tuple[str, ...]
    history_row: Callable[[V, TimeValue, str], Row]       # record, time value, its JSON
    log_kind: str
    encode: Callable[[V], str]


RESOURCES = VersionedKind[Resource](
    "resources",
    ("id", "version", "feed", "updated_at", "kind", "status", "grid_id", "incident_id", "drill_id", "data"),
    lambda r, feed, tv, data: (r.id, r.version, feed, tv(r.updated_at), r.kind.value, r.status.value, r.grid_id,
                               r.incident_id, r.drill_id, data),
    "resource_status",
    ("resource_id", "version", "at", "status", "incident_id", "lon", "lat", "quantity", "drill_id"),
    lambda r, tv, data: (r.id, r.version, tv(r.updated_at), r.status.value, r.incident_id, r.lon, r.lat, r.quantity,
                         r.drill_id),
    "resource", encode_resource)

ALERTS = VersionedKind[Alert](
    "alerts",
    ("id", "version", "feed", "updated_at", "issued_at", "expires_at", "level", "type", "status", "drill_id", "data"),
    lambda r, feed, tv, data: (r.id, r.version, feed, tv(r.updated_at), tv(r.issued_at), tv(r.expires_at),
                               int(r.level), r.type.value, r.status.value, r.drill_id, data),
    "alert_updates",
    ("alert_id", "version", "updated_at", "status", "level", "drill_id", "data"),
    lambda r, tv, data: (r.id, r.version, tv(r.updated_at), r.status.value, int(r.level), r.drill_id, data),
    "alert", encode_alert)


class Writer:
    """Writes of one store (its engine's SQL, its territory tree, its calendar), inside the caller's transaction."""

    def __init__(self, sql: Dialect, tree: TerritoryTree, calendar: rollup.Calendar) -> None:
        self.sql = sql
        self.tree = tree
        self.calendar = calendar

    def quarantine(self, conn: Connection, records: list[QuarantinedRecord]) -> None:
        """Insert-if-absent: one row per (feed, digest of kind and raw), so input quarantined before (by this
        process or an earlier one) is not added again. Whatever the record holds, the row is storable text."""
        rows: dict[tuple[str, str], dict[str, Any]] = {}
        for q in records:
            row = quarantine_row(q)
            rows.setdefault((row["feed"], row["digest"]), row)
        ins = self.sql.insert(QUARANTINE).on_conflict_do_nothing(index_elements=["feed", "digest"])
        conn.execute(ins, list(rows.values()))

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
                    # a fraction of parse-then-replace(tzinfo=), done several times a stored incident
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

    def incidents(self, conn: Connection, feed: str, records: list[Incident], now: datetime, log: bool,
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
        self._add_rollup_groups(conn, acc.row_groups(self.tree.chain, self.tree.chain_index))
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
            field = _STATUS_TIME.get(r.status)
            at = (getattr(r, field) if field is not None else None) or r.updated_at
            return [(r.id, have, VALUE[r.status], tv(at), r.handler, "", "", r.drill_id)], have + 1
        return [], have

    def add_rollups(self, conn: Connection, rows: list[Row], cols: Sequence[str] = rollup.WRITE_COLUMNS[4:]) -> None:
        """Add rollup rows (the key, then the values of `cols`; by default all of rollup.WRITE_COLUMNS, as Deltas.rows
        gives them) into kpi_rollup."""
        if rows:
            sql = self.sql.add_into_sql("kpi_rollup", rollup.WRITE_COLUMNS[:4], rollup.WRITE_COLUMNS, tuple(cols))
            self.sql.run_many(conn, sql, rows)

    def _add_rollup_groups(self, conn: Connection, groups: list[tuple[tuple[str, ...], list[Row]]]) -> None:
        """Add Deltas.row_groups: one statement per column set."""
        for cols, rows in groups:
            self.add_rollups(conn, rows, cols)

    def resources(self, conn: Connection, feed: str, records: list[Resource], now: datetime,
                  log: bool) -> list[Resource]:
        return self._versioned(conn, RESOURCES, feed, records, now, log)

    def alerts(self, conn: Connection, feed: str, records: list[Alert], now: datetime, log: bool) -> list[Alert]:
        return self._versioned(conn, ALERTS, feed, records, now, log)

    def _versioned(self, conn: Connection, kind: VersionedKind[V], feed: str, records: list[V], now: datetime,
                   log: bool) -> list[V]:
        """The records newer than the stored versions: their latest row upserted, a history row each, and the
        raw log when `log`. Returns what was new."""
        old = self._stored_versions(conn, kind.table, [r.id for r in records])
        new = [r for r in records if r.id not in old or r.version > old[r.id]]
        if not new:
            return []
        tv, tnow = self.sql.time_value, self.sql.time_value(now)
        rows, hist, logs = [], [], []
        for r in new:
            data = kind.encode(r)
            rows.append(kind.row(r, feed, tv, data))
            hist.append(kind.history_row(r, tv, data))
            if log:
                logs.append((feed, kind.log_kind, r.id, r.version, tnow, data))
        self.sql.run_many(conn, self.sql.upsert_versioned_sql(kind.table, kind.columns), _latest_rows(new, rows))
        self.sql.insert_many(conn, kind.history_table, kind.history_columns, hist)
        if logs:
            self.sql.insert_many(conn, "record_log", self._LOG_COLS, logs)
        return new

    def territory(self, conn: Connection, nodes: list[TerritoryNode]) -> list[TerritoryNode]:
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
            self.add_rollups(conn, acc.rows(self.tree.chain, nodes=gone, sign=-1)
                              + acc.rows(self.tree.chain, nodes=came))
            was, now = gridmonths.holders(self.tree.chain(g, old_parents)), gridmonths.holders(self.tree.chain(g))
            gridmonths.add(self.sql, conn,
                           gridmonths.rows(acc, self.tree.chain, nodes=[x for x in was if x not in now], sign=-1)
                           + gridmonths.rows(acc, self.tree.chain, nodes=[x for x in now if x not in was]),
                           drop_zero=True)

    def rebuild_rollups(self, conn: Connection) -> None:
        """Every rollup from the incidents table in this store's calendar; records the calendar in `rollup_tz`."""
        self.tree.refresh(conn)
        conn.execute(delete(ROLLUPS))
        conn.execute(delete(GRID_MONTHS))
        cols = [INCIDENTS.c[c] for c in rollup.CONTRIB_COLUMNS]
        acc = rollup.Deltas(self.calendar)
        for n, row in enumerate(conn.execute(select(*cols).order_by(INCIDENTS.c.reported_at)), start=1):
            acc.add(row)
            if n % 50_000 == 0:
                self.add_rollups(conn, acc.rows(self.tree.chain))
                gridmonths.add(self.sql, conn, gridmonths.rows(acc, self.tree.chain))
                acc = rollup.Deltas(self.calendar)
        self.add_rollups(conn, acc.rows(self.tree.chain))
        gridmonths.add(self.sql, conn, gridmonths.rows(acc, self.tree.chain))
        ins = self.sql.insert(SETTINGS).values(key="rollup_tz", value=self.calendar.basis)
        conn.execute(ins.on_conflict_do_update(index_elements=["key"], set_={"value": ins.excluded.value}))

    def remove_drill_rollups(self, conn: Connection, drill_id: str) -> None:
        """Subtract a drill's incidents from the rollups (before its rows are deleted)."""
        acc = rollup.Deltas(self.calendar)
        cols = [INCIDENTS.c[c] for c in rollup.CONTRIB_COLUMNS]
        for row in conn.execute(select(*cols).where(INCIDENTS.c.drill_id == drill_id)):
            acc.add(row, -1)
        self.add_rollups(conn, acc.rows(self.tree.chain))
        gridmonths.add(self.sql, conn, gridmonths.rows(acc, self.tree.chain))

    def cursor(self, conn: Connection, feed: str, cursor: str, now: datetime) -> None:
        """Save a feed's cursor."""
        ins = self.sql.insert(CURSORS).values(feed=feed, cursor=cursor, updated_at=now)
        conn.execute(ins.on_conflict_do_update(
            index_elements=["feed"], set_={"cursor": ins.excluded.cursor, "updated_at": ins.excluded.updated_at}))

    def sensors(self, conn: Connection, feed: str, devices: Sequence[Sensor],
                readings: Sequence[SensorReading]) -> list[Sensor]:
        """City sensors' newer versions and their readings (store/sensors.py); the devices that changed."""
        return store_sensors.write(conn, feed, devices, readings)
