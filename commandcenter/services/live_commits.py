"""The one writer of the live state: committed records, in commit order, on the caller's loop.

Whatever changes what the wall shows goes through `LiveCommits`: the feeds' committed batches (the ingest
pipeline's sink), the state the store held at start (initial load), a drill's played records and its end, a
replay's picture of the past, feed health and pruning. Nothing else calls `LiveState.apply`, so every view sees
one ordered stream of changes.

A feed's batch is committed on the store thread, then queued here and shown on the caller's loop (the wall's GUI
thread under qasync), batches in commit order, at most `SHOW_BACKLOG` committed records waiting to be shown (the
feed waits beyond that). A big batch enters the live state in time-boxed slices (`APPLY_SLICE_S`), yielding to the
loop between them, so a 10,000-record burst cannot freeze the wall. What the caller's own thread publishes (a
drill's records, the initial load) is applied at once when nothing is queued ahead of it, else queued behind.

During a replay the shown LiveState holds the past: `live` (where commits go) is then a shadow holding the
present (services.replay.LiveDetour), and `show_past` replaces what is shown.
"""
from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from ..domain import Alert, FeedHealth, Incident, KpiValue, Resource, TerritoryNode
from ..domain.sensors import Sensor
from ..feeds import StageTrace
from ..store import Applied
from .live_state import LiveState

log = logging.getLogger(__name__)

APPLY_SLICE_S = 0.008        # longest the live-state update of one batch holds the event loop at a time
APPLY_FIRST_CHUNK = 256      # records in the first slice; later slices are sized from the measured rate
SHOW_BACKLOG = 20_000        # committed records waiting for the caller's loop before the feeds wait for it


@dataclass(frozen=True, slots=True)
class DrillEnded:
    """A drill ended: its records leave the live state (LiveState.end_drill), after what was committed before."""

    drill_id: str


@dataclass(frozen=True, slots=True)
class Committed:
    """Records the store committed (or a feed's KPIs, which the store does not keep), shown together."""

    incidents: list[Incident] = field(default_factory=list)
    resources: list[Resource] = field(default_factory=list)
    alerts: list[Alert] = field(default_factory=list)
    territory: list[TerritoryNode] = field(default_factory=list)
    kpis: list[KpiValue] = field(default_factory=list)
    sensors: list[Sensor] = field(default_factory=list)

    @classmethod
    def of(cls, applied: Applied | None, kpis: Iterable[KpiValue] = ()) -> Committed:
        if applied is None:
            return cls(kpis=list(kpis))
        return cls(list(applied.incidents), list(applied.resources), list(applied.alerts),
                   list(applied.territory), list(kpis), list(applied.sensors))

    @property
    def records(self) -> int:
        return len(self.incidents) + len(self.resources) + len(self.alerts) + len(self.sensors)


Entry = Committed | DrillEnded


