"""The basemap under the grids: a real Shapefile in CGCS2000 Gauss–Krüger lands on the right streets of the demo
city's vector basemap; MBTiles tiles are placed with their TMS rows flipped; a tile server's tiles are fetched
once and then served from the disk cache with the server gone; the config names bad basemap keys."""
from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest
import shapefile
from aiohttp import web
from pyproj import CRS, Transformer
from PySide6.QtGui import QColor, QFontDatabase, QImage

from commandcenter.config import ConfigError, parse_config
from commandcenter.domain import TerritoryLevel
from commandcenter.feeds.basemap import MBTiles, XyzTiles, layer_from_features, lonlat_to_tile
from commandcenter.feeds.shapefile import shapefile_nodes
from commandcenter.sim import basemap as sim_basemap
from commandcenter.sim.territory import generate
from commandcenter.ui.map import GridMap
from commandcenter.ui.resources import FONT_FILE as FONT
from commandcenter.ui.map.basemap import TileLoader


GK = "EPSG:4549"          # CGCS2000 3-degree Gauss–Krüger, central meridian 120°E


@pytest.fixture(scope="module")
def cjk_font(qapp):
    assert QFontDatabase.addApplicationFont(str(FONT)) >= 0


@pytest.fixture(scope="module")
def city():
    return generate("street", seed=3)


@pytest.fixture(scope="module")
def layers(city):
    return [layer_from_features(kind, fc["features"]) for kind, fc in sim_basemap.layers(city).items()]


def shapefile_grids(path: Path, city) -> None:
    """Every grid of the city as a Gauss–Krüger polygon (clockwise outer ring) with its id and community."""
    to_gk = Transformer.from_crs("EPSG:4326", GK, always_xy=True)
    w = shapefile.Writer(str(path), shapeType=shapefile.POLYGON, encoding="utf-8")
    w.field("ID", "C", size=32)
    w.field("NAME", "C", size=64)
    w.field("PARENT_ID", "C", size=32)
    for g in city.grids:
        xs, ys = to_gk.transform(*zip(*reversed(g.node.polygon), strict=True))
        w.poly([list(zip(xs, ys, strict=True))])
        w.record(g.node.id, g.node.name, g.community_id)
    w.close()
    path.with_suffix(".prj").write_text(CRS.from_user_input(GK).to_wkt("WKT1_ESRI"))


def tiles_drawn(qtbot, m: GridMap, loader: TileLoader, at_least: int = 1) -> None:
    """Paint (which asks for the tiles in view), wait on the loader's thread, paint again with them: the waiting
    never paints (a grab inside the wait can meet a paint in progress)."""
    m.plot.grab()
    qtbot.waitUntil(lambda: not loader._pending, timeout=10000)
    qtbot.wait(20)                                      # the queued arrivals
    m.plot.grab()
    assert m.raster is not None and len(m.raster.drawn) >= at_least


def show(qtbot, m: GridMap, w: int = 1400, h: int = 1000) -> None:
    qtbot.addWidget(m)
    m.resize(w, h)
    m.show()
    qtbot.waitExposed(m)
    qtbot.wait(10)


def test_demo_basemap_is_deterministic_and_follows_the_territory(city):
    assert sim_basemap.layers(city) == sim_basemap.layers(generate("street", seed=3))
    roads = sim_basemap.roads(city)["features"]
    x0, y0, x1, y1 = city.profile.extent
    for f in roads:
        for lon, lat in f["geometry"]["coordinates"]:
            assert x0 - 1e-9 <= lon <= x1 + 1e-9 and y0 - 1e-9 <= lat <= y1 + 1e-9
    # every street boundary inside the city is a main road
    mains = {tuple(map(tuple, f["geometry"]["coordinates"])) for f in roads if f["properties"]["kind"] == "main"}
    for a, b in sim_basemap._inner_edges(city, TerritoryLevel.STREET):
        assert (a, b) in mains


