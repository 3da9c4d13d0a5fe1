"""Grid boundaries (or other territory layers) from a GeoJSON FeatureCollection at a URL or in a file.

Each Feature becomes a TerritoryNode: `properties` carry id (or the Feature's `id`), level (default
grid), name, parent_id, households, grid_worker, grid_head; the geometry's outer ring (the largest
polygon of a MultiPolygon) is the node's polygon. The document is re-read every `interval` seconds and
delivered only when its content changed; the cursor is the content's SHA-256, so a restart does not
re-deliver an unchanged layer.
"""
from __future__ import annotations

import hashlib
import math
from typing import Any

from ..domain import InvalidRecord, TerritoryLevel, TerritoryNode, wirejson
from .base import BatchBuilder, FeedBase, FeedError, Sink, looks_like_html, snippet
from .native import decode_territory_node, raw_json

MAX_POINTS = 200_000


def parse_feature_collection(body: bytes, content_type: str = "") -> list[Any]:
    if looks_like_html(body, content_type):
        raise FeedError(f"HTML instead of GeoJSON: {snippet(body)}")
    try:
        data, unparsed = wirejson.load_list(body, "features")
    except wirejson.BadJson as exc:
        raise FeedError(f"invalid JSON ({exc}): {snippet(body)}") from None
    if isinstance(data, dict) and data.get("type") == "Feature":
        return [data]
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection" or not isinstance(data.get("features"), list):
        raise FeedError(f"expected a GeoJSON FeatureCollection: {snippet(body)}")
    features: list[Any] = data["features"]
    return features + unparsed      # the builder quarantines the unparsed with their reason


def _ring(coords: Any) -> tuple[tuple[float, float], ...]:
    if not isinstance(coords, list) or len(coords) < 3:
        raise InvalidRecord("a ring needs at least 3 positions")
    if len(coords) > MAX_POINTS:
        raise InvalidRecord(f"ring with more than {MAX_POINTS} positions")
    out = []
    for pos in coords:
        if not isinstance(pos, list) or len(pos) < 2:
            raise InvalidRecord("a position must be [lon, lat]")
        lon, lat = pos[0], pos[1]
        if isinstance(lon, bool) or isinstance(lat, bool) or not isinstance(lon, int | float) or not isinstance(lat, int | float):
            raise InvalidRecord("a position must hold numbers")
        if not (math.isfinite(lon) and math.isfinite(lat) and -180 <= lon <= 180 and -90 <= lat <= 90):
            raise InvalidRecord("position out of range")
        out.append((float(lon), float(lat)))
    return tuple(out)


def _area(ring: tuple[tuple[float, float], ...]) -> float:
    return abs(sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True))) / 2


def feature_to_node(feature: Any) -> TerritoryNode:
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        raise InvalidRecord("expected a GeoJSON Feature", "territory")
    props = feature.get("properties")
    if not isinstance(props, dict):
        props = {}
    node_id = props.get("id", feature.get("id"))
    if isinstance(node_id, int) and not isinstance(node_id, bool):
        node_id = str(node_id)
    if not isinstance(node_id, str) or not node_id:
        raise InvalidRecord("feature without an id", "territory")
    geom = feature.get("geometry")
    polygon: tuple[tuple[float, float], ...] = ()
    try:
        if isinstance(geom, dict):
            gtype, coords = geom.get("type"), geom.get("coordinates")
            if gtype == "Polygon":
                if not isinstance(coords, list) or not coords:
                    raise InvalidRecord("Polygon without rings")
                polygon = _ring(coords[0])
            elif gtype == "MultiPolygon":
                if not isinstance(coords, list) or not coords:
                    raise InvalidRecord("MultiPolygon without polygons")
                rings = [_ring(p[0]) for p in coords if isinstance(p, list) and p]
                if not rings:
                    raise InvalidRecord("MultiPolygon without rings")
                polygon = max(rings, key=_area)
            else:
                raise InvalidRecord(f"unsupported geometry {str(gtype)[:20]!r} (Polygon or MultiPolygon)")
        elif geom is not None:
            raise InvalidRecord("geometry must be an object or null")
        data = {
            "id": node_id, "level": props.get("level", TerritoryLevel.GRID.value),
            "name": props.get("name", node_id), "parent_id": props.get("parent_id"),
            "households": props.get("households", 0), "grid_worker": props.get("grid_worker", ""),
            "grid_head": props.get("grid_head", ""), "polygon": [list(p) for p in polygon],
        }
        return decode_territory_node(data)
    except InvalidRecord as exc:
        raise InvalidRecord(exc.reason, "territory", node_id) from None


class GeoJsonFeed(FeedBase):
    @property
    def period(self) -> float:
        return max(self.section.interval, 60.0)

    async def _run_once(self, sink: Sink) -> None:
        body, ctype = await self.get_bytes(self.section.url, accept="application/geo+json, application/json")
        digest = "sha256:" + hashlib.sha256(body).hexdigest()
        if digest == self.cursor:
            self.mark_ok()
            return
        features = parse_feature_collection(body, ctype)
        self.mark_ok()
        builder = BatchBuilder(self)
        for feature in features:
            if isinstance(feature, wirejson.Unparsed):
                builder.quarantine("territory", feature.raw, feature.reason)
                continue
            try:
                builder.territory(feature_to_node(feature))
            except InvalidRecord as exc:
                builder.quarantine("territory", raw_json(feature), exc.reason, exc.record_id)
            except Exception as exc:  # noqa: BLE001 - whatever decoding raises is this feature's fault, not the feed's
                builder.quarantine("territory", raw_json(feature), f"{type(exc).__name__}: {exc}"[:300])
        await self.deliver(sink, builder, digest)

    def idle_delay(self) -> float:
        return max(self.section.interval, 60.0)
