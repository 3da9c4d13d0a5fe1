"""Drills without Qt: scenario play with a controlled clock, live scores, report data, isolation, delete."""
from __future__ import annotations

from datetime import timedelta

import pytest

from commandcenter.domain import ActionKind, Category, Incident, Severity, Source, Status
from commandcenter.services import LiveState
from commandcenter.services.drill_report import assemble, write_timeline_csv
from commandcenter.services.drills import DrillManager, load_scenario, parse_offset, parse_scenario, scenario_from_dict
from commandcenter.store import Store
from commandcenter.config import SCENARIOS_DIR

from tests.support.drills import SCENARIO, T0, FakeClock

pytestmark = pytest.mark.usefixtures("gc_on_the_loop_thread")  # walls, feeds and simulators share this process


def real(id: str, at, status=Status.REPORTED, **kw) -> Incident:
    return Incident(id=id, version=kw.pop("version", 1), updated_at=at, reported_at=at, title=f"real {id}",
                    category=kw.pop("category", Category.DISPUTE), source=Source.GRID_APP, severity=Severity.MEDIUM,
                    status=status, grid_id="g1", **kw)


@pytest.fixture
def store(tmp_path):
    s = Store.open(f"sqlite:///{tmp_path / 'drill.db'}")
    yield s
    s.close()


def play(mgr: DrillManager, clock: FakeClock, until_s: float, step: float = 5.0) -> None:
    while (clock.t - T0).total_seconds() < until_s:
        clock.advance(step)
        mgr.tick()


def test_offsets():
    assert parse_offset("30s") == 30 and parse_offset("1m15s") == 75 and parse_offset("T+2m") == 120
    assert parse_offset("1h30m") == 5400 and parse_offset(90) == 90
    with pytest.raises(ValueError):
        parse_offset("soon")


def test_scenario_errors_are_readable():
    with pytest.raises(ValueError, match="unknown type"):
        scenario_from_dict({"events": [{"at": "1s", "type": "explode"}]})
    with pytest.raises(ValueError, match="no `at`"):
        scenario_from_dict({"events": [{"type": "incident"}]})


def test_sample_drill_file_loads():

    sample = SCENARIOS_DIR / "sample-drill.toml"
    if not sample.exists():
        pytest.skip("the bundled sample drill is not in this checkout")
    sc = load_scenario(sample)
    kinds = [e.type for e in sc.events]
    assert kinds[0] == "incident" and "alert" in kinds and sc.events[0].fields["people_trapped"] == 3


