"""Kiosk helpers: the idle cursor is blanked and comes back on movement; screen-blanking inhibition degrades
to a logged no-op without a session bus; the screen plan maps config to screens (pure, no monitors needed)."""
from __future__ import annotations

import asyncio
from datetime import UTC

from PySide6.QtCore import QEvent, QPointF, QRect, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication, QWidget

from commandcenter.config import parse_config

from tests.support.wall import config_text


def test_the_cursor_hides_when_idle_and_returns_on_movement(qapp, qloop, eventually):
    from commandcenter.ui.kiosk import CursorHider

    hider = CursorHider(0.1)
    target = QWidget()

    async def scenario() -> None:
        hider.start()
        try:
            assert await eventually(lambda: hider.hidden, timeout=3)
            assert QApplication.overrideCursor().shape() == Qt.CursorShape.BlankCursor
            move = QMouseEvent(QEvent.Type.MouseMove, QPointF(5, 5), QPointF(5, 5), Qt.MouseButton.NoButton,
                               Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier)
            QApplication.sendEvent(target, move)
            assert not hider.hidden and QApplication.overrideCursor() is None
            assert await eventually(lambda: hider.hidden, timeout=3)      # idle again
        finally:
            hider.stop()
        assert QApplication.overrideCursor() is None

    qloop.run_until_complete(scenario())


def test_screensaver_inhibition_is_a_logged_no_op_without_a_session_bus(qapp, monkeypatch, caplog):
    from commandcenter.ui.kiosk import ScreenSaverInhibitor

    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")
    inhibitor = ScreenSaverInhibitor()
    with caplog.at_level("INFO"):
        ok = inhibitor.inhibit()
    if not ok:
        assert inhibitor.reason and "not inhibited" in caplog.text
    inhibitor.release()


def _screens(*rects, names=None):
    from commandcenter.ui.screens import ScreenInfo

    names = names or [f"s{i}" for i in range(len(rects))]
    return [ScreenInfo(i, names[i], QRect(*r), primary=i == 0) for i, r in enumerate(rects)]


def test_plans_without_screens_section_use_the_primary_screen_and_every_page():
    from commandcenter.ui.screens import plan_windows

    config = parse_config(config_text())
    plans = plan_windows(config, _screens((0, 0, 2560, 1440), (2560, 0, 1920, 1080)), [])
    assert len(plans) == 1 and plans[0].key == "primary" and plans[0].placed
    assert [p.name for p in plans[0].pages] == ["总览", "预警", "明细"]
    assert plans[0].geometry == QRect(0, 0, 2560, 1440)


def test_plans_by_index_name_and_span_and_missing_screens():
    from commandcenter.ui.screens import plan_windows

    screens = '''
[[screens]]
index = 1
pages = ["预警"]
[[screens]]
name = "HDMI-2"
pages = ["总览", "明细"]
rotate_seconds = 10
[[screens]]
span = [0, 1]
[[screens]]
index = 7
'''
    config = parse_config(config_text(screens=screens))
    present = _screens((0, 0, 3328, 1792), (3328, 0, 3328, 1792), (6656, 0, 1920, 1080),
                       names=["DP-1", "DP-2", "HDMI-2"])
    plans = {p.key: p for p in plan_windows(config, present, [])}
    assert list(plans) == ["screen1", "HDMI-2", "span0+1", "screen7"]
    assert [p.name for p in plans["screen1"].pages] == ["预警"] and plans["screen1"].rotate_seconds == 30
    assert plans["HDMI-2"].geometry == QRect(6656, 0, 1920, 1080) and plans["HDMI-2"].rotate_seconds == 10
    assert plans["span0+1"].geometry == QRect(0, 0, 6656, 1792) and plans["span0+1"].placed
    assert not plans["screen7"].placed                         # not plugged in: parked, not crammed elsewhere
    unplugged = {p.key: p for p in plan_windows(config, present[:1], [])}
    assert not unplugged["span0+1"].placed and not unplugged["screen1"].placed


def test_the_config_refuses_unknown_pages_keys_and_bad_duty_times():
    import pytest

    from commandcenter.config import ConfigError

    with pytest.raises(ConfigError) as err:
        parse_config(config_text(screens='[[screens]]\npages = ["无此页"]\n'), "w.toml")
    assert "w.toml" in str(err.value) and "screens[0].pages: no page named '无此页'" in str(err.value)
    with pytest.raises(ConfigError) as err:
        parse_config(config_text(screens="[[screens]]\nindex = 0\nfoo = 1\n"), "w.toml")
    assert "w.toml: screens[0].foo: unknown key" in str(err.value)
    with pytest.raises(ConfigError) as err:
        parse_config(config_text(screens="[[screens]]\nindex = 0\nspan = [0, 1]\n"), "w.toml")
    assert "span or index/name" in str(err.value)
    with pytest.raises(ConfigError) as err:
        parse_config(config_text(extra="") + '[[duty]]\nname = "甲"\nfrom = "8点"\n', "w.toml")
    assert "w.toml: duty[0].from: expected HH:MM" in str(err.value)


def test_duty_roster_follows_the_clock_including_overnight_shifts():
    from datetime import datetime

    from commandcenter.ui import format as fmt
    from commandcenter.ui.pages import on_duty

    fmt.set_timezone("Asia/Shanghai")
    config = parse_config(config_text() + '''
[[duty]]
name = "白班"
from = "08:00"
until = "20:00"
[[duty]]
name = "夜班"
from = "20:00"
until = "08:00"
[[duty]]
name = "专项"
from = "2026-11-23T09:00"
until = "2026-11-23T11:00"
''')
    at = lambda h: datetime(2026, 11, 23, h, 0, tzinfo=UTC)     # noqa: E731  (UTC; Shanghai = +8)
    assert [d.name for d in on_duty(config.duty, at(2))] == ["白班", "专项"]    # 10:00 local
    assert [d.name for d in on_duty(config.duty, at(13))] == ["夜班"]           # 21:00 local
    assert [d.name for d in on_duty(config.duty, at(22))] == ["夜班"]           # 06:00 local next day


def test_screen_added_or_removed_triggers_one_debounced_relayout(qapp, qloop, eventually):
    from commandcenter.ui.screens import ScreenWatcher

    watcher = ScreenWatcher(debounce_ms=50)
    fired: list[int] = []
    watcher.changed.connect(lambda: fired.append(1))
    screen = qapp.primaryScreen()

    async def scenario() -> None:
        qapp.screenRemoved.emit(screen)          # unplugged…
        qapp.screenAdded.emit(screen)            # …and plugged back: one relayout, not two
        assert await eventually(lambda: fired, timeout=3)
        await asyncio.sleep(0.2)
        assert len(fired) == 1

    try:
        qloop.run_until_complete(scenario())
    finally:
        watcher.stop()
