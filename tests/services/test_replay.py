"""Replay: the state at T rebuilt from the store equals the live state recorded at T; speed, pause, live."""
from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest

from commandcenter.domain import (
    Alert, AlertLevel, AlertStatus, AlertType, Category, Incident, Resource, ResourceKind, ResourceStatus, Severity,
    Source, Status, StatusChange,
)
from commandcenter.services import LiveState
from commandcenter.services.replay import LiveDetour, ReplayController
from commandcenter.store import Store

from tests.support.drills import T0, FakeClock

pytestmark = pytest.mark.usefixtures("gc_on_the_loop_thread")  # walls, feeds and simulators share this process


@pytest.fixture
def store(tmp_path):
    s = Store.open(f"sqlite:///{tmp_path / 'replay.db'}")
    yield s
    s.close()


def _inc(i: int, at) -> Incident:
    return Incident(id=f"i{i}", version=1, updated_at=at, reported_at=at, title=f"事件 {i}",
                    category=Category.FIRE if i % 3 == 0 else Category.DISPUTE, source=Source.GRID_APP,
                    severity=Severity.HIGH, status=Status.REPORTED, grid_id=f"g{i % 4}", emergency=i % 3 == 0,
                    timeline=(StatusChange(Status.REPORTED, at),), drill_id="d1" if i == 4 else None)


def _step(inc: Incident, status: Status, at) -> Incident:
    kw = {"accepted_at": at} if status is Status.ACCEPTED else {"closed_at": at} if status is Status.CLOSED else {}
    if status is Status.HANDLING:
        kw = {"arrived_at": at}
    return dataclasses.replace(inc, version=inc.version + 1, updated_at=at, status=status,
                               timeline=inc.timeline + (StatusChange(status, at),), **kw)


def view(records: dict) -> dict:
    """What a tile shows of each record (replayed records carry their latest version number, not the one at T)."""
    out = {}
    for rid, r in records.items():
        if isinstance(r, Incident):
            out[rid] = (r.status, r.accepted_at, r.arrived_at, r.closed_at, tuple((c.status, c.at) for c in r.timeline),
                        r.drill_id)
        elif isinstance(r, Resource):
            out[rid] = (r.status, r.incident_id, r.lon, r.lat)
        else:
            out[rid] = (r.level, r.status, r.title)
    return out


def scripted_hour(store: Store) -> tuple[LiveState, dict]:
    """An hour of events applied minute by minute; returns the live state and its pictures at each minute."""
    live = LiveState()
    pictures = {}
    incs: dict[str, Incident] = {}
    team = Resource(id="team1", version=0, updated_at=T0, kind=ResourceKind.TEAM, name="抢险救援队",
                    status=ResourceStatus.AVAILABLE, lon=120.0, lat=37.0)
    alert = None
    for minute in range(0, 61):
        t = T0 + timedelta(minutes=minute)
        new_i, new_r, new_a = [], [], []
        if minute % 5 == 0 and minute < 50:
            inc = _inc(minute // 5, t)
            incs[inc.id] = inc
            new_i.append(inc)
        for iid, inc in list(incs.items()):
            age = (t - inc.reported_at).total_seconds() / 60
            nxt = {2: Status.ACCEPTED, 6: Status.HANDLING, 12: Status.CLOSED}.get(age)
            if nxt is not None:
                incs[iid] = _step(inc, nxt, t)
                new_i.append(incs[iid])
        if minute in (10, 20, 30):
            st = {10: ResourceStatus.DISPATCHED, 20: ResourceStatus.ON_SCENE, 30: ResourceStatus.AVAILABLE}[minute]
            team = dataclasses.replace(team, version=team.version + 1, updated_at=t, status=st,
                                       incident_id=None if minute == 30 else "i2", lon=120.0 + minute / 1000)
            new_r.append(team)
        if minute in (15, 40):
            if alert is None:
                alert = Alert(id="a1", version=1, updated_at=t, level=AlertLevel.RED, type=AlertType.WEATHER,
                              title="暴雨红色预警", status=AlertStatus.ACTIVE, issued_at=t,
                              expires_at=t + timedelta(hours=3))
            else:
                alert = dataclasses.replace(alert, version=2, updated_at=t, status=AlertStatus.CANCELLED)
            new_a.append(alert)
        if new_i or new_r or new_a:
            applied = store.apply("city", incidents=new_i, resources=new_r, alerts=new_a, received_at=t)
            live.apply(incidents=applied.incidents, resources=applied.resources, alerts=applied.alerts)
        pictures[t] = {"incidents": view(live.incidents),
                       "resources": view(live.resources),
                       "alerts": view({a.id: a for a in live.live_alerts(t)})}
    return live, pictures


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

    class Pipeline:        # anything with a .live the feeds write into
        def __init__(self, live):
            self.live = live

    shown = LiveState()
    shown.apply(incidents=store.incidents(limit=1000))
    pipe = Pipeline(shown)
    now_ids = set(shown.incidents)
    replay = ReplayController(store.state_at, clock=clock, target=shown)
    detour = LiveDetour(shown, [pipe])
    replay.on_change(lambda r, w: (detour.enter() if r.replaying else detour.leave()) if w == "mode" else None)
    replay.jump(T0 + timedelta(minutes=7))
    assert set(shown.incidents) == {"i0", "i1"} and pipe.live is not shown
    pipe.live.apply(incidents=[_inc(99, clock())])          # a real event arrives during the replay
    assert "i99" not in shown.incidents
    replay.go_live()
    assert pipe.live is shown and set(shown.incidents) == now_ids | {"i99"}
