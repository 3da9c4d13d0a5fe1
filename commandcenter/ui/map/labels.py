"""Names that appear as you zoom in: districts when zoomed out, streets at middle zoom, grids once few are in view;
the basemap's place names (river, lake, places of its own) fill the gaps.

Drawn in screen pixels (they don't grow with the zoom) as plain static text with a dark halo, sized for the room like
every other text on the wall (theme.MAP_LABEL_ARCMIN through theme.text_pixel_size), never smaller: where there is no
room for a name at that size it is left out. Decluttered by priority: alert badges first (no name ever covers one),
then markers (incidents, resources: a grid or basemap name keeps off them; district and street names may cover
them), then the names, each only where no name placed before it lies.
"""
from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QFont, QFontMetricsF, QPainter, QStaticText, QTransform

from ...domain import TerritoryLevel
from .. import theme
from .alerts import plain
from .geometry import TerritoryGeometry

#: Grid names are drawn when at most this many grids have their centre in view.
GRID_LABEL_MAX_VISIBLE = 300
#: Street names are drawn when at most this many grids are in view (and grid names are not).
STREET_LABEL_MAX_VISIBLE_GRIDS = 2500
MAX_LABEL_CHARS = 16
#: the basemap's names tried per view, largest first (the rest would mostly collide anyway)
MAX_PLACE_CANDIDATES = 80
_BUCKET = 96.0   # px: label collision buckets
#: the room kept free around an alert badge, against its height (a name right beside it read as part of it)
BADGE_MARGIN = 0.4


