"""GridMap: the territory's grids coloured by live load, with incidents, alerts, resources and a legend.

One pyqtgraph ViewBox (aspect locked, no axes) holds a handful of custom items; clicks are hit-tested
here (markers in screen pixels first, then alert outlines/badges, then the grid under the point) and
come out as `*_clicked(id)` signals for the wall to open details.
"""
from __future__ import annotations

from collections.abc import Callable

import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QGraphicsView, QHBoxLayout, QWidget

from ...domain.models import Alert, Incident, Resource, TerritoryNode
from .. import theme
from ..tiles.frame import FramedPlotWidget
from .alerts import AlertItem
from .cells import CellLayer
from .geometry import TerritoryGeometry
from .labels import LabelItem
from .legend import MapLegend
from .markers import IncidentMarkers, ResourceMarkers


class _MapPlot(FramedPlotWidget):
    """The map's plot widget: it paints its background around the grid raster, not under it (the raster is
    opaque), so a recolour does not pay a second full-screen fill. The map changes at most
    twice a second (the tile's flush) but the wall repaints it more often (every full repaint of the window):
    those repaints copy the last frame instead of drawing the raster, markers, alert areas and labels again."""

    def __init__(self, cells: CellLayer, on_resize: Callable[[int], None]):
        super().__init__(background=theme.BACKGROUND)
        self._cells = cells
        self._on_resize = on_resize
        # drawBackground paints every pixel the raster does not: no background pixmap to blit, no viewport fill
        self.setCacheMode(QGraphicsView.CacheModeFlag.CacheNone)

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt naming)
        super().resizeEvent(event)
        on_resize = getattr(self, "_on_resize", None)        # pyqtgraph resizes during __init__
        if on_resize is not None:
            vp = self.viewport()
            on_resize(round(vp.width() * vp.height() * vp.devicePixelRatioF() ** 2))

    def drawBackground(self, painter: QPainter, rect: QRectF) -> None:  # noqa: N802 (Qt naming)
        hole = self._cells.opaque_scene_rect()
        if hole is None or not hole.intersects(rect):
            painter.fillRect(rect, theme.BACKGROUND)
            return
        hole = hole.intersected(rect)
        for band in (QRectF(rect.left(), rect.top(), rect.width(), hole.top() - rect.top()),
                     QRectF(rect.left(), hole.bottom(), rect.width(), rect.bottom() - hole.bottom()),
                     QRectF(rect.left(), hole.top(), hole.left() - rect.left(), hole.height()),
                     QRectF(hole.right(), hole.top(), rect.right() - hole.right(), hole.height())):
            if band.width() > 0 and band.height() > 0:
                painter.fillRect(band, theme.BACKGROUND)


