"""Who did it: the console signs in a person of the `[[duty]]` roster at a seat and records them with every
acknowledge, shelve, escalate, push and drill action (escalate asks for a recipient and a reason); starting or
stopping a drill asks for confirmation and a reason, so a key press alone starts nothing. Against the simulator
on 127.0.0.1 as the wall's feed and drill backend."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest

from commandcenter.config import config_from_dict
from commandcenter.domain import ActionKind, Alert, AlertLevel, AlertStatus, AlertType
from commandcenter.config import SCENARIOS_DIR

pytestmark = pytest.mark.timeout(120) if hasattr(pytest.mark, "timeout") else []

SAMPLE = SCENARIOS_DIR / "sample-drill.toml"
START = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
DUTY = [{"name": "王建国", "role": "值班长", "seat": "1号席"},
        {"name": "李敏", "role": "值班员", "from": "00:00", "until": "24:00"}]
PAGES = [{"name": "总览", "rows": 1, "columns": 2, "tiles": [
    {"kind": "incidents", "row": 0, "column": 0}, {"kind": "drill", "row": 0, "column": 1}]}]


def red(id: str, at: datetime) -> Alert:
    return Alert(id=id, version=1, updated_at=at, level=AlertLevel.RED, type=AlertType.WEATHER,
                 title=f"暴雨红色预警 {id}", status=AlertStatus.ACTIVE, issued_at=at)


@pytest.fixture
def sim():
    from commandcenter.sim import run_in_thread

    s = run_in_thread(profile="street", seed=8, history_hours=0.2, start_time=START, hold_clock=True)
    yield s
    s.stop()


@pytest.fixture
def desk_and_wall(qloop, tmp_path, sim):
    from commandcenter.ui.app import WallApp
    from commandcenter.ui.console import ConsoleWindow
    from commandcenter.ui.wall_control import WallConsoleControl

    config = config_from_dict({"wall": {"kiosk": False, "rotate_seconds": 0, "alert_takeover": False},
                               "pages": PAGES, "duty": DUTY, "feeds": [{"name": "city", "url": sim.url}],
                               "drill": {"backend": "city"}})
    wall = WallApp(config, f"sqlite:///{tmp_path / 'wall.db'}", clock=sim.server.clock.now)
    qloop.run_until_complete(wall.start(show=False))
    desk = ConsoleWindow(WallConsoleControl(wall))
    desk.report_dir = tmp_path / "reports"
    desk.drill_scenario.setCurrentIndex(desk.drill_scenario.findData(str(SAMPLE)))
    yield desk, wall
    desk.close_quietly()
    qloop.run_until_complete(wall.stop())


def actions(qloop, wall) -> list:
    return qloop.run_until_complete(wall.pipeline.in_store(wall.store.actions_since, 0))


def test_nothing_is_done_before_the_sign_in_and_only_the_roster_signs_in(qloop, desk_and_wall):
    desk, wall = desk_and_wall
    assert desk.actor() == ""                       # never the Unix login
    assert desk.alert_action(ActionKind.ACKNOWLEDGE, "R1") is None and "请先签到" in desk.message.text()
    desk.start_drill()
    assert not desk.confirm_bar.isVisibleTo(desk) and not wall.drills.active
    desk.push("incident", "E1")
    assert wall.details_log == []
    assert not desk.sign_in("张三", "3号席")          # not on the roster
    assert "不在值班表中" in desk.sign_in_box.state.text()
    assert not desk.sign_in("王建国", "")             # a seat is required
    assert desk.sign_in_box.person.itemText(0) in {"王建国", "李敏"}      # the roster is offered
    assert desk.sign_in("王建国", "1号席") and (desk.actor(), desk.seat()) == ("王建国", "1号席")
    assert actions(qloop, wall) == []


def test_every_action_is_recorded_with_the_signed_in_person_and_seat(qloop, desk_and_wall, tmp_path):
    from commandcenter.services.drill_report import assemble
    from commandcenter.ui.report import write_report

    desk, wall = desk_and_wall
    desk.sign_in("李敏", "2号席")
    now = wall.clock()

    async def run() -> None:
        applied = await wall.pipeline.in_store(wall.store.apply, "test", alerts=[red("R1", now), red("R2", now)])
        wall.live.apply(alerts=applied.alerts)
        await desk.alert_action(ActionKind.ACKNOWLEDGE, "R1")
        await desk.alert_action(ActionKind.SHELVE, "R2")
        # escalate asks for a recipient and a reason; without either nothing is recorded
        assert desk.alert_action(ActionKind.ESCALATE, "R2") is None and desk.confirm_bar.isVisibleTo(desk)
        assert desk.confirm_bar.recipient.count() == 2                     # the roster is offered
        desk.confirm_bar.reason.setText("雨量超标，请求支援")
        assert desk.confirm_bar.confirm() is None and not desk.confirm_bar.confirm_button.isEnabled()
        desk.confirm_bar.recipient.setEditText("区应急管理局")
        desk.confirm_bar.reason.clear()
        assert desk.confirm_bar.confirm() is None
        desk.confirm_bar.reason.setText("雨量超标，请求支援")
        await desk.confirm_bar.confirm()
        desk.push("alert", "R1")
        await desk.settle()
        # a drill, started and stopped with a reason each
        desk.start_drill()
        desk.confirm_bar.reason.setText("季度防汛演练")
        await desk.confirm_bar.confirm()
        assert wall.drills.active
        desk.stop_drill()
        desk.confirm_bar.reason.setText("演练目的已达到")
        await desk.confirm_bar.confirm()
        assert not wall.drills.active
        assert await desk.refresh_history() >= 6

    qloop.run_until_complete(run())
    recorded = actions(qloop, wall)
    assert [(a.kind, a.actor, a.seat) for a in recorded] == [
        (ActionKind.ACKNOWLEDGE, "李敏", "2号席"), (ActionKind.SHELVE, "李敏", "2号席"),
        (ActionKind.ESCALATE, "李敏", "2号席"), (ActionKind.PUSH_TO_WALL, "李敏", "2号席"),
        (ActionKind.DRILL_START, "李敏", "2号席"), (ActionKind.DRILL_STOP, "李敏", "2号席")]
    escalation = recorded[2]
    assert (escalation.recipient, escalation.reason) == ("区应急管理局", "雨量超标，请求支援")
    assert recorded[4].reason.startswith("季度防汛演练") and recorded[5].reason == "演练目的已达到"
    # the console's history says who, by name, at which seat
    lines = desk.history.toPlainText().splitlines()
    assert any("李敏 · 2号席" in t and "升级" in t and "区应急管理局" in t for t in lines), lines
    assert any("李敏 · 2号席" in t and "开始演练" in t for t in lines), lines
    # and the drill report does
    data = qloop.run_until_complete(wall.pipeline.in_store(assemble, wall.store, recorded[4].target_id))
    html, _ = write_report(data, tmp_path / "report.html")
    text = html.read_text(encoding="utf-8")
    assert "李敏 · 2号席" in text and "季度防汛演练" in text and "演练目的已达到" in text


def test_a_key_press_alone_starts_or_stops_no_drill(qloop, qtbot, desk_and_wall):
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    desk, wall = desk_and_wall
    desk.sign_in("王建国", "1号席")
    desk.show()
    desk.windowHandle().requestActivate()    # shortcuts of the window reach it only when it is active
    qtbot.waitUntil(lambda: QApplication.activeWindow() is desk)
    QTest.keyClick(desk, Qt.Key.Key_F11)
    assert desk.confirm_bar.isVisibleTo(desk)                  # F11 asks; it does not start
    QTest.keyClick(desk.confirm_bar.reason, Qt.Key.Key_Return)  # Enter without a reason: nothing
    assert desk.confirm_bar.isVisibleTo(desk) and not wall.drills.active
    QTest.keyClick(desk, Qt.Key.Key_Escape)
    assert not desk.confirm_bar.isVisibleTo(desk)
    assert actions(qloop, wall) == [] and not wall.drills.active

    # key presses outside the loop's coroutine (QTest delivers them through a nested event loop)
    QTest.keyClick(desk, Qt.Key.Key_F11)
    QTest.keyClicks(desk.confirm_bar.reason, "monthly fire drill")
    QTest.keyClick(desk.confirm_bar.reason, Qt.Key.Key_Return)     # confirmed, with a reason
    qloop.run_until_complete(desk.settle())
    assert wall.drills.active
    QTest.keyClick(desk, Qt.Key.Key_F12)
    qloop.run_until_complete(desk.settle())
    assert wall.drills.active and desk.confirm_bar.isVisibleTo(desk)    # F12 asks too
    QTest.keyClicks(desk.confirm_bar.reason, "done")
    desk.confirm_bar.confirm_button.click()
    qloop.run_until_complete(desk.settle())
    assert not wall.drills.active
    assert [a.kind for a in actions(qloop, wall)] == [ActionKind.DRILL_START, ActionKind.DRILL_STOP]
    desk.hide()
