"""After-action report data (Qt-free): everything a drill made and did, read back from the store.

    data = assemble(store, drill_id)          # scenario, timeline, per-incident scores, resources, actions
    write_timeline_csv(data, path)            # the raw timeline, one row per event or action

The Qt side (commandcenter.ui.report) turns `ReportData` into HTML / PDF.
"""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from datetime import datetime, UTC
from pathlib import Path
from typing import Any, overload


from ..domain import ActionKind, Alert, Incident, OperatorAction, Resource
from ..domain.drill_scenario import Scenario
from ..domain.text import csv_cell
from .drills import (
    Dispatch, IncidentScore, _scenario_or_stub, scenario_of, score_incident, split_reason,
)


@dataclass(frozen=True, slots=True)
class TimelineRow:
    at: datetime
    offset_s: float            # since the drill started
    kind: str                  # incident / resource / alert / action
    record_id: str
    title: str
    what: str                  # status or action
    detail: str = ""


@dataclass(frozen=True, slots=True)
class ResourceUse:
    resource_id: str
    name: str
    kind: str
    incident_id: str | None
    dispatched_at: datetime | None
    on_scene_at: datetime | None
    released_at: datetime | None


@dataclass
class ReportData:
    drill_id: str
    scenario: Scenario
    started_at: datetime | None
    stopped_at: datetime | None
    started_by: str = ""
    start_reason: str = ""
    stopped_by: str = ""
    stop_reason: str = ""
    started_seat: str = ""
    stopped_seat: str = ""
    stop_kind: str = ""            # stopped (by someone) / scenario_end (ended by itself) / "" (still running)
    incidents: list[Incident] = field(default_factory=list)
    alerts: list[Alert] = field(default_factory=list)
    scores: list[IncidentScore] = field(default_factory=list)
    resources: list[ResourceUse] = field(default_factory=list)
    actions: list[OperatorAction] = field(default_factory=list)
    timeline: list[TimelineRow] = field(default_factory=list)
    reasons: dict[tuple[str, str], str] = field(default_factory=dict)   # (incident id, stage) → why it missed
    generated_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def duration_s(self) -> float | None:
        if self.started_at is None:
            return None
        end = self.stopped_at or (self.timeline[-1].at if self.timeline else self.started_at)
        return (end - self.started_at).total_seconds()

    @property
    def passed(self) -> bool | None:
        if not self.scores:
            return None
        vals = [s.passed_target for s in self.scores]
        return False if False in vals else (None if None in vals else True)


@overload
def _aware(t: datetime) -> datetime: ...
@overload
def _aware(t: None) -> None: ...
def _aware(t: datetime | None) -> datetime | None:
    if t is None:
        return None
    return t.replace(tzinfo=UTC) if t.tzinfo is None else t.astimezone(UTC)


def drill_ids(store: Any) -> list[tuple[str, datetime, str]]:
    """Every drill the store knows (its drill rows): (id, started_at, scenario name), newest first."""
    return [(r.id, r.started_at, r.name) for r in store.drill_records()]


def who(actor: str, seat: str) -> str:
    """"张三 · 1号席" — the person by name, and where they sat."""
    return f"{actor} · {seat}" if seat else actor