def test_gauss_kruger_grids_land_on_the_basemaps_streets(qtbot, tmp_path, city, layers, cjk_font):
    shapefile_grids(tmp_path / "grids.shp", city)
    nodes, refused = shapefile_nodes(str(tmp_path / "grids.shp"))
    assert refused == [] and len(nodes) == len(city.grids)
    parents = [n for n in city.nodes.values() if n.level is not TerritoryLevel.GRID]
    m = GridMap()
    show(qtbot, m)
    m.set_territory(parents + nodes)
    m.set_basemap(layers)
    m.plot.grab()
    grid_parent = {n.id: n.parent_id for n in nodes}
    places = [p for lay in layers for p in lay.points if p[3] == 3]       # community names at their centres
    assert places
    community_by_name = {n.name: n.id for n in city.of_level(TerritoryLevel.COMMUNITY)}
    for name, lon, lat, _ in places:
        # the named point falls in a grid of that community, by geometry and on the rendered raster
        x, y = m.geo.proj.xy(lon, lat)
        assert grid_parent[m.geo.grid_at(float(x), float(y))] == community_by_name[name]
        pt = m.map_to_widget(lon, lat)
        # the pixels around it (a centre may sit on an edge between two of the community's grids)
        codes = {m.cells.code_at_pixel(round(pt.x()) + dx, round(pt.y()) + dy)
                 for dx in (-3, 0, 3) for dy in (-3, 0, 3)}
        grids = {m.geo.ids[c] for c in codes if c is not None and c < m.geo.count}
        assert grids and {grid_parent[g] for g in grids} == {community_by_name[name]}
    # a main road is drawn in the road colour over the grid fill: brighter than the fill around it
    road = next(f for f in sim_basemap.roads(city)["features"] if f["properties"]["kind"] == "main")
    (ax, ay), (bx, by) = road["geometry"]["coordinates"]
    m.labels.setVisible(False)                  # names could lie over the points compared
    img = m.plot.grab().toImage()
    mx, my = ax + (bx - ax) * 0.3, ay + (by - ay) * 0.3          # off the crossing in the middle
    on = m.map_to_widget(mx, my)
    off = m.map_to_widget(mx + (bx == ax) * 0.0007, my + (by == ay) * 0.0007)
    lum = lambda p: QColor(img.pixel(round(p.x()), round(p.y()))).lightness()  # noqa: E731
    assert lum(on) > lum(off) + 40
    # and the river is water-blue where its centre line runs
    lon, lat = sim_basemap.river_line(city)[27]       # between the roads that cross it
    c = QColor(img.pixel(*(round(v) for v in (m.map_to_widget(lon, lat).x(), m.map_to_widget(lon, lat).y()))))
    assert c.blue() > c.red() + 40


def _png(colour: str) -> bytes:
    img = QImage(256, 256, QImage.Format.Format_RGB32)
    img.fill(QColor(colour))
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice
    data = QByteArray()
    buf = QBuffer(data)
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    img.save(buf, "PNG")
    return bytes(data.data())


def make_mbtiles(path: Path, z: int, tiles: dict[tuple[int, int], bytes]) -> None:
    """An MBTiles file: tiles given by XYZ (x, y), stored with TMS rows as the format has it."""
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE metadata (name TEXT, value TEXT)")
    conn.execute("CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB)")
    conn.executemany("INSERT INTO metadata VALUES (?, ?)", [("format", "png"), ("minzoom", str(z)),
                                                           ("maxzoom", str(z))])
    conn.executemany("INSERT INTO tiles VALUES (?, ?, ?, ?)",
                     [(z, x, 2 ** z - 1 - y, data) for (x, y), data in tiles.items()])
    conn.commit()
    conn.close()


