"""The generated city: districts → streets/towns → communities/villages → grids.

Polygons come from a recursive rectangular subdivision whose cut positions are jittered by
random weights (households), so the grids tile the city exactly: no gaps, no overlaps, every
shared edge computed once. Ids are hierarchical and stable for a profile and seed
(`D01S03C07G05` is grid 5 of community 7 of street 3 of district 1).
"""
from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from typing import Any

from commandcenter.domain import TerritoryLevel, TerritoryNode

from .names import DEPARTMENTS, DISTRICT_NAMES, Namer
from .seeds import Rates, rates_for

Rect = tuple[float, float, float, float]  # lon0, lat0, lon1, lat1


@dataclass(frozen=True)
class Profile:
    """How big a city to generate and which seed place its volumes follow (sim/seeds.py)."""

    name: str
    city_name: str
    districts: int
    streets: int
    communities: int
    grids: int
    extent: Rect
    seed_place: str = "dongying"

    @property
    def rates(self) -> Rates:
        return rates_for(self.grids, self.seed_place)


PROFILES: dict[str, Profile] = {
    "street": Profile("street", "海滨市", 1, 1, 14, 197, (118.470, 37.420, 118.530, 37.465), "chaohai"),
    "district": Profile("district", "海滨市", 1, 10, 100, 1000, (118.380, 37.330, 118.640, 37.550)),
    "city": Profile("city", "海滨市", 5, 40, 610, 6098, (118.150, 37.050, 119.150, 38.050)),
}


@dataclass
class Grid:
    node: TerritoryNode
    rect: Rect
    district_id: str
    street_id: str
    community_id: str
    rural: bool
    index: int


@dataclass
class City:
    """The whole territory plus the organisations that act in it."""

    profile: Profile
    nodes: dict[str, TerritoryNode]
    rects: dict[str, Rect]
    grids: list[Grid]
    departments: list[dict[str, Any]]
    mediation_centers: list[dict[str, Any]]
    grid_by_id: dict[str, Grid] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.grid_by_id = {g.node.id: g for g in self.grids}

    @property
    def root(self) -> TerritoryNode:
        return self.nodes["city"]

    def children(self, node_id: str) -> list[TerritoryNode]:
        return [n for n in self.nodes.values() if n.parent_id == node_id]

    def of_level(self, level: TerritoryLevel) -> list[TerritoryNode]:
        return [n for n in self.nodes.values() if n.level is level]

    def grids_under(self, node_id: str) -> list[Grid]:
        return [g for g in self.grids if node_id in ("city", g.district_id, g.street_id, g.community_id, g.node.id)]

    def point_in(self, grid: Grid, rng: random.Random) -> tuple[float, float]:
        lon0, lat0, lon1, lat1 = grid.rect
        return (
            round(lon0 + (lon1 - lon0) * (0.1 + 0.8 * rng.random()), 6),
            round(lat0 + (lat1 - lat0) * (0.1 + 0.8 * rng.random()), 6),
        )

    def centre(self, node_id: str) -> tuple[float, float]:
        lon0, lat0, lon1, lat1 = self.rects[node_id]
        return round((lon0 + lon1) / 2, 6), round((lat0 + lat1) / 2, 6)


def allocate(total: int, n: int, rng: random.Random, spread: float = 0.35) -> list[int]:
    """`n` positive integers summing to `total`, jittered around the mean."""
    if n <= 0:
        return []
    weights = [max(0.05, 1 + spread * (2 * rng.random() - 1)) for _ in range(n)]
    scale = (total - n) / sum(weights)
    counts = [1 + int(w * scale) for w in weights]
    i = 0
    while sum(counts) < total:
        counts[i % n] += 1
        i += 1
    return counts


def split(rect: Rect, weights: list[float]) -> list[Rect]:
    """Rectangles tiling `rect`, areas proportional to `weights`, laid out in near-square rows."""
    n = len(weights)
    lon0, lat0, lon1, lat1 = rect
    width = (lon1 - lon0) * math.cos(math.radians((lat0 + lat1) / 2))
    height = lat1 - lat0
    rows = max(1, min(n, round(math.sqrt(n * height / width)) if width > 0 else 1))
    total = sum(weights)
    # contiguous partition into `rows` groups with roughly equal sums
    groups: list[list[int]] = []
    target = total / rows
    current: list[int] = []
    acc = 0.0
    for i, w in enumerate(weights):
        remaining_items = n - i
        remaining_rows = rows - len(groups)
        if current and (acc + w / 2 > target * (len(groups) + 1) or remaining_items < remaining_rows):
            groups.append(current)
            current = []
        current.append(i)
        acc += w
    groups.append(current)
    out: list[Rect | None] = [None] * n
    y_cuts = [lat0]
    run = 0.0
    for g in groups:
        run += sum(weights[i] for i in g)
        y_cuts.append(lat0 + (lat1 - lat0) * run / total)
    y_cuts[-1] = lat1
    for r, g in enumerate(groups):
        row_total = sum(weights[i] for i in g)
        x_cuts = [lon0]
        run_x = 0.0
        for i in g:
            run_x += weights[i]
            x_cuts.append(lon0 + (lon1 - lon0) * run_x / row_total)
        x_cuts[-1] = lon1
        for k, i in enumerate(g):
            out[i] = (x_cuts[k], y_cuts[r], x_cuts[k + 1], y_cuts[r + 1])
    return [r for r in out if r is not None]


