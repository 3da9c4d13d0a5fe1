"""The store's tables (SQLAlchemy 2 typed ORM declarations; the hot paths use their Core tables).

Conventions
- Every time column is a timezone-aware UTC datetime (`UtcDateTime`): SQLite keeps naive UTC text,
  PostgreSQL keeps `timestamptz`; both come back aware UTC.
- Rows made by a drill carry its `drill_id`; real KPIs never read them (the rollups keep a `drill` flag).
- `data` columns hold the full record as JSON text (commandcenter.domain.codec), beside the indexed columns.
- Changing this file means adding an Alembic migration in `migrations/versions/`.
"""
from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from ..domain import Category
from ..domain import kpis as DK

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UtcDateTime(TypeDecorator[datetime]):
    """Aware UTC in and out, whatever the engine."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


# BigInteger autoincrement primary keys must be INTEGER on SQLite to alias the rowid.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class TerritoryRow(Base):
    __tablename__ = "territory"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    level: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200))
    parent_id: Mapped[str | None] = mapped_column(String(64), index=True)
    households: Mapped[int] = mapped_column(Integer, default=0)
    grid_worker: Mapped[str] = mapped_column(String(100), default="")
    grid_head: Mapped[str] = mapped_column(String(100), default="")
    polygon: Mapped[str] = mapped_column(Text, default="[]")   # JSON [[lon, lat], ...]
    min_lon: Mapped[float | None] = mapped_column(Float)       # bounding box of the polygon
    min_lat: Mapped[float | None] = mapped_column(Float)
    max_lon: Mapped[float | None] = mapped_column(Float)
    max_lat: Mapped[float | None] = mapped_column(Float)


class IncidentRow(Base):
    __tablename__ = "incidents"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger)
    feed: Mapped[str] = mapped_column(String(64), default="")
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    reported_at: Mapped[datetime] = mapped_column(UtcDateTime)
    status: Mapped[str] = mapped_column(String(16))
    is_open: Mapped[bool] = mapped_column(Boolean)
    category: Mapped[str] = mapped_column(String(32))
    severity: Mapped[int] = mapped_column(Integer)
    grid_id: Mapped[str] = mapped_column(String(64))
    emergency: Mapped[bool] = mapped_column(Boolean, default=False)
    title: Mapped[str] = mapped_column(Text, default="")
    accepted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    arrived_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    assessed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    resolution_level: Mapped[str | None] = mapped_column(String(16))
    on_the_spot: Mapped[bool] = mapped_column(Boolean, default=False)
    satisfaction: Mapped[int | None] = mapped_column(Integer)
    timeline_len: Mapped[int] = mapped_column(Integer, default=0)
    drill_id: Mapped[str | None] = mapped_column(String(64))
    data: Mapped[str] = mapped_column(Text)   # the record without its timeline, JSON
    # what domain.kpis counts besides the columns above (migration 0007)
    source: Mapped[str | None] = mapped_column(String(32))
    dispatched_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    departments_n: Mapped[int | None] = mapped_column(Integer)
    # Every index here is rewritten by every new incident, and those naming updated_at by every new version: keep
    # only what a read uses (EXPLAIN QUERY PLAN checks in tests/store/test_query_plans.py). The newest incidents
    # of all come from (is_open, updated_at) as two ranges merged (Store.incidents), not from an index of their
    # own; nothing reads by closed_at (migration 0005 dropped both).
    __table_args__ = (
        Index("ix_incidents_open_updated", "is_open", "updated_at"),
        Index("ix_incidents_grid_reported", "grid_id", "reported_at"),   # a grid's KPIs at the edges of a window
        Index("ix_incidents_reported", "reported_at"),
        # drill rows are few: a partial index (drill_id = X implies NOT NULL, so lookups still use it)
        Index("ix_incidents_drill", "drill_id", sqlite_where=text("drill_id IS NOT NULL"),
              postgresql_where=text("drill_id IS NOT NULL")),
    )


class IncidentStatusRow(Base):
    """The status timeline: one row per StatusChange, appended, never rewritten.

    Keyed by (incident_id, seq), WITHOUT ROWID on SQLite: the rows live in their key's B-tree, so there is no
    separate rowid table plus unique index (about a third of the bytes of a 10-million-incident history)."""

    __tablename__ = "incident_status"
    __table_args__ = {"sqlite_with_rowid": False}
    incident_id: Mapped[str] = mapped_column(String(64), ForeignKey("incidents.id", ondelete="CASCADE"),
                                             primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    status: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    handler: Mapped[str] = mapped_column(String(100), default="")
    department: Mapped[str] = mapped_column(String(100), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    drill_id: Mapped[str | None] = mapped_column(String(64))


class ResourceRow(Base):
    __tablename__ = "resources"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger)
    feed: Mapped[str] = mapped_column(String(64), default="")
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    grid_id: Mapped[str] = mapped_column(String(64), default="")
    incident_id: Mapped[str | None] = mapped_column(String(64))
    drill_id: Mapped[str | None] = mapped_column(String(64), index=True)
    data: Mapped[str] = mapped_column(Text)


class ResourceStatusRow(Base):
    """Every accepted version of a resource: status, assignment and position over time."""

    __tablename__ = "resource_status"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    resource_id: Mapped[str] = mapped_column(String(64), ForeignKey("resources.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(BigInteger)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    status: Mapped[str] = mapped_column(String(16))
    incident_id: Mapped[str | None] = mapped_column(String(64))
    lon: Mapped[float | None] = mapped_column(Float)
    lat: Mapped[float | None] = mapped_column(Float)
    quantity: Mapped[float | None] = mapped_column(Float)
    drill_id: Mapped[str | None] = mapped_column(String(64))
    __table_args__ = (Index("ix_resource_status_resource_at", "resource_id", "at"),)


class AlertRow(Base):
    __tablename__ = "alerts"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger)
    feed: Mapped[str] = mapped_column(String(64), default="")
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    issued_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    level: Mapped[int] = mapped_column(Integer)
    type: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    drill_id: Mapped[str | None] = mapped_column(String(64), index=True)
    data: Mapped[str] = mapped_column(Text)
    __table_args__ = (Index("ix_alerts_status_expires", "status", "expires_at"),)


class AlertUpdateRow(Base):
    """Every accepted version of an alert (issued, updated, cancelled, expired)."""

    __tablename__ = "alert_updates"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    alert_id: Mapped[str] = mapped_column(String(64), ForeignKey("alerts.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    status: Mapped[str] = mapped_column(String(16))
    level: Mapped[int] = mapped_column(Integer)
    drill_id: Mapped[str | None] = mapped_column(String(64))
    data: Mapped[str] = mapped_column(Text)
    __table_args__ = (Index("ix_alert_updates_alert_at", "alert_id", "updated_at"),)


class OperatorActionRow(Base):
    __tablename__ = "operator_actions"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16))
    target_kind: Mapped[str] = mapped_column(String(16))
    target_id: Mapped[str] = mapped_column(String(64))
    actor: Mapped[str] = mapped_column(String(100))
    console: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    reason: Mapped[str] = mapped_column(Text, default="")
    expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    drill_id: Mapped[str | None] = mapped_column(String(64))
    seat: Mapped[str] = mapped_column(String(100), default="")        # the console seat (席位) signed in
    recipient: Mapped[str] = mapped_column(String(100), default="")   # whom an escalation went to
    __table_args__ = (
        Index("ix_operator_actions_target", "target_kind", "target_id"),
        Index("ix_operator_actions_at", "at"),
    )


class DrillRow(Base):
    """One drill: its scenario document and its start and stop, the record every wall and console decides
    "is a drill running" from (a stop is set once: whoever records it first)."""

    __tablename__ = "drills"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    scenario: Mapped[str] = mapped_column(Text)            # the whole scenario document (JSON)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime)          # on the drill's clock
    wall_started_at: Mapped[datetime] = mapped_column(UtcDateTime)     # on the starting process's clock
    speed: Mapped[float] = mapped_column(Float, default=1.0)
    ends_at: Mapped[datetime | None] = mapped_column(UtcDateTime)      # drill clock; None = runs until stopped
    played_by: Mapped[str] = mapped_column(String(200), default="")   # the backend's URL, "" = a wall/CLI
    started_by: Mapped[str] = mapped_column(String(100), default="")
    seat: Mapped[str] = mapped_column(String(100), default="")
    reason: Mapped[str] = mapped_column(Text, default="")
    stopped_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    stop_kind: Mapped[str] = mapped_column(String(16), default="")    # stopped / scenario_end
    __table_args__ = (Index("ix_drills_stopped", "stopped_at"),)


class KpiSnapshotRow(Base):
    """KPI values frozen at a moment (end of shift, after-action report of a drill)."""

    __tablename__ = "kpi_snapshots"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    node_id: Mapped[str] = mapped_column(String(64))
    window_start: Mapped[datetime] = mapped_column(UtcDateTime)
    window_end: Mapped[datetime] = mapped_column(UtcDateTime)
    taken_at: Mapped[datetime] = mapped_column(UtcDateTime)
    include_drill: Mapped[bool] = mapped_column(Boolean, default=False)
    drill_id: Mapped[str | None] = mapped_column(String(64))
    data: Mapped[str] = mapped_column(Text)
    __table_args__ = (Index("ix_kpi_snapshots_node_taken", "node_id", "taken_at"),)


class FeedCursorRow(Base):
    __tablename__ = "feed_cursors"
    feed: Mapped[str] = mapped_column(String(64), primary_key=True)
    cursor: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class QuarantineRow(Base):
    __tablename__ = "quarantine"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    feed: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(32))
    raw: Mapped[bytes] = mapped_column(LargeBinary)
    reason: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime)
    record_id: Mapped[str | None] = mapped_column(String(64))
    #: blake2b-128 hex of kind + NUL + raw: the same bad input from one feed is kept once, across restarts too
    digest: Mapped[str | None] = mapped_column(String(32))
    __table_args__ = (Index("ix_quarantine_received", "received_at"),
                      Index("uq_quarantine_feed_digest", "feed", "digest", unique=True))


class RecordLogRow(Base):
    """Raw messages: every accepted record version as received. Pruned by retention."""

    __tablename__ = "record_log"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    feed: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    record_id: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(BigInteger)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime)
    data: Mapped[str] = mapped_column(Text)
    __table_args__ = (Index("ix_record_log_received", "received_at"),)



class FeedStatusRow(Base):
    """Each feed's health as the active recorder last wrote it (about once a second, and on every change of state)."""

    __tablename__ = "feed_status"
    feed: Mapped[str] = mapped_column(String(64), primary_key=True)
    state: Mapped[str] = mapped_column(String(16))
    last_ok_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_error: Mapped[str] = mapped_column(Text, default="")
    last_error_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    received: Mapped[int] = mapped_column(BigInteger, default=0)
    quarantined: Mapped[int] = mapped_column(BigInteger, default=0)
    lag_s: Mapped[float] = mapped_column(Float, default=0.0)
    host: Mapped[str] = mapped_column(String(255))
    pid: Mapped[int] = mapped_column(Integer)
    heartbeat_at: Mapped[datetime] = mapped_column(UtcDateTime)


