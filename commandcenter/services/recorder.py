"""The recorder: the feeds → the store as a service of its own (`commandcenter record`), one active per store.

    recorder = Recorder(config, store, recorder_lock(store.engine))
    await recorder.run()          # until recorder.stop(reason): SIGTERM / SIGINT in the command

It takes the store's recorder lock (store.recorder_lock) before it runs a feed: the active recorder runs the
ingest pipeline (services.ingest; feeds → store, nothing shown: `NothingShown`) from the cursors the store holds; any other stands by, retrying every
`RETRY_S`, and takes over when the lock is freed (the active one ended, was killed, or lost its database session).
On taking the lock it claims the store's writes (Store.claim_writes, the writer epoch): a recorder that lost the
lock can write nothing once its successor has claimed; it notices within `CHECK_S`, refuses its own writes, closes
its pipeline and stands by again.

Status: every recorder writes its role and heartbeat (Store.write_recorder); the active one writes its feeds'
health with it every `STATUS_S` and within `CHECK_S` of a feed's change of state (Store.write_feed_status).
On stop: the feeds are cancelled, the batch in flight is either committed (with its cursor) or never started,
the last status is written, the role becomes "stopped" and the lock is released.
"""
from __future__ import annotations

import asyncio
import logging
import os
import socket
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from ..config import Config
from ..domain import FeedHealth, KpiValue
from ..domain.recorder import RecorderRole, RecorderStatus
from ..store import Applied, FencedOut, Store
from ..store.recorder_lock import RecorderLock
from .ingest import IngestPipeline
from .live_commits import LiveCommits

log = logging.getLogger(__name__)

RETRY_S = 1.0       # a standby recorder tries the lock this often
LOST_BACKOFF_S = 2 * RETRY_S   # a recorder that lost the lock waits this long before trying it again
CHECK_S = 0.5       # the active recorder checks it still holds the lock, and its feeds' states, this often
STATUS_S = 1.0      # the active recorder writes its feeds' health this often, and on a change of state
LOCK_ANSWER_S = 2.0  # a lock check unanswered this long counts as the lock lost (a vanished network)
FORGET_AFTER = timedelta(days=7)   # recorders not heard from this long leave the store's `recorders` table

R = TypeVar("R")


class NothingShown(LiveCommits):
    """The recorder's pipeline commits and shows nothing: no live state is kept in a process without a window
    (walls read the store), and the feeds' health goes to the store (Recorder._write_status)."""

    async def show(self, applied: Applied | None, kpis: list[KpiValue]) -> None:
        return None

    def health(self, reports: list[FeedHealth], now: datetime) -> None:
        return None


def recording_pipeline(config: Config, store: Store) -> IngestPipeline:
    """The ingest pipeline of a recorder: feeds → store, nothing shown."""
    return IngestPipeline(config, store, commits=NothingShown())


