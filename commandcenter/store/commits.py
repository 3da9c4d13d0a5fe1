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
from typing import NamedTuple

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


class _Head(NamedTuple):
    """One commit_log row as read, with the records of its range."""

    position: int
    committed_at: datetime
    territory: bool
    sensors: str
    action_id: int | None
    drill_id: str | None
    records: list[tuple[str, str]]


#: PostgreSQL: the retention mark, the commits after a position and each one's records in one statement (one
#: snapshot, one round trip; psycopg prepares it on the server once a held connection has run it a few times).
#: Always one row at least (the mark's), so a follower behind retention is told even when nothing came after.
_PG_READ_AFTER = (
    "SELECT p.pruned, c.id, c.committed_at, c.territory, c.sensors, c.action_id, c.drill_id, r.kind, r.data"
    " FROM (SELECT coalesce((SELECT value FROM store_meta WHERE key = %s), 0) AS pruned) p"
    " LEFT JOIN LATERAL (SELECT * FROM commit_log WHERE id > %s AND %s >= p.pruned ORDER BY id LIMIT %s) c ON true"
    " LEFT JOIN LATERAL (SELECT id, kind, data FROM record_log"
    "                    WHERE id > c.log_after AND id <= c.log_to) r ON true"
    " ORDER BY c.id, r.id")


def read_after(conn: Connection, sql: Dialect, after: int, limit: int, read_actions: ActionReader,
               read_territory: TerritoryReader) -> CommitsAfter:
    """Up to `limit` commits after position `after`, oldest first, with what each wrote."""
    heads = _read_heads_pg(conn, sql, after, limit) if not sql.sqlite else _read_heads(conn, after, limit)
    if heads is None:
        return CommitsAfter([], behind=True)
    if not heads:
        return CommitsAfter([])
    action_ids = [h.action_id for h in heads if h.action_id is not None]
    actions = {a.id: a for a in read_actions(conn, action_ids)} if action_ids else {}
    device_ids = sorted({s for h in heads if h.sensors for s in json.loads(h.sensors)})
    devices = {s.id: s for s in store_sensors.sensors(conn, device_ids)} if device_ids else {}
    commits = []
    for h in heads:
        found = actions.get(h.action_id) if h.action_id is not None else None
        commits.append(StoredCommit(
            position=h.position, committed_at=h.committed_at, records=h.records, territory=h.territory,
            sensors=[devices[s] for s in (json.loads(h.sensors) if h.sensors else []) if s in devices],
            actions=[found] if found is not None else [], drill_id=h.drill_id))
    moved = any(c.territory for c in commits)
    return CommitsAfter(commits, territory=read_territory(conn) if moved else None)


def _read_heads_pg(conn: Connection, sql: Dialect, after: int, limit: int) -> list[_Head] | None:
    """PostgreSQL: the commits after `after` with their records (one statement, rows as the driver returns them);
    None when retention removed part of what came after it."""
    rows = sql.fetch_all(conn, _PG_READ_AFTER, (PRUNED_KEY, after, after, limit))
    if after < int(rows[0][0]):
        return None
    heads: list[_Head] = []
    for _, pos, at, moved, sensors, action_id, drill_id, kind, data in rows:
        if pos is None:
            break                                   # nothing after `after`: the mark's row alone
        if not heads or heads[-1].position != pos:
            heads.append(_Head(int(pos), utc(at), bool(moved), sensors or "",
                               int(action_id) if action_id is not None else None, drill_id, []))
        if kind is not None:
            heads[-1].records.append((kind, data))
    return heads


def _read_heads(conn: Connection, after: int, limit: int) -> list[_Head] | None:
    """SQLite: the retention mark, the commit rows, then the record log's range of them (one read transaction)."""
    if after < pruned_position(conn):
        return None
    rows = conn.execute(select(COMMITS).where(COMMITS.c.id > after).order_by(COMMITS.c.id).limit(limit)).all()
    if not rows:
        return []
    ranges = [(r.log_after, r.log_to) for r in rows if r.log_to is not None and r.log_after is not None]
    logged: list[tuple[int, str, str]] = []
    if ranges:
        lo, hi = min(a for a, _ in ranges), max(b for _, b in ranges)
        logged = [(int(i), k, d) for i, k, d in conn.execute(
            select(RECORD_LOG.c.id, RECORD_LOG.c.kind, RECORD_LOG.c.data)
            .where(RECORD_LOG.c.id > lo, RECORD_LOG.c.id <= hi).order_by(RECORD_LOG.c.id))]
    heads, i = [], 0
    for r in rows:
        records: list[tuple[str, str]] = []
        if r.log_to is not None and r.log_after is not None:
            while i < len(logged) and logged[i][0] <= r.log_after:
                i += 1
            while i < len(logged) and logged[i][0] <= r.log_to:
                records.append((logged[i][1], logged[i][2]))
                i += 1
        heads.append(_Head(int(r.id), utc(r.committed_at), bool(r.territory), r.sensors or "",
                           int(r.action_id) if r.action_id is not None else None, r.drill_id, records))
    return heads


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