def test_scripted_drill_scores_report_and_isolation(store, tmp_path):
    clock = FakeClock()
    live = LiveState()
    # real life goes on: one real emergency before the drill, one during it
    store.apply("city", incidents=[real("r1", T0 - timedelta(minutes=5))])
    live.apply(incidents=store.incidents())
    mgr = DrillManager(store, live, clock=clock, console="console-1")
    drill = mgr.start(SCENARIO, actor="张主任", reason="月度消防演练")
    assert mgr.active and mgr.current.id == drill.id

    play(mgr, clock, 100)                       # 1:40: reported, accepted, both units dispatched
    store.apply("city", incidents=[real("r2", clock.t, category=Category.FIRE, emergency=True)])
    [s] = mgr.scores()
    assert s.stage("response").elapsed_s == 45 and s.stage("response").met_target is True
    assert s.stage("arrival").elapsed_s is None and s.stage("arrival").met_target is None   # 1:10 of 8:00 running
    assert [(d.name, d.after_s) for d in s.dispatches] == [("抢险救援队", 60.0), ("应急车辆7号", 70.0)]

    play(mgr, clock, 45 * 60)
    assert mgr.scenario_finished
    [s] = mgr.scores()
    assert (s.stage("arrival").elapsed_s, s.stage("assessment").elapsed_s) == (540, 1500)
    assert s.stage("arrival").met_rule is True and s.stage("arrival").met_target is False   # 9:00: ≤10 but >8
    assert s.stage("assessment").met_rule is False
    stopped = mgr.stop(actor="张主任", reason="演练结束")
    assert stopped.stopped_at == T0 + timedelta(minutes=45) and mgr.current is None

    # every drill record carries the drill id; the drill's alert was cancelled at stop
    assert all(i.drill_id == drill.id for i in store.incidents(drill=True))
    [alert] = store.alerts(drill=True, live_only=False)
    assert alert.status.value == "cancelled" and alert.drill_id == drill.id
    assert {i.id for i in store.incidents()} == {"r1", "r2"}                  # real reads see no drill rows
    assert store.alerts(live_only=False) == []

    # report data: timings as scripted, every event and action in the timeline
    rep = assemble(store, drill.id)
    assert rep.scenario.name.startswith("住宅火灾") and rep.started_by == "张主任" and rep.start_reason == "月度消防演练"
    assert rep.started_at == T0 and rep.stopped_at == T0 + timedelta(minutes=45)
    [rs] = rep.scores
    assert [st.elapsed_s for st in rs.stages] == [45, 540, 1500]
    assert [st.met_target for st in rs.stages] == [True, False, False] and rs.passed_target is False
    assert [(d.name, d.after_s) for d in rs.dispatches] == [("抢险救援队", 60.0), ("应急车辆7号", 70.0)]
    assert {(u.name, u.on_scene_at is not None) for u in rep.resources} == {("抢险救援队", True), ("应急车辆7号", False)}
    whats = [(round(r.offset_s), r.kind, r.what) for r in rep.timeline]
    for expected in [(0, "action", "drill_start"), (30, "incident", "reported"), (75, "incident", "accepted"),
                     (90, "resource", "dispatched"), (120, "alert", "issued"), (570, "resource", "on_scene"),
                     (1530, "incident", "assessed"), (2400, "incident", "closed"), (2700, "action", "drill_stop"),
                     (2700, "alert", "cancelled")]:
        assert expected in whats, expected
    assert [a.kind for a in rep.actions] == [ActionKind.DRILL_START, ActionKind.DRILL_STOP]
    csv_text = write_timeline_csv(rep, tmp_path / "t.csv").read_text(encoding="utf-8-sig")
    assert csv_text.splitlines()[0] == "at_utc,offset_s,kind,record_id,title,what,detail"
    assert len(csv_text.splitlines()) == len(rep.timeline) + 1

    # real KPIs: the drill is out unless asked for; deleting it changes nothing real
    window = (T0 - timedelta(hours=1), T0 + timedelta(hours=2))
    real_kpis = store.kpis("", *window)
    with_drill = store.kpis("", *window, include_drill=True)
    assert real_kpis["events"].value == 2 and with_drill["events"].value == 3
    real_before = {i.id: i for i in store.incidents(limit=100)}
    n = store.delete_drill(drill.id)
    assert n == 4                                             # 1 incident + 2 resources + 1 alert
    assert store.incidents(drill=True) == [] and store.resources(drill=True) == []
    assert store.alerts(drill=True, live_only=False) == []
    assert {i.id: i for i in store.incidents(limit=100)} == real_before
    after = store.kpis("", *window)
    assert {k: v.value for k, v in after.items()} == {k: v.value for k, v in real_kpis.items()}
    assert store.kpis("", *window, include_drill=True)["events"].value == 2


def test_a_second_console_follows_a_drill_started_elsewhere(store):
    clock = FakeClock()
    wall_live, cli_live = LiveState(), LiveState()
    wall = DrillManager(store, wall_live, clock=clock, console="wall")
    cli = DrillManager(store, cli_live, clock=clock, console="cli")
    drill = cli.start(SCENARIO, actor="李科长", reason="夜间演练")
    play(cli, clock, 120)
    assert wall.sync() is True
    assert wall.current is not None and wall.current.id == drill.id and not wall.current.local
    assert wall.current.scenario.name == cli.current.scenario.name
    [inc] = [i for i in wall_live.incidents.values() if i.drill_id == drill.id]
    assert inc.status is Status.DISPATCHED
    [s] = wall.scores()
    assert s.stage("response").elapsed_s == 45
    cli.stop(actor="李科长")
    wall.sync()
    assert wall.current is None and wall.last.id == drill.id


def test_only_one_drill_at_a_time_and_someone_starts_it(store):
    mgr = DrillManager(store, LiveState(), clock=FakeClock())
    with pytest.raises(ValueError):
        mgr.start(SCENARIO, actor=" ")
    mgr.start(SCENARIO, actor="a")
    with pytest.raises(RuntimeError):
        mgr.start(SCENARIO, actor="a")


