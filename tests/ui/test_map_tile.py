"""The map tile (issue 6.5 wiring): GridMap fed from the live state, coalesced; clicks on a marker, a grid
and an alert open the right details."""
from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

import wall_data as W
from commandcenter.config import config_from_dict
from commandcenter.domain import AlertLevel
from commandcenter.ui.tiles import TILE_BUILDERS, TileContext

SECTION = config_from_dict({"pages": [{"name": "p", "rows": 1, "columns": 1,
                                       "tiles": [{"kind": "map", "row": 0, "column": 0}]}]}).pages[0].tiles[0]


def click(tile, lon, lat):
    pt = tile.map.map_to_widget(lon, lat)
    QTest.mouseClick(tile.map.plot.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     QPoint(round(pt.x()), round(pt.y())))


def test_map_tile_feeds_from_live_state_and_routes_clicks(ui, clock, qtbot):
    live = W.live_city(alerts=[W.alert("A9", AlertLevel.RED, polygons=(W.square(2, 1),), grid_ids=("G6",))],
                       resources=[])
    opened = []
    ctx = TileContext(live, config_from_dict({}), clock, open_details=lambda k, i: opened.append((k, i)))
    tile = TILE_BUILDERS["map"](ctx, SECTION)
    qtbot.addWidget(tile)
    tile.resize(1000, 800)
    tile.show()
    qtbot.waitExposed(tile)
    tile.map.reset_view()
    assert tile.map.geo.count == 6
    assert tile.map.cells.step_of("G1") == 1                   # one open incident (E1)
    assert tile.map.cells.step_of("G3") == 0                   # E6 is closed
    assert tile.map.incidents.total == 5
    # a marker: incident E1 sits at the centre of grid 1
    click(tile, *W.centre(1))
    assert opened[-1] == ("incident", "E1")
    # a grid without markers (G3's lower-left corner area)
    lon, lat = W.centre(3)
    click(tile, lon - W.CELL * 0.35, lat - W.CELL * 0.35)
    assert opened[-1] == ("grid", "G3")
    # an alert: its outline (G6's square) — the bottom edge's midpoint
    click(tile, W.LON0 + 2.5 * W.CELL, W.LAT0 + W.CELL)
    assert opened[-1] == ("alert", "A9")
    # coalesced update: a new incident in G3 shows after the flush, not per record
    live.apply(incidents=[W.incident("E8", 3, title="新事件")])
    assert tile.map.cells.step_of("G3") == 0
    qtbot.waitUntil(lambda: tile.map.cells.step_of("G3") == 1, timeout=2000)
