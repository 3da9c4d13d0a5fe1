"""The grid fills (coloured by load) and the boundary lines: two custom items, a few cached paths each.

Recolouring never touches per-grid Qt objects: a grid's ramp step is one numpy array, and each step's
fill is one QPainterPath built straight from the vertex arrays (`arrayToQPath`), rebuilt only for the
steps whose membership changed.
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QPainter, QPainterPath, QPen

from ...domain import TerritoryLevel
from .. import theme
from .geometry import TerritoryGeometry

_BREAKS = np.asarray(theme.LOAD_BREAKS, dtype=np.int64)


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


class CellFillItem(pg.GraphicsObject):
    """All grid fills; one cached path per load step."""

    def __init__(self):
        super().__init__()
        self.geo: TerritoryGeometry | None = None
        self.loads = np.zeros(0, dtype=np.int64)
        self.steps = np.zeros(0, dtype=np.int64)
        self._paths: list[QPainterPath] = []
        self._brushes = [QBrush(c) for c in theme.LOAD_RAMP]
        self._rect = QRectF()

    def set_geometry(self, geo: TerritoryGeometry) -> None:
        self.prepareGeometryChange()
        self.geo = geo
        self._rect = geo.bounds()
        self.loads = np.zeros(geo.count, dtype=np.int64)
        self.steps = np.zeros(geo.count, dtype=np.int64)
        self._paths = [QPainterPath() for _ in theme.LOAD_RAMP]
        self._rebuild(range(len(theme.LOAD_RAMP)))
        self.update()

    def set_load(self, open_per_grid: dict[str, int]) -> None:
        geo = self.geo
        if geo is None:
            return
        index = geo.index
        loads = np.zeros(geo.count, dtype=np.int64)
        if open_per_grid:
            pairs = [(index[k], v) for k, v in open_per_grid.items() if k in index]
            if pairs:
                idx, vals = zip(*pairs)
                loads[list(idx)] = vals
        steps = np.searchsorted(_BREAKS, loads, side="right") - 1
        np.clip(steps, 0, len(_BREAKS) - 1, out=steps)
        changed = steps != self.steps
        self.loads = loads
        if changed.any():
            touched = set(np.unique(steps[changed]).tolist()) | set(np.unique(self.steps[changed]).tolist())
            self.steps = steps
            self._rebuild(touched)
            self.update()

    def _rebuild(self, steps) -> None:
        geo = self.geo
        vstep = self.steps[geo.vcell]
        for s in steps:
            mask = vstep == s
            if mask.any():
                self._paths[s] = pg.functions.arrayToQPath(geo.vx[mask], geo.vy[mask], geo.vlink[mask],
                                                           finiteCheck=False)
            else:
                self._paths[s] = QPainterPath()

    # -- queries (tests, legend, detail) ------------------------------------------------------
    def step_of(self, grid_id: str) -> int:
        return int(self.steps[self.geo.index[grid_id]])

    def colour_of(self, grid_id: str) -> QColor:
        return theme.LOAD_RAMP[self.step_of(grid_id)]

    def step_counts(self) -> list[int]:
        return np.bincount(self.steps, minlength=len(theme.LOAD_RAMP)).tolist()

    # -- QGraphicsItem -------------------------------------------------------------------------
    def boundingRect(self) -> QRectF:
        return self._rect

    def paint(self, p: QPainter, *args) -> None:
        p.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        for path, brush in zip(self._paths, self._brushes):
            if not path.isEmpty():
                p.fillPath(path, brush)


class BoundaryItem(pg.GraphicsObject):
    """Grid outlines (thin, only once grids are big enough on screen), street and district outlines heavier."""

    #: grid outlines are drawn once a typical grid is at least this wide on screen (pixels)
    MIN_GRID_PX = 6.0

    def __init__(self):
        super().__init__()
        self._rect = QRectF()
        self._grid_path = QPainterPath()
        self._level_paths: list[tuple[QPainterPath, QPen]] = []
        self._typical = 0.0
        self.grid_outlines_drawn = False

    def set_geometry(self, geo: TerritoryGeometry) -> None:
        self.prepareGeometryChange()
        self._rect = geo.bounds().adjusted(-0.01, -0.01, 0.01, 0.01)
        self._grid_path = pg.functions.arrayToQPath(geo.vx, geo.vy, geo.vlink, finiteCheck=False) \
            if geo.count else QPainterPath()
        self._typical = float(np.median(geo.xmax - geo.xmin)) if geo.count else 0.0
        b = geo.boundaries()
        self._level_paths = []
        for level in (TerritoryLevel.STREET, TerritoryLevel.DISTRICT, TerritoryLevel.CITY):
            if level in b.xs:
                colour, width = theme.MAP_BOUNDARY_PENS[level]
                pen = QPen(QColor(colour), width)
                pen.setCosmetic(True)
                pen.setCapStyle(Qt.PenCapStyle.RoundCap)
                self._level_paths.append(
                    (pg.functions.arrayToQPath(b.xs[level], b.ys[level], "pairs", finiteCheck=False), pen))
        self.update()

    def boundingRect(self) -> QRectF:
        return self._rect

    def paint(self, p: QPainter, *args) -> None:
        scale = abs(p.transform().m11())       # pixels per km
        self.grid_outlines_drawn = self._typical * scale >= self.MIN_GRID_PX
        if self.grid_outlines_drawn:
            p.setRenderHint(QPainter.RenderHint.Antialiasing, False)
            pen = QPen(theme.MAP_GRID_EDGE, 1)
            pen.setCosmetic(True)
            p.strokePath(self._grid_path, pen)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        for path, pen in self._level_paths:
            p.strokePath(path, pen)
