"""The grid map tile: GridMap fed from the live state at most twice a second; clicks open details.

The tile keeps its own open incidents and per-grid open counts, maintained from each `Change` (opened, closed,
moved, removed ids) rather than recounted: a flush used to walk every incident the live state holds (open
and recently closed) twice, up to 142 ms on the GUI thread per flush during a 10,000-incident burst.
Likewise the markers' ranking (most severe, then most recent, of the open incidents the map can place) is a
sorted list kept from each change, so a flush hands the map its top instead of every open incident to group and
sort (at 200 events/s half the map's flush; growing with the open incidents, 100,000 in a big city).
"""
from __future__ import annotations

import bisect
from collections.abc import Callable
from datetime import datetime, timezone

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QWidget

from ...domain import Incident
from ...services import Change, LiveState
from ..map import GridMap, markers
from .base import Tile

#: a change with more incidents than this re-sorts the marker ranking once at the next flush (a burst)
RERANK_OVER = 256


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


class MapTile(Tile):
    kind = "map"

    def __init__(self, live: LiveState, *, title: str = "", clock: Callable[[], datetime] = _utcnow,
                 focus_node: str = "", feeds: list[str] | None = None, interval_ms: int = 500,
                 parent: QWidget | None = None):
        super().__init__(live, title or self.tr("网格地图"), feeds=feeds, parent=parent)
        self.clock = clock
        self.focus_node = focus_node
        self.map = GridMap()
        self.body.addWidget(self.map, 1)
        self.grid_clicked = self.map.grid_clicked
        self.incident_clicked = self.map.incident_clicked
        self.alert_clicked = self.map.alert_clicked
        self.resource_clicked = self.map.resource_clicked
        self._territory_dirty = True
        self._dirty = True
        self._open: dict[str, Incident] = {}          # open incidents by id, as the live state holds them
        self._grid_counts: dict[str, int] = {}        # grid id → open incidents in it (drills included)
        self._held: set[str] = set()                  # every incident id the live state holds, open or not
        self._ranked: list[tuple] = []                # (-severity, -reported, id) of the open placeable ones, sorted
        self._rank_of: dict[str, tuple] = {}          # id → its key in _ranked
        self._rerank = True                           # _ranked to be rebuilt from _open at the next flush
        self._incidents_dirty = True
        self._recount()
        self._timer = QTimer(self, singleShot=True, interval=interval_ms)   # ≤ 2 Hz
        self._timer.timeout.connect(self.flush)
        self._tick = QTimer(self, interval=5000)   # alerts expire with time
        self._tick.timeout.connect(self._schedule)
        self._tick.start()
        self._unsubscribe = live.on_change(self._on_change)
        self.destroyed.connect(lambda *_: self._unsubscribe())
        self.flush()

    @property
    def open_per_grid(self) -> dict[str, int]:
        """Open incidents per grid as the map shows them; equal to `LiveState.open_per_grid()`."""
        return self._grid_counts

    def _recount(self) -> None:
        """From scratch: at construction, and when the live state was replaced wholesale (a replay jump clears it
        and applies the past, so the ids that left are in no change)."""
        self._held = set(self.live.incidents)
        self._open = {k: i for k, i in self.live.incidents.items() if i.is_open}
        counts: dict[str, int] = {}
        for inc in self._open.values():
            counts[inc.grid_id] = counts.get(inc.grid_id, 0) + 1
        self._grid_counts = counts
        self._incidents_dirty = True
        self._rerank = True

    def _rank_key(self, inc: Incident) -> tuple | None:
        """The incident's place in the markers' ranking, or None if the map cannot place it (no position, a grid it
        does not know: IncidentMarkers leaves those out too)."""
        if (inc.lon is None or inc.lat is None) and inc.grid_id not in self.map.geo.index:
            return None
        return (-int(inc.severity), -inc.reported_at.timestamp(), inc.id)

    def _unrank(self, rid: str) -> None:
        key = self._rank_of.pop(rid, None)
        if key is not None:
            ranked = self._ranked
            i = bisect.bisect_left(ranked, key)
            if i < len(ranked) and ranked[i] == key:
                del ranked[i]

    def _ranking(self) -> list[tuple]:
        if self._rerank:
            rank_of = {}
            for rid, inc in self._open.items():
                key = self._rank_key(inc)
                if key is not None:
                    rank_of[rid] = key
            self._rank_of = rank_of
            self._ranked = sorted(rank_of.values())
            self._rerank = False
        return self._ranked

    def _uncount(self, grid_id: str) -> None:
        counts = self._grid_counts
        n = counts[grid_id] - 1
        if n:
            counts[grid_id] = n
        else:
            del counts[grid_id]

    def _track(self, change: Change) -> None:
        """Apply one change's incidents to the open set and counts: cost in changed ids, not in all held."""
        opened, counts, held = self._open, self._grid_counts, self._held
        if len(change.incidents) + len(change.removed_incidents) > RERANK_OVER:
            self._rerank = True                 # a burst: one sort at the flush, not an insort each
        rank = not self._rerank
        for inc in change.incidents:
            held.add(inc.id)
            old = opened.pop(inc.id, None)
            if old is not None:
                self._uncount(old.grid_id)
            if rank:
                self._unrank(inc.id)
            if inc.is_open:
                opened[inc.id] = inc
                counts[inc.grid_id] = counts.get(inc.grid_id, 0) + 1
                if rank and (key := self._rank_key(inc)) is not None:
                    self._rank_of[inc.id] = key
                    bisect.insort(self._ranked, key)
        for rid in change.removed_incidents:
            held.discard(rid)
            old = opened.pop(rid, None)
            if old is not None:
                self._uncount(old.grid_id)
            if rank:
                self._unrank(rid)
        if change.incidents or change.removed_incidents:
            self._incidents_dirty = True
        if len(held) != len(self.live.incidents):    # ids left without a removal: the state was replaced
            self._recount()

    def _on_change(self, change: Change) -> None:
        self._track(change)
        if change.territory:
            self._territory_dirty = True
        if (change.territory or change.incidents or change.removed_incidents or change.alerts
                or change.resources):
            self._dirty = True
            self._schedule()

    def _schedule(self) -> None:
        if not self._timer.isActive():
            self._timer.start()

    def flush(self) -> None:
        live = self.live
        if self._territory_dirty:
            self.map.set_territory(list(live.territory.values()))   # clears the markers and the colours
            self._territory_dirty = False
            self._incidents_dirty = True
            self._rerank = True                 # which grids the map knows (placeable incidents) changed
            if self.focus_node:
                self.map.zoom_to(self.focus_node)
        now = self.clock()
        if self._incidents_dirty:
            self.map.set_load(self._grid_counts)
            ranked, opened = self._ranking(), self._open
            self.map.set_incidents([opened[key[-1]] for key in ranked[:markers.MAX_INCIDENT_MARKERS]], all_open=True,
                                   ranked_total=len(ranked))
            self._incidents_dirty = False
        self.map.set_alerts(live.live_alerts(now))
        self.map.set_resources(list(live.resources.values()))
        self._dirty = False
