"""The console's contract with a running wall (ui.wall_control.WallConsoleControl): its verbs change the wall, its
read models say what the wall does, without the console holding any of the wall's services.

Real parts: the real WallApp under qasync with an SQLite store, its rotation, alert actions and store thread."""
from __future__ import annotations

import pytest

from commandcenter.config import load_config
from commandcenter.domain import ActionKind, AlertLevel, OperatorAction

from tests.support.wall import Clock, T0, alert, config_text

pytest.importorskip("commandcenter.store")


def test_verbs_change_the_wall_and_the_read_models_say_so(qapp, qloop, tmp_path, sqlite_url, eventually):
    from commandcenter.ui.app import WallApp, make_app
    from commandcenter.ui.console.wall_port import AlertStanding, ReplayState, WallControl
    from commandcenter.ui.wall_control import WallConsoleControl

    path = tmp_path / "wall.toml"
    path.write_text(config_text(rotate_seconds=30), encoding="utf-8")
    config = load_config(path)
    make_app(config)
    wall = WallApp(config, sqlite_url, clock=Clock())

    async def scenario() -> None:
        await wall.start(show=False)
        control: WallControl = WallConsoleControl(wall)
        try:
            view = control.rotation_view()
            assert [a.key for a in view.areas] == ["primary"]
            area = view.area("primary")
            assert area is not None and area.pages == ("总览", "预警", "明细") and area.current == "总览"
            assert not (view.paused or area.pinned)

            control.pin("primary", "明细")
            control.pause_rotation(True)
            view = control.rotation_view()
            area = view.area("primary")
            assert view.paused and area is not None and area.pinned and area.current == "明细"
            assert wall.window is not None and wall.window.page_view.page_name == "明细"
            control.pin("primary", None)
            control.pause_rotation(False)
            assert not control.rotation_view().paused

            control.push_details("incident", "E00001")
            assert wall.details_log[-1] == ("incident", "E00001", None)

            red = alert("A1", AlertLevel.RED)
            wall.live.apply(alerts=[red])
            assert await eventually(lambda: control.alert_standing("A1") is AlertStanding.PENDING_TAKEOVER)
            assert control.rotation_view().takeover_alert == "A1"
            await control.acknowledge("A1", actor="值班员甲", seat="1号席")
            assert control.alert_standing("A1") is AlertStanding.ACKNOWLEDGED
            assert control.rotation_view().takeover_alert is None

            pushed = await control.record(OperatorAction(
                kind=ActionKind.PUSH_TO_WALL, target_kind="incident", target_id="E00001", actor="值班员甲",
                console="desk", at=T0, seat="1号席"))
            since = await control.actions_since(0)
            assert [(a.kind, a.target_id) for a in since][-1] == (ActionKind.PUSH_TO_WALL, "E00001")
            assert pushed.id == since[-1].id
            assert any(a.kind is ActionKind.ACKNOWLEDGE and a.target_id == "A1" for a in since)

            assert control.can_read and control.present() is wall.live
            assert control.replay_state() is ReplayState.LIVE and not control.back_to_live()
            events: list[str] = []
            unsubscribe = control.subscribe(lambda what, _arg: events.append(what))
            control.push_details("grid", "G001")
            unsubscribe()
            control.push_details("grid", "G002")
            assert events == ["details"]
        finally:
            await wall.stop()

    qloop.run_until_complete(scenario())
