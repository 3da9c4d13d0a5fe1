"""The operator console stays put (issue 19 point 7): a refusal, a question, the wall's own warning or a refused
config never moves its blocks, so a click aimed at 搁置 or 升级 lands there; search results show the incidents'
live state. Against the simulator on 127.0.0.1 as the wall's feed."""
from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest
from PySide6.QtCore import QPoint, QRect

from commandcenter.config import ConfigError, config_from_dict
from commandcenter.domain import ActionKind, Status

START = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
DUTY = [{"name": "王建国", "role": "值班长", "seat": "1号席"}]
PAGES = [{"name": "总览", "rows": 1, "columns": 1, "tiles": [{"kind": "incidents", "row": 0, "column": 0}]}]


@pytest.fixture
def sim():
    from commandcenter.sim import run_in_thread

    s = run_in_thread(profile="street", seed=8, history_hours=0.5, start_time=START, hold_clock=True)
    yield s
    s.stop()


@pytest.fixture
def desk(qloop, qtbot, tmp_path, sim):
    from commandcenter.ui.app import WallApp
    from commandcenter.ui.console import ConsoleWindow
    from commandcenter.ui.wall_control import WallConsoleControl

    config = config_from_dict({"wall": {"kiosk": False, "rotate_seconds": 0, "alert_takeover": False},
                               "pages": PAGES, "duty": DUTY, "feeds": [{"name": "city", "url": sim.url}]})
    wall = WallApp(config, f"sqlite:///{tmp_path / 'wall.db'}", clock=sim.server.clock.now)
    qloop.run_until_complete(wall.start(show=False))
    console = ConsoleWindow(WallConsoleControl(wall))
    console.resize(1600, 960)
    console.show()
    qtbot.waitExposed(console)
    yield console
    console.close_quietly()
    qloop.run_until_complete(wall.stop())


def places(desk) -> dict[str, QRect]:
    """Where each action button is, in the console window's coordinates."""
    buttons = {"确认": desk.ack_button, "搁置": desk.shelve_button, "升级": desk.escalate_button,
               "推送事件": desk.push_incident_button, "检索": desk.search_button,
               "开始演练": desk.drill_start_button}
    return {name: QRect(b.mapTo(desk, QPoint(0, 0)), b.size()) for name, b in buttons.items()}


def test_refusals_questions_and_warnings_never_move_the_buttons(desk, qtbot, qapp):
    qapp.processEvents()
    before = places(desk)

    def still(what: str) -> None:
        qapp.processEvents()
        assert places(desk) == before, what

    desk.alert_action(ActionKind.SHELVE)                                   # nothing selected: refused
    assert "请先选择" in desk.message.text()
    still("a refusal")
    desk.alert_action(ActionKind.ESCALATE, "R1")                           # not signed in: refused
    assert "请先签到" in desk.message.text()
    still("the sign-in refusal")
    desk.say("一条很长的拒绝说明，" * 20, error=True)
    still("a long refusal")
    assert desk.sign_in("王建国", "1号席")
    still("the sign-in")
    desk.alert_action(ActionKind.ESCALATE, "R1")                           # the question appears
    assert desk.confirm_bar.isVisible()
    still("the escalation question")
    desk.confirm_bar.cancel()
    still("the question gone")
    desk.wall_warning.setText("⚠ 后端时钟偏差 38 秒（慢于本机）")
    desk.wall_warning.show()
    still("the wall's own warning")
    desk.show_config_error(ConfigError("/etc/commandcenter/wall.toml", [("wall.title", "expected a string")]))
    assert desk.error_box.isVisible()
    still("a refused config")
    desk.rotation_status.setText("\n".join(f"窗口 {n}：总览（30 秒后换页）" for n in range(1, 9)))
    desk.drill_status.setText("演练进行中：" + "住宅火灾三人被困" * 6)
    still("long rotation and drill states")


def test_search_results_show_the_incidents_live_status(desk, qloop, until):
    live = desk.wall.present()
    assert until(lambda: len(live.incidents) >= 3, timeout=20)   # shown only once committed to the store
    assert qloop.run_until_complete(desk.search()) >= 1
    model = desk.search_model
    found_id = model.id_at(0)
    status_col = 4
    inc = live.incidents[found_id]
    new_status = Status.CLOSED if inc.status is not Status.CLOSED else Status.HANDLING
    live.apply(incidents=[replace(inc, version=inc.version + 1, status=new_status)])
    from commandcenter.ui import labels

    assert model.data(model.index(model.row_of(found_id), status_col)) == labels.name(new_status)
