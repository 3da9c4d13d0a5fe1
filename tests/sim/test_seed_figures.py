"""The simulator matches the seeds: a fast-forwarded simulated week of the `city` profile (Dongying) and of the
`street` profile (Chaohai), measured straight from the records the simulator generated.

Rates are checked within ±10 % of the seed figure (tighter where the seed is near 100 %); rare counts
(emergencies, first-time petitions) against a Poisson band of ±3.5 standard deviations around the seed's rate,
on a simulated year of their own arrival processes. docs/simulator.md holds the measured table.
"""
from __future__ import annotations

from itertools import pairwise
import math
import statistics
from collections import Counter
from datetime import datetime, timedelta, UTC
from typing import Any

import pytest

from commandcenter.domain import (
    HAZARDS, AlertLevel, AlertType, Category, Hazard, ResolutionLevel, SignalKind, Source, Status, check_signal,
    signal_kind,
)
from commandcenter.domain.warning_signals import COLOUR_CN, GRADE_CN, SUPERVISION_LEVELS
from commandcenter.sim import seeds, weather
from commandcenter.sim.log import MessageLog
from commandcenter.sim.territory import PROFILES, generate
from commandcenter.sim.world import Settings, World

#: A week ending at noon China time on Monday 30 November 2026.
WEEK_END = datetime(2026, 11, 30, 4, 0, tzinfo=UTC)
WEEK_H = 7 * 24


class _Unsent(World):
    """The simulated city without the wire: records are generated as always, never serialised (4× faster)."""

    def emit(self, type_: str, record: Any) -> None:
        pass

    def emit_kpis(self) -> None:
        pass


def run_world(profile: str, end: datetime, hours: float, *, seed: int = 1, random_city: bool = True) -> World:
    city = generate(profile, seed)
    w = _Unsent(city, MessageLog(), Settings(seed=seed, random_city=random_city, min_live_rate=0.0), end, hours)
    if random_city:
        w.run_until(w.start_ts)
    return w


def measure(w: World) -> dict[str, float]:
    """The seeds' figures, computed from the simulator's own records at the end of the run."""
    now = w.now
    recs = [c.rec for c in w.incidents.cases.values() if c.rec.drill_id is None]
    days = (now - w.origin_ts) / 86400
    ordinary = [c for c in w.incidents.cases.values() if c.rec.drill_id is None and not c.rec.emergency]
    due = [c.rec for c in ordinary if c.deadline_ts <= now]
    mature = [r for r in recs if r.reported_at.timestamp() <= now - 86400]
    closed_2d = [r for r in recs if r.closed_at and r.closed_at.timestamp() <= now - 2 * 86400]
    disputes = [r for r in recs if r.category is Category.DISPUTE and r.closed_at is not None]
    calls = [r for r in recs if r.source is Source.POLICE_110 and not r.emergency and r.arrived_at is not None]
    return {
        "events_per_year": len(recs) / days * 365,
        "completion_rate": 100 * sum(not r.is_open for r in due) / len(due),
        "disposal_rate": 100 * sum(r.status.rank >= Status.HANDLING.rank for r in mature) / len(mature),
        "closed_loop_rate": 100 * sum(r.status is Status.FOLLOWED_UP for r in closed_2d) / len(closed_2d),
        "dispute_grid_community_share": 100 * sum(r.resolution_level in (ResolutionLevel.GRID, ResolutionLevel.COMMUNITY)
                                                  for r in disputes) / len(disputes),
        "dispute_on_the_spot_rate": 100 * sum(r.on_the_spot for r in disputes) / len(disputes),
        "call_acceptance_min": statistics.fmean((r.accepted_at - r.reported_at).total_seconds() / 60 for r in calls),
        "call_arrival_min": statistics.fmean((r.arrived_at - r.reported_at).total_seconds() / 60 for r in calls),
        "emergencies": float(sum(r.emergency for r in recs)),
        "first_petitions": float(sum(r.category is Category.PETITION for r in recs)),
        "days": days,
    }


def within(value: float, target: float, share: float = 0.10) -> bool:
    return abs(value - target) <= share * target


def poisson_band(mean: float, sd: float = 3.5) -> tuple[float, float]:
    return max(0.0, mean - sd * math.sqrt(mean)), mean + sd * math.sqrt(mean)


@pytest.fixture(scope="module")
def city_week() -> World:
    return run_world("city", WEEK_END, WEEK_H)


@pytest.fixture(scope="module")
def street_week() -> World:
    return run_world("street", WEEK_END, WEEK_H)


@pytest.fixture(scope="module")
def city_year_rare() -> World:
    """Only the rare processes (emergencies, first-time petitions) and public warnings, over a simulated year."""
    w = run_world("city", datetime(2027, 1, 1, tzinfo=UTC) - timedelta(hours=8), 365 * 24, random_city=False)
    w.incidents.start_rare()
    w.warnings.start_random()
    w.run_until(w.start_ts)
    return w


