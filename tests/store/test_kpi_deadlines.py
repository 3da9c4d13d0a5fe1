"""The KPIs' due clock is the config's: `[deadlines.hours]` moves 办结率 / 按期办结率 / 超期件数 exactly as it moves the
wall's countdowns, and a store whose rollups were built on other limits rebuilds them when it opens."""
from __future__ import annotations

from datetime import timedelta

from commandcenter.config import config_from_dict
from commandcenter.domain import Category, Status
from commandcenter.domain import kpis as DK
from commandcenter.domain.deadlines import Stage, category_limits, deadline_state
from commandcenter.store import Store

from tests.support.store import T0, inc, territory

H = timedelta(hours=1)
#: A centre that gives disputes 72 hours instead of the default 48.
CONFIG = config_from_dict({"deadlines": {"hours": {"dispute": 72}}})


def disputes() -> list:
    """Twelve disputes reported at T0: ten closed after 50 h (late by 48 h, in time by 72 h), two still open."""
    closed = [inc(f"d{k}", 2, at=T0, status=Status.CLOSED, accepted_at=T0 + H, dispatched_at=T0 + H,
                  closed_at=T0 + 50 * H) for k in range(10)]
    return closed + [inc(f"o{k}", 1, at=T0) for k in range(2)]


def test_the_due_clock_takes_the_configs_limits(store_url: str) -> None:
    limits = DK.limits_for_hours(CONFIG.deadlines.hours)
    assert limits["dispute"] == timedelta(hours=72) and limits["fire"] == timedelta(hours=2)
    at = T0 + 80 * H                                   # both deadlines (T0+48 h, T0+72 h) have passed
    with Store.open(store_url) as store:               # the defaults: due at T0 + 48 h, closed 2 h late
        store.apply("c", territory=territory(), incidents=disputes())
        k = store.kpis("c", T0, at)
        assert k["on_time_rate"].detail["on_time"] == 0 and k["completion_rate"].detail["due"] == 12
        default_due_h = k["overdue"].value
    with Store.open(store_url, limits=limits) as store:     # reopened on the config's limits: rebuilt
        k = store.kpis("c", T0, at)
        assert k["on_time_rate"].detail == {"on_time": 10.0, "due": 12.0, "sample": 12.0, "target": 95.0,
                                            "insufficient": 1.0, "judged_until": k["on_time_rate"].detail["judged_until"]}
        assert k["overdue"].value == default_due_h == 2
        # between the two deadlines the work is not due yet by the config: nothing judged, nothing overdue
        k = store.kpis("c", T0, T0 + 60 * H)
        assert k["completion_rate"].detail["due"] == 0 and k["overdue"].value == 0
        # new records on the config's clock too (the incremental path, not only the rebuild)
        store.apply("c", incidents=[inc("late", 1, at=T0 + H)])
        assert store.kpis("c", T0, T0 + 60 * H)["overdue"].value == 0
        assert store.kpis("c", T0, T0 + 74 * H)["overdue"].value == 3
    with Store.open(store_url) as store:               # back on the defaults: rebuilt again
        assert store.kpis("c", T0, T0 + 60 * H)["overdue"].value == 3


def test_the_kpis_and_the_walls_countdown_judge_the_same_deadline() -> None:
    """The countdown (deadlines.deadline_state with the tiles' limits) ends when the due clock counts the work."""
    limits = category_limits(CONFIG.deadlines.hours)
    d = inc("d", at=T0, category=Category.DISPUTE)
    countdown = deadline_state(d, T0 + H, limits)
    assert countdown.stage is Stage.CLOSE
    assert countdown.due_at == DK.due_at(d.reported_at, d.category, DK.limits_of(limits)) == T0 + 72 * H


def test_a_config_without_deadlines_keeps_the_stored_rollups(store_url: str) -> None:
    """The defaults' basis is the time zone alone, as before: opening such a store does not rebuild it."""
    with Store.open(store_url, limits=DK.limits_for_hours({})) as store:
        assert store.calendar.basis == store.calendar.name == DK.DEFAULT_TZ


def test_a_limit_of_part_hours_buckets_the_same_on_every_level(store_url: str) -> None:
    """Fire in 90 minutes: the due hour is the reported time plus 1.5 h, floored, for a city (its rollups) and
    for a grid (summed from its incidents at the window's edges) alike."""
    limits = DK.limits_for_hours({"fire": 1.5})
    fires = [inc(f"f{k}", 2, at=T0 + k * 20 * timedelta(minutes=1), category=Category.FIRE, status=Status.CLOSED,
                 accepted_at=T0, dispatched_at=T0, closed_at=T0 + k * 20 * timedelta(minutes=1) + H) for k in range(6)]
    with Store.open(store_url, limits=limits) as store:
        store.apply("c", territory=territory(), incidents=fires)
        for end in (T0 + 2 * H, T0 + 3 * H, T0 + 4 * H):
            city, grid = store.kpis("c", T0, end), store.kpis("g1", T0, end)
            assert city["completion_rate"].detail["due"] == grid["completion_rate"].detail["due"]
            # due at T0 + 1:30 … T0 + 3:10, each judged with its due hour, once that hour is over (by `end`)
            want = sum(1 for k in range(6) if (T0 + timedelta(minutes=90 + 20 * k)).replace(minute=0) < end)
            assert city["completion_rate"].detail["due"] == want
