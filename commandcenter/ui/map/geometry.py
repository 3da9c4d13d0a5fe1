"""Territory geometry as flat numpy arrays: projection, per-grid rings, bounding boxes, boundaries.

Everything the map draws lives in one local metric frame (kilometres east/north of the territory's
centre, equirectangular), so the view can lock its aspect ratio at 1 and paths stay numerically small.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QPolygonF

from ...domain import TerritoryLevel
from ...domain.models import TerritoryNode

KM_PER_DEG_LAT = 110.574
KM_PER_DEG_LON_EQ = 111.320


@dataclass(frozen=True)
class Projection:
    lon0: float = 0.0
    lat0: float = 0.0

    @property
    def kx(self) -> float:
        return KM_PER_DEG_LON_EQ * math.cos(math.radians(self.lat0))

    def xy(self, lon, lat):
        """(lon, lat) → (x, y) km; works on floats and numpy arrays."""
        return (np.asarray(lon, dtype=float) - self.lon0) * self.kx, (np.asarray(lat, dtype=float) - self.lat0) * KM_PER_DEG_LAT

    def point(self, lon: float, lat: float) -> QPointF:
        return QPointF((lon - self.lon0) * self.kx, (lat - self.lat0) * KM_PER_DEG_LAT)


def _ring_array(ring) -> np.ndarray:
    a = np.asarray(ring, dtype=float).reshape(-1, 2)
    if len(a) > 1 and np.array_equal(a[0], a[-1]):
        a = a[:-1]
    return a


@dataclass
class Boundaries:
    """Line segments (pairs of points) per level, ready for `arrayToQPath(connect='pairs')`."""

    xs: dict[TerritoryLevel, np.ndarray] = field(default_factory=dict)
    ys: dict[TerritoryLevel, np.ndarray] = field(default_factory=dict)


class TerritoryGeometry:
    """The grids of a territory in flat arrays (one row per grid, one run of vertices per grid)."""

    def __init__(self, nodes: list[TerritoryNode]):
        self.nodes = {n.id: n for n in nodes}
        grids = []
        flat: list[tuple[float, float]] = []          # every ring closed (first vertex repeated), end to end
        ring_lengths: list[int] = []
        for node in nodes:
            ring = node.polygon
            if node.level is not TerritoryLevel.GRID:
                continue
            if len(ring) > 1 and tuple(ring[0]) == tuple(ring[-1]):
                ring = ring[:-1]
            if len(ring) < 3:
                continue
            grids.append(node)
            flat.extend(ring)
            flat.append(ring[0])
            ring_lengths.append(len(ring) + 1)
        allpts = np.asarray(flat, dtype=float).reshape(-1, 2)
        if len(allpts):
            lon0 = float((allpts[:, 0].min() + allpts[:, 0].max()) / 2)
            lat0 = float((allpts[:, 1].min() + allpts[:, 1].max()) / 2)
        else:
            lon0 = lat0 = 0.0
        self.proj = Projection(lon0, lat0)
        self.ids: list[str] = [n.id for n in grids]
        self.names: list[str] = [n.name for n in grids]
        self.index: dict[str, int] = {gid: i for i, gid in enumerate(self.ids)}
        n = len(grids)
        self.count = n
        # vertex runs: each ring closed (first vertex repeated) so outlines close too
        lengths = np.array(ring_lengths, dtype=np.int64)
        self.starts = np.concatenate([[0], np.cumsum(lengths)[:-1]]) if n else np.zeros(0, np.int64)
        if n:
            self.vx, self.vy = self.proj.xy(allpts[:, 0], allpts[:, 1])
            self.vcell = np.repeat(np.arange(n), lengths)
            link = np.ones(len(self.vx), dtype=np.int32)
            link[self.starts + lengths - 1] = 0           # last vertex of a ring does not link to the next ring
            self.vlink = link
            self.xmin = np.minimum.reduceat(self.vx, self.starts)
            self.xmax = np.maximum.reduceat(self.vx, self.starts)
            self.ymin = np.minimum.reduceat(self.vy, self.starts)
            self.ymax = np.maximum.reduceat(self.vy, self.starts)
            # label anchor: vertex mean of the open ring (good enough for convex-ish grids)
            sx = np.add.reduceat(self.vx, self.starts) - self.vx[self.starts]
            sy = np.add.reduceat(self.vy, self.starts) - self.vy[self.starts]
            self.cx = sx / (lengths - 1)
            self.cy = sy / (lengths - 1)
        else:
            self.vx = self.vy = np.zeros(0)
            self.vcell = np.zeros(0, np.int64)
            self.vlink = np.zeros(0, np.int32)
            self.xmin = self.xmax = self.ymin = self.ymax = self.cx = self.cy = np.zeros(0)
        self._lengths = lengths
        self._polygons: dict[int, QPolygonF] = {}     # built on demand, for hit tests
        # ancestors of each grid at each level above it
        self.ancestor: dict[TerritoryLevel, list[str | None]] = {lvl: [None] * n for lvl in (
            TerritoryLevel.COMMUNITY, TerritoryLevel.STREET, TerritoryLevel.DISTRICT, TerritoryLevel.CITY)}
        for i, g in enumerate(grids):
            pid, hops = g.parent_id, 0
            while pid is not None and pid in self.nodes and hops < 16:
                p = self.nodes[pid]
                if p.level in self.ancestor:
                    self.ancestor[p.level][i] = p.id
                pid, hops = p.parent_id, hops + 1

    # -- queries -------------------------------------------------------------------------------
    def bounds(self) -> QRectF:
        if not self.count:
            return QRectF(-1, -1, 2, 2)
        return QRectF(QPointF(self.xmin.min(), self.ymin.min()), QPointF(self.xmax.max(), self.ymax.max()))

    def node_rect(self, node_id: str) -> QRectF | None:
        """Bounding rectangle of a node: its own polygon, else the grids under it."""
        if node_id in self.index:
            i = self.index[node_id]
            return QRectF(QPointF(self.xmin[i], self.ymin[i]), QPointF(self.xmax[i], self.ymax[i]))
        node = self.nodes.get(node_id)
        if node is None:
            return None
        if len(node.polygon) >= 3:
            a = _ring_array(node.polygon)
            x, y = self.proj.xy(a[:, 0], a[:, 1])
            return QRectF(QPointF(x.min(), y.min()), QPointF(x.max(), y.max()))
        mask = self.descendant_mask(node_id)
        if mask is None or not mask.any():
            return None
        return QRectF(QPointF(self.xmin[mask].min(), self.ymin[mask].min()),
                      QPointF(self.xmax[mask].max(), self.ymax[mask].max()))

    def descendant_mask(self, node_id: str) -> np.ndarray | None:
        node = self.nodes.get(node_id)
        if node is None or node.level not in self.ancestor:
            return None
        return np.array([a == node_id for a in self.ancestor[node.level]], dtype=bool)

    def polygon(self, i: int) -> QPolygonF:
        """Grid i's ring in map coordinates."""
        poly = self._polygons.get(i)
        if poly is None:
            s, L = int(self.starts[i]), int(self._lengths[i])
            poly = QPolygonF([QPointF(x, y) for x, y in zip(self.vx[s:s + L - 1].tolist(), self.vy[s:s + L - 1].tolist(), strict=True)])
            self._polygons[i] = poly
        return poly

    def grid_at(self, x: float, y: float) -> str | None:
        cand = np.nonzero((self.xmin <= x) & (x <= self.xmax) & (self.ymin <= y) & (y <= self.ymax))[0]
        pt = QPointF(x, y)
        for i in cand.tolist():
            if self.polygon(i).containsPoint(pt, Qt.FillRule.OddEvenFill):
                return self.ids[i]
        return None

    def in_rect(self, rect: QRectF) -> np.ndarray:
        """Indices of grids whose label anchor lies in `rect`."""
        return np.nonzero((self.cx >= rect.left()) & (self.cx <= rect.right())
                          & (self.cy >= rect.top()) & (self.cy <= rect.bottom()))[0]

    # -- boundaries ----------------------------------------------------------------------------
    def boundaries(self) -> Boundaries:
        """Outlines of streets and districts (and the city).

        A level's node with its own polygon is drawn from it; otherwise its outline is the union of its
        grids, found by edge cancellation: an edge that two grids of the same group share is interior, an
        edge used once is on the group's outline (exact for tessellations with shared vertices).
        """
        out = Boundaries()
        if not self.count:
            return out
        # all edges of all grids: (a, b) vertex pairs within runs
        link = self.vlink.astype(bool)
        a_idx = np.nonzero(link)[0]
        b_idx = a_idx + 1
        cell = self.vcell[a_idx]
        # quantise vertices so shared vertices compare equal, then number them: an edge is a pair of numbers
        q = 1e-6
        qx = np.round(self.vx / q).astype(np.int64)
        qy = np.round(self.vy / q).astype(np.int64)
        _, vid = np.unique((qx - qx.min()) * (int(qy.max() - qy.min()) + 1) + (qy - qy.min()), return_inverse=True)
        vid = vid.ravel().astype(np.int64)
        nv = int(vid.max()) + 1
        va, vb = vid[a_idx], vid[b_idx]
        edge_key = np.minimum(va, vb) * nv + np.maximum(va, vb)
        for level in (TerritoryLevel.STREET, TerritoryLevel.DISTRICT, TerritoryLevel.CITY):
            groups = self.ancestor[level]
            own = {gid for gid in set(groups) if gid is not None and len(self.nodes[gid].polygon) >= 3}
            gcode_map = {g: k for k, g in enumerate(sorted({g for g in groups if g is not None}))}
            gcode = np.array([gcode_map.get(g, -1) if g is not None and g not in own else -1 for g in groups], dtype=np.int64)
            ecode = gcode[cell]
            keep = ecode >= 0
            xs_parts, ys_parts = [], []
            if keep.any():
                keys = ecode[keep] * (nv * nv) + edge_key[keep]
                _, inv, counts = np.unique(keys, return_inverse=True, return_counts=True)
                once = counts[inv.ravel()] == 1
                sel_a = a_idx[keep][once]
                sel_b = b_idx[keep][once]
                xs_parts.append(np.stack([self.vx[sel_a], self.vx[sel_b]], 1).ravel())
                ys_parts.append(np.stack([self.vy[sel_a], self.vy[sel_b]], 1).ravel())
            for gid in own:
                r = _ring_array(self.nodes[gid].polygon)
                x, y = self.proj.xy(r[:, 0], r[:, 1])
                x2, y2 = np.roll(x, -1), np.roll(y, -1)
                xs_parts.append(np.stack([x, x2], 1).ravel())
                ys_parts.append(np.stack([y, y2], 1).ravel())
            if xs_parts:
                out.xs[level] = np.concatenate(xs_parts)
                out.ys[level] = np.concatenate(ys_parts)
        return out

    def group_anchors(self, level: TerritoryLevel) -> list[tuple[str, str, float, float]]:
        """(id, name, x, y) label anchors for the nodes at `level`: mean of their grids' anchors."""
        groups = self.ancestor.get(level)
        if not groups:
            return []
        acc: dict[str, list[float]] = {}
        for i, g in enumerate(groups):
            if g is None:
                continue
            s = acc.setdefault(g, [0.0, 0.0, 0])
            s[0] += self.cx[i]
            s[1] += self.cy[i]
            s[2] += 1
        return [(g, self.nodes[g].name, s[0] / s[2], s[1] / s[2]) for g, s in acc.items()]
