"""The KPIs as the centres count them: who is counted (population), on which clock, and the figure from the sums.

One definition shared by the simulator's `/kpis` and the wall's KPI engine (docs/kpis.md has the seed figure of
each). Every incident contributes named sums on up to three clocks:

- **reported** (`reported_at`): volumes (events, 12345 items, diverted 110 calls, first-time petitions,
  吹哨报到) and response times (acceptance, arrival, hand-over), 1-10-20 of emergencies, satisfaction;
- **due** (`due_at` = reported + the category's time limit): the work that fell due in a period, whatever day it
  was reported; completion (办结率), on-time completion (按期办结率), disposal (处置率), overdue count, the
  dispute resolution rates. A young day is never "incomplete": only work already due is judged;
- **loop** (`due_at` + LOOP_GRACE): the follow-up visit (回访) that closes the loop is due a day after the
  closing deadline; 闭环管理率 judges the loops that fell due.

A period's figures are the sums of the buckets of each clock inside it, so a store can keep them as rollups and
a simulator can add them up from its own records: the same sums give the same figures (`figures`).
Pure: no IO; the caller passes the time.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta, UTC
from typing import Any
from collections.abc import Iterable, Mapping

from .deadlines import ARRIVAL, DEFAULT_CATEGORY_LIMITS, FIRST_ASSESSMENT, RESPONSE_START, category_limits
from .enums import Category, ResolutionLevel, Source, Status
from .models import KpiValue

#: The follow-up visit closing the loop is due this long after the closing deadline.
LOOP_GRACE = timedelta(hours=24)
#: The time allowed to close each category (category value → limit): the due clock. The defaults unless a
#: config's `[deadlines.hours]` says otherwise (deadlines.category_limits).
Limits = Mapping[str, timedelta]
DEFAULT_LIMITS: Limits = {c.value: lim for c, lim in DEFAULT_CATEGORY_LIMITS.items()}


def limits_of(category_limits: Mapping[Any, timedelta] | None) -> dict[str, timedelta]:
    """Limits keyed by category value, from deadlines.category_limits() (None: the defaults)."""
    return dict(DEFAULT_LIMITS) if category_limits is None else {str(Category(c).value): t
                                                                 for c, t in category_limits.items()}


def limits_for_hours(hours: Mapping[Any, float] | None) -> dict[str, timedelta]:
    """The due clock of a config's `[deadlines.hours]` (the same limits as the wall's countdowns)."""
    return limits_of(category_limits(hours))


def max_shift(limits: Limits = DEFAULT_LIMITS) -> timedelta:
    """The longest shift from `reported_at` to another clock (the longest limit plus the loop's grace)."""
    return max(limits.values()) + LOOP_GRACE


#: The longest shift with the default limits (petitions' 15 days plus the loop's grace).
MAX_SHIFT = max_shift()

REPORTED, DUE, LOOP = "reported", "due", "loop"

#: Sums on the reported clock (besides the store's older reported-clock sums: n, sat_n, sat_good, em_*, cat_*).
REPORTED_SUMS = (
    "p110_n", "p110_acc_n", "p110_acc_s", "p110_arr_n", "p110_arr_s",
    "h12345_n", "hand_n", "hand_s", "whistle_n", "whistle_arr_n", "whistle_arr_s", "em_dec",
)
DUE_SUMS = (
    "due_n", "due_closed", "due_on_time", "due_disposed", "due_close_s",
    "disp_closed", "disp_on_spot", "disp_lvl", "disp_base",
)
LOOP_SUMS = ("loop_n", "loop_followed")
#: The sums that hold seconds (floats); every other sum is a count.
FLOAT_SUMS = ("p110_acc_s", "p110_arr_s", "hand_s", "whistle_arr_s", "due_close_s")

_CLOSED = frozenset((Status.CLOSED.value, Status.FOLLOWED_UP.value))
_FOLLOWED = Status.FOLLOWED_UP.value
_DISPOSED_RANK = Status.DISPATCHED.rank
_RANK = {s.value: s.rank for s in Status}
_BASE_LEVELS = frozenset((ResolutionLevel.GRID.value, ResolutionLevel.COMMUNITY.value))
_P110, _H12345, _DISPUTE = Source.POLICE_110.value, Source.HOTLINE_12345.value, Category.DISPUTE.value
_RESP, _ARR, _ASS = RESPONSE_START.total_seconds(), ARRIVAL.total_seconds(), FIRST_ASSESSMENT.total_seconds()


def _aware(t: datetime) -> datetime:
    return t if t.tzinfo is not None else t.replace(tzinfo=UTC)


def _secs(a: datetime | None, b: datetime) -> float | None:
    """Seconds from b to a; None if a is missing or before b."""
    if a is None:
        return None
    s = (_aware(a) - b).total_seconds()
    return s if s >= 0 else None


def due_at(reported_at: datetime, category: Any, limits: Limits = DEFAULT_LIMITS) -> datetime:
    """When the work must be closed: reported + the category's limit."""
    return _aware(reported_at) + limits[category]


def reported_sums(x: Any) -> tuple[float, ...]:
    """REPORTED_SUMS of one incident: an Incident, or any object with its attributes (`departments_n` may stand
    for `departments`). Status, category and source may be enums or their string values."""
    rep = _aware(x.reported_at)
    emergency = bool(x.emergency)
    p110 = x.source == _P110 and not emergency
    acc = _secs(x.accepted_at, rep) if p110 else None
    arr = _secs(x.arrived_at, rep) if p110 else None
    hand = None if emergency else _secs(x.dispatched_at, rep)
    whistle = _departments(x) > 0
    w_arr = None
    if whistle and x.dispatched_at is not None:
        w_arr = _secs(x.arrived_at, _aware(x.dispatched_at))
    decided = emergency and (x.assessed_at is not None or x.status in _CLOSED)
    return (
        float(p110), float(acc is not None), acc or 0.0, float(arr is not None), arr or 0.0,
        float(x.source == _H12345), float(hand is not None), hand or 0.0,
        float(whistle), float(w_arr is not None), w_arr or 0.0, float(decided),
    )


def due_sums(x: Any, limits: Limits = DEFAULT_LIMITS) -> tuple[float, ...]:
    """DUE_SUMS of one incident (counted in the bucket of its `due_at`)."""
    status = x.status
    closed = status in _CLOSED
    rep = _aware(x.reported_at)
    due = due_at(rep, x.category, limits)
    on_time = closed and x.closed_at is not None and _aware(x.closed_at) <= due
    close_s = _secs(x.closed_at, rep) if closed else None
    dispute_closed = closed and x.category == _DISPUTE
    level = x.resolution_level
    return (
        1.0, float(closed), float(on_time), float(_RANK[status] >= _DISPOSED_RANK), close_s or 0.0,
        float(dispute_closed), float(dispute_closed and bool(x.on_the_spot)),
        float(dispute_closed and level is not None), float(dispute_closed and level in _BASE_LEVELS),
    )


def loop_sums(x: Any) -> tuple[float, ...]:
    """LOOP_SUMS of one incident (counted when its follow-up visit is due: `due_at` + LOOP_GRACE)."""
    return 1.0, float(x.status == _FOLLOWED)


def _departments(x: Any) -> int:
    n = getattr(x, "departments_n", None)
    return int(n or 0) if n is not None else len(getattr(x, "departments", ()) or ())


def base_sums(x: Any) -> dict[str, float]:
    """The reported-clock sums the store kept before this module (n, satisfaction, emergencies, petitions)."""
    em = bool(x.emergency)
    rep = _aware(x.reported_at)
    acc, arr, ass = _secs(x.accepted_at, rep), _secs(x.arrived_at, rep), _secs(x.assessed_at, rep)
    r_ok, a_ok, s_ok = (acc is not None and acc <= _RESP), (arr is not None and arr <= _ARR), \
        (ass is not None and ass <= _ASS)
    sat = x.satisfaction
    return {
        "n": 1.0, "em_n": float(em), "em_ok": float(em and r_ok and a_ok and s_ok),
        "em_resp_ok": float(em and r_ok), "em_arr_ok": float(em and a_ok), "em_ass_ok": float(em and s_ok),
        "sat_n": float(sat is not None), "sat_good": float(sat is not None and sat >= 4),
        "cat_petition": float(x.category == Category.PETITION.value),
    }


def clocks(x: Any, limits: Limits = DEFAULT_LIMITS) -> list[tuple[datetime, dict[str, float]]]:
    """(time, sums) of one incident on each clock: everything a period containing that time counts of it."""
    rep = _aware(x.reported_at)
    rs = base_sums(x)
    rs.update(zip(REPORTED_SUMS, reported_sums(x), strict=True))
    due = due_at(rep, x.category, limits)
    return [(rep, rs), (due, dict(zip(DUE_SUMS, due_sums(x, limits), strict=True))),
            (due + LOOP_GRACE, dict(zip(LOOP_SUMS, loop_sums(x), strict=True)))]   # the 回访 is due a day after the deadline


def add_up(incidents: Iterable[Any], start: datetime, end: datetime, *, judged_until: datetime | None = None,
           limits: Limits = DEFAULT_LIMITS) -> dict[str, float]:
    """The sums of a period from records: reported-clock sums of [start, end), due and loop sums of
    [start, min(end, judged_until)) (only work already due is judged), and `overdue` = work open past its
    deadline at `judged_until` (whatever the period)."""
    judged = min(end, judged_until) if judged_until is not None else end
    out: dict[str, float] = {}
    overdue = 0.0
    # a record reported before this has all its clocks before `start`: only its overdue count can remain
    horizon = start - max_shift(limits)
    for x in incidents:
        if _aware(x.reported_at) < horizon:
            if x.status not in _CLOSED and due_at(x.reported_at, x.category, limits) < (judged_until or end):
                overdue += 1
            continue
        for i, (t, sums) in enumerate(clocks(x, limits)):
            lo, hi = (start, end) if i == 0 else (start, judged)
            if i == 1 and t < (judged_until or end) and sums["due_closed"] == 0:
                overdue += 1
            if lo <= t < hi:
                for k, v in sums.items():
                    out[k] = out.get(k, 0.0) + v
    out["overdue"] = overdue
    return out


#: A figure is shown when it is unlikely to read more than this share off its target by chance alone (the ±10 %
#: the seeds' figures are checked to): below that sample the card says "not enough data" and widens its window.
TOLERANCE = 0.10
Z = 3.0
#: The chance of reading beyond the tolerance that a sample may leave: the one-sided tail beyond Z standard errors.
ALPHA = 0.00135
#: A rate is never judged against a perfect one: its spread is taken at no more than this rate.
_RATE_CEILING = 0.99
#: The smallest sample of a rate, whatever its target.
MIN_RATE_SAMPLE = 10


def _binomial_tail_beyond(n: int, p: float) -> float:
    """The chance that a rate of n items, each met with probability p, reads more than TOLERANCE off p."""
    q = 1.0 - p
    lo = n * (1 - (1 - TOLERANCE) * p)            # more misses than this reads below (1 − TOL)·p
    hi = n * (1 - (1 + TOLERANCE) * p)            # fewer than this reads above (1 + TOL)·p
    return sum(math.comb(n, k) * q ** k * p ** (n - k) for k in range(n + 1) if k > lo or k < hi)


def min_sample_for_rate(target_pct: float) -> int:
    """The smallest n from which a rate at its target reads within TOLERANCE of it but with a chance below ALPHA,
    from the binomial distribution itself: near 100 % the normal approximation (sqrt(p(1 − p)/n)) understates the
    spread of a small sample (three items open of 26 read 88.5 % against 99 %). 99 % needs 28, 96.7 % 54, 95 %
    69, 90 % 127. Checked for ten sizes on, so that the rounding of a count cannot let a smaller one through."""
    p = min(target_pct / 100.0, _RATE_CEILING)
    n = MIN_RATE_SAMPLE
    while any(_binomial_tail_beyond(m, p) > ALPHA for m in range(n, n + 10)):
        n += 1
    return n


def min_sample_for_mean(cv: float) -> int:
    """The n at which Z standard errors of a mean, cv·mean/sqrt(n), are within TOLERANCE of it: n = (Z·cv/TOL)²."""
    return math.ceil((Z * cv / TOLERANCE) ** 2 - 1e-9)


@dataclass(frozen=True, slots=True)
class KpiDef:
    """One indicator: its key, unit, target (None: a count without one), which way is better, the sample below
    which it reads "not enough data", and the sum that counts its population. `counts_when_small`: a rate of rare
    events each judged on its own (1-10-20) shows "k of n met" below its sample instead of nothing."""

    key: str
    unit: str
    target: float | None
    higher_is_better: bool = True
    min_sample: int = 0
    population: str = ""
    counts_when_small: bool = False


#: The spread (coefficient of variation, sd / mean) of one observation of each mean: acceptance of a diverted
#: 110 call within minutes of its mean, arrival a travel time added to it, hand-over and 报到 a queue, handling
#: times spread over a long tail (hours to days). The simulator draws with these spreads (sim/incidents.py).
SPREAD = {"avg_acceptance_time": 0.5, "avg_arrival_time": 0.4, "handover_time": 0.5, "whistle_arrival_time": 0.7,
          "handling_time": 1.0}


def _rate(key: str, target: float, population: str, **kw: Any) -> KpiDef:
    return KpiDef(key, "%", target, min_sample=min_sample_for_rate(target), population=population, **kw)


def _mean(key: str, unit: str, target: float | None, population: str) -> KpiDef:
    return KpiDef(key, unit, target, higher_is_better=False, min_sample=min_sample_for_mean(SPREAD[key]),
                  population=population)


#: Every indicator the wall can show, in the wall's order. Targets are the seeds' figures (docs/kpis.md).
DEFS: tuple[KpiDef, ...] = (
    KpiDef("events", "events", None, population="n"),
    _rate("completion_rate", 99.0, "due_n"),
    _rate("on_time_rate", 95.0, "due_n"),
    KpiDef("overdue", "events", None, higher_is_better=False),
    _rate("disposal_rate", 100.0, "due_n"),
    _rate("closed_loop_rate", 100.0, "loop_n"),
    _rate("on_the_spot_rate", 96.7, "disp_closed"),
    _rate("dispute_base_share", 95.0, "disp_lvl"),
    _mean("avg_acceptance_time", "min", 3.0, "p110_acc_n"),
    _mean("avg_arrival_time", "min", 10.0, "p110_arr_n"),
    _rate("satisfaction_rate", 90.0, "sat_n"),
    _rate("one_ten_twenty_compliance", 95.0, "em_dec", counts_when_small=True),
    KpiDef("emergencies", "events", None, population="em_n"),
    KpiDef("first_petitions", "events", None, population="cat_petition"),
    KpiDef("whistle", "events", None, population="whistle_n"),
    _mean("whistle_arrival_time", "min", None, "whistle_arr_n"),
    _mean("handover_time", "min", None, "hand_n"),
    _mean("handling_time", "h", None, "due_closed"),
    KpiDef("hotline_12345", "events", None, population="h12345_n"),
    KpiDef("diverted_110", "events", None, population="p110_n"),
)
BY_KEY = {d.key: d for d in DEFS}
#: The rates a tolerance of "within ±10 % of the seed" is checked on, with the seed's figure.
SEED_FIGURES = {
    "completion_rate": 99.6, "disposal_rate": 100.0, "closed_loop_rate": 100.0, "on_the_spot_rate": 96.7,
    "dispute_base_share": 95.0, "avg_acceptance_time": 3.0, "avg_arrival_time": 10.0,
}


def _ratio(num: float, den: float, scale: float = 100.0) -> float | None:
    return None if den <= 0 else round(scale * num / den, 4)


def figures(s: Mapping[str, float], *, node_id: str = "", start: datetime | None = None,
            end: datetime | None = None, withhold_small: bool = True) -> dict[str, KpiValue]:
    """Every indicator of DEFS from a period's sums. A rate or mean whose population is below its
    `min_sample` has value None and `detail["insufficient"] = 1` (the wall says "not enough data", never 0 %;
    `withhold_small=False` gives the raw figure, to check a definition on a handful of records);
    every value carries its `sample` (population) and, where it has one, its `target`."""
    def g(k: str) -> float:
        return float(s.get(k, 0.0))   # a missing sum is 0

    raw: dict[str, tuple[float | None, dict[str, float]]] = {
        "events": (g("n"), {}),
        "completion_rate": (_ratio(g("due_closed"), g("due_n")), {"closed": g("due_closed"), "due": g("due_n")}),
        "on_time_rate": (_ratio(g("due_on_time"), g("due_n")), {"on_time": g("due_on_time"), "due": g("due_n")}),
        "overdue": (g("overdue"), {}),
        "disposal_rate": (_ratio(g("due_disposed"), g("due_n")), {"disposed": g("due_disposed"), "due": g("due_n")}),
        "closed_loop_rate": (_ratio(g("loop_followed"), g("loop_n")),
                             {"followed_up": g("loop_followed"), "loop_due": g("loop_n")}),
        "on_the_spot_rate": (_ratio(g("disp_on_spot"), g("disp_closed")),
                             {"on_the_spot": g("disp_on_spot"), "disputes_closed": g("disp_closed")}),
        "dispute_base_share": (_ratio(g("disp_base"), g("disp_lvl")),
                               {"grid_or_community": g("disp_base"), "disputes_with_level": g("disp_lvl")}),
        "avg_acceptance_time": (_ratio(g("p110_acc_s"), g("p110_acc_n"), 1 / 60), {}),
        "avg_arrival_time": (_ratio(g("p110_arr_s"), g("p110_arr_n"), 1 / 60), {}),
        "satisfaction_rate": (_ratio(g("sat_good"), g("sat_n")), {"satisfied": g("sat_good"), "responses": g("sat_n")}),
        "one_ten_twenty_compliance": (_ratio(g("em_ok"), g("em_dec")), {
            "emergencies": g("em_n"), "decided": g("em_dec"), "compliant": g("em_ok"),
            "response_met": g("em_resp_ok"), "arrival_met": g("em_arr_ok"), "assessment_met": g("em_ass_ok")}),
        "emergencies": (g("em_n"), {}),
        "first_petitions": (g("cat_petition"), {}),
        "whistle": (g("whistle_n"), {}),
        "whistle_arrival_time": (_ratio(g("whistle_arr_s"), g("whistle_arr_n"), 1 / 60), {}),
        "handover_time": (_ratio(g("hand_s"), g("hand_n"), 1 / 60), {}),
        "handling_time": (_ratio(g("due_close_s"), g("due_closed"), 1 / 3600), {}),
        "hotline_12345": (g("h12345_n"), {}),
        "diverted_110": (g("p110_n"), {}),
    }
    out: dict[str, KpiValue] = {}
    for d in DEFS:
        value, detail = raw[d.key]
        detail = dict(detail)
        sample = g(d.population) if d.population else (value or 0.0)
        detail["sample"] = sample
        if d.target is not None:
            detail["target"] = d.target
        if withhold_small and d.min_sample and sample < d.min_sample:
            value = None
            detail["insufficient"] = 1.0
        out[d.key] = KpiValue(d.key, value, d.unit, node_id, start, end, detail)
    return out


def meets_target(d: KpiDef, value: float | None) -> bool | None:
    """Whether a value meets its target; None without a value or a target."""
    if value is None or d.target is None:
        return None
    return value >= d.target if d.higher_is_better else value <= d.target


def change(now: float | None, before: float | None, unit: str) -> float | None:
    """Change of like-for-like figures: percentage points for rates, per cent for counts and means."""
    if now is None or before is None:
        return None
    if unit == "%":
        return round(now - before, 4)
    return None if before == 0 else round(100.0 * (now - before) / before, 4)


#: The periods a card can show: 今日, 本月, 今年以来 (local to the centre's calendar).
PERIODS = ("today", "month", "year")
DEFAULT_TZ = "Asia/Shanghai"


def period_start(now: datetime, period: str, tz: str = DEFAULT_TZ) -> datetime:
    """The start of the local day, month or year holding `now` (UTC)."""
    from zoneinfo import ZoneInfo

    loc = _aware(now).astimezone(ZoneInfo(tz))
    if period == "today":
        loc = loc.replace(hour=0, minute=0, second=0, microsecond=0)
    elif period == "month":
        loc = loc.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    elif period == "year":
        loc = loc.replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)
    else:
        raise ValueError(f"unknown period {period!r}: expected one of {', '.join(PERIODS)}")
    return loc.astimezone(UTC)


