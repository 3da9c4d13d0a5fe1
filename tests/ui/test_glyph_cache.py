"""Large type comes from Qt's glyph cache (ui/glyph_cache.py): importing commandcenter.ui sets the two variables
Qt reads, keeps any value already set, and type far above the default 64 px limit looks as it does filled as
outlines (the same glyphs, none blank: FreeType's own cache handed blank ones above 64 px; as tall: unhinted)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
from PySide6.QtGui import QImage
from tests.support.golden import Tolerance, _rgba, differing

from commandcenter.ui import glyph_cache

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(__file__).with_name("glyph_cache_script.py")
OUTLINES = {"QT_MAX_CACHED_GLYPH_SIZE": "64", "QT_NO_FT_CACHE": ""}   # Qt's own defaults: large type as outlines


def test_install_sets_what_is_missing_and_keeps_what_is_set():
    environ = {"QT_NO_FT_CACHE": "0"}
    glyph_cache.install(environ)
    assert environ == {"QT_MAX_CACHED_GLYPH_SIZE": str(glyph_cache.MAX_CACHED_GLYPH_PX), "QT_NO_FT_CACHE": "0"}


def test_importing_the_ui_sets_the_variables_before_any_window():
    for name in glyph_cache.VARIABLES:         # this process imported commandcenter.ui: set (here or before)
        assert name in os.environ


def render(tmp_path: Path, name: str, overrides: dict[str, str]) -> tuple[QImage, dict]:
    env = {k: v for k, v in os.environ.items() if k not in glyph_cache.VARIABLES}
    env.update(overrides, PYTHONPATH=str(ROOT), QT_QPA_PLATFORM="offscreen")
    out = tmp_path / f"{name}.png"
    proc = subprocess.run([sys.executable, str(SCRIPT), str(out)], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120, check=False)
    lines = [line for line in proc.stdout.splitlines() if line.startswith("RESULT ")]
    assert proc.returncode == 0 and lines, proc.stderr[-3000:]
    image = QImage(str(out))
    assert not image.isNull()
    return image, json.loads(lines[-1][len("RESULT "):])


def ink(image: QImage) -> int:
    """Pixels of text: brighter than the wall's background."""
    return int((_rgba(image)[..., :3].max(axis=2) > 128).sum())


def test_large_type_from_the_glyph_cache_looks_as_it_does_as_outlines(tmp_path):
    cached, cached_env = render(tmp_path, "cached", {})
    outlines, outline_env = render(tmp_path, "outlines", OUTLINES)
    assert cached_env["QT_MAX_CACHED_GLYPH_SIZE"] == str(glyph_cache.MAX_CACHED_GLYPH_PX)
    assert cached_env["QT_NO_FT_CACHE"] == "1"
    assert (outline_env["QT_MAX_CACHED_GLYPH_SIZE"], outline_env["QT_NO_FT_CACHE"]) == ("64", "")
    assert cached_env["ink_rows"] == outline_env["ink_rows"]             # capitals as tall: not hinted to whole pixels
    assert ink(outlines) > 20_000
    assert abs(ink(cached) - ink(outlines)) < ink(outlines) * 0.05      # every glyph there, none blank
    mask = differing(cached, outlines, Tolerance(pixel_threshold=64, max_fraction=0.01))
    assert float(np.mean(mask)) <= 0.01


def test_the_unhinted_rule_loads_into_fontconfig():
    assert glyph_cache.unhint_large_type()
