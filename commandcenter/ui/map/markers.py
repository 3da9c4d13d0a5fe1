"""Incident markers (shape and colour by severity, drill outlined) and resource positions (shape by kind,
colour by status), as pixel-sized markers painted from numpy arrays, with a nearest-marker hit test in screen pixels."""
from __future__ import annotations

from dataclasses import dataclass
from operator import attrgetter
from typing import Any

import numpy as np
import pyqtgraph as pg
from pyqtgraph.graphicsItems.ScatterPlotItem import renderSymbol
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QImage, QPainter, QPen, QPixmap, QPixmapCache
from PySide6.QtWidgets import QGraphicsItem

from ...domain import ResourceKind, ResourceStatus, Severity
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


@dataclass(frozen=True)
class MarkerStyle:
    """How one kind of marker looks: a pyqtgraph symbol name, its size in px, its outline and its fill."""
    symbol: str
    size: float
    pen: QPen
    brush: QBrush


class MarkerItem(pg.GraphicsObject):
    """Pixel-sized markers painted from numpy arrays: each style is rendered once into an atlas and every marker
    is one fragment of it, all drawn in a single drawPixmapFragments call, in the order given (later on top).

    pyqtgraph's ScatterPlotItem styles each point separately in setData (a brush, pen and symbol per point looked
    up in its atlas), which made every map flush of a burst costly on the GUI thread. Here a re-fill only stores
    the arrays; the paint costs what the scatter item's did."""

    def __init__(self, styles: list[MarkerStyle]):
        super().__init__()
        self.styles = list(styles)
        self.x = np.zeros(0)
        self.y = np.zeros(0)
        self.style = np.zeros(0, dtype=np.intp)
        self.fills = 0                              # how many times the points were replaced (tests, benches)
        self._atlas: QPixmap | None = None
        self._atlas_dpr = 0.0
        self._rects = np.zeros((0, 4))              # atlas source rect (x, y, w, h) per style, device pixels
        self._frags = pg.Qt.internals.PrimitiveArray(QPainter.PixmapFragment, 10)
        self._data_rect = QRectF()
        self.scale = 1.0                            # markers drawn this many times their style's size
        self._pad_px = self._padding()

    def _padding(self) -> float:
        return max(((s.size + max(s.pen.widthF(), 1.0)) / 2 + 1) * self.scale for s in self.styles) \
            if self.styles else 0.0

    def set_scale(self, scale: float) -> None:
        """Draw every marker `scale` times its size (a wall seen from across the room needs larger ones)."""
        if scale == self.scale:
            return
        self.prepareGeometryChange()
        self.scale = scale
        self._pad_px = self._padding()
        self._atlas = None
        self.update()

    def set_points(self, x: np.ndarray, y: np.ndarray, style: np.ndarray) -> None:
        """Replace every marker: map coordinates and an index into `styles` per marker, in draw order."""
        self.prepareGeometryChange()
        self.x = np.asarray(x, dtype=float)
        self.y = np.asarray(y, dtype=float)
        self.style = np.asarray(style, dtype=np.intp)
        if len(self.x):
            x0, x1, y0, y1 = self.x.min(), self.x.max(), self.y.min(), self.y.max()
            self._data_rect = QRectF(x0, y0, x1 - x0, y1 - y0)
        else:
            self._data_rect = QRectF()
        self.fills += 1
        self.update()

    def viewTransformChanged(self) -> None:  # noqa: N802 (pyqtgraph naming)
        # the padding around the points is in pixels: a zoom changes the bounding rect in map units
        self.prepareGeometryChange()
        super().viewTransformChanged()

    def boundingRect(self) -> QRectF:  # noqa: N802 (Qt naming)
        if not len(self.x):
            return QRectF()
        pw, ph = self.pixelWidth(), self.pixelHeight()
        dx, dy = self._pad_px * (pw or 0.0), self._pad_px * (ph or 0.0)
        return self._data_rect.adjusted(-dx, -dy, dx, dy)

    def _atlas_at(self, dpr: float) -> QPixmap:
        """Every style rendered once at the device pixel ratio, side by side."""
        if self._atlas is not None and self._atlas_dpr == dpr:
            return self._atlas
        # rendered at dpr × scale and drawn at 1/dpr: markers `scale` times their size, sharp
        images = [renderSymbol(s.symbol, s.size, s.pen, s.brush, dpr=dpr) for s in self.styles]
        width = sum(im.width() for im in images)
        height = max(im.height() for im in images)
        atlas = QImage(width, height, QImage.Format.Format_ARGB32_Premultiplied)
        atlas.fill(Qt.GlobalColor.transparent)
        rects, left = [], 0
        p = QPainter(atlas)
        for im in images:
            im.setDevicePixelRatio(1.0)
            p.drawImage(left, 0, im)
            rects.append((left, 0, im.width(), im.height()))
            left += im.width()
        p.end()
        self._atlas, self._atlas_dpr = QPixmap.fromImage(atlas), dpr
        self._rects = np.asarray(rects, dtype=float)
        return self._atlas

    def paint(self, painter: QPainter, option, widget=None) -> None:
        n = len(self.x)
        if not n:
            return
        dpr = widget.devicePixelRatioF() if widget is not None else painter.device().devicePixelRatioF()
        atlas = self._atlas_at(dpr * self.scale)
        pts = pg.functions.transformCoordinates(painter.transform(), np.vstack([self.x, self.y]))
        pts = np.clip(pts, -2 ** 30, 2 ** 30)        # Qt misbehaves far outside int range
        painter.resetTransform()
        self._frags.resize(n)
        frags = self._frags.ndarray()
        frags[:, 0:2] = pts.T                        # fragment centre, logical pixels
        frags[:, 2:6] = self._rects[self.style]      # source rect in the atlas, device pixels
        frags[:, 6:10] = (1 / dpr, 1 / dpr, 0.0, 1.0)  # scale x, scale y, rotation, opacity
        # PySide6's stub lacks the (fragments, count, pixmap) form that pyqtgraph's PrimitiveArray gives
        painter.drawPixmapFragments(*self._frags.drawargs(), atlas)  # type: ignore[call-arg]


