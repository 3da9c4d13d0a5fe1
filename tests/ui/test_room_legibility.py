"""Type sized for the room (issue 19): every text on the wall subtends at least 16 arc minutes from the farthest
seat, and what officers read from their seats (incident rows, signal rows, KPI figures) at least 20.

The shipped pages are built with real tiles and shown offscreen on a window standing for a 98-inch panel read
from 5 m, at 1080p, 4K and 8K. Each text's glyphs are measured as rendered: the ink height of "H" (a capital, as
tall as a digit) and of "国" drawn in the font the widget really uses, converted to arc minutes."""
from __future__ import annotations

import pytest
from tests.support import wall_data as W
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter
from PySide6.QtWidgets import QAbstractButton, QLabel, QTableView, QWidget

from commandcenter.config import DEFAULT_CONFIG, PageSection, load_config
from commandcenter.domain import AlertLevel
from commandcenter.domain.legibility import Room, arc_minutes_of
from commandcenter.ui import theme
from commandcenter.ui.tiles import TILE_BUILDERS, TileContext
from commandcenter.ui.tiles.kpis import KpiCard
from commandcenter.ui.wall import WallWindow

ROOM = Room(distance_m=5.0, diagonal_inches=98.0)
SIZES = {"1080p": (1920, 1080), "4K": (3840, 2160), "8K": (7680, 4320)}
#: ISO 9241-3: 16' minimum; what is read from the seats 20-22'.
MIN_ARCMIN, READ_ARCMIN = 16.0, 20.0

_ink_cache: dict[tuple[str, str], int] = {}


def ink_height(font: QFont, text: str) -> int:
    """Rows of pixels the text's glyphs cover when drawn in `font` (the ink's bounding box, not the font's box)."""
    key = (font.key(), text)
    if key not in _ink_cache:
        size = max(16, font.pixelSize() if font.pixelSize() > 0 else round(font.pointSizeF() * 2)) * 3
        image = QImage(size, size, QImage.Format.Format_ARGB32)
        image.setDotsPerMeterX(round(96 / 0.0254))
        image.setDotsPerMeterY(round(96 / 0.0254))
        image.fill(QColor("black"))
        p = QPainter(image)
        p.setFont(font)
        p.setPen(QColor("white"))
        p.drawText(size // 6, size * 2 // 3, text)
        p.end()
        rows = [y for y in range(image.height())
                if any(QColor(image.pixel(x, y)).red() > 96 for x in range(0, image.width(), 1))]
        _ink_cache[key] = (rows[-1] - rows[0] + 1) if rows else 0
    return _ink_cache[key]


def text_fonts(window: QWidget) -> list[tuple[str, QFont, bool]]:
    """(what, font, read from the seats) of every visible text on the window: labels, buttons, table rows and
    headers. The map's own drawing (names, key, badges) is measured by the map's test below."""
    found: list[tuple[str, QFont, bool]] = []
    for w in window.findChildren(QWidget):
        if not w.isVisibleTo(window):
            continue
        if isinstance(w, QLabel) and w.text().strip():
            read = isinstance(w.parent(), KpiCard) and w is w.parent().value
            found.append((f"{type(w.parent()).__name__}>{w.objectName() or 'label'} {w.text()[:12]!r}", w.font(), read))
        elif isinstance(w, QAbstractButton) and w.text().strip():
            found.append((f"button {w.text()!r}", w.font(), False))
        elif isinstance(w, QTableView):
            found.append((f"{type(w.parent()).__name__} rows", w.font(), True))
            header = w.horizontalHeader()
            if not header.isHidden():
                found.append((f"{type(w.parent()).__name__} header", header.font(), False))
    return found


@pytest.fixture
def room():
    theme.set_room(ROOM)
    yield ROOM
    theme.set_room(Room())


@pytest.mark.parametrize("size", SIZES)
def test_every_text_of_the_shipped_pages_subtends_16_arc_minutes_and_rows_and_figures_20(ui, clock, room, qtbot,
                                                                                           size):
    width, height = SIZES[size]
    pitch = ROOM.pitch_mm(width, height)
    config = load_config(DEFAULT_CONFIG)
    live = W.live_city(incidents=W.incidents(), alerts=W.signals(), resources=W.resources())
    ctx = TileContext(live, config, clock)
    too_small: list[str] = []
    measured = 0
    # the shipped pages, and a drill page (its scoring table is read from the seats during a drill)
    drill_page = PageSection(name="演练", rows=1, columns=2, tiles=[
        {"kind": "resources", "row": 0, "column": 0}, {"kind": "drill", "row": 0, "column": 1}])
    for page in [*config.pages, drill_page]:
        window = WallWindow(config.wall.title, live, page, lambda s: TILE_BUILDERS[s.kind](ctx, s), clock=clock)
        qtbot.addWidget(window)
        window.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen, True)
        window.setFixedSize(width, height)
        window.show()
        qtbot.waitExposed(window)
        for tile in window.tiles():
            if hasattr(tile, "flush"):
                tile.flush()
        fonts = text_fonts(window)
        assert any(read for _, _, read in fonts) or page.name != "总览"
        for what, font, read in fonts:
            need = READ_ARCMIN if read else MIN_ARCMIN
            for glyph in ("H", "国"):
                angle = arc_minutes_of(ink_height(font, glyph), pitch, ROOM.distance_m)
                measured += 1
                if angle < need - 0.05:
                    too_small.append(f"{page.name}: {what} {glyph!r} {angle:.1f}' < {need:.0f}'")
        window.close()
    assert measured > 40
    assert not too_small, "\n".join(too_small)


