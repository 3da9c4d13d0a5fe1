"""Resources (issue 6.3): counts per kind and status, the list, supplies under threshold first with ⚠ text."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from commandcenter.config import config_from_dict
from commandcenter.domain import ResourceKind, ResourceStatus
from commandcenter.ui.models.resources import LOW_COLOUR, ResourceTableModel
from commandcenter.ui.tiles import TILE_BUILDERS, TileContext

from tests.support import wall_data as W

SECTION = config_from_dict({"pages": [{"name": "p", "rows": 1, "columns": 1,
                                       "tiles": [{"kind": "resources", "row": 0, "column": 0}]}]}).pages[0].tiles[0]


def test_counts_and_list_from_live_state(ui):
    live = W.live_city()
    model = ResourceTableModel(live)
    c = model.counts
    assert c[ResourceKind.TEAM] == {ResourceStatus.AVAILABLE: 1, ResourceStatus.DISPATCHED: 0,
                                    ResourceStatus.ON_SCENE: 1, ResourceStatus.OUT_OF_SERVICE: 0}
    assert c[ResourceKind.VEHICLE][ResourceStatus.DISPATCHED] == 1
    assert c[ResourceKind.VEHICLE][ResourceStatus.OUT_OF_SERVICE] == 1
    assert c[ResourceKind.SUPPLY][ResourceStatus.AVAILABLE] == 2
    assert c[ResourceKind.PERSON][ResourceStatus.AVAILABLE] == 1
    assert model.rowCount() == 7
    # the supply under its threshold comes first, marked with words and colour
    assert model.resource_at(0).id == "R5"
    texts = model.texts_at(0)
    assert texts[model.QUANTITY].startswith("⚠ 低于阈值 120 袋 / 500")
    assert model.data(model.index(0, model.QUANTITY), Qt.ItemDataRole.ForegroundRole).color() == LOW_COLOUR
    r6 = model.row_of("R6")
    assert "⚠" not in model.texts_at(r6)[model.QUANTITY]
    assert model.texts_at(model.row_of("R2"))[model.STATUS] == "◆ 在现场"
    assert model.texts_at(model.row_of("R1"))[model.PLACE] == "第2网格"


def test_tile_counts_update_and_click_opens_details(ui, clock, qtbot):
    live = W.live_city()
    opened = []
    ctx = TileContext(live, config_from_dict({}), clock, open_details=lambda k, i: opened.append((k, i)))
    tile = TILE_BUILDERS["resources"](ctx, SECTION)
    qtbot.addWidget(tile)
    tile.resize(900, 700)
    tile.show()
    qtbot.waitExposed(tile)
    assert tile.count_text(ResourceKind.TEAM, ResourceStatus.ON_SCENE) == "1"
    assert "沙袋" in tile.low_label.text() and tile.low_label.text().startswith("⚠ 低于阈值")
    live.apply(resources=[W.bump(live.resources["R1"], status=ResourceStatus.DISPATCHED)])
    tile.model.flush()
    assert tile.count_text(ResourceKind.TEAM, ResourceStatus.DISPATCHED) == "1"
    assert tile.count_text(ResourceKind.TEAM, ResourceStatus.AVAILABLE) == "0"
    row = tile.model.row_of("R3")
    rect = tile.view.visualRect(tile.model.index(row, 1))
    QTest.mouseClick(tile.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert opened == [("resource", "R3")]