class _MarkerLayer:
    """A MarkerItem plus the ids needed to hit-test it and to say how each marker looks."""

    def __init__(self, z: float, styles: list[MarkerStyle]):
        self.item = MarkerItem(styles)
        self.item.setZValue(z)
        self.fit_cache(1920 * 1080)
        self.ids: list[str] = []
        self.x = np.zeros(0)
        self.y = np.zeros(0)
        self.size = np.zeros(0)

    def fit_cache(self, viewport_pixels: int) -> None:
        """Markers rarely change when the grids recolour: keep them as one cached device-pixel image — unless
        that image would not fit Qt's pixmap cache, which then drops it and re-renders it on every paint plus an
        extra blit (slower than drawing the markers directly)."""
        fits = viewport_pixels * 4 * 2 <= QPixmapCache.cacheLimit() * 1024      # incidents and resources
        mode = QGraphicsItem.CacheMode.DeviceCoordinateCache if fits else QGraphicsItem.CacheMode.NoCache
        if self.item.cacheMode() != mode:
            self.item.setCacheMode(mode)

    def _set(self, ids: list[str], x: np.ndarray, y: np.ndarray, style: np.ndarray) -> None:
        self.ids = list(ids)
        self.x = np.asarray(x, dtype=float)
        self.y = np.asarray(y, dtype=float)
        self.style_index = np.asarray(style, dtype=np.intp)
        sizes = np.asarray([s.size * self.item.scale for s in self.item.styles], dtype=float)
        self.size = sizes[self.style_index] if self.ids else np.zeros(0)
        self.item.set_points(self.x, self.y, self.style_index)

    def set_scale(self, scale: float) -> None:
        self.item.set_scale(scale)
        if self.ids:
            self._set(self.ids, self.x, self.y, self.style_index)

    def style_of(self, marker_id: str) -> MarkerStyle | None:
        """How the marker for `marker_id` is drawn (None: not shown)."""
        try:
            i = self.ids.index(marker_id)
        except ValueError:
            return None
        return self.item.styles[int(self.style_index[i])]

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
    kept: list[Any] = []
    lons: list[float] = []
    lats: list[float] = []
    cells: list[int] = []
    from_grid: list[bool] = []
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


_REPORTED = attrgetter("reported_at")


def _incident_styles() -> tuple[list[MarkerStyle], dict[tuple[Severity, bool], int]]:
    """One style per (severity, drill): shape, size and fill by severity; a drill's is larger and outlined in
    the drill colour."""
    normal, drill = _pen(theme.MAP_MARKER_OUTLINE, 1), _pen(theme.DRILL, 2.5)
    styles: list[Any] = []
    index: dict[Any, int] = {}
    for sev in Severity:
        for is_drill in (False, True):
            index[sev, is_drill] = len(styles)
            styles.append(MarkerStyle(theme.MAP_SEVERITY_MARKERS[sev],
                                      theme.MAP_SEVERITY_SIZES[sev] + (3 if is_drill else 0),
                                      drill if is_drill else normal, pg.mkBrush(theme.SEVERITY_COLOURS[sev])))
    return styles, index


