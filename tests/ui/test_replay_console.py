"""Replay from the operator console: a chosen past hour plays on the wall at 10× — every tile shows the
state recorded at the replay time, under the REPLAY banner — and one action brings the wall back to live."""
from __future__ import annotations

import pytest
from datetime import timedelta

from commandcenter.config import config_from_dict
from commandcenter.store import Store

from tests.support.replay import scripted_hour, view

from tests.support.drills import T0, FakeClock

pytestmark = pytest.mark.usefixtures("gc_on_the_loop_thread")  # walls, feeds and simulators share this process

CONFIG = {
    "wall": {"kiosk": False, "rotate_seconds": 0, "timezone": "Asia/Shanghai"},
    "pages": [{"name": "总览", "rows": 1, "columns": 3, "tiles": [
        {"kind": "incidents", "row": 0, "column": 0}, {"kind": "alerts", "row": 0, "column": 1},
        {"kind": "resources", "row": 0, "column": 2}]}],
}


def shown(live) -> dict:
    return {"incidents": view(live.incidents), "resources": view(live.resources), "alerts": view(live.alerts)}


def test_a_past_hour_replays_at_10x_from_the_console_and_back_to_live(qloop, tmp_path):
    from commandcenter.ui.app import WallApp
    from commandcenter.ui.console import ConsoleWindow
    from commandcenter.ui.wall_control import WallConsoleControl

    url = f"sqlite:///{tmp_path / 'wall.db'}"
    recorder = Store.open(url)
    live_now, pictures = scripted_hour(recorder)          # an hour recorded minute by minute, and what it showed
    recorder.close()
    clock = FakeClock(T0 + timedelta(hours=3))
    wall = WallApp(config_from_dict(CONFIG), url, clock=clock)

    async def scenario() -> None:
        await wall.start(show=False)
        desk = ConsoleWindow(WallConsoleControl(wall))
        try:
            wall.live.apply(incidents=live_now.incidents.values(), resources=live_now.resources.values(),
                            alerts=live_now.alerts.values())
            present = shown(wall.live)
            assert desk.replay_box.isVisibleTo(desk) and wall.window.replay_banner.isHidden()

            desk.set_replay_window(T0, 60)                  # the console's window chooser, in the wall's zone
            assert desk.replay_start.dateTime().toString("yyyy-MM-dd HH:mm") == "2026-03-02 16:00"
            desk.set_replay_speed(10)
            assert desk.enter_replay()
            replay = desk.replay
            assert replay.replaying and replay.speed == 10 and wall.clock() == T0
            banner = wall.window.replay_banner
            banner.refresh()
            assert not banner.isHidden() and "回放 " in banner.text() and "10×" in banner.text()
            assert shown(wall.live) == pictures[T0]

            # the hour at 10×: every 6 s of (controlled) real time is a minute of the past, 6 minutes in all
            for minute in range(1, 61):
                clock.advance(6)
                replay.tick()
                t = T0 + timedelta(minutes=minute)
                assert replay.position == t and wall.clock() == t
                assert shown(wall.live) == pictures[t], t
            incident_tile = wall.window.tiles()[0]
            incident_tile.model.flush()
            assert incident_tile.model.rowCount() == len(pictures[T0 + timedelta(hours=1)]["incidents"])
            clock.advance(6)
            replay.tick()
            assert replay.position == T0 + timedelta(hours=1) and replay.paused    # stops at the window's end

            # the scrubber: jump back, pause / play, 1×–60×
            desk.replay_bar.slider.setValue(250)
            desk.replay_bar._scrubbed()
            assert replay.position == T0 + timedelta(minutes=15)
            assert shown(wall.live) == pictures[T0 + timedelta(minutes=15)]
            desk.toggle_replay_pause()
            assert not replay.paused
            desk.set_replay_speed(60)
            clock.advance(1)                                # one second at 60× is a minute
            replay.tick()
            assert replay.position == T0 + timedelta(minutes=16) and replay.speed == 60
            desk.toggle_replay_pause()
            assert replay.paused

            # back to live: one action
            desk.back_to_live()
            assert not replay.replaying and wall.clock() == clock()
            wall.window.replay_banner.refresh()
            assert wall.window.replay_banner.isHidden()
            assert shown(wall.live) == present
        finally:
            desk.close_quietly()
            await wall.stop()

    qloop.run_until_complete(scenario())
