"""The simulated climate: which public warnings a coastal Shandong district sees in which month, and for how long.

Expected issuances per district per month, by hazard. The simulated (China Standard Time) date decides the
month, so there is no heat in November, no snowstorm in July, and typhoons only from June to October. The
totals give ≈3 warnings a day city-wide (5 districts) in July and ≈1-2 in the quiet months.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from commandcenter.domain import AlertLevel, Hazard

H = Hazard
#: Expected issuances per district per month (Jan..Dec).
MONTHLY: dict[Hazard, tuple[float, ...]] = {
    H.TYPHOON:          (0, 0, 0, 0, 0, 0.2, 1.0, 1.5, 0.6, 0.1, 0, 0),
    H.RAINSTORM:        (0, 0, 0, 0, 0.8, 2.5, 5.0, 4.5, 1.5, 0.2, 0, 0),
    H.SNOWSTORM:        (0.8, 0.6, 0.1, 0, 0, 0, 0, 0, 0, 0, 0.3, 0.8),
    H.COLD_WAVE:        (1.0, 0.8, 0.6, 0.3, 0, 0, 0, 0, 0, 0.8, 1.5, 1.2),
    H.GALE:             (2.0, 2.0, 2.5, 2.5, 1.5, 1.5, 1.5, 1.5, 1.5, 2.0, 2.5, 2.2),
    H.SANDSTORM:        (0, 0.1, 0.5, 0.6, 0.3, 0, 0, 0, 0, 0, 0, 0),
    H.HEAT:             (0, 0, 0, 0, 0.6, 3.0, 3.5, 3.0, 0.5, 0, 0, 0),
    H.DROUGHT:          (0, 0, 0.3, 0.6, 0.8, 0.6, 0, 0, 0.3, 0.3, 0, 0),
    H.LIGHTNING:        (0, 0, 0, 0.2, 1.5, 3.0, 4.0, 3.5, 1.5, 0.2, 0, 0),
    H.HAIL:             (0, 0, 0, 0.1, 0.8, 1.2, 0.6, 0.4, 0.2, 0, 0, 0),
    H.FROST:            (0, 0, 0.5, 0.6, 0, 0, 0, 0, 0, 0.4, 0.3, 0),
    H.FOG:              (1.5, 1.2, 1.0, 0.8, 0.6, 0.6, 1.0, 1.0, 1.2, 2.0, 2.0, 1.8),
    H.HAZE:             (1.5, 1.2, 0.8, 0.2, 0, 0, 0, 0, 0, 0.8, 1.5, 1.8),
    H.ROAD_ICING:       (1.0, 0.8, 0.1, 0, 0, 0, 0, 0, 0, 0, 0.3, 0.8),
    H.RIVER_FLOOD:      (0, 0, 0, 0, 0, 0.3, 1.2, 1.2, 0.4, 0, 0, 0),
    H.STORM_SURGE:      (0, 0, 0.3, 0.3, 0, 0, 0.5, 0.6, 0.4, 0.3, 0.3, 0),
    H.FOREST_FIRE_RISK: (0.5, 0.8, 2.5, 3.0, 1.5, 0, 0, 0, 0, 1.0, 1.5, 0.8),
}

#: How long a signal stays in force (hours, uniform between the two).
DURATION_H: dict[Hazard, tuple[float, float]] = {
    H.TYPHOON: (24, 48), H.RAINSTORM: (3, 12), H.SNOWSTORM: (6, 24), H.COLD_WAVE: (24, 48), H.GALE: (6, 24),
    H.SANDSTORM: (6, 12), H.HEAT: (24, 72), H.DROUGHT: (72, 240), H.LIGHTNING: (1, 4), H.HAIL: (1, 3),
    H.FROST: (12, 24), H.FOG: (3, 8), H.HAZE: (12, 48), H.ROAD_ICING: (12, 24), H.RIVER_FLOOD: (12, 48),
    H.STORM_SURGE: (12, 36), H.FOREST_FIRE_RISK: (24, 72),
}

#: Relative frequency of a signal's colours, mildest first (trimmed to the colours the hazard has).
COLOUR_WEIGHTS = (55.0, 30.0, 12.0, 3.0)

_CST = timezone(timedelta(hours=8))


def local_month(ts: float) -> int:
    """Month (1..12) of a UTC timestamp in China Standard Time."""
    return datetime.fromtimestamp(ts, _CST).month


def month_total(month: int) -> float:
    return sum(v[month - 1] for v in MONTHLY.values())


#: The busiest month's total: the ceiling of the thinned arrival process.
PEAK_MONTHLY_TOTAL = max(month_total(m) for m in range(1, 13))


def per_day(month: int, days_in_month: float = 30.4) -> float:
    """Expected issuances per district per day in a month."""
    return month_total(month) / days_in_month


def hazards_in(month: int) -> dict[Hazard, float]:
    """The hazards possible in a month and their relative weights."""
    return {h: v[month - 1] for h, v in MONTHLY.items() if v[month - 1] > 0}


def colour_weights(levels: tuple[AlertLevel, ...]) -> list[float]:
    return list(COLOUR_WEIGHTS[:len(levels)])
