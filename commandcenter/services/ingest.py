"""The ingest pipeline: feeds → store (committed first) → live state.

Three threads, so a busy wall (the GUI thread painting 4K, or held by a collection or a slow frame) never holds a
record on its way in, and only showing it waits for the GUI thread:

- the **feed thread** runs the feeds on an asyncio loop of its own: reading the network, parsing and decoding,
  batching (`FeedThread`);
- the **store thread** runs every store write (`in_store`), so writes are serialised; the store's own reads
  (`STORE_READS`) go to reader threads beside it;
- the caller's loop (the wall's GUI thread under qasync, plain asyncio in `collect`) only applies committed
  batches to the live state, health and garbage collection.

Why: when the read, the decode and every hand-over between transactions went through the GUI loop, the slowest
emergencies spent most of their way waiting for that loop (traced figures in docs/benchmarks.md). Now a record
is read, decoded and committed whatever the GUI thread does.

A batch reaches the live state only after its transaction committed, so the wall never shows what a crash would
lose. The sink returns once the store committed; the batch is then shown on the caller's loop, batches in commit
order, at most `SHOW_BACKLOG` committed batches waiting to be shown (the feed waits beyond that). A big batch enters
the live state in time-boxed slices (`APPLY_SLICE_S`), yielding to the loop between them, so a 10,000-record burst
cannot freeze the wall. A batch with nothing for the store (a poll cycle that brought only the source's KPIs) makes
no store transaction; its KPIs still reach the live state.
"""
from __future__ import annotations

import asyncio
import gc
import logging
import sys
import threading
import time
from collections.abc import Callable, Coroutine
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime, UTC
from typing import Any

import httpx

from ..config import Config
from ..domain import Alert, Incident, KpiValue, Resource, TerritoryNode
from ..feeds import Batch, Feed, FeedBase, StageTrace, make_feed
from ..feeds.clock import BackendClocks
from ..feeds.transport import make_client
from ..store import Applied, Store, refuses_record
from . import isolation
from .live_state import LiveState

log = logging.getLogger(__name__)

HEALTH_INTERVAL_S = 1.0
APPLY_SLICE_S = 0.008        # longest the live-state update of one batch holds the event loop at a time
APPLY_FIRST_CHUNK = 256      # records in the first slice; later slices are sized from the measured rate
READERS = 2                  # threads for the store's reads (in_store routes STORE_READS there)
SHOW_BACKLOG = 20_000        # committed records waiting for the caller's loop before the feeds wait for it


