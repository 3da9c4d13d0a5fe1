"""How the incident table tells its views about a flush (issue 9: the GUI thread's cost at 200 events/s).

A flush is not a model reset: a reset (or a layout change) also makes the table's header repaint, and with it the
tile, the page and the window behind the header, on every flush (~20 a second at 200 events/s). Rows are added or
taken at the end and the rows whose incident changed are reported changed; the view still shows the newest row, and
its current and selected rows stay on their incident. The count under the table changes at most every COUNT_MS
and always ends on the last count."""
from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication

from commandcenter.ui.tiles import IncidentTile

from tests.support import tables as table_helpers
from tests.support import wall_data as W


def incident_tile(qtbot, clock, qapp, live=None) -> IncidentTile:
    tile = table_helpers.incident_tile(qtbot, clock, live)
    QApplication.processEvents()
    return tile


class Paints(QObject):
    """Counts the Paint events a widget receives."""

    def __init__(self, widget):
        super().__init__(widget)
        self.count = 0
        widget.installEventFilter(self)

    def eventFilter(self, obj, event) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.Paint:
            self.count += 1
        return False


def test_a_new_incident_on_top_repaints_the_rows_but_not_the_header_and_is_shown(ui, clock, qtbot, qapp):
    tile = incident_tile(qtbot, clock, qapp)
    view, model = tile.view, tile.model
    rows = model.rowCount()
    resets = []
    model.modelAboutToBeReset.connect(lambda: resets.append(1))
    header, viewport = Paints(view.horizontalHeader().viewport()), Paints(view.viewport())
    live = tile.live
    live.apply(incidents=[W.incident("N1", 2, title="新上报的仓库起火", emergency=True, minutes_ago=-5)])
    model.flush()
    qtbot.waitUntil(lambda: viewport.count >= 1, timeout=5_000)    # the next frame: rows, not the header
    QApplication.processEvents()
    assert not resets
    assert header.count == 0
    assert model.rowCount() == rows + 1
    row = model.row_of("N1")
    assert row == 1                                    # under the overdue row pinned on top, over every other
    assert view.shown_text(row, model.TITLE).endswith("新上报的仓库起火")
    assert view.blitted_rows == model.rowCount()       # every row painted with its new incident's text


def test_the_selected_and_current_row_stay_on_their_incident_when_rows_shift(ui, clock, qtbot, qapp):
    tile = incident_tile(qtbot, clock, qapp)
    view, model = tile.view, tile.model
    row = model.row_of("E1")
    view.selectRow(row)
    view.setCurrentIndex(model.index(row, model.TITLE))
    tile.live.apply(incidents=[W.incident("N1", 2, emergency=True, minutes_ago=-5),
                               W.incident("N2", 2, emergency=True, minutes_ago=-6)])
    model.flush()
    moved = model.row_of("E1")
    assert moved == row + 2
    assert [i.row() for i in view.selectionModel().selectedRows()] == [moved]
    assert view.currentIndex().row() == moved and view.currentIndex().column() == model.TITLE


def test_a_changed_record_below_the_top_reports_its_row_alone(ui, clock, qtbot, qapp):
    tile = incident_tile(qtbot, clock, qapp)
    model = tile.model
    last = model.rowCount() - 1
    record = model.incident_at(last)
    changed = []
    model.dataChanged.connect(lambda a, b, *_: changed.append((a.row(), b.row(), a.column(), b.column())))
    tile.live.apply(incidents=[W.bump(record, title="改过的标题")])
    model.flush()
    assert model.incident_at(last).title == "改过的标题"
    assert changed == [(last, last, 0, model.columnCount() - 1)]


def test_the_count_changes_at_once_after_a_quiet_spell_then_waits_out_its_interval(ui, clock, qtbot, qapp):
    tile = incident_tile(qtbot, clock, qapp)
    tile.COUNT_MS = 60_000
    model = tile.model
    tile._count_at = -1e9                          # quiet for long
    tile.live.apply(incidents=[W.incident("N1", 2, minutes_ago=-5)])
    model.flush()
    first = tile.count_text()
    assert f"{model.rowCount():,}" in first
    tile.live.apply(incidents=[W.incident("N2", 2, minutes_ago=-6)])
    model.flush()
    assert tile.count_text() == first              # coalesced: the next change waits for its turn


def test_a_coalesced_count_ends_on_the_last_count(ui, clock, qtbot, qapp):
    tile = incident_tile(qtbot, clock, qapp)
    tile.COUNT_MS = 50
    model = tile.model
    for n in range(20):
        tile.live.apply(incidents=[W.incident(f"N{n}", 2, minutes_ago=-5 - n)])
        model.flush()
    total = model.rowCount()
    qtbot.waitUntil(lambda: f"：{total:,} 件" in tile.count_text(), timeout=5_000)


class PaintedRects(QObject):
    """The rectangles of the Paint events a widget receives (what Qt repainted of it on its own)."""

    def __init__(self, widget):
        super().__init__(widget)
        self.rects = []
        widget.installEventFilter(self)

    def eventFilter(self, obj, event) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.Paint:
            self.rects.append(event.rect())
        return False


def test_a_row_turning_overdue_in_place_is_repainted_whole_at_the_tick(ui, clock, qtbot, qapp):
    # the only row: it turns overdue and stays on top, so no row's incident changes (no row changed by the flush);
    # the tick still repaints the whole row (bold severity, overdue background), not only its countdown
    live = W.live_city(incidents=[W.incident("E1", 1, minutes_ago=10)])
    tile = incident_tile(qtbot, clock, qapp, live)
    view, model = tile.view, tile.model
    view.viewport().repaint()                             # row 0 shown: its display row is the one the tick sees
    painted = PaintedRects(view.viewport())
    clock.advance(hours=48)
    model.tick()
    assert model.incident_at(0).id == "E1" and model.deadline_at(0).level.name == "OVERDUE"
    severity = view.visualRect(model.index(0, model.SEVERITY))
    qtbot.waitUntil(lambda: any(r.contains(severity.center()) for r in painted.rects), timeout=5_000)


def test_new_grid_names_reach_rows_whose_incident_did_not_change(ui, clock, qtbot, qapp):
    from dataclasses import replace

    tile = incident_tile(qtbot, clock, qapp)
    view, model = tile.view, tile.model
    row = model.row_of("E1")                                 # in grid G1
    assert view.shown_text(row, model.GRID) == "第1网格"
    changed = []
    model.dataChanged.connect(lambda a, b, *_: changed.append((a.row(), b.row())))
    grid = next(n for n in W.territory() if n.id == "G1")
    tile.live.apply(territory=[replace(grid, name="新城第1网格")])
    model.flush()
    assert model.row_of("E1") == row and view.shown_text(row, model.GRID) == "新城第1网格"
    assert any(a <= row <= b for a, b in changed)
