"""Drill isolation end to end, with the simulated city on 127.0.0.1: a stopped drill leaves every live tile and
the map within seconds (kept in the store for the report), a wall started at any moment agrees with the store's
record of starts and stops, and a drill whose scenario has played out and that nobody stopped ends by itself."""
from __future__ import annotations

from datetime import datetime, UTC
from pathlib import Path

import pytest

from commandcenter.cli import main
from commandcenter.config import config_from_dict
from commandcenter.sim import run_in_thread

pytestmark = [pytest.mark.usefixtures("gc_on_the_loop_thread"), pytest.mark.timeout(120)]

SCENARIO = """
[scenario]
id = "isolation"
name = "居民楼火灾隔离演练"
description = "停止后，演练内容须在数秒内离开大屏"
[scenario.targets]
arrival_s = 480
[[events]]
at = "1s"
type = "incident"
ref = "fire"
category = "fire"
emergency = true
grid = 3
title = "居民楼火灾"
[[events]]
at = "2s"
type = "alert"
ref = "rain"
hazard = "暴雨"
level = "red"
area = "district:0"
[[events]]
at = "2s"
type = "dispatch"
ref = "fire"
resource = "station-1"
name = "消防救援站一队"
[[events]]
at = "3s"
type = "on_scene"
ref = "fire"
resource = "station-1"
[[events]]
at = "%s"
type = "closed"
ref = "fire"
"""

PAGES = [{"name": "总览", "rows": 2, "columns": 3, "tiles": [
    {"kind": "incidents", "row": 0, "column": 0}, {"kind": "resources", "row": 0, "column": 1},
    {"kind": "alerts", "row": 0, "column": 2}, {"kind": "map", "row": 1, "column": 0, "column_span": 2},
    {"kind": "drill", "row": 1, "column": 2}]}]


def _setup(tmp_path: Path, sim_url: str, last_event: str) -> tuple[Path, Path, object]:
    scenario = tmp_path / "isolation.toml"
    scenario.write_text(SCENARIO % last_event, encoding="utf-8")
    db = f"sqlite:///{tmp_path / 'wall.db'}"
    cfg = tmp_path / "wall.toml"
    cfg.write_text(f'[store]\nurl = "{db}"\n\n[[feeds]]\nname = "city"\nurl = "{sim_url}"\nmode = "sse"\n\n'
                   '[drill]\nbackend = "city"\n', encoding="utf-8")
    config = config_from_dict({"wall": {"kiosk": False, "rotate_seconds": 0}, "pages": PAGES,
                               "store": {"url": db}, "feeds": [{"name": "city", "url": sim_url, "mode": "sse"}],
                               "drill": {"backend": "city"}})
    return scenario, cfg, config


def drill_records(live, drill_id: str) -> list:
    return [r for r in (*live.incidents.values(), *live.resources.values(), *live.alerts.values())
            if r.drill_id == drill_id]


def shown_drill_rows(wall, drill_id: str) -> dict[str, list[str]]:
    """What each live tile of the wall shows of the drill, after flushing their coalescing timers."""
    from commandcenter.ui.tiles.alerts import AlertTile
    from commandcenter.ui.tiles.incidents import IncidentTile
    from commandcenter.ui.tiles.map import MapTile
    from commandcenter.ui.tiles.resources import ResourceTile

    out: dict[str, list[str]] = {}
    for tile in wall.window.page_view.all_tiles():
        if isinstance(tile, (IncidentTile, ResourceTile, AlertTile)):
            model = tile.model
            if isinstance(tile, AlertTile):
                tile.board.flush()          # the alert board coalesces the live changes
            else:
                model.flush()
            texts = [str(model.data(model.index(r, c)) or "") for r in range(model.rowCount())
                     for c in range(model.columnCount())]
            out[type(tile).__name__] = [t for t in texts if "【演练】" in t]
        elif isinstance(tile, MapTile):
            tile.flush()
            markers = [i for i in tile._open if i.startswith(drill_id)]
            markers += [rid for rid, _v in tile.map._last.get("resources", ()) if rid.startswith(drill_id)]
            markers += [aid for aid, _v in tile.map._last.get("alerts", ()) if aid.startswith(drill_id)]
            out["MapTile"] = markers
    return out


