"""GridMap: the territory's grids coloured by live load, with incidents, alerts, resources and a legend.

One pyqtgraph ViewBox (aspect locked, no axes) holds a handful of custom items; clicks are hit-tested
here (markers in screen pixels first, then alert outlines/badges, then the grid under the point) and
come out as `*_clicked(id)` signals for the wall to open details.
"""
from __future__ import annotations

from collections.abc import Callable

import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QFont, QPainter, QTransform
from PySide6.QtWidgets import QBoxLayout, QGraphicsItem, QGraphicsView, QWidget

from ...domain.models import Alert, Incident, Resource, TerritoryNode
from ...feeds.basemap import VectorLayer
from .. import theme
from ..tiles.frame import FramedPlotWidget
from .alerts import AlertItem
from .basemap import RasterBasemap, TileLoader, VectorBasemap
from .cells import CellLayer
from .geometry import TerritoryGeometry
from .labels import LabelItem
from .legend import LegendSource, MapLegend
from .markers import IncidentMarkers, ResourceMarkers


#: a layer's hit test: map point (x, y) and the size of a pixel there (px_w, px_h) → the id under it, or None
LayerHit = Callable[[float, float, float, float], str | None]


class _MapPlot(FramedPlotWidget):
    """The map's plot widget: it paints its background around the grid raster, not under it (the raster is
    opaque), so a recolour does not pay a second full-screen fill. The map changes at most
    twice a second (the tile's flush) but the wall repaints it more often (every full repaint of the window):
    those repaints copy the last frame instead of drawing the raster, markers, alert areas and labels again."""

    _on_resize: Callable[[int], None] | None = None     # set after pyqtgraph's __init__, which resizes

    def __init__(self, cells: CellLayer, on_resize: Callable[[int], None]):
        super().__init__(background=theme.BACKGROUND)
        self._cells = cells
        self._on_resize = on_resize
        # drawBackground paints every pixel the raster does not: no background pixmap to blit, no viewport fill
        self.setCacheMode(QGraphicsView.CacheModeFlag.CacheNone)

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt naming)
        super().resizeEvent(event)
        if self._on_resize is not None:        # None while pyqtgraph resizes during __init__
            vp = self.viewport()
            self._on_resize(round(vp.width() * vp.height() * vp.devicePixelRatioF() ** 2))

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
    #: a device of a layer registered with add_hit_test: (its detail kind, its id)
    layer_clicked = Signal(str, str)
    #: the markers' scale changed with the wall's size (theme.map_marker_scale): layers of markers follow it
    marker_scale_changed = Signal(float)

    #: padding around zoom_to / reset_view rectangles, as a fraction of their size
    PADDING = 0.04

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.geo = TerritoryGeometry([])
        self._last: dict[str, tuple] = {}
        self.cells = CellLayer()
        self.resources = ResourceMarkers()     # before the plot: its first resize fits their caches
        self.incidents = IncidentMarkers()
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
        self.labels = LabelItem()
        self.cells.setZValue(0)
        for item in (self.cells, self.alerts, self.resources.item, self.incidents.item, self.labels):
            self.viewbox.addItem(item, ignoreBounds=True)

        self.vector = VectorBasemap()
        self.viewbox.addItem(self.vector, ignoreBounds=True)
        self.raster: RasterBasemap | None = None
        self._basemap_layers: list[VectorLayer] = []
        #: extra layers by name (add_layer): drawn over the grids, re-fed by their owners
        self.layers: dict[str, QGraphicsItem] = {}
        #: what the layers can be clicked on, by the detail kind they open (add_hit_test)
        self._layer_hits: dict[str, LayerHit] = {}
        self._legend_rows = 0           # rows in the key when it was last fitted to the map (refresh_legend)
        self.marker_scale = 1.0         # every marker drawn this many times its theme size (resizeEvent)

        self.legend = MapLegend()
        self._box = QBoxLayout(QBoxLayout.Direction.LeftToRight, self)
        self._box.setContentsMargins(0, 0, 0, 0)
        self._box.setSpacing(0)
        self._box.addWidget(self.plot, 1)
        self._box.addWidget(self.legend, 0)

        self.labels.obstacles = self._marker_obstacles
        self.labels.badges = self._badge_boxes
        self.plot.scene().sigMouseClicked.connect(self._on_click)
        self.viewbox.sigRangeChangedManually.connect(lambda *_: self._moving())

    def _moving(self) -> None:
        """A mouse drag or wheel: the grid raster and the basemap stretch their last image until the view rests."""
        self.cells.defer_rebuild()
        self.vector.defer_rebuild(self.cells.SETTLE_MS)

    def _marker_obstacles(self) -> tuple[tuple, list]:
        """The markers' positions and half-sizes in pixels, for the labels to keep off them; keyed by their fills."""
        key, out = [], []
        for layer in (self.incidents, self.resources):
            item = layer.item
            key.append(item.fills)
            radius = max((st.size for st in item.styles), default=10) * item.scale / 2 + 2
            out.append((item.x, item.y, radius))
        return tuple(key), out

    def _badge_boxes(self, t: QTransform) -> tuple[tuple, list[QRectF]]:
        """The alert badges in device pixels (transform `t`), for the names to keep off; keyed by what they show."""
        if not self.alerts.shapes:
            return (), []
        self.alerts.fit_font()
        bounds = QRectF(self.plot.viewport().rect())
        rects = list(self.alerts.badge_rects(t, bounds).values())
        return (self.alerts.font.pixelSize(), tuple(r.getRect() for r in rects)), rects

    # -- layers ------------------------------------------------------------------------------------
    def add_layer(self, name: str, item: QGraphicsItem, z: float = 30) -> None:
        """A layer of its own on the map (sensors, cameras…), drawn at `z` in map coordinates (km east/north of
        the territory's centre: `self.geo.proj.xy(lon, lat)`): over the grids (0) and basemap (5), alert areas
        (20) at 30 by default, under the labels (50). A layer of the same name is replaced."""
        old = self.layers.pop(name, None)
        if old is not None:
            self.viewbox.removeItem(old)
        item.setZValue(z)
        self.layers[name] = item
        self.viewbox.addItem(item, ignoreBounds=True)

    def add_hit_test(self, kind: str, hit: LayerHit) -> None:
        """Clicks on a layer's own things: `hit(x, y, px_w, px_h)` answers the id under map point (x, y) (px_w, px_h:
        the size of a pixel in map units) or None; a hit comes out as `layer_clicked(kind, id)`."""
        self._layer_hits[kind] = hit

    def add_legend_source(self, source: LegendSource) -> None:
        """A layer's rows in the key (its title and an entry per class it draws); `refresh_legend` after they change."""
        self.legend.add_source(source)
        self.refresh_legend()

    def refresh_legend(self) -> None:
        """A layer's rows changed: the key repainted, and fitted again if it gained or lost rows."""
        rows = len(self.legend.rows())
        if rows != self._legend_rows:
            self._legend_rows = rows
            self._place_legend()
        self.legend.updateGeometry()
        self.legend.update()

    def set_basemap(self, layers: list[VectorLayer], loader: TileLoader | None = None, *, gcj: bool = False) -> None:
        """Vector layers (water, roads, places) and raster tiles (a loader over MBTiles or a tile server) under
        the grids; `gcj`: the tiles are in GCJ-02."""
        self._basemap_layers = list(layers)
        if self.raster is not None:
            self.viewbox.removeItem(self.raster)
            self.raster = None
        if loader is not None:
            self.raster = RasterBasemap(loader, gcj=gcj)
            self.viewbox.addItem(self.raster, ignoreBounds=True)
        self.cells.set_translucent(theme.MAP_RASTER_GRID_ALPHA if loader is not None else 255)
        self._project_basemap()

    def _project_basemap(self) -> None:
        proj = self.geo.proj
        self.vector.set_layers(self._basemap_layers, proj)
        self.labels.set_places([(name, *proj.xy(lon, lat), rank) for lay in self._basemap_layers
                                for name, lon, lat, rank in lay.points])
        if self.raster is not None:
            self.raster.set_projection(proj, self.geo.bounds())

    # -- data --------------------------------------------------------------------------------------
    def set_territory(self, nodes: list[TerritoryNode]) -> None:
        """All levels of the hierarchy; grids are filled, streets and districts outlined heavier."""
        self.geo = TerritoryGeometry(list(nodes))
        self._last = {}
        self.cells.set_geometry(self.geo)
        self.labels.set_geometry(self.geo)
        self._project_basemap()
        self._place_legend()
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
        had_alerts, lg.alerts = lg.alerts > 0, len(self.alerts.shapes)
        if had_alerts != (lg.alerts > 0):
            self._place_legend()           # the warnings' key comes first only while the map shows warnings
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
        for layer in (self.incidents, self.resources):
            layer.fit_cache(viewport_pixels)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.vector.pixel_height = max(200, min(self.height(), self.width()))
        # markers grow with the wall and the room (twice their size on a 4K wall), so they stay readable from the seats
        scale = theme.map_marker_scale(self)
        if scale != self.marker_scale:
            self.marker_scale = scale
            self.incidents.set_scale(scale)
            self.resources.set_scale(scale)
            self.marker_scale_changed.emit(scale)
        self._place_legend()

    #: columns of the key when it sits under the map, tried in this order
    LEGEND_COLUMNS_BELOW = (3, 2, 1)

    def _legend_below(self, width: int, height: int) -> bool:
        """Set the key to the most columns (that fit `width`) and the most sections that fit `height` under the
        map; False if none fits."""
        lg = self.legend
        return any(lg.fit(columns, height) and lg.sizeHint().width() <= width for columns in self.LEGEND_COLUMNS_BELOW)

    def _place_legend(self) -> None:
        """The key beside the map or under it (in columns), whichever leaves the territory drawn larger: a tall
        tile (the 2×2 example's one-third column) gets the key underneath, so the map takes the tile's width. Its
        text is sized for the room; where the tile has no room for all of it, its less important sections go."""
        w, h = self.width(), self.height()
        if w <= 0 or h <= 0:
            return
        b = self.geo.bounds() if self.geo.count else QRectF(0, 0, 1, 1)
        bw, bh = max(b.width(), 1e-9), max(b.height(), 1e-9)
        lg = self.legend
        lg.fit_room()
        self.labels.fit_room(lg.font_px())
        side_fits = lg.fit(1, h)
        side_w = lg.sizeHint().width()
        side_shown = len(lg.shown_rows())
        side_scale = min((w - side_w) / bw, h / bh) if side_fits and side_w < w else 0.0
        below = self._legend_below(w, h // 3)
        below_scale = min(w / bw, (h - lg.sizeHint().height()) / bh) if below else 0.0
        # below when it draws the territory larger, or shows more of the key at a scale nearly as large
        if below and (below_scale > side_scale * 1.1
                      or (len(lg.shown_rows()) > side_shown and below_scale > side_scale * 0.9)):
            self._box.setDirection(QBoxLayout.Direction.TopToBottom)
        else:
            lg.fit(1, h)
            self._box.setDirection(QBoxLayout.Direction.LeftToRight)
        lg.updateGeometry()
        # lay the plot out now: a paint (a grab) before a posted relayout drew the plot at its old size
        self._box.activate()

    def painted_fonts(self) -> list[tuple[str, QFont]]:
        """(what, font) of every text the map paints as it is now: the key's, the names' and the alert badges'."""
        out = self.legend.painted_fonts() if self.legend.shown_rows() else []
        out += self.labels.painted_fonts()
        if self.alerts.shapes:
            out.append(("alert badge", QFont(self.alerts.font)))
        return out

    # -- clicks ------------------------------------------------------------------------------------
    def hit_test(self, x: float, y: float) -> tuple[str, str] | None:
        """What a click at map point (x, y) selects: ("incident"|"resource"|a layer's kind|"alert"|"grid", id) or
        None."""
        px_w, px_h = self.viewbox.viewPixelSize()
        hid = self.incidents.hit(x, y, px_w, px_h)
        if hid:
            return "incident", hid
        hid = self.resources.hit(x, y, px_w, px_h)
        if hid:
            return "resource", hid
        for kind, layer_hit in self._layer_hits.items():
            hid = layer_hit(x, y, px_w, px_h)
            if hid:
                return kind, hid
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
        own = {"incident": self.incident_clicked, "resource": self.resource_clicked,
               "alert": self.alert_clicked, "grid": self.grid_clicked}.get(kind)
        if own is not None:
            own.emit(hid)
        else:
            self.layer_clicked.emit(kind, hid)

    def map_to_widget(self, lon: float, lat: float) -> QPointF:
        """Where (lon, lat) is drawn, in the plot viewport's pixel coordinates (for tests and overlays)."""
        scene = self.viewbox.mapViewToScene(self.geo.proj.point(lon, lat))
        return QPointF(self.plot.mapFromScene(scene))
