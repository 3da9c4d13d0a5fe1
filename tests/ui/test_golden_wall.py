"""Golden images of the wall (issue 19): the shipped overview page (headline strip, incidents, map) under a red
warning's band, rendered offscreen from fixed records and a fixed clock at 1080p, 4K and 8K in zh_CN and en, for
a 98-inch panel read from 5 m. Each render is compared with tests/ui/golden/wall-<size>-<lang>.png within a
tolerance (anti-aliasing and font hinting move a few pixels); the goldens are kept at 1920x1080 (the 4K and 8K
renders scaled down), so a layout that breaks at one size shows. The renders are also written to /tmp to look at.

After an intended change of the wall's look, regenerate and LOOK at every image:
    COMMANDCENTER_UPDATE_GOLDEN=1 python -m pytest -q tests/ui/test_golden_wall.py
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from tests.support import wall_data as W
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage

from commandcenter.config import DEFAULT_CONFIG, load_config
from commandcenter.domain.legibility import Room
from commandcenter.ui import theme
from commandcenter.ui.alert_actions import AlertActions
from commandcenter.ui.banner import AlertBanner
from commandcenter.ui.models.alerts import AlertBoard
from commandcenter.ui.resources import install_language
from commandcenter.ui.tiles import TILE_BUILDERS, TileContext
from commandcenter.ui.wall import WallWindow

GOLDEN = Path(__file__).with_name("golden")
SIZES = {"1080p": (1920, 1080), "4k": (3840, 2160), "8k": (7680, 4320)}
KEPT = (1920, 1080)
UPDATE = os.environ.get("COMMANDCENTER_UPDATE_GOLDEN") == "1"
#: Mean absolute difference per channel (0-255) allowed, and the share of pixels allowed to differ by over 48.
MEAN_TOLERANCE = 3.0
PIXEL_SHARE_TOLERANCE = 0.02


def render(size: tuple[int, int], language: str, qtbot, clock) -> QImage:
    config = load_config(DEFAULT_CONFIG)
    live = W.live_city(incidents=W.incidents(), alerts=W.alerts(), resources=W.resources())
    ctx = TileContext(live, config, clock)
    page = config.pages[0]
    window = WallWindow(config.wall.title, live, page, lambda s: TILE_BUILDERS[s.kind](ctx, s), clock=clock)
    board = AlertBoard(live, AlertActions(live, clock=clock), clock=clock)
    banner = AlertBanner(board)
    banner._flash.stop()                              # the band in its "on" phase, not wherever the timer is
    window.set_banner(banner)
    qtbot.addWidget(window)
    window.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen, True)
    window.setFixedSize(*size)
    window.show()
    qtbot.waitExposed(window)
    for tile in window.tiles():
        if hasattr(tile, "flush"):
            tile.flush()
        model = getattr(tile, "model", None)
        if model is not None and hasattr(model, "flush"):
            model.flush()
    qtbot.wait(50)
    image = window.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
    window.close()
    return image


def difference(a: QImage, b: QImage) -> tuple[float, float]:
    """(mean absolute channel difference, share of pixels whose largest channel difference is over 48)."""
    total, far, n = 0, 0, 0
    for y in range(0, a.height(), 2):
        for x in range(0, a.width(), 2):
            p, q = a.pixel(x, y), b.pixel(x, y)
            d = [abs(((p >> s) & 255) - ((q >> s) & 255)) for s in (16, 8, 0)]
            total += sum(d)
            far += max(d) > 48
            n += 1
    return total / (3 * n), far / n


@pytest.mark.parametrize("language", ["zh_CN", "en"])
@pytest.mark.parametrize("size", SIZES)
def test_the_wall_looks_as_its_golden_image(ui, clock, qtbot, size, language):
    theme.set_room(Room(distance_m=5.0, diagonal_inches=98.0))
    install_language(language)
    try:
        image = render(SIZES[size], language, qtbot, clock)
    finally:
        install_language("zh_CN")
        theme.set_room(Room())
    assert image.size().width() == SIZES[size][0]
    image.save(f"/tmp/wall-{size}-{language}.png")
    kept = image.scaled(*KEPT, Qt.AspectRatioMode.IgnoreAspectRatio, Qt.TransformationMode.SmoothTransformation)
    golden_path = GOLDEN / f"wall-{size}-{language}.png"
    if UPDATE:
        assert kept.save(str(golden_path))
        return
    golden = QImage(str(golden_path)).convertToFormat(QImage.Format.Format_RGB32)
    assert not golden.isNull(), f"no golden image {golden_path} (COMMANDCENTER_UPDATE_GOLDEN=1 makes it)"
    mean, share = difference(kept, golden)
    assert mean <= MEAN_TOLERANCE and share <= PIXEL_SHARE_TOLERANCE, (
        f"{golden_path.name}: mean difference {mean:.2f}, {share:.1%} of pixels far off; look at /tmp/wall-{size}-"
        f"{language}.png and regenerate if the change is intended")
