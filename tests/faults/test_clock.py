"""The system clock jumping forward and back (the clock is injected; no sleeping tricks)."""
from __future__ import annotations

import asyncio
from datetime import timedelta

from commandcenter.domain import FeedState
from commandcenter.services import IngestPipeline, LiveState
from commandcenter.store import Store
from commandcenter.ui.models.incidents import IncidentTableModel

from tests.support.faults import incident, sse_config, store_versions, utcnow


class Clock:
    def __init__(self):
        self.offset = timedelta(0)

    def __call__(self):
        return utcnow() + self.offset


def order(model) -> list[str]:
    return [model.incident_at(r).id for r in range(model.rowCount())]


def test_incident_table_follows_clock_jumps_like_a_fresh_table(qapp):
    clock = Clock()
    live = LiveState()
    live.apply(incidents=[incident(i, prefix="c") for i in range(200)])
    model = IncidentTableModel(live, clock=clock, flush_ms=0)
    model.flush()
    before = order(model)

    def fresh() -> list[str]:
        m = IncidentTableModel(live, clock=clock, flush_ms=0)
        m.flush()
        out = order(m)
        m.deleteLater()
        return out

    for jump in (timedelta(days=3), timedelta(days=-3), timedelta(hours=-30), timedelta(days=20), timedelta(0)):
        clock.offset = jump
        model.tick()
        assert order(model) == fresh(), f"order after a jump of {jump} differs from a table built at that time"
    assert order(model) == before
    clock.offset = timedelta(days=3)
    model.tick()
    assert model.deadline_at(0).level.value == "overdue"       # jumped forward: overdue rows lead
    clock.offset = timedelta(0)
    model.tick()
    assert model.deadline_at(0).level.value != "overdue"       # and back: no stale overdue left at the top


def test_feed_health_and_ingest_survive_clock_jumps(qloop, city, tmp_path):
    clock = Clock()
    path = tmp_path / "wall.db"
    store = Store.open(f"sqlite:///{path}")
    live = LiveState()
    pipeline = IngestPipeline(sse_config(city.url), store, live, clock=clock)
    states: dict[str, FeedState] = {}

    async def scenario():
        await pipeline.start()
        city.publish([incident(i, prefix="t") for i in range(50)])
        await asyncio.sleep(1.5)
        states["normal"] = live.health["city"].state
        clock.offset = timedelta(hours=2)                     # forward: silence looks long → not live
        await asyncio.sleep(1.3)
        states["forward"] = live.health["city"].state
        clock.offset = timedelta(hours=-2)                    # back past the last message: must not crash
        city.publish([incident(i, prefix="t") for i in range(50, 100)])
        await asyncio.sleep(1.3)
        states["back"] = live.health["city"].state
        clock.offset = timedelta(0)
        city.publish([incident(i, prefix="t") for i in range(100, 150)])
        for _ in range(50):
            await asyncio.sleep(0.1)
            if len(store_versions(path)) >= 150:
                break
        await asyncio.sleep(1.2)
        states["restored"] = live.health["city"].state
        await pipeline.close()

    qloop.run_until_complete(asyncio.wait_for(scenario(), 40))
    assert states["normal"] is FeedState.LIVE
    assert states["forward"] is not FeedState.LIVE
    assert states["restored"] is FeedState.LIVE
    assert set(store_versions(path)) == {f"t-{i}" for i in range(150)}
    store.close()