def test_a_stopped_drill_leaves_tiles_and_map_within_seconds_and_a_later_wall_shows_no_drill(
        qloop, tmp_path, eventually):
    from commandcenter.ui.app import WallApp
    from commandcenter.ui.console import ConsoleWindow
    from commandcenter.ui.wall_control import WallConsoleControl

    sim = run_in_thread(profile="street", seed=4, history_hours=0.2, start_time=datetime.now(UTC))
    scenario, cfg, config = _setup(tmp_path, sim.url, "30m")
    walls: list[WallApp] = []

    async def open_wall() -> WallApp:
        wall = WallApp(config, config.store.url)
        walls.append(wall)
        await wall.start(show=False)
        return wall

    async def run() -> None:
        first = await open_wall()
        drill = await first.drills.start_async(scenario, actor="张主任", reason="月度演练", seat="1号席")
        assert await eventually(lambda: len(drill_records(first.live, drill.id)) == 3, timeout=20)
        shown = shown_drill_rows(first, drill.id)
        assert all(shown[k] for k in ("IncidentTile", "ResourceTile", "AlertTile", "MapTile")), shown
        assert any("【演练】消防救援站一队" in t for t in shown["ResourceTile"])

        # a wall (re)started while the drill runs follows it, with the scenario as stored
        second = await open_wall()
        assert await eventually(lambda: second.drills.current is not None, timeout=5)
        assert second.drills.current.id == drill.id
        assert second.drills.current.scenario.name == "居民楼火灾隔离演练"
        assert second.drills.current.scenario.targets.arrival_s == 480

        # stopped from elsewhere (the CLI on the same store): both walls clear within seconds
        assert main(["drill", "stop", "--config", str(cfg), "--actor", "李科长", "--seat", "2号席",
                     "--reason", "演练结束"]) == 0
        for wall in (first, second):
            assert await eventually(lambda w=wall: w.drills.current is None, timeout=5)
            assert drill_records(wall.live, drill.id) == []
            assert all(not v for v in shown_drill_rows(wall, drill.id).values()), shown_drill_rows(wall, drill.id)
            wall.window.drill_banner.refresh()
            assert wall.window.drill_banner.isHidden()
        # the feed keeps bringing the drill's last records (the simulator cancels its warning): stored, not shown
        assert await eventually(lambda: any(a.drill_id == drill.id and a.status.value == "cancelled" for a in
                                            first.store.alerts(drill=True, live_only=False)), timeout=10)
        assert drill_records(first.live, drill.id) == []
        assert first.store.incidents(drill=True)      # kept for the report

        # a wall started after the stop shows no drill, and its console says so
        third = await open_wall()
        desk = ConsoleWindow(WallConsoleControl(third))
        try:
            assert third.drills.current is None and drill_records(third.live, drill.id) == []
            assert all(not v for v in shown_drill_rows(third, drill.id).values())
            third.window.drill_banner.refresh()
            assert third.window.drill_banner.isHidden()
            desk.refresh_status()
            assert desk.drill_status.text() == "当前无演练"
            await __import__("asyncio").sleep(1.5)          # its drill loop has synced by now: still nothing
            assert third.drills.current is None
        finally:
            desk.close_quietly()
        for wall in walls:
            wall.window.grab().save(str(Path("/tmp/drill") / f"isolation-{walls.index(wall)}.png"))

    try:
        qloop.run_until_complete(run())
    finally:
        for wall in walls:
            qloop.run_until_complete(wall.stop())
        sim.stop()


