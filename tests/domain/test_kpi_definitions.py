"""The KPI definitions (domain/kpis.py) on small hand-made histories: who is counted, on which clock, and what a
young period, a like-for-like comparison and too small a sample read."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone, UTC

import pytest

from commandcenter.domain import Category, Incident, ResolutionLevel, Severity, Source, Status
from commandcenter.domain import kpis as DK

CST = timezone(timedelta(hours=8))
DAY = datetime(2026, 11, 23, tzinfo=CST)        # a local day of the centre (Asia/Shanghai)
H, M = timedelta(hours=1), timedelta(minutes=1)


def ev(id: str, at: datetime, *, category: Category = Category.SAFETY_HAZARD, status: Status = Status.CLOSED,
       source: Source = Source.GRID_APP, closed_after: timedelta | None = 2 * H, **kw) -> Incident:
    """An event reported at `at`; closed `closed_after` later unless its status is open."""
    closed = None if not status.rank >= Status.CLOSED.rank or closed_after is None else at + closed_after
    return Incident(id=id, version=1, updated_at=at, reported_at=at, title=id, category=category, source=source,
                    severity=Severity.MEDIUM, status=status, grid_id="g1", closed_at=closed,
                    accepted_at=kw.pop("accepted_at", at + M), dispatched_at=kw.pop("dispatched_at", at + 2 * M), **kw)


def figs(incidents, start, end, now=None, *, withhold_small=False):
    """The raw figures of a hand-made history (the sample rule has tests of its own below)."""
    now = now or end
    return DK.figures(DK.add_up(incidents, start, end, judged_until=DK.judged_until(now)),
                      withhold_small=withhold_small)


def test_completion_judges_the_work_due_in_the_period_not_the_work_reported_in_it() -> None:
    """Safety hazards have 24 h. Twelve reported yesterday 09:00 fall due today 09:00: eleven closed in time, one
    still open. Today's own reports (open, not yet due) do not count against today."""
    yesterday = [ev(f"y{k}", DAY - 15 * H) for k in range(11)] + [ev("late", DAY - 15 * H, status=Status.HANDLING)]
    today = [ev(f"t{k}", DAY + 8 * H, status=Status.ACCEPTED) for k in range(30)]
    f = figs(yesterday + today, DAY, DAY + 10 * H + 24 * M)
    assert f["completion_rate"].value == pytest.approx(100 * 11 / 12, abs=1e-3)
    assert f["on_time_rate"].value == pytest.approx(100 * 11 / 12, abs=1e-3)
    assert f["completion_rate"].detail["due"] == 12
    assert f["events"].value == 30                      # volumes are counted on the day they were reported
    assert f["overdue"].value == 1                      # "late" is open past its deadline
    assert f["completion_rate"].detail["target"] == 99.0


def test_on_time_completion_counts_closing_by_the_deadline() -> None:
    """Ten due at 09:00 today: seven closed in 2 h, three closed 30 h after the report (6 h late)."""
    items = [ev(f"a{k}", DAY - 15 * H) for k in range(7)] + \
            [ev(f"b{k}", DAY - 15 * H, closed_after=30 * H) for k in range(3)]
    f = figs(items, DAY, DAY + 20 * H)
    assert f["completion_rate"].value == 100.0
    assert f["on_time_rate"].value == 70.0
    assert f["handling_time"].value == pytest.approx((7 * 2 + 3 * 30) / 10)   # 处置时长, hours
    assert f["overdue"].value == 0


def test_at_00_05_a_healthy_city_reads_not_enough_data_rather_than_zero() -> None:
    """At 00:05 nothing of today is judged yet (the due clock judges whole hours): every rate says so."""
    items = [ev(f"y{k}", DAY - 30 * H, status=Status.CLOSED) for k in range(50)]
    items += [ev(f"t{k}", DAY + 2 * M, status=Status.REPORTED, accepted_at=None, dispatched_at=None)
              for k in range(3)]
    f = figs(items, DAY, DAY + 5 * M, withhold_small=True)
    for key in ("completion_rate", "on_time_rate", "disposal_rate", "closed_loop_rate", "on_the_spot_rate"):
        assert f[key].value is None and f[key].detail["insufficient"] == 1.0, key
    assert f["events"].value == 3
    # the last five days, at the same moment, have plenty: the 50 fell due yesterday 18:00, all closed
    m = figs(items, DAY - 5 * 24 * H, DAY + 5 * M)
    assert m["completion_rate"].value == 100.0