# --- volumes and rates -------------------------------------------------------------------------------------
def test_city_week_matches_dongying_and_the_other_seeds(city_week) -> None:
    m = measure(city_week)
    assert within(m["events_per_year"], seeds.DONGYING_EVENTS_YEAR), m
    assert m["completion_rate"] >= seeds.DONGYING_COMPLETION_RATE, m          # 办结率达99%以上
    assert within(m["completion_rate"], seeds.CHAOHAI_COMPLETION_RATE, 0.004), m
    assert m["disposal_rate"] == pytest.approx(100.0), m
    assert m["closed_loop_rate"] == pytest.approx(100.0), m
    assert abs(m["dispute_grid_community_share"] - seeds.DONGYING_GRID_COMMUNITY_SHARE) <= 1.5, m
    assert abs(m["dispute_on_the_spot_rate"] - seeds.LAIYANG_DISPUTE_ON_THE_SPOT_RATE) <= 1.0, m
    assert within(m["call_acceptance_min"], seeds.FENGCHENG_ACCEPTANCE_MIN), m
    assert within(m["call_arrival_min"], seeds.FENGCHENG_ARRIVAL_MIN), m
    rates = PROFILES["city"].rates
    lo, hi = poisson_band(rates.first_petitions_per_day * m["days"])
    assert lo <= m["first_petitions"] <= hi, m
    lo, hi = poisson_band(rates.emergencies_per_day * m["days"])
    assert lo <= m["emergencies"] <= hi, m


def test_street_week_matches_chaohai(street_week) -> None:
    m = measure(street_week)
    per_day = seeds.CHAOHAI_EVENTS_YTD / seeds.days_elapsed(seeds.CHAOHAI_DATE)
    assert per_day == pytest.approx(123.2, abs=0.1)              # 42,000 by 7 December = day 341
    assert within(m["events_per_year"] / 365, per_day), m
    assert m["completion_rate"] >= 99.0, m                        # 办结率达99.6%, ~700 items due in a week
    assert m["disposal_rate"] == pytest.approx(seeds.CHAOHAI_DISPOSAL_RATE), m
    assert m["closed_loop_rate"] == pytest.approx(seeds.CHAOHAI_CLOSED_LOOP_RATE), m


def test_rare_kinds_come_at_the_seeds_rates_over_a_year(city_year_rare) -> None:
    w = city_year_rare
    recs = [c.rec for c in w.incidents.cases.values()]
    rates = PROFILES["city"].rates
    emergencies = sum(r.emergency for r in recs)
    petitions = sum(r.category is Category.PETITION for r in recs)
    # Dongying: 70-odd emergencies "since last year"; Chaohai: 53 first-time petitions by day 341, scaled by grids
    lo, hi = poisson_band(rates.emergencies_per_day * 365)
    assert lo <= emergencies <= hi
    assert within(petitions, seeds.CHAOHAI_FIRST_PETITIONS_YTD / 341 * 365 * 6098 / 197)
    assert all(r.source is Source.PETITION_VISIT and not r.emergency for r in recs if r.category is Category.PETITION)


def test_each_profile_takes_its_places_rates() -> None:
    street, district, city = (PROFILES[p].rates for p in ("street", "district", "city"))
    assert street.events_per_day * 341 == pytest.approx(42_000)           # Chaohai's own year to date
    assert street.first_petitions_per_day * 341 == pytest.approx(53)
    assert street.emergencies_per_day * 365 == pytest.approx(70 / 2 * 197 / 6098)
    assert city.events_per_year == pytest.approx(900_000)                  # Dongying
    assert district.events_per_day == pytest.approx(city.events_per_day * 1000 / 6098)


# --- public warnings (预警) --------------------------------------------------------------------------------
def _public(w: World) -> list:
    return [live.alert for live in w.warnings.alerts.values() if signal_kind(live.alert.type) is SignalKind.WARNING]


def test_public_warnings_are_real_signals_with_their_hazards_guidance(city_year_rare) -> None:
    warnings = _public(city_year_rare)
    assert len({a.hazard for a in warnings}) == len(HAZARDS)
    for a in warnings:
        spec = HAZARDS[a.hazard]
        assert check_signal(a.hazard, a.level, a.type) is None, a.title
        assert a.title.endswith(spec.signal_name(a.level)), a.title
        assert spec.guidance in a.description and f"{COLOUR_CN[a.level]}" in a.description and f"（{GRADE_CN[a.level]}）" in a.description
        others = [s.guidance for s in HAZARDS.values() if s.hazard is not a.hazard]
        assert not any(g in a.description for g in others)
    # heat is not a flood: only the flood signal calls for the flood-control plan
    assert {a.hazard for a in warnings if "防汛" in a.description} <= {Hazard.RIVER_FLOOD}
    assert not any(a.hazard is Hazard.HEAT and a.level is AlertLevel.BLUE for a in warnings)
    assert not any(a.hazard is Hazard.FOG and a.level is AlertLevel.BLUE for a in warnings)


