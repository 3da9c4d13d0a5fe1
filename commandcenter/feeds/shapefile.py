"""Grid boundaries (or other territory layers) from an ESRI Shapefile, the form GIS departments hold them in.

`url` is the `.shp` path (its `.shx`, `.dbf` and optional `.prj`/`.cpg` beside it). Coordinates are in the
feed's `crs` (e.g. "EPSG:4550", CGCS2000 3-degree Gauss–Krüger zone 41), else the CRS the `.prj` file
describes, else WGS84 longitude/latitude; pyproj transforms them to WGS84 for the wall. Attribute fields (any
case): id (or grid_id), name, level (default grid), parent_id, households, grid_worker, grid_head; text is
decoded in the `.cpg` file's encoding, else UTF-8, else GBK. Each shape becomes a TerritoryNode through the same
checks as the GeoJSON feed; a shape that fails (no id, a ring that does not close, no polygon, coordinates
out of range) is quarantined with its reason and the rest loads. The files are re-read every `interval`
seconds (at least 60) and delivered only when their content changed (the cursor is their SHA-256).
"""
from __future__ import annotations

import asyncio
import hashlib
import io
import json
from itertools import pairwise
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import shapefile

from ..domain import InvalidRecord
from ..domain.models import TerritoryNode
from .base import BatchBuilder, FeedBase, FeedError, Sink
from .geojson import MAX_POINTS, feature_to_node

#: pyshp shape types holding polygons (plain, with Z, with M)
_POLYGON_TYPES = {shapefile.POLYGON, shapefile.POLYGONZ, shapefile.POLYGONM}
_FIELDS = ("id", "grid_id", "name", "level", "parent_id", "households", "grid_worker", "grid_head")


@dataclass(frozen=True)
class ShapefileData:
    """What one read of the files gave: the shapes as GeoJSON-like features (WGS84) or their refusals."""

    digest: str
    features: list[tuple[dict[str, Any] | None, str, str]]     # (feature, raw text, refusal reason or "")


def _sidecar(shp: Path, ext: str) -> Path | None:
    for cand in (shp.with_suffix(ext), shp.with_suffix(ext.upper())):
        if cand.exists():
            return cand
    return None


def source_crs(crs: str, prj_text: str | None) -> Any:
    """The pyproj CRS the coordinates are in: the config's, else the .prj's, else WGS84."""
    from pyproj import CRS
    from pyproj.exceptions import CRSError

    if crs:
        return CRS.from_user_input(crs)
    if prj_text:
        try:
            return CRS.from_wkt(prj_text)
        except CRSError as exc:
            raise FeedError(f".prj file is not a CRS pyproj understands ({exc}); give the feed's crs") from None
    return CRS.from_epsg(4326)


def _ring_closes(points: list[Any]) -> bool:
    return len(points) >= 4 and tuple(points[0][:2]) == tuple(points[-1][:2])


def read_shapefile(url: str, crs: str = "", max_bytes: int = 16 * 1024 * 1024) -> ShapefileData:
    """Read and transform the Shapefile at `url` (blocking: call it off the event loop)."""
    from pyproj import Transformer

    shp = Path(url[len("file://"):] if url.startswith("file://") else url)
    parts: dict[str, bytes] = {}
    for ext in (".shp", ".shx", ".dbf", ".prj", ".cpg"):
        path = shp if ext == ".shp" else _sidecar(shp, ext)
        if path is None:
            if ext in (".shx", ".dbf"):
                raise FeedError(f"{shp.with_suffix(ext)} is missing (a Shapefile is .shp + .shx + .dbf)")
            continue
        try:
            data = path.read_bytes() if path.stat().st_size <= max_bytes else None
        except OSError as exc:
            raise FeedError(f"cannot read {path}: {exc.strerror}") from None
        if data is None:
            raise FeedError(f"{path} is larger than max_bytes={max_bytes}")
        parts[ext] = data
    digest = "sha256:" + hashlib.sha256(b"".join(hashlib.sha256(parts.get(e, b"")).digest()
                                                 for e in (".shp", ".shx", ".dbf", ".prj", ".cpg"))).hexdigest()
    prj = parts.get(".prj", b"").decode("utf-8", "replace").strip() or None
    try:
        src = source_crs(crs, prj)
    except FeedError:
        raise
    except Exception as exc:  # noqa: BLE001 - pyproj's CRSError and friends: the config named something unusable
        raise FeedError(f"crs {crs!r}: {exc}") from None
    to_wgs84 = Transformer.from_crs(src, "EPSG:4326", always_xy=True)
    encoding = parts.get(".cpg", b"").decode("ascii", "replace").strip() or "utf-8"
    for enc in dict.fromkeys([encoding, "utf-8", "gbk"]):
        try:
            return ShapefileData(digest, _features(parts, enc, to_wgs84))
        except (UnicodeDecodeError, LookupError, shapefile.dbfFileException):
            continue
    raise FeedError("attribute text is neither in the .cpg encoding, UTF-8 nor GBK")