class LabelItem(pg.GraphicsObject):
    def __init__(self):
        super().__init__()
        self.setZValue(50)
        self.geo: TerritoryGeometry | None = None
        self._rect = QRectF()
        #: each kind of name's font size in pixels (fit_room)
        self.font_px: dict[str, int] = {kind: 14 for kind in theme.MAP_LABEL_ARCMIN}
        self._streets: list[tuple[str, str, float, float]] = []
        self._districts: list[tuple[str, str, float, float]] = []
        self._cache: dict[tuple[str, int], QStaticText] = {}
        #: what the last paint drew: {"grid": [...ids], "street": [...], "district": [...]}
        self.drawn: dict[str, list[str]] = {"grid": [], "street": [], "district": [], "place": []}
        self._placed_key: tuple | None = None         # what the placements below were made for
        self._placements: list = []
        self.placements_made = 0                      # how many times labels were placed (tests)
        self._places: list[tuple[str, float, float, int]] = []   # basemap names: (name, x, y, rank 1 = largest)
        #: where markers are, for labels to keep off them: () -> (key, [(x array, y array, radius px)]) in map
        #: coordinates; the key changes when the markers do
        self.obstacles: Callable[[], tuple[tuple, list[tuple[np.ndarray, np.ndarray, float]]]] | None = None
        #: the alert badges, which no name may cover: (device transform) -> (key, [badge rect in device pixels]);
        #: the key changes when the badges do
        self.badges: Callable[[QTransform], tuple[tuple, list[QRectF]]] | None = None

    def set_places(self, places: list[tuple[str, float, float, int]]) -> None:
        """The basemap's named points, in map coordinates."""
        self._places = [(name, float(x), float(y), int(rank)) for name, x, y, rank in places]
        self._placed_key = None
        self.update()

    def set_geometry(self, geo: TerritoryGeometry) -> None:
        self.prepareGeometryChange()
        self.geo = geo
        self._rect = geo.bounds()
        self._streets = geo.group_anchors(TerritoryLevel.STREET)
        self._districts = geo.group_anchors(TerritoryLevel.DISTRICT)
        self._cache = {}
        self._placed_key = None
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

    def fit_room(self, min_px: int) -> None:
        """Each kind of name at its angle from the room's farthest seat (theme.MAP_LABEL_ARCMIN), given the font size
        in pixels of the minimum angle on the map's window (the map sets it when resized, never while painting)."""
        sizes = {kind: math.ceil(min_px * arcmin / theme.TEXT_MIN_ARCMIN - 1e-6)
                 for kind, arcmin in theme.MAP_LABEL_ARCMIN.items()}
        if sizes != self.font_px:
            self.font_px = sizes
            self.update()

    def _font(self, kind: str) -> QFont:
        f = QFont(theme.FONT_FAMILY)
        f.setPixelSize(self.font_px[kind])
        f.setBold(kind not in ("grid", "place"))
        f.setItalic(kind == "place")
        return f

    def painted_fonts(self) -> list[tuple[str, QFont]]:
        """(what, font) of the names the last paint drew, one per kind."""
        return [(f"map {placed[0][0]} name", QFont(font)) for font, _pen, placed in self._placements if placed]

    def _static(self, key: str, text: str, font: QFont) -> QStaticText:
        size = font.pixelSize()
        st = self._cache.get((key, size))
        if st is None:
            st = QStaticText(plain(text, MAX_LABEL_CHARS))
            st.setTextFormat(Qt.TextFormat.PlainText)
            st.prepare(QTransform(), font)          # lays it out now, so size() is right before drawing
            self._cache[(key, size)] = st
        return st

    @staticmethod
    def _take(box: QRectF, into: dict[tuple[int, int], list[QRectF]]) -> None:
        """Put `box` into the buckets it covers (a coarse grid, so a test looks at the boxes nearby only)."""
        b = _BUCKET
        for i in range(int(box.left() // b), int(box.right() // b) + 1):
            for j in range(int(box.top() // b), int(box.bottom() // b) + 1):
                into.setdefault((i, j), []).append(box)

    def _free(self, box: QRectF, *, markers: bool = True) -> bool:
        """True (and the box is taken) if nothing placed so far (badges, names) overlaps it, nor (`markers`) a
        marker."""
        b = _BUCKET
        keys = [(i, j) for i in range(int(box.left() // b), int(box.right() // b) + 1)
                for j in range(int(box.top() // b), int(box.bottom() // b) + 1)]
        for buckets in (self._placed, self._markers) if markers else (self._placed,):
            for k in keys:
                for r in buckets.get(k, ()):
                    if box.intersects(r):
                        return False
        self._take(box, self._placed)
        return True

    def paint(self, p: QPainter, *args) -> None:
        vb = self.getViewBox()
        if self.geo is None or vb is None or not self.geo.count:
            self.drawn = {"grid": [], "street": [], "district": [], "place": []}
            return
        view = vb.viewRect()
        t = p.transform()
        # where the labels go depends on the view, the zoom and the font size only: a recolour or new markers (twice
        # a second in a burst) redraw the labels placed last time instead of placing them again (half their cost)
        obstacles = self.obstacles() if self.obstacles is not None else ((), [])
        badges = self.badges(t) if self.badges is not None else ((), [])
        key = (view.getRect(), (t.m11(), t.m12(), t.m21(), t.m22(), t.dx(), t.dy()), tuple(self.font_px.values()),
               id(self.geo), obstacles[0], badges[0], len(self._places))
        if key != self._placed_key:
            self._placements = self._place_all(view, t, obstacles[1], badges[1])
            self.placements_made += 1
            self._placed_key = key
        p.save()
        p.resetTransform()
        p.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
        halo = theme.MAP_LABEL_HALO
        for font, pen, placed in self._placements:
            p.setFont(font)
            for kind, top_left, box, st in placed:
                if kind not in ("grid", "place"):
                    p.fillRect(box, halo)
                else:
                    p.setPen(halo)
                    p.drawStaticText(top_left + QPointF(1, 1), st)
                p.setPen(pen)
                p.drawStaticText(top_left, st)
        p.restore()

    def _block_markers(self, t: QTransform, bounds: QRectF, obstacles) -> None:
        """Take the boxes of the markers in view, so no label is placed on one."""
        for xs, ys, radius in obstacles:
            if not len(xs):
                continue
            px = t.m11() * xs + t.m21() * ys + t.dx()
            py = t.m12() * xs + t.m22() * ys + t.dy()
            inside = (px >= bounds.left()) & (px <= bounds.right()) & (py >= bounds.top()) & (py <= bounds.bottom())
            for x, y in zip(px[inside].tolist(), py[inside].tolist(), strict=True):
                self._take(QRectF(x - radius, y - radius, 2 * radius, 2 * radius), self._markers)

    def _place_all(self, view: QRectF, t: QTransform, obstacles=(), badges: list[QRectF] | None = None) -> list:
        """[(font, text colour, [(kind, top left, halo box, static text)])] for the view: each zoom shows two levels
        of names; the finer one is placed first, the coarser fills the gaps, the basemap's names last. Fills
        `drawn`."""
        self.drawn = {"grid": [], "street": [], "district": [], "place": []}
        visible = self.visible_grids(view)
        tier = self.tier(len(visible))
        self._placed: dict[tuple[int, int], list[QRectF]] = {}
        self._markers: dict[tuple[int, int], list[QRectF]] = {}
        for badge in badges or ():                 # alert badges come first: no name covers one, nor touches it
            m = badge.height() * BADGE_MARGIN
            self._take(badge.adjusted(-m, -m, m, m), self._placed)
        self._block_markers(t, t.mapRect(view), obstacles)
        in_view = lambda anchors: [a for a in anchors if view.contains(QPointF(a[2], a[3]))]  # noqa: E731
        if tier == "grid":
            g = self.geo
            assert g is not None, "set_geometry comes first"
            kinds = [("grid", [(g.ids[i], g.names[i], g.cx[i], g.cy[i]) for i in visible.tolist()]),
                     ("street", in_view(self._streets))]
        elif tier == "street":
            # the few district names first: at this zoom they are what places a street in the city
            kinds = [("district", in_view(self._districts)), ("street", in_view(self._streets))]
        else:
            kinds = [("district", in_view(self._districts))]
        bounds = t.mapRect(view)
        out = [self._place(t, kind, anchors, bounds) for kind, anchors in kinds]
        max_rank = {"grid": 3, "street": 2, "district": 1}[tier]
        nodes = self.geo.nodes if self.geo is not None else {}
        named = {nodes[n].name for ids in self.drawn.values() for n in ids if n in nodes}
        places = [(f"place:{name}", name, x, y) for name, x, y, rank in sorted(self._places, key=lambda p: p[3])
                  if rank <= max_rank and name not in named and view.contains(QPointF(x, y))]
        if places:
            out.append(self._place(t, "place", places[:MAX_PLACE_CANDIDATES], bounds))
        return out

    def _place(self, t: QTransform, kind: str, anchors, bounds: QRectF) -> tuple:
        """A name centred on its node, moved inside `bounds` (the view in pixels) when it would cross an edge: a
        grid at the map's edge keeps its whole name instead of losing its first characters to the frame."""
        font = self._font(kind)
        fm = QFontMetricsF(font)
        placed = []
        for nid, name, x, y in anchors:
            st = self._static(nid, name, font)
            w, h = st.size().width(), fm.height()
            c = t.map(QPointF(x, y))
            if w + 6 > bounds.width() or h + 2 > bounds.height():
                continue
            left = min(max(c.x() - w / 2, bounds.left() + 3), bounds.right() - w - 3)
            # grid and basemap names keep off markers: centred, else just below or above a marker on the centre;
            # district and street names may cover markers (they are few and say where everything is)
            off_markers = kind in ("grid", "place")
            for dy in ((0.0, h * 1.1, -h * 1.1) if off_markers else (0.0,)):
                top = min(max(c.y() - h / 2 + dy, bounds.top() + 1), bounds.bottom() - h - 1)
                top_left = QPointF(left, top)
                box = QRectF(top_left.x() - 3, top_left.y() - 1, w + 6, h + 2)
                if self._free(box, markers=off_markers):
                    break
            else:
                continue
            placed.append((kind, top_left, box, st))
            self.drawn[kind].append(nid)
        colour = {"street": theme.TEXT_DIM.lighter(130), "place": theme.MAP_PLACE_TEXT}.get(kind, theme.TEXT)
        return font, colour, placed