def test_mbtiles_rows_are_flipped_and_drawn_under_translucent_grids(qtbot, tmp_path, city):
    z = 12
    lon0, lat0, lon1, lat1 = city.profile.extent
    tx0, ty0 = (int(v) for v in lonlat_to_tile(lon0, lat1, z))
    tx1, ty1 = (int(v) for v in lonlat_to_tile(lon1, lat0, z))
    tiles = {(x, y): _png("#ff0000" if (x + y) % 2 else "#0000ff")
             for x in range(tx0 - 1, tx1 + 2) for y in range(ty0 - 1, ty1 + 2)}
    make_mbtiles(tmp_path / "base.mbtiles", z, tiles)
    src = MBTiles(str(tmp_path / "base.mbtiles"))
    assert src.tile(z, tx0, ty0) == tiles[(tx0, ty0)]           # asked in XYZ, found by its TMS row
    m = GridMap()
    show(qtbot, m)
    m.set_territory(list(city.nodes.values()))
    loader = TileLoader(src)
    try:
        m.set_basemap([], loader)
        m.plot.grab()
        tiles_drawn(qtbot, m, loader)
        assert m.cells.translucent
        # the grid at the territory's centre shows its tile's colour through the translucent fill
        g = city.grids[len(city.grids) // 2]
        clon, clat = city.centre(g.node.id)
        x, y = (int(v) for v in lonlat_to_tile(clon, clat, z))
        img = m.plot.grab().toImage()
        pt = m.map_to_widget(clon, clat)
        c = QColor(img.pixel(round(pt.x()), round(pt.y())))
        if (x + y) % 2:
            assert c.red() > c.blue() + 30
        else:
            assert c.blue() > c.red() + 30
    finally:
        loader.close()


def test_tile_server_tiles_are_cached_and_served_offline(tmp_path):
    hits: list[str] = []

    async def tile(request: web.Request) -> web.Response:
        hits.append(request.path)
        return web.Response(body=_png("#00ff00"), content_type="image/png")

    async def main() -> None:
        app = web.Application()
        app.router.add_get("/tiles/{z}/{x}/{y}.png", tile)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]
        template = f"http://127.0.0.1:{port}/tiles/{{z}}/{{x}}/{{y}}.png"
        refused = XyzTiles(template, str(tmp_path))                      # loopback not allowed: nothing fetched
        assert await refused.fetch(12, 3400, 1500) is None and hits == []
        await refused.aclose()
        src = XyzTiles(template, str(tmp_path), ["127.0.0.1/32"])
        first = await src.fetch(12, 3400, 1500)
        assert first and src.fetched == 1 and len(hits) == 1
        await src.aclose()
        await runner.cleanup()                                           # the server is gone
        offline = XyzTiles(template, str(tmp_path), ["127.0.0.1/32"])
        assert await offline.fetch(12, 3400, 1500) == first and offline.fetched == 0
        assert await offline.fetch(12, 3401, 1500) is None               # never cached, server gone: missing
        await offline.aclose()

    asyncio.run(main())


def test_config_names_bad_basemap_keys(tmp_path):
    with pytest.raises(ConfigError, match=r"map\.basemap: .*\{z\}, \{x\} and \{y\}"):
        parse_config('[map]\nbasemap = "http://10.0.0.5/tiles/{z}/{x}.png"\n')
    with pytest.raises(ConfigError, match=r"map\.basemap: expected a PATH\.mbtiles file"):
        parse_config('[map]\nbasemap = "city.png"\n')
    with pytest.raises(ConfigError, match=r"map\.layers\[0\]\.path: no such file"):
        parse_config('[map]\n[[map.layers]]\nkind = "roads"\npath = "nowhere/roads.geojson"\n')
    with pytest.raises(ConfigError, match=r"map\.layers\[0\]\.kind"):
        parse_config('[map]\n[[map.layers]]\nkind = "rails"\npath = "x.geojson"\n')
    with pytest.raises(ConfigError, match=r"map\.basemap_allow_networks: \[0\]: expected an IP network"):
        parse_config('[map]\nbasemap_allow_networks = ["intranet"]\n')
    with pytest.raises(ConfigError, match=r"map\.basemap_crs"):
        parse_config('[map]\nbasemap_crs = "BD-09"\n')
    (tmp_path / "roads.geojson").write_text('{"type": "FeatureCollection", "features": []}')
    cfg_path = tmp_path / "wall.toml"
    cfg_path.write_text('[map]\n[[map.layers]]\nkind = "roads"\npath = "roads.geojson"\n')
    from commandcenter.config import load_config
    assert load_config(cfg_path).map.layers[0].path == str(tmp_path / "roads.geojson")   # relative to the file


