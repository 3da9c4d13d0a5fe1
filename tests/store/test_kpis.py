"""KPI values against hand-computed figures on a fixed small scenario (the arithmetic is in the comments)."""
from __future__ import annotations

import dataclasses
import random
from datetime import datetime, timedelta, timezone, UTC

import pytest

from commandcenter.domain import Category, ResolutionLevel, Status
from commandcenter.store import Store, StoreError
from commandcenter.store.kpi import decompose
from commandcenter.store.rollup import GRAIN_DAY, GRAIN_HOUR, Calendar

from tests.support.store import T0, inc, territory

D0 = datetime(2026, 3, 2, tzinfo=UTC)
D1 = D0 + timedelta(days=1)
M = timedelta(minutes=1)


def scenario() -> list:
    """Six real incidents on 2026-03-02, one drill, one the day before, two a year before."""
    return [
        inc("a", 3, at=T0, status=Status.FOLLOWED_UP, grid="g1", accepted_at=T0 + 2 * M, arrived_at=T0 + 10 * M,
            closed_at=T0 + 60 * M, on_the_spot=True, resolution_level=ResolutionLevel.GRID, satisfaction=5),
        inc("b", 2, at=T0 + 60 * M, status=Status.CLOSED, grid="g1", accepted_at=T0 + 64 * M,
            arrived_at=T0 + 80 * M, closed_at=T0 + 200 * M, resolution_level=ResolutionLevel.COMMUNITY),
        inc("c", 2, at=T0 + 90 * M, status=Status.HANDLING, grid="g2", category=Category.UTILITIES,
            accepted_at=T0 + 96 * M),
        inc("d", 4, at=T0 + 120 * M, status=Status.FOLLOWED_UP, grid="g3", category=Category.FIRE, emergency=True,
            accepted_at=T0 + 120 * M + timedelta(seconds=30), arrived_at=T0 + 128 * M, assessed_at=T0 + 135 * M,
            closed_at=T0 + 180 * M, on_the_spot=True, resolution_level=ResolutionLevel.STREET, satisfaction=3),
        inc("e", 3, at=T0 + 180 * M, status=Status.CLOSED, grid="g3", category=Category.FLOOD, emergency=True,
            accepted_at=T0 + 180 * M + timedelta(seconds=50), arrived_at=T0 + 192 * M, assessed_at=T0 + 198 * M,
            closed_at=T0 + 300 * M, resolution_level=ResolutionLevel.HIGHER),
        inc("f", 1, at=T0 + 240 * M, status=Status.REPORTED, grid="g2", category=Category.PETITION),
        inc("x", 2, at=T0, status=Status.CLOSED, grid="g1", drill_id="dr1", closed_at=T0 + 5 * M),
        inc("before", 1, at=D0 - 60 * M, status=Status.CLOSED, grid="g1"),
        inc("ly1", 1, at=datetime(2025, 3, 2, 10, tzinfo=UTC), grid="g1", category=Category.PETITION),
        inc("ly2", 1, at=datetime(2025, 3, 2, 12, tzinfo=UTC), grid="g3"),
    ]


def values(store: Store, node: str = "c", **kw) -> dict:
    return {k: v.value for k, v in store.kpis(node, D0, D1, **kw).items()}


def check_city(store: Store, node: str) -> None:
    k = store.kpis(node, D0, D1)
    v = {n: x.value for n, x in k.items()}
    assert v["events"] == 6
    # the due clock judges the work due in the window: d (fire, 2 h) and e (flood, 6 h), both closed in time;
    # two are below the sample a rate needs, so the rates read "not enough data" with their counts in detail
    assert k["completion_rate"].detail == {"closed": 2.0, "due": 2.0, "sample": 2.0, "target": 99.0,
                                           "insufficient": 1.0, "judged_until": D1.timestamp()}
    assert v["completion_rate"] is None
    assert v["overdue"] == 2                                        # ly1 and ly2, a year old and still open
    assert k["on_time_rate"].detail["on_time"] == 2 and k["disposal_rate"].detail["disposed"] == 2
    assert k["closed_loop_rate"].detail["loop_due"] == 0          # their visits are due a day after the deadline
    assert k["on_the_spot_rate"].detail["disputes_closed"] == 0   # a and b, disputes, fall due on the 4th
    assert v["resolution_level_share"] == pytest.approx(50.0)               # grid + community = 2 of 4
    assert k["resolution_level_share"].detail == {"grid": 25.0, "community": 25.0, "street": 25.0, "higher": 25.0,
                                                  "resolved_with_level": 4.0}
    assert v["avg_acceptance_time"] is None and v["avg_arrival_time"] is None   # no call diverted from 110
    assert v["one_ten_twenty_compliance"] is None                  # 2 emergencies: below the sample of 3
    assert k["one_ten_twenty_compliance"].detail == {"emergencies": 2.0, "decided": 2.0, "compliant": 1.0,
                                                     "response_met": 2.0, "arrival_met": 1.0, "assessment_met": 2.0,
                                                     "sample": 2.0, "target": 95.0, "insufficient": 1.0}
    assert v["first_petitions"] == 1 and v["emergencies"] == 2
    assert v["satisfaction"] == pytest.approx(4.0)                          # (5 + 3) / 2
    assert k["satisfaction"].detail["satisfied_share"] == pytest.approx(50.0)
    cats = k["events_per_category"].detail
    assert (cats["dispute"], cats["utilities"], cats["fire"], cats["flood"], cats["petition"], cats["other"]) == (2, 1, 1, 1, 1, 0)
    assert k["events_per_grid"].detail == {"g1": 2.0, "g2": 2.0, "g3": 2.0}
    hours = {h: c for h, c in k["trend_per_hour"].detail.items() if c}
    assert hours == {"2026-03-02T08:00Z": 1, "2026-03-02T09:00Z": 2, "2026-03-02T10:00Z": 1,
                     "2026-03-02T11:00Z": 1, "2026-03-02T12:00Z": 1}
    assert len(k["trend_per_hour"].detail) == 24
    # days are Asia/Shanghai days: the UTC day 2026-03-02 is 08:00 on the 2nd .. 08:00 on the 3rd, local
    assert k["trend_per_day"].detail == {"2026-03-02": 6.0, "2026-03-03": 0.0}
    assert v["change_vs_last_year"] == pytest.approx(200.0)                 # 6 now against 2 on 2025-03-02
    assert k["change_vs_last_year"].detail["petitions_change"] == 0.0       # 1 against 1
    assert k["events"].window_start == D0 and k["events"].window_end == D1