def test_public_warnings_are_revised_within_their_colours_and_end(city_year_rare) -> None:
    w = city_year_rare
    warnings = _public(w)
    assert {"cancelled", "expired"} <= {a.status.value for a in warnings}
    revised = [a for a in warnings if a.version > 1 and ("升级为" in a.description or "降级为" in a.description)]
    assert revised and all(HAZARDS[a.hazard].allows(a.level) for a in revised)
    assert {lv for a in warnings for lv in [a.level]} == set(AlertLevel)


def test_one_signal_per_hazard_and_area_at_a_time(city_year_rare) -> None:
    spans: dict[tuple, list] = {}
    for a in _public(city_year_rare):
        end = a.expires_at if a.status.value == "active" else a.updated_at
        spans.setdefault((a.area_desc, a.hazard), []).append((a.issued_at, end))
    for key, times in spans.items():
        times.sort()
        assert all(later_start >= end for (_, end), (later_start, _) in pairwise(times)), key


def test_public_warnings_follow_the_seasons(city_year_rare) -> None:
    by_month: dict[int, Counter] = {m: Counter() for m in range(1, 13)}
    for a in _public(city_year_rare):
        by_month[weather.local_month(a.issued_at.timestamp())][a.hazard] += 1
    assert by_month[11][Hazard.HEAT] == 0 and by_month[7][Hazard.SNOWSTORM] == 0
    assert sum(by_month[m][Hazard.TYPHOON] for m in (1, 2, 3, 4, 5, 11, 12)) == 0
    assert sum(by_month[m][Hazard.TYPHOON] for m in (7, 8, 9)) > 0
    for m, counts in by_month.items():
        assert set(counts) <= set(weather.hazards_in(m)), (m, counts)
    districts = PROFILES["city"].districts
    july = sum(by_month[7].values()) / 31
    expected_july = weather.month_total(7) * districts / 31
    assert expected_july == pytest.approx(3.0, abs=0.3)         # ≈3 public warnings a day city-wide in summer
    lo, hi = poisson_band(expected_july * 31)
    assert lo <= july * 31 <= hi
    # far fewer in a quiet season
    assert weather.month_total(2) < weather.month_total(7) / 2
    lo, hi = poisson_band(weather.month_total(2) * districts)
    assert lo <= sum(by_month[2].values()) <= hi


def test_city_week_in_november_has_few_public_warnings_and_no_summer_hazards(city_week) -> None:
    warnings = _public(city_week)
    expected = weather.per_day(11, 30) * PROFILES["city"].districts * 7
    lo, hi = poisson_band(expected)
    assert lo <= len(warnings) <= hi
    assert not {Hazard.HEAT, Hazard.TYPHOON, Hazard.LIGHTNING, Hazard.RAINSTORM, Hazard.HAIL} & {a.hazard for a in warnings}


# --- three kinds of signal, never mixed ----------------------------------------------------------------------
def test_alarms_and_supervision_are_their_own_kinds_in_their_own_words(city_week) -> None:
    alerts = [live.alert for live in city_week.warnings.alerts.values()]
    kinds = Counter(signal_kind(a.type) for a in alerts)
    assert set(kinds) == set(SignalKind)
    for a in alerts:
        kind = signal_kind(a.type)
        if kind is SignalKind.WARNING:
            assert a.hazard is not None and a.title.endswith("预警信号")
        elif kind is SignalKind.ALARM:
            assert a.hazard is None and "预警" not in a.title
            assert "告警" in a.title or a.type is AlertType.WEAK_SIGNAL
        else:
            assert a.hazard is None and a.level in SUPERVISION_LEVELS and "督办" in a.title and "预警" not in a.title
    # levels a supervision notice goes through: blue at the deadline, yellow and red as it stays overdue
    assert {a.level for a in alerts if a.type is AlertType.OVERDUE} <= set(SUPERVISION_LEVELS)


def test_live_signals_at_a_busy_hour_are_few_and_alarms_short_lived(city_week) -> None:
    w = city_week
    live = [x.alert for x in w.warnings.alerts.values() if x.alert.is_live(w.now_dt)]
    kinds = Counter(signal_kind(a.type) for a in live)
    devices = (AlertType.IOT, AlertType.VIDEO)
    per_day = sum(x.alert.type in devices for x in w.warnings.alerts.values()) / 7
    # a device alarm stands until its event is dispatched, a few minutes: few are live at once
    assert sum(a.type in devices for a in live) <= max(5.0, per_day * 0.05)
    assert kinds[SignalKind.WARNING] <= 10
