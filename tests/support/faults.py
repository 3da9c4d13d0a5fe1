"""The fault suite's helpers: a quiet simulated city on loopback we publish into, and checks of a store file."""
from __future__ import annotations

import asyncio
import sqlite3
from dataclasses import replace
from datetime import datetime, timedelta, UTC

from commandcenter.domain import Category, Incident, Severity, Source, Status, encode


def utcnow() -> datetime:
    return datetime.now(UTC)


def incident(i: int, version: int = 1, *, prefix: str = "f", big: int = 0) -> Incident:
    now = utcnow()
    statuses = [Status.REPORTED, Status.ACCEPTED, Status.DISPATCHED, Status.HANDLING]
    return Incident(
        id=f"{prefix}-{i}", version=version, updated_at=now, reported_at=now - timedelta(minutes=i % 50),
        title=f"故障测试 {i} v{version}", category=list(Category)[i % 12], source=Source.GRID_APP,
        severity=Severity(1 + i % 4), status=statuses[(version - 1) % 4], grid_id=f"G{i % 97:05d}",
        description="x" * big)


class City:
    """A SimServer in its own thread (random city off): tests publish records through its real log."""

    def __init__(self, **kw):
        from commandcenter.sim import run_in_thread

        self.sim = run_in_thread(profile="street", seed=3, random_city=False, min_live_rate=0.0,
                                 history_hours=0.0, heartbeat_s=0.5, retry_ms=50, **kw)
        self.server = self.sim.server
        self.url = self.sim.url
        self.latest: dict[str, int] = {}

    def publish(self, records: list[Incident]) -> None:
        def run():
            now = utcnow()
            for r in records:
                self.server.log.append("incident", r.id, encode(r), now)
                self.latest[r.id] = max(self.latest.get(r.id, 0), r.version)
            self.server._wake()

        self.sim.call(run)

    def faults(self, **values) -> None:
        self.sim.call(lambda: (self.server.faults.reset(), self.server.faults.update(values)))

    def restart(self) -> None:
        """Stop the HTTP server (connections cut) and start it again on the same port with the same log."""
        asyncio.run_coroutine_threadsafe(self.server.stop(), self.sim.loop).result(10)
        self.server.stopped = False
        asyncio.run_coroutine_threadsafe(self.server.start(), self.sim.loop).result(30)

    def stop(self) -> None:
        self.sim.stop()


def sse_config(url: str, **kw):
    from commandcenter.config import config_from_dict

    return config_from_dict({"feeds": [{"name": "city", "kind": "native", "url": url, "mode": "sse",
                                        "interval": 0.5, "timeout": 1.0, **kw}]})


def fast_feeds(pipeline) -> None:
    """Short backoff and stall detection (the defaults are minutes-scale for real backends)."""
    for feed in pipeline.feeds:
        feed.backoff_base = feed._backoff.base = 0.02
        feed.backoff_cap = feed._backoff.cap = 0.3
        if hasattr(feed, "heartbeat_s"):
            feed.heartbeat_s = 0.5


def store_versions(path) -> dict[str, int]:
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return dict(db.execute("SELECT id, version FROM incidents"))
    finally:
        db.close()


def log_duplicates(path) -> list[tuple]:
    """(record id, version) pairs the store's record log holds more than once."""
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return list(db.execute("SELECT record_id, version, COUNT(*) FROM record_log WHERE kind='incident' "
                               "GROUP BY record_id, version HAVING COUNT(*) > 1"))
    finally:
        db.close()


def bump(records: list[Incident]) -> list[Incident]:
    return [replace(r, version=r.version + 1, status=Status.HANDLING, updated_at=utcnow()) for r in records]
