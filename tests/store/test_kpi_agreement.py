"""The simulator's `/kpis` and the wall's KPI engine agree on the same data: both are domain/kpis.py's figures, one
from the simulated truth, the other from the store's rollups (and a grid's incidents at the window's edges)."""
from __future__ import annotations

from datetime import timedelta

import pytest

from commandcenter.domain import decode_incident
from commandcenter.domain import kpis as DK
from commandcenter.sim import SimServer
from commandcenter.store import Store


@pytest.fixture(scope="module")
def sim() -> SimServer:
    """A street with four simulated days of history (every clock has work due in it)."""
    s = SimServer(profile="street", seed=3, history_hours=96)
    s.build()
    return s


def _same(a, b) -> None:
    assert set(a) <= set(b)
    for key, v in a.items():
        w = b[key]
        assert (v.value is None) == (w.value is None), key
        if v.value is not None:
            assert w.value == pytest.approx(v.value, abs=1e-3), key
        got = {k: x for k, x in w.detail.items() if k != "judged_until"}
        assert got == pytest.approx(v.detail, abs=1e-3), key


def test_the_simulators_kpis_and_the_walls_agree(sim: SimServer, store: Store) -> None:
    world = sim.world
    latest = [decode_incident(r) for _, r in sim.log.index["incident"].latest.values()]
    store.apply("sim", territory=list(world.city.nodes.values()), incidents=latest)
    now = world.now_dt
    root = world.city.root.id
    grid = latest[0].grid_id
    for period in DK.PERIODS:
        start = DK.period_start(now, period)
        _same(world.kpis.figures(start, now), store.kpis(root, start, now))
    # windows not on whole hours, the whole history, and one grid (read from its incidents at the edges)
    for start, end in ((now - timedelta(hours=50, minutes=17), now - timedelta(minutes=33)),
                       (now - timedelta(days=30), now)):
        _same(world.kpis.figures(start, end), store.kpis(root, start, end))
        w0, w1 = DK.hour_window(start, end)
        want = DK.figures(DK.add_up([i for i in latest if i.grid_id == grid and i.drill_id is None], w0, w1,
                                    judged_until=DK.judged_until(end)))
        _same(want, store.kpis(grid, start, end))
    # what the simulator serves at /kpis is the same figures for today
    served = {v["name"]: v["value"] for v in world.kpis.snapshot()["items"]}
    today = store.kpis(root, DK.period_start(now, "today"), now)
    for d in DK.DEFS:
        assert (served[d.key] is None) == (today[d.key].value is None)
        if served[d.key] is not None:
            assert today[d.key].value == pytest.approx(served[d.key], abs=1e-3)