class LoopThreadGc:
    """While pipelines run, Python's cyclic garbage collector runs on the event loop's thread only.

    Decoding on a worker thread allocates a lot, so an automatic collection would mostly start there; under
    Qt it would destroy Qt objects caught in cycles off their thread ("QObject::~QObject: Timers cannot be
    stopped from another thread", then a crash when such a timer fires). So automatic collection is off while
    any pipeline runs, and `collect` (every GC_INTERVAL_S on the loop) does what the thresholds would have
    done. Qt-free; the wall's own GuiThreadGc does the same and stays.

    What exists when the first pipeline starts (modules, classes, the built wall, the initial state) is frozen
    (`gc.freeze`, no collection first: that would hold the wall's first frame): a full collection then walks
    only what came after. Unfrozen, every tenth generation-1 collection was a full one of the whole heap with the
    GUI thread held, which alone broke the latency target (docs/benchmarks.md). The frozen set never grows (only
    the start freezes), so cyclic garbage among those objects, kept until the last pipeline stops (then unfrozen
    and collected), is bounded by the startup heap; objects without cycles are freed by their reference counts
    as ever."""

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

    The store and feed threads release the GIL around every SQLite call and socket read and must take it back
    after each; the event loop's thread (the wall's GUI thread: painting, Python cells) holds it for long
    stretches, so with the default interval every statement of a transaction waited a whole slice for its turn
    (the convoy effect; the latency bench's figures are in docs/benchmarks.md). Process-wide, so set while any
    pipeline runs and restored after the last one stops."""

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


#: Store methods that only read. `in_store` runs them on the reader threads, not the store thread: a KPI tile's
#: refresh (a cold KPI query on a big store is slow), a detail panel, a replay step or the wall's poll of
#: operator actions must not queue ahead of an ingest commit, a new record waiting behind it. The store reads
#: through a pool of connections of its own, and SQLite in WAL mode (like PostgreSQL) lets readers run beside the
#: writer, so only writes need the one thread. A read issued after a write returned sees it (it committed).
STORE_READS = frozenset({
    "cursor", "incidents", "incident", "alerts", "resources", "territory", "quarantine", "quarantine_count",
    "actions_since", "actions_for", "kpis", "state_at", "counts",
})


class FeedThread:
    """An asyncio loop on a thread of its own, where the feeds run (reading, parsing, decoding, batching).

    A plain selector loop, whatever loop the caller runs (qasync's is tied to the GUI thread). `call` runs a
    coroutine there from any other loop and returns its result; `stop` ends the loop and joins the thread."""

    def __init__(self, name: str = "feeds") -> None:
        self.loop = asyncio.SelectorEventLoop()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        try:
            self.loop.run_forever()
        finally:
            self.loop.run_until_complete(self.loop.shutdown_asyncgens())
            self.loop.close()

    async def call(self, coro: Coroutine[Any, Any, Any]) -> Any:
        """Run `coro` on the feed thread's loop; await its result from the caller's loop."""
        return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(coro, self.loop))

    def stop(self, timeout: float = 10.0) -> None:
        if self.loop.is_closed():
            return
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout)
        if self._thread.is_alive():
            log.error("feed thread did not stop within %.0f s; abandoned", timeout)


class IngestPipeline:
    def __init__(
        self,
        config: Config,
        store: Store,
        live: LiveState | None = None,
        *,
        executor: ThreadPoolExecutor | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        clocks: BackendClocks | None = None,
    ) -> None:
        """`clock`: local time, for the feeds' health. `clocks`: the backends' clocks, sampled from the feeds'
        answers (a wall passes its own, kept across pipeline restarts)."""
        self.config = config
        self.clocks = clocks if clocks is not None else BackendClocks()
        self.clocks.configure(config.feeds, config.drill.backend)
        self.store = store
        self.live = live if live is not None else LiveState()
        self.clock = clock
        self._executor = executor or ThreadPoolExecutor(max_workers=1, thread_name_prefix="store")
        self._owns_executor = executor is None
        self._readers = ThreadPoolExecutor(max_workers=READERS, thread_name_prefix="store-read")
        self._committed: dict[str, str | None] = {}     # feed → cursor the store holds
        self._gc_held = False
        self._tasks: list[asyncio.Task[Any]] = []        # on the caller's loop: garbage collection, health
        self._feed_tasks: list[asyncio.Task[Any]] = []   # on the feed thread's loop: one per feed
        self._feed_thread: FeedThread | None = None
        self._home: asyncio.AbstractEventLoop | None = None   # the caller's loop: the live state is applied there
        self._client: httpx.AsyncClient | None = None
        self.feeds: list[Feed] = []
        self.batches_applied = 0
        # committed batches the caller's loop has still to show (appended on the feed thread), and their records
        self._show_lock = threading.Lock()
        self._unshown: list[tuple[Applied | None, list[KpiValue]]] = []
        self._unshown_records = 0
        self._draining = False                 # a drain is scheduled or running on the caller's loop
        self._drain_task: asyncio.Task[None] | None = None
        self._room: Future[None] | None = None   # the feeds wait on it while the backlog is over SHOW_BACKLOG
        #: Per-stage stamps of chosen records (the latency bench sets one before `start`); None: no tracing work.
        self.trace: StageTrace | None = None
        self._stopped = asyncio.Event()

    async def in_store(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Run a store call off the event loop: the store's own reads (STORE_READS, called as `store.kpis`…)
        on a reader thread, everything else (writes, and functions doing several things with the store) on
        the store thread, which serialises them."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor_for(fn), lambda: fn(*args, **kwargs))

    def _executor_for(self, fn: Callable[..., Any]) -> ThreadPoolExecutor:
        if getattr(fn, "__self__", None) is self.store and getattr(fn, "__name__", "") in STORE_READS:
            return self._readers
        return self._executor

    async def load_initial_state(self, open_limit: int = 100_000) -> None:
        """What the store already holds, so a restarted wall shows its state before any feed answers."""
        loop = asyncio.get_running_loop()
        territory, incidents, alerts, resources = await loop.run_in_executor(
            self._readers, self._read_initial, open_limit)
        self.live.apply(incidents=incidents, resources=resources, alerts=alerts, territory=territory)

    def _read_initial(self, open_limit: int
                      ) -> tuple[list[TerritoryNode], list[Incident], list[Alert], list[Resource]]:
        s = self.store
        incidents = s.incidents(open_only=True, limit=open_limit, drill=None)
        recent = s.incidents(open_only=False, limit=2_000, drill=None)
        return s.territory(), incidents + recent, s.alerts(live_only=True, drill=None), s.resources(drill=None)

    async def start(self) -> None:
        """The feeds on the feed thread, from the cursors the store holds; health and collection on this loop."""
        LoopThreadGc.acquire()
        ShortGilSlices.acquire()
        self._gc_held = True
        self._home = asyncio.get_running_loop()
        self._tasks.append(asyncio.create_task(self._collect_garbage(), name="loop-gc"))
        cursors = {}
        for section in self.config.feeds:
            cursors[section.name] = self._committed[section.name] = await self.in_store(self.store.cursor,
                                                                                         section.name)
        if self.config.feeds:
            self._feed_thread = FeedThread()
            await self._feed_thread.call(self._start_feeds(cursors))
        self._tasks.append(asyncio.create_task(self._watch_health(), name="feed-health"))

    async def _start_feeds(self, cursors: dict[str, str | None]) -> None:
        """On the feed thread: its HTTP client and one task per feed. Records decode right there (the thread
        is not the GUI's), so feeds get no decode executor: a hand-over to one only added two thread hops."""
        # httpx over asyncio's streams (feeds.transport); each feed follows redirects itself, within its origin
        # (transport.GuardedClient), so nothing else on this client (the clock probes) follows one
        self._client = make_client(follow_redirects=False, event_hooks=self.clocks.event_hooks())
        self.feeds = [make_feed(section, self._client) for section in self.config.feeds]
        for feed in self.feeds:
            if isinstance(feed, FeedBase):
                feed.trace = self.trace
                feed.backend_clock = self.clocks.for_feed(feed.name)
            self._feed_tasks.append(asyncio.create_task(feed.run(self._sink, cursors.get(feed.name)),
                                                        name=f"feed:{feed.name}"))
        self._feed_tasks.append(asyncio.create_task(self.clocks.follow(self._client), name="backend-clocks"))

    async def _stop_feeds(self) -> None:
        """On the feed thread: cancel the feeds, close the client (its sockets belong to this loop)."""
        for task in self._feed_tasks:
            task.cancel()
        await asyncio.gather(*self._feed_tasks, return_exceptions=True)
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    @property
    def feeds_running(self) -> bool:
        """Every feed task and the pipeline's own tasks are still running (none ended on an error)."""
        return all(not t.done() for t in self._tasks + self._feed_tasks)

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
        if self._feed_thread is not None:
            await self._feed_thread.call(self._stop_feeds())
            self._feed_thread.stop()
            self._feed_thread = None
            self._feed_tasks.clear()
        try:
            await self.live_settled()       # committed: it reaches the live state even as we stop
        except Exception:  # noqa: BLE001 - a listener's error must not keep the pipeline from closing
            log.exception("showing the last committed batch failed")
        self._readers.shutdown(wait=True)
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
        """Commit `batch` (store thread), then have it shown on the caller's loop; return once committed.

        Runs on the feed thread (or on the caller's loop when called directly). Batches are shown in commit
        order; past SHOW_BACKLOG committed batches not shown yet, this waits for the oldest (back-pressure)."""
        if not (batch.incidents or batch.resources or batch.alerts or batch.territory or batch.quarantined) and (
                batch.cursor is None or batch.cursor == self._committed.get(batch.feed)):
            if batch.kpis:          # nothing the store would write: no empty transaction
                await self._show(None, batch.kpis)
            return
        try:
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
        except Exception as exc:
            if not refuses_record(exc):
                raise             # the store is unusable (disk, database): the feed retries from its cursor
            applied = await self.in_store(self._apply_isolating, batch, exc)
        self.batches_applied += 1
        if batch.cursor is not None:
            self._committed[batch.feed] = batch.cursor
        await self._show(applied, batch.kpis)

    async def _show(self, applied: Applied | None, kpis: list[KpiValue]) -> None:
        """Queue a committed batch (and KPIs) for the caller's loop, which drains the queue in commit order,
        everything queued in one turn; wait only while more than SHOW_BACKLOG records are still to be shown.

        One drain for whatever is queued, not a hand-over per batch: with a hand-over (and a loop turn) per
        batch, the wall's loop, painting between turns, fell behind the store at 200 events/s."""
        home = self._home
        if home is None:
            home = self._home = asyncio.get_running_loop()
        n = len(applied.incidents) + len(applied.resources) + len(applied.alerts) if applied is not None else 0
        with self._show_lock:
            self._unshown.append((applied, kpis))
            self._unshown_records += n
            wake = not self._draining
            self._draining = True
        if wake:
            home.call_soon_threadsafe(self._start_drain)
        while True:
            with self._show_lock:
                if self._unshown_records <= SHOW_BACKLOG:
                    return
                if self._room is None:
                    self._room = Future()
                room = self._room
            await asyncio.wrap_future(room)

    def _start_drain(self) -> None:
        """On the caller's loop, woken by `_show`. While what is queued is small (one slice's worth,
        APPLY_FIRST_CHUNK records: the common case, a trickle's batch or two) it is shown right in this callback;
        more, and a task shows the rest in time-boxed slices (`_drain`). A task for every wake-up cost the caller's
        loop (the GUI thread under qasync) a task's creation and its steps per committed batch."""
        try:
            while (queued := self._take_unshown(APPLY_FIRST_CHUNK)):
                self._show_now(queued)
            if queued is None:
                return
        except BaseException:
            with self._show_lock:
                self._draining = False
            raise
        self._drain_task = asyncio.ensure_future(self._drain())

    def _take_unshown(self, most: int | None = None) -> list[tuple[Applied | None, list[KpiValue]]] | None:
        """Every queued committed batch, taken in commit order; [] when more than `most` records are queued (they
        stay); None when nothing is, and then draining ends (cleared under the lock: the next `_show` wakes it)."""
        with self._show_lock:
            if not self._unshown:
                self._draining = False
                return None
            if most is not None and self._unshown_records > most:
                return []
            queued = list(self._unshown)
            self._unshown.clear()
            return queued

    @staticmethod
    def _merge(queued: list[tuple[Applied | None, list[KpiValue]]]) -> tuple[list[KpiValue], Applied, int]:
        """Queued (applied, kpis) pairs as one: (kpis, Applied, records)."""
        kpis = [k for _, batch_kpis in queued for k in batch_kpis]
        parts = [applied for applied, _ in queued if applied is not None]
        if len(parts) == 1:
            merged = parts[0]
        else:
            merged = Applied(incidents=[r for a in parts for r in a.incidents],
                             resources=[r for a in parts for r in a.resources],
                             alerts=[r for a in parts for r in a.alerts],
                             territory=[n for a in parts for n in a.territory])
        return kpis, merged, len(merged.incidents) + len(merged.resources) + len(merged.alerts)

    def _show_now(self, queued: list[tuple[Applied | None, list[KpiValue]]]) -> None:
        """A few queued records into the live state at once (what `_apply_live` does with a small batch)."""
        kpis, merged, total = self._merge(queued)
        try:
            if kpis:
                self.live.apply(kpis=kpis)
            if merged:
                trace = self.trace
                if trace is not None:
                    trace.mark("resumed", (r.id for r in merged.incidents))
                self.live.apply(incidents=list(merged.incidents), resources=list(merged.resources),
                                alerts=list(merged.alerts), territory=list(merged.territory))
                if trace is not None:
                    trace.mark("live", (r.id for r in merged.incidents))
        except Exception:  # noqa: BLE001 - committed whatever a listener does; the feeds must go on
            log.exception("committed batches could not be shown in full")
        finally:
            self._shown_some(total)

    async def _drain(self) -> None:
        """On the caller's loop: every queued committed batch into the live state, in commit order."""
        try:
            while (queued := self._take_unshown()) is not None:
                kpis, merged, total = self._merge(queued)
                done = 0

                def shown(n: int) -> None:
                    nonlocal done
                    done += n
                    self._shown_some(n)

                try:
                    if kpis:
                        self.live.apply(kpis=kpis)
                    if merged:
                        if self.trace is not None:
                            self.trace.mark("resumed", (r.id for r in merged.incidents))
                        await self._apply_live(merged, shown)
                except Exception:  # noqa: BLE001 - committed whatever a listener does; the feeds must go on
                    log.exception("committed batches could not be shown in full")
                finally:
                    self._shown_some(total - done)
        except BaseException:
            with self._show_lock:
                self._draining = False
            raise

    def _shown_some(self, n: int) -> None:
        """`n` more records are in the live state: room for the feeds if the backlog fell to SHOW_BACKLOG."""
        with self._show_lock:
            self._unshown_records -= n
            room = self._room if self._unshown_records <= SHOW_BACKLOG else None
            if room is not None:
                self._room = None
        if room is not None:
            room.set_result(None)

    async def live_settled(self) -> None:
        """Return once every committed batch is in the live state (it is shown on this loop after the sink
        returned, a big one in slices while the next transaction runs)."""
        while True:
            with self._show_lock:
                draining = self._draining
            if not draining:
                return
            task = self._drain_task
            if task is not None and not task.done():
                await asyncio.shield(task)
            else:
                await asyncio.sleep(0)      # its drain is scheduled, not started yet

    def _apply_isolating(self, batch: Batch, first: BaseException) -> Applied:
        """On the store thread, after the store refused `batch` as a whole: store it by halves down to the records
        it refuses on their own (services.isolation), quarantine those with the store's reason, then commit the
        batch's quarantine and cursor. `batch` is left holding what was stored plus the new quarantine entries, so
        the feed counts them as such."""
        store, feed = self.store, batch.feed
        lists = {kind: list(getattr(batch, kind)) for kind in isolation.KINDS}

        def write(items: list[isolation.Item]) -> Applied:
            part: dict[str, list[Any]] = {kind: [] for kind in isolation.KINDS}
            for kind, record in items:
                part[kind].append(record)
            return store.apply(feed, territory=part["territory"], incidents=part["incidents"],
                               resources=part["resources"], alerts=part["alerts"])

        result = isolation.bisect(isolation.units_of(lists), write, refuses_record)
        now = self.clock()
        refused = [isolation.quarantined(feed, item, exc, now) for item, exc in result.refused]
        for (kind, record), exc in result.refused:
            getattr(batch, kind).remove(record)
            log.warning("feed %s: the store refused %s %r (%s: %s); quarantined, the rest of its batch stored",
                        feed, isolation.QUARANTINE_KIND[kind], getattr(record, "id", "?")[:80],
                        type(exc).__name__, " ".join(str(exc).split())[:300])
        if not refused:
            log.warning("feed %s: a batch the store refused (%s) was stored by parts", feed, type(first).__name__)
        batch.quarantined = list(batch.quarantined) + refused
        store.apply(feed, quarantined=batch.quarantined, cursor=batch.cursor)
        parts = result.stored
        return Applied(incidents=[r for a in parts for r in a.incidents],
                       resources=[r for a in parts for r in a.resources],
                       alerts=[r for a in parts for r in a.alerts],
                       territory=[n for a in parts for n in a.territory])

    def _traced_apply(self, feed: str, **kw: Any) -> Any:
        """Store.apply on the store thread, stamping when the transaction began and when it committed."""
        trace = self.trace
        assert trace is not None
        incidents = kw.get("incidents") or ()
        trace.mark("store_start", (r.id for r in incidents))
        applied = self.store.apply(feed, **kw)
        trace.mark("committed", (r.id for r in applied.incidents))
        return applied

    async def _apply_live(self, applied: Any, shown: Callable[[int], None] | None = None) -> None:
        """The committed records into the live state: small batches at once, big ones in slices of at most
        ~APPLY_SLICE_S (the listeners' work included), yielding to the event loop between slices. `shown(n)`
        after each step: n more records are in."""
        live = self.live
        incidents, resources, alerts = list(applied.incidents), list(applied.resources), list(applied.alerts)
        territory = list(applied.territory)
        trace = self.trace
        if len(incidents) + len(resources) + len(alerts) <= APPLY_FIRST_CHUNK:
            live.apply(incidents=incidents, resources=resources, alerts=alerts, territory=territory)
            if trace is not None:
                trace.mark("live", (r.id for r in incidents))
            if shown is not None:
                shown(len(incidents) + len(resources) + len(alerts))
            return
        live.apply(territory=territory, resources=resources, alerts=alerts)   # few: grids, teams, warnings
        if shown is not None:
            shown(len(resources) + len(alerts))
        chunk = APPLY_FIRST_CHUNK
        i = 0
        while i < len(incidents):
            t0 = time.perf_counter()
            part = incidents[i:i + chunk]
            live.apply(incidents=part)
            if trace is not None:
                trace.mark("live", (r.id for r in part))
            if shown is not None:
                shown(len(part))
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
