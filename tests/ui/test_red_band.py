"""A red warning dominates (issue 19 point 2): a full-width band with large text that flashes, never faster than
three times a second and at the theme's rate, until it is acknowledged from the console or on the wall."""
from __future__ import annotations

from types import SimpleNamespace

import pytest
from tests.support import wall_data as W
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from commandcenter.config import PageSection, config_from_dict
from commandcenter.domain import AlertLevel
from commandcenter.domain.legibility import Room
from commandcenter.ui import theme
from commandcenter.ui.alert_actions import AlertActions
from commandcenter.ui.banner import MAX_FLASHES_PER_S, AlertBanner, flash_interval_ms
from commandcenter.ui.models.alerts import AlertBoard
from commandcenter.ui.tiles import TILE_BUILDERS, TileContext
from commandcenter.ui.wall import WallWindow
from commandcenter.ui.services import acknowledge_on_wall


@pytest.fixture
def wall(ui, clock, qtbot):
    theme.set_room(Room(distance_m=5.0, diagonal_inches=98.0))
    live = W.live_city()                                     # A4: a red public warning, unacknowledged
    actions = AlertActions(live, clock=clock)
    board = AlertBoard(live, actions, clock=clock)
    ctx = TileContext(live, config_from_dict({}), clock)
    page = PageSection(name="p", rows=1, columns=1, tiles=[{"kind": "incidents", "row": 0, "column": 0}])
    window = WallWindow("大屏", live, page, lambda s: TILE_BUILDERS[s.kind](ctx, s), clock=clock)
    banner = AlertBanner(board)
    window.set_banner(banner)
    qtbot.addWidget(window)
    window.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen, True)
    window.setFixedSize(3840, 2160)
    window.show()
    qtbot.waitExposed(window)
    yield SimpleNamespace(window=window, banner=banner, board=board, actions=actions, live=live)
    theme.set_room(Room())


def test_flashes_are_never_faster_than_three_a_second_and_follow_the_theme():
    assert flash_interval_ms(theme.RED_BAND_FLASHES_PER_S) == round(1000 / (2 * theme.RED_BAND_FLASHES_PER_S))
    assert flash_interval_ms(2.0) == 250
    assert flash_interval_ms(10.0) == flash_interval_ms(MAX_FLASHES_PER_S) >= 1000 / (2 * 3)


def test_an_unacknowledged_red_warning_spans_the_wall_in_large_text_and_flashes(wall, qtbot):
    banner = wall.banner
    assert banner.red_alert_id == "A4" and banner.flashing
    assert banner.flash_interval() >= 1000 / (2 * MAX_FLASHES_PER_S)
    assert banner.width() >= wall.window.width() - 2                    # across the whole window
    table = wall.window.tiles()[0].view
    red_item = next(i for i in banner._items if i.alert_id == "A4")
    assert red_item.font().pointSize() >= round(table.font().pointSize() * theme.RED_BAND_TEXT_SCALE) - 1
    phases = set()
    for _ in range(3):                                                  # it alternates, at its own pace
        phases.add((banner.flash_on, banner.styleSheet()))
        qtbot.wait(banner.flash_interval() + 30)
    assert len(phases) == 2
    assert theme.RED_BAND_ON.name() in "".join(s for _, s in phases)
    assert banner.ack_button.isVisible()


def test_acknowledged_from_the_console_the_band_stops_flashing(wall, qloop):
    qloop.run_until_complete(wall.actions.acknowledge("A4", "张三", console="console-1"))
    wall.board.flush()
    assert not wall.banner.flashing and wall.banner.red_alert_id == ""
    assert wall.banner.ack_button.isHidden()
    assert any("Ⅰ 红色预警" in t and t.endswith("✓") for t in wall.banner.texts())   # still shown, acknowledged


def test_acknowledged_on_the_wall_it_is_recorded_for_the_person_on_duty(wall, qloop, clock):
    config = config_from_dict({"duty": [{"name": "王五", "from": "00:00", "until": "24:00"}]})
    app = SimpleNamespace(alert_actions=wall.actions, config=config, clock=clock)
    wall.banner.acknowledge_requested.connect(lambda aid: acknowledge_on_wall(app, aid))
    QTest.mouseClick(wall.banner.ack_button, Qt.MouseButton.LeftButton)
    for _ in range(50):
        if wall.actions.is_acknowledged("A4"):
            break
        qloop.run_until_complete(__import__("asyncio").sleep(0.02))
    ack = wall.actions.acknowledgement("A4")
    assert ack is not None and (ack.actor, ack.console) == ("王五", "wall")
    wall.board.flush()
    assert not wall.banner.flashing


def test_orange_alone_does_not_flash(ui, clock):
    live = W.live_city()
    actions = AlertActions(live, clock=clock)
    board = AlertBoard(live, actions, clock=clock)
    live.apply(alerts=[W.bump(live.alerts["A4"], level=AlertLevel.ORANGE)])
    board.flush()
    banner = AlertBanner(board)
    assert banner.texts() and not banner.flashing and banner.red_alert_id == ""


@pytest.mark.parametrize("size", [(1920, 1080), (3840, 2160)])
@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_a_long_area_name_is_elided_before_the_count_and_the_button_never_under_them(ui, clock, qtbot, size,
                                                                                     language):
    """The band's warning text, the "+N" count and the 确认 button never overlap: a title and area too long for the
    band are cut with "…", the whole text in the tooltip (and in the details a click opens)."""
    from PySide6.QtGui import QFontMetrics

    from commandcenter.ui.resources import install_language

    install_language(language)
    theme.set_room(Room(distance_m=5.0, diagonal_inches=98.0))
    try:
        area = "、".join(f"玉坊村第{i}网格" for i in range(1, 40))
        red = W.alert("A4", AlertLevel.RED, expires_in=None, title="暴雨红色预警：城区内涝风险极高", area_desc=area)
        live = W.live_city(alerts=[W.alert("A3", AlertLevel.ORANGE), red])
        actions = AlertActions(live, clock=clock)
        board = AlertBoard(live, actions, clock=clock)
        ctx = TileContext(live, config_from_dict({}), clock)
        page = PageSection(name="p", rows=1, columns=1, tiles=[{"kind": "incidents", "row": 0, "column": 0}])
        window = WallWindow("大屏", live, page, lambda s: TILE_BUILDERS[s.kind](ctx, s), clock=clock)
        banner = AlertBanner(board)
        window.set_banner(banner)
        qtbot.addWidget(window)
        window.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen, True)
        window.setFixedSize(*size)
        window.show()
        qtbot.waitExposed(window)
        item = next(i for i in banner._items if i.alert_id == "A4")
        assert banner._more.isVisible() and banner.ack_button.isVisible()
        assert banner.texts()[0].endswith(area)                           # the whole text is kept
        assert item.text().endswith("…") and item.text() != item.full_text
        assert area in item.toolTip()
        assert QFontMetrics(item.font()).horizontalAdvance(item.text()) <= item.contentsRect().width()
        for other in (banner._more, banner.ack_button):
            assert not item.geometry().intersects(other.geometry()), other
        assert not banner._more.geometry().intersects(banner.ack_button.geometry())
        window.close()
    finally:
        theme.set_room(Room())
        install_language("zh_CN")
