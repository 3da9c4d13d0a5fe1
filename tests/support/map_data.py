"""A small synthetic city for the map's tests and benchmark: no simulator needed.

A rectangular lattice of grids (jittered shared vertices, so neighbouring grids share edges exactly),
grouped into communities, streets and districts as TerritoryNodes, plus a few incidents, alerts and
resources placed inside it.
"""
from __future__ import annotations

import math
import random
from datetime import datetime, UTC

from commandcenter.domain import (
    AlertLevel, AlertStatus, AlertType, Category, ResourceKind, ResourceStatus, Severity, Source, Status,
    TerritoryLevel,
)
from commandcenter.domain.models import Alert, Incident, Resource, TerritoryNode

LON0, LAT0 = 118.50, 37.40     # Dongying-ish
CELL = 0.004                   # degrees per grid side
DISTRICT_NAMES = ["东营区", "垦利区", "河口区", "广饶县", "利津县"]
T0 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def city(n_grids: int = 1000, n_districts: int = 3, streets_per_district: int = 3, seed: int = 7,
         cols: int | None = None) -> list[TerritoryNode]:
    """City → districts (column bands) → streets (row bands) → communities (2 per street) → grids."""
    rnd = random.Random(seed)
    cols = cols or max(n_districts * 2, int(math.ceil(math.sqrt(n_grids * 1.3))))
    rows = int(math.ceil(n_grids / cols))
    # jittered lattice vertices, shared by neighbours
    vx = [[LON0 + (c + (rnd.uniform(-0.2, 0.2) if 0 < c < cols else 0)) * CELL for c in range(cols + 1)]
          for _ in range(rows + 1)]
    vy = [[LAT0 + (r + (rnd.uniform(-0.2, 0.2) if 0 < r < rows else 0)) * CELL for _ in range(cols + 1)]
          for r in range(rows + 1)]

    def district_of(c: int) -> int:
        return min(n_districts - 1, c * n_districts // cols)

    def street_of(r: int) -> int:
        return min(streets_per_district - 1, r * streets_per_district // rows)

    nodes = [TerritoryNode("C", TerritoryLevel.CITY, "东营市", None)]
    for d in range(n_districts):
        nodes.append(TerritoryNode(f"D{d}", TerritoryLevel.DISTRICT, DISTRICT_NAMES[d % len(DISTRICT_NAMES)], "C"))
        for s in range(streets_per_district):
            nodes.append(TerritoryNode(f"D{d}S{s}", TerritoryLevel.STREET, f"{'东西南北中'[s % 5]}城街道", f"D{d}"))
            for k in range(2):
                nodes.append(TerritoryNode(f"D{d}S{s}K{k}", TerritoryLevel.COMMUNITY, f"幸福{k + 1}社区", f"D{d}S{s}"))
    count = 0
    for r in range(rows):
        for c in range(cols):
            if count >= n_grids:
                break
            d, s = district_of(c), street_of(r)
            band = [cc for cc in range(cols) if district_of(cc) == d]
            k = 0 if c < band[len(band) // 2] else 1
            ring = ((vx[r][c], vy[r][c]), (vx[r][c + 1], vy[r][c + 1]), (vx[r + 1][c + 1], vy[r + 1][c + 1]),
                    (vx[r + 1][c], vy[r + 1][c]))
            nodes.append(TerritoryNode(f"G{count:05d}", TerritoryLevel.GRID, f"第{count + 1}网格", f"D{d}S{s}K{k}",
                                       polygon=ring, households=200 + count % 200))
            count += 1
    return nodes


def grids(nodes: list[TerritoryNode]) -> list[TerritoryNode]:
    return [n for n in nodes if n.level is TerritoryLevel.GRID]


def centre(node: TerritoryNode) -> tuple[float, float]:
    xs = [p[0] for p in node.polygon]
    ys = [p[1] for p in node.polygon]
    return sum(xs) / len(xs), sum(ys) / len(ys)


def incident(i: int, grid: TerritoryNode, severity: Severity = Severity.MEDIUM, drill_id: str | None = None,
             at: tuple[float, float] | None = None) -> Incident:
    lon, lat = at or centre(grid)
    return Incident(id=f"E{i:05d}", version=1, updated_at=T0, reported_at=T0, title=f"事件{i}",
                    category=Category.DISPUTE, source=Source.GRID_APP, severity=severity, status=Status.REPORTED,
                    grid_id=grid.id, lon=lon, lat=lat, drill_id=drill_id)


def incidents(nodes: list[TerritoryNode], n: int, seed: int = 3) -> list[Incident]:
    rnd = random.Random(seed)
    gs = grids(nodes)
    out = []
    for i in range(n):
        g = rnd.choice(gs)
        lon, lat = centre(g)
        out.append(incident(i, g, rnd.choice(list(Severity)), drill_id="DRILL1" if i % 17 == 0 else None,
                            at=(lon + rnd.uniform(-1, 1) * CELL / 4, lat + rnd.uniform(-1, 1) * CELL / 4)))
    return out


def alert(aid: str, ring, level: AlertLevel = AlertLevel.ORANGE) -> Alert:
    return Alert(id=aid, version=1, updated_at=T0, level=level, type=AlertType.WEATHER, title=f"暴雨预警 {aid}",
                 status=AlertStatus.ACTIVE, issued_at=T0, polygons=(tuple(ring),))


def box(lon: float, lat: float, w: float, h: float):
    return ((lon, lat), (lon + w, lat), (lon + w, lat + h), (lon, lat + h))


def resources(nodes: list[TerritoryNode], n: int, seed: int = 5) -> list[Resource]:
    rnd = random.Random(seed)
    gs = grids(nodes)
    out = []
    kinds = [ResourceKind.TEAM, ResourceKind.VEHICLE, ResourceKind.PERSON, ResourceKind.SUPPLY]
    for i in range(n):
        lon, lat = centre(rnd.choice(gs))
        out.append(Resource(id=f"R{i:03d}", version=1, updated_at=T0, kind=kinds[i % 4], name=f"救援队{i}",
                            status=list(ResourceStatus)[i % 4], lon=lon + CELL / 3, lat=lat - CELL / 3))
    return out


def random_load(nodes: list[TerritoryNode], rnd: random.Random, busy: float = 0.4) -> dict[str, int]:
    return {g.id: int(rnd.expovariate(0.3)) for g in grids(nodes) if rnd.random() < busy}
