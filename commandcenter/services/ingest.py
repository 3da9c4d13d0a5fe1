"""The ingest pipeline: feeds → store (committed first) → live state.

Three threads, so a busy wall (the GUI thread painting 4K, or held by a collection or a slow frame) never holds a
record on its way in, and only showing it waits for the GUI thread:

- the **feed thread** runs the feeds on an asyncio loop of its own: reading the network, parsing and decoding,
  batching (`FeedThread`);
- the **store thread** runs every store write (`in_store`), so writes are serialised; the store's own reads
  (`STORE_READS`) go to reader threads beside it;
- the caller's loop (the wall's GUI thread under qasync, plain asyncio in `collect`) only applies committed
  batches to the live state, health and garbage collection (services.runtime).

Why: when the read, the decode and every hand-over between transactions went through the GUI loop, the slowest
emergencies spent most of their way waiting for that loop (traced figures in docs/benchmarks.md). Now a record
is read, decoded and committed whatever the GUI thread does.

A batch reaches the live state only after its transaction committed, so the wall never shows what a crash would
lose. The sink returns once the store committed; the batch is then shown on the caller's loop through the live
state's one writer (`services.live_commits.LiveCommits`: commit order, back-pressure, time-boxed slices). A batch
with nothing for the store (a poll cycle that brought only the source's KPIs) makes no store transaction; its KPIs
still reach the live state.
"""
from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import httpx

from ..config import Config
from ..domain import Alert, Incident, Resource, TerritoryNode
from ..feeds import CATALOGUE_KINDS, Batch, Feed, FeedBase, StageTrace, make_feed
from ..feeds.clock import BackendClocks
from ..feeds.transport import make_client
from ..store import Applied, Store, refuses_record
from . import isolation
from .live_commits import LiveCommits, committed
from .live_state import LiveState
from .runtime import RUNTIME, RuntimePolicy

log = logging.getLogger(__name__)

HEALTH_INTERVAL_S = 1.0
READERS = 2                  # threads for the store's reads (in_store routes STORE_READS there)
SENSOR_RETENTION_S = 3600.0  # how often old sensor readings are pruned


