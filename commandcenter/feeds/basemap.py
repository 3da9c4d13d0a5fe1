"""The basemap's sources, Qt-free: vector layers (GeoJSON or Shapefile, any CRS pyproj knows) and raster tiles
from a local MBTiles file or an XYZ/WMTS tile server with a disk cache.

Raster tiles are Web Mercator (EPSG:3857) tiles addressed z/x/y, x east and y south (XYZ); MBTiles stores rows
in TMS order (y north), flipped here. A basemap in GCJ-02 (`[map] basemap_crs`) is placed by the UI with
domain.gcj02. Everything here blocks (files, sqlite, network through asyncio): the UI calls it off the GUI thread.
"""
from __future__ import annotations

import hashlib
import json
import math
import sqlite3
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..domain import wirejson

#: Web Mercator's latitude limit
MAX_LAT = 85.05112878


# ------------------------------------------------------------------------------------------------ vector layers
@dataclass
class VectorLayer:
    """One basemap layer in WGS84: polylines (roads), polygon rings (water) and named points (places)."""

    kind: str
    lines: list[np.ndarray] = field(default_factory=list)            # each (n, 2) lon/lat
    line_ranks: list[int] = field(default_factory=list)              # 1 = main road, 2 = minor
    line_names: list[str] = field(default_factory=list)
    rings: list[np.ndarray] = field(default_factory=list)            # each (n, 2) lon/lat, closed
    points: list[tuple[str, float, float, int]] = field(default_factory=list)   # (name, lon, lat, rank: 1 largest)


class LayerError(ValueError):
    """A vector layer file that cannot be read; the message names the file."""


def _geometries(geom: Any) -> list[tuple[str, Any]]:
    if not isinstance(geom, dict):
        return []
    kind, coords = geom.get("type"), geom.get("coordinates")
    if kind == "GeometryCollection":
        return [g for sub in geom.get("geometries") or [] for g in _geometries(sub)]
    if kind in ("MultiLineString", "MultiPolygon", "MultiPoint") and isinstance(coords, list):
        return [(kind[5:], c) for c in coords]
    return [(str(kind), coords)]


def _rank(props: dict[str, Any], default: int) -> int:
    value = props.get("rank")
    if isinstance(value, int | float) and not isinstance(value, bool):
        return max(1, int(value))
    kind = str(props.get("kind") or props.get("highway") or props.get("fclass") or "")
    return 1 if kind in ("main", "primary", "trunk", "motorway", "secondary") else default


def layer_from_features(kind: str, features: list[dict[str, Any]], transform: Any = None) -> VectorLayer:
    """The features' geometries of the layer's kind (lines for roads, polygons for water, points for places);
    others are skipped. `transform(xs, ys) -> (lons, lats)` from the file's CRS, or None for WGS84."""
    layer = VectorLayer(kind)

    def lonlat(coords: Any) -> np.ndarray | None:
        try:
            a = np.asarray(coords, dtype=float)[:, :2]
        except (ValueError, TypeError, IndexError):
            return None
        if a.ndim != 2 or len(a) < 1 or not np.isfinite(a).all():
            return None
        if transform is not None:
            xs, ys = transform(a[:, 0], a[:, 1])
            a = np.column_stack([xs, ys])
        return a

    for feature in features:
        if not isinstance(feature, dict):
            continue
        raw_props = feature.get("properties")
        # attribute names in any case (Shapefile fields are often upper case)
        props: dict[str, Any] = {str(k).lower(): v for k, v in raw_props.items()} if isinstance(raw_props, dict) else {}
        name = str(props.get("name") or "")[:40]
        for gtype, coords in _geometries(feature.get("geometry")):
            if kind == "roads" and gtype == "LineString":
                a = lonlat(coords)
                if a is not None and len(a) >= 2:
                    layer.lines.append(a)
                    layer.line_ranks.append(_rank(props, 2))
                    layer.line_names.append(name)
            elif kind == "water" and gtype == "Polygon" and isinstance(coords, list) and coords:
                a = lonlat(coords[0])
                if a is not None and len(a) >= 3:
                    layer.rings.append(a)
            elif kind == "water" and gtype == "LineString":
                a = lonlat(coords)
                if a is not None and len(a) >= 2:
                    layer.lines.append(a)
                    layer.line_ranks.append(1)
                    layer.line_names.append(name)
            elif kind == "places" and gtype == "Point" and name:
                a = lonlat([coords])
                if a is not None:
                    layer.points.append((name, float(a[0, 0]), float(a[0, 1]), _rank(props, 3)))
    return layer