class LiveCommits:
    """The live state's one writer (see the module's docstring). `live` is where commits go."""

    def __init__(self, live: LiveState | None = None) -> None:
        self.live = live if live is not None else LiveState()
        self.shown = self.live           # what the views are bound to (differs from `live` only in a replay)
        #: Per-stage stamps of chosen records (the latency bench sets one); None: no tracing work.
        self.trace: StageTrace | None = None
        self._home: asyncio.AbstractEventLoop | None = None   # the caller's loop: the live state is applied there
        self._home_thread: int | None = None
        self._lock = threading.Lock()
        self._unshown: list[Entry] = []
        self._unshown_records = 0
        self._draining = False                   # a drain is scheduled or running on the caller's loop
        self._drain_task: asyncio.Task[None] | None = None
        self._room: Future[None] | None = None   # the feeds wait on it while the backlog is over SHOW_BACKLOG

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        """The loop (and its thread) the live state is applied on: the caller's, the GUI's in the wall."""
        self._home = loop
        self._home_thread = threading.get_ident()

    # -- writing -------------------------------------------------------------------------------------------
    async def show(self, applied: Applied | None, kpis: list[KpiValue]) -> None:
        """A feed's committed batch (and KPIs), from any thread: queued for the caller's loop, which drains the
        queue in commit order, everything queued in one turn; waits only while more than SHOW_BACKLOG records are
        still to be shown.

        One drain for whatever is queued, not a hand-over per batch: with a hand-over (and a loop turn) per
        batch, the wall's loop, painting between turns, fell behind the store (docs/benchmarks.md)."""
        await self.show_committed(Committed.of(applied, kpis))

    async def show_committed(self, entry: Committed) -> None:
        """`show` of a batch already read back as committed (a follower's, services.follower), from any thread."""
        if self._home is None:
            self.bind(asyncio.get_running_loop())
        self._enqueue(entry)
        while True:
            with self._lock:
                if self._unshown_records <= SHOW_BACKLOG:
                    return
                if self._room is None:
                    self._room = Future()
                room = self._room
            await asyncio.wrap_future(room)

    def publish(self, applied: Applied | Committed) -> None:
        """Records committed by the caller's thread (a drill's, the initial load's): into the live state now when
        nothing is queued ahead of them, else behind what is."""
        entry = applied if isinstance(applied, Committed) else Committed.of(applied)
        self._now_or_queued(entry)

    def end_drill(self, drill_id: str) -> None:
        """A drill ended: its records leave the live state, after whatever was committed before."""
        self._now_or_queued(DrillEnded(drill_id))

    def health(self, reports: list[FeedHealth], now: datetime) -> None:
        """The feeds' health, and what has ended longer than the retention leaves (once a second)."""
        self.live.apply(health=reports)
        self.live.prune(now)

    def keep_ended(self, window: timedelta) -> None:
        """Ended incidents and warnings stay `window` after they ended (`[wall] keep_ended_minutes`); the next
        prune applies it."""
        self.live.retention = window

    def replace(self, incidents: Iterable[Incident], resources: Iterable[Resource],
                alerts: Iterable[Alert], sensors: Iterable[Sensor] = ()) -> None:
        """The shown state replaced wholesale (a replay's picture of the past, the present back after one)."""
        self.shown.replace(incidents=incidents, resources=resources, alerts=alerts, sensors=sensors)

    async def reload(self, incidents: Iterable[Incident], resources: Iterable[Resource], alerts: Iterable[Alert],
                     sensors: Iterable[Sensor] = ()) -> None:
        """The state commits go to, replaced wholesale after what is queued (a follower that fell behind the
        store's retention reloads; views rebuild from the reset). On the caller's loop."""
        await self.settled()
        self.live.replace(incidents=incidents, resources=resources, alerts=alerts, sensors=sensors)

    def _now_or_queued(self, entry: Entry) -> None:
        on_home = self._home is None or threading.get_ident() == self._home_thread
        with self._lock:
            idle = not self._unshown and not self._draining
        if on_home and idle:
            self._apply_entry(entry)
        else:
            self._enqueue(entry)

    def _enqueue(self, entry: Entry) -> None:
        home = self._home
        if home is None:
            home = asyncio.get_running_loop()
            self.bind(home)
        n = entry.records if isinstance(entry, Committed) else 0
        with self._lock:
            self._unshown.append(entry)
            self._unshown_records += n
            wake = not self._draining
            self._draining = True
        if wake:
            home.call_soon_threadsafe(self._start_drain)

    # -- draining on the caller's loop ---------------------------------------------------------------------
    def _start_drain(self) -> None:
        """On the caller's loop, woken by `_enqueue`. While what is queued is small (one slice's worth,
        APPLY_FIRST_CHUNK records: the common case, a trickle's batch or two) it is shown right in this callback;
        more, and a task shows the rest in time-boxed slices (`_drain`). A task for every wake-up cost the caller's
        loop (the GUI thread under qasync) a task's creation and its steps per committed batch."""
        try:
            while (queued := self._take_unshown(APPLY_FIRST_CHUNK)):
                self._show_now(queued)
            if queued is None:
                return
        except BaseException:
            with self._lock:
                self._draining = False
            raise
        self._drain_task = asyncio.ensure_future(self._drain())

    def _take_unshown(self, most: int | None = None) -> list[Entry] | None:
        """Queued entries in commit order, up to the first DrillEnded (alone when it is first); [] when more than
        `most` records are queued (they stay); None when nothing is, and then draining ends (cleared under the
        lock: the next `_enqueue` wakes it)."""
        with self._lock:
            if not self._unshown:
                self._draining = False
                return None
            if most is not None and self._unshown_records > most:
                return []
            end = next((i for i, e in enumerate(self._unshown) if isinstance(e, DrillEnded)), len(self._unshown))
            queued = self._unshown[:max(end, 1)]
            del self._unshown[:len(queued)]
            return queued

    @staticmethod
    def _merge(queued: list[Entry]) -> Entry:
        """Queued entries as one (a DrillEnded only ever comes alone)."""
        if len(queued) == 1:
            return queued[0]
        parts = [e for e in queued if isinstance(e, Committed)]
        return Committed(incidents=[r for a in parts for r in a.incidents],
                         resources=[r for a in parts for r in a.resources],
                         alerts=[r for a in parts for r in a.alerts],
                         territory=[n for a in parts for n in a.territory],
                         kpis=[k for a in parts for k in a.kpis],
                         sensors=[s for a in parts for s in a.sensors])

    def _apply_entry(self, entry: Entry) -> None:
        """One entry into the live state at once (small batches, the caller's own records)."""
        if isinstance(entry, DrillEnded):
            self.live.end_drill(entry.drill_id)
            return
        if entry.kpis:
            self.live.apply(kpis=entry.kpis)
        if entry.records or entry.territory:
            trace = self.trace
            if trace is not None:
                trace.mark("resumed", (r.id for r in entry.incidents))
            self.live.apply(incidents=entry.incidents, resources=entry.resources, alerts=entry.alerts,
                            territory=entry.territory, sensors=entry.sensors)
            if trace is not None:
                trace.mark("live", (r.id for r in entry.incidents))

    def _show_now(self, queued: list[Entry]) -> None:
        """A few queued records into the live state at once (what `_apply_live` does with a small batch)."""
        entry = self._merge(queued)
        try:
            self._apply_entry(entry)
        except Exception:  # noqa: BLE001 - committed whatever a listener does; the feeds must go on
            log.exception("committed batches could not be shown in full")
        finally:
            self._shown_some(entry.records if isinstance(entry, Committed) else 0)

    async def _drain(self) -> None:
        """On the caller's loop: every queued entry into the live state, in commit order."""
        try:
            while (queued := self._take_unshown()) is not None:
                entry = self._merge(queued)
                total = entry.records if isinstance(entry, Committed) else 0
                done = 0

                def shown(n: int) -> None:
                    nonlocal done
                    done += n
                    self._shown_some(n)

                try:
                    if isinstance(entry, DrillEnded):
                        self.live.end_drill(entry.drill_id)
                    else:
                        if entry.kpis:
                            self.live.apply(kpis=entry.kpis)
                        if entry.records or entry.territory:
                            if self.trace is not None:
                                self.trace.mark("resumed", (r.id for r in entry.incidents))
                            await self._apply_live(entry, shown)
                except Exception:  # noqa: BLE001 - committed whatever a listener does; the feeds must go on
                    log.exception("committed batches could not be shown in full")
                finally:
                    self._shown_some(total - done)
        except BaseException:
            with self._lock:
                self._draining = False
            raise

    def _shown_some(self, n: int) -> None:
        """`n` more records are in the live state: room for the feeds if the backlog fell to SHOW_BACKLOG."""
        with self._lock:
            self._unshown_records -= n
            room = self._room if self._unshown_records <= SHOW_BACKLOG else None
            if room is not None:
                self._room = None
        if room is not None:
            room.set_result(None)

    async def settled(self) -> None:
        """Return once every queued entry is in the live state (a big batch is shown in slices)."""
        while True:
            with self._lock:
                draining = self._draining
            if not draining:
                return
            task = self._drain_task
            if task is not None and not task.done():
                await asyncio.shield(task)
            else:
                await asyncio.sleep(0)      # its drain is scheduled, not started yet

    async def _apply_live(self, entry: Committed, shown: Callable[[int], None]) -> None:
        """Committed records into the live state: small batches at once, big ones in slices of at most
        ~APPLY_SLICE_S (the listeners' work included), yielding to the event loop between slices. `shown(n)`
        after each step: n more records are in."""
        live = self.live
        incidents, resources, alerts, sensors = entry.incidents, entry.resources, entry.alerts, entry.sensors
        trace = self.trace
        if entry.records <= APPLY_FIRST_CHUNK:
            live.apply(incidents=incidents, resources=resources, alerts=alerts, territory=entry.territory,
                       sensors=sensors)
            if trace is not None:
                trace.mark("live", (r.id for r in incidents))
            shown(entry.records)
            return
        for i in range(0, len(sensors), APPLY_FIRST_CHUNK):     # devices: many, each cheap; in slices too
            part_s = sensors[i:i + APPLY_FIRST_CHUNK]
            live.apply(sensors=part_s)
            shown(len(part_s))
            await asyncio.sleep(0)
        live.apply(territory=entry.territory, resources=resources, alerts=alerts)   # few: grids, teams, warnings
        shown(len(resources) + len(alerts))
        chunk = APPLY_FIRST_CHUNK
        i = 0
        while i < len(incidents):
            t0 = time.perf_counter()
            part = incidents[i:i + chunk]
            live.apply(incidents=part)
            if trace is not None:
                trace.mark("live", (r.id for r in part))
            shown(len(part))
            i += chunk
            spent = time.perf_counter() - t0
            chunk = max(32, min(5000, int(chunk * APPLY_SLICE_S / max(spent, 1e-4))))
            if i < len(incidents):
                await asyncio.sleep(0)


def committed(incidents: Iterable[Incident] = (), resources: Iterable[Resource] = (),
              alerts: Iterable[Alert] = (), territory: Iterable[TerritoryNode] = (),
              sensors: Iterable[Sensor] = ()) -> Committed:
    """Records read from (or just written to) the store, to publish."""
    return Committed(list(incidents), list(resources), list(alerts), list(territory), sensors=list(sensors))


__all__ = ["APPLY_FIRST_CHUNK", "APPLY_SLICE_S", "SHOW_BACKLOG", "Committed", "DrillEnded", "LiveCommits",
           "committed"]
