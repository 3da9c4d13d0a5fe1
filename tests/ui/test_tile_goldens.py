"""Every tile kind looks as it did: rendered offscreen with fixed records, a fixed clock, the package's own fonts and
a fixed size, and compared with tests/ui/golden/<kind>.png within a tolerance (tests.support.golden).

When a tile's look changes on purpose: `scripts/update-goldens` (or `pytest tests/ui/test_tile_goldens.py
--update-goldens`), look at every rewritten picture, commit them with the change.
"""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from commandcenter.config import config_from_dict
from commandcenter.services import IngestPipeline, LiveState
from commandcenter.services.drills import DrillManager
from commandcenter.store import Store
from commandcenter.ui.tiles import TILE_BUILDERS, TileContext

from tests.support import wall_data as W
from tests.support.drills import SCENARIO
from tests.support.golden import check_golden

WIDE, TALL = (1280, 480), (1280, 800)
SIZES = {"incidents": TALL, "warnings": WIDE, "alerts": WIDE, "alarms": WIDE, "supervision": WIDE,
         "resources": (1280, 640), "kpis": (1920, 560), "map": TALL, "drill": WIDE, "sensors": (1280, 640)}


def sample_sensors(live: LiveState) -> None:
    """A few devices over the last hour, reading by reading (so the tile draws their sparklines): a flooded
    underpass, warm boxes, covers, one silent gas detector."""
    from datetime import timedelta

    from commandcenter.domain.sensors import AlarmRules, Outcome, SensorMessage, SensorType

    rules, out = AlarmRules(offline_after=timedelta(minutes=5)), Outcome()
    for k in range(12):
        t = W.T0 - timedelta(minutes=60 - 5 * k)
        rules.reading(SensorMessage("WL1", SensorType.WATER_LEVEL, t, 0.05 + 0.04 * k, name="立交桥积水1号"), out)
        rules.reading(SensorMessage("TB1", SensorType.TEMPERATURE, t, 40.0 + (k % 4), name="配电箱1号"), out)
        for n in range(3):
            rules.reading(SensorMessage(f"MH{n}", SensorType.MANHOLE, t, 1.0 + 0.2 * ((k + n) % 3),
                                        name=f"井盖{n}号"), out)
        if k < 3:
            rules.reading(SensorMessage("GS1", SensorType.GAS, t, 0.4, name="燃气1号"), out)
        live.apply(sensors=out.sensors)
        out = Outcome()
    rules.silent(W.T0, out)
    live.apply(sensors=out.sensors)


def section(kind: str) -> Any:
    return config_from_dict({"pages": [{"name": "p", "rows": 1, "columns": 1,
                                        "tiles": [{"kind": kind, "row": 0, "column": 0}]}]}).pages[0].tiles[0]


#: Kinds without a golden image: a video tile shows live frames (tests/ui/test_video_tile.py plays them).
NO_GOLDEN = {"video"}


def test_every_tile_kind_has_a_size_here() -> None:
    assert set(SIZES) | NO_GOLDEN == set(TILE_BUILDERS)


@pytest.fixture
def city(ui: Any, qloop: Any, sqlite_url: str) -> Iterator[tuple[LiveState, Store, IngestPipeline, W.Clock]]:
    """The wall's sample city (wall_data) in a store and a live state, at 10:00 on a fixed day."""
    clock = W.Clock()
    store = Store.open(sqlite_url)
    store.apply("city", territory=W.territory(), incidents=W.incidents(), alerts=W.alerts() + W.signals(),
                resources=W.resources())
    live = W.live_city(alerts=W.alerts() + W.signals())
    pipeline = IngestPipeline(config_from_dict({}), store, live)
    yield live, store, pipeline, clock
    qloop.run_until_complete(pipeline.close())
    store.close()


@pytest.mark.parametrize("kind", sorted(SIZES))
def test_tile_matches_its_golden(kind: str, city: Any, qloop: Any, qtbot: Any, update_goldens: bool,
                                 tmp_path: Path) -> None:
    live, store, pipeline, clock = city
    config = config_from_dict({"alerts": {"guidance": {"weather": "启动防汛应急预案；通知各社区网格员排查低洼地带。"}}})
    ctx = TileContext(live, config, clock)
    ctx.in_store, ctx.store = pipeline.in_store, store
    if kind == "drill":
        drills = DrillManager(store, live, clock=clock, console="golden")
        drills.start(SCENARIO, actor="张主任", reason="月度消防演练")
        for _ in range(24):                      # two minutes of the scenario: reported, accepted, dispatched
            clock.advance(seconds=5)
            drills.tick()
        ctx.drills = drills
    tile = TILE_BUILDERS[kind](ctx, section(kind))
    if kind == "sensors":
        sample_sensors(live)
    qtbot.addWidget(tile)
    tile.resize(*SIZES[kind])
    tile.show()
    qtbot.waitExposed(tile)
    if kind == "kpis":
        assert qloop.run_until_complete(tile.feed.refresh()) is not None
    tile.flush()
    check_golden(tile.grab().toImage(), kind, out_dir=tmp_path, update=update_goldens)


def test_a_changed_picture_fails_and_leaves_its_actual_and_diff(qapp: Any, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """The tolerance lets anti-aliasing noise through and stops a real change, naming the pictures it wrote."""
    from PySide6.QtGui import QColor, QImage

    import tests.support.golden as golden

    monkeypatch.setattr(golden, "GOLDEN_DIR", tmp_path / "golden")
    base = QImage(200, 100, QImage.Format.Format_RGB32)
    base.fill(QColor("#101828"))
    check_golden(base, "plain", out_dir=tmp_path, update=True)

    noisy = base.copy()
    for x in range(0, 200, 10):                  # faint noise everywhere: within the per-pixel threshold
        noisy.setPixelColor(x, 50, QColor("#1a2232"))
    check_golden(noisy, "plain", out_dir=tmp_path / "out", update=False)

    changed = base.copy()
    for x in range(40, 80):                      # a bright block: 2 % of the picture
        for y in range(0, 10):
            changed.setPixelColor(x, y, QColor("#ff0000"))
    with pytest.raises(AssertionError, match=r"2\.00% of pixels differ"):
        check_golden(changed, "plain", out_dir=tmp_path / "out", update=False)
    assert (tmp_path / "out" / "plain.actual.png").exists() and (tmp_path / "out" / "plain.diff.png").exists()
    diff = QImage(str(tmp_path / "out" / "plain.diff.png"))
    assert diff.pixelColor(50, 5) == QColor("#ff00ff") and diff.pixelColor(150, 80) != QColor("#ff00ff")
