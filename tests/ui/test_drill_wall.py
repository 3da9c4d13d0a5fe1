"""A scripted drill end to end: the simulated city feeding a wall, a drill played with a controlled clock,
banner, badges and live scores on screen, the after-action report, real KPIs untouched, delete."""
from __future__ import annotations

import functools
import shutil
import subprocess
from datetime import datetime, timedelta, UTC

import httpx
import pytest

from commandcenter.config import PageSection, config_from_dict
from commandcenter.services import IngestPipeline, LiveState
from commandcenter.services.drill_report import assemble
from commandcenter.services.drills import DrillManager
from commandcenter.store import Store

from tests.support.drills import SCENARIO
from tests.support.fixtures import eventually_holds

pytestmark = [pytest.mark.usefixtures("gc_on_the_loop_thread"), pytest.mark.timeout(90)]


def test_scripted_drill_on_the_wall_against_the_simulator(qloop, tmp_path):
    """The drill is posted through the wall's DrillManager to the simulator named in [drill] backend; the
    simulator plays it on its held clock and its records reach the wall through the ordinary feed."""
    from commandcenter.sim import run_in_thread
    from commandcenter.services.drills import DrillBackend
    from commandcenter.ui.models.incidents import IncidentTableModel
    from commandcenter.ui.report import ensure_gui_app, write_report
    from commandcenter.ui.tiles import TILE_BUILDERS, TileContext
    from commandcenter.ui.tiles.drill import DrillTile
    from commandcenter.ui.wall import WallWindow

    ensure_gui_app()
    start = datetime.now(UTC).replace(second=0, microsecond=0)
    sim = run_in_thread(profile="street", seed=3, history_hours=1.0, start_time=start, hold_clock=True)
    store = Store.open(f"sqlite:///{tmp_path / 'wall.db'}")
    try:
        config = config_from_dict({"feeds": [{"name": "city", "url": sim.url, "mode": "poll", "interval": 0.2}],
                                   "drill": {"backend": "city"}})
        clock = sim.server.clock.now                 # the wall reads the simulator's (held) clock
        live = LiveState()
        pipeline = IngestPipeline(config, store, live, clock=clock)
        drills = DrillManager(store, live, clock=clock, console="console-1", in_store=pipeline.in_store,
                              backend=DrillBackend.from_config(config), commits=pipeline.commits)
        page = PageSection(name="演练", rows=1, columns=2, tiles=[
            {"kind": "incidents", "row": 0, "column": 0}, {"kind": "drill", "row": 0, "column": 1}])
        ctx = TileContext(live, config, clock, drills=drills)
        window = WallWindow("大屏", live, page, lambda s: TILE_BUILDERS[s.kind](ctx, s), clock=clock, drills=drills)
        window.resize(1600, 900)
        incident_tile, drill_tile = window.tiles()
        assert isinstance(drill_tile, DrillTile)
        model: IncidentTableModel = incident_tile.model

        until = functools.partial(eventually_holds, timeout=20.0)    # a drill's steps come on the simulator's clock

        async def advance_to(seconds: float) -> None:
            """Move the simulator's clock to drill time `seconds` in 15 s steps (its control endpoint)."""
            async with httpx.AsyncClient(timeout=30.0) as client:
                while (clock() - start).total_seconds() < seconds:
                    step = min(15.0, seconds - (clock() - start).total_seconds())
                    (await client.post(f"{sim.url}/_control/clock", json={"advance_s": step})).raise_for_status()

        def drill_incident(drill_id):
            return next((i for i in live.incidents.values() if i.drill_id == drill_id), None)

        def real_ids() -> set[str]:
            return {i.id for i in live.incidents.values() if i.drill_id is None}

        async def main():
            await pipeline.start()
            await advance_to(1)
            assert await until(lambda: len(real_ids()) > 0), "the simulated city sent nothing"
            assert window.drill_banner.isHidden()
            before_real = real_ids()

            drill = await drills.start_async(SCENARIO, actor="张主任", reason="月度消防演练")
            assert drill.started_at == start + timedelta(seconds=1) and not drill.local
            assert [d["drill_id"] for d in drills.backend.running()] == [drill.id]
            await advance_to(121)                                # 2:00 on the drill clock
            assert await until(lambda: (i := drill_incident(drill.id)) is not None and i.dispatched_at is not None
                               and len(drills.scores()[0].dispatches) == 2), "the drill did not come through the feed"
            drills._notify()                                     # the wall loop does this every tick
            # the banner: drill badge, scenario, clock
            assert not window.drill_banner.isHidden()
            text = window.drill_banner.text()
            assert "演练 |" in text and "住宅火灾" in text and "演练时钟 2:00" in text
            # live scores on the drill tile, timed as scripted
            drill_tile.refresh()
            assert drill_tile.cell_text(0, 0).startswith("【演练】居民楼火灾")
            assert drill_tile.cell_text(0, 1).startswith("0:45 ✓")
            assert drill_tile.cell_text(0, 2).startswith("计时 1:30 / 8:00")
            assert "抢险救援队 +1:00" in drill_tile.cell_text(0, 4) and "应急车辆7号 +1:10" in drill_tile.cell_text(0, 4)
            # the drill row is badged in the incident feed, beside real events
            model.flush()
            titles = [model.data(model.index(r, model.TITLE)) for r in range(model.rowCount())]
            assert any("【演练】居民楼火灾" in t for t in titles)
            assert any("【演练】" not in t for t in titles)
            # real events keep flowing during the drill
            await advance_to(26 * 60)
            assert await until(lambda: drill_incident(drill.id).assessed_at is not None)
            assert len(real_ids() - before_real) > 0, "no real event arrived during the drill"
            drill_tile.refresh()
            assert drill_tile.cell_text(0, 2).startswith("9:00 ✗ (≤8:00) · 1-10-20 ✓")
            assert drill_tile.cell_text(0, 3).startswith("25:00 ✗")
            await advance_to(41 * 60 + 1)
            assert await until(lambda: drill_incident(drill.id).status.value == "closed")
            assert drills.scenario_finished
            await drills.stop_async(actor="张主任", reason="演练结束")
            assert drills.backend_error == "" and drills.backend.running() == []
            assert window.drill_banner.isHidden()
            drill_tile.refresh()
            assert "已结束" in drill_tile.status.text()
            # everything the drill made left the live state at once, and stays off it as the feed goes on
            assert not [r for r in (*live.incidents.values(), *live.resources.values(), *live.alerts.values())
                        if r.drill_id == drill.id]
            model.flush()
            assert not any("【演练】" in model.data(model.index(r, model.TITLE)) for r in range(model.rowCount()))
            # the simulator cancelled the drill's warning at the stop; it reaches the store (for the report) only
            assert await until(lambda: any(a.drill_id == drill.id and a.status.value == "cancelled"
                                           for a in store.alerts(drill=True, live_only=False)))
            assert not [a for a in live.alerts.values() if a.drill_id == drill.id]
            await pipeline.close()
            return drill

        drill = qloop.run_until_complete(main())

        # the after-action report: timings as scripted
        data = assemble(store, drill.id)
        [score] = data.scores
        assert [s.elapsed_s for s in score.stages] == [45, 540, 1500]
        assert [s.met_target for s in score.stages] == [True, False, False]
        pdf, csv_path = write_report(data, tmp_path / "report.pdf")
        html_path, _ = write_report(data, tmp_path / "report.html")
        assert pdf.read_bytes()[:5] == b"%PDF-" and pdf.stat().st_size > 20_000
        html = html_path.read_text(encoding="utf-8")
        for needle in ("演练评估报告", "居民楼火灾 3人被困", "0:45", "9:00", "25:00", "抢险救援队", "暴雨红色预警",
                       "张主任", "月度消防演练", "✗ 未达标", "✓ 达标", "data:image/png;base64,"):
            assert needle in html, needle
        assert csv_path.exists() and "drill_start" in csv_path.read_text(encoding="utf-8-sig")
        if shutil.which("pdftotext"):
            text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
            assert "演练评估报告" in text and "居民楼火灾" in text and "0:45" in text and "25:00" in text

        # isolation: real KPIs are the same with the drill in the store and after deleting it
        window_ = (start - timedelta(hours=2), start + timedelta(hours=2))
        real_kpis = {k: v.value for k, v in store.kpis("", *window_).items()}
        assert store.kpis("", *window_, include_drill=True)["events"].value == real_kpis["events"] + 1
        real_rows = {i.id: i for i in store.incidents(limit=100_000)}
        assert store.delete_drill(drill.id) == 4
        assert {k: v.value for k, v in store.kpis("", *window_).items()} == real_kpis
        assert {i.id: i for i in store.incidents(limit=100_000)} == real_rows
        assert store.incidents(drill=None, limit=100_000) == store.incidents(limit=100_000)
        window.close()
        window.deleteLater()
    finally:
        store.close()
        sim.stop()