def test_a_drill_whose_scenario_played_out_ends_itself_and_says_so(qloop, tmp_path, eventually):
    from commandcenter.services.drill_report import assemble
    from commandcenter.ui.app import WallApp

    sim = run_in_thread(profile="street", seed=5, history_hours=0.2, start_time=datetime.now(UTC))
    scenario, _cfg, config = _setup(tmp_path, sim.url, "4s")
    wall = WallApp(config, config.store.url)

    async def run() -> None:
        await wall.start(show=False)
        drill = await wall.drills.start_async(scenario, actor="张主任", reason="短演练", grace_s=1.0)
        assert await eventually(lambda: bool(drill_records(wall.live, drill.id)), timeout=15)
        # nobody stops it: 4 s of scenario + 1 s of grace later it has ended, recorded as ended by itself
        assert await eventually(lambda: wall.drills.current is None, timeout=15)
        [row] = await wall.pipeline.in_store(wall.store.drill_records, drill_id=drill.id)
        assert row.stop_kind == "scenario_end" and row.stopped_at is not None
        assert drill_records(wall.live, drill.id) == []
        assert [d["drill_id"] for d in wall.drills.backend.running()] == []    # stopped on the simulator too
        data = await wall.pipeline.in_store(assemble, wall.store, drill.id)
        assert data.stop_kind == "scenario_end" and data.stopped_by == "系统 / system"

    try:
        qloop.run_until_complete(run())
    finally:
        qloop.run_until_complete(wall.stop())
        sim.stop()


def test_late_records_of_a_drill_the_backend_no_longer_plays_are_not_shown_as_live(qloop, tmp_path, eventually):
    """A new store and a simulator whose feed still carries a drill it played out before: the wall asks the
    backend, records the drill as ended and keeps it off the live tiles."""
    import time

    from commandcenter.ui.app import WallApp

    scenario = tmp_path / "played.toml"
    scenario.write_text((SCENARIO % "3s").replace('id = "isolation"', 'id = "isolation"\ndrill_id = "SIM-PLAYED"'),
                        encoding="utf-8")
    sim = run_in_thread(profile="street", seed=9, history_hours=0.1, start_time=datetime.now(UTC),
                        scenario=scenario)
    _s, _cfg, config = _setup(tmp_path, sim.url, "3s")
    time.sleep(4)                               # the simulator plays it out before any wall looks
    assert [d["finished"] for d in sim.call(sim.server.drills.describe)] == [True]
    wall = WallApp(config, config.store.url)

    async def run() -> None:
        await wall.start(show=False)
        assert await eventually(lambda: bool(wall.store.drill_records(drill_id="SIM-PLAYED")), timeout=10)
        assert await eventually(lambda: wall.drills.current is None and not drill_records(wall.live, "SIM-PLAYED"),
                                timeout=5)
        [row] = wall.store.drill_records(drill_id="SIM-PLAYED")
        assert not row.running and row.stop_kind == "scenario_end"
        await __import__("asyncio").sleep(1.5)
        assert wall.drills.current is None and not drill_records(wall.live, "SIM-PLAYED")

    try:
        qloop.run_until_complete(run())
    finally:
        qloop.run_until_complete(wall.stop())
        sim.stop()


def test_a_drill_seen_only_through_the_feed_ends_when_its_backend_has_played_it_out(qloop, tmp_path, eventually):
    from commandcenter.ui.app import WallApp

    scenario = tmp_path / "playing.toml"
    scenario.write_text((SCENARIO % "8s").replace('id = "isolation"', 'id = "isolation"\ndrill_id = "SIM-PLAYING"'),
                        encoding="utf-8")
    sim = run_in_thread(profile="street", seed=10, history_hours=0.1, start_time=datetime.now(UTC),
                        scenario=scenario)
    _s, _cfg, config = _setup(tmp_path, sim.url, "8s")
    wall = WallApp(config, config.store.url)

    async def run() -> None:
        await wall.start(show=False)
        assert await eventually(lambda: wall.drills.current is not None, timeout=8)
        assert wall.drills.current.id == "SIM-PLAYING"
        assert await eventually(lambda: wall.store.drill_records(running_only=True) != [], timeout=5)
        # played out on the simulator at 8 s: the wall ends it, records so, and clears it
        assert await eventually(lambda: wall.drills.current is None, timeout=15)
        assert drill_records(wall.live, "SIM-PLAYING") == []
        [row] = wall.store.drill_records(drill_id="SIM-PLAYING")
        assert row.stop_kind == "scenario_end"

    try:
        qloop.run_until_complete(run())
    finally:
        qloop.run_until_complete(wall.stop())
        sim.stop()
