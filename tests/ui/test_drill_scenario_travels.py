"""The scenario travels with the drill: the store keeps its whole document, so a wall or a report run from
another working directory shows the scenario's name and its own targets (8:00 arrival), not a file stem and
1-10-20 defaults."""
from __future__ import annotations

import pytest
import shutil
from datetime import datetime, UTC
from pathlib import Path

from commandcenter.cli import main
from commandcenter.config import config_from_dict
from commandcenter.sim import run_in_thread
from commandcenter.config import SCENARIOS_DIR

pytestmark = pytest.mark.usefixtures("gc_on_the_loop_thread")  # walls, feeds and simulators share this process

SAMPLE = SCENARIOS_DIR / "sample-drill.toml"
PAGES = [{"name": "演练", "rows": 1, "columns": 2, "tiles": [
    {"kind": "incidents", "row": 0, "column": 0}, {"kind": "drill", "row": 0, "column": 1}]}]


def test_a_drill_started_by_a_relative_path_reads_the_same_from_another_directory(qloop, tmp_path, monkeypatch,
                                                                                   eventually):
    from commandcenter.services.drill_report import assemble
    from commandcenter.ui.app import WallApp
    from commandcenter.ui.report import ensure_gui_app, write_report

    ensure_gui_app()
    here, elsewhere = tmp_path / "ops", tmp_path / "elsewhere"
    (here / "scenarios").mkdir(parents=True)
    elsewhere.mkdir()
    shutil.copy(SAMPLE, here / "scenarios" / "sample-drill.toml")
    sim = run_in_thread(profile="street", seed=7, history_hours=0.1, start_time=datetime.now(UTC))
    db = f"sqlite:///{tmp_path / 'wall.db'}"
    config = config_from_dict({"wall": {"kiosk": False, "rotate_seconds": 0}, "pages": PAGES, "store": {"url": db},
                               "feeds": [{"name": "city", "url": sim.url, "mode": "sse"}],
                               "drill": {"backend": "city"}})
    starter = WallApp(config, db)
    follower = WallApp(config, db)

    async def run() -> str:
        monkeypatch.chdir(here)
        await starter.start(show=False)
        drill = await starter.drills.start_async("scenarios/sample-drill.toml", actor="张主任", reason="月度演练")
        monkeypatch.chdir(elsewhere)                    # the file is not reachable from here
        assert not Path("scenarios/sample-drill.toml").exists()
        await follower.start(show=False)
        assert await eventually(lambda: follower.drills.current is not None, timeout=5)
        sc = follower.drills.current.scenario
        assert sc.name == "居民楼火灾救援与暴雨红色预警联合演练" and sc.targets.arrival_s == 480
        assert len(sc.events) == len(starter.drills.current.scenario.events)
        follower.window.drill_banner.refresh()
        assert "居民楼火灾救援与暴雨红色预警联合演练" in follower.window.drill_banner.text()
        await starter.drills.stop_async(actor="张主任", reason="演练结束")
        return drill.id

    try:
        drill_id = qloop.run_until_complete(run())
    finally:
        qloop.run_until_complete(follower.stop())
        qloop.run_until_complete(starter.stop())
        sim.stop()

    from commandcenter.store import Store

    store = Store.open(db)
    try:
        data = assemble(store, drill_id)
    finally:
        store.close()
    assert data.scenario.name == "居民楼火灾救援与暴雨红色预警联合演练"
    assert (data.scenario.targets.response_s, data.scenario.targets.arrival_s) == (60, 480)
    html, _csv = write_report(data, elsewhere / "report.html")
    text = html.read_text(encoding="utf-8")
    assert "居民楼火灾救援与暴雨红色预警联合演练" in text and "到场 ≤ 8:00" in text and "sample-drill<" not in text
    # the report command from that directory says the same
    cfg = elsewhere / "wall.toml"
    cfg.write_text(f'[store]\nurl = "{db}"\n', encoding="utf-8")
    assert main(["report", "--drill", drill_id, "--config", str(cfg), "--out", str(elsewhere / "r.html")]) == 0
    assert "到场 ≤ 8:00" in (elsewhere / "r.html").read_text(encoding="utf-8")
