"""feed_status and recorders: what the recorder process says about itself and its feeds (migration 0010).

The active recorder writes every feed's health about once a second in one short transaction; every recorder
(active or standing by) writes its heartbeat. Walls and consoles read both (`Store.feed_status`, `Store.recorders`).
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Connection, delete, select

from ..domain import FeedHealth, FeedState
from ..domain.recorder import FeedStatus, RecorderRole, RecorderStatus
from .dialect import Dialect
from .encoding import utc
from .schema import T

FEED_STATUS, RECORDERS = T["feed_status"], T["recorders"]


def write_feeds(conn: Connection, sql: Dialect, reports: Sequence[FeedHealth], recorder: RecorderStatus) -> None:
    """Upsert one row per feed: its health now, signed with the recorder and its heartbeat time."""
    if not reports:
        return
    rows = [{"feed": h.feed, "state": h.state.value, "last_ok_at": utc(h.last_ok_at), "last_error": h.last_error,
             "last_error_at": utc(h.last_error_at), "received": h.received, "quarantined": h.quarantined,
             "lag_s": float(h.lag_s), "host": recorder.host, "pid": recorder.pid,
             "heartbeat_at": utc(recorder.heartbeat_at)} for h in reports]
    ins = sql.insert(FEED_STATUS)
    conn.execute(ins.on_conflict_do_update(index_elements=["feed"], set_={
        c: ins.excluded[c] for c in rows[0] if c != "feed"}), rows)


def write_recorder(conn: Connection, sql: Dialect, recorder: RecorderStatus) -> None:
    """Upsert the recorder's row: its role and heartbeat."""
    ins = sql.insert(RECORDERS).values(host=recorder.host, pid=recorder.pid, role=recorder.role.value,
                                       started_at=utc(recorder.started_at), heartbeat_at=utc(recorder.heartbeat_at))
    conn.execute(ins.on_conflict_do_update(index_elements=["host", "pid"], set_={
        "role": ins.excluded.role, "heartbeat_at": ins.excluded.heartbeat_at}))


def forget_recorders(conn: Connection, before: datetime) -> int:
    """Delete the rows of recorders not heard from since `before` (ended or killed long ago); how many went."""
    return int(conn.execute(delete(RECORDERS).where(RECORDERS.c.heartbeat_at < utc(before))).rowcount or 0)


def read_feeds(conn: Connection) -> list[FeedStatus]:
    rows = conn.execute(select(FEED_STATUS).order_by(FEED_STATUS.c.feed)).all()
    return [FeedStatus(
        health=FeedHealth(feed=r.feed, state=FeedState(r.state), last_ok_at=utc(r.last_ok_at),
                          last_error=r.last_error, last_error_at=utc(r.last_error_at), received=int(r.received),
                          quarantined=int(r.quarantined), lag_s=float(r.lag_s)),
        host=r.host, pid=int(r.pid), heartbeat_at=utc(r.heartbeat_at)) for r in rows]


def read_recorders(conn: Connection) -> list[RecorderStatus]:
    rows = conn.execute(select(RECORDERS).order_by(RECORDERS.c.heartbeat_at.desc())).all()
    return [RecorderStatus(host=r.host, pid=int(r.pid), role=RecorderRole(r.role), started_at=utc(r.started_at),
                           heartbeat_at=utc(r.heartbeat_at)) for r in rows]