@pytest.mark.parametrize("size", SIZES)
def test_a_table_too_narrow_for_every_column_drops_the_least_important_and_cuts_no_identifying_text(
        ui, clock, room, qtbot, size):
    from PySide6.QtGui import QFontMetricsF

    from commandcenter.config import PageSection
    from commandcenter.ui.models.incidents import IncidentTableModel as M

    width, height = SIZES[size]
    config = load_config(DEFAULT_CONFIG)
    live = W.live_city(incidents=W.incidents())
    ctx = TileContext(live, config, clock)
    page = PageSection(name="p", rows=1, columns=3, tiles=[{"kind": "incidents", "row": 0, "column": 0}])
    window = WallWindow("大屏", live, page, lambda s: TILE_BUILDERS[s.kind](ctx, s), clock=clock)
    qtbot.addWidget(window)
    window.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen, True)
    window.setFixedSize(width, height)             # a one-third column: not room for all eight columns
    window.show()
    qtbot.waitExposed(window)
    tile = window.tiles()[0]
    view, model = tile.view, tile.model
    model.flush()
    shown = view.shown_columns()
    dropped = [c for c in range(model.columnCount()) if c not in shown]
    assert dropped, "a third of the wall cannot hold eight columns at reading size"
    # whatever is dropped is less important than whatever is shown
    assert min(M.PRIORITIES[c] for c in dropped) >= max(M.PRIORITIES[c] for c in shown)
    assert {M.DEADLINE, M.TITLE, M.STATUS} <= set(shown)
    header = QFontMetricsF(view.horizontalHeader().font())
    for c in shown:       # every header shown whole, in a font at least the rows' size
        name = model.headerData(c, Qt.Orientation.Horizontal)
        assert header.horizontalAdvance(name) <= view.columnWidth(c), name
    assert view.horizontalHeader().font().pixelSize() >= view.font().pixelSize() or \
        view.horizontalHeader().font().pointSizeF() >= view.font().pointSizeF()
    for row in range(model.rowCount()):
        if M.GRID in shown:
            assert view.shown_text(row, M.GRID) == model.data(model.index(row, M.GRID))
        if M.SOURCE in shown:
            assert view.shown_text(row, M.SOURCE) == model.data(model.index(row, M.SOURCE))
        assert view.shown_text(row, M.STATUS) == model.data(model.index(row, M.STATUS))


@pytest.mark.parametrize("size", SIZES)
def test_every_text_the_map_paints_subtends_16_arc_minutes_and_fewer_are_shown_rather_than_smaller(
        ui, clock, room, qtbot, size):
    """The map paints its own texts (the key, the names, the warnings' badges): each at least 16' from the farthest
    seat, district names (what places everything) 20'. Where the key has no room at that size it leaves out whole
    sections, warnings and incidents last; names never lie on a badge or on each other."""
    from commandcenter.ui.map import GridMap

    width, height = SIZES[size]
    pitch = ROOM.pitch_mm(width, height)
    config = load_config(DEFAULT_CONFIG)
    live = W.live_city(incidents=W.incidents(), alerts=W.alerts(), resources=W.resources())
    ctx = TileContext(live, config, clock)
    overview = config.pages[0]
    window = WallWindow(config.wall.title, live, overview, lambda s: TILE_BUILDERS[s.kind](ctx, s), clock=clock)
    qtbot.addWidget(window)
    window.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen, True)
    window.setFixedSize(width, height)
    window.show()
    qtbot.waitExposed(window)
    for tile in window.tiles():
        tile.flush()
    maps = window.findChildren(GridMap)
    assert maps, "the overview page shows the map"
    gmap = maps[0]
    gmap.plot.grab()                                # a paint places the names and badges
    painted = gmap.painted_fonts()
    whats = {what for what, _ in painted}
    assert {"legend row", "legend title", "alert badge"} <= whats
    assert any(what.startswith("map ") for what in whats), "names are drawn"
    too_small = []
    for what, font in painted:
        need = READ_ARCMIN if what == "map district name" else MIN_ARCMIN
        for glyph in ("H", "国"):
            angle = arc_minutes_of(ink_height(font, glyph), pitch, ROOM.distance_m)
            if angle < need - 0.05:
                too_small.append(f"{size}: {what} {glyph!r} {angle:.1f}' < {need:.0f}'")
    assert not too_small, "\n".join(too_small)
    # whatever the key left out is less important than what it shows: warnings and incidents stay
    shown = {kind for kind, _ in gmap.legend.shown_rows()}
    assert {f"alert{int(level)}" for level in AlertLevel} <= shown
    assert gmap.legend.sizeHint().height() <= gmap.legend.height() + 1
    # no name on a badge, no two names on each other, no two badges on each other
    t = gmap.labels.sceneTransform() * gmap.plot.viewportTransform()
    badges = list(gmap.alerts.badge_rects(t, QRectF(gmap.plot.viewport().rect())).values())
    assert badges
    names = [box for _, _, placed in gmap.labels._placements for _, _, box, _ in placed]
    boxes = badges + names
    for i, a in enumerate(boxes):
        assert not any(a.intersects(b) for b in boxes[i + 1:]), f"{size}: two texts overlap at {a}"
    window.close()