def test_closed_loop_judges_the_follow_up_visits_that_fell_due() -> None:
    """The 回访 is due a day after the closing deadline: of ten due for their visit today, nine were followed up."""
    at = DAY - 24 * H - 24 * H + 3 * H          # hazard due at DAY-24h+3h, visit due at DAY+3h
    items = [ev(f"f{k}", at, status=Status.FOLLOWED_UP, satisfaction=5 if k < 8 else 2) for k in range(9)]
    items.append(ev("c", at, status=Status.CLOSED))
    f = figs(items, DAY, DAY + 12 * H)
    assert f["closed_loop_rate"].value == 90.0
    assert f["closed_loop_rate"].detail == {"followed_up": 9.0, "loop_due": 10.0, "sample": 10.0, "target": 100.0}


def test_on_the_spot_resolution_counts_disputes_only() -> None:
    """Ten disputes closed (nine on the spot, nine at grid or community level) and twenty hazards closed elsewhere:
    现场化解率 is 90 %, not 30 %."""
    at = DAY - 40 * H                               # disputes have 48 h: due today 08:00
    disputes = [ev(f"d{k}", at, category=Category.DISPUTE, on_the_spot=k < 9,
                   resolution_level=ResolutionLevel.GRID if k < 9 else ResolutionLevel.STREET) for k in range(10)]
    hazards = [ev(f"h{k}", DAY - 16 * H, resolution_level=ResolutionLevel.HIGHER) for k in range(20)]
    f = figs(disputes + hazards, DAY, DAY + 12 * H)
    assert f["on_the_spot_rate"].value == 90.0
    assert f["dispute_base_share"].value == 90.0
    assert f["completion_rate"].detail["due"] == 30


def test_acceptance_and_arrival_are_measured_over_diverted_110_calls() -> None:
    """Five 110 calls: accepted in 3 min, on scene in 10. Five grid-app reports answered in 1 h do not count."""
    calls = [ev(f"p{k}", DAY + 9 * H, source=Source.POLICE_110, accepted_at=DAY + 9 * H + 3 * M,
                arrived_at=DAY + 9 * H + 10 * M) for k in range(5)]
    slow = [ev(f"g{k}", DAY + 9 * H, accepted_at=DAY + 10 * H, arrived_at=DAY + 11 * H) for k in range(5)]
    f = figs(calls + slow, DAY, DAY + 12 * H)
    assert f["avg_acceptance_time"].value == 3.0
    assert f["avg_arrival_time"].value == 10.0
    assert f["diverted_110"].value == 5


def test_satisfaction_is_a_share_of_satisfied_people() -> None:
    items = [ev(f"s{k}", DAY + H, status=Status.FOLLOWED_UP, satisfaction=s)
             for k, s in enumerate([5, 5, 4, 4, 4, 5, 5, 3, 5, 1])]
    f = figs(items, DAY, DAY + 12 * H)
    assert f["satisfaction_rate"].value == 80.0 and f["satisfaction_rate"].unit == "%"


def test_one_ten_twenty_counts_decided_emergencies() -> None:
    """Three emergencies assessed (two within 1-10-20), one reported a minute ago and not assessed yet: it is not
    a failure, it is not decided."""
    def em(id: str, at: datetime, acc: float, arr: float, ass: float | None) -> Incident:
        return ev(id, at, category=Category.FIRE, status=Status.HANDLING, emergency=True,
                  accepted_at=at + timedelta(seconds=acc), arrived_at=at + timedelta(seconds=arr),
                  assessed_at=None if ass is None else at + timedelta(seconds=ass))
    items = [em("e1", DAY + H, 40, 400, 900), em("e2", DAY + 2 * H, 30, 500, 1100), em("e3", DAY + 3 * H, 50, 700, 1000),
             em("e4", DAY + 5 * H - M, 30, 200, None)]
    f = figs(items, DAY, DAY + 5 * H)
    assert f["one_ten_twenty_compliance"].value == pytest.approx(200 / 3, abs=1e-3)
    assert f["one_ten_twenty_compliance"].detail["emergencies"] == 4
    assert f["one_ten_twenty_compliance"].detail["decided"] == 3
    assert f["emergencies"].value == 4