class RecorderRow(Base):
    """Every recorder process that ran on this store: active, standing by, or stopped, with its last heartbeat."""

    __tablename__ = "recorders"
    host: Mapped[str] = mapped_column(String(255), primary_key=True)
    pid: Mapped[int] = mapped_column(Integer, primary_key=True)
    role: Mapped[str] = mapped_column(String(16))
    started_at: Mapped[datetime] = mapped_column(UtcDateTime)
    heartbeat_at: Mapped[datetime] = mapped_column(UtcDateTime)


class CommitLogRow(Base):
    """One row per committed transaction that changes what a wall shows, in commit order (every writer holds the
    store's write lock, so ids are taken and committed in one order): followers read what came after their
    position (services.follower). The records a transaction wrote are record_log's ids in (log_after, log_to]."""

    __tablename__ = "commit_log"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    committed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    log_after: Mapped[int | None] = mapped_column(BigInteger)        # record_log ids in (log_after, log_to]
    log_to: Mapped[int | None] = mapped_column(BigInteger)
    territory: Mapped[bool] = mapped_column(Boolean, default=False)
    sensors: Mapped[str] = mapped_column(Text, default="")          # ids of changed devices, JSON ("" = none)
    action_id: Mapped[int | None] = mapped_column(BigInteger)        # an operator action recorded
    drill_id: Mapped[str | None] = mapped_column(String(64))         # a drill started or stopped
    # SQLite AUTOINCREMENT: a position is never taken again, even after retention emptied the log
    __table_args__ = (Index("ix_commit_log_committed", "committed_at"), {"sqlite_autoincrement": True})


