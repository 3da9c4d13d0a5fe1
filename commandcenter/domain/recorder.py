"""The recorder's status as walls and consoles read it from the store: which process records, and its feeds.

A recorder (`commandcenter record`) is the one process that runs the feeds into a shared store. Two may run on one
database: the active one holds the store's recorder lock and ingests, the other stands by. Each writes a heartbeat;
the active one also writes its feeds' health (`FeedStatus`) about once a second and on every change of state.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from .models import FeedHealth


class RecorderRole(StrEnum):
    """What a recorder process is doing."""

    ACTIVE = "active"        # holds the recorder lock and runs the feeds into the store
    STANDBY = "standby"      # waits for the lock, retrying every second
    STOPPED = "stopped"      # ended cleanly (SIGTERM/SIGINT); its last word


@dataclass(frozen=True, slots=True)
class RecorderStatus:
    """One recorder process: its identity, its role and when it last said so."""

    host: str
    pid: int
    role: RecorderRole
    started_at: datetime
    heartbeat_at: datetime

    @property
    def name(self) -> str:
        """`host:pid`, how logs and the status table name it."""
        return f"{self.host}:{self.pid}"


@dataclass(frozen=True, slots=True)
class FeedStatus:
    """A feed's health as the active recorder last wrote it, with who wrote it and when.

    `health.state` is the feed's state at `heartbeat_at`; a reader should treat a heartbeat older than a few seconds
    as "the recorder is gone" (`is_stale`) rather than trust the state."""

    health: FeedHealth
    host: str
    pid: int
    heartbeat_at: datetime

    def is_stale(self, now: datetime, seconds: float = 5.0) -> bool:
        """True when the recorder has not written this row for more than `seconds` (dead, blocked or fenced out)."""
        return (now - self.heartbeat_at).total_seconds() > seconds
