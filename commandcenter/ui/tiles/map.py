"""The grid map tile: GridMap fed from the live state at most twice a second; clicks open details.

The tile keeps its own open incidents and per-grid open counts, maintained from each `Change` (opened, closed,
moved, removed ids) rather than recounted: a flush used to walk every incident the live state holds (open
and recently closed) twice, on the GUI thread, per flush of a burst.
Likewise the markers' ranking (most severe, then most recent, of the open incidents the map can place) is kept
from each change (MarkerRanking), so a flush hands the map its top instead of every open incident to group and
sort (O(open incidents) on every flush).
"""
from __future__ import annotations

import bisect
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from operator import attrgetter
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QWidget

from ...config.schema import MapSection
from ...domain import Incident
from ...feeds.basemap import LayerError, VectorLayer, load_vector_layer
from ...services import Change, LiveState
from ..map import GridMap, markers
from ..map.basemap import TileLoader, raster_source
from ..map.sensors import SensorLayer
from .base import Tile

log = logging.getLogger("commandcenter.ui.map")

#: a change with more incidents than this is appended to the marker ranking's groups, sorted when next needed
BULK_OVER = 256


#: a group's order: oldest report first (the markers take groups from their end), the id breaking ties
_RANK = attrgetter("reported_at", "id")


class MarkerRanking:
    """The open incidents the map can place, ranked for its markers: most severe first, then most recent.

    One list of the records per severity, kept in report order with a bisect per change, except that a burst is
    appended and a group is sorted only when the markers need it (the low severities are rarely needed: the high
    ones fill the 2,000 markers) or a record leaves it. So a flush takes the top without looking at every open
    incident, and a 10,000-incident burst costs a sort of the groups the markers reach, not of all 10,000. The lists
    hold the records themselves (no key per record: a key tuple and an index entry per open incident add up);
    a record leaves by the record that was added."""

    def __init__(self) -> None:
        self._groups: dict = {}                 # severity → [Incident], by _RANK
        self._unsorted: set = set()             # severities whose list has appended records not sorted in yet
        self._count = 0

    def __len__(self) -> int:
        return self._count

    def add(self, inc: Incident, *, bulk: bool = False) -> None:
        sev = inc.severity
        group = self._groups.get(sev)
        if group is None:
            group = self._groups[sev] = []
        if bulk or sev in self._unsorted:
            group.append(inc)
            self._unsorted.add(sev)
        else:
            bisect.insort(group, inc, key=_RANK)
        self._count += 1

    def discard(self, inc: Incident) -> None:
        """Take out `inc`, the very record that was added (a no-op for one that was not)."""
        if inc.severity not in self._groups:
            return
        group = self._sorted(inc.severity)
        i = bisect.bisect_left(group, _RANK(inc), key=_RANK)
        if i < len(group) and group[i] is inc:
            del group[i]
            self._count -= 1

    def _sorted(self, sev) -> list:
        group = self._groups[sev]
        if sev in self._unsorted:
            group.sort(key=_RANK)               # a sorted run and the appended tail: timsort merges them
            self._unsorted.discard(sev)
        return group

    def top(self, n: int) -> list[Incident]:
        """The first `n` records, in rank order."""
        out: list[Incident] = []
        for sev in sorted(self._groups, reverse=True):
            if len(out) >= n:
                break
            group = self._sorted(sev)
            out.extend(reversed(group[max(0, len(group) - (n - len(out))):]))
        return out


@dataclass
class Basemap:
    """What `[map]` puts under the grids: vector layers and a raster tile loader (one per wall, shared by its maps)."""

    layers: list[VectorLayer] = field(default_factory=list)
    loader: TileLoader | None = None
    gcj: bool = False


def load_basemap(section: MapSection) -> Basemap:
    """Read the `[map]` layers and open its raster source. A file that cannot be read is logged and left out: the
    map still shows the grids (the config loader already checked that the files exist)."""
    layers = []
    for layer in section.layers:
        try:
            layers.append(load_vector_layer(layer.path, layer.kind, layer.crs))
        except LayerError as exc:
            log.error("map.layers: %s", exc)
    loader = None
    if section.basemap:
        from platformdirs import user_cache_dir

        cache = section.cache_dir or str(Path(user_cache_dir("commandcenter", appauthor=False)) / "tiles")
        try:
            loader = TileLoader(raster_source(section.basemap, cache, section.basemap_allow_networks))
        except LayerError as exc:
            log.error("map.basemap: %s", exc)
    return Basemap(layers, loader, section.basemap_crs == "GCJ-02")