def test_the_console_marks_stages_and_dispatches_during_a_drill(store):
    """A scenario that scripts only what happens: the people drilled report their stages in at the console."""
    sc = parse_scenario('''
        [scenario]
        name = "无脚本响应的火灾演练"
        [[events]]
        at = "30s"
        type = "incident"
        ref = "fire"
        category = "fire"
        emergency = true
        title = "居民楼火灾"
    '''.replace("\n        ", "\n"))
    clock = FakeClock()
    live = LiveState()
    mgr = DrillManager(store, live, clock=clock)
    mgr.start(sc, actor="值班长")
    play(mgr, clock, 40)
    [inc] = mgr.incidents()
    play(mgr, clock, 80)
    mgr.mark(inc.id, "accepted", actor="值班员王")                          # 50 s after the report
    play(mgr, clock, 100)
    mgr.dispatch(inc.id, "消防救援一中队", actor="值班员王")
    play(mgr, clock, 30 + 420)
    mgr.mark(inc.id, "arrived", actor="值班员王", note="一中队到场")
    [s] = [x for x in mgr.scores() if x.incident_id == inc.id]
    assert (s.stage("response").elapsed_s, s.stage("arrival").elapsed_s) == (50, 420)
    assert [(d.name, d.after_s) for d in s.dispatches] == [("消防救援一中队", 70.0)]
    assert store.incident(inc.id).status is Status.HANDLING
    with pytest.raises(KeyError):
        mgr.mark("nope", "arrived", actor="x")


def test_the_wall_loop_follows_on_the_store_thread(store):
    """sync_async reads the store on the store thread and changes the live state on the loop's thread."""
    import asyncio
    import threading

    clock = FakeClock()
    wall_live = LiveState()
    loop_thread = []
    wall_live.on_change(lambda c: loop_thread.append(threading.current_thread() is threading.main_thread()))

    async def in_store(fn, *args, **kw):
        return await asyncio.to_thread(fn, *args, **kw)

    wall = DrillManager(store, wall_live, clock=clock, console="wall", in_store=in_store)
    cli = DrillManager(store, LiveState(), clock=clock, console="cli")
    drill = cli.start(SCENARIO, actor="李科长")
    play(cli, clock, 120)

    async def main():
        assert await wall.sync_async() is True
        assert wall.current.id == drill.id
        cli.stop(actor="李科长")
        await wall.sync_async()

    asyncio.run(main())
    assert wall.current is None and wall.last.id == drill.id
    assert loop_thread and all(loop_thread)
    [alert] = store.alerts(drill=True, live_only=False)
    assert alert.status.value == "cancelled"


def test_drill_records_arriving_through_a_feed_start_following(store):
    """The simulator's scenario player (or a backend's drill channel) sends drill records: the wall follows."""
    live = LiveState()
    mgr = DrillManager(store, live, clock=FakeClock())
    fed = Incident(id="sim-9", version=1, updated_at=T0, reported_at=T0, title="居民楼火灾", category=Category.FIRE,
                   source=Source.SCENARIO, severity=Severity.CRITICAL, status=Status.REPORTED, grid_id="g1",
                   emergency=True, drill_id="DRILL-SAMPLE-001")
    live.apply(incidents=[fed])
    assert mgr.current is not None and mgr.current.id == "DRILL-SAMPLE-001" and not mgr.current.local
    mgr.stop(actor="张主任")
    live.apply(incidents=[dataclasses_replace(fed, version=2)])
    assert mgr.current is None                      # a stopped drill is not adopted again


def dataclasses_replace(obj, **kw):
    import dataclasses

    return dataclasses.replace(obj, **kw)


def test_a_dispatch_that_enters_the_live_state_before_its_incident_is_scored_at_its_dispatch_time(store):
    """A big committed batch enters the live state resources first: the dispatch of an incident in the same
    batch is held until the incident arrives, and keeps the time it was sent (not the later on-scene update)."""
    from commandcenter.domain import Resource, ResourceKind, ResourceStatus

    live = LiveState()
    mgr = DrillManager(store, live, clock=FakeClock())
    fire = real("d-fire", T0, drill_id="d1", emergency=True)
    flood = real("d-flood", T0 + timedelta(minutes=10), drill_id="d1", emergency=True)
    live.apply(incidents=[fire])                                 # the feed's first drill record begins the drill
    assert mgr.current is not None and mgr.current.id == "d1"

    def pump(status: ResourceStatus, minutes: float, version: int) -> Resource:
        return Resource(id="d1:drainage-1", version=version, updated_at=T0 + timedelta(minutes=minutes),
                        kind=ResourceKind.VEHICLE, name="排涝车", status=status, incident_id=flood.id, drill_id="d1")

    live.apply(resources=[pump(ResourceStatus.DISPATCHED, 11, 1)])      # ahead of its incident
    live.apply(resources=[pump(ResourceStatus.ON_SCENE, 16, 2)])
    assert mgr.scores()[-1].incident_id == fire.id                      # the flood is not known yet
    live.apply(incidents=[flood])
    [scored] = [s for s in mgr.scores() if s.incident_id == flood.id]
    assert [(d.name, d.after_s) for d in scored.dispatches] == [("排涝车", 60.0)]
