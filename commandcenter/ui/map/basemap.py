"""The basemap under the grids: vector layers (water, roads; place names go to the labels) and raster tiles
(MBTiles or a tile server on the centre's network).

Vector water and roads are drawn *over* the grid fills, translucent and thin, so the load colours stay readable
and the streets stay visible; they are painted once per view into a cached image (a recolour or a marker update
repaints the map without redrawing them). Raster tiles are drawn *under* the grids, whose fills then turn
translucent (CellLayer.set_translucent). Tiles are read or fetched on a loader thread of their own (MBTiles'
sqlite, the tile server through the media policy's client, the disk cache) and decoded here when they arrive.
"""
from __future__ import annotations

import asyncio
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QObject, QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QImage, QPainter, QPainterPath, QPen, QTransform

from ...domain import gcj02
from ...feeds.basemap import MBTiles, VectorLayer, XyzTiles, lonlat_to_tile, tile_to_lonlat, zoom_for
from .. import theme
from .geometry import Projection

TileKey = tuple[int, int, int]


def _path(parts: list[np.ndarray], proj: Projection, closed: bool) -> QPainterPath:
    """One path of many polylines/rings (lon/lat arrays) in map coordinates."""
    if not parts:
        return QPainterPath()
    xs, ys, link = [], [], []
    for a in parts:
        if closed and len(a) and not np.array_equal(a[0], a[-1]):
            a = np.vstack([a, a[:1]])
        x, y = proj.xy(a[:, 0], a[:, 1])
        xs.append(x)
        ys.append(y)
        c = np.ones(len(a), dtype=np.int32)
        c[-1] = 0                                    # no segment from one part's end to the next one's start
        link.append(c)
    return pg.functions.arrayToQPath(np.concatenate(xs), np.concatenate(ys), np.concatenate(link), finiteCheck=False)


