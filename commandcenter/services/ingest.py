"""The ingest pipeline: feeds → store (committed first) → live state.

All store work runs on one worker thread so the GUI thread never waits on the disk and
writes are serialised; feeds run as asyncio tasks (under qasync in the wall, plain asyncio
in `collect`). A batch reaches the live state only after its transaction committed, so the
wall never shows what a crash would lose.

The event loop is the wall's GUI thread, so it only moves bytes and hands over results: feeds parse and
decode on a decode thread (`FeedBase.decode_executor`), the store commits on its own, and a big committed
batch enters the live state in time-boxed slices (`APPLY_SLICE_S`), yielding to the event loop between
them, so a 10,000-record burst cannot freeze the wall. Those slices run while the feed's next batch is
already in its transaction (the sink returns once the store committed); the next sink waits for them
before its own records enter the live state, so committed batches are shown in commit order. A batch with nothing for the store (a poll cycle
that brought only the source's KPIs) makes no store transaction; its KPIs still reach the live state.
"""
from __future__ import annotations

import asyncio
import gc
import logging
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from typing import Any

import httpx

from ..config import Config
from ..feeds import Batch, Feed, FeedBase, StageTrace, make_feed
from ..store import Store
from .live_state import LiveState

log = logging.getLogger(__name__)

HEALTH_INTERVAL_S = 1.0
APPLY_SLICE_S = 0.008        # longest the live-state update of one batch holds the event loop at a time
APPLY_FIRST_CHUNK = 256      # records in the first slice; later slices are sized from the measured rate


class LoopThreadGc:
    """While pipelines run, Python's cyclic garbage collector runs on the event loop's thread only.

    Decoding on a worker thread allocates a lot, so an automatic collection would mostly start there; under
    Qt it would destroy Qt objects caught in cycles off their thread ("QObject::~QObject: Timers cannot be
    stopped from another thread", then a crash when such a timer fires). So automatic collection is off while
    any pipeline runs, and `collect` (every GC_INTERVAL_S on the loop) does what the thresholds would have
    done. Qt-free; the wall's own GuiThreadGc does the same and stays.

    What exists when the first pipeline starts (modules, classes, the built wall, the initial state: ≈150k
    objects) is frozen (`gc.freeze`, no collection first: that would hold the wall's first frame 0.3 s): a
    full collection then walks only what came after. Unfrozen, every tenth generation-1 collection was a full
    one of the whole heap, 190-400 ms with the GUI thread held (measured in the latency bench at load 4-8),
    which alone broke the 100 ms p99. The frozen set never grows (only the start freezes), so cyclic garbage
    among those objects, kept until the last pipeline stops (then unfrozen and collected), is bounded by the
    startup heap; objects without cycles are freed by their reference counts as ever."""

    users = 0
    was_enabled = False

    @classmethod
    def acquire(cls) -> None:
        if cls.users == 0:
            cls.was_enabled = gc.isenabled()
            gc.disable()
            gc.freeze()
        cls.users += 1

    @classmethod
    def release(cls) -> None:
        cls.users = max(0, cls.users - 1)
        if cls.users == 0:
            gc.unfreeze()
            if cls.was_enabled:
                gc.collect()
                gc.enable()

    @staticmethod
    def collect() -> None:
        c0, c1, c2 = gc.get_count()
        t0, t1, t2 = gc.get_threshold()
        if c0 > t0:
            gc.collect(2 if c2 > t2 else 1 if c1 > t1 else 0)


GC_INTERVAL_S = 0.5


class ShortGilSlices:
    """While pipelines run, a thread waiting for the GIL gets it after SWITCH_INTERVAL_S, not Python's 5 ms.

    The store and decode threads release the GIL around every SQLite call and socket read and must take it back
    after each; the event loop's thread (the wall's GUI thread: painting, Python cells) holds it for long
    stretches, so with the default 5 ms interval every statement of a transaction waited up to 5 ms for its turn
    (the convoy effect). Measured with the latency bench at 200 events/s on the 4K wall (load ≈8): the store
    transaction p50 72 → 21 ms, the loop taking a committed batch back p50 141 → 0.8 ms, publish → pixel p50
    890 → 300 ms. Process-wide, so set while any pipeline runs and restored after the last one stops."""

    users = 0
    saved = 0.0

    @classmethod
    def acquire(cls) -> None:
        if cls.users == 0:
            cls.saved = sys.getswitchinterval()
            sys.setswitchinterval(min(cls.saved, SWITCH_INTERVAL_S))
        cls.users += 1

    @classmethod
    def release(cls) -> None:
        cls.users = max(0, cls.users - 1)
        if cls.users == 0 and cls.saved:
            sys.setswitchinterval(cls.saved)


