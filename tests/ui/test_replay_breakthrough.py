"""Replay never hides the present: while the wall replays the past, the console's lists stay live, and a new red
public warning (or an emergency going overdue) breaks through the replay — banner and alarm — with one action back
to live. Against the simulated city over loopback."""
from __future__ import annotations

from datetime import datetime, timedelta, UTC

import pytest

from commandcenter.config import config_from_dict
from commandcenter.domain import (
    Alert, AlertLevel, AlertStatus, AlertType, Category, Incident, Severity, Source, Status,
)
from commandcenter.services import LiveState
from commandcenter.services.replay import BreakthroughWatch

pytestmark = pytest.mark.usefixtures("gc_on_the_loop_thread")  # walls, feeds and simulators share this process

sim = pytest.importorskip("commandcenter.sim")

T = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


def alert(id: str, level: AlertLevel = AlertLevel.RED, *, type: AlertType = AlertType.WEATHER,
          drill_id: str | None = None) -> Alert:
    return Alert(id=id, version=1, updated_at=T, level=level, type=type, title=f"预警 {id}",
                 status=AlertStatus.ACTIVE, issued_at=T, drill_id=drill_id)


def incident(n: int, *, at: datetime, emergency: bool, category: Category) -> Incident:
    return Incident(id=f"E{n:05d}", version=1, updated_at=at, reported_at=at, title=f"事件 {n}", category=category,
                    source=Source.GRID_APP, severity=Severity.HIGH, status=Status.REPORTED, grid_id="G001",
                    emergency=emergency)


def test_what_was_there_when_the_replay_began_is_known_only_new_dangers_break_through():
    now = [T]
    present = LiveState()
    present.apply(alerts=[alert("OLD")], incidents=[
        incident(1, at=T - timedelta(minutes=5), emergency=True, category=Category.FIRE),     # response overdue
        incident(2, at=T, emergency=True, category=Category.FIRE)])
    watch = BreakthroughWatch(lambda: now[0])
    watch.begin(present)
    assert watch.check(present) == []
    present.apply(alerts=[alert("NEW"), alert("ORANGE", AlertLevel.ORANGE), alert("IOT", type=AlertType.IOT),
                          alert("DRILL", drill_id="D1")])
    assert [(d.kind, d.id) for d in watch.check(present)] == [("alert", "NEW")]    # a red public warning, real
    now[0] = T + timedelta(seconds=61)                                            # E00002's 1 minute passes
    assert [(d.kind, d.id, d.stage) for d in watch.check(present)] == [("incident", "E00002", "response")]
    assert watch.check(present) == []                                             # said once


@pytest.fixture
def city():
    s = sim.run_in_thread(profile="street", seed=11)
    yield s
    s.stop()


def test_replay_with_a_new_red_warning_breaks_through_and_one_action_goes_live(qapp, qloop, city, sqlite_url,
                                                                               eventually):
    from commandcenter.ui.app import WallApp, make_app
    from commandcenter.ui.console import ConsoleWindow
    from commandcenter.ui.wall_control import WallConsoleControl

    config = config_from_dict({
        "wall": {"kiosk": False, "rotate_seconds": 0},
        "feeds": [{"name": "city", "kind": "native", "url": city.url, "mode": "poll", "interval": 0.3}],
        "pages": [{"name": "p", "rows": 1, "columns": 2, "tiles": [
            {"kind": "incidents", "row": 0, "column": 0}, {"kind": "alerts", "row": 0, "column": 1}]}]})
    make_app(config)
    wall = WallApp(config, sqlite_url)

    async def scenario() -> None:
        await wall.start(show=False)
        desk = ConsoleWindow(WallConsoleControl(wall))
        try:
            assert await eventually(lambda: len(wall.live.incidents) > 5, 15)
            desk.set_replay_window(wall.clock() - timedelta(minutes=30), 20)
            assert desk.enter_replay()
            replay = desk.replay
            assert replay.replaying and not replay.breakthrough

            issued = city.call(lambda: city.server.world.warnings.issue(
                AlertLevel.RED, AlertType.WEATHER, "暴雨红色预警（实时）", duration_s=3600)).alert.id

            # the console's list is the present's; the wall shows the past
            assert await eventually(lambda: desk.alert_model.row_of(issued) >= 0, 10)
            assert issued not in wall.live.alerts

            # it breaks through: the banner says what, the alarm sounds
            assert await eventually(lambda: replay.breakthrough, 5)
            banner = wall.window.replay_banner
            banner.refresh()
            assert "实时：红色预警 暴雨红色预警（实时）" in banner.text()
            assert banner.back.isVisibleTo(wall.window)
            assert wall.alarm.breakthrough and wall.alarm.playing
            assert "暴雨红色预警（实时）" in desk.message.text()

            # one action back to live
            wall.window.replay_banner.back.click()
            assert not replay.replaying and not wall.alarm.breakthrough
            assert issued in wall.live.alerts
            assert desk.alert_model.row_of(issued) >= 0
        finally:
            desk.close_quietly()
            await wall.stop()

    qloop.run_until_complete(scenario())
