"""The source articles' figures the simulator reproduces, and the rates derived from them.

Each profile takes its volumes from the place it stands for: `street` is Chaohai (197 grids), `city` is
Dongying (6,098 grids); `district` scales Dongying's per-grid figures. Most figures are "今年以来" (year to
date), so a yearly rate is the count divided by the days elapsed at the article's date. docs/simulator.md
lists each rate beside its source and the measured value.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date


def days_elapsed(on: date) -> int:
    """Days of the year up to and including `on` (今年以来 at an article's date)."""
    return (on - date(on.year, 1, 1)).days + 1


# --- Chaohai street, Jimo (seed 002, published 2023-12-07) ------------------------------------------------
CHAOHAI_DATE = date(2023, 12, 7)
CHAOHAI_GRIDS = 197
CHAOHAI_EVENTS_YTD = 42_000             # 今年以来，已累计收集网格事件4.2万件
CHAOHAI_COMPLETION_RATE = 99.6          # 办结率达99.6%
CHAOHAI_DISPOSAL_RATE = 100.0           # 处置率达100%
CHAOHAI_CLOSED_LOOP_RATE = 100.0        # 闭环管理率达到100%
CHAOHAI_FIRST_PETITIONS_YTD = 53        # 今年以来，辖区初信初访53件
CHAOHAI_FIRST_PETITIONS_DROP = 0.3205   # 与去年同期相比下降32.05%

# --- Dongying city (seed 003; the article's date is not given) ------------------------------------------
DONGYING_GRIDS = 6098
DONGYING_EVENTS_YEAR = 900_000          # 今年以来，全市流转办理网格事项90万余件: taken as a full year
DONGYING_COMPLETION_RATE = 99.0         # 办结率达99%以上
DONGYING_GRID_COMMUNITY_SHARE = 95.0    # 95%的矛盾纠纷在社区网格和调处中心得到解决
DONGYING_EMERGENCIES = 70               # 去年以来，快速响应突发事件70余件
DONGYING_EMERGENCY_YEARS = 2.0          # "since last year" with "this year" taken as a full year

# --- Laiyang (seed 001) and Fengcheng (seed 004) -----------------------------------------------------------
LAIYANG_DISPUTE_ON_THE_SPOT_RATE = 96.7   # 成功化解矛盾纠纷800余起，现场化解率达96.7%
FENGCHENG_ACCEPTANCE_MIN = 3.0            # 非警务警情平均受理时间3分钟
FENGCHENG_ARRIVAL_MIN = 10.0              # 平均到场时间10分钟

CHAOHAI_EVENTS_PER_DAY = CHAOHAI_EVENTS_YTD / days_elapsed(CHAOHAI_DATE)
DONGYING_EVENTS_PER_DAY = DONGYING_EVENTS_YEAR / 365.0
CHAOHAI_FIRST_PETITIONS_PER_DAY = CHAOHAI_FIRST_PETITIONS_YTD / days_elapsed(CHAOHAI_DATE)
DONGYING_EMERGENCIES_PER_DAY = DONGYING_EMERGENCIES / (365.0 * DONGYING_EMERGENCY_YEARS)


@dataclass(frozen=True, slots=True)
class Rates:
    """A profile's natural daily rates (before `--rate`)."""

    events_per_day: float               # every grid event, all sources, petitions and emergencies included
    first_petitions_per_day: float      # 初信初访
    emergencies_per_day: float          # 突发事件
    basis: str                          # which seed the event volume comes from

    @property
    def events_per_year(self) -> float:
        return self.events_per_day * 365.0


def rates_for(grids: int, place: str) -> Rates:
    """Rates for a territory of `grids` grids standing for `place` ("chaohai" or "dongying").

    Petitions scale Chaohai's per-grid rate and emergencies Dongying's, whichever place sets the volume."""
    petitions = CHAOHAI_FIRST_PETITIONS_PER_DAY * grids / CHAOHAI_GRIDS
    emergencies = DONGYING_EMERGENCIES_PER_DAY * grids / DONGYING_GRIDS
    if place == "chaohai":
        return Rates(CHAOHAI_EVENTS_PER_DAY * grids / CHAOHAI_GRIDS, petitions, emergencies, "潮海街道 4.2万件/今年以来")
    if place == "dongying":
        return Rates(DONGYING_EVENTS_PER_DAY * grids / DONGYING_GRIDS, petitions, emergencies, "东营市 90万余件/年")
    raise ValueError(f"unknown seed place {place!r}")
