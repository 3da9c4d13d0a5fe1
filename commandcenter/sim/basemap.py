"""The simulated city's own basemap: a river, main roads and place names consistent with its territory.

The city is synthetic, so its basemap is too, generated from the territory deterministically (same profile and
seed, same map): main roads (主干道) run along district and street boundaries and through each district's
middle, secondary roads (次干道) along community boundaries, a river meanders across the city with a lake on
its bank, and place names sit at the districts', streets' and communities' centres. Each layer is a GeoJSON
FeatureCollection in WGS84 longitude/latitude, the form `[[map.layers]]` reads.
"""
from __future__ import annotations

import json
import math
import random
from pathlib import Path
from typing import Any

from commandcenter.domain import TerritoryLevel

from .territory import City, Rect

ROAD_NAMES = ("黄河路", "长江路", "府前大街", "胜利大街", "东风路", "西城路", "南一路", "北二路", "渤海路", "庐山路",
              "泰山路", "华山路", "振兴路", "和平路", "学府路", "新华路", "滨河路", "迎宾路", "工业路", "海港路")
RIVER_NAME = "清水河"
LAKE_NAME = "明月湖"


def _feature(geometry: dict[str, Any], **props: Any) -> dict[str, Any]:
    return {"type": "Feature", "properties": props, "geometry": geometry}


def _collection(features: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": features}


def _edges(rect: Rect) -> list[tuple[tuple[float, float], tuple[float, float]]]:
    lon0, lat0, lon1, lat1 = rect
    return [((lon0, lat0), (lon1, lat0)), ((lon1, lat0), (lon1, lat1)), ((lon0, lat1), (lon1, lat1)),
            ((lon0, lat0), (lon0, lat1))]


def _inner_edges(city: City, level: TerritoryLevel) -> list[tuple[tuple[float, float], tuple[float, float]]]:
    """The sides of a level's rectangles that are not on the city's outline, each once."""
    x0, y0, x1, y1 = city.profile.extent
    seen: set[tuple[tuple[float, float], tuple[float, float]]] = set()
    for node in city.of_level(level):
        for a, b in _edges(city.rects[node.id]):
            a, b = (round(a[0], 6), round(a[1], 6)), (round(b[0], 6), round(b[1], 6))
            on_outline = (a[0] == b[0] and a[0] in (round(x0, 6), round(x1, 6))) or \
                         (a[1] == b[1] and a[1] in (round(y0, 6), round(y1, 6)))
            if not on_outline:
                seen.add((a, b))
    return sorted(seen)


def roads(city: City) -> dict[str, Any]:
    rng = random.Random(f"basemap:roads:{city.profile.name}")
    names = list(ROAD_NAMES)
    rng.shuffle(names)
    features = []
    main = _inner_edges(city, TerritoryLevel.STREET)
    for node in city.of_level(TerritoryLevel.DISTRICT):   # an avenue through each district's middle
        lon0, lat0, lon1, lat1 = city.rects[node.id]
        main.append(((lon0, (lat0 + lat1) / 2), (lon1, (lat0 + lat1) / 2)))
        main.append((((lon0 + lon1) / 2, lat0), ((lon0 + lon1) / 2, lat1)))
    for i, (a, b) in enumerate(main):
        features.append(_feature({"type": "LineString", "coordinates": [list(a), list(b)]},
                                 name=names[i % len(names)], kind="main"))
    main_set = set(main)
    for a, b in _inner_edges(city, TerritoryLevel.COMMUNITY):
        if (a, b) not in main_set:
            features.append(_feature({"type": "LineString", "coordinates": [list(a), list(b)]}, kind="minor"))
    return _collection(features)


def river_line(city: City, samples: int = 80) -> list[tuple[float, float]]:
    """The river's centre line: west to east across the city, meandering about a line a third of the way up."""
    lon0, lat0, lon1, lat1 = city.profile.extent
    rng = random.Random(f"basemap:river:{city.profile.name}")
    phase, amp = rng.uniform(0, math.tau), (lat1 - lat0) * 0.08
    base = lat0 + (lat1 - lat0) * 0.38
    out = []
    for k in range(samples + 1):
        t = k / samples
        lon = lon0 - (lon1 - lon0) * 0.05 + (lon1 - lon0) * 1.1 * t
        lat = base + amp * math.sin(phase + t * 2.6 * math.pi) + amp * 0.4 * math.sin(phase * 2 + t * 7 * math.pi)
        out.append((round(lon, 6), round(lat, 6)))
    return out


def water(city: City) -> dict[str, Any]:
    lon0, lat0, lon1, lat1 = city.profile.extent
    line = river_line(city)
    half = (lat1 - lat0) * 0.006 + 0.0004               # half the river's width, in degrees of latitude
    band = [(x, y + half) for x, y in line] + [(x, y - half) for x, y in reversed(line)]
    band.append(band[0])
    # a lake on the river's north bank, two thirds of the way east
    cx, cy = line[int(len(line) * 0.66)]
    rx, ry = (lon1 - lon0) * 0.035, (lat1 - lat0) * 0.03
    lake = [(round(cx + rx * math.cos(a), 6), round(cy + half + ry * (1 + math.sin(a)), 6))
            for a in (k * math.tau / 36 for k in range(37))]
    return _collection([
        _feature({"type": "Polygon", "coordinates": [[list(p) for p in band]]}, name=RIVER_NAME, kind="river"),
        _feature({"type": "Polygon", "coordinates": [[list(p) for p in lake]]}, name=LAKE_NAME, kind="lake"),
    ])


def places(city: City) -> dict[str, Any]:
    rank = {TerritoryLevel.DISTRICT: 1, TerritoryLevel.STREET: 2, TerritoryLevel.COMMUNITY: 3}
    features = []
    for level, r in rank.items():
        for node in city.of_level(level):
            lon, lat = city.centre(node.id)
            features.append(_feature({"type": "Point", "coordinates": [lon, lat]}, name=node.name, rank=r,
                                     node_id=node.id))
    line = river_line(city)
    lon, lat = line[len(line) // 4]
    features.append(_feature({"type": "Point", "coordinates": [lon, lat]}, name=RIVER_NAME, rank=1, kind="water"))
    return _collection(features)


def layers(city: City) -> dict[str, dict[str, Any]]:
    """{"water": …, "roads": …, "places": …}: the city's basemap layers as GeoJSON FeatureCollections."""
    return {"water": water(city), "roads": roads(city), "places": places(city)}


def write_layers(city: City, folder: Path) -> dict[str, Path]:
    """The layers as `<kind>.geojson` files in `folder`; {kind: path}."""
    folder.mkdir(parents=True, exist_ok=True)
    out = {}
    for kind, collection in layers(city).items():
        path = folder / f"{kind}.geojson"
        path.write_text(json.dumps(collection, ensure_ascii=False), encoding="utf-8")
        out[kind] = path
    return out