def test_whistle_hotline_petitions_and_handover() -> None:
    """吹哨报到: two items called departments, which came 20 and 40 min after dispatch; 12345 items and
    first-time petitions are counted; 转办时间 is report → dispatch over every non-emergency event."""
    items = [ev("w1", DAY + H, departments=("市住建局",), dispatched_at=DAY + H + 4 * M, arrived_at=DAY + H + 24 * M),
             ev("w2", DAY + H, departments=("市水务局", "市城管局"), dispatched_at=DAY + H + 6 * M,
                arrived_at=DAY + H + 46 * M),
             ev("h1", DAY + H, source=Source.HOTLINE_12345, dispatched_at=DAY + H + 5 * M),
             ev("p1", DAY + H, category=Category.PETITION, source=Source.PETITION_VISIT, dispatched_at=DAY + H + 5 * M),
             ev("p2", DAY + H, category=Category.PETITION, source=Source.PETITION_VISIT, dispatched_at=DAY + H + 5 * M)]
    f = figs(items, DAY, DAY + 12 * H, withhold_small=True)
    assert f["whistle"].value == 2
    assert f["whistle_arrival_time"].value is None              # two: far below its sample
    assert f["whistle_arrival_time"].detail["sample"] == 2
    assert f["hotline_12345"].value == 1 and f["first_petitions"].value == 2
    f = figs(items, DAY, DAY + 12 * H)
    assert f["whistle_arrival_time"].value == 30.0
    assert f["handover_time"].value == pytest.approx((4 + 6 + 5 + 5 + 5) / 5)


def test_like_for_like_windows() -> None:
    """Today 00:00–10:24 compares with yesterday 00:00–10:24; the month's first 5 days 10:24 with the previous
    month's; the year so far with last year's same stretch."""
    now = (DAY + 10 * H + 24 * M).astimezone(UTC)
    assert DK.period_start(now, "today") == DAY
    assert DK.previous_window(now, "today") == (DAY - 24 * H, DAY - 24 * H + 10 * H + 24 * M)
    m0, m1 = DK.previous_window(now, "month")
    assert m0 == datetime(2026, 10, 1, tzinfo=CST) and m1 - m0 == now - datetime(2026, 11, 1, tzinfo=CST)
    y0, y1 = DK.previous_window(now, "year")
    assert y0 == datetime(2025, 1, 1, tzinfo=CST) and y1 - y0 == now - datetime(2026, 1, 1, tzinfo=CST)
    # March 31st's elapsed part is capped at February's end, never running into March
    late = datetime(2026, 3, 31, 12, tzinfo=CST)
    p0, p1 = DK.previous_window(late, "month")
    assert p0 == datetime(2026, 2, 1, tzinfo=CST) and p1 == datetime(2026, 3, 1, tzinfo=CST)
    assert DK.change(98.0, 99.5, "%") == -1.5
    assert DK.change(53, 78, "events") == pytest.approx(-32.0513, abs=1e-3)   # Chaohai's 初信初访, -32.05 %
    with pytest.raises(ValueError, match="unknown period"):
        DK.period_start(now, "week")


def test_every_indicator_has_a_figure_and_a_sample() -> None:
    f = DK.figures({})
    assert set(f) == {d.key for d in DK.DEFS}
    assert all("sample" in v.detail for v in f.values())
    assert f["overdue"].value == 0 and f["events"].value == 0