def previous_window(now: datetime, period: str, tz: str = DEFAULT_TZ, *,
                    start: datetime | None = None) -> tuple[datetime, datetime]:
    """The like-for-like window before the current one: the same elapsed part of the previous day, month or year
    (today 00:00–10:24 against yesterday 00:00–10:24): volumes of the same length, and work that fell due in the
    same hours, never a young period against a complete one. `start`: the period's start when `now` is its end
    (a whole past day: now is the next day's 00:00)."""
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(tz)
    start = start if start is not None else period_start(now, period, tz)
    elapsed = _aware(now) - start
    loc = start.astimezone(zone)
    if period == "today":
        prev = (loc - timedelta(days=1)).replace(hour=0)
    elif period == "month":
        prev = (loc.replace(day=1) - timedelta(days=1)).replace(day=1, hour=0)
    else:
        prev = loc.replace(year=loc.year - 1)
    prev_start = prev.replace(tzinfo=None).replace(tzinfo=zone).astimezone(UTC)
    return prev_start, min(prev_start + elapsed, start)


def judged_until(now: datetime) -> datetime:
    """The due and loop clocks judge work due before the start of the current hour (the rollups' grain)."""
    t = _aware(now)
    return t.replace(minute=0, second=0, microsecond=0)


def hour_window(start: datetime, end: datetime) -> tuple[datetime, datetime]:
    """The window a period is counted over: widened to whole UTC hours (start floored, end ceiled), the grain of
    the rollups; due and loop sums stop at `judged_until(end)`."""
    s = _aware(start).replace(minute=0, second=0, microsecond=0)
    e = _aware(end)
    ce = e.replace(minute=0, second=0, microsecond=0)
    if ce < e:
        ce += timedelta(hours=1)
    return s, max(s, ce)
