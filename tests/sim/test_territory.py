"""The generated city: sizes per profile, a gap-free tiling, stable ids, Chinese names."""
from __future__ import annotations

from itertools import pairwise
import itertools
import re

import pytest

from commandcenter.domain import TerritoryLevel
from commandcenter.sim import generate


@pytest.mark.parametrize("profile, grids", [("street", 197), ("district", 1000), ("city", 6098)])
def test_each_profile_has_its_published_number_of_grids(profile: str, grids: int) -> None:
    city = generate(profile, seed=1)
    assert len(city.grids) == grids
    assert len(city.of_level(TerritoryLevel.GRID)) == grids


def test_the_hierarchy_runs_city_district_street_community_grid() -> None:
    city = generate("city", seed=1)
    parent_level = {TerritoryLevel.DISTRICT: TerritoryLevel.CITY, TerritoryLevel.STREET: TerritoryLevel.DISTRICT,
                    TerritoryLevel.COMMUNITY: TerritoryLevel.STREET, TerritoryLevel.GRID: TerritoryLevel.COMMUNITY}
    for node in city.nodes.values():
        if node.level is TerritoryLevel.CITY:
            assert node.parent_id is None
        else:
            assert city.nodes[node.parent_id].level is parent_level[node.level]  # type: ignore[index]
    assert len(city.of_level(TerritoryLevel.DISTRICT)) == 5


def _area(ring) -> float:
    return abs(sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in pairwise(ring))) / 2


@pytest.mark.parametrize("profile", ["street", "district", "city"])
def test_grids_tile_the_city_without_gaps(profile: str) -> None:
    city = generate(profile, seed=1)
    total = sum(_area(g.node.polygon) for g in city.grids)
    assert total == pytest.approx(_area(city.root.polygon), rel=1e-6)


@pytest.mark.parametrize("profile", ["street", "district"])
def test_grids_never_overlap(profile: str) -> None:
    city = generate(profile, seed=1)
    boxes = sorted((g.rect for g in city.grids), key=lambda r: r[0])
    eps = 1e-9
    for a, b in itertools.combinations(boxes, 2):
        overlap_x = min(a[2], b[2]) - max(a[0], b[0])
        overlap_y = min(a[3], b[3]) - max(a[1], b[1])
        assert overlap_x <= eps or overlap_y <= eps, (a, b)


def test_polygons_are_closed_rings_inside_the_city() -> None:
    city = generate("street", seed=1)
    lon0, lat0, lon1, lat1 = city.profile.extent
    for g in city.grids:
        ring = g.node.polygon
        assert ring[0] == ring[-1] and len(ring) == 5
        assert all(lon0 - 1e-6 <= x <= lon1 + 1e-6 and lat0 - 1e-6 <= y <= lat1 + 1e-6 for x, y in ring)


def test_same_seed_same_city_other_seed_other_names() -> None:
    a, b, c = generate("district", 1), generate("district", 1), generate("district", 2)
    assert [n for n in a.nodes.values()] == [n for n in b.nodes.values()]
    assert all(re.fullmatch(r"D\d\dS\d\dC\d\dG\d\d", g.node.id) for g in c.grids)   # ids follow the structure
    assert [g.node.name for g in a.grids] != [g.node.name for g in c.grids]


def test_names_are_chinese_and_every_grid_has_its_people() -> None:
    city = generate("street", seed=1)
    han = re.compile(r"^[\u4e00-\u9fff0-9（）·]+$")
    for node in city.nodes.values():
        assert han.match(node.name), node.name
    for g in city.grids:
        assert g.node.name.endswith("网格")
        assert han.match(g.node.grid_worker) and han.match(g.node.grid_head)
        assert 80 <= g.node.households <= 400
    assert city.root.households == sum(g.node.households for g in city.grids)


def test_departments_and_mediation_centres_at_four_levels() -> None:
    city = generate("city", seed=1)
    assert len(city.departments) == 27
    levels = {m["level"] for m in city.mediation_centers}
    assert levels == {"city", "district", "street", "community"}
