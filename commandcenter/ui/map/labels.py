"""Names that appear as you zoom in: districts always, streets at middle zoom, grids once few are in view.

Drawn in screen pixels (they don't grow with the zoom) as plain static text with a dark halo.
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QFont, QFontMetricsF, QPainter, QStaticText

from ...domain import TerritoryLevel
from .. import theme
from .alerts import plain
from .geometry import TerritoryGeometry

#: Grid names are drawn when at most this many grids have their centre in view.
GRID_LABEL_MAX_VISIBLE = 300
#: Street names are drawn when at most this many grids are in view (and grid names are not).
STREET_LABEL_MAX_VISIBLE_GRIDS = 2500
MAX_LABEL_CHARS = 16


class LabelItem(pg.GraphicsObject):
    def __init__(self):
        super().__init__()
        self.setZValue(50)
        self.geo: TerritoryGeometry | None = None
        self._rect = QRectF()
        self._streets: list[tuple[str, str, float, float]] = []
        self._districts: list[tuple[str, str, float, float]] = []
        self._cache: dict[tuple[str, int], QStaticText] = {}
        self.pixel_height = 540        # set by the map from its viewport height: fonts scale with it
        #: what the last paint drew: {"grid": [...ids], "street": [...], "district": [...]}
        self.drawn: dict[str, list[str]] = {"grid": [], "street": [], "district": []}

    def set_geometry(self, geo: TerritoryGeometry) -> None:
        self.prepareGeometryChange()
        self.geo = geo
        self._rect = geo.bounds()
        self._streets = geo.group_anchors(TerritoryLevel.STREET)
        self._districts = geo.group_anchors(TerritoryLevel.DISTRICT)
        self._cache = {}
        self.update()

    def visible_grids(self, view_rect: QRectF) -> np.ndarray:
        return self.geo.in_rect(view_rect) if self.geo is not None else np.zeros(0, np.int64)

    def tier(self, n_visible: int) -> str:
        if n_visible <= GRID_LABEL_MAX_VISIBLE:
            return "grid"
        if n_visible <= STREET_LABEL_MAX_VISIBLE_GRIDS:
            return "street"
        return "district"

    def boundingRect(self) -> QRectF:
        return self._rect

    def _font(self, kind: str) -> QFont:
        factor = {"grid": 0.36, "street": 0.5, "district": 0.7}[kind]
        f = QFont(theme.FONT_FAMILY)
        f.setPointSize(theme.scaled_point_size(self.pixel_height, factor))
        f.setBold(kind != "grid")
        return f

    def _static(self, key: str, text: str, size: int) -> QStaticText:
        st = self._cache.get((key, size))
        if st is None:
            st = QStaticText(plain(text, MAX_LABEL_CHARS))
            st.setTextFormat(Qt.TextFormat.PlainText)
            self._cache[(key, size)] = st
        return st

    def paint(self, p: QPainter, *args) -> None:
        self.drawn = {"grid": [], "street": [], "district": []}
        vb = self.getViewBox()
        if self.geo is None or vb is None or not self.geo.count:
            return
        view = vb.viewRect()
        visible = self.visible_grids(view)
        tier = self.tier(len(visible))
        t = p.transform()
        p.save()
        p.resetTransform()
        p.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
        if tier == "grid":
            g = self.geo
            self._draw(p, t, "grid", [(g.ids[i], g.names[i], g.cx[i], g.cy[i]) for i in visible.tolist()])
        if tier in ("grid", "street"):
            self._draw(p, t, "street", [a for a in self._streets if view.contains(QPointF(a[2], a[3]))])
        self._draw(p, t, "district", [a for a in self._districts if view.contains(QPointF(a[2], a[3]))])
        p.restore()

    def _draw(self, p: QPainter, t, kind: str, anchors) -> None:
        font = self._font(kind)
        p.setFont(font)
        fm = QFontMetricsF(font)
        size = font.pointSize()
        halo = theme.MAP_LABEL_HALO
        for nid, name, x, y in anchors:
            st = self._static(nid, name, size)
            w, h = st.size().width(), fm.height()
            c = t.map(QPointF(x, y))
            top_left = QPointF(c.x() - w / 2, c.y() - h / 2)
            if kind != "grid":
                p.fillRect(QRectF(top_left.x() - 3, top_left.y() - 1, w + 6, h + 2), halo)
            else:
                p.setPen(halo)
                p.drawStaticText(top_left + QPointF(1, 1), st)
            p.setPen(theme.TEXT if kind != "street" else theme.TEXT_DIM.lighter(130))
            p.drawStaticText(top_left, st)
            self.drawn[kind].append(nid)