class MetaRow(Base):
    """Small counters shared by every process on the database (e.g. the territory revision)."""

    __tablename__ = "store_meta"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)


ROLLUP_SUMS = (
    "n", "disposed", "closed", "followed_up", "on_spot",
    "lvl_grid", "lvl_community", "lvl_street", "lvl_higher",
    "acc_n", "acc_s", "arr_n", "arr_s",
    "em_n", "em_ok", "em_resp_ok", "em_arr_ok", "em_ass_ok",
    "sat_n", "sat_sum", "sat_good",
)
#: Events per category, one column each (domain.Category order).
CATEGORY_COLUMNS = tuple(f"cat_{c.value}" for c in Category)
#: The sums of domain.kpis on its three clocks (reported, due, loop): see docs/kpis.md.
KPI_CLOCK_SUMS = DK.REPORTED_SUMS + DK.DUE_SUMS + DK.LOOP_SUMS
ROLLUP_FLOAT_SUMS = ("acc_s", "arr_s", *DK.FLOAT_SUMS)
ROLLUP_COLUMNS = ROLLUP_SUMS + CATEGORY_COLUMNS + KPI_CLOCK_SUMS


class KpiRollupRow(Base):
    """Incremental KPI sums per territory node (and every ancestor; "" = everything) × time bucket.

    Grid nodes have month rows only (their hours and days come from the incidents table: see rollup.Deltas).
    grain 0 = hour (UTC hours since the epoch), 1 = day (local days since 1970-01-01 in the store's calendar,
    default Asia/Shanghai), 2 = month (local year*12 + month-1). Incidents count in the bucket of their
    `reported_at`; a new version moves its contribution (old subtracted, new added) in the same transaction as
    the upsert. Categories are columns (`cat_*` = events of that category), not part of the key.
    """

    __tablename__ = "kpi_rollup"
    __table_args__ = {"sqlite_with_rowid": False}
    node_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    grain: Mapped[int] = mapped_column(Integer, primary_key=True)
    bucket: Mapped[int] = mapped_column(Integer, primary_key=True)
    drill: Mapped[int] = mapped_column(Integer, primary_key=True)
    n: Mapped[int] = mapped_column(BigInteger, default=0)
    disposed: Mapped[int] = mapped_column(BigInteger, default=0)
    closed: Mapped[int] = mapped_column(BigInteger, default=0)
    followed_up: Mapped[int] = mapped_column(BigInteger, default=0)
    on_spot: Mapped[int] = mapped_column(BigInteger, default=0)
    lvl_grid: Mapped[int] = mapped_column(BigInteger, default=0)
    lvl_community: Mapped[int] = mapped_column(BigInteger, default=0)
    lvl_street: Mapped[int] = mapped_column(BigInteger, default=0)
    lvl_higher: Mapped[int] = mapped_column(BigInteger, default=0)
    acc_n: Mapped[int] = mapped_column(BigInteger, default=0)
    acc_s: Mapped[float] = mapped_column(Float, default=0.0)
    arr_n: Mapped[int] = mapped_column(BigInteger, default=0)
    arr_s: Mapped[float] = mapped_column(Float, default=0.0)
    em_n: Mapped[int] = mapped_column(BigInteger, default=0)
    em_ok: Mapped[int] = mapped_column(BigInteger, default=0)
    em_resp_ok: Mapped[int] = mapped_column(BigInteger, default=0)
    em_arr_ok: Mapped[int] = mapped_column(BigInteger, default=0)
    em_ass_ok: Mapped[int] = mapped_column(BigInteger, default=0)
    sat_n: Mapped[int] = mapped_column(BigInteger, default=0)
    sat_sum: Mapped[int] = mapped_column(BigInteger, default=0)
    sat_good: Mapped[int] = mapped_column(BigInteger, default=0)
    cat_dispute: Mapped[int] = mapped_column(BigInteger, default=0)
    cat_safety_hazard: Mapped[int] = mapped_column(BigInteger, default=0)
    cat_utilities: Mapped[int] = mapped_column(BigInteger, default=0)
    cat_sanitation: Mapped[int] = mapped_column(BigInteger, default=0)
    cat_fire: Mapped[int] = mapped_column(BigInteger, default=0)
    cat_flood: Mapped[int] = mapped_column(BigInteger, default=0)
    cat_forest_fire: Mapped[int] = mapped_column(BigInteger, default=0)
    cat_fishing_vessel: Mapped[int] = mapped_column(BigInteger, default=0)
    cat_public_security: Mapped[int] = mapped_column(BigInteger, default=0)
    cat_petition: Mapped[int] = mapped_column(BigInteger, default=0)
    cat_elderly_children: Mapped[int] = mapped_column(BigInteger, default=0)
    cat_other: Mapped[int] = mapped_column(BigInteger, default=0)
    # domain.kpis' sums on the reported, due and loop clocks (migration 0007)
    p110_n: Mapped[int] = mapped_column(BigInteger, default=0)
    p110_acc_n: Mapped[int] = mapped_column(BigInteger, default=0)
    p110_acc_s: Mapped[float] = mapped_column(Float, default=0.0)
    p110_arr_n: Mapped[int] = mapped_column(BigInteger, default=0)
    p110_arr_s: Mapped[float] = mapped_column(Float, default=0.0)
    h12345_n: Mapped[int] = mapped_column(BigInteger, default=0)
    hand_n: Mapped[int] = mapped_column(BigInteger, default=0)
    hand_s: Mapped[float] = mapped_column(Float, default=0.0)
    whistle_n: Mapped[int] = mapped_column(BigInteger, default=0)
    whistle_arr_n: Mapped[int] = mapped_column(BigInteger, default=0)
    whistle_arr_s: Mapped[float] = mapped_column(Float, default=0.0)
    em_dec: Mapped[int] = mapped_column(BigInteger, default=0)
    due_n: Mapped[int] = mapped_column(BigInteger, default=0)
    due_closed: Mapped[int] = mapped_column(BigInteger, default=0)
    due_on_time: Mapped[int] = mapped_column(BigInteger, default=0)
    due_disposed: Mapped[int] = mapped_column(BigInteger, default=0)
    due_close_s: Mapped[float] = mapped_column(Float, default=0.0)
    disp_closed: Mapped[int] = mapped_column(BigInteger, default=0)
    disp_on_spot: Mapped[int] = mapped_column(BigInteger, default=0)
    disp_lvl: Mapped[int] = mapped_column(BigInteger, default=0)
    disp_base: Mapped[int] = mapped_column(BigInteger, default=0)
    loop_n: Mapped[int] = mapped_column(BigInteger, default=0)
    loop_followed: Mapped[int] = mapped_column(BigInteger, default=0)


class KpiGridMonthRow(Base):
    """Events per grid per local month, kept under the grid's parent and grandparent (a community and a street).

    Why: a street's events per grid over a year or the whole history read its ~150 grids' month rows of
    kpi_rollup, 37 columns wide (≈ 3 pages per grid for 11 years: ≈ 480 random pages cold). Here the same counts
    are ≈ 30-byte rows clustered by (holder, month): a street's whole history is ≈ 150 contiguous pages, a year a
    dozen. Written in the same transaction as the rollups (gridmonths.py), read by kpi.py for month ranges.
    `node_id` is the holder (parent or grandparent of `grid_id`), `bucket` the local month (rollup.GRAIN_MONTH).
    """

    __tablename__ = "kpi_grid_month"
    __table_args__ = {"sqlite_with_rowid": False}
    node_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    bucket: Mapped[int] = mapped_column(Integer, primary_key=True)
    drill: Mapped[int] = mapped_column(Integer, primary_key=True)
    grid_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    n: Mapped[int] = mapped_column(BigInteger, default=0)


class SettingRow(Base):
    """Text settings of the database, e.g. `rollup_tz`: the time zone the day/month rollups were built in."""

    __tablename__ = "store_settings"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


T = Base.metadata.tables
