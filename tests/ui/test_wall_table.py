"""WallTable, the wall's shared table (incidents, alerts, resources): it paints its cells itself, fast, and must
look as the stock view did — the model's text, colours, backgrounds and bold font, plain text elided with "…" —
and the once-a-second deadline tick must repaint only the countdown column, not the whole table."""
from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QApplication

from commandcenter.domain import DeadlineLevel
from commandcenter.ui import theme
from commandcenter.ui.models.incidents import IncidentTableModel
from commandcenter.ui.tiles import IncidentTile
from commandcenter.ui.tiles.base import WallTable

from tests.support import wall_data as W
from tests.support.tables import incident_tile




def render_viewport(view: WallTable) -> QImage:
    image = QImage(view.viewport().size(), QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(QColor("#000000"))
    view.viewport().render(image)
    return image


def cell_rect(view: WallTable, row: int, column: int) -> QRect:
    return view.visualRect(view.model().index(row, column))


def colours_in(image: QImage, rect: QRect) -> set[int]:
    out = set()
    for y in range(rect.top(), rect.bottom() + 1):
        for x in range(rect.left(), rect.right() + 1):
            out.add(image.pixel(x, y) & 0xFFFFFF)
    return out


def ink_height(image: QImage, rect: QRect, background: int) -> int:
    """Rows of the cell that hold any pixel other than its background: the height of the drawn glyphs."""
    rows = [y for y in range(rect.top(), rect.bottom() + 1)
            if any(image.pixel(x, y) & 0xFFFFFF != background for x in range(rect.left(), rect.right() + 1))]
    return (rows[-1] - rows[0] + 1) if rows else 0


def test_cells_show_the_models_text_colour_and_row_background(ui, clock, qtbot):
    tile = incident_tile(qtbot, clock)
    view, model = tile.view, tile.model
    image = render_viewport(view)
    row = model.row_of("E3")                       # overdue: red countdown on the overdue row background
    assert model.deadline_at(row).level is DeadlineLevel.OVERDUE
    deadline = colours_in(image, cell_rect(view, row, model.DEADLINE))
    assert theme.DEADLINE_COLOURS[DeadlineLevel.OVERDUE].rgb() & 0xFFFFFF in deadline
    # the background brush is the model's (translucent red over the panel), in every cell of the row
    title = cell_rect(view, row, model.TITLE)
    corner = image.pixel(title.right() - 1, title.bottom() - 1) & 0xFFFFFF
    assert corner != theme.PANEL.rgb() & 0xFFFFFF and QColor(corner).red() > QColor(corner).blue()
    assert image.pixel(cell_rect(view, row, model.REPORTED).right() - 1, title.bottom() - 1) & 0xFFFFFF == corner
    # text in the default colour where the model gives none
    assert theme.TEXT.rgb() & 0xFFFFFF in colours_in(image, title)


def test_bold_cells_keep_the_tables_size_when_rendered_into_an_image(ui, clock, qtbot):
    # the model's bold font only sets the weight; resolved against another device (an image) it once fell back
    # to that device's default size, drawing the countdown visibly smaller than the rest of the row
    tile = incident_tile(qtbot, clock)
    view, model = tile.view, tile.model
    tile.resize(2600, 700)                       # wide enough for every column at this size (none dropped)
    tile.apply_font_size(30)
    assert {model.SEVERITY, model.CATEGORY} <= set(view.shown_columns())
    image = render_viewport(view)
    row = model.row_of("E3")
    assert model.data(model.index(row, model.DEADLINE), Qt.ItemDataRole.FontRole).bold()
    bg = image.pixel(cell_rect(view, row, model.TITLE).right() - 1, cell_rect(view, row, 0).bottom() - 1) & 0xFFFFFF
    bold = ink_height(image, cell_rect(view, row, model.SEVERITY), bg)
    plain = ink_height(image, cell_rect(view, row, model.CATEGORY), bg)
    assert plain > 20 and bold >= 0.85 * plain


def test_a_selected_row_takes_the_selection_colours(ui, clock, qtbot):
    tile = incident_tile(qtbot, clock)
    view, model = tile.view, tile.model
    row = model.row_of("E1")
    view.selectRow(row)
    image = render_viewport(view)
    rect = cell_rect(view, row, model.TITLE)
    colours = colours_in(image, rect)
    assert theme.SELECTION.rgb() & 0xFFFFFF in colours
    assert theme.SELECTION_TEXT.rgb() & 0xFFFFFF in colours


def test_long_feed_text_is_elided_and_never_rich_text(ui, clock, qtbot):
    long_title = W.EVIL + " 道路积水严重，车辆无法通行，请求立即派员处置" * 5
    incs = [replace(i, title=long_title) if i.id == "E1" else i for i in W.incidents()]
    tile = incident_tile(qtbot, clock, W.live_city(incidents=incs))
    view, model = tile.view, tile.model
    shown = view.shown_text(model.row_of("E1"), model.TITLE)
    # the markup shows literally, as far as the column's width goes, then "…"
    assert shown.startswith("<img") and shown.endswith("…") and long_title.startswith(shown[:-1])
    assert len(shown) < len(long_title)
    render_viewport(view)            # painted through the same plain-text layouts
    assert all(st.textFormat() == Qt.TextFormat.PlainText for st in view._texts.values())


def test_the_deadline_tick_repaints_only_the_countdown_column(ui, clock, qtbot, qapp):
    tile = incident_tile(qtbot, clock)
    view, model = tile.view, tile.model
    clock.advance(seconds=400)           # let every row's flash end and settle the levels
    model.tick()
    model.tick()
    QApplication.processEvents()
    view.viewport().repaint()
    assert view.painted_columns == set(range(model.columnCount()))
    full = view.painted_cells
    clock.advance(seconds=1)             # one second later: the countdowns move, no level changes
    levels = [model.deadline_at(r).level for r in range(model.rowCount())]
    before = view.shown_text(0, model.DEADLINE)
    model.tick()
    assert [model.deadline_at(r).level for r in range(model.rowCount())] == levels
    qtbot.waitUntil(lambda: view.shown_text(0, model.DEADLINE) != before, timeout=2000)
    qtbot.waitUntil(lambda: view.painted_columns == {model.DEADLINE}, timeout=2000)
    assert view.painted_cells == model.rowCount() < full


def test_a_row_whose_deadline_level_changes_is_repainted_whole(ui, clock, qtbot):
    tile = incident_tile(qtbot, clock)
    view, model = tile.view, tile.model
    clock.advance(seconds=10)
    model.tick()
    QApplication.processEvents()
    row = model.row_of("E4")                       # the emergency: 1-minute response, 40 s old now
    assert model.deadline_at(row).level is DeadlineLevel.OK
    changed = []
    model.dataChanged.connect(lambda a, b, roles=(): changed.append((a.row(), b.row(), a.column(), b.column())))
    clock.advance(seconds=15)                      # 5 s left of 60: amber
    model.tick()
    row = model.row_of("E4")
    assert model.deadline_at(row).level is DeadlineLevel.AMBER
    assert (0, model.rowCount() - 1, model.DEADLINE, model.DEADLINE) in changed
    assert any(a <= row <= b and c0 == 0 and c1 == model.columnCount() - 1 for a, b, c0, c1 in changed)
    view.viewport().repaint(QRect(QPoint(0, view.rowViewportPosition(row)), view.viewport().size()))
    assert view.painted_columns == set(range(model.columnCount()))


# --- row images: each row's text is drawn once and copied on later paints --------------------------------
def settled_tile(qtbot, clock, qapp, live=None) -> IncidentTile:
    """An incident tile painted once, every row's flash over: its next paint only copies row images."""
    tile = incident_tile(qtbot, clock, live)
    clock.advance(seconds=400)
    tile.model.tick()
    QApplication.processEvents()
    tile.view.viewport().repaint()
    return tile


def test_a_repaint_copies_the_rows_drawn_before(ui, clock, qtbot, qapp):
    tile = settled_tile(qtbot, clock, qapp)
    view, model = tile.view, tile.model
    view.viewport().repaint()
    assert view.rendered_rows == 0
    assert view.blitted_rows == model.rowCount() > 0


def test_a_new_version_of_an_incident_redraws_its_row_only(ui, clock, qtbot, qapp):
    live = W.live_city()
    tile = settled_tile(qtbot, clock, qapp, live)
    view, model = tile.view, tile.model
    row = model.row_of("E1")
    title = cell_rect(view, row, model.TITLE)
    before = render_viewport(view).copy(title)
    live.apply(incidents=[W.bump(live.incidents["E1"], title="楼道堆物占用消防通道")])
    model.flush()
    view.viewport().repaint()
    assert view.rendered_rows == 1 and view.blitted_rows == model.rowCount()
    assert model.row_of("E1") == row
    after = render_viewport(view).copy(title)
    assert after != before
    assert view.shown_text(row, model.TITLE) == "楼道堆物占用消防通道"


def test_rows_shifted_down_by_a_new_incident_are_copied_not_redrawn(ui, clock, qtbot, qapp):
    live = W.live_city()
    tile = settled_tile(qtbot, clock, qapp, live)
    view, model = tile.view, tile.model
    rows = model.rowCount()
    live.apply(incidents=[W.incident("N1", 2, title="新上报的占道经营", minutes_ago=-5)])
    model.flush()
    view.viewport().repaint()
    assert model.rowCount() == rows + 1
    assert view.rendered_rows == 1                 # the newcomer; the rows below it moved (and changed shading)
    assert view.blitted_rows == rows + 1


def drawn_over_frames(view: WallTable) -> int:
    """Repaints until no row waits for its text; how many rows were drawn afresh in all."""
    rendered = 0
    for _ in range(50):
        view.viewport().repaint()
        rendered += view.rendered_rows
        if not view.deferred_rows:
            return rendered
    raise AssertionError("rows still waiting for their text after 50 paints")


def test_a_column_width_change_redraws_every_row(ui, clock, qtbot, qapp):
    tile = settled_tile(qtbot, clock, qapp)
    view, model = tile.view, tile.model
    view.setColumnWidth(model.TITLE, view.columnWidth(model.TITLE) - 40)
    assert drawn_over_frames(view) == model.rowCount()


def test_a_row_turning_overdue_is_redrawn_with_a_bold_severity(ui, clock, qtbot, qapp):
    tile = settled_tile(qtbot, clock, qapp)
    view, model = tile.view, tile.model
    row = model.row_of("E1")                       # medium severity: plain until overdue
    assert model.deadline_at(row).level is not DeadlineLevel.OVERDUE
    severity = render_viewport(view).copy(cell_rect(view, row, model.SEVERITY))
    clock.advance(hours=48)                        # past every category's limit
    model.tick()
    row = model.row_of("E1")
    assert model.deadline_at(row).level is DeadlineLevel.OVERDUE
    view.viewport().repaint()
    assert view.rendered_rows >= 1
    image = render_viewport(view)
    assert view.rendered_rows == 0                 # drawn once, then copied
    assert image.copy(cell_rect(view, row, model.SEVERITY)) != severity


def test_the_countdown_is_drawn_over_the_row_image_on_every_tick(ui, clock, qtbot, qapp):
    tile = settled_tile(qtbot, clock, qapp)
    view, model = tile.view, tile.model
    row = model.row_of("E2")                       # amber, counting down
    cell = cell_rect(view, row, model.DEADLINE)
    before = render_viewport(view).copy(cell)
    clock.advance(seconds=61)                      # the countdown shows minutes: one later
    model.tick()
    view.viewport().repaint()
    assert view.rendered_rows == 0                 # the row images stay
    assert render_viewport(view).copy(cell) != before


def test_a_table_given_another_model_draws_its_rows_afresh(ui, clock, qtbot, qapp):
    # row keys are the model's own (two incident models number their rows alike): no image outlives its model
    live = W.live_city()
    tile = settled_tile(qtbot, clock, qapp, live)
    view = tile.view
    other = IncidentTableModel(live, clock=clock)
    other.setParent(tile)
    view.setModel(other)
    assert drawn_over_frames(view) == other.rowCount() > 0


def test_a_burst_of_new_rows_gets_their_text_over_the_next_frames_and_their_flash_at_once(ui, clock, qtbot, qapp):
    # laying out a new row costs ≈1 ms at 4K: a paint draws a few new rows' text, the next frames the others
    live = W.live_city()
    tile = settled_tile(qtbot, clock, qapp, live)
    view, model = tile.view, tile.model
    view.NEW_ROWS_PER_PAINT = 2
    live.apply(incidents=[W.incident(f"N{n}", 2, title=f"新上报的占道经营{n}", minutes_ago=-5 - n)
                          for n in range(5)])
    model.flush()
    image = render_viewport(view)
    assert view.rendered_rows == 2 and view.deferred_rows == 3
    rows = sorted(model.row_of(f"N{n}") for n in range(5))
    assert rows == list(range(rows[0], rows[0] + 5))               # together, under the pinned overdue rows
    flash = [image.pixel(cell_rect(view, r, model.TITLE).right() - 2, cell_rect(view, r, model.TITLE).top() + 2)
             for r in rows]
    assert len(set(flash)) == 1 and flash[0] & 0xFFFFFF != theme.PANEL.rgb() & 0xFFFFFF   # all five flash now
    inked = [ink_height(image, cell_rect(view, r, model.TITLE), flash[0] & 0xFFFFFF) > 0 for r in rows]
    assert inked == [True, True, False, False, False]                   # the upper two have their text
    qtbot.waitUntil(lambda: view.deferred_rows == 0 and view.rendered_rows == 0, timeout=3000)   # frames follow
    image = render_viewport(view)
    assert all(ink_height(image, cell_rect(view, r, model.TITLE), flash[0] & 0xFFFFFF) > 0 for r in rows)


def test_the_first_paint_of_a_table_draws_every_row(ui, clock, qtbot, qapp):
    live = W.live_city()
    model = IncidentTableModel(live, clock=clock)
    tile = IncidentTile(live, model)
    model.setParent(tile)
    qtbot.addWidget(tile)
    tile.view.NEW_ROWS_PER_PAINT = 1
    tile.resize(1400, 700)
    tile.show()
    qtbot.waitExposed(tile)
    QApplication.processEvents()
    assert model.rowCount() > 1
    render_viewport(tile.view)
    assert tile.view.rendered_rows == 0 and tile.view.deferred_rows == 0    # every row's image drawn already
    assert tile.view.blitted_rows == model.rowCount()


def test_one_fill_per_row_kept_countdown_images_and_paint_row_paint_what_both_backgrounds_and_data_paint(ui, clock, qtbot, qapp):
    # a row's background brush over its shade is one opaque fill of the colour the raster engine blends, a live
    # cell's text is copied from an image drawn once, and the model's paint_row gives what data() gives: the same
    # pixels as the shade, the brush and the glyphs of every value asked with data()
    live = W.live_city()
    tile = incident_tile(qtbot, clock, live)
    view, model = tile.view, tile.model
    live.apply(incidents=[W.incident("N1", 2, minutes_ago=-5)])      # flashing
    model.flush()
    view.selectRow(model.row_of("E6"))
    kinds = {model._background_kind(model._row(r)) for r in range(model.rowCount())}
    assert kinds == {0, 1, 2, 3}                                       # plain, flash, overdue, drill rows
    fast = render_viewport(view)
    view._paint_live = lambda *args: view._paint_texts(*args[:8])     # the glyphs of every cell, every paint
    view._fill_over = lambda shade, brush: None                        # the shade, then the brush over it
    model.paint_row = lambda row: None                                 # no shortcut: each value asked with data()
    view._row_images.clear()
    view._painted_rows = False
    assert render_viewport(view) == fast


def test_a_live_cells_image_is_drawn_once_and_redrawn_when_its_text_changes(ui, clock, qtbot, qapp):
    tile = settled_tile(qtbot, clock, qapp)
    view, model = tile.view, tile.model
    view.viewport().repaint()
    images = dict(view._live_images)
    assert len(images) == model.rowCount()                            # one countdown per row
    view.viewport().repaint()
    assert view._live_images == images and all(view._live_images[k] is v for k, v in images.items())
    clock.advance(seconds=61)
    model.tick()
    view.viewport().repaint()
    assert set(view._live_images) - set(images)                       # new countdown texts, new images


def test_the_live_cells_images_stay_a_screenful_as_the_countdowns_tick(ui, clock, qtbot, qapp):
    # every second each countdown has a new text (a new image): the old ones go, least recently used first
    tile = settled_tile(qtbot, clock, qapp)
    view, model = tile.view, tile.model
    screenful = view.viewport().height() // view.rowHeight(0) + 1 + view.ROW_CACHE_SLACK
    for _ in range(3 * screenful):
        clock.advance(seconds=1)
        model.tick()
        view.viewport().repaint()
    assert model.rowCount() <= len(view._live_images) <= screenful