class Recorder:
    """One recorder process's life: standing by, recording while it holds the lock, stopped (module docstring)."""

    def __init__(self, config: Config, store: Store, lock: RecorderLock, *,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC),
                 pipeline_factory: Callable[[Config, Store], IngestPipeline] = recording_pipeline) -> None:
        """`pipeline_factory` makes a fresh ingest pipeline each time this recorder becomes active."""
        self.config = config
        self.store = store
        self.lock = lock
        self.clock = clock
        self.host = socket.gethostname()
        self.pid = os.getpid()
        self.started_at = clock()
        self.role = RecorderRole.STANDBY
        self.pipeline: IngestPipeline | None = None
        self.batches_applied = 0      # over every active spell
        self.takeovers = 0            # how many times this recorder became active
        self._last_health: list[FeedHealth] = []
        self._pipeline_factory = pipeline_factory
        self._stop = asyncio.Event()
        self._lock_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="recorder-lock")
        self._status_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="recorder-status")

    @property
    def name(self) -> str:
        return f"{self.host}:{self.pid}"

    def status(self) -> RecorderStatus:
        return RecorderStatus(host=self.host, pid=self.pid, role=self.role, started_at=self.started_at,
                              heartbeat_at=self.clock())

    def health(self, now: datetime) -> list[FeedHealth]:
        """The feeds' health now while active; else as they were when this recorder last stopped recording."""
        pipeline = self.pipeline
        return [feed.health(now) for feed in pipeline.feeds] if pipeline is not None else list(self._last_health)

    def stop(self) -> None:
        """Ask run() to end: the pipeline closes cleanly and the lock is released."""
        self._stop.set()

    async def run(self) -> None:
        """Stand by or record until stop()."""
        said_standby = False
        try:
            while not self._stop.is_set():
                if await self._try_acquire():
                    lost = await self._record()
                    said_standby = False
                    if lost:        # a standby that was waiting takes over first: no ping-pong of the lock
                        await self._heartbeat()
                        await self._sleep(LOST_BACKOFF_S)
                    continue
                if not said_standby:
                    log.warning("recorder %s: standing by (another recorder holds the store's recorder lock); "
                                "retrying every %g s", self.name, RETRY_S)
                    said_standby = True
                self.role = RecorderRole.STANDBY
                await self._heartbeat()
                await self._sleep(RETRY_S)
        finally:
            self.role = RecorderRole.STOPPED
            await self._heartbeat()
            await self._on(self._lock_thread, self.lock.release)
            self._lock_thread.shutdown(wait=True)
            self._status_thread.shutdown(wait=True)

    async def _record(self) -> bool:
        """Active: run the pipeline from the stored cursors until stopped or the lock is lost (returns True)."""
        self.role = RecorderRole.ACTIVE
        self.takeovers += 1
        log.warning("recorder %s: active (holds the store's recorder lock); the feeds resume from their cursors",
                    self.name)
        pipeline = self._pipeline_factory(self.config, self.store)
        self.pipeline = pipeline
        lost = False
        try:
            await pipeline.in_store(self.store.claim_writes)   # after a previous holder's last write
            await pipeline.in_store(self.store.prepare_writes)
            await pipeline.in_store(self.store.forget_recorders, self.clock() - FORGET_AFTER)
            await pipeline.start()
            next_status = 0.0
            loop = asyncio.get_running_loop()
            while not self._stop.is_set():
                if not await self._still_held():
                    lost = True
                    break
                if loop.time() >= next_status or self._state_changed(pipeline):
                    next_status = loop.time() + STATUS_S
                    if not await self._write_status(pipeline):
                        lost = True
                        break
                await self._sleep(CHECK_S)
        except FencedOut:
            lost = True
        finally:
            if lost:
                self.store.refuse_writes()      # nothing more from this one, even before a successor claims
            await pipeline.close()
            self.batches_applied += pipeline.batches_applied
            if not lost:
                await self._write_status(pipeline)    # the last word of each feed, as it stopped
            self.pipeline = None
        if lost:
            self.role = RecorderRole.STANDBY
            log.error("recorder %s: lost the store's recorder lock; stopped writing and standing by", self.name)
            await self._on(self._lock_thread, self.lock.release)
        return lost

    async def _try_acquire(self) -> bool:
        try:
            return bool(await self._on(self._lock_thread, self.lock.try_acquire))
        except Exception:  # noqa: BLE001 - the database may be down: stand by and try again
            log.exception("recorder %s: trying the store's recorder lock failed", self.name)
            return False

    async def _still_held(self) -> bool:
        try:
            return bool(await asyncio.wait_for(self._on(self._lock_thread, self.lock.held), LOCK_ANSWER_S))
        except TimeoutError:
            log.error("recorder %s: the lock's session did not answer within %g s", self.name, LOCK_ANSWER_S)
            return False

    def _state_changed(self, pipeline: IngestPipeline) -> bool:
        """A feed's state differs from the one last written (it is written at once, not at the next second)."""
        now = self.clock()
        written = {h.feed: h.state for h in self._last_health}
        return any(written.get(feed.name) != feed.health(now).state for feed in pipeline.feeds)

    async def _write_status(self, pipeline: IngestPipeline) -> bool:
        """Every feed's health and the heartbeat; False when the store refused it for want of the lock."""
        now = self.clock()
        reports = self._last_health = [feed.health(now) for feed in pipeline.feeds]
        status = self.status()
        try:
            await self._on(self._status_thread, self.store.write_feed_status, reports, status)
        except FencedOut:
            return False
        except Exception:  # noqa: BLE001 - a status write must not end the recorder; the next one retries
            log.exception("recorder %s: writing the feeds' status failed", self.name)
        return True

    async def _heartbeat(self) -> None:
        try:
            await self._on(self._status_thread, self.store.write_recorder, self.status())
        except Exception:  # noqa: BLE001 - the store may be down; the recorder keeps trying the lock
            log.exception("recorder %s: writing its heartbeat failed", self.name)

    async def _sleep(self, seconds: float) -> None:
        try:
            await asyncio.wait_for(self._stop.wait(), seconds)
        except TimeoutError:
            pass

    @staticmethod
    async def _on(executor: ThreadPoolExecutor, fn: Callable[..., R], *args: Any) -> R:
        return await asyncio.get_running_loop().run_in_executor(executor, lambda: fn(*args))