def _features(parts: dict[str, bytes], encoding: str, to_wgs84: Any) -> list[tuple[dict[str, Any] | None, str, str]]:
    try:
        reader = shapefile.Reader(shp=io.BytesIO(parts[".shp"]), shx=io.BytesIO(parts[".shx"]),
                                  dbf=io.BytesIO(parts[".dbf"]), encoding=encoding)
    except shapefile.ShapefileException as exc:
        raise FeedError(f"not a Shapefile: {exc}") from None
    names = {f[0].lower(): f[0] for f in reader.fields[1:]}
    out: list[tuple[dict[str, Any] | None, str, str]] = []
    for i, rec in enumerate(reader.iterShapeRecords()):
        attrs = rec.record.as_dict()
        props = {k: attrs[names[k]] for k in _FIELDS if k in names and attrs[names[k]] not in (None, "")}
        if "id" not in props and "grid_id" in props:
            props["id"] = props["grid_id"]
        props.pop("grid_id", None)
        for key in ("id", "parent_id"):
            if isinstance(props.get(key), int | float) and not isinstance(props.get(key), bool):
                props[key] = str(int(props[key]))
        raw = json.dumps({"shape": i, "properties": props}, ensure_ascii=False, default=str)
        try:
            feature = _feature(rec.shape, props, to_wgs84)
        except InvalidRecord as exc:
            out.append((None, raw, exc.reason))
            continue
        out.append((feature, raw, ""))
    return out


def _feature(shape: Any, props: dict[str, Any], to_wgs84: Any) -> dict[str, Any]:
    if shape.shapeType == shapefile.NULL:
        raise InvalidRecord("shape without geometry")
    if shape.shapeType not in _POLYGON_TYPES:
        raise InvalidRecord(f"{shape.shapeTypeName} shape (grid boundaries are polygons)")
    if len(shape.points) > MAX_POINTS:
        raise InvalidRecord(f"polygon with more than {MAX_POINTS} points")
    bounds = list(shape.parts) + [len(shape.points)]
    rings = [shape.points[a:b] for a, b in pairwise(bounds)]
    for k, ring in enumerate(rings):
        if not _ring_closes(ring):
            raise InvalidRecord(f"ring {k} does not close (first and last points differ)" if len(ring) >= 4
                                else f"ring {k} has {len(ring)} points (a closed ring needs at least 4)")
    # the outer rings (clockwise in a Shapefile) are polygons of their own; holes (counter-clockwise) are dropped:
    # the wall draws each grid's outline
    outers = [r for r in rings if shapefile.signed_area(r) < 0] or rings
    polys = []
    for ring in outers:
        xs, ys = to_wgs84.transform([p[0] for p in ring], [p[1] for p in ring])
        polys.append([[[float(x), float(y)] for x, y in zip(xs, ys, strict=True)]])
    geometry = {"type": "Polygon", "coordinates": polys[0]} if len(polys) == 1 else \
        {"type": "MultiPolygon", "coordinates": polys}
    return {"type": "Feature", "properties": props, "geometry": geometry}


def shapefile_nodes(url: str, crs: str = "") -> tuple[list[TerritoryNode], list[tuple[str, str]]]:
    """(nodes, [(raw, reason)]) of a Shapefile: for tools and tests that want the records without a feed."""
    data = read_shapefile(url, crs)
    nodes, refused = [], []
    for feature, raw, reason in data.features:
        if feature is None:
            refused.append((raw, reason))
            continue
        try:
            nodes.append(feature_to_node(feature))
        except InvalidRecord as exc:
            refused.append((raw, exc.reason))
    return nodes, refused


class ShapefileFeed(FeedBase):
    @property
    def period(self) -> float:
        return max(self.section.interval, 60.0)

    async def _run_once(self, sink: Sink) -> None:
        url = self.section.url
        if url.startswith(("http://", "https://", "embedded:")):
            raise FeedError("a shapefile feed reads a local .shp path (its .shx and .dbf beside it)")
        data = await asyncio.to_thread(read_shapefile, url, self.section.crs, self.section.max_bytes)
        if data.digest == self.cursor:
            self.mark_ok()
            return
        self.mark_ok()
        builder = BatchBuilder(self)
        for feature, raw, reason in data.features:
            if feature is None:
                builder.quarantine("territory", raw, reason, _raw_id(raw))
                continue
            try:
                builder.territory(feature_to_node(feature))
            except InvalidRecord as exc:
                builder.quarantine("territory", raw, exc.reason, exc.record_id)
            except Exception as exc:  # noqa: BLE001 - whatever decoding raises is this shape's fault, not the feed's
                builder.quarantine("territory", raw, f"{type(exc).__name__}: {exc}"[:300])
        await self.deliver(sink, builder, data.digest)

    def idle_delay(self) -> float:
        return max(self.section.interval, 60.0)


def _raw_id(raw: str) -> str | None:
    value = json.loads(raw).get("properties", {}).get("id")
    return str(value)[:64] if value is not None else None