def _resource_styles(size: float) -> tuple[list[MarkerStyle], dict[tuple[ResourceKind, ResourceStatus, bool], int]]:
    """One style per (kind, status, drill): shape by kind, fill by status, drill outlined in the drill colour."""
    normal, drill = _pen(theme.MAP_RESOURCE_OUTLINE, 1.5), _pen(theme.DRILL, 2.5)
    styles: list[Any] = []
    index: dict[Any, int] = {}
    for kind in ResourceKind:
        for status in ResourceStatus:
            for is_drill in (False, True):
                index[kind, status, is_drill] = len(styles)
                styles.append(MarkerStyle(theme.MAP_RESOURCE_MARKERS[kind], size, drill if is_drill else normal,
                                          pg.mkBrush(theme.RESOURCE_COLOURS[status])))
    return styles, index


class IncidentMarkers(_MarkerLayer):
    def __init__(self):
        styles, self._style_index = _incident_styles()
        super().__init__(z=40, styles=styles)
        self.total = 0          # open incidents with a position
        self.shown_by_severity: dict = {}
        self._shown_key: tuple = ()     # (id, version) of the markers drawn, in draw order

    def set_incidents(self, geo: TerritoryGeometry, incidents: list[Incident], *, all_open: bool = False,
                      ranked_total: int | None = None) -> None:
        """Show the most severe, most recent open incidents (at most MAX_INCIDENT_MARKERS).

        `all_open`: the caller passes open incidents only (the map tile keeps that set), so the status filter
        is skipped. `ranked_total`: the caller passes the top of its own ranking (most severe, then most recent,
        every one open and placeable on this geometry) and says how many it ranked in all (the map tile keeps
        that ranking from its changes). The marker item is re-filled only when the shown markers changed: a burst
        of incidents ranked below the ones shown changes the total and nothing else, and the cached marker image
        survives."""
        if ranked_total is not None:
            self.total = ranked_total
            ranked = incidents
        else:
            ranked = self._rank(geo, incidents, all_open)
        kept, x, y, _ = _place(geo, ranked[:MAX_INCIDENT_MARKERS])
        self._show(kept, x, y)

    def _rank(self, geo: TerritoryGeometry, incidents: list[Incident], all_open: bool) -> list[Incident]:
        """The open incidents the map can place, most severe first, then most recent; sets `total`."""
        # most severe, most recent kept, least severe drawn first (worst on top); grouping by the four severities
        # sorts only the groups that fill the markers, not every open incident of a burst
        index = geo.index
        by_severity: dict = {}
        for i in incidents:
            if (all_open or i.status.is_open) and ((i.lon is not None and i.lat is not None) or i.grid_id in index):
                group = by_severity.get(i.severity)
                if group is None:
                    group = by_severity[i.severity] = []
                group.append(i)
        self.total = sum(len(group) for group in by_severity.values())
        ranked: list = []
        for severity in sorted(by_severity, reverse=True):
            if len(ranked) >= MAX_INCIDENT_MARKERS:
                break
            group = by_severity[severity]
            group.sort(key=_REPORTED, reverse=True)         # stable: equal times keep their order, as before
            ranked.extend(group)
        return ranked

    def _show(self, kept: list[Incident], x: np.ndarray, y: np.ndarray) -> None:
        placed, x, y = kept[::-1], x[::-1], y[::-1]
        key = tuple((i.id, i.version) for i in placed)
        if key == self._shown_key and len(key) == len(self.ids):
            return
        self._shown_key = key
        self.shown_by_severity = {}
        for inc in placed:
            self.shown_by_severity[inc.severity] = self.shown_by_severity.get(inc.severity, 0) + 1
        index = self._style_index
        self._set([i.id for i in placed], x, y,
                  np.fromiter((index[i.severity, bool(i.drill_id)] for i in placed), dtype=np.intp, count=len(placed)))


class ResourceMarkers(_MarkerLayer):
    SIZE = 11

    def __init__(self):
        styles, self._style_index = _resource_styles(self.SIZE)
        super().__init__(z=35, styles=styles)
        self.count_by_kind: dict = {}

    def set_resources(self, geo: TerritoryGeometry, resources: list[Resource]) -> None:
        placed, x, y, _ = _place(geo, resources)
        self.count_by_kind = {}
        for r in placed:
            self.count_by_kind[r.kind] = self.count_by_kind.get(r.kind, 0) + 1
        index = self._style_index
        self._set([r.id for r in placed], x, y,
                  np.fromiter((index[r.kind, r.status, bool(r.drill_id)] for r in placed), dtype=np.intp,
                              count=len(placed)))
