"""Replay: the state at T rebuilt from the store equals the live state recorded at T; speed, pause, live."""
from __future__ import annotations

from datetime import timedelta

import pytest

from commandcenter.domain import (
    Status,
)
from commandcenter.services import LiveState
from commandcenter.services.live_commits import LiveCommits, committed
from commandcenter.services.replay import LiveDetour, ReplayController
from commandcenter.store import Store

from tests.support.drills import T0, FakeClock
from tests.support.replay import incident_at, scripted_hour, view

pytestmark = pytest.mark.usefixtures("gc_on_the_loop_thread")  # walls, feeds and simulators share this process


@pytest.fixture
def store(tmp_path):
    s = Store.open(f"sqlite:///{tmp_path / 'replay.db'}")
    yield s
    s.close()


def test_replay_state_at_t_equals_the_live_state_recorded_at_t(store):
    _live, pictures = scripted_hour(store)
    clock = FakeClock(T0 + timedelta(hours=2))
    replay = ReplayController(lambda t: store.state_at(t, lookback=timedelta(hours=24)), clock=clock)
    for t, picture in pictures.items():
        replay.jump(t)
        got = {"incidents": view(replay.live.incidents), "resources": view(replay.live.resources),
               "alerts": view(replay.live.alerts)}
        assert got == picture, t


def test_a_past_hour_replays_at_10x_pause_speed_and_back_to_live(store):
    scripted_hour(store)
    clock = FakeClock(T0 + timedelta(hours=2))
    calls = []

    def state_at(t):
        calls.append(t)
        return store.state_at(t)

    replay = ReplayController(state_at, clock=clock)
    events = []
    replay.on_change(lambda r, what: events.append(what))
    replay.play_window(T0, T0 + timedelta(hours=1), speed=10)
    assert replay.replaying and not replay.paused and replay.position == T0 and "mode" in events
    clock.advance(36)                          # 36 s of real time at 10× = 6 minutes of the past
    assert replay.tick() is True
    assert replay.position == T0 + timedelta(minutes=6)
    assert replay.live.incidents["i0"].status is Status.HANDLING and "i2" not in replay.live.incidents
    replay.pause()
    clock.advance(100)
    assert replay.tick() is False and replay.position == T0 + timedelta(minutes=6)
    replay.set_speed(60)
    replay.resume()
    clock.advance(60)                          # one more hour at 60× would pass the window's end: stop at the end
    replay.tick()
    assert replay.position == T0 + timedelta(hours=1) and replay.paused
    replay.set_speed(500)
    assert replay.speed == 60                  # 1×–60×
    replay.go_live()
    assert not replay.replaying and replay.position == clock() and events[-1] == "mode"
    assert replay.tick() is False


def test_the_wall_detour_keeps_live_updates_while_replaying(store):
    """Replay fills the wall's own LiveState; feed writes go to a shadow and come back on go_live."""
    scripted_hour(store)
    clock = FakeClock(T0 + timedelta(hours=2))

    shown = LiveState()
    shown.apply(incidents=store.incidents(limit=1000))
    pipe = LiveCommits(shown)        # the live state's writer, where the feeds' commits go
    now_ids = set(shown.incidents)
    replay = ReplayController(store.state_at, clock=clock, target=shown)
    detour = LiveDetour(pipe, [])
    replay.on_change(lambda r, w: (detour.enter() if r.replaying else detour.leave()) if w == "mode" else None)
    replay.jump(T0 + timedelta(minutes=7))
    assert set(shown.incidents) == {"i0", "i1"} and pipe.live is not shown
    pipe.publish(committed([incident_at(99, clock())]))              # a real event arrives during the replay
    assert "i99" not in shown.incidents
    replay.go_live()
    assert pipe.live is shown and set(shown.incidents) == now_ids | {"i99"}
