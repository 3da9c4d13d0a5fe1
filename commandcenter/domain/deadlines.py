"""Deadline rules: 1-10-20 for emergencies, per-category limits for the rest. Pure; the clock is passed in."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from .enums import Category
from .models import Incident

RESPONSE_START = timedelta(minutes=1)   # the command center starts the response
ARRIVAL = timedelta(minutes=10)         # on scene
FIRST_ASSESSMENT = timedelta(minutes=20)

#: Default time to close a non-emergency event, per category; config may override.
DEFAULT_CATEGORY_LIMITS: dict[Category, timedelta] = {
    Category.DISPUTE: timedelta(hours=48),
    Category.SAFETY_HAZARD: timedelta(hours=24),
    Category.UTILITIES: timedelta(hours=24),
    Category.SANITATION: timedelta(hours=48),
    Category.FIRE: timedelta(hours=2),
    Category.FLOOD: timedelta(hours=6),
    Category.FOREST_FIRE: timedelta(hours=2),
    Category.FISHING_VESSEL: timedelta(hours=12),
    Category.PUBLIC_SECURITY: timedelta(hours=12),
    Category.PETITION: timedelta(days=15),
    Category.ELDERLY_CHILDREN: timedelta(hours=72),
    Category.OTHER: timedelta(hours=72),
}



def category_limits(hours: Mapping[Category, float] | None = None) -> dict[Category, timedelta]:
    """The time allowed per category: the defaults with a config's `[deadlines.hours]` over them. The wall's
    countdowns and the KPIs' due clock both use this, so they judge the same deadline."""
    limits = dict(DEFAULT_CATEGORY_LIMITS)
    limits.update({Category(c): timedelta(hours=h) for c, h in (hours or {}).items()})
    return limits


#: Share of the allowed time left below which a deadline turns amber.
AMBER_SHARE = 0.2


class DeadlineLevel(StrEnum):
    OK = "ok"
    AMBER = "amber"
    OVERDUE = "overdue"
    MET = "met"        # the stage or the event is done


class Stage(StrEnum):
    RESPONSE = "response"       # 1 minute
    ARRIVAL = "arrival"         # 10 minutes
    ASSESSMENT = "assessment"   # 20 minutes
    CLOSE = "close"             # per-category limit
    DONE = "done"


@dataclass(frozen=True, slots=True)
class DeadlineState:
    stage: Stage
    due_at: datetime | None
    remaining: timedelta | None
    level: DeadlineLevel


def deadline_state(
    incident: Incident,
    now: datetime,
    limits: dict[Category, timedelta] | None = None,
) -> DeadlineState:
    """The next deadline the incident faces and how close it is."""
    if not incident.is_open:
        return DeadlineState(Stage.DONE, None, None, DeadlineLevel.MET)
    start = incident.reported_at
    if incident.emergency:
        for stage, reached, allowed in (
            (Stage.RESPONSE, incident.accepted_at, RESPONSE_START),
            (Stage.ARRIVAL, incident.arrived_at, ARRIVAL),
            (Stage.ASSESSMENT, incident.assessed_at, FIRST_ASSESSMENT),
        ):
            if reached is None:
                return _state(stage, start, allowed, now)
    allowed = (limits or DEFAULT_CATEGORY_LIMITS).get(
        incident.category, DEFAULT_CATEGORY_LIMITS[incident.category]
    )
    return _state(Stage.CLOSE, start, allowed, now)


def _state(stage: Stage, start: datetime, allowed: timedelta, now: datetime) -> DeadlineState:
    due = start + allowed
    remaining = due - now
    if remaining <= timedelta(0):
        level = DeadlineLevel.OVERDUE
    elif remaining <= allowed * AMBER_SHARE:
        level = DeadlineLevel.AMBER
    else:
        level = DeadlineLevel.OK
    return DeadlineState(stage, due, remaining, level)


@dataclass(frozen=True, slots=True)
class OneTenTwenty:
    """How an emergency measured up against 1-10-20; None where the stage was not reached."""

    response_s: float | None
    arrival_s: float | None
    assessment_s: float | None

    @property
    def response_met(self) -> bool | None:
        return None if self.response_s is None else self.response_s <= RESPONSE_START.total_seconds()

    @property
    def arrival_met(self) -> bool | None:
        return None if self.arrival_s is None else self.arrival_s <= ARRIVAL.total_seconds()

    @property
    def assessment_met(self) -> bool | None:
        return None if self.assessment_s is None else self.assessment_s <= FIRST_ASSESSMENT.total_seconds()

    @property
    def compliant(self) -> bool:
        return bool(self.response_met and self.arrival_met and self.assessment_met)


def one_ten_twenty(incident: Incident) -> OneTenTwenty:
    def secs(t: datetime | None) -> float | None:
        return None if t is None else (t - incident.reported_at).total_seconds()

    return OneTenTwenty(secs(incident.accepted_at), secs(incident.arrived_at), secs(incident.assessed_at))
