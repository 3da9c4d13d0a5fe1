"""PNG snapshots of every tile kind, the banner and a detail panel, rendered offscreen with the shipped CJK font.

Written to /tmp/tile-<kind>.png for a person to look at; the test checks they are non-trivial pictures."""
from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtGui import QImage

from commandcenter.config import config_from_dict
from commandcenter.services import IngestPipeline
from commandcenter.store import Store
from commandcenter.ui.banner import AlertBanner
from commandcenter.ui.details import DetailController
from commandcenter.ui.tiles import TILE_BUILDERS, TileContext

from tests.support import wall_data as W

SIZES = {"incidents": (1280, 900), "alerts": (1280, 450), "resources": (1280, 650), "kpis": (3000, 650),
         "map": (1280, 900)}


def section(kind: str):
    return config_from_dict({"pages": [{"name": "p", "rows": 1, "columns": 1,
                                        "tiles": [{"kind": kind, "row": 0, "column": 0}]}]}).pages[0].tiles[0]


def distinct_colours(img: QImage, step: int = 7) -> int:
    seen = set()
    for y in range(0, img.height(), step):
        for x in range(0, img.width(), step):
            seen.add(img.pixel(x, y))
    return len(seen)


@pytest.fixture
def city(ui, clock, qloop, sqlite_url):
    store = Store.open(sqlite_url)
    incs = W.incidents() + [W.incident(f"X{i}", 1 + i % 6, minutes_ago=20 + 37 * i, category=c,
                                       status=s, closed_at=W.T0 - timedelta(minutes=5) if s.value == "closed" else None)
                            for i, (c, s) in enumerate(zip(
                                list(__import__("commandcenter.domain", fromlist=["Category"]).Category) * 3,
                                list(__import__("commandcenter.domain", fromlist=["Status"]).Status) * 6, strict=False))]
    store.apply("city", territory=W.territory(), incidents=incs)
    live = W.live_city(incidents=incs)
    pipeline = IngestPipeline(config_from_dict({}), store, live)
    yield live, store, pipeline
    qloop.run_until_complete(pipeline.close())
    store.close()


def test_render_every_tile(city, clock, qloop, qtbot):
    live, store, pipeline = city
    config = config_from_dict({"alerts": {"guidance": {"weather": "启动防汛应急预案；通知各社区网格员排查低洼地带。"}}})
    ctx = TileContext(live, config, clock)
    ctx.in_store, ctx.store = pipeline.in_store, store
    written = []
    for kind, (w, h) in SIZES.items():
        tile = TILE_BUILDERS[kind](ctx, section(kind))
        qtbot.addWidget(tile)
        tile.resize(w, h)
        tile.show()
        qtbot.waitExposed(tile)
        if kind == "kpis":
            assert qloop.run_until_complete(tile.feed.refresh()) is not None
        if hasattr(tile, "flush"):
            tile.flush()
        img = tile.grab().toImage()
        path = f"/tmp/tile-{kind}.png"
        assert img.save(path)
        written.append(path)
        assert distinct_colours(img) > 8, kind
    board = ctx.alert_board
    banner = AlertBanner(board)
    qtbot.addWidget(banner)
    banner.resize(2400, 60)
    banner.scale(18)
    banner.show()
    assert banner.grab().toImage().save("/tmp/tile-banner.png")
    shown = []
    ctl = DetailController(live, shown.append, in_store=pipeline.in_store, store=store, clock=clock,
                           guidance=dict(config.alerts.guidance), alert_actions=ctx.alerts.actions)
    for kind, rid in (("incident", "E1"), ("grid", "G1"), ("alert", "A4")):
        panel = qloop.run_until_complete(ctl.complete(kind, rid))
        qtbot.addWidget(panel)
        panel.resize(900, 1000)
        panel.scale(14)
        panel.show()
        assert panel.grab().toImage().save(f"/tmp/tile-detail-{kind}.png")
    assert len(written) == 5