def load_vector_layer(path: str, kind: str, crs: str = "") -> VectorLayer:
    """A GeoJSON (WGS84 unless `crs` says otherwise) or Shapefile (the `.prj`'s CRS unless `crs`) layer; `crs` may
    also be "GCJ-02" (data traced on an Amap/Tencent basemap)."""
    p = Path(path)
    try:
        if p.suffix.lower() == ".shp":
            return _shapefile_layer(p, kind, crs)
        data, _ = wirejson.load_list(p.read_bytes(), "features")
    except OSError as exc:
        raise LayerError(f"{p}: cannot read ({exc.strerror or exc})") from None
    except wirejson.BadJson as exc:
        raise LayerError(f"{p}: invalid JSON ({exc})") from None
    if not isinstance(data, dict) or not isinstance(data.get("features"), list):
        raise LayerError(f"{p}: expected a GeoJSON FeatureCollection")
    return layer_from_features(kind, data["features"], _to_wgs84(crs) if crs else None)


def _to_wgs84(crs: Any) -> Any:
    if crs == "GCJ-02":         # not a pyproj CRS: the published algorithm, point by point
        from ..domain.gcj02 import gcj02_to_wgs84

        def from_gcj(xs: Any, ys: Any) -> tuple[list[float], list[float]]:
            pairs = [gcj02_to_wgs84(float(x), float(y)) for x, y in zip(xs, ys, strict=True)]
            return [p[0] for p in pairs], [p[1] for p in pairs]
        return from_gcj
    from pyproj import Transformer

    t = Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
    return t.transform


def _shapefile_layer(p: Path, kind: str, crs: str) -> VectorLayer:
    import shapefile

    from .shapefile import source_crs

    prj = p.with_suffix(".prj")
    prj_text = prj.read_text("utf-8", "replace") if prj.exists() else None
    if crs == "GCJ-02":
        with shapefile.Reader(str(p)) as reader:
            features = [json.loads(json.dumps(sr.__geo_interface__, default=str)) for sr in reader.iterShapeRecords()]
        return layer_from_features(kind, features, _to_wgs84(crs))
    try:
        src = source_crs(crs, prj_text)
        reader = shapefile.Reader(str(p))
    except Exception as exc:  # noqa: BLE001 - pyshp and pyproj errors alike: this file cannot be used
        raise LayerError(f"{p}: {exc}") from None
    with reader:
        features = [json.loads(json.dumps(sr.__geo_interface__, default=str)) for sr in reader.iterShapeRecords()]
    transform = None if src.to_epsg() == 4326 else _to_wgs84(src)
    return layer_from_features(kind, features, transform)


# ------------------------------------------------------------------------------------------------ raster tiles
def lonlat_to_tile(lon: float, lat: float, z: int) -> tuple[float, float]:
    """Fractional XYZ tile coordinates of a WGS84 (or GCJ-02, for a GCJ-02 basemap) position at zoom z."""
    lat = max(-MAX_LAT, min(MAX_LAT, lat))
    n = 2 ** z
    x = (lon + 180.0) / 360.0 * n
    y = (1.0 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2.0 * n
    return x, y


def tile_to_lonlat(x: float, y: float, z: int) -> tuple[float, float]:
    n = 2 ** z
    lon = x / n * 360.0 - 180.0
    lat = math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * y / n))))
    return lon, lat