def test_city_kpis_match_hand_computed(store: Store) -> None:
    store.apply("f", territory=territory(), incidents=scenario())
    check_city(store, "c")
    check_city(store, "")
    assert store.kpis("c", D0, D1)["events_per_subnode"].detail == {"d1": 6.0}


def test_lower_nodes_and_drill(store: Store) -> None:
    store.apply("f", territory=territory(), incidents=scenario())
    m1 = values(store, "m1")
    assert m1["events"] == 4
    # a, b, "before" (disputes, 48 h) and c (utilities, 24 h) fall due in these four days; c is still open
    wide = store.kpis("m1", D0, D0 + timedelta(days=4))
    assert (wide["completion_rate"].detail["closed"], wide["completion_rate"].detail["due"]) == (3, 4)
    assert wide["overdue"].value == 2                                                  # c, and ly1 of last year
    assert store.kpis("s1", D0, D1)["events_per_subnode"].detail == {"m1": 4.0, "m2": 2.0}
    g3 = values(store, "g3")
    g3k = store.kpis("g3", D0, D1)["one_ten_twenty_compliance"].detail
    assert g3["events"] == 2 and (g3k["compliant"], g3k["decided"]) == (1, 2)
    assert values(store, "c", include_drill=True)["events"] == 7
    assert values(store, "c")["events"] == 6
    empty = values(store, "g2", )
    assert empty["avg_arrival_time"] is None and empty["satisfaction"] is None and empty["satisfaction_rate"] is None
    # the drill is deleted: its rollups go with it
    assert store.delete_drill("dr1") == 1
    assert values(store, "c", include_drill=True)["events"] == 6


def test_territory_after_incidents_and_incremental_updates(store: Store) -> None:
    store.apply("f", incidents=scenario())          # no territory yet: only grids and "" know them
    assert values(store, "")["events"] == 6
    assert values(store, "m1")["events"] == 0
    store.apply("f", territory=territory())         # hierarchy arrives: rollups follow it
    check_city(store, "c")
    # a newer version moves its contribution, an older one changes nothing
    f2 = dataclasses.replace(scenario()[5], version=2, status=Status.CLOSED, closed_at=T0 + 300 * M)
    store.apply("f", incidents=[f2, dataclasses.replace(scenario()[0], version=1, status=Status.REPORTED)])
    v = values(store, "c")
    assert v["events"] == 6
    # the six and "before" fell due in these 20 days; f (petition, 15 days) is closed now, c is not
    later = store.kpis("c", D0, D0 + timedelta(days=20))
    assert (later["completion_rate"].detail["closed"], later["completion_rate"].detail["due"]) == (6, 7)
    assert later["disposal_rate"].detail["disposed"] == 7
    # moving g2 under m2 moves its events
    g2 = dataclasses.replace(territory()[6], parent_id="m2")
    store.apply("f", territory=[g2])
    assert values(store, "m1")["events"] == 2 and values(store, "m2")["events"] == 4
    # incremental rollups equal a full rebuild
    before = {k: (v.value, v.detail) for k, v in store.kpis("c", D0 - timedelta(days=400), D1).items()}
    store.rebuild_rollups()
    after = {k: (v.value, v.detail) for k, v in store.kpis("c", D0 - timedelta(days=400), D1).items()}
    assert before == after


