"""What the 运行日报 (daily operations report) lists besides the KPI figures: overdue work, the day's warnings and
signals, and its emergencies with their 1-10-20 timings. Qt-free; the figures and the rendering are in
ui/daily_report.py (the figures by the KPI cards' own code). Drill records never count."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, UTC
from typing import Any
from zoneinfo import ZoneInfo

from ..domain import Alert, Incident, OneTenTwenty, SignalKind, one_ten_twenty, signal_kind
from ..domain import kpis as DK

#: How many overdue items the report lists (the total is always given).
OVERDUE_LISTED = 40
#: Incidents read to find the day's emergencies (updated since the day began).
SCAN_LIMIT = 200_000


@dataclass(frozen=True, slots=True)
class Overdue:
    incident: Incident
    due_at: datetime
    overdue_by: timedelta


@dataclass(frozen=True, slots=True)
class Emergency:
    incident: Incident
    timings: OneTenTwenty


@dataclass
class DailyLists:
    day: date
    day_start: datetime
    day_end: datetime
    at: datetime                             # figures and states as of this time (the day's end, or now)
    overdue_total: int = 0
    overdue: list[Overdue] = field(default_factory=list)
    warnings: list[Alert] = field(default_factory=list)      # public warnings 预警 in force during the day
    alarms: int = 0                                          # device alarms 告警 raised that day
    supervision: int = 0                                     # 督办 of overdue work raised that day
    emergencies: list[Emergency] = field(default_factory=list)
    grid_names: dict[str, str] = field(default_factory=dict)


def day_window(day: date, tz: str, now: datetime) -> tuple[datetime, datetime, datetime]:
    """(local day start, day end, the time the report is taken at: the day's end or now, whichever is first)."""
    zone = ZoneInfo(tz)
    start = datetime.combine(day, time(), zone).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(), zone).astimezone(UTC)
    return start, end, min(end, now)


def gather(store: Any, day: date, node_id: str, *, now: datetime, tz: str = DK.DEFAULT_TZ) -> DailyLists:
    """The lists of the report for one local day under a territory node ("" = everything)."""
    start, end, at = day_window(day, tz, now)
    out = DailyLists(day, start, end, at)
    out.grid_names = {n.id: n.name for n in store.territory()}
    node = node_id or None
    limits = getattr(getattr(store, "calendar", None), "limits", DK.DEFAULT_LIMITS)   # the store's due clock
    overdue = []
    for inc in store.incidents(open_only=True, limit=SCAN_LIMIT, drill=False, node_id=node):
        due = DK.due_at(inc.reported_at, inc.category, limits)
        if due < at and inc.reported_at < at:
            overdue.append(Overdue(inc, due, at - due))
    overdue.sort(key=lambda o: o.overdue_by, reverse=True)
    out.overdue_total = len(overdue)
    out.overdue = overdue[:OVERDUE_LISTED]
    for a in store.alerts(live_only=False, drill=False):
        kind = signal_kind(a.type)
        if kind is SignalKind.WARNING:
            if a.issued_at < end and (a.expires_at is None or a.expires_at > start):
                out.warnings.append(a)
        elif start <= a.issued_at < end:
            if kind is SignalKind.ALARM:
                out.alarms += 1
            else:
                out.supervision += 1
    out.warnings.sort(key=lambda a: (-int(a.level), a.issued_at))
    seen = set()
    for inc in store.incidents(limit=SCAN_LIMIT, drill=False, since=start - timedelta(seconds=1), node_id=node):
        if inc.emergency and start <= inc.reported_at < end and inc.id not in seen:
            seen.add(inc.id)
            out.emergencies.append(Emergency(inc, one_ten_twenty(inc)))
    out.emergencies.sort(key=lambda e: e.incident.reported_at)
    return out