def zoom_for(lon_span: float, pixels: float, lo: int = 0, hi: int = 19, tile_px: int = 256) -> int:
    """The tile zoom whose pixels are closest to (not coarser than) `pixels` across `lon_span` degrees."""
    if lon_span <= 0 or pixels <= 0:
        return lo
    z = math.ceil(math.log2(pixels * 360.0 / (lon_span * tile_px)))
    return max(lo, min(hi, z))


class MBTiles:
    """A local MBTiles file (SQLite: `tiles(zoom_level, tile_column, tile_row, tile_data)`, rows in TMS order).
    One connection per thread (sqlite3 connections stay in their thread), read-only."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._local = threading.local()
        meta = dict(self._conn().execute("SELECT name, value FROM metadata").fetchall())
        self.format = str(meta.get("format", "png"))
        zooms = self._conn().execute("SELECT MIN(zoom_level), MAX(zoom_level) FROM tiles").fetchone()
        self.minzoom = int(meta.get("minzoom", zooms[0] if zooms[0] is not None else 0))
        self.maxzoom = int(meta.get("maxzoom", zooms[1] if zooms[1] is not None else 19))
        if self.format not in ("png", "jpg", "jpeg", "webp"):
            raise LayerError(f"{path}: tiles of format {self.format!r} (a raster basemap needs png, jpg or webp)")

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            try:
                conn = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=True)
                conn.execute("SELECT 1 FROM tiles LIMIT 1")
            except sqlite3.Error as exc:
                raise LayerError(f"{self.path}: not an MBTiles file ({exc})") from None
            self._local.conn = conn
        return conn

    def tile(self, z: int, x: int, y: int) -> bytes | None:
        row = (2 ** z - 1) - y                       # XYZ → TMS
        found = self._conn().execute(
            "SELECT tile_data FROM tiles WHERE zoom_level=? AND tile_column=? AND tile_row=?", (z, x, row)).fetchone()
        return bytes(found[0]) if found else None


class XyzTiles:
    """Tiles from a URL template on the centre's network, kept in a disk cache: a tile once fetched is read from
    the cache from then on (the wall works offline once the area was shown). Fetched through the media policy's
    client (origin and address checked, no redirects, docs/security.md)."""

    minzoom = 0
    maxzoom = 19
    MAX_BYTES = 2 * 1024 * 1024

    def __init__(self, template: str, cache_dir: str, allow_networks: list[str] | tuple[str, ...] = ()) -> None:
        from .transport import MediaPolicy

        self.template = template
        self.policy = MediaPolicy.for_feed(template.replace("{z}", "0").replace("{x}", "0").replace("{y}", "0"),
                                           allow_networks=allow_networks)
        digest = hashlib.sha256(template.encode()).hexdigest()[:16]
        self.cache = Path(cache_dir) / digest
        self._client: Any = None
        self.fetched = 0                              # tiles fetched over the network (tests)

    def cached(self, z: int, x: int, y: int) -> bytes | None:
        path = self.cache / str(z) / str(x) / f"{y}.tile"
        try:
            return path.read_bytes()
        except OSError:
            return None

    async def fetch(self, z: int, x: int, y: int) -> bytes | None:
        """The tile from the cache, else from the server (then cached); None if neither has it."""
        data = self.cached(z, x, y)
        if data is not None:
            return data
        from .transport import make_media_client

        url = self.template.replace("{z}", str(z)).replace("{x}", str(x)).replace("{y}", str(y))
        if self.policy.url_refusal(url) is not None:
            return None
        if self._client is None:
            self._client = make_media_client(self.policy, timeout=10.0)
        try:
            resp = await self._client.get(url)
        except Exception:  # noqa: BLE001 - offline, refused or timed out: the tile stays missing until next time
            return None
        if resp.status_code != 200 or len(resp.content) > self.MAX_BYTES:
            return None
        data = bytes(resp.content)
        path = self.cache / str(z) / str(x) / f"{y}.tile"
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".part")
        tmp.write_bytes(data)
        tmp.replace(path)
        self.fetched += 1
        return data

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None
