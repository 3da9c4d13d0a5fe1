"""The wall window fills its background once, and not under the tiles: tiles stay marked opaque after the style
sheet polishes them (the polish clears the mark on a rounded border), also when the style sheet is set again, and the
window paints itself (no root fill under its own). What this saves is seen by the goldens not changing."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QApplication

from commandcenter.config import DEFAULT_CONFIG, load_config
from commandcenter.ui import theme
from commandcenter.ui.tiles import TILE_BUILDERS, TileContext
from commandcenter.ui.wall import WallWindow
from tests.support import wall_data as W

OPAQUE = Qt.WidgetAttribute.WA_OpaquePaintEvent


def shown_wall(qtbot, clock) -> WallWindow:
    config = load_config(DEFAULT_CONFIG)
    live = W.live_city(incidents=W.incidents(), alerts=W.alerts(), resources=W.resources())
    ctx = TileContext(live, config, clock)
    window = WallWindow(config.wall.title, live, config.pages[0], lambda s: TILE_BUILDERS[s.kind](ctx, s),
                        clock=clock)
    qtbot.addWidget(window)
    window.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen, True)
    window.setFixedSize(1920, 1080)
    window.show()
    qtbot.waitExposed(window)
    return window


def test_tiles_and_the_window_stay_opaque_after_the_style_sheet_polishes_them(ui, qtbot, clock):
    window = shown_wall(qtbot, clock)
    tiles = window.tiles()
    assert tiles and all(t.testAttribute(OPAQUE) for t in tiles)
    assert window.testAttribute(OPAQUE)
    app = QApplication.instance()
    app.setStyleSheet(theme.stylesheet())           # set again: every widget is polished anew
    qtbot.wait(10)
    assert all(t.testAttribute(OPAQUE) for t in window.tiles())
    assert window.testAttribute(OPAQUE)


def test_the_window_paints_its_background_where_no_tile_is(ui, qtbot, clock):
    window = shown_wall(qtbot, clock)
    image = QImage(window.size(), QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(QColor("magenta"))                   # what a missing fill would leave
    window.render(image)
    holes = [(x, y) for y in range(0, image.height(), 4) for x in range(0, image.width(), 4)
             if image.pixel(x, y) == QColor("magenta").rgba()]
    assert not holes, holes[:10]
    assert QColor(image.pixel(0, 0)) == theme.BACKGROUND          # the header's corner: the window's own fill