def ring(rect: Rect) -> tuple[tuple[float, float], ...]:
    lon0, lat0, lon1, lat1 = (round(v, 6) for v in rect)
    return ((lon0, lat0), (lon1, lat0), (lon1, lat1), (lon0, lat1), (lon0, lat0))


def generate(profile: str | Profile = "street", seed: int = 1) -> City:
    """Build the city for a profile; the same profile and seed always give the same city."""
    prof = PROFILES[profile] if isinstance(profile, str) else profile
    rng = random.Random(f"territory:{prof.name}:{seed}")
    namer = Namer(rng)
    nodes: dict[str, TerritoryNode] = {}
    rects: dict[str, Rect] = {}
    grids: list[Grid] = []

    def add(node_id: str, level: TerritoryLevel, name: str, parent: str | None, rect: Rect, **extra: Any) -> None:
        nodes[node_id] = TerritoryNode(node_id, level, name, parent, ring(rect), **extra)
        rects[node_id] = rect

    add("city", TerritoryLevel.CITY, prof.city_name, None, prof.extent)
    grids_per_district = allocate(prof.grids, prof.districts, rng, 0.4)
    streets_per_district = allocate(prof.streets, prof.districts, rng, 0.3)
    communities_per_street = allocate(prof.communities, prof.streets, rng, 0.3)
    district_rects = split(prof.extent, [float(g) for g in grids_per_district])
    street_no = 0
    for d in range(prof.districts):
        did = f"D{d + 1:02d}"
        dname = DISTRICT_NAMES[d % len(DISTRICT_NAMES)] if prof.districts > 1 else "滨海区"
        namer._used.setdefault("district", set()).add(dname)
        n_streets = streets_per_district[d]
        street_comms = communities_per_street[street_no:street_no + n_streets]
        grids_per_street = allocate(grids_per_district[d], n_streets, rng, 0.3)
        # a street needs at least as many grids as communities
        for s in range(n_streets):
            street_comms[s] = min(street_comms[s], grids_per_street[s])
        street_rects = split(district_rects[d], [float(g) for g in grids_per_street])
        add(did, TerritoryLevel.DISTRICT, dname, "city", district_rects[d],
            households=0)
        for s in range(n_streets):
            sid = f"{did}S{s + 1:02d}"
            sname = namer.street(did)
            town = sname.endswith("镇")
            add(sid, TerritoryLevel.STREET, sname, did, street_rects[s])
            grids_per_comm = allocate(grids_per_street[s], street_comms[s], rng, 0.3)
            comm_rects = split(street_rects[s], [float(g) for g in grids_per_comm])
            for c in range(street_comms[s]):
                cid = f"{sid}C{c + 1:02d}"
                rural = town and rng.random() < 0.8
                cname = namer.community(sid, rural)
                add(cid, TerritoryLevel.COMMUNITY, cname, sid, comm_rects[c])
                households = [rng.randint(80, 300) if rural else rng.randint(200, 400) for _ in range(grids_per_comm[c])]
                grid_rects = split(comm_rects[c], [float(h) for h in households])
                for g in range(grids_per_comm[c]):
                    gid = f"{cid}G{g + 1:02d}"
                    add(gid, TerritoryLevel.GRID, f"{cname}第{g + 1}网格", cid, grid_rects[g],
                        households=households[g], grid_worker=namer.person(), grid_head=namer.person())
                    grids.append(Grid(nodes[gid], grid_rects[g], did, sid, cid, rural, len(grids)))
        street_no += n_streets
    # roll households up the tree
    totals: dict[str, int] = {}
    for gr in grids:
        for nid in ("city", gr.district_id, gr.street_id, gr.community_id):
            totals[nid] = totals.get(nid, 0) + gr.node.households
    for nid, total in totals.items():
        n = nodes[nid]
        nodes[nid] = TerritoryNode(n.id, n.level, n.name, n.parent_id, n.polygon, total, n.grid_worker, n.grid_head)
    departments = [{"id": f"DEPT{i + 1:02d}", "name": f"{prof.city_name[:-1]}市{name}" if not name.endswith("公司") else f"{prof.city_name[:-1]}{name}"}
                   for i, name in enumerate(DEPARTMENTS)]
    mediation: list[dict[str, Any]] = []
    for node in nodes.values():
        if node.level is TerritoryLevel.GRID:
            continue
        label = {TerritoryLevel.CITY: "矛盾纠纷多元化解中心", TerritoryLevel.DISTRICT: "矛盾纠纷调处化解中心",
                 TerritoryLevel.STREET: "综治中心调解室", TerritoryLevel.COMMUNITY: "人民调解委员会"}[node.level]
        lon, lat = ((rects[node.id][0] + rects[node.id][2]) / 2, (rects[node.id][1] + rects[node.id][3]) / 2)
        mediation.append({"id": f"MED-{node.id}", "name": node.name + label, "level": node.level.value,
                          "node_id": node.id, "lon": round(lon, 6), "lat": round(lat, 6)})
    return City(prof, nodes, rects, grids, departments, mediation)