class VectorBasemap(pg.GraphicsObject):
    """Water areas and roads (by rank), in map coordinates, cached as one image per view."""

    def __init__(self) -> None:
        super().__init__()
        self.setZValue(5)                            # over the grid fills (0), under alerts (20) and markers
        self.layers: list[VectorLayer] = []
        self.proj: Projection | None = None
        self._water = QPainterPath()
        self._water_lines = QPainterPath()
        self._roads: list[tuple[int, QPainterPath]] = []
        self._rect = QRectF()
        self._image: QImage | None = None
        self._image_key: tuple | None = None
        self.pixel_height = 1080                     # the map's height: pens grow with it
        self.renders = 0                             # how many times the cached image was drawn (tests, bench)
        self._image_t: QTransform | None = None      # the item → device transform the image was drawn with
        self._area = QRectF()                        # where the image goes, in device (logical) pixels
        self._defer_until = 0.0
        self._timer = QTimer()
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.update)

    def defer_rebuild(self, settle_ms: int) -> None:
        """The view is moving under the mouse: stretch the last image until it rests (as the grid raster does)."""
        self._defer_until = time.monotonic() + settle_ms / 1000
        self._timer.start(settle_ms)

    def set_layers(self, layers: list[VectorLayer], proj: Projection) -> None:
        self.prepareGeometryChange()
        self.layers, self.proj = list(layers), proj
        water = [a for lay in layers if lay.kind == "water" for a in lay.rings]
        water_lines = [a for lay in layers if lay.kind == "water" for a in lay.lines]
        self._water = _path(water, proj, closed=True)
        self._water_lines = _path(water_lines, proj, closed=False)
        by_rank: dict[int, list[np.ndarray]] = {}
        for lay in layers:
            if lay.kind == "roads":
                for a, rank in zip(lay.lines, lay.line_ranks, strict=True):
                    by_rank.setdefault(min(rank, 2), []).append(a)
        # minor roads first: main roads are drawn over them
        self._roads = [(rank, _path(parts, proj, closed=False))
                       for rank, parts in sorted(by_rank.items(), reverse=True)]
        rect = QRectF()
        for path in [self._water, self._water_lines] + [p for _, p in self._roads]:
            rect = rect.united(path.boundingRect())
        self._rect = rect
        self._image_key = None
        self.update()

    def boundingRect(self) -> QRectF:
        return self._rect

    def paint(self, p: QPainter, *args: Any) -> None:
        if self._rect.isEmpty():
            return
        device = p.device()
        if device is None:
            return
        t = p.transform()
        dpr = device.devicePixelRatioF() or 1.0
        w, h = round(device.width() * dpr), round(device.height() * dpr)
        key = (round(t.m11(), 9), round(t.m22(), 9), round(t.dx(), 3), round(t.dy(), 3), w, h, self.pixel_height)
        if key != self._image_key or self._image is None:
            if self._image is not None and time.monotonic() < self._defer_until:
                # the view moves under the mouse: water and main roads straight onto the view (cheaper than scaling
                # the last image), everything cached again once it rests
                self._draw(p, moving=True)
                return
            self._render(t, w, h, dpr)
            self._image_key = key
            self._image_t = QTransform(t)
        if self._area.isEmpty() or self._image is None:
            return
        p.save()
        p.resetTransform()
        p.drawImage(self._area, self._image)
        p.restore()

    def _render(self, t: QTransform, w: int, h: int, dpr: float) -> None:
        # only the part of the viewport the layers cover (plus the widest pen): less to fill and to blend
        area = t.mapRect(self._rect).adjusted(-6, -6, 6, 6).intersected(QRectF(0, 0, w / dpr, h / dpr))
        self._area = QRectF(math.floor(area.x()), math.floor(area.y()), math.ceil(area.width()) + 1,
                            math.ceil(area.height()) + 1) if not area.isEmpty() else QRectF()
        img = QImage(max(1, round(self._area.width() * dpr)), max(1, round(self._area.height() * dpr)),
                     QImage.Format.Format_ARGB32_Premultiplied)
        img.setDevicePixelRatio(dpr)
        img.fill(0)
        p = QPainter(img)
        p.setTransform(t * QTransform.fromTranslate(-self._area.x(), -self._area.y()))
        self._draw(p)
        p.end()
        self._image = img
        self.renders += 1

    def _draw(self, p: QPainter, *, moving: bool = False) -> None:
        p.save()
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        t = p.transform()
        scale = max(1.0, self.pixel_height / 1080)
        if not self._water.isEmpty():
            p.fillPath(self._water, theme.MAP_WATER_FILL)
            if not moving:
                p.strokePath(self._water, self._pen(theme.MAP_WATER_EDGE, 1.0 * scale))
        if not self._water_lines.isEmpty():
            p.strokePath(self._water_lines, self._pen(theme.MAP_WATER_EDGE, 2.0 * scale))
        px_per_unit = abs(t.m11())
        for rank, path in self._roads:
            colour, width = theme.MAP_ROAD_PENS[rank]
            if rank > 1 and (moving or px_per_unit * self._rect.width() < 600):
                continue                               # moving, or zoomed far out (minor roads would be a mesh)
            p.strokePath(path, self._pen(colour, width * scale))
        p.restore()

    @staticmethod
    def _pen(colour: Any, width: float) -> QPen:
        pen = QPen(colour, width)
        pen.setCosmetic(True)
        # flat caps and mitre joins: round ones cost several times as much to stroke at 4K
        pen.setCapStyle(Qt.PenCapStyle.FlatCap)
        pen.setJoinStyle(Qt.PenJoinStyle.MiterJoin)
        return pen


class TileLoader(QObject):
    """Reads or fetches raster tiles on a thread of its own (an asyncio loop there); `tile_ready(z, x, y, bytes)`
    arrives on the GUI thread (a queued signal). A tile asked for twice is loaded once."""

    tile_ready = Signal(int, int, int, bytes)

    def __init__(self, source: MBTiles | XyzTiles) -> None:
        super().__init__()
        self.source = source
        self._pending: set[TileKey] = set()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="map-tiles", daemon=True)
        self._thread.start()

    def request(self, key: TileKey) -> None:
        if key in self._pending:
            return
        self._pending.add(key)
        asyncio.run_coroutine_threadsafe(self._load(key), self._loop)

    async def _load(self, key: TileKey) -> None:
        z, x, y = key
        try:
            if isinstance(self.source, XyzTiles):
                data = await self.source.fetch(z, x, y)
            else:
                data = self.source.tile(z, x, y)
        except Exception:  # noqa: BLE001 - a tile that cannot be read stays missing; the map goes on
            data = None
        self.tile_ready.emit(z, x, y, data or b"")

    def done(self, key: TileKey) -> None:
        self._pending.discard(key)

    def close(self) -> None:
        async def stop() -> None:
            if isinstance(self.source, XyzTiles):
                await self.source.aclose()
        if self._loop.is_running():
            asyncio.run_coroutine_threadsafe(stop(), self._loop).result(timeout=5)
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=5)