class GridMap(QWidget):
    grid_clicked = Signal(str)
    incident_clicked = Signal(str)
    alert_clicked = Signal(str)
    resource_clicked = Signal(str)

    #: padding around zoom_to / reset_view rectangles, as a fraction of their size
    PADDING = 0.04

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.geo = TerritoryGeometry([])
        self._last: dict[str, tuple] = {}
        self.cells = CellLayer()
        self.plot = _MapPlot(self.cells, self._fit_marker_caches)
        self.plot.setAntialiasing(False)
        pi = self.plot.getPlotItem()
        pi.hideAxis("left")
        pi.hideAxis("bottom")
        pi.hideButtons()
        pi.setMenuEnabled(False)
        pi.layout.setContentsMargins(0, 0, 0, 0)
        self.viewbox: pg.ViewBox = pi.getViewBox()
        self.viewbox.setAspectLocked(True, ratio=1.0)
        self.viewbox.enableAutoRange(enable=False)
        self.viewbox.setDefaultPadding(0.0)
        self.plot.setFrameStyle(0)

        self.alerts = AlertItem()
        self.resources = ResourceMarkers()
        self.incidents = IncidentMarkers()
        self.labels = LabelItem()
        self.cells.setZValue(0)
        for item in (self.cells, self.alerts, self.resources.item, self.incidents.item, self.labels):
            self.viewbox.addItem(item, ignoreBounds=True)

        self.legend = MapLegend()
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        lay.addWidget(self.plot, 1)
        lay.addWidget(self.legend, 0)

        self.plot.scene().sigMouseClicked.connect(self._on_click)
        self.viewbox.sigRangeChangedManually.connect(lambda *_: self.cells.defer_rebuild())

    # -- data --------------------------------------------------------------------------------------
    def set_territory(self, nodes: list[TerritoryNode]) -> None:
        """All levels of the hierarchy; grids are filled, streets and districts outlined heavier."""
        self.geo = TerritoryGeometry(list(nodes))
        self._last = {}
        self.cells.set_geometry(self.geo)
        self.labels.set_geometry(self.geo)
        self.alerts.set_alerts(self.geo, [])
        self.incidents.set_incidents(self.geo, [])
        self.resources.set_resources(self.geo, [])
        self._update_legend()
        self.reset_view()

    def set_load(self, open_per_grid: dict[str, int]) -> None:
        """Recolour every grid by its open events (grids not in the dict have none)."""
        self.cells.set_load(open_per_grid)
        self.legend.step_counts = self.cells.step_counts()
        self.legend.update()

    # The tile re-sends everything on each flush; an unchanged list (same ids and versions) is not redrawn,
    # so the cached marker images survive a recolour.
    def _unchanged(self, kind: str, records) -> bool:
        key = tuple((r.id, r.version) for r in records)
        if self._last.get(kind) == key:
            return True
        self._last[kind] = key
        return False

    def set_incidents(self, incidents: list[Incident], *, all_open: bool = False,
                      ranked_total: int | None = None) -> None:
        """`all_open`: every record given is open (the map tile's own set), no status filter needed.
        `ranked_total`: the records are the top of the caller's ranking of this many (IncidentMarkers). The marker
        layer itself skips re-filling when the markers it would show are the ones shown."""
        self.incidents.set_incidents(self.geo, incidents, all_open=all_open, ranked_total=ranked_total)
        self._update_legend()

    def set_alerts(self, alerts: list[Alert]) -> None:
        alerts = list(alerts)
        if self._unchanged("alerts", alerts):
            return
        self.alerts.set_alerts(self.geo, alerts)
        self._update_legend()

    def set_resources(self, resources: list[Resource]) -> None:
        resources = list(resources)
        if self._unchanged("resources", resources):
            return
        self.resources.set_resources(self.geo, resources)
        self._update_legend()

    def _update_legend(self) -> None:
        lg = self.legend
        lg.step_counts = self.cells.step_counts() if self.geo.count else [0] * len(theme.LOAD_RAMP)
        lg.incidents_total = self.incidents.total
        lg.incidents_shown = dict(self.incidents.shown_by_severity)
        lg.resources_by_kind = dict(self.resources.count_by_kind)
        lg.alerts = len(self.alerts.shapes)
        lg.updateGeometry()
        lg.update()

    # -- view --------------------------------------------------------------------------------------
    def view_rect(self) -> QRectF:
        """The visible area in map coordinates (km east/north of the territory's centre)."""
        return self.viewbox.viewRect()

    def reset_view(self) -> None:
        self.viewbox.setRange(rect=self.geo.bounds(), padding=self.PADDING)

    def zoom_to(self, node_id: str) -> bool:
        """Frame a territory node (grid, community, street, district…). False if unknown."""
        rect = self.geo.node_rect(node_id)
        if rect is None:
            return False
        self.viewbox.setRange(rect=rect, padding=self.PADDING * 2)
        return True

    def zoom_by(self, factor: float) -> None:
        """factor > 1 zooms in (2 = twice as close), < 1 zooms out; about the view's centre."""
        if factor > 0:
            self.viewbox.scaleBy((1 / factor, 1 / factor))

    def pan_by(self, dx: float, dy: float) -> None:
        """Move the view by fractions of its own size: (0.25, 0) shows what lies a quarter-screen east;
        positive dy moves north."""
        r = self.viewbox.viewRect()
        self.viewbox.translateBy(x=dx * r.width(), y=dy * r.height())

    def _fit_marker_caches(self, viewport_pixels: int) -> None:
        for layer in (getattr(self, "incidents", None), getattr(self, "resources", None)):
            if layer is not None:
                layer.fit_cache(viewport_pixels)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.labels.pixel_height = max(200, self.height())
        self.legend.fit_height(theme.scaled_point_size(self.height(), 0.55), self.height())

    # -- clicks ------------------------------------------------------------------------------------
    def hit_test(self, x: float, y: float) -> tuple[str, str] | None:
        """What a click at map point (x, y) selects: ("incident"|"resource"|"alert"|"grid", id) or None."""
        px_w, px_h = self.viewbox.viewPixelSize()
        hid = self.incidents.hit(x, y, px_w, px_h)
        if hid:
            return "incident", hid
        hid = self.resources.hit(x, y, px_w, px_h)
        if hid:
            return "resource", hid
        hid = self.alerts.hit(x, y)
        if hid:
            return "alert", hid
        hid = self.geo.grid_at(x, y)
        if hid:
            return "grid", hid
        return None

    def _on_click(self, ev) -> None:
        if ev.button() != Qt.MouseButton.LeftButton or ev.double():
            return
        pos = ev.scenePos()
        if not self.viewbox.sceneBoundingRect().contains(pos):
            return
        p: QPointF = self.viewbox.mapSceneToView(pos)
        hit = self.hit_test(p.x(), p.y())
        if hit is None:
            return
        kind, hid = hit
        {"incident": self.incident_clicked, "resource": self.resource_clicked,
         "alert": self.alert_clicked, "grid": self.grid_clicked}[kind].emit(hid)

    def map_to_widget(self, lon: float, lat: float) -> QPointF:
        """Where (lon, lat) is drawn, in the plot viewport's pixel coordinates (for tests and overlays)."""
        scene = self.viewbox.mapViewToScene(self.geo.proj.point(lon, lat))
        return QPointF(self.plot.mapFromScene(scene))
