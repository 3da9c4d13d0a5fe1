"""Nothing hidden (issue 19): supplies under their threshold are always on screen (they sort first, and a table
with more rows than fit pages at a readable pace with its page number), and a warning naming a hundred grids
reads as their count and the first few, not a hundred lines."""
from __future__ import annotations

from dataclasses import replace

from tests.support import wall_data as W
from PySide6.QtCore import Qt

from commandcenter.domain import ResourceKind, ResourceStatus
from commandcenter.domain.legibility import Room
from commandcenter.ui import theme
from commandcenter.ui.details import GRIDS_SHOWN, DetailController
from commandcenter.ui.models.resources import ResourceTableModel
from commandcenter.ui.tiles.base import TablePager
from commandcenter.ui.tiles.resources import ResourceTile


def many_supplies() -> list:
    """Forty supplies, three of them under their threshold."""
    out = []
    for i in range(40):
        low = i in (7, 21, 33)
        out.append(W.resource(f"S{i:02}", ResourceKind.SUPPLY, ResourceStatus.AVAILABLE, name=f"物资{i:02}",
                              quantity=10 if low else 900, threshold=100, unit="件"))
    return out


def test_a_resource_table_longer_than_its_tile_pages_slowly_and_keeps_low_supplies_on_its_first_page(ui, qtbot):
    theme.set_room(Room(distance_m=5.0, diagonal_inches=98.0))
    try:
        live = W.live_city(resources=many_supplies())
        model = ResourceTableModel(live)
        tile = ResourceTile(live, model)
        model.setParent(tile)
        qtbot.addWidget(tile)
        tile.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen, True)
        tile.setFixedSize(1920, 1080)                     # a 1080p window standing for the 98-inch panel
        tile.show()
        qtbot.waitExposed(tile)
        model.flush()
        pager: TablePager = tile.pager
        pager.show_page()
        pages, per_page = pager.pages(), pager.rows_per_page()
        assert pages >= 2 and pager.interval_s >= TablePager.MIN_SECONDS
        assert tile.page_label.text() == f"1/{pages}" and tile.page_label.isVisible()
        low_rows = [r for r in range(model.rowCount()) if model.resource_at(r).below_threshold]
        assert len(low_rows) == 3 and max(low_rows) < per_page          # all on the first page
        assert "3 项" in tile.low_label.text() and tile.low_label.isVisible()
        first_top = tile.view.rowAt(0)
        pager.next_page()
        assert tile.page_label.text() == f"2/{pages}" and tile.view.rowAt(0) == first_top + per_page
        for _ in range(pages - 1):                                        # a round brings page one back
            pager.next_page()
        assert tile.page_label.text() == f"1/{pages}" and tile.view.rowAt(0) == first_top
    finally:
        theme.set_room(Room())


def test_a_warning_over_a_hundred_grids_lists_the_count_and_the_first_few(ui, clock):
    grids = [n for n in W.territory() if n.level.value == "grid"]
    ids = tuple(g.id for g in grids) * (100 // len(grids) + 1)
    live = W.live_city()
    red = live.alerts["A4"]
    live.apply(alerts=[replace(red, version=red.version + 1, grid_ids=ids[:100])])
    ctl = DetailController(live, lambda w: None, clock=clock)
    ctl.open("alert", "A4")
    text = ctl.panel.text()
    assert "涉及网格（100 个）" in text
    assert f"另有 {100 - GRIDS_SHOWN} 个网格" in text
    grid_links = [lab for lab in ctl.panel.labels() if str(lab.property("target") or "").startswith("grid:")]
    assert len(grid_links) == GRIDS_SHOWN