def assemble(store: Any, drill_id: str) -> ReportData:
    history = store.drill_history(drill_id)
    actions, rrows = history.actions, history.resource_changes
    start = next((a for a in actions if a.kind is ActionKind.DRILL_START), None)
    stop = next((a for a in reversed(actions) if a.kind is ActionKind.DRILL_STOP), None)
    why, path = split_reason(start.reason) if start else ("", "")
    [record] = store.drill_records(drill_id=drill_id) or [None]
    if record is not None:      # the scenario as it was started, kept with the drill: no file, no directory
        scenario = scenario_of(record.scenario, record.name)
    else:
        scenario = _scenario_or_stub(path) if path else Scenario(name=drill_id)


    incidents = sorted((store.incident(i.id) for i in store.incidents(drill=True, limit=100_000)
                        if i.drill_id == drill_id), key=lambda i: i.reported_at)
    incidents = [i for i in incidents if i is not None]
    alert_versions = history.alert_versions
    latest_alerts: dict[str, Alert] = {}
    for a in alert_versions:
        latest_alerts[a.id] = a
    resources = {r.id: r for r in store.resources(drill=True) if r.drill_id == drill_id}

    if record is not None:
        started_at, stopped_at = record.started_at, record.stopped_at
    else:
        started_at = start.at if start else (incidents[0].reported_at if incidents else None)
        stopped_at = stop.at if stop else None

    # resources: dispatch / on scene / release times from their history
    by_inc = {i.id: i for i in incidents}
    uses: dict[str, dict[str, Any]] = {}
    dispatches: dict[str, list[Dispatch]] = {}
    timeline: list[TimelineRow] = []
    t0 = started_at or datetime.now(UTC)

    def off(t: datetime) -> float:
        return (t - t0).total_seconds()

    for r in rrows:
        at = _aware(r.at)
        res = resources.get(r.resource_id)
        name = res.name if res else r.resource_id
        u = uses.setdefault(r.resource_id, {"inc": None, "disp": None, "scene": None, "rel": None})
        if r.status in ("dispatched", "on_scene") and r.incident_id:
            u["inc"] = r.incident_id
            if r.status == "dispatched" and u["disp"] is None:
                u["disp"] = at
                inc = by_inc.get(r.incident_id)
                if inc is not None:
                    dispatches.setdefault(inc.id, []).append(Dispatch(
                        r.resource_id, name, res.kind.value if res else "", at, (at - inc.reported_at).total_seconds()))
            if r.status == "on_scene" and u["scene"] is None:
                u["scene"] = at
        elif r.status == "available" and u["disp"] is not None:
            u["rel"] = at
        target = by_inc.get(r.incident_id) if r.incident_id else None   # the incident by its title, never its id
        timeline.append(TimelineRow(at, off(at), "resource", r.resource_id, name, r.status,
                                    f"→ {target.title}" if target is not None else ""))
    uses_list = [ResourceUse(rid, resources[rid].name if rid in resources else rid,
                             resources[rid].kind.value if rid in resources else "", u["inc"], u["disp"], u["scene"], u["rel"])
                 for rid, u in uses.items() if u["disp"] is not None or u["scene"] is not None]

    for inc in incidents:
        marks = {t for t in (inc.arrived_at, inc.assessed_at) if t is not None}
        prev = None
        for c in inc.timeline:
            detail = " · ".join(x for x in (c.handler, c.department, c.note) if x)
            if c.status is not prev or c.at not in marks:     # a repeated status is an arrival / assessment note
                timeline.append(TimelineRow(c.at, off(c.at), "incident", inc.id, inc.title, c.status.value, detail))
            prev = c.status
        for name, label in (("arrived_at", "arrived"), ("assessed_at", "assessed")):
            t = getattr(inc, name)
            if t is not None:
                timeline.append(TimelineRow(t, off(t), "incident", inc.id, inc.title, label, ""))
    for a in alert_versions:
        what = a.status.value if a.version > 1 else "issued"
        timeline.append(TimelineRow(a.updated_at, off(a.updated_at), "alert", a.id, a.title, what,
                                    place_text(a.area_desc)))   # the level is worded by the report's language
    for a in actions:
        why_a = split_reason(a.reason)[0] if a.kind is ActionKind.DRILL_START else a.reason
        if a.recipient:
            why_a = f"→ {a.recipient}" + (f"：{why_a}" if why_a else "")
        timeline.append(TimelineRow(a.at, off(a.at), "action", a.target_id, who(a.actor, a.seat or a.console),
                                    a.kind.value, why_a))
    timeline.sort(key=lambda r: (r.at, r.kind != "action", r.record_id))

    end = stopped_at or (timeline[-1].at if timeline else t0)
    scores = [score_incident(i, end, scenario.targets, dispatches.get(i.id, ())) for i in incidents if i.emergency]
    reasons = {}
    for s in scores:
        for st in s.stages:
            if missed := miss_reason(by_inc[s.incident_id], st):
                reasons[(s.incident_id, st.stage)] = missed
    return ReportData(
        drill_id=drill_id, scenario=scenario, started_at=started_at, stopped_at=stopped_at,
        started_by=start.actor if start else "", start_reason=why, stopped_by=stop.actor if stop else "",
        stop_reason=stop.reason if stop else "", started_seat=start.seat if start else "",
        stopped_seat=stop.seat if stop else "", stop_kind=record.stop_kind if record is not None else "",
        incidents=incidents, alerts=list(latest_alerts.values()),
        scores=scores, resources=sorted(uses_list, key=lambda u: u.dispatched_at or u.on_scene_at or t0),
        actions=actions, timeline=timeline, reasons=reasons)


