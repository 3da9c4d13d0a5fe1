"""Incident markers (shape and colour by severity, drill outlined) and resource positions (shape by kind,
colour by status), as pixel-sized scatter items, with a nearest-marker hit test in screen pixels."""
from __future__ import annotations

from operator import attrgetter

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QColor, QPen, QPixmapCache
from PySide6.QtWidgets import QGraphicsItem

from ...domain.models import Incident, Resource
from .. import theme
from .geometry import TerritoryGeometry

#: Most severe (then most recent) incidents drawn; the legend says how many were left off.
MAX_INCIDENT_MARKERS = 2000
#: Extra pixels around a marker that still count as a click on it.
HIT_SLOP_PX = 3.0


def _pen(colour: QColor, width: float) -> QPen:
    pen = QPen(colour, width)
    pen.setCosmetic(True)
    return pen


class _MarkerLayer:
    """A ScatterPlotItem plus the arrays needed to hit-test it."""

    def __init__(self, z: float):
        self.item = pg.ScatterPlotItem(pxMode=True, hoverable=False)
        self.item.setZValue(z)
        self.fit_cache(1920 * 1080)
        self.ids: list[str] = []
        self.x = np.zeros(0)
        self.y = np.zeros(0)
        self.size = np.zeros(0)

    def fit_cache(self, viewport_pixels: int) -> None:
        """Markers rarely change when the grids recolour: keep them as one cached device-pixel image (1-2.5 ms
        saved per recolour at 1920×1080 with 2,000 markers) — unless that image would not fit Qt's pixmap
        cache, which then drops it and re-renders it on every paint plus an extra blit: at 3840×2160 the
        cache made a repaint 27 ms instead of 19 ms drawing the markers directly."""
        fits = viewport_pixels * 4 * 2 <= QPixmapCache.cacheLimit() * 1024      # incidents and resources
        mode = QGraphicsItem.CacheMode.DeviceCoordinateCache if fits else QGraphicsItem.CacheMode.NoCache
        if self.item.cacheMode() != mode:
            self.item.setCacheMode(mode)

    def _set(self, ids, x, y, symbols, sizes, brushes, pens) -> None:
        self.ids = list(ids)
        self.x = np.asarray(x, dtype=float)
        self.y = np.asarray(y, dtype=float)
        self.size = np.asarray(sizes, dtype=float)
        if self.ids:
            self.item.setData(x=self.x, y=self.y, symbol=list(symbols), size=self.size, brush=list(brushes),
                              pen=list(pens), data=self.ids)
        else:
            self.item.clear()

    def hit(self, x: float, y: float, px_w: float, px_h: float) -> str | None:
        """Id of the topmost marker under view point (x, y); px_w/px_h: view units per pixel."""
        if not self.ids or px_w <= 0 or px_h <= 0:
            return None
        d = np.hypot((self.x - x) / px_w, (self.y - y) / px_h)
        ok = d <= self.size / 2 + HIT_SLOP_PX
        if not ok.any():
            return None
        cand = np.nonzero(ok)[0]
        # nearest; on a tie the later one (drawn on top) wins
        best = cand[np.lexsort((-cand, d[cand]))[0]]
        return self.ids[int(best)]


def _place(geo: TerritoryGeometry, records, limit: int | None = None) -> tuple[list, np.ndarray, np.ndarray, int]:
    """The first `limit` records that have a position (their lon/lat, else their grid's centre), their map
    x, y, and how many records in all have a position."""
    kept, lons, lats, cells, from_grid = [], [], [], [], []
    index = geo.index
    total = 0
    for r in records:
        if limit is not None and len(kept) >= limit:
            total += (r.lon is not None and r.lat is not None) or r.grid_id in index
            continue
        if r.lon is not None and r.lat is not None:
            kept.append(r)
            lons.append(r.lon)
            lats.append(r.lat)
            cells.append(0)
            from_grid.append(False)
        else:
            i = index.get(r.grid_id)
            if i is not None:
                kept.append(r)
                lons.append(0.0)
                lats.append(0.0)
                cells.append(i)
                from_grid.append(True)
    x, y = geo.proj.xy(np.asarray(lons, dtype=float), np.asarray(lats, dtype=float))
    if any(from_grid):
        g = np.asarray(from_grid)
        c = np.asarray(cells)[g]
        x[g] = geo.cx[c]
        y[g] = geo.cy[c]
    return kept, x, y, total + len(kept)


_RANK = attrgetter("severity", "reported_at")


class IncidentMarkers(_MarkerLayer):
    def __init__(self):
        super().__init__(z=40)
        self.total = 0          # open incidents with a position
        self.shown_by_severity: dict = {}
        self._shown_key: tuple = ()     # (id, version) of the markers drawn, in draw order

    def set_incidents(self, geo: TerritoryGeometry, incidents: list[Incident], *, all_open: bool = False) -> None:
        """Show the most severe, most recent open incidents (at most MAX_INCIDENT_MARKERS).

        `all_open`: the caller passes open incidents only (the map tile keeps that set), so the status filter
        is skipped. The scatter item is re-filled only when the shown markers changed: a burst of incidents
        ranked below the ones shown changes the total and nothing else (re-filling 2,000 styled points costs
        tens of ms on the GUI thread)."""
        open_ = list(incidents) if all_open else [i for i in incidents if i.status.is_open]
        # keep the most severe, most recent; then draw least severe first so the worst is on top
        open_.sort(key=_RANK, reverse=True)
        kept, x, y, self.total = _place(geo, open_, MAX_INCIDENT_MARKERS)
        placed, x, y = kept[::-1], x[::-1], y[::-1]
        key = tuple((i.id, i.version) for i in placed)
        if key == self._shown_key and len(key) == len(self.ids):
            return
        self._shown_key = key
        brushes = {s: pg.mkBrush(c) for s, c in theme.SEVERITY_COLOURS.items()}
        normal, drill = _pen(theme.MAP_MARKER_OUTLINE, 1), _pen(theme.DRILL, 2.5)
        self.shown_by_severity = {}
        for inc in placed:
            self.shown_by_severity[inc.severity] = self.shown_by_severity.get(inc.severity, 0) + 1
        self._set(
            [i.id for i in placed], x, y,
            [theme.MAP_SEVERITY_MARKERS[i.severity] for i in placed],
            [theme.MAP_SEVERITY_SIZES[i.severity] + (3 if i.drill_id else 0) for i in placed],
            [brushes[i.severity] for i in placed],
            [drill if i.drill_id else normal for i in placed],
        )


class ResourceMarkers(_MarkerLayer):
    SIZE = 11

    def __init__(self):
        super().__init__(z=35)
        self.count_by_kind: dict = {}

    def set_resources(self, geo: TerritoryGeometry, resources: list[Resource]) -> None:
        placed, x, y, _ = _place(geo, resources)
        self.count_by_kind = {}
        for r in placed:
            self.count_by_kind[r.kind] = self.count_by_kind.get(r.kind, 0) + 1
        normal, drill = _pen(theme.MAP_RESOURCE_OUTLINE, 1.5), _pen(theme.DRILL, 2.5)
        brushes = {s: pg.mkBrush(c) for s, c in theme.RESOURCE_COLOURS.items()}
        self._set(
            [r.id for r in placed], x, y,
            [theme.MAP_RESOURCE_MARKERS[r.kind] for r in placed],
            [self.SIZE] * len(placed),
            [brushes[r.status] for r in placed],
            [drill if r.drill_id else normal for r in placed],
        )
