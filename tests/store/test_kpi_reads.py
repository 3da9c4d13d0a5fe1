"""The KPI read paths against a recount of the incidents themselves.

The engine sums rollups inside a window and reads a grid's partial months from the incidents table (per grid,
per hour, with drill incidents subtracted). Here random incidents, some of them drills, over three years are
recounted in Python for random windows of every length and every level of the territory: each count the engine
gives (events, per child node, per grid, per hour, per day) must be the recount's."""
from __future__ import annotations

import random
from collections import Counter
from datetime import datetime, timedelta, UTC
from zoneinfo import ZoneInfo

import pytest

from commandcenter.domain import Incident, Status
from commandcenter.store import Store

from tests.support.store import inc, territory

SHANGHAI = ZoneInfo("Asia/Shanghai")
GRIDS = {"g1": ("m1", "s1"), "g2": ("m1", "s1"), "g3": ("m2", "s1")}
START = datetime(2023, 6, 1, tzinfo=UTC)
SPAN_H = 3 * 365 * 24


def history(seed: int = 3, n: int = 600) -> list[Incident]:
    """n incidents over three years on the three grids; one in eight belongs to one of two drills, and some
    fall in the same hour (the per-hour counts add up)."""
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        at = START + timedelta(hours=rnd.randrange(SPAN_H), minutes=rnd.randrange(60))
        if i % 10 == 9:
            at = out[-1].reported_at   # a second incident in the same hour
        drill = rnd.choice(["dr1", "dr2"]) if rnd.random() < 0.125 else None
        out.append(inc(f"i{i}", at=at, grid=rnd.choice(sorted(GRIDS)), status=rnd.choice(list(Status)),
                       drill_id=drill))
    return out


CHILDREN = {"": ["c"], "c": ["d1"], "d1": ["s1"], "s1": ["m1", "m2"], "m1": ["g1", "g2"], "m2": ["g3"]}


def under(node: str, grid: str) -> bool:
    return node in ("", "c", "d1", grid) or node in GRIDS[grid]


def recount(incidents: list[Incident], node: str, w0: datetime, w1: datetime, include_drill: bool) -> dict:
    """What the KPIs must say, counted from the incidents one by one."""
    mine = [i for i in incidents if under(node, i.grid_id) and (include_drill or i.drill_id is None)]
    inside = [i for i in mine if w0 <= i.reported_at < w1]
    hour0 = max(w0, w1 - timedelta(hours=168))
    day_from = max(w0, w1 - timedelta(days=400))
    return {
        "events": len(inside),
        "per_grid": Counter(i.grid_id for i in inside),
        "per_child": Counter(c for i in inside for c in CHILDREN.get(node, []) if under(c, i.grid_id)),
        "per_hour": Counter(i.reported_at.strftime("%Y-%m-%dT%H:00Z") for i in inside if i.reported_at >= hour0),
        "per_day": Counter(i.reported_at.astimezone(SHANGHAI).date().isoformat()
                           for i in inside if i.reported_at >= day_from),
    }


def nonzero(detail: dict[str, float]) -> Counter:
    return Counter({k: int(v) for k, v in detail.items() if v})


@pytest.mark.parametrize("include_drill", [False, True])
def test_counts_per_grid_hour_and_day_equal_a_recount_of_the_incidents(store: Store, include_drill: bool) -> None:
    incidents = history()
    store.apply("f", territory=territory(), incidents=incidents)
    rnd = random.Random(17)
    lengths = [1, 5, 24, 30, 24 * 7, 24 * 31, 24 * 45, 24 * 365, 24 * 400, SPAN_H]
    for q in range(60):
        node = ["", "c", "s1", "m1", "m2", "g1", "g2", "g3"][q % 8]
        hours = lengths[q % len(lengths)]
        start = START + timedelta(hours=rnd.randrange(-24 * 30, SPAN_H - hours // 2), minutes=rnd.randrange(60))
        k = store.kpis(node, start, start + timedelta(hours=hours), include_drill=include_drill)
        w0, w1 = k["events"].window_start, k["events"].window_end
        want = recount(incidents, node, w0, w1, include_drill)
        where = f"{node or '(all)'} {w0:%Y-%m-%d %H:%M} +{hours} h"
        assert k["events"].value == want["events"], where
        grids = k["events_per_grid"].detail
        assert set(grids) == {g for g in GRIDS if under(node, g)}, where
        assert nonzero(grids) == want["per_grid"], where
        assert k["events_per_subnode"].detail == want["per_child"], where
        assert nonzero(k["trend_per_hour"].detail) == want["per_hour"], where
        assert nonzero(k["trend_per_day"].detail) == want["per_day"], where


def test_a_drill_counts_on_its_grid_only_when_drills_are_asked_for(store: Store) -> None:
    at = datetime(2025, 5, 20, 3, 10, tzinfo=UTC)
    store.apply("f", territory=territory(), incidents=[
        inc("real", at=at, grid="g1"), inc("drill", at=at + timedelta(minutes=5), grid="g1", drill_id="dr1")])
    for node in ("s1", "m1", "g1"):
        # a window whose edges are hours and days (no whole month) and one holding whole months
        for w0, w1 in ((at - timedelta(hours=30), at + timedelta(hours=2)),
                       (at - timedelta(days=70), at + timedelta(days=40))):
            real = store.kpis(node, w0, w1)
            both = store.kpis(node, w0, w1, include_drill=True)
            assert real["events_per_grid"].detail["g1"] == 1.0 and both["events_per_grid"].detail["g1"] == 2.0
            if w1 - at < timedelta(days=7):   # the hour trend covers the last 168 hours of the window
                assert real["trend_per_hour"].detail["2025-05-20T03:00Z"] == 1.0
                assert both["trend_per_hour"].detail["2025-05-20T03:00Z"] == 2.0
            assert real["trend_per_day"].detail["2025-05-20"] == 1.0
            assert both["trend_per_day"].detail["2025-05-20"] == 2.0