SWITCH_INTERVAL_S = 0.0005


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
        self._decoder = ThreadPoolExecutor(max_workers=1, thread_name_prefix="feed-decode")
        self._committed: dict[str, str | None] = {}     # feed → cursor the store holds
        self._gc_held = False
        self._tasks: list[asyncio.Task[Any]] = []
        self._client: httpx.AsyncClient | None = None
        self.feeds: list[Feed] = []
        self.batches_applied = 0
        self._live_tail: asyncio.Future[None] | None = None   # a big committed batch entering the live state
        #: Per-stage stamps of chosen records (the latency bench sets one before `start`); None: no tracing work.
        self.trace: StageTrace | None = None
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
        LoopThreadGc.acquire()
        ShortGilSlices.acquire()
        self._gc_held = True
        self._tasks.append(asyncio.create_task(self._collect_garbage(), name="loop-gc"))
        self._client = httpx.AsyncClient(follow_redirects=True)
        self.feeds = [make_feed(section, self._client) for section in self.config.feeds]
        for feed in self.feeds:
            if isinstance(feed, FeedBase):
                feed.decode_executor = self._decoder
                feed.trace = self.trace
            cursor = await self.in_store(self.store.cursor, feed.name)
            self._committed[feed.name] = cursor
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
        if self._live_tail is not None:     # committed: it reaches the live state even as we stop
            await asyncio.gather(self._live_tail, return_exceptions=True)
            self._live_tail = None
        if self._client is not None:
            await self._client.aclose()
            self._client = None
        self._decoder.shutdown(wait=True)
        if self._owns_executor:
            self._executor.shutdown(wait=True)
        if self._gc_held:
            self._gc_held = False
            ShortGilSlices.release()
            LoopThreadGc.release()

    async def _collect_garbage(self) -> None:
        while True:
            await asyncio.sleep(GC_INTERVAL_S)
            LoopThreadGc.collect()

    async def _sink(self, batch: Batch) -> None:
        if batch.kpis:
            self.live.apply(kpis=batch.kpis)
        if not (batch.incidents or batch.resources or batch.alerts or batch.territory or batch.quarantined) and (
                batch.cursor is None or batch.cursor == self._committed.get(batch.feed)):
            return          # nothing the store would write: no empty transaction
        applied = await self.in_store(
            self.store.apply if self.trace is None else self._traced_apply,
            batch.feed,
            incidents=batch.incidents,
            resources=batch.resources,
            alerts=batch.alerts,
            territory=batch.territory,
            quarantined=batch.quarantined,
            cursor=batch.cursor,
        )
        self.batches_applied += 1
        if batch.cursor is not None:
            self._committed[batch.feed] = batch.cursor
        if self.trace is not None:
            self.trace.mark("resumed", (r.id for r in applied.incidents))
        previous, self._live_tail = self._live_tail, None
        if previous is not None:        # committed batches reach the live state in commit order
            await asyncio.shield(previous)
        if len(applied.incidents) + len(applied.resources) + len(applied.alerts) <= APPLY_FIRST_CHUNK:
            await self._apply_live(applied)
        else:   # in slices, while the feed's next batch already goes to the store
            self._live_tail = asyncio.ensure_future(self._apply_live(applied))

    async def live_settled(self) -> None:
        """Return once every committed batch is in the live state (a big one enters it in slices after the
        sink returned, while the next transaction runs)."""
        while self._live_tail is not None:
            tail = self._live_tail
            await asyncio.shield(tail)
            if self._live_tail is tail:
                self._live_tail = None

    def _traced_apply(self, feed: str, **kw: Any) -> Any:
        """Store.apply on the store thread, stamping when the transaction began and when it committed."""
        trace = self.trace
        assert trace is not None
        incidents = kw.get("incidents") or ()
        trace.mark("store_start", (r.id for r in incidents))
        applied = self.store.apply(feed, **kw)
        trace.mark("committed", (r.id for r in applied.incidents))
        return applied

    async def _apply_live(self, applied: Any) -> None:
        """The committed records into the live state: small batches at once, big ones in slices of at most
        ~APPLY_SLICE_S (the listeners' work included), yielding to the event loop between slices."""
        live = self.live
        incidents, resources, alerts = list(applied.incidents), list(applied.resources), list(applied.alerts)
        territory = list(applied.territory)
        trace = self.trace
        if len(incidents) + len(resources) + len(alerts) <= APPLY_FIRST_CHUNK:
            live.apply(incidents=incidents, resources=resources, alerts=alerts, territory=territory)
            if trace is not None:
                trace.mark("live", (r.id for r in incidents))
            return
        live.apply(territory=territory, resources=resources, alerts=alerts)   # few: grids, teams, warnings
        chunk = APPLY_FIRST_CHUNK
        i = 0
        while i < len(incidents):
            t0 = time.perf_counter()
            live.apply(incidents=incidents[i:i + chunk])
            if trace is not None:
                trace.mark("live", (r.id for r in incidents[i:i + chunk]))
            i += chunk
            spent = time.perf_counter() - t0
            chunk = max(32, min(5000, int(chunk * APPLY_SLICE_S / max(spent, 1e-4))))
            if i < len(incidents):
                await asyncio.sleep(0)

    async def _watch_health(self) -> None:
        while True:
            now = self.clock()
            self.live.apply(health=[feed.health(now) for feed in self.feeds])
            self.live.prune(now)
            await asyncio.sleep(HEALTH_INTERVAL_S)
