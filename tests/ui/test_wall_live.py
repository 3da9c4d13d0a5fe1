"""The running wall in-process (one virtual screen): console actions reach the wall and the store,
a red alert takes over until acknowledged (here or from another console), and config edits apply live."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from commandcenter.config import load_config
from commandcenter.domain import ActionKind, AlertLevel, OperatorAction

from tests.support.wall import Clock, alert, config_text, incident

pytest.importorskip("commandcenter.store")


def write_atomically(path: Path, text: str) -> None:
    """What editors do: write a new file and rename it over the old one (the inotify watch is lost)."""
    tmp = path.with_name(path.name + ".swp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


@pytest.fixture
def wall_env(qapp, tmp_path, sqlite_url):
    from commandcenter.ui.app import make_app

    path = tmp_path / "wall.toml"
    path.write_text(config_text(rotate_seconds=30), encoding="utf-8")
    config = load_config(path)
    make_app(config)
    return path, config, sqlite_url


def test_console_search_push_acknowledge_and_rotation_control(qloop, wall_env, eventually):
    from commandcenter.ui.app import WallApp
    from commandcenter.ui.console import ConsoleWindow
    from commandcenter.ui.wall_control import WallConsoleControl

    path, config, url = wall_env
    clock = Clock()
    wall = WallApp(config, url, clock=clock)

    async def scenario() -> None:
        await wall.start(show=False)
        desk = ConsoleWindow(WallConsoleControl(wall))
        desk.sign_in("值班员甲", "1号席")
        try:
            window = wall.window
            assert list(wall.windows) == ["primary"] and window.page_view.page_name == "总览"
            incidents = [incident(n) for n in range(30)]
            applied = await wall.pipeline.in_store(wall.store.apply, "test", incidents=incidents)
            wall.live.apply(incidents=applied.incidents)

            # search: text, id, grid, category — on the store thread
            desk.search_text.setText("纠纷")
            assert await desk.search() == 6
            desk.search_text.setText("E00007")
            assert await desk.search() == 1
            assert desk.search_model.id_at(0) == "E00007"
            desk.search_text.setText("")
            desk.search_grid.setText("G001, G002")
            assert await desk.search() == 9
            desk.search_category.setCurrentIndex(desk.search_category.findText("矛盾纠纷"))
            n = await desk.search()
            assert n > 0 and all(desk.search_model.data(desk.search_model.index(r, 2)) == "矛盾纠纷" for r in range(n))

            # push the selected incident to the wall: the wall gets it, rotation holds, the store records it
            desk.results.selectRow(0)
            pushed = desk.search_model.id_at(0)
            desk.push_selected_incident()
            await desk.settle()
            assert wall.details_log[-1] == ("incident", pushed, "primary")
            assert wall.rotation.is_holding
            acts = await wall.pipeline.in_store(wall.store.actions_for, "incident", pushed)
            assert [a.kind for a in acts] == [ActionKind.PUSH_TO_WALL]
            desk.push_selected_grid()
            assert wall.details_log[-1][0] == "grid"

            # a red alert takes the wall over; the console acknowledges it
            clock.advance(1)
            al = [alert("R1", at=clock()), alert("Y1", level=AlertLevel.YELLOW, at=clock())]
            applied = await wall.pipeline.in_store(wall.store.apply, "test", alerts=al)
            wall.live.apply(alerts=applied.alerts)
            assert wall.rotation.takeover_alert == "R1"
            assert window.page_view.page_name == "预警"
            assert ("alert", "R1", "primary") in wall.details_log
            desk.refresh_alerts()
            assert desk.alert_model.id_at(0) == "R1"       # most severe first
            assert "占用大屏" in desk.alert_state("R1")
            await desk.alert_action(ActionKind.ACKNOWLEDGE)  # the selection follows the takeover: R1
            await desk.settle()
            acts = await wall.pipeline.in_store(wall.store.actions_for, "alert", "R1")
            assert ActionKind.ACKNOWLEDGE in [a.kind for a in acts]
            assert wall.rotation.takeover_alert is None
            assert window.page_view.page_name == "总览"
            assert desk.alert_state("R1") == "已确认"

            # another console (another machine sharing the store) acknowledges the next one
            clock.advance(1)
            applied = await wall.pipeline.in_store(wall.store.apply, "test", alerts=[alert("R2", at=clock())])
            wall.live.apply(alerts=applied.alerts)
            assert wall.rotation.takeover_alert == "R2"
            await wall.pipeline.in_store(wall.store.record_action, OperatorAction(
                ActionKind.ACKNOWLEDGE, "alert", "R2", "值班员乙", "desk-2", clock()))
            assert await eventually(lambda: wall.rotation.takeover_alert is None, timeout=5)
            assert window.page_view.page_name == "总览"

            # shelve and escalate are recorded too
            clock.advance(1)
            applied = await wall.pipeline.in_store(wall.store.apply, "test", alerts=[alert("R3", at=clock())])
            wall.live.apply(alerts=applied.alerts)
            desk.alert_action(ActionKind.ESCALATE, "R3")            # asks for the recipient and the reason
            desk.confirm_bar.recipient.setEditText("区应急管理局")
            desk.confirm_bar.reason.setText("需区级支援")
            await desk.confirm_bar.confirm()
            await desk.alert_action(ActionKind.SHELVE, "R3")
            await desk.settle()
            kinds = [a.kind for a in await wall.pipeline.in_store(wall.store.actions_for, "alert", "R3")]
            assert kinds == [ActionKind.ESCALATE, ActionKind.SHELVE]
            assert wall.rotation.takeover_alert is None

            # rotation: pause / resume / next page / pin from the console
            wall.rotation.hold_until = None
            desk.toggle_pause()
            assert wall.rotation.paused
            clock.advance(100)
            wall.rotation.tick()
            assert window.page_view.page_name == "总览"
            desk.toggle_pause()
            assert not wall.rotation.paused
            clock.advance(30)
            wall.rotation.tick()
            assert window.page_view.page_name == "预警"
            desk.next_page()
            assert window.page_view.page_name == "明细"
            desk.refresh_pages()
            desk.toggle_pin()
            clock.advance(300)
            wall.rotation.tick()
            assert window.page_view.page_name == "明细" and wall.rotation.surfaces["primary"].pinned == "明细"

            # drills: wired only when the wall runs a DrillManager (capability check)
            assert desk.drill_box.isVisibleTo(desk) == desk.drills_available
            if desk.drills_available and desk.drill_scenario.count():
                desk.start_drill()
                desk.confirm_bar.reason.setText("月度演练")
                await desk.confirm_bar.confirm()
                assert wall.drills.active
                drill_id = wall.drills.current.id
                desk.stop_drill()
                desk.confirm_bar.reason.setText("演练完成")
                await desk.confirm_bar.confirm()
                assert not wall.drills.active
                kinds = [a.kind for a in await wall.pipeline.in_store(wall.store.actions_for, "drill", drill_id)]
                assert kinds == [ActionKind.DRILL_START, ActionKind.DRILL_STOP]

            # keyboard: every action has a shortcut, listed in the F1 overlay
            keys = [k for k, _ in desk.shortcut_list()]
            for k in ("F1", "Ctrl+F", "Ctrl+Return", "F5", "F6", "F7", "F8", "F9", "F10", "F11", "F12"):
                assert k in keys
            assert not desk.help.isVisible()
            assert len(desk.help.rows) == len(keys)
        finally:
            desk.close_quietly()
            await wall.stop()

    qloop.run_until_complete(scenario())


def test_config_edits_apply_live_and_broken_edits_are_refused_on_the_console(qloop, wall_env, eventually):
    from commandcenter.ui.app import WallApp
    from commandcenter.ui.console import ConsoleWindow
    from commandcenter.ui.wall_control import WallConsoleControl

    path, config, url = wall_env
    wall = WallApp(config, url, config_path=path)

    async def scenario() -> None:
        await wall.start(show=False)
        desk = ConsoleWindow(WallConsoleControl(wall))
        try:
            assert list(wall.window.page_view.views) == ["总览", "预警", "明细"]
            assert wall.rotation.surfaces["primary"].seconds == 30

            # a valid edit, saved the way editors save: applied within seconds, no restart
            duty = '[[duty]]\nname = "王建国"\nrole = "值班长"\nfrom = "00:00"\nuntil = "24:00"\n'
            write_atomically(path, config_text(rotate_seconds=12, extra="") .replace(
                'title = "测试大屏"', 'title = "新标题"') + duty)
            assert await eventually(lambda: wall.config.wall.title == "新标题", timeout=8)
            assert wall.rotation.surfaces["primary"].seconds == 12
            assert wall.window.windowTitle() == "新标题"
            assert "王建国" in wall.window.header.duty_label.text()
            before = wall.window

            # a broken edit: the running wall stays as it is; the console shows file, key and reason
            write_atomically(path, config_text(rotate_seconds=12).replace("[wall]", "[wall]\ntitel = 1"))
            assert await eventually(lambda: desk.error_box.isVisibleTo(desk), timeout=8)
            text = desk.error_box.toPlainText()
            assert str(path) in text and "wall.titel: unknown key" in text
            assert wall.config.wall.title == "新标题" and wall.window is before

            write_atomically(path, config_text(rotate_seconds=12, extra="rotate_seconds = 5")
                             .replace("rotate_seconds = 12\n", ""))
            assert await eventually(lambda: wall.rotation.surfaces["primary"].seconds == 5, timeout=8)
            assert not desk.error_box.isVisibleTo(desk)

            # the language switches live: wall and console are rebuilt in English
            write_atomically(path, config_text(rotate_seconds=5, language="en"))
            assert await eventually(lambda: desk.search_button.text() == "Search", timeout=8)
            assert wall.window.header.clock_label.text().startswith(("Monday", "Tuesday", "Wednesday", "Thursday",
                                                                      "Friday", "Saturday", "Sunday"))
            assert desk.windowTitle().startswith("Operator console")

            # a page a [[screens]] entry names must exist
            write_atomically(path, config_text(screens='[[screens]]\npages = ["没有这页"]\n'))
            assert await eventually(lambda: "没有这页" in desk.last_error, timeout=8)
            assert wall.rotation.surfaces["primary"].seconds == 5
        finally:
            desk.close_quietly()
            await wall.stop()
            from commandcenter.ui.resources import install_language

            install_language("zh_CN")

    qloop.run_until_complete(scenario())
