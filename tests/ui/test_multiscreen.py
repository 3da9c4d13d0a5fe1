"""Several virtual screens (the offscreen platform with a screens configfile, in subprocesses because the
platform's screens are fixed when QApplication starts): per-screen layouts, kiosk placement, odd sizes and
a window spanning two screens, a screen unplugged and plugged back, the 2×2 wall and console rendered to /tmp."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import ROOT, subprocess_env
from tests.support.wall import EXAMPLE_2X2

SCRIPT = Path(__file__).with_name("multiscreen_script.py")
SHOTS = Path("/tmp/commandcenter-wall-shots")


def _screen(name: str, x: int, y: int, w: int, h: int) -> dict:
    return {"name": name, "x": x, "y": y, "width": w, "height": h, "logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}


def _launch(tmp: Path, name: str, screens: list[dict], spec: dict) -> subprocess.Popen:
    (tmp / f"{name}-screens.json").write_text(json.dumps({"screens": screens}))
    spec = {"store": f"sqlite:///{tmp / (name + '.db')}", **spec}
    (tmp / f"{name}-spec.json").write_text(json.dumps(spec, ensure_ascii=False))
    env = subprocess_env(QT_QPA_PLATFORM=f"offscreen:configfile={tmp / (name + '-screens.json')}")
    return subprocess.Popen([sys.executable, str(SCRIPT), str(tmp / f"{name}-spec.json")], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _result(proc: subprocess.Popen) -> dict:
    out, err = proc.communicate(timeout=120)
    lines = [line for line in out.splitlines() if line.startswith("RESULT ")]
    assert proc.returncode == 0 and lines, f"exit {proc.returncode}\n{out[-2000:]}\n{err[-4000:]}"
    return json.loads(lines[-1][len("RESULT "):])


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Both walls start at once (two processes on two cores)."""
    tmp = tmp_path_factory.mktemp("screens")
    quad = [_screen("s0", 0, 0, 1920, 1080), _screen("s1", 1920, 0, 1920, 1080),
            _screen("s2", 0, 1080, 1920, 1080), _screen("s3", 1920, 1080, 1920, 1080)]
    p1 = _launch(tmp, "quad", quad, {"config": str(EXAMPLE_2X2), "out": str(SHOTS), "console": True,
                                     "unplug": ["s3"], "ack": True, "kill": "screen2"})
    text = EXAMPLE_2X2.read_text(encoding="utf-8")
    head, rest = text.split("# ---- the four screens", 1)
    pages = rest[rest.index("# ---- pages"):]
    odd_screens = """
[[screens]]
name = "uhd"
pages = ["事件总览"]

[[screens]]
span = ["wideA", "wideB"]
pages = ["资源调度", "地图"]

[[screens]]
name = "portrait"
pages = ["事件明细"]
"""
    odd_cfg = tmp / "odd.toml"
    odd_cfg.write_text(head + odd_screens + pages, encoding="utf-8")
    odd = [_screen("uhd", 0, 0, 3840, 2160), _screen("wideA", 3840, 0, 3328, 1792),
           _screen("wideB", 7168, 0, 3328, 1792), _screen("portrait", 10496, 0, 1080, 1920)]
    p2 = _launch(tmp, "odd", odd, {"config": str(odd_cfg), "out": "", "console": False})
    return _result(p1), _result(p2)


def test_a_2x2_wall_puts_one_kiosk_window_on_each_screen_with_its_own_pages(runs):
    quad, _ = runs
    wins = {w["key"]: w for w in quad["windows"]}
    assert list(wins) == ["screen0", "screen1", "screen2", "screen3"]
    for i, key in enumerate(wins):
        w = wins[key]
        assert w["visible"] and w["fullscreen"] and w["frameless"]
        assert w["screen"] == f"s{i}"
        assert w["geometry"] == [1920 * (i % 2), 1080 * (i // 2), 1920, 1080]
        assert "值班：王建国" in w["duty"] and "2026年11月23日" in w["clock"]   # roster and local clock
    assert wins["screen0"]["pages"] == ["事件总览", "事件明细"]
    assert wins["screen2"]["pages"] == ["资源调度"]
    assert wins["screen3"]["pages"] == ["预警处置", "事件总览"]
    # the red alert took over every window that plays a page with an alerts tile
    assert quad["takeover"] == "A-RED-1"
    assert wins["screen1"]["current"] == "预警处置" and wins["screen2"]["current"] == "资源调度"
    # acknowledged from the console: back to the playlists
    assert quad["takeover_after_ack"] is None
    assert quad["after_ack"]["screen1"] == "地图"


def test_an_unplugged_screen_parks_its_window_and_plugging_back_restores_it(runs):
    quad, _ = runs
    after = {w["key"]: w for w in quad["after_unplug"]}
    assert not after["screen3"]["visible"]
    assert all(after[k]["visible"] for k in ("screen0", "screen1", "screen2"))
    back = {w["key"]: w for w in quad["after_replug"]}
    assert back["screen3"]["visible"] and back["screen3"]["geometry"] == [1920, 1080, 1920, 1080]


def test_a_failed_window_is_restarted_in_place(runs):
    quad, _ = runs
    r = quad["restarted"]
    assert r["new_object"] and r["visible"] and r["geometry"] == [0, 1080, 1920, 1080] and r["page"] == "资源调度"


def test_4k_and_a_6656x1792_span_lay_tiles_out_by_the_grid(runs):
    _, odd = runs
    wins = {w["key"]: w for w in odd["windows"]}
    uhd = wins["uhd"]
    assert uhd["fullscreen"] and uhd["geometry"] == [0, 0, 3840, 2160]
    incidents = next(t for t in uhd["tiles"] if t[0] == "incidents")
    # half the width, and the height of a 4K panel less its header, red band and status bar (sized for the room)
    assert incidents[1] > 1800 and incidents[2] > 1600
    span = wins["spanwideA+wideB"]
    assert span["visible"] and span["frameless"] and not span["fullscreen"]
    assert span["geometry"] == [3840, 0, 6656, 1792]
    assert all(t[1] > 6000 for t in span["tiles"])            # column_span 2 of 2: the whole 6656 px width
    portrait = wins["portrait"]
    assert portrait["visible"] and portrait["geometry"][2:] == [1080, 1920]


def test_the_render_of_the_2x2_wall_and_console_was_written(runs):
    quad, _ = runs
    assert {"wall-mosaic.png", "console.png", "console-help.png", "wall-screen0.png"} <= set(quad["images"])
