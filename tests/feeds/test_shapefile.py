"""Grid boundaries from a real Shapefile in CGCS2000 Gauss–Krüger coordinates (written here with pyshp): loaded,
transformed back to longitude/latitude, bad shapes quarantined with their reason, the rest delivered."""
from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import shapefile
from tests.support.feeds import Collector, run_until, section
from pyproj import CRS, Transformer

from commandcenter.domain import TerritoryLevel
from commandcenter.feeds import make_feed
from commandcenter.sim.territory import generate

#: CGCS2000 3-degree Gauss–Krüger, central meridian 120°E (the zone the demo city's coast lies in)
GK = "EPSG:4549"


def write_grids(path: Path, grids, crs: str = GK, *, prj: bool = True, extra=()) -> None:
    """The grids' rectangles as Shapefile polygons in `crs` (clockwise outer rings), plus `extra` raw shapes."""
    to_gk = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    w = shapefile.Writer(str(path), shapeType=shapefile.POLYGON, encoding="utf-8")
    w.field("ID", "C", size=32)
    w.field("NAME", "C", size=64)
    w.field("PARENT_ID", "C", size=32)
    w.field("HOUSEHOLDS", "N", size=8)
    for g in grids:
        ring = list(reversed(g.node.polygon))                      # the simulator's rings run counter-clockwise
        xs, ys = to_gk.transform([p[0] for p in ring], [p[1] for p in ring])
        w.poly([list(zip(xs, ys, strict=True))])
        w.record(g.node.id, g.node.name, g.community_id, g.node.households)
    for points, record in extra:
        # as given: poly() would close the ring
        w.shape(shapefile.Shape(shapeType=shapefile.POLYGON, points=points, parts=[0]))
        w.record(*record)
    w.close()
    if prj:
        path.with_suffix(".prj").write_text(CRS.from_user_input(crs).to_wkt("WKT1_ESRI"))


def load(url: str, **kw):
    async def main():
        feed = make_feed(section(kind="shapefile", url=url, interval=0.05, **kw), None)
        sink = Collector()
        await run_until(lambda: feed.run(sink, None), lambda: sink.batches, timeout=10)
        return feed, sink
    return asyncio.run(main())


def test_gauss_kruger_shapefile_lands_where_the_grids_are(tmp_path):
    city = generate("street", seed=3)
    grids = city.grids[:12]
    ox, oy = Transformer.from_crs("EPSG:4326", GK, always_xy=True).transform(118.5, 37.44)
    open_ring = [(ox, oy), (ox + 100, oy), (ox + 100, oy - 100), (ox, oy - 50)]          # last point ≠ first
    square = [(ox, oy), (ox + 100, oy), (ox + 100, oy - 100), (ox, oy - 100), (ox, oy)]
    write_grids(tmp_path / "grids.shp", grids, extra=[(open_ring, ("BAD1", "未闭合", "", 1)),
                                                      (square, ("", "无编号", "", 1))])
    feed, sink = load(str(tmp_path / "grids.shp"))
    nodes = {n.id: n for n in sink.all("territory")}
    assert set(nodes) == {g.node.id for g in grids}
    for g in grids:
        n = nodes[g.node.id]
        assert n.level is TerritoryLevel.GRID and n.name == g.node.name and n.parent_id == g.community_id
        assert n.households == g.node.households
        want = sorted(g.node.polygon[:-1])
        got = sorted(n.polygon[:-1] if n.polygon[0] == n.polygon[-1] else n.polygon)
        # ≈1 cm after the round trip through the zone
        assert [c for p in got for c in p] == pytest.approx([c for p in want for c in p], abs=1e-7)
    reasons = sorted(q.reason for q in sink.all("quarantined"))
    assert len(reasons) == 2
    assert any("does not close" in r for r in reasons) and any("without an id" in r for r in reasons)
    assert sink.cursor.startswith("sha256:")


def test_crs_from_the_config_when_there_is_no_prj(tmp_path):
    grids = generate("street", seed=3).grids[:3]
    write_grids(tmp_path / "g.shp", grids, prj=False)
    _, sink = load(str(tmp_path / "g.shp"), crs=GK)
    assert len(sink.all("territory")) == 3
    # without a crs or .prj the numbers are read as longitude/latitude: every shape refused, saying why
    _, sink = load(str(tmp_path / "g.shp"))
    assert sink.all("territory") == [] and len(sink.all("quarantined")) == 3
    assert all("out of range" in q.reason for q in sink.all("quarantined"))


def test_gbk_attributes_and_a_missing_dbf(tmp_path):
    grids = generate("street", seed=3).grids[:2]
    to_gk = Transformer.from_crs("EPSG:4326", GK, always_xy=True)
    w = shapefile.Writer(str(tmp_path / "gbk.shp"), shapeType=shapefile.POLYGON, encoding="gbk")
    w.field("GRID_ID", "C", size=32)
    w.field("NAME", "C", size=64)
    for g in grids:
        xs, ys = to_gk.transform(*zip(*reversed(g.node.polygon), strict=True))
        w.poly([list(zip(xs, ys, strict=True))])
        w.record(g.node.id, g.node.name)
    w.close()
    (tmp_path / "gbk.prj").write_text(CRS.from_user_input(GK).to_wkt("WKT1_ESRI"))
    _, sink = load(str(tmp_path / "gbk.shp"))
    assert sorted(n.name for n in sink.all("territory")) == sorted(g.node.name for g in grids)
    (tmp_path / "gbk.dbf").unlink()
    feed = make_feed(section(kind="shapefile", url=str(tmp_path / "gbk.shp"), interval=0.05), None)

    async def main():
        await run_until(lambda: feed.run(Collector(), None), lambda: feed.last_error, timeout=5)
    asyncio.run(main())
    assert "gbk.dbf is missing" in feed.last_error


def test_config_refuses_an_unknown_crs():
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="expected a CRS pyproj knows"):
        section(kind="shapefile", url="/x.shp", crs="EPSG:99999999")
    with pytest.raises(ValidationError, match="only a shapefile feed takes a crs"):
        section(kind="geojson", url="/x.json", crs="EPSG:4550")