def _utcnow() -> datetime:
    return datetime.now(UTC)


class MapTile(Tile):
    kind = "map"

    def __init__(self, live: LiveState, *, title: str = "", clock: Callable[[], datetime] = _utcnow,
                 focus_node: str = "", feeds: list[str] | None = None, interval_ms: int = 500,
                 basemap: Basemap | None = None, parent: QWidget | None = None):
        super().__init__(live, title or self.tr("网格地图"), feeds=feeds, parent=parent)
        self.clock = clock
        self.focus_node = focus_node
        self.map = GridMap()
        if basemap is not None:
            self.map.set_basemap(basemap.layers, basemap.loader, gcj=basemap.gcj)
        self.sensors = SensorLayer.attach(self.map, live)     # city sensors by status (ui/map/sensors.py)
        self.body.addWidget(self.map, 1)
        self.grid_clicked = self.map.grid_clicked
        self.incident_clicked = self.map.incident_clicked
        self.alert_clicked = self.map.alert_clicked
        self.resource_clicked = self.map.resource_clicked
        self.layer_clicked = self.map.layer_clicked          # (detail kind, id): a city sensor's dot
        self._territory_dirty = True
        self._dirty = True
        self._open: dict[str, Incident] = {}          # open incidents by id, as the live state holds them
        self._grid_counts: dict[str, int] = {}        # grid id → open incidents in it (drills included)
        self._held: set[str] = set()                  # every incident id the live state holds, open or not
        self._ranking = MarkerRanking()               # the open incidents the map can place, for its markers
        self._rerank = True                           # _ranking to be rebuilt from _open at the next flush
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
        """From scratch: at construction, and when the live state was replaced wholesale (a change with `reset`)."""
        self._held = set(self.live.incidents)
        self._open = {k: i for k, i in self.live.incidents.items() if i.is_open}
        counts: dict[str, int] = {}
        for inc in self._open.values():
            counts[inc.grid_id] = counts.get(inc.grid_id, 0) + 1
        self._grid_counts = counts
        self._incidents_dirty = True
        self._rerank = True

    def _placeable(self, inc: Incident) -> bool:
        """Whether the map can place the incident (a position, or a grid it knows): IncidentMarkers leaves the
        others out too."""
        return (inc.lon is not None and inc.lat is not None) or inc.grid_id in self.map.geo.index

    def _ranked(self) -> MarkerRanking:
        if self._rerank:
            ranking = self._ranking = MarkerRanking()
            for inc in self._open.values():
                if self._placeable(inc):
                    ranking.add(inc, bulk=True)
            self._rerank = False
        return self._ranking

    def _uncount(self, grid_id: str) -> None:
        counts = self._grid_counts
        n = counts[grid_id] - 1
        if n:
            counts[grid_id] = n
        else:
            del counts[grid_id]

    def _track(self, change: Change) -> None:
        """Apply one change's incidents to the open set and counts: cost in changed ids, not in all held."""
        if change.reset:
            self._recount()
            return
        opened, counts, held = self._open, self._grid_counts, self._held
        ranking = None if self._rerank else self._ranking
        bulk = len(change.incidents) > BULK_OVER          # a burst: appended, sorted when the markers need it
        for inc in change.incidents:
            held.add(inc.id)
            old = opened.pop(inc.id, None)
            if old is not None:
                self._uncount(old.grid_id)
                if ranking is not None:
                    ranking.discard(old)
            if inc.is_open:
                opened[inc.id] = inc
                counts[inc.grid_id] = counts.get(inc.grid_id, 0) + 1
                if ranking is not None and self._placeable(inc):
                    ranking.add(inc, bulk=bulk)
        for rid in change.removed_incidents:
            held.discard(rid)
            old = opened.pop(rid, None)
            if old is not None:
                self._uncount(old.grid_id)
                if ranking is not None:
                    ranking.discard(old)
        if change.incidents or change.removed_incidents:
            self._incidents_dirty = True

    def _on_change(self, change: Change) -> None:
        self._track(change)
        if change.territory:
            self._territory_dirty = True
        if (change.reset or change.territory or change.incidents or change.removed_incidents or change.alerts
                or change.resources or change.removed_alerts or change.removed_resources):
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
            ranking = self._ranked()
            self.map.set_incidents(ranking.top(markers.MAX_INCIDENT_MARKERS), all_open=True, ranked_total=len(ranking))
            self._incidents_dirty = False
        self.map.set_alerts(live.live_alerts(now))
        self.map.set_resources(list(live.resources.values()))
        self._dirty = False
