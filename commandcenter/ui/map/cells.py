"""Grid fills coloured by load, with grid, street and district boundaries: one cached raster.

Filling thousands of polygons through QPainter and stroking their outlines on every repaint is too slow for
a wall (figures in docs/benchmarks.md). Instead, whenever the view changes, the layer paints
once an *index raster*: each viewport pixel holds the index of the grid under it, or a code for the
background or a boundary line. Recolouring is then a numpy lookup of one colour per run of equal codes
(the raster is kept run-length encoded, row by row) repeated into an RGB32 image, and a repaint is one image blit.

The index raster is painted in two passes of grouped paths (grids grouped by the low byte of their index,
then by the high byte), so building it costs about two path fills instead of one QPainter call per grid.
While the view is being dragged or wheeled, the previous raster is drawn stretched and rebuilt once the
mouse has rested; console zoom/pan rebuilds at once.
"""
from __future__ import annotations

import time
from itertools import repeat

from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRect, QRectF, Qt, QTimer
from PySide6.QtGui import QColor, QImage, QPainter, QPainterPath, QPen, QTransform

from ...domain import TerritoryLevel
from .. import theme
from .geometry import TerritoryGeometry

_BREAKS = np.asarray(theme.LOAD_BREAKS, dtype=np.int64)
#: codes after the grid indices: background, grid edge, street, district, city boundary
_EXTRA = ("background", "grid", TerritoryLevel.STREET, TerritoryLevel.DISTRICT, TerritoryLevel.CITY)


def load_step(open_events: int) -> int:
    """Ramp step (index into theme.LOAD_RAMP) for a number of open events."""
    return max(0, int(np.searchsorted(_BREAKS, open_events, side="right")) - 1)


def step_label(step: int) -> str:
    """'0', '1', '2–3', … '≥11': the legend's number range for a ramp step."""
    lo = theme.LOAD_BREAKS[step]
    if step + 1 >= len(theme.LOAD_BREAKS):
        return f"≥{lo}"
    hi = theme.LOAD_BREAKS[step + 1] - 1
    return str(lo) if hi == lo else f"{lo}–{hi}"


def _code_colour(code: int, shift: int) -> QColor:
    """The colour that writes `code >> shift` (low byte first) into red then green: one raster pass."""
    v = code >> shift
    return QColor(v & 0xFF, 0, 0) if shift == 0 else QColor(v & 0xFF, (v >> 8) & 0xFF, 0)


def _argb(colour: QColor, alpha: int = 255) -> int:
    """The colour as a premultiplied 0xAARRGGBB word at `alpha` (RGB32 ignores the alpha byte)."""
    f = alpha / 255
    return (alpha << 24) | (round(colour.red() * f) << 16) | (round(colour.green() * f) << 8) | round(colour.blue() * f)


def _key(t: QTransform, w: int, h: int) -> tuple:
    return (round(t.m11(), 9), round(t.m12(), 9), round(t.m21(), 9), round(t.m22(), 9),
            round(t.dx(), 4), round(t.dy(), 4), w, h)


