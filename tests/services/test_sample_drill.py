"""The bundled sample drill, played by the simulator and scored by the wall from its feed: some stages pass,
the fire's first assessment is late on purpose, and the report says ✗ and why. Real KPIs do not move."""
from __future__ import annotations

import pytest
import asyncio
from datetime import UTC, datetime, timedelta

import httpx

from commandcenter.config import config_from_dict
from commandcenter.services import IngestPipeline, LiveState
from commandcenter.services.drill_report import assemble
from commandcenter.services.drills import DrillBackend, DrillManager
from commandcenter.store import Store
from commandcenter.config import SCENARIOS_DIR

from tests.support.fixtures import eventually_holds

pytestmark = pytest.mark.usefixtures("gc_on_the_loop_thread")  # walls, feeds and simulators share this process

SAMPLE = SCENARIOS_DIR / "sample-drill.toml"


def test_the_sample_drill_scores_pass_and_fail_and_the_report_says_why(qapp, tmp_path):
    from commandcenter.sim import run_in_thread
    from commandcenter.ui.report import write_report

    start = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)     # SSE: every version of every record arrives
    sim = run_in_thread(profile="street", seed=5, history_hours=2.0, start_time=start, hold_clock=True)
    store = Store.open(f"sqlite:///{tmp_path / 'wall.db'}")
    try:
        config = config_from_dict({"feeds": [{"name": "city", "url": sim.url, "mode": "sse"}],
                                   "drill": {"backend": "city"}})
        clock = sim.server.clock.now
        live = LiveState()
        pipeline = IngestPipeline(config, store, live, clock=clock)
        drills = DrillManager(store, live, clock=clock, in_store=pipeline.in_store,
                              backend=DrillBackend.from_config(config), commits=pipeline.commits)
        kpi_window = (start - timedelta(hours=2), start + timedelta(hours=1))

        async def main():
            await pipeline.start()
            await until_real(live)
            real_before = await pipeline.in_store(store.kpis, "", *kpi_window)
            drill = await drills.start_async(SAMPLE, actor="张主任", reason="季度联合演练")
            async with httpx.AsyncClient(timeout=30.0) as client:   # a long advance makes a busy world
                (await client.post(f"{sim.url}/_control/clock", json={"advance_s": 50 * 60})).raise_for_status()
            for _ in range(400):
                closed = [i for i in live.incidents.values() if i.drill_id == drill.id and i.status.value == "closed"]
                if len(closed) == 2 and any(a.drill_id == drill.id and a.status.value == "cancelled"
                                            for a in live.alerts.values()):
                    break
                await asyncio.sleep(0.05)
            scores = {s.title: s for s in drills.scores()}
            await drills.stop_async(actor="张主任", reason="演练结束")
            await pipeline.close()
            return drill, scores, real_before

        async def until_real(live_: LiveState) -> None:
            if not await eventually_holds(lambda: any(i.drill_id is None for i in live_.incidents.values()), 20):
                raise AssertionError("the simulated city sent nothing")

        loop = asyncio.new_event_loop()
        try:
            drill, scores, real_before = loop.run_until_complete(main())
        finally:
            loop.close()

        fire, garage = scores["居民楼火灾，3人被困"], scores["地下车库进水"]
        assert [st.elapsed_s for st in fire.stages] == [40, 420, 1530]
        assert [st.met_target for st in fire.stages] == [True, True, False]
        assert [st.met_rule for st in fire.stages] == [True, True, False]
        assert [st.elapsed_s for st in garage.stages] == [30, 360, 840] and garage.passed_target is True
        assert [(d.name, d.after_s) for d in fire.dispatches] == [("消防救援站一队", 60.0), ("120救护车", 70.0)]

        data = assemble(store, drill.id)
        assert data.scenario.name == "居民楼火灾救援与暴雨红色预警联合演练" and data.passed is False
        assert (data.start_reason, data.stop_reason) == ("季度联合演练", "演练结束")
        assert data.reasons == {(fire.incident_id, "assessment"):
                                "超时 5:30：首次研判延误：被困人员位置不明，逐户搜救后方才上报（超过20分钟）"}
        html_path, _ = write_report(data, tmp_path / "report.html")
        html = html_path.read_text(encoding="utf-8")
        assert "✗ 未达标" in html and "超时 5:30：首次研判延误" in html and "暴雨红色预警" in html

        # real KPIs: the same with the drill's rows in the store as before the drill, and after deleting them
        real_after = store.kpis("", *kpi_window)
        assert real_after["events"].value >= real_before["events"].value     # the city went on meanwhile
        with_drill = store.kpis("", *kpi_window, include_drill=True)
        assert with_drill["events"].value == real_after["events"].value + 2
        assert store.delete_drill(drill.id) > 0
        assert {k: v.value for k, v in store.kpis("", *kpi_window).items()} == \
            {k: v.value for k, v in real_after.items()}
    finally:
        store.close()
        sim.stop()