def test_long_windows_use_coarse_buckets(store: Store) -> None:
    store.apply("f", territory=territory(), incidents=scenario())
    k = store.kpis("", datetime(2025, 1, 1, 5, tzinfo=UTC), datetime(2026, 12, 31, 7, tzinfo=UTC))
    assert k["events"].value == 9             # everything real, both years
    assert len(k["trend_per_day"].detail) == 401     # the last 400×24 hours touch 401 calendar days
    assert len(k["trend_per_hour"].detail) == 168


@pytest.mark.parametrize("tz", ["Asia/Shanghai", "UTC", "Europe/Berlin"])
def test_decompose_covers_every_hour_once(tz: str) -> None:
    cal = Calendar(tz)
    rnd = random.Random(5)
    base = int(datetime(2024, 1, 1, tzinfo=UTC).timestamp()) // 3600
    for _ in range(300):
        hs = base + rnd.randrange(0, 24 * 800)
        he = hs + rnd.choice([0, 1, 5, 23, 24, 25, 48, 24 * 31, 24 * 70, rnd.randrange(0, 24 * 900)])
        covered: list[int] = []
        for grain, lo, hi in decompose(hs, he, cal):
            for b in range(lo, hi):
                if grain == GRAIN_HOUR:
                    covered.append(b)
                elif grain == GRAIN_DAY:
                    covered.extend(range(cal.day_start(b), cal.day_start(b + 1)))
                else:
                    covered.extend(range(cal.day_start(cal.month_start(b)), cal.day_start(cal.month_start(b + 1))))
        assert sorted(covered) == list(range(hs, he))
        assert len(decompose(hs, he, cal)) <= 5


def test_a_day_is_the_local_day_of_the_command_center(store: Store) -> None:
    """23:30 on 2026-11-23 in Shanghai is 15:30 UTC: it counts on the 23rd, and 00:30 on the 24th does not."""
    cst = timezone(timedelta(hours=8))
    store.apply("f", territory=territory(), incidents=[
        inc("late", at=datetime(2026, 11, 23, 23, 30, tzinfo=cst)),
        inc("next", at=datetime(2026, 11, 24, 0, 30, tzinfo=cst))])
    day23 = store.kpis("c", datetime(2026, 11, 23, tzinfo=cst), datetime(2026, 11, 24, tzinfo=cst))
    assert day23["events"].value == 1
    assert day23["trend_per_day"].detail == {"2026-11-23": 1.0}
    whole = store.kpis("c", datetime(2026, 11, 1, tzinfo=cst), datetime(2026, 12, 1, tzinfo=cst))
    assert whole["trend_per_day"].detail["2026-11-23"] == 1.0
    assert whole["trend_per_day"].detail["2026-11-24"] == 1.0


def test_reopening_in_another_time_zone_rebuilds_the_day_rollups(store_url: str) -> None:
    at = datetime(2026, 11, 23, 20, 0, tzinfo=UTC)    # the 23rd in UTC, the 24th (04:00) in Shanghai
    with Store.open(store_url) as s:
        s.apply("f", territory=territory(), incidents=[inc("a", at=at)])
        assert s.kpis("c", at - timedelta(days=3), at + timedelta(days=3))["trend_per_day"].detail["2026-11-24"] == 1
    with Store.open(store_url, tz="UTC") as s:
        days = s.kpis("c", at - timedelta(days=3), at + timedelta(days=3))["trend_per_day"].detail
        assert days["2026-11-23"] == 1 and days["2026-11-24"] == 0
        assert s.kpis("c", at - timedelta(days=3), at + timedelta(days=3))["events"].value == 1


def test_a_time_zone_without_whole_hour_offsets_is_refused(store_url: str) -> None:
    with pytest.raises(StoreError, match="whole-hour"):
        Store.open(store_url, tz="Asia/Kolkata")
    with pytest.raises(StoreError, match="unknown time zone"):
        Store.open(store_url, tz="Mars/Olympus")


def test_deleting_one_drill_keeps_the_other_drills_due_sums(store: Store) -> None:
    """A due bucket's rollup row has no events of its own (n = 0): deleting one drill must not take another
    drill's due-clock sums with the empty rows it clears."""
    store.apply("f", territory=territory(), incidents=[
        inc("x1", at=T0, status=Status.CLOSED, closed_at=T0 + M, drill_id="dr1", category=Category.FIRE),
        inc("y1", at=T0, status=Status.CLOSED, closed_at=T0 + M, drill_id="dr2", category=Category.FIRE)])
    window = (D0, D0 + timedelta(days=2))
    assert store.kpis("c", *window, include_drill=True)["completion_rate"].detail["due"] == 2
    store.delete_drill("dr1")
    assert store.kpis("c", *window, include_drill=True)["completion_rate"].detail["due"] == 1
    before = {k: v.detail for k, v in store.kpis("c", *window, include_drill=True).items()}
    store.rebuild_rollups()
    assert {k: v.detail for k, v in store.kpis("c", *window, include_drill=True).items()} == before