class RasterBasemap(pg.GraphicsObject):
    """Raster tiles under the grids, at the zoom that matches the view; a missing tile is asked for and drawn when it
    arrives. `gcj`: the tiles are in GCJ-02, placed by the offset at the view's centre (constant to within metres
    across a city)."""

    CACHE_TILES = 512

    def __init__(self, loader: TileLoader, *, gcj: bool = False) -> None:
        super().__init__()
        self.setZValue(-1)
        self.loader = loader
        self.gcj = gcj
        self.proj: Projection | None = None
        self._rect = QRectF()
        self._images: OrderedDict[TileKey, QImage | None] = OrderedDict()
        self.drawn: list[TileKey] = []
        loader.tile_ready.connect(self._arrived)

    def set_projection(self, proj: Projection, bounds: QRectF) -> None:
        self.prepareGeometryChange()
        self.proj = proj
        pad = max(bounds.width(), bounds.height()) * 2
        self._rect = bounds.adjusted(-pad, -pad, pad, pad)
        self.update()

    def boundingRect(self) -> QRectF:
        return self._rect

    def _arrived(self, z: int, x: int, y: int, data: bytes) -> None:
        key = (z, x, y)
        self.loader.done(key)
        img = QImage.fromData(data) if data else None
        self._images[key] = img if img is not None and not img.isNull() else None
        while len(self._images) > self.CACHE_TILES:
            self._images.popitem(last=False)
        self.update()

    def _lonlat(self, x: float, y: float) -> tuple[float, float]:
        proj = self.proj
        assert proj is not None
        from .geometry import KM_PER_DEG_LAT
        return proj.lon0 + x / proj.kx, proj.lat0 + y / KM_PER_DEG_LAT

    def paint(self, p: QPainter, *args: Any) -> None:
        vb = self.getViewBox()
        if self.proj is None or vb is None:
            return
        view = vb.viewRect()
        lon0, lat0 = self._lonlat(view.left(), view.top())
        lon1, lat1 = self._lonlat(view.right(), view.bottom())
        dlon, dlat = gcj02.offset((lon0 + lon1) / 2, (lat0 + lat1) / 2) if self.gcj else (0.0, 0.0)
        px_w = max(1.0, abs(p.transform().m11()) * view.width())
        src = self.loader.source
        z = zoom_for(abs(lon1 - lon0), px_w, src.minzoom, src.maxzoom)
        x0, y0 = lonlat_to_tile(min(lon0, lon1) + dlon, max(lat0, lat1) + dlat, z)
        x1, y1 = lonlat_to_tile(max(lon0, lon1) + dlon, min(lat0, lat1) + dlat, z)
        n = 2 ** z
        self.drawn = []
        p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
        for tx in range(max(0, math.floor(x0)), min(n - 1, math.floor(x1)) + 1):
            for ty in range(max(0, math.floor(y0)), min(n - 1, math.floor(y1)) + 1):
                key = (z, tx, ty)
                if key not in self._images:
                    self.loader.request(key)
                    continue
                img = self._images[key]
                self._images.move_to_end(key)
                if img is None:
                    continue
                wl, nl = tile_to_lonlat(tx, ty, z)
                el, sl = tile_to_lonlat(tx + 1, ty + 1, z)
                a = self.proj.point(wl - dlon, nl - dlat)
                b = self.proj.point(el - dlon, sl - dlat)
                target = QRectF(QPointF(a.x(), b.y()), QPointF(b.x(), a.y()))
                # images run top-down, the map's y runs north-up: flip the tile into place
                p.save()
                p.translate(target.left(), target.bottom())
                p.scale(target.width() / img.width(), -target.height() / img.height())
                p.drawImage(0, 0, img)
                p.restore()
                self.drawn.append(key)


def raster_source(basemap: str, cache_dir: str, allow_networks: list[str]) -> MBTiles | XyzTiles:
    """The tile source a `[map] basemap` value names."""
    if basemap.startswith(("http://", "https://")):
        return XyzTiles(basemap, cache_dir, allow_networks)
    return MBTiles(basemap)


BasemapFactory = Callable[[], list[VectorLayer]]