def test_gcj02_tiles_are_placed_by_the_offset(qtbot, tmp_path, city):
    """A GCJ-02 basemap's tiles are drawn shifted back by the GCJ-02 offset (hundreds of metres) onto the WGS84 grids:
    a point just east of a tile edge in GCJ-02 lies west of it in WGS84, and shows the eastern tile's colour."""
    from commandcenter.domain import gcj02

    z = 15
    lon0, lat0, lon1, lat1 = city.profile.extent
    clon, clat = (lon0 + lon1) / 2, (lat0 + lat1) / 2
    dlon, dlat = gcj02.offset(clon, clat)
    assert 0.003 < dlon < 0.01                             # several hundred metres east near Dongying
    xb = round(lonlat_to_tile(clon, clat, z)[0])           # a tile edge near the centre, in GCJ-02
    edge_lon = xb / 2 ** z * 360.0 - 180.0
    gcj_lon = edge_lon + dlon / 2                          # east of the edge in GCJ-02 …
    wgs_lon, wgs_lat = gcj02.gcj02_to_wgs84(gcj_lon, clat + dlat)
    assert wgs_lon < edge_lon                              # … west of it in WGS84
    _, ty = (int(v) for v in lonlat_to_tile(gcj_lon, clat + dlat, z))
    colours = {xb - 1: "#0000ff", xb: "#ff0000"}
    make_mbtiles(tmp_path / "g.mbtiles", z,
                 {(x, y): _png(c) for x, c in colours.items() for y in range(ty - 3, ty + 4)})

    def colour_at(gcj: bool) -> QColor:
        m = GridMap()
        show(qtbot, m, 900, 900)
        m.set_territory(list(city.nodes.values()))
        m.zoom_to(city.grids[0].node.id)
        loader = TileLoader(MBTiles(str(tmp_path / "g.mbtiles")))
        try:
            m.set_basemap([], loader, gcj=gcj)
            rect = m.view_rect()
            x, y = m.geo.proj.xy(wgs_lon, wgs_lat)
            m.viewbox.setRange(xRange=(x - 0.3, x + 0.3), yRange=(y - 0.3, y + 0.3), padding=0)
            tiles_drawn(qtbot, m, loader, at_least=2)
            assert rect is not None
            pt = m.map_to_widget(wgs_lon, wgs_lat)
            return QColor(m.plot.grab().toImage().pixel(round(pt.x()), round(pt.y())))
        finally:
            loader.close()

    shifted = colour_at(True)
    assert shifted.red() > shifted.blue() + 30             # the eastern (GCJ-02) tile
    plain = colour_at(False)
    assert plain.blue() > plain.red() + 30                 # read as WGS84 it would be the western one


def test_a_roads_layer_from_a_gauss_kruger_shapefile(tmp_path, city):
    """Vector basemap layers read from a Shapefile too, in the CRS its .prj names (or the layer's crs)."""
    from commandcenter.feeds.basemap import load_vector_layer

    to_gk = Transformer.from_crs("EPSG:4326", GK, always_xy=True)
    roads = [f for f in sim_basemap.roads(city)["features"] if f["properties"]["kind"] == "main"]
    w = shapefile.Writer(str(tmp_path / "roads"), shapeType=shapefile.POLYLINE, encoding="utf-8")
    w.field("NAME", "C", size=32)
    w.field("KIND", "C", size=8)
    for f in roads:
        xs, ys = to_gk.transform(*zip(*f["geometry"]["coordinates"], strict=True))
        w.line([list(zip(xs, ys, strict=True))])
        w.record(f["properties"]["name"], "main")
    w.close()
    (tmp_path / "roads.prj").write_text(CRS.from_user_input(GK).to_wkt("WKT1_ESRI"))
    for layer in (load_vector_layer(str(tmp_path / "roads.shp"), "roads"),
                  load_vector_layer(str(tmp_path / "roads.shp"), "roads", crs=GK)):
        assert len(layer.lines) == len(roads) and set(layer.line_ranks) == {1}
        for line, f in zip(layer.lines, roads, strict=True):
            want = [c for p in f["geometry"]["coordinates"] for c in p]
            assert line.ravel().tolist() == pytest.approx(want, abs=1e-7)