#: Store methods that only read. `in_store` runs them on the reader threads, not the store thread: a KPI tile's
#: refresh (a cold KPI query on a big store is slow), a detail panel, a replay step or the wall's poll of
#: operator actions must not queue ahead of an ingest commit, a new record waiting behind it. The store reads
#: through a pool of connections of its own, and SQLite in WAL mode (like PostgreSQL) lets readers run beside the
#: writer, so only writes need the one thread. A read issued after a write returned sees it (it committed).
STORE_READS = frozenset({
    "cursor", "incidents", "incident", "alerts", "resources", "territory", "quarantine", "quarantine_count",
    "actions_since", "actions_for", "kpis", "state_at", "counts", "sensors", "sensor_readings",
    "feed_status", "recorders",
    "commit_position", "commits_after",
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
        commits: LiveCommits | None = None,
        runtime: RuntimePolicy | None = RUNTIME,
    ) -> None:
        """`clock`: local time, for the feeds' health. `clocks`: the backends' clocks, sampled from the feeds'
        answers (a wall passes its own, kept across pipeline restarts). `commits`: the live state's one writer (a
        wall passes its own, kept across pipeline restarts; by default one for `live`). `runtime`: the process
        policy (services.runtime) this pipeline holds while it runs; None where its composer holds it (the wall)."""
        self.config = config
        self.clocks = clocks if clocks is not None else BackendClocks()
        self.clocks.configure(config.feeds, config.drill.backend)
        self.store = store
        self.commits = commits if commits is not None else LiveCommits(live)
        self.clock = clock
        self._executor = executor or ThreadPoolExecutor(max_workers=1, thread_name_prefix="store")
        self._owns_executor = executor is None
        self._readers = ThreadPoolExecutor(max_workers=READERS, thread_name_prefix="store-read")
        self._committed: dict[str, str | None] = {}     # feed → cursor the store holds
        self._runtime = runtime
        self._runtime_held = False
        self._tasks: list[asyncio.Task[Any]] = []        # on the caller's loop: garbage collection, health
        self._feed_tasks: list[asyncio.Task[Any]] = []   # on the feed thread's loop: one per feed
        self._feed_thread: FeedThread | None = None
        self._client: httpx.AsyncClient | None = None
        self.feeds: list[Feed] = []
        self.batches_applied = 0
        self._stopped = asyncio.Event()

    @property
    def live(self) -> LiveState:
        """The LiveState committed records go to (the shown one, or a replay's shadow of the present)."""
        return self.commits.live

    @property
    def trace(self) -> StageTrace | None:
        """Per-stage stamps of chosen records (the latency bench sets one before `start`); None: no tracing."""
        return self.commits.trace

    @trace.setter
    def trace(self, trace: StageTrace | None) -> None:
        self.commits.trace = trace

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
        sensors = await loop.run_in_executor(self._readers, self.store.sensors)
        self.commits.publish(committed(incidents, resources, alerts, territory, sensors))

    def _read_initial(self, open_limit: int
                      ) -> tuple[list[TerritoryNode], list[Incident], list[Alert], list[Resource]]:
        s = self.store
        incidents = s.incidents(open_only=True, limit=open_limit, drill=None)
        recent = s.incidents(open_only=False, limit=2_000, drill=None)
        return s.territory(), incidents + recent, s.alerts(live_only=True, drill=None), s.resources(drill=None)

    async def start(self) -> None:
        """The feeds on the feed thread, from the cursors the store holds; health and collection on this loop."""
        self.commits.bind(asyncio.get_running_loop())
        if self._runtime is not None:
            self._runtime.hold()
            self._runtime_held = True
            self._tasks.append(asyncio.create_task(self._runtime.run_collector(), name="loop-gc"))
        cursors = {}
        for section in self.config.feeds:
            cursors[section.name] = self._committed[section.name] = await self.in_store(self.store.cursor,
                                                                                         section.name)
        if self.config.feeds:
            self._feed_thread = FeedThread()
            await self._feed_thread.call(self._start_feeds(cursors))
        self._tasks.append(asyncio.create_task(self._watch_health(), name="feed-health"))
        if any(section.kind == "mqtt" for section in self.config.feeds):
            self._tasks.append(asyncio.create_task(self._sensor_retention(), name="sensor-retention"))

    async def _start_feeds(self, cursors: dict[str, str | None]) -> None:
        """On the feed thread: its HTTP client and one task per feed. Records decode right there (the thread
        is not the GUI's), so feeds get no decode executor: a hand-over to one only added two thread hops."""
        # httpx over asyncio's streams (feeds.transport); each feed follows redirects itself, within its origin
        # (transport.GuardedClient), so nothing else on this client (the clock probes) follows one
        self._client = make_client(follow_redirects=False, event_hooks=self.clocks.event_hooks())
        self.feeds = [make_feed(section, self._client) for section in self.config.feeds
                      if section.kind not in CATALOGUE_KINDS]     # catalogues are read where they are used
        await self._prime_sensor_feeds()
        for feed in self.feeds:
            if isinstance(feed, FeedBase):
                feed.trace = self.trace
                feed.backend_clock = self.clocks.for_feed(feed.name)
            self._feed_tasks.append(asyncio.create_task(feed.run(self._sink, cursors.get(feed.name)),
                                                        name=f"feed:{feed.name}"))
        self._feed_tasks.append(asyncio.create_task(self.clocks.follow(self._client), name="backend-clocks"))

    async def _prime_sensor_feeds(self) -> None:
        """Sensor feeds start from what the store holds (devices, their alarms in force, the grids), with the
        config's alarm lines."""
        from ..feeds.mqtt import MqttFeed

        mqtt = [f for f in self.feeds if isinstance(f, MqttFeed)]
        if not mqtt:
            return
        store = self.store
        sensors, alerts, territory = await asyncio.get_running_loop().run_in_executor(
            self._readers, lambda: (store.sensors(), store.alerts(live_only=True, drill=None), store.territory()))
        for feed in mqtt:
            feed.configure(self.config.sensors)
            feed.prime([s for s in sensors], alerts, territory)

    def _grids_committed(self, nodes: list[Any]) -> None:
        """Committed territory (on the feed thread): sensor feeds link their alarms to these grids too."""
        from ..feeds.mqtt import MqttFeed

        for feed in self.feeds:
            if isinstance(feed, MqttFeed):
                feed.territory(nodes)

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
        if self._runtime is not None and self._runtime_held:
            self._runtime_held = False
            self._runtime.release()

    async def _sink(self, batch: Batch) -> None:
        """Commit `batch` (store thread), then have it shown on the caller's loop; return once committed.

        Runs on the feed thread (or on the caller's loop when called directly). Batches are shown in commit
        order; past SHOW_BACKLOG committed batches not shown yet, this waits for the oldest (back-pressure)."""
        if not (batch.incidents or batch.resources or batch.alerts or batch.territory or batch.quarantined
                or batch.sensors or batch.readings) and (
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
                sensors=batch.sensors,
                readings=batch.readings,
            )
        except Exception as exc:
            if not refuses_record(exc):
                raise             # the store is unusable (disk, database): the feed retries from its cursor
            applied = await self.in_store(self._apply_isolating, batch, exc)
        self.batches_applied += 1
        if applied.territory:
            self._grids_committed(applied.territory)
        if batch.cursor is not None:
            self._committed[batch.feed] = batch.cursor
        await self._show(applied, batch.kpis)

    async def _show(self, applied: Any, kpis: list[Any]) -> None:
        await self.commits.show(applied, kpis)

    async def live_settled(self) -> None:
        """Return once every committed batch is in the live state (it is shown on this loop after the sink
        returned, a big one in slices while the next transaction runs)."""
        await self.commits.settled()

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
                               resources=part["resources"], alerts=part["alerts"],
                               sensors=part["sensors"], readings=part["readings"])

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
                       territory=[n for a in parts for n in a.territory],
                       sensors=[s for a in parts for s in a.sensors])

    def _traced_apply(self, feed: str, **kw: Any) -> Any:
        """Store.apply on the store thread, stamping when the transaction began and when it committed."""
        trace = self.trace
        assert trace is not None
        incidents = kw.get("incidents") or ()
        trace.mark("store_start", (r.id for r in incidents))
        applied = self.store.apply(feed, **kw)
        trace.mark("committed", (r.id for r in applied.incidents))
        return applied

    async def _sensor_retention(self) -> None:
        """Sensor readings kept `[sensors] raw_days`, hourly summaries `hourly_months`: pruned now and hourly."""
        keep = self.config.sensors
        while True:
            try:
                await self.in_store(self.store.prune_sensors, raw_days=keep.raw_days, hourly_months=keep.hourly_months)
            except Exception:  # noqa: BLE001 - retention must not end the pipeline; the next hour tries again
                log.exception("pruning old sensor readings failed")
            await asyncio.sleep(SENSOR_RETENTION_S)

    async def _watch_health(self) -> None:
        while True:
            now = self.clock()
            self.commits.health([feed.health(now) for feed in self.feeds], now)
            await asyncio.sleep(HEALTH_INTERVAL_S)
