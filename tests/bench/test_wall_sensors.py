"""bench/wall_sensors.py on a tiny run (300 devices, 12 s): the wall it drives stops its threads when it closes, so
the script ends with status 0 after its figures, and every reading the broker acknowledged is in the store."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench" / "wall_sensors.py"


def test_a_short_run_loses_nothing_and_exits_cleanly_with_no_thread_left_running() -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    run = subprocess.run([sys.executable, str(BENCH), "--minutes", "0.2", "--sensors", "300"], env=env,
                         capture_output=True, text=True, timeout=240)
    assert run.returncode == 0, run.stderr[-2000:]
    assert "QThread: Destroyed" not in run.stderr
    figures = {d["name"]: d for d in map(json.loads, run.stdout.splitlines())}
    lost = figures["sensors_lost"]
    assert lost["value"] == 0 and lost["accepted"] == lost["stored"] > 0, lost