def test_the_minimum_sample_is_where_a_rate_or_a_mean_is_unlikely_to_read_a_tenth_off_its_target() -> None:
    """A rate: below it, a rate at its target reads more than 10 % off with a chance above ALPHA (the binomial
    itself); a mean with spread cv: n with 3·cv/sqrt(n) ≤ 0.1."""
    import math

    assert DK.BY_KEY["on_the_spot_rate"].min_sample == 54            # 96.7 %
    assert DK.BY_KEY["dispute_base_share"].min_sample == 69          # 95 %
    assert DK.BY_KEY["satisfaction_rate"].min_sample == 127          # 90 %
    assert DK.BY_KEY["completion_rate"].min_sample == 28             # 99 %: three open of 26 read 88.5 %
    assert DK.BY_KEY["closed_loop_rate"].min_sample == 28            # 100 %: judged as 99 %
    assert DK.BY_KEY["avg_acceptance_time"].min_sample == 225        # cv 0.5: (3·0.5/0.1)²
    assert DK.BY_KEY["avg_arrival_time"].min_sample == 144           # cv 0.4

    def beyond(n: int, p: float) -> float:       # misses that read below 0.9·p, counted by hand
        return sum(math.comb(n, k) * (1 - p) ** k * p ** (n - k) for k in range(n + 1) if (n - k) / n < 0.9 * p)

    for d in DK.DEFS:
        if d.unit == "%" and d.target is not None:
            p = min(d.target, 99.0) / 100
            assert beyond(d.min_sample, p) <= DK.ALPHA < beyond(d.min_sample - 1, p), d.key
        elif d.unit in ("min", "h"):
            assert 3 * DK.SPREAD[d.key] / d.min_sample ** 0.5 <= 0.1 + 1e-12, d.key


def test_six_disputes_say_not_enough_data_fifty_four_give_a_rate() -> None:
    """The 83.3 % a day with six disputes read at 03:00 (five on the spot) is noise, not a figure."""
    at = DAY - 40 * H
    six = [ev(f"d{k}", at, category=Category.DISPUTE, on_the_spot=k < 5) for k in range(6)]
    f = figs(six, DAY, DAY + 12 * H, withhold_small=True)
    assert f["on_the_spot_rate"].value is None and f["on_the_spot_rate"].detail["sample"] == 6
    many = [ev(f"d{k}", at, category=Category.DISPUTE, on_the_spot=k < 52) for k in range(54)]
    f = figs(many, DAY, DAY + 12 * H, withhold_small=True)
    assert f["on_the_spot_rate"].value == pytest.approx(100 * 52 / 54, abs=1e-3)


def test_a_long_history_adds_up_to_the_sum_of_each_record_on_its_clocks() -> None:
    """add_up passes over records too old to reach the period (the simulator's /kpis keeps every case) and still
    counts what they leave: a petition (15 days) whose 回访 falls due today, and old work still open (超期件数)."""
    old = [ev(f"o{k}", DAY - (20 + k) * 24 * H) for k in range(40)]
    still_open = ev("open", DAY - 40 * 24 * H, status=Status.HANDLING)
    petition = ev("petition", DAY - 16 * 24 * H + 3 * H, category=Category.PETITION, status=Status.FOLLOWED_UP,
                  closed_after=24 * H, satisfaction=5)
    recent = [ev(f"r{k}", DAY + k * 30 * M) for k in range(20)]
    history = old + [still_open, petition] + recent
    start, end = DAY, DAY + 12 * H
    judged = DK.judged_until(end)
    by_hand: dict[str, float] = {"overdue": 0.0}
    for x in history:
        for i, (t, sums) in enumerate(DK.clocks(x)):
            if i == 1 and t < judged and sums["due_closed"] == 0:
                by_hand["overdue"] += 1
            if start <= t < (end if i == 0 else judged):
                for k, v in sums.items():
                    by_hand[k] = by_hand.get(k, 0.0) + v
    assert DK.add_up(history, start, end, judged_until=judged) == by_hand
    assert (by_hand["overdue"], by_hand["loop_n"], by_hand["n"]) == (1, 1, 20)   # the open one, the 回访, today
