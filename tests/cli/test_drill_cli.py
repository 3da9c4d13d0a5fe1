"""`commandcenter drill start|stop` with `[drill] backend`: the simulator plays the drill; a backend that
cannot be reached is an error and nothing is recorded."""
from __future__ import annotations

import pytest
import socket
from datetime import datetime, UTC
from pathlib import Path

from commandcenter.cli import main
from commandcenter.sim import run_in_thread
from commandcenter.store import Store
from commandcenter.config import SCENARIOS_DIR

pytestmark = pytest.mark.usefixtures("gc_on_the_loop_thread")  # walls, feeds and simulators share this process

SHORT = """
[scenario]
id = "cli-short"
name = "命令行短演练"
[[events]]
at = "1s"
type = "incident"
ref = "fire"
category = "fire"
emergency = true
title = "仓库起火"
[[events]]
at = "2s"
type = "accepted"
ref = "fire"
"""


def _config(tmp_path: Path, url: str) -> tuple[Path, str]:
    db = f"sqlite:///{tmp_path / 'wall.db'}"
    cfg = tmp_path / "wall.toml"
    cfg.write_text(f'[store]\nurl = "{db}"\n\n[[feeds]]\nname = "city"\nurl = "{url}"\n\n'
                   '[drill]\nbackend = "city"\n', encoding="utf-8")
    return cfg, db


def test_drill_start_hands_the_scenario_to_the_simulator_and_stops_it_when_played(tmp_path, capsys):
    scenario = tmp_path / "short.toml"
    scenario.write_text(SHORT, encoding="utf-8")
    with run_in_thread(profile="street", seed=1, random_city=False, history_hours=0.1,
                       start_time=datetime.now(UTC)) as sim:
        cfg, db = _config(tmp_path, sim.url)
        assert main(["drill", "start", str(scenario), "--config", str(cfg), "--actor", "张主任",
                     "--linger", "0"]) == 0
        out = capsys.readouterr().out
        assert f"played by {sim.url}/_control/drills" in out and "stopped" in out
        drill_id = out.split("drill: started ", 1)[1].split(" ", 1)[0]
        assert sim.call(sim.server.drills.describe) == []                    # stopped on the simulator too
        fire = sim.call(lambda: sim.server.log.index["incident"].get(f"{drill_id}:fire"))
        assert fire["status"] == "accepted" and fire["drill_id"] == drill_id
    store = Store.open(db)
    try:
        # the scenario played out and nobody stopped it: it ended by itself, and the store says so
        assert [(a.kind.value, a.actor) for a in store.actions_since(0)] == [("drill_start", "张主任"),
                                                                             ("drill_stop", "系统 / system")]
        [row] = store.drill_records(drill_id=drill_id)
        assert row.stop_kind == "scenario_end" and not row.running
    finally:
        store.close()


def test_drill_start_with_an_unreachable_backend_is_an_error_and_records_nothing(tmp_path, capsys):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    cfg, db = _config(tmp_path, f"http://127.0.0.1:{port}/api/v1")
    sample = SCENARIOS_DIR / "sample-drill.toml"
    assert main(["drill", "start", str(sample), "--config", str(cfg), "--actor", "张主任"]) == 2
    err = capsys.readouterr().err
    assert "drill: not started" in err and "unreachable" in err
    store = Store.open(db)
    try:
        assert store.actions_since(0) == []
    finally:
        store.close()
