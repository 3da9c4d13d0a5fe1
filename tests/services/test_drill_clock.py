"""A drill runs on its clock: a backend drill on the backend's (its speed included), and a live score stays
"pending" until the data that could show a stage met in time could have arrived (never ✗ then ✓)."""
from __future__ import annotations

import time
from datetime import datetime, timedelta, UTC

import pytest

from commandcenter.domain import ActionKind, Category, Incident, OperatorAction, Severity, Source, Status
from commandcenter.services import LiveState
from commandcenter.services.drill_report import assemble
from commandcenter.services.drills import DrillBackend, DrillManager, StageScore, scenario_document
from commandcenter.store import DrillRecord, Store

from tests.support.drills import SCENARIO, T0, FakeClock

pytestmark = pytest.mark.usefixtures("gc_on_the_loop_thread")  # walls, feeds and simulators share this process


@pytest.fixture
def store(tmp_path):
    s = Store.open(f"sqlite:///{tmp_path / 'drill.db'}")
    yield s
    s.close()


def test_a_backend_drill_at_30x_follows_the_backend_clock_and_the_report_lasts_backend_time(store):
    from commandcenter.sim import run_in_thread

    sim = run_in_thread(profile="street", seed=6, history_hours=0.1, speed=30.0,
                        start_time=datetime.now(UTC))
    try:
        mgr = DrillManager(store, LiveState(), console="console-1",
                           backend=DrillBackend(sim.url + "/_control/drills"))
        real_start = time.monotonic()
        drill = mgr.start(SCENARIO, actor="张主任", reason="加速演练", keep=True)
        assert not drill.local
        time.sleep(1.5)
        mgr.sync()
        real = time.monotonic() - real_start
        elapsed = mgr.elapsed().total_seconds()
        assert 30 * (real - 0.5) <= elapsed <= 30 * (real + 0.5), (elapsed, real)
        backend_now = sim.call(sim.server.clock.now)
        assert abs((mgr.drill_now() - backend_now).total_seconds()) < 15     # 0.5 s of real time at 30×
        mgr.stop(actor="张主任", reason="结束")
        real = time.monotonic() - real_start
        data = assemble(store, drill.id)
        assert data.duration_s >= 30 * (real - 1.0) and data.duration_s > 10 * real
        [row] = store.drill_records(drill_id=drill.id)
        assert row.stop_kind == "stopped"
    finally:
        sim.stop()


def fire(version: int, at: datetime, reported: datetime, **kw) -> Incident:
    return Incident(id="d1:fire", version=version, updated_at=at, reported_at=reported, title="居民楼火灾",
                    category=Category.FIRE, source=Source.SCENARIO, severity=Severity.CRITICAL,
                    status=kw.pop("status", Status.REPORTED), grid_id="g1", emergency=True, drill_id="d1", **kw)


def city_record(at: datetime) -> Incident:
    return Incident(id=f"real-{at.timestamp():.0f}", version=1, updated_at=at, reported_at=at, title="噪音扰民",
                    category=Category.DISPUTE, source=Source.GRID_APP, severity=Severity.LOW,
                    status=Status.REPORTED, grid_id="g1")


def follow_backend_drill(store, clock) -> tuple[DrillManager, LiveState]:
    from commandcenter.services.drills import parse_scenario

    sc = parse_scenario('[scenario]\nname = "后端演练"\n[[events]]\nat = "30s"\ntype = "incident"\nref = "fire"\n'
                        'category = "fire"\nemergency = true\n')
    store.record_drill_start(DrillRecord("d1", sc.name, scenario_document(sc), T0, T0, 1.0, None,
                                         "http://backend/_control/drills"),
                             OperatorAction(ActionKind.DRILL_START, "drill", "d1", "张主任", "console-1", T0,
                                            drill_id="d1"))
    live = LiveState()
    mgr = DrillManager(store, live, clock=clock)
    mgr.sync()
    assert mgr.current is not None and mgr.current.id == "d1" and not mgr.current.local
    return mgr, live


def test_a_stage_is_pending_until_data_from_past_its_target_arrives_then_met_never_missed_first(store):
    clock = FakeClock()
    mgr, live = follow_backend_drill(store, clock)
    reported = T0 + timedelta(seconds=30)
    live.apply(incidents=[fire(1, reported, reported)])
    clock.advance(30 + 75)                 # 75 s after the report: past the 60 s response target on the clock
    [s] = mgr.scores()
    response = s.stage("response")
    assert response.met_target is None and response.pending        # the feed has said nothing past 0:30 yet
    assert s.passed_target is None
    # the acceptance at 0:55 arrives late through the feed: ✓, and it never showed ✗ before
    live.apply(incidents=[fire(2, reported + timedelta(seconds=55), reported, status=Status.ACCEPTED,
                               accepted_at=reported + timedelta(seconds=55))])
    [s] = mgr.scores()
    assert s.stage("response").met_target is True and not s.stage("response").pending


def test_a_stage_misses_once_data_from_past_its_target_has_arrived_without_it(store):
    clock = FakeClock()
    mgr, live = follow_backend_drill(store, clock)
    reported = T0 + timedelta(seconds=30)
    live.apply(incidents=[fire(1, reported, reported)])
    clock.advance(30 + 75)
    live.apply(incidents=[city_record(reported + timedelta(seconds=50))])     # data up to 0:50: still pending
    assert mgr.scores()[0].stage("response").pending
    live.apply(incidents=[city_record(reported + timedelta(seconds=61))])     # data from past 1:00, no acceptance
    response = mgr.scores()[0].stage("response")
    assert response.met_target is False and not response.pending


def test_pending_shows_on_the_drill_tile(qapp):
    from commandcenter.ui.tiles.drill import stage_text

    pending = StageScore("response", None, 60, 60, running_s=75, known_s=20)
    missed = StageScore("response", None, 60, 60, running_s=75, known_s=70)
    assert stage_text(pending)[0].startswith("待定") and "✗" not in stage_text(pending)[0]
    assert stage_text(missed)[0].startswith("✗")


def test_a_wall_on_its_backend_clock_runs_a_30x_backend_drill_at_30x(qloop, tmp_path, eventually):
    """The wall's own clock follows its backend (feeds.clock): the drill clock then runs with it, not 30× on top."""
    from commandcenter.config import config_from_dict
    from commandcenter.sim import run_in_thread
    from commandcenter.ui.app import WallApp

    sim = run_in_thread(profile="street", seed=11, history_hours=0.1, speed=30.0,
                        start_time=datetime.now(UTC))
    config = config_from_dict({"wall": {"kiosk": False}, "feeds": [{"name": "city", "url": sim.url, "mode": "sse"}],
                               "drill": {"backend": "city"}})
    wall = WallApp(config, f"sqlite:///{tmp_path / 'wall.db'}")

    async def run() -> None:
        import asyncio

        await wall.start(show=False)
        await asyncio.sleep(1.0)                    # the wall's backend clock has its first samples
        real_start = time.monotonic()
        await wall.drills.start_async(SCENARIO, actor="张主任", reason="加速演练", keep=True)
        for wait in (1.0, 2.5):
            await asyncio.sleep(wait)
            real = time.monotonic() - real_start
            elapsed = wall.drills.elapsed().total_seconds()
            assert 30 * (real - 0.6) <= elapsed <= 30 * (real + 0.6), (elapsed, real)
        await wall.drills.stop_async(actor="张主任", reason="结束")

    try:
        qloop.run_until_complete(run())
    finally:
        qloop.run_until_complete(wall.stop())
        sim.stop()
