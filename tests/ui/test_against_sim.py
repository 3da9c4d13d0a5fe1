"""The tiles and the detail panel against the simulated city over loopback (the real feed, store and
detail endpoint): every tile kind has live data, and an incident's details complete from the backend."""
from __future__ import annotations

import pytest

from commandcenter.config import config_from_dict
from commandcenter.services import IngestPipeline, LiveState
from commandcenter.store import Store
from commandcenter.ui.details import DetailController
from commandcenter.ui.tiles import TILE_BUILDERS, TileContext

sim = pytest.importorskip("commandcenter.sim")


@pytest.fixture
def city():
    # the seeds' street rate is ≈5 events an hour: extra events make "10 incidents" a matter of seconds at any hour
    s = sim.run_in_thread(profile="street", seed=7, demo_extra_events_per_s=3)
    yield s
    s.stop()


def section(kind: str):
    return config_from_dict({"pages": [{"name": "p", "rows": 1, "columns": 1,
                                        "tiles": [{"kind": kind, "row": 0, "column": 0}]}]}).pages[0].tiles[0]


def test_tiles_and_details_on_simulated_city(ui, qloop, qtbot, city, sqlite_url, eventually):
    config = config_from_dict({"feeds": [{"name": "city", "kind": "native", "url": city.url, "mode": "poll",
                                          "interval": 0.2}]})
    store = Store.open(sqlite_url)
    live = LiveState()
    pipeline = IngestPipeline(config, store, live)
    ctx = TileContext(live, config, lambda: __import__("datetime").datetime.now(__import__("datetime").timezone.utc))
    ctx.in_store, ctx.store = pipeline.in_store, store
    tiles = {k: TILE_BUILDERS[k](ctx, section(k)) for k in ("incidents", "alerts", "resources", "kpis", "map")}
    for t in tiles.values():
        qtbot.addWidget(t)
        t.resize(1200, 700)
    shown = []
    ctl = DetailController(live, shown.append, in_store=pipeline.in_store, store=store, feed_url=city.url,
                           clock=ctx.clock)

    async def scenario():   # ONE run_until_complete: httpx/anyio needs a running loop for every step
        await pipeline.start()
        try:
            assert await eventually(lambda: len(live.incidents) >= 10 and live.resources and live.territory, 15)
            for t in tiles.values():
                if hasattr(t, "model") and hasattr(t.model, "flush"):
                    t.model.flush()
            tiles["map"].flush()
            snap = await tiles["kpis"].feed.refresh()
            assert tiles["incidents"].model.rowCount() > 0
            assert tiles["resources"].model.rowCount() > 0
            assert tiles["map"].map.geo.count > 0 and tiles["map"].map.incidents.total > 0
            assert snap is not None and (snap.value("events") or 0) > 0
            inc_id = tiles["incidents"].model.incident_at(0).id
            panel = await ctl.complete("incident", inc_id)
            assert panel.state.text() == "✓ 已完整", panel.state.text()
            assert "store_ms" in ctl.timings
            assert "处置时间线" in panel.text()
        finally:
            tiles["kpis"].feed.stop()
            await ctl.aclose()
            await pipeline.close()

    try:
        qloop.run_until_complete(scenario())
    finally:
        store.close()
