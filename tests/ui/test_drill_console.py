"""The manager's path through the console: start the bundled sample drill (the simulator plays it), watch it
scored, stop it, open the report; a backend that cannot be reached starts nothing and the console says so."""
from __future__ import annotations

import pytest
import shutil
import subprocess
from datetime import UTC, datetime

import httpx

from commandcenter.config import config_from_dict
from commandcenter.config import SCENARIOS_DIR

pytestmark = pytest.mark.usefixtures("gc_on_the_loop_thread")  # walls, feeds and simulators share this process

SAMPLE = SCENARIOS_DIR / "sample-drill.toml"
PAGES = [{"name": "演练", "rows": 1, "columns": 2, "tiles": [
    {"kind": "incidents", "row": 0, "column": 0}, {"kind": "drill", "row": 0, "column": 1}]}]


def test_the_console_starts_the_sample_drill_on_the_simulator_stops_it_and_writes_the_report(
        qloop, tmp_path, eventually):
    from commandcenter.sim import run_in_thread
    from commandcenter.ui.app import WallApp
    from commandcenter.ui.console import ConsoleWindow
    from commandcenter.ui.wall_control import WallConsoleControl

    start = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
    sim = run_in_thread(profile="street", seed=2, history_hours=1.0, start_time=start, hold_clock=True)
    config = config_from_dict({"wall": {"kiosk": False, "rotate_seconds": 0}, "pages": PAGES,
                               "feeds": [{"name": "city", "url": sim.url, "mode": "sse"}],
                               "drill": {"backend": "city"}})
    wall = WallApp(config, f"sqlite:///{tmp_path / 'wall.db'}", clock=sim.server.clock.now)

    async def scenario() -> None:
        await wall.start(show=False)
        desk = ConsoleWindow(WallConsoleControl(wall))
        desk.report_dir = tmp_path / "reports"
        try:
            assert desk.drill_box.isVisibleTo(desk)
            desk.sign_in("张主任", "1号席")
            desk.drill_scenario.setCurrentIndex(desk.drill_scenario.findData(str(SAMPLE)))
            desk.start_drill()
            desk.confirm_bar.reason.setText("月度消防演练")
            await desk.confirm_bar.confirm()
            drills = wall.drills
            assert drills.active and "演练已开始" in desk.message.text()
            assert [d["drill_id"] for d in drills.backend.running()] == [drills.current.id]
            async with httpx.AsyncClient(timeout=30.0) as client:
                for _ in range(12):                                  # 12 minutes, a minute at a time
                    (await client.post(f"{sim.url}/_control/clock", json={"advance_s": 60})).raise_for_status()
            assert await eventually(lambda: len(drills.scores()) == 2 and drills.scores()[1].dispatches)
            fire = next(s for s in drills.scores() if "火灾" in s.title)
            assert [st.elapsed_s for st in fire.stages[:2]] == [40, 420]
            # the scripted dispatch times, though each team's dispatch and arrival on scene came in one burst of the
            # 12-minute jump
            assert [(d.name, d.after_s) for s in drills.scores() for d in s.dispatches] == [
                ("消防救援站一队", 60.0), ("120救护车", 70.0), ("排涝车", 60.0)]
            wall.window.drill_banner.refresh()
            assert "演练时钟 12:00" in wall.window.drill_banner.text()

            desk.stop_drill()
            desk.confirm_bar.reason.setText("演练完成")
            await desk.confirm_bar.confirm()
            assert not drills.active and desk.message.text() == "演练已结束"
            assert drills.backend.running() == []
            await desk.make_drill_report()
            pdf = desk.last_report
            assert pdf == desk.report_dir / f"{drills.last.id}.pdf" and pdf.read_bytes()[:5] == b"%PDF-"
            assert pdf.with_suffix(".csv").exists() and str(pdf) in desk.message.text()
            if shutil.which("pdftotext"):
                text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                                      check=True).stdout
                assert "居民楼火灾救援与暴雨红色预警联合演练" in text and "0:40" in text and "7:00" in text
        finally:
            desk.close_quietly()
            await wall.stop()

    try:
        qloop.run_until_complete(scenario())
    finally:
        sim.stop()


def test_the_console_says_why_a_drill_did_not_start(qloop, tmp_path):
    from commandcenter.ui.app import WallApp
    from commandcenter.ui.console import ConsoleWindow
    from commandcenter.ui.wall_control import WallConsoleControl

    config = config_from_dict({"wall": {"kiosk": False, "rotate_seconds": 0}, "pages": PAGES,
                               "feeds": [{"name": "city", "url": "http://127.0.0.1:9/api/v1", "timeout": 2}],
                               "drill": {"backend": "city"}})
    wall = WallApp(config, f"sqlite:///{tmp_path / 'wall.db'}")

    async def scenario() -> None:
        await wall.start(show=False)
        desk = ConsoleWindow(WallConsoleControl(wall))
        try:
            desk.sign_in("值班员甲", "2号席")
            desk.drill_scenario.setCurrentIndex(desk.drill_scenario.findData(str(SAMPLE)))
            desk.start_drill()
            desk.confirm_bar.reason.setText("月度演练")
            await desk.confirm_bar.confirm()
            assert not wall.drills.active
            assert "演练未开始" in desk.message.text() and "unreachable" in desk.message.text()
            assert await wall.pipeline.in_store(wall.store.actions_since, 0) == []
            wall.window.drill_banner.refresh()
            assert wall.window.drill_banner.isHidden()
        finally:
            desk.close_quietly()
            await wall.stop()

    qloop.run_until_complete(scenario())
