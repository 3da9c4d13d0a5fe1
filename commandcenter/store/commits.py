"""The commit log: a position for every committed transaction a wall shows, announced to the walls that follow.

Every writer holds the store's write lock for its whole transaction (Store._write), so positions (commit_log ids)
are taken and become visible in commit order. PostgreSQL: the writing transaction also sends NOTIFY on `CHANNEL`
with the position as payload (delivered at commit, never for a rolled-back one). SQLite sends nothing: a follower
on the same machine watches `PRAGMA data_version` on its own connection (services.follower).

A follower reads what came after its position (`read_after`): the records from the record log, the territory when
it moved, the devices that changed, the operator actions, the drills started or stopped. Retention removes old
rows and remembers the highest position it removed (`PRUNED_KEY`): a follower behind it must reload.
"""
from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Connection, delete, func, insert, select

from ..domain import OperatorAction, TerritoryNode
from ..domain.sensors import Sensor
from . import sensors as store_sensors
from .dialect import Dialect
from .encoding import utc
from .schema import T

CHANNEL = "commandcenter_commits"
PRUNED_KEY = "commit_log_pruned"      # store_meta: the highest position retention removed
COMMITS, RECORD_LOG, META = T["commit_log"], T["record_log"], T["store_meta"]

ActionReader = Callable[[Connection, list[int]], list[OperatorAction]]      # operator actions by id
TerritoryReader = Callable[[Connection], list[TerritoryNode]]


@dataclass(frozen=True, slots=True)
class Announced:
    """What one transaction changed that a wall shows."""

    log_after: int | None = None        # its records are record_log ids after this one, up to the log's head now
    territory: bool = False
    sensors: Sequence[str] = ()
    action_id: int | None = None
    drill_id: str | None = None


def log_head(conn: Connection, sql: Dialect) -> int:
    """The record log's highest id (0 when empty): taken before and after a transaction's records."""
    return int(sql.fetch_all(conn, "SELECT max(id) FROM record_log", ())[0][0] or 0)


def announce(conn: Connection, sql: Dialect, now: datetime, what: Announced) -> int:
    """Inside the writing transaction: the commit's row, and (PostgreSQL) its NOTIFY, in one driver statement
    (Core's compile and result processing cost more than the write: it runs with every ingest transaction).
    Returns the position."""
    p = sql.param
    log_to = "(SELECT max(id) FROM record_log)" if what.log_after is not None else "NULL"
    insert = (f"INSERT INTO commit_log (committed_at, log_after, log_to, territory, sensors, action_id, drill_id) "
              f"VALUES ({p}, {p}, {log_to}, {p}, {p}, {p}, {p}) RETURNING id")
    if not sql.sqlite:
        insert = f"WITH c AS ({insert}) SELECT id, pg_notify('{CHANNEL}', id::text) FROM c"
    row = sql.fetch_all(conn, insert, (
        sql.time_value(now), what.log_after, sql.flag[bool(what.territory)],
        json.dumps(list(what.sensors)) if what.sensors else "", what.action_id, what.drill_id))
    return int(row[0][0])


@dataclass(frozen=True, slots=True)
class StoredCommit:
    """One committed transaction as a follower reads it; records still encoded ((kind, JSON) in log order)."""

    position: int
    committed_at: datetime
    records: list[tuple[str, str]] = field(default_factory=list)
    territory: bool = False
    sensors: list[Sensor] = field(default_factory=list)
    actions: list[OperatorAction] = field(default_factory=list)
    drill_id: str | None = None


@dataclass(frozen=True, slots=True)
class CommitsAfter:
    """What came after a position: `behind` when retention removed part of it (the follower must reload)."""

    commits: list[StoredCommit]
    territory: list[TerritoryNode] | None = None      # the whole territory, when one of the commits moved it
    behind: bool = False


def position(conn: Connection) -> int:
    """The newest position (0 when nothing was announced yet; retention may have emptied the log)."""
    return max(int(conn.execute(select(func.max(COMMITS.c.id))).scalar() or 0), pruned_position(conn))


def pruned_position(conn: Connection) -> int:
    return int(conn.execute(select(META.c.value).where(META.c.key == PRUNED_KEY)).scalar() or 0)


def read_after(conn: Connection, after: int, limit: int, read_actions: ActionReader,
               read_territory: TerritoryReader) -> CommitsAfter:
    """Up to `limit` commits after position `after`, oldest first, with what each wrote."""
    if after < pruned_position(conn):
        return CommitsAfter([], behind=True)
    rows = conn.execute(select(COMMITS).where(COMMITS.c.id > after).order_by(COMMITS.c.id).limit(limit)).all()
    if not rows:
        return CommitsAfter([])
    ranges = [(r.log_after, r.log_to) for r in rows if r.log_to is not None and r.log_after is not None]
    logged: list[tuple[int, str, str]] = []
    if ranges:
        lo, hi = min(a for a, _ in ranges), max(b for _, b in ranges)
        logged = [(int(i), k, d) for i, k, d in conn.execute(
            select(RECORD_LOG.c.id, RECORD_LOG.c.kind, RECORD_LOG.c.data)
            .where(RECORD_LOG.c.id > lo, RECORD_LOG.c.id <= hi).order_by(RECORD_LOG.c.id))]
    action_ids = [int(r.action_id) for r in rows if r.action_id is not None]
    actions = {a.id: a for a in read_actions(conn, action_ids)} if action_ids else {}
    device_ids = sorted({s for r in rows if r.sensors for s in json.loads(r.sensors)})
    devices = {s.id: s for s in store_sensors.sensors(conn, device_ids)} if device_ids else {}
    commits, i = [], 0
    for r in rows:
        records: list[tuple[str, str]] = []
        if r.log_to is not None and r.log_after is not None:
            while i < len(logged) and logged[i][0] <= r.log_after:
                i += 1
            while i < len(logged) and logged[i][0] <= r.log_to:
                records.append((logged[i][1], logged[i][2]))
                i += 1
        found = actions.get(int(r.action_id)) if r.action_id is not None else None
        commits.append(StoredCommit(
            position=int(r.id), committed_at=utc(r.committed_at), records=records, territory=bool(r.territory),
            sensors=[devices[s] for s in (json.loads(r.sensors) if r.sensors else []) if s in devices],
            actions=[found] if found is not None else [], drill_id=r.drill_id))
    moved = any(c.territory for c in commits)
    return CommitsAfter(commits, territory=read_territory(conn) if moved else None)


def prune(conn: Connection, cutoff: datetime, chunk: int) -> int:
    """Commits older than `cutoff`, at most `chunk` of them (one short transaction): removed, the highest removed
    position remembered. Returns how many rows went."""
    ids = [int(i) for (i,) in conn.execute(
        select(COMMITS.c.id).where(COMMITS.c.committed_at < cutoff).order_by(COMMITS.c.id).limit(chunk))]
    if not ids:
        return 0
    conn.execute(delete(COMMITS).where(COMMITS.c.id <= ids[-1], COMMITS.c.id >= ids[0]))
    top = max(ids[-1], pruned_position(conn))
    updated = conn.execute(META.update().where(META.c.key == PRUNED_KEY).values(value=top)).rowcount
    if not updated:
        conn.execute(insert(META).values(key=PRUNED_KEY, value=top))
    return len(ids)