def test_a_gcj02_places_layer_lands_back_on_wgs84(tmp_path, city):
    """Data traced on a GCJ-02 basemap (crs = "GCJ-02") comes back to the WGS84 positions it was shifted from."""
    import json

    from commandcenter.config.schema import MapLayerSection
    from commandcenter.domain import gcj02
    from commandcenter.feeds.basemap import load_vector_layer

    places = sim_basemap.places(city)
    shifted = json.loads(json.dumps(places))
    for f in shifted["features"]:
        f["geometry"]["coordinates"] = list(gcj02.wgs84_to_gcj02(*f["geometry"]["coordinates"]))
    (tmp_path / "places.geojson").write_text(json.dumps(shifted, ensure_ascii=False), encoding="utf-8")
    assert MapLayerSection(kind="places", path="p.geojson", crs="GCJ-02").crs == "GCJ-02"
    layer = load_vector_layer(str(tmp_path / "places.geojson"), "places", "GCJ-02")
    for (_, lon, lat, _), f in zip(layer.points, places["features"], strict=True):
        assert (lon, lat) == pytest.approx(tuple(f["geometry"]["coordinates"]), abs=1e-8)


def test_the_map_draws_a_tile_servers_tiles_fetched_off_the_gui_thread(qtbot, tmp_path, city):
    """The wall's own path: GridMap → TileLoader (its thread) → XyzTiles (media client) → a tile server on loopback;
    the tiles are drawn under the grids, and a second map with the server gone draws them from the disk cache."""
    import threading

    served: list[str] = []
    threads: list[str] = []
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    port: list[int] = []

    async def tile(request: web.Request) -> web.Response:
        served.append(request.path)
        return web.Response(body=_png("#ff0000"), content_type="image/png")

    async def serve() -> web.AppRunner:
        app = web.Application()
        app.router.add_get("/t/{z}/{x}/{y}.png", tile)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port.append(site._server.sockets[0].getsockname()[1])
        return runner

    def run() -> None:
        asyncio.set_event_loop(loop)
        runner.append(loop.run_until_complete(serve()))
        ready.set()
        loop.run_forever()

    runner: list[web.AppRunner] = []
    server = threading.Thread(target=run, daemon=True)
    server.start()
    assert ready.wait(5)
    template = f"http://127.0.0.1:{port[0]}/t/{{z}}/{{x}}/{{y}}.png"

    def draw_with(src: XyzTiles) -> QColor:
        m = GridMap()
        show(qtbot, m, 800, 700)
        m.set_territory(list(city.nodes.values()))
        loader = TileLoader(src)
        original = src.fetch

        async def fetch(z: int, x: int, y: int) -> bytes | None:
            threads.append(threading.current_thread().name)
            return await original(z, x, y)
        src.fetch = fetch  # type: ignore[method-assign]
        try:
            m.set_basemap([], loader)
            m.labels.setVisible(False)                      # a name could lie on the pixel compared
            tiles_drawn(qtbot, m, loader)
            g = city.grids[0]
            pt = m.map_to_widget(*city.centre(g.node.id))
            return QColor(m.plot.grab().toImage().pixel(round(pt.x()), round(pt.y())))
        finally:
            loader.close()

    try:
        c = draw_with(XyzTiles(template, str(tmp_path), ["127.0.0.1/32"]))
        assert served and c.red() > c.blue() + 30           # the red tile under the translucent grid
        assert set(threads) == {"map-tiles"}                # fetched on the loader's thread, not the GUI's
    finally:
        asyncio.run_coroutine_threadsafe(runner[0].cleanup(), loop).result(5)
        loop.call_soon_threadsafe(loop.stop)
        server.join(5)
    n = len(served)
    c = draw_with(XyzTiles(template, str(tmp_path), ["127.0.0.1/32"]))   # offline now: from the cache
    assert len(served) == n and c.red() > c.blue() + 30