_CODE = re.compile(r"^[A-Za-z_]+(:[A-Za-z0-9_-]+)+$")


def place_text(area: str) -> str:
    """An area as a reader names it: a code such as "district:0" (a scenario's reference) says nothing."""
    return "" if _CODE.match(area.strip()) else area


_STAGE_AT = {"response": "accepted_at", "arrival": "arrived_at", "assessment": "assessed_at"}


def miss_parts(inc: Incident, st: Any) -> tuple[str, float, str] | None:
    """Why a stage missed its target or 1-10-20, as ("late" | "unfinished", seconds beyond the limit, the note the
    responders left when they reached it); None for a stage that met both."""
    if st.met_target is not False and st.met_rule is not False:
        return None
    limit = st.target_s if st.met_target is False else st.rule_s
    if st.elapsed_s is None:
        return "unfinished", st.running_s - limit, ""
    at = getattr(inc, _STAGE_AT[st.stage])
    notes = [c.note for c in inc.timeline if c.at == at and c.note]
    return "late", st.elapsed_s - limit, notes[-1] if notes else ""


def miss_reason(inc: Incident, st: Any) -> str:
    """miss_parts in a line (the CSV's and the console's words): how late, and what the responders noted."""
    parts = miss_parts(inc, st)
    if parts is None:
        return ""
    kind, over, note = parts
    if kind == "unfinished":
        return f"未完成：至演练结束已用 {fmt_secs(st.running_s)}，超出 {fmt_secs(over)}"
    why = f"超时 {fmt_secs(over)}"
    return f"{why}：{note}" if note else why


CSV_COLUMNS = ("at_utc", "offset_s", "kind", "record_id", "title", "what", "detail")


def write_timeline_csv(data: ReportData, path: str | Path) -> Path:
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    with p.open("w", newline="", encoding="utf-8-sig") as fh:   # BOM: Excel opens the Chinese correctly
        w = csv.writer(fh)
        w.writerow(CSV_COLUMNS)
        for r in data.timeline:
            # feed text may start with "=" or carry ESC/BEL: csv_cell escapes it as spreadsheets expect
            w.writerow([csv_cell(v) for v in (r.at.isoformat(), f"{r.offset_s:.1f}", r.kind, r.record_id, r.title,
                                              r.what, r.detail)])
    return p


def fmt_secs(s: float | None) -> str:
    if s is None:
        return "—"
    s = int(round(s))
    sign = "-" if s < 0 else ""
    s = abs(s)
    h, rem = divmod(s, 3600)
    m, sec = divmod(rem, 60)
    return f"{sign}{h}:{m:02d}:{sec:02d}" if h else f"{sign}{m}:{sec:02d}"


__all__ = ["CSV_COLUMNS", "ReportData", "ResourceUse", "TimelineRow", "assemble", "drill_ids", "fmt_secs",
           "write_timeline_csv", "Resource"]