class CellLayer(pg.GraphicsObject):
    """All grid fills and boundaries of the territory, drawn from a cached index raster."""

    #: grid outlines are drawn once a typical grid is at least this wide on screen (pixels)
    MIN_GRID_PX = 6.0
    #: after a mouse pan/zoom, wait this long (ms) before rebuilding the raster at the new view
    SETTLE_MS = 150

    def __init__(self):
        super().__init__()
        self.geo: TerritoryGeometry | None = None
        self.loads = np.zeros(0, dtype=np.int64)
        self.steps = np.zeros(0, dtype=np.int64)
        self._rect = QRectF()
        self._lo_paths: list[QPainterPath] = []
        self._hi_paths: list[QPainterPath] = []
        self._level_paths: list[tuple[int, QPainterPath, float]] = []
        self._typical = 0.0
        # raster state
        self._index: np.ndarray | None = None      # H×W uint16/int32 codes
        self._index_key: tuple | None = None
        self._index_t: QTransform | None = None   # item → raster pixel transform it was built with
        self._origin = (0, 0)                     # the raster's top-left corner in the viewport (physical px)
        self._dpr = 1.0
        self._run_codes = np.zeros(0, dtype=np.uint16)   # the raster run-length encoded: code of each run
        self._run_lengths: np.ndarray = np.zeros(0, dtype=np.intp)   # and its length in pixels
        self._rgb: np.ndarray | None = None
        self._image: QImage | None = None
        self._rgb_dirty = True
        self._alpha = 255                         # < 255: translucent fills over a raster basemap
        self._step_rgb = np.array([_argb(c) for c in theme.LOAD_RAMP], dtype=np.uint32)
        self._defer_until = 0.0
        self._timer = QTimer()
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.update)
        self.grid_outlines_drawn = False
        self.raster_builds = 0

    # -- data ----------------------------------------------------------------------------------
    def set_geometry(self, geo: TerritoryGeometry) -> None:
        self.prepareGeometryChange()
        self.geo = geo
        n = geo.count
        self._rect = geo.bounds().adjusted(-0.05, -0.05, 0.05, 0.05)
        self.loads = np.zeros(n, dtype=np.int64)
        self.steps = np.zeros(n, dtype=np.int64)
        codes = np.arange(n)
        vlo = (codes & 0xFF)[geo.vcell]
        vhi = (codes >> 8)[geo.vcell]
        self._lo_paths = self._group_paths(vlo, 256)
        self._hi_paths = self._group_paths(vhi, (n >> 8) + 1)
        self._typical = float(np.median(geo.xmax - geo.xmin)) if n else 0.0
        b = geo.boundaries()
        self._level_paths = []
        for level in (TerritoryLevel.STREET, TerritoryLevel.DISTRICT, TerritoryLevel.CITY):
            if level in b.xs:
                width = theme.MAP_BOUNDARY_PENS[level][1]
                path = pg.functions.arrayToQPath(b.xs[level], b.ys[level], "pairs", finiteCheck=False)
                self._level_paths.append((n + _EXTRA.index(level), path, width))
        self._fill_lut()
        self._index = None
        self._index_key = None
        self._rgb_dirty = True
        self.update()

    def _fill_lut(self) -> None:
        n = self.geo.count if self.geo is not None else 0
        self._lut = np.zeros(n + len(_EXTRA), dtype=np.uint32)
        extras = [theme.BACKGROUND, theme.MAP_GRID_EDGE] + [QColor(theme.MAP_BOUNDARY_PENS[lvl][0])
                                                             for lvl in _EXTRA[2:]]
        self._lut[n:] = [_argb(c) for c in extras]
        if self._alpha < 255:
            self._lut[n] = 0                                     # the raster basemap shows around the territory
            self._lut[n + 1] = _argb(theme.MAP_GRID_EDGE, self._alpha)
        self._lut[:n] = self._step_rgb[self.steps] if len(self.steps) == n else self._step_rgb[0]
        self._rgb_dirty = True

    def set_translucent(self, alpha: int) -> None:
        """Grid fills at `alpha` (0-255) over what is drawn under them (a raster basemap); 255 = opaque."""
        self._alpha = max(0, min(255, alpha))
        self._step_rgb = np.array([_argb(c, self._alpha) for c in theme.LOAD_RAMP], dtype=np.uint32)
        self._fill_lut()
        self._image = None
        self.update()

    @property
    def translucent(self) -> bool:
        return self._alpha < 255

    def _group_paths(self, vgroup: np.ndarray, groups: int) -> list[QPainterPath]:
        geo = self.geo
        assert geo is not None, "set_geometry comes first"
        order = np.argsort(vgroup, kind="stable")
        bounds = np.searchsorted(vgroup[order], np.arange(groups + 1))
        paths = []
        for g in range(groups):
            sel = order[bounds[g]:bounds[g + 1]]
            paths.append(pg.functions.arrayToQPath(geo.vx[sel], geo.vy[sel], geo.vlink[sel], finiteCheck=False)
                         if len(sel) else QPainterPath())
        return paths

    def set_load(self, open_per_grid: dict[str, int]) -> None:
        geo = self.geo
        if geo is None:
            return
        loads = np.zeros(geo.count + 1, dtype=np.int64)     # the last slot collects unknown ids
        if open_per_grid:
            idx = np.fromiter(map(geo.index.get, open_per_grid.keys(), repeat(geo.count)), dtype=np.int64,
                              count=len(open_per_grid))
            loads[idx] = np.fromiter(open_per_grid.values(), dtype=np.int64, count=len(open_per_grid))
        loads = loads[:-1]
        steps = np.searchsorted(_BREAKS, loads, side="right") - 1
        np.clip(steps, 0, len(_BREAKS) - 1, out=steps)
        self.loads = loads
        if not np.array_equal(steps, self.steps):
            self.steps = steps
            self._lut[:geo.count] = self._step_rgb[steps]
            self._rgb_dirty = True
            self.update()

    def defer_rebuild(self) -> None:
        """The view is moving under the mouse: stretch the old raster until it rests."""
        self._defer_until = time.monotonic() + self.SETTLE_MS / 1000

    # -- queries (tests, legend) ---------------------------------------------------------------
    def step_of(self, grid_id: str) -> int:
        assert self.geo is not None, "set_geometry comes first"
        return int(self.steps[self.geo.index[grid_id]])

    def colour_of(self, grid_id: str) -> QColor:
        return theme.LOAD_RAMP[self.step_of(grid_id)]

    def step_counts(self) -> list[int]:
        return np.bincount(self.steps, minlength=len(theme.LOAD_RAMP)).tolist()

    def code_at_pixel(self, x: int, y: int) -> int | None:
        """Raster code at viewport point (x, y) (logical pixels): a grid index, or ≥ count for background/boundaries;
        None outside the raster (which covers only the part of the viewport the territory occupies)."""
        if self._index is None:
            return None
        x, y = int(x * self._dpr) - self._origin[0], int(y * self._dpr) - self._origin[1]
        if not (0 <= y < self._index.shape[0] and 0 <= x < self._index.shape[1]):
            return None
        return int(self._index[y, x])

    # -- raster --------------------------------------------------------------------------------
    def _viewport_transform(self):
        """Item → physical viewport pixels, and the viewport's size in physical pixels (HiDPI-aware)."""
        view = self.getViewWidget()
        if view is None:
            return None, 0, 0
        vp = view.viewport()
        dpr = vp.devicePixelRatioF() or 1.0
        self._dpr = dpr
        t = self.sceneTransform() * view.viewportTransform()
        if dpr != 1.0:
            t = t * QTransform.fromScale(dpr, dpr)
        return t, round(vp.width() * dpr), round(vp.height() * dpr)

    def _build_index(self, t: QTransform, w: int, h: int) -> None:
        assert self.geo is not None, "set_geometry comes first"
        n = self.geo.count
        self.grid_outlines_drawn = self._typical * abs(t.m11()) >= self.MIN_GRID_PX
        channels, images = [], []      # the images must outlive the numpy views of their bits
        for paths, shift in ((self._lo_paths, 0), (self._hi_paths, 8)):
            # pass 1 writes the low byte of each code in red; pass 2 the rest in red (and green)
            img = QImage(w, h, QImage.Format.Format_RGB32)
            img.fill(_code_colour(n, shift))                      # background
            p = QPainter(img)
            p.setRenderHint(QPainter.RenderHint.Antialiasing, False)
            p.setTransform(t)
            for g, path in enumerate(paths):
                if not path.isEmpty():
                    p.fillPath(path, _code_colour(g << shift, shift))
            for code, path, width in self._level_paths:
                pen = QPen(_code_colour(code, shift), width * self._dpr)
                pen.setCosmetic(True)
                pen.setCapStyle(Qt.PenCapStyle.RoundCap)
                p.strokePath(path, pen)
            p.end()
            images.append(img)
            bpl = img.bytesPerLine()
            px = np.frombuffer(img.constBits(), dtype=np.uint8, count=bpl * h).reshape(h, bpl // 4, 4)
            channels.append(px[:, :w])
        wide = n + len(_EXTRA) > 0xFFFF
        dtype: type[np.unsignedinteger[Any]] = np.uint32 if wide else np.uint16
        # BGRA bytes (little-endian 0xAARRGGBB): low byte in pass 1's red, the rest in pass 2's red and green
        index = channels[0][..., 2].astype(dtype) | (channels[1][..., 2].astype(dtype) << 8)
        if wide:
            index |= channels[1][..., 1].astype(dtype) << 16
        np.minimum(index, n + len(_EXTRA) - 1, out=index)      # a stray value (edge rounding) clamps
        if self.grid_outlines_drawn:
            # a 1-px line wherever a grid meets another grid: found in the raster, no stroking
            cell = index < n
            edge = np.zeros_like(cell)
            edge[:, :-1] |= (index[:, :-1] != index[:, 1:]) & cell[:, :-1] & cell[:, 1:]
            edge[:-1, :] |= (index[:-1, :] != index[1:, :]) & cell[:-1, :] & cell[1:, :]
            index[edge] = n + 1
        self._index = index
        # run-length form, row by row: a recolour looks up one colour per run of pixels, not one per pixel
        flat = index.ravel()
        change = np.empty(flat.size, dtype=bool)
        change[0] = True
        np.not_equal(flat[1:], flat[:-1], out=change[1:])
        change[::w] = True                                      # a run never crosses a row end
        starts = np.flatnonzero(change)
        self._run_codes = flat[starts]
        self._run_lengths = np.diff(np.append(starts, flat.size))
        self._index_t = QTransform(t)
        self.raster_builds += 1
        self._rgb_dirty = True

    def _ensure_rgb(self) -> None:
        if not self._rgb_dirty and self._image is not None:
            return
        assert self._index is not None, "_build_index comes first"
        h, w = self._index.shape
        rgb = np.repeat(self._lut[self._run_codes], self._run_lengths).reshape(h, w)
        # keep the array referenced as long as the image that wraps its memory
        fmt = QImage.Format.Format_ARGB32_Premultiplied if self._alpha < 255 else QImage.Format.Format_RGB32
        self._image = QImage(rgb.data, w, h, 4 * w, fmt)
        self._rgb = rgb
        self._rgb_dirty = False

    def opaque_scene_rect(self) -> QRectF | None:
        """Where the grid raster covers the scene opaquely as it would be drawn now (stretched, if the view moved
        since it was built), shrunk by a pixel against rounding; None if nothing is drawn. The view paints its
        background around this rectangle, not under it."""
        if self._index is None or self._index_t is None or not self.isVisible() or self.geo is None \
                or not self.geo.count or self._alpha < 255:
            return None
        inv, ok = self._index_t.inverted()
        if not ok:
            return None
        h, w = self._index.shape
        rect = (inv * self.sceneTransform()).mapRect(QRectF(0, 0, w, h)).adjusted(1, 1, -1, -1)
        rect = rect.intersected(self.sceneBoundingRect())    # outside it, Qt does not call paint()
        return rect if rect.isValid() and not rect.isEmpty() else None

    # -- QGraphicsItem -------------------------------------------------------------------------
    def boundingRect(self) -> QRectF:
        return self._rect

    def paint(self, p: QPainter, *args) -> None:
        if self.geo is None or not self.geo.count:
            return
        t, w, h = self._viewport_transform()
        if t is None or w <= 0 or h <= 0:
            return
        key = _key(t, w, h)
        if key != self._index_key:
            if self._index is None or time.monotonic() >= self._defer_until:
                # only the part of the viewport the territory covers (plus room for the widest pen)
                area = t.mapRect(self.geo.bounds()).adjusted(-4, -4, 4, 4).toAlignedRect()
                area = area.intersected(QRect(0, 0, w, h))
                if area.isEmpty():
                    area = QRect(0, 0, 1, 1)
                self._origin = (area.x(), area.y())
                self._build_index(t * QTransform.fromTranslate(-area.x(), -area.y()), area.width(), area.height())
                self._index_key = key
            else:
                self._timer.start(self.SETTLE_MS)
        self._ensure_rgb()
        # raster pixels → item coordinates → device: an unscaled blit when the view has not moved
        if self._index_t is None or self._image is None:
            return
        inv, ok = self._index_t.inverted()
        if not ok:
            return
        p.save()
        p.setTransform(inv * p.transform())
        p.drawImage(0, 0, self._image)
        p.restore()
