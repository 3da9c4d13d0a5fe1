"""The ingest pipeline: feeds → store (committed first) → live state.

All store work runs on one worker thread so the GUI thread never waits on the disk and
writes are serialised; feeds run as asyncio tasks (under qasync in the wall, plain asyncio
in `collect`). A batch reaches the live state only after its transaction committed, so the
wall never shows what a crash would lose.
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from typing import Any

import httpx

from ..config import Config
from ..feeds import Batch, Feed, make_feed
from ..store import Store
from .live_state import LiveState

log = logging.getLogger(__name__)

HEALTH_INTERVAL_S = 1.0


class IngestPipeline:
    def __init__(
        self,
        config: Config,
        store: Store,
        live: LiveState | None = None,
        *,
        executor: ThreadPoolExecutor | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc),
    ) -> None:
        self.config = config
        self.store = store
        self.live = live if live is not None else LiveState()
        self.clock = clock
        self._executor = executor or ThreadPoolExecutor(max_workers=1, thread_name_prefix="store")
        self._owns_executor = executor is None
        self._tasks: list[asyncio.Task[Any]] = []
        self._client: httpx.AsyncClient | None = None
        self.feeds: list[Feed] = []
        self.batches_applied = 0
        self._stopped = asyncio.Event()

    async def in_store(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Run a store call on the store thread without blocking the event loop."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, lambda: fn(*args, **kwargs))

    async def load_initial_state(self, open_limit: int = 100_000) -> None:
        """What the store already holds, so a restarted wall shows its state before any feed answers."""
        territory, incidents, alerts, resources = await self.in_store(self._read_initial, open_limit)
        self.live.apply(incidents=incidents, resources=resources, alerts=alerts, territory=territory)

    def _read_initial(self, open_limit: int) -> tuple[list, list, list, list]:
        s = self.store
        incidents = s.incidents(open_only=True, limit=open_limit, drill=None)
        recent = s.incidents(open_only=False, limit=2_000, drill=None)
        return s.territory(), incidents + recent, s.alerts(live_only=True, drill=None), s.resources(drill=None)

    async def start(self) -> None:
        self._client = httpx.AsyncClient(follow_redirects=True)
        self.feeds = [make_feed(section, self._client) for section in self.config.feeds]
        for feed in self.feeds:
            cursor = await self.in_store(self.store.cursor, feed.name)
            self._tasks.append(asyncio.create_task(feed.run(self._sink, cursor), name=f"feed:{feed.name}"))
        self._tasks.append(asyncio.create_task(self._watch_health(), name="feed-health"))

    async def run(self) -> None:
        """Start, then wait until stop() (the `collect` command)."""
        await self.start()
        await self._stopped.wait()
        await self.close()

    def stop(self) -> None:
        self._stopped.set()

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()
        if self._client is not None:
            await self._client.aclose()
            self._client = None
        if self._owns_executor:
            self._executor.shutdown(wait=True)

    async def _sink(self, batch: Batch) -> None:
        applied = await self.in_store(
            self.store.apply,
            batch.feed,
            incidents=batch.incidents,
            resources=batch.resources,
            alerts=batch.alerts,
            territory=batch.territory,
            quarantined=batch.quarantined,
            cursor=batch.cursor,
        )
        self.batches_applied += 1
        self.live.apply(
            incidents=applied.incidents,
            resources=applied.resources,
            alerts=applied.alerts,
            territory=applied.territory,
        )

    async def _watch_health(self) -> None:
        while True:
            now = self.clock()
            self.live.apply(health=[feed.health(now) for feed in self.feeds])
            await asyncio.sleep(HEALTH_INTERVAL_S)
