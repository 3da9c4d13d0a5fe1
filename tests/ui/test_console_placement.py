"""The operator console opens on a screen of its own, never over the wall, and where the operator last put it
(issue 19 point 7). Placement is a pure choice, tested directly, and applied on fake offscreen screens in a
subprocess (the offscreen platform's screens are fixed when QApplication starts)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import QRect

from commandcenter.ui.console.placement import choose_console_screen
from commandcenter.ui.screens import ScreenInfo

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(__file__).with_name("console_screens_script.py")
WALL = QRect(0, 0, 3840, 2160)
SCREENS = [ScreenInfo(0, "wall", WALL, primary=True), ScreenInfo(1, "desk-a", QRect(3840, 0, 1920, 1080)),
           ScreenInfo(2, "desk-b", QRect(5760, 0, 1920, 1080))]


def test_the_console_takes_the_first_screen_the_wall_leaves_free():
    assert choose_console_screen(SCREENS, [WALL]).name == "desk-a"


def test_the_remembered_screen_wins_when_it_is_present_and_free():
    assert choose_console_screen(SCREENS, [WALL], "desk-b").name == "desk-b"
    assert choose_console_screen(SCREENS, [WALL], "unplugged").name == "desk-a"


def test_the_console_never_goes_over_the_wall_even_if_it_was_there_last_time():
    assert choose_console_screen(SCREENS, [WALL], "wall").name == "desk-a"
    assert choose_console_screen(SCREENS[:1], [WALL], "wall") is None


def test_on_fake_screens_it_opens_beside_the_wall_and_reopens_where_it_was_moved(tmp_path):
    def screen(name: str, x: int) -> dict:
        return {"name": name, "x": x, "y": 0, "width": 1920, "height": 1080, "logicalDpi": 96,
                "logicalBaseDpi": 96, "dpr": 1}

    config = tmp_path / "screens.json"
    config.write_text(json.dumps({"screens": [screen("s0", 0), screen("s1", 1920), screen("s2", 3840)]}))
    env = dict(os.environ, QT_QPA_PLATFORM=f"offscreen:configfile={config}", PYTHONPATH=str(ROOT))
    proc = subprocess.run([sys.executable, str(SCRIPT), str(tmp_path / "console.ini")], check=False,
                          cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    lines = [line for line in proc.stdout.splitlines() if line.startswith("RESULT ")]
    assert proc.returncode == 0 and lines, proc.stderr[-3000:]
    out = json.loads(lines[-1][len("RESULT "):])
    assert out["screens"] == ["s0", "s1", "s2"] and out["wall"] == "s0"
    assert out["first_placed"] and out["first"] == "s1"              # not the wall's screen
    assert out["second_placed"] and out["second"] == "s2"            # where the operator left it
    assert out["second_geometry"] == [3840 + 40, 30, 1200, 800]
    assert out["third_placed"] is False                               # no free screen: never over the wall
