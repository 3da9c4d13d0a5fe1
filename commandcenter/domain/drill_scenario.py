"""The drill scenario format (演练脚本) and its player: pure, shared by the wall and the simulator.

A scenario is TOML text (or its JSON form, `scenario_to_dict`). The simulator's scenario player
(commandcenter/sim/drills.py) and a wall without a simulator backend (services/drills.py) both turn
it into drill records with `DrillPlayer`, so a scripted time means the same record at the same
offset on either side. Reading files is the callers' business; this module only parses text.

Format (all times relative to the drill start: "30s", "2m", "1m30s", "1h", "T+90s" or seconds):

    [scenario]
    name = "..."; description = "..."; drill_id = "..." (optional: the simulator's --scenario uses it)
    [scenario.targets]            # the scenario's own targets, seconds (default: 1-10-20)
    response_s = 60; arrival_s = 480; assessment_s = 1200
    [[events]]  at = "30s"  type = "incident"  ref = "fire"  title = "..."  category = "fire" ...
    [[events]]  at = "50s"  type = "accepted"  ref = "fire"
    [[events]]  at = "1m"   type = "dispatch"  ref = "fire"  resource = "team1"  name = "..."  resource_kind = "team"
    [[events]]  at = "7m"   type = "arrived"   ref = "fire"        (also: "assessed", "on_scene", "closed")
    [[events]]  at = "2m"   type = "alert"     ref = "rain"  level = "red"  alert_type = "weather" ...
    [[events]]  at = "30m"  type = "cancel_alert" ref = "rain"
"""
from __future__ import annotations

import dataclasses
import re
import tomllib
from dataclasses import dataclass, field
from datetime import datetime, timedelta, UTC
from pathlib import PurePath
from typing import Any

from .deadlines import ARRIVAL, FIRST_ASSESSMENT, RESPONSE_START
from .enums import (
    AlertLevel, AlertStatus, AlertType, Category, EmergencyDomain, ResourceKind, ResourceStatus, Severity, Source,
    Status, TerritoryLevel,
)
from .models import Alert, Incident, Resource, StatusChange
from .warning_signals import Hazard, hazard_named

# ---------------------------------------------------------------------------------------------- scenario
_DUR = re.compile(r"(?:(\d+(?:\.\d+)?)h)?(?:(\d+(?:\.\d+)?)m(?!s))?(?:(\d+(?:\.\d+)?)s)?")


def parse_offset(value: Any) -> float:
    """"1m30s" / "2m" / "45s" / "1h" / 90 / "T+30s" → seconds."""
    if isinstance(value, (int, float)):
        return float(value)
    text = str(value).strip().lower().replace(" ", "")
    if text.startswith("t+"):
        text = text[2:]
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return float(text)
    if re.fullmatch(r"\d{1,2}:\d{2}(:\d{2})?", text):
        parts = [int(p) for p in text.split(":")]
        return float(parts[0] * 60 + parts[1]) if len(parts) == 2 else float(parts[0] * 3600 + parts[1] * 60 + parts[2])
    m = _DUR.fullmatch(text)
    if not m or not any(m.groups()):
        raise ValueError(f"not a time offset: {value!r} (expected e.g. 30s, 2m, 1m30s, 1h)")
    h, mi, s = (float(g) if g else 0.0 for g in m.groups())
    return h * 3600 + mi * 60 + s


@dataclass(frozen=True, slots=True)
class Targets:
    """Seconds from the report; 1-10-20 unless the scenario sets its own."""

    response_s: float = RESPONSE_START.total_seconds()
    arrival_s: float = ARRIVAL.total_seconds()
    assessment_s: float = FIRST_ASSESSMENT.total_seconds()


RULE = Targets()


@dataclass(frozen=True, slots=True)
class ScenarioEvent:
    at_s: float
    type: str
    ref: str = ""
    fields: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Scenario:
    name: str
    description: str = ""
    path: str = ""
    targets: Targets = RULE
    events: tuple[ScenarioEvent, ...] = ()
    slug: str = "drill"
    drill_id: str = ""          # a fixed drill id (the simulator's --scenario); "" = one is made at start

    @property
    def duration_s(self) -> float:
        return max((e.at_s for e in self.events), default=0.0)


_EVENT_TYPES = {"incident", "status", "accepted", "dispatched", "arrived", "assessed", "closed", "dispatch",
                "on_scene", "release", "alert", "cancel_alert", "update_alert"}



def scenario_from_dict(data: dict[str, Any], *, path: str = "") -> Scenario:
    """Tolerant: `[scenario]` or `[meta]` for the header, `[[events]]` or `[[event]]` for the events."""
    head = dict(data.get("scenario") or data.get("meta") or {})
    raw_targets = dict(head.pop("targets", None) or data.get("targets") or {})
    tk = {}
    for key, alias in (("response_s", "response"), ("arrival_s", "arrival"), ("assessment_s", "assessment")):
        if key in raw_targets:
            tk[key] = float(raw_targets[key])
        elif alias in raw_targets:
            tk[key] = parse_offset(raw_targets[alias])
    events = []
    for i, raw in enumerate(data.get("events") or data.get("event") or []):
        raw = dict(raw)
        at = raw.pop("at", raw.pop("t", raw.pop("offset", None)))
        if at is None:
            raise ValueError(f"events[{i}] has no `at`")
        # the simulator's older spelling: `kind` is the event, `type` the alert type, `name` the reference,
        # `area` / `duration` for warnings
        kind = str(raw.pop("kind") if "kind" in raw else raw.pop("type", "")).strip().lower()
        kind = {"alert_update": "update_alert", "alert_cancel": "cancel_alert"}.get(kind, kind)
        if "type" in raw and kind in ("alert", "update_alert"):
            raw.setdefault("alert_type", raw.pop("type"))
        if "name" in raw and "ref" not in raw and "id" not in raw:
            raw["ref"] = raw.pop("name")
        if "duration" in raw:
            raw.setdefault("expires", raw.pop("duration"))
        if kind not in _EVENT_TYPES:
            raise ValueError(f"events[{i}]: unknown type {kind!r} (expected one of {', '.join(sorted(_EVENT_TYPES))})")
        ref = str(raw.pop("ref", raw.pop("id", "")) or f"e{i}")
        events.append(ScenarioEvent(parse_offset(at), kind, ref, raw))
    events.sort(key=lambda e: e.at_s)  # stable: same-time events keep file order
    name = str(head.get("name") or head.get("title") or (PurePath(path).stem if path else "演练"))
    slug = re.sub(r"[^a-z0-9]+", "-", str(head.get("id") or (PurePath(path).stem if path else "drill")).lower()).strip("-")
    sc = Scenario(name=name, description=str(head.get("description", "")), path=path, targets=Targets(**tk),
                  events=tuple(events), slug=slug or "drill", drill_id=str(head.get("drill_id") or ""))
    check_playable(sc)
    return sc


def check_playable(sc: Scenario) -> None:
    """Play the whole scenario once on an empty city, so a bad category or an unknown `ref` is an error now,
    where the file is named, and never a failure minutes into a drill (or inside the simulator's clock)."""
    player = DrillPlayer(sc, "check", datetime(2000, 1, 1, tzinfo=UTC))
    for i, ev in enumerate(sc.events):
        try:
            player.cursor = i
            player.due(ev.at_s)
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"event at {ev.at_s:g}s ({ev.type} {ev.ref!r}): {exc}") from None


def parse_scenario(text: str, *, path: str = "") -> Scenario:
    """A scenario from TOML text; errors are ValueError naming `path` (or "scenario") and the problem."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{path or 'scenario'}: not valid TOML: {exc}") from None
    try:
        return scenario_from_dict(data, path=path)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"{path or 'scenario'}: {exc}") from None


def scenario_to_dict(sc: Scenario) -> dict[str, Any]:
    """The JSON form of a scenario (what a wall posts to a backend): `scenario_from_dict` reads it back equal."""
    head: dict[str, Any] = {"name": sc.name, "description": sc.description, "id": sc.slug,
                            "targets": {"response_s": sc.targets.response_s, "arrival_s": sc.targets.arrival_s,
                                        "assessment_s": sc.targets.assessment_s}}
    if sc.drill_id:
        head["drill_id"] = sc.drill_id
    return {"scenario": head,
            "events": [{**e.fields, "at": e.at_s, "type": e.type, "ref": e.ref} for e in sc.events]}



# ---------------------------------------------------------------------------------------------- player
def _hazard(name: Any) -> Hazard | None:
    """The warning-signal hazard a scenario's `hazard = "暴雨"` names, if it is one."""
    found = hazard_named(name) if isinstance(name, str) else None
    return found.hazard if found else None


_COLOUR_CN = {AlertLevel.BLUE: "蓝色", AlertLevel.YELLOW: "黄色", AlertLevel.ORANGE: "橙色", AlertLevel.RED: "红色"}
_STATUS_FIELD = {Status.ACCEPTED: "accepted_at", Status.DISPATCHED: "dispatched_at", Status.CLOSED: "closed_at",
                 Status.FOLLOWED_UP: "followed_up_at"}


class DrillPlayer:
    """Turns scenario events into drill records (ids `<drill_id>:<ref>`, timestamps = start + offset)."""

    def __init__(self, scenario: Scenario, drill_id: str, started_at: datetime,
                 territory: dict[str, Any] | None = None) -> None:
        self.scenario = scenario
        self.drill_id = drill_id
        self.started_at = started_at
        self.territory = territory or {}
        self.cursor = 0
        self.incidents: dict[str, Incident] = {}
        self.resources: dict[str, Resource] = {}
        self.alerts: dict[str, Alert] = {}

    @property
    def finished(self) -> bool:
        return self.cursor >= len(self.scenario.events)

    def rid(self, ref: str) -> str:
        return f"{self.drill_id}:{ref}"

    def due(self, offset_s: float) -> tuple[list[Incident], list[Resource], list[Alert]]:
        """Records changed by every event due at or before `offset_s` (each record once, newest version)."""
        inc: dict[str, Incident] = {}
        res: dict[str, Resource] = {}
        al: dict[str, Alert] = {}
        events = self.scenario.events
        while self.cursor < len(events) and events[self.cursor].at_s <= offset_s + 1e-9:
            ev = events[self.cursor]
            self.cursor += 1
            at = self.started_at + timedelta(seconds=ev.at_s)
            for rec in self._play(ev, at):
                by_type: dict[type, dict[str, Any]] = {Incident: inc, Resource: res, Alert: al}
                by_type[type(rec)][rec.id] = rec
        return list(inc.values()), list(res.values()), list(al.values())

    # -- events
    def _grid(self, f: dict[str, Any]) -> tuple[str, float | None, float | None]:
        raw = f.get("grid", f.get("grid_id", ""))
        grids = {k: n for k, n in self.territory.items() if getattr(n, "level", None) == TerritoryLevel.GRID}
        if isinstance(raw, int) and not isinstance(raw, bool):     # an index into the city's grids (sim format)
            ordered = sorted(grids)
            raw = ordered[raw % len(ordered)] if ordered else ""
        grid = str(raw or "")
        if grid not in self.territory:
            grid = grid or (sorted(grids)[0] if grids else "drill-grid")
        lon, lat = f.get("lon"), f.get("lat")
        node = self.territory.get(grid)
        if (lon is None or lat is None) and node is not None and node.polygon:
            pts = node.polygon
            lon = sum(p[0] for p in pts) / len(pts)
            lat = sum(p[1] for p in pts) / len(pts)
        return grid, (None if lon is None else float(lon)), (None if lat is None else float(lat))

    def _play(self, ev: ScenarioEvent, at: datetime) -> list[Any]:
        f = ev.fields
        t = ev.type
        if t == "incident":
            grid, lon, lat = self._grid(f)
            dom = f.get("emergency_domain") or f.get("domain")
            rec = Incident(
                id=self.rid(ev.ref), version=1, updated_at=at, reported_at=at, title=str(f.get("title", ev.ref)),
                category=Category(f.get("category", "other")), source=Source(f.get("source", Source.SCENARIO.value)),
                severity=Severity(int(f.get("severity", 3))), status=Status.REPORTED, grid_id=grid, lon=lon, lat=lat,
                emergency=bool(f.get("emergency", True)), emergency_domain=EmergencyDomain(dom) if dom else None,
                description=str(f.get("description", "")), reporter=str(f.get("reporter", "")),
                people_trapped=int(f.get("people_trapped", f.get("trapped", 0))),
                timeline=(StatusChange(Status.REPORTED, at, note=str(f.get("note", ""))),), drill_id=self.drill_id)
            self.incidents[ev.ref] = rec
            return [rec]
        if t in ("status", "accepted", "dispatched", "arrived", "assessed", "closed"):
            return self._incident_step(ev, at)
        if t in ("dispatch", "on_scene", "release"):
            return self._resource_step(ev, at)
        return self._alert_step(ev, at)

    def _incident_step(self, ev: ScenarioEvent, at: datetime) -> list[Any]:
        f = ev.fields
        old = self.incidents.get(ev.ref)
        if old is None:
            raise ValueError(f"scenario event at {ev.at_s:g}s refers to unknown incident {ev.ref!r}")
        t = ev.type
        status = Status(f["status"]) if t == "status" else {
            "accepted": Status.ACCEPTED, "dispatched": Status.DISPATCHED, "closed": Status.CLOSED}.get(t, old.status)
        upd: dict[str, Any] = {}
        if t == "arrived" or (t == "status" and f.get("arrived")):
            upd["arrived_at"] = at
            status = Status.HANDLING if old.status.rank < Status.HANDLING.rank else old.status
        if t == "assessed" or (t == "status" and f.get("assessed")):
            upd["assessed_at"] = at
        if status is not old.status:
            # reaching a later stage implies the earlier ones (a "dispatched" implies "accepted")
            for s, name in _STATUS_FIELD.items():
                if s.rank <= status.rank and getattr(old, name) is None and name not in upd:
                    upd[name] = at
        if status is Status.CLOSED:
            upd.setdefault("closed_at", at)
        note = str(f.get("note", {"arrived": "到场", "assessed": "完成初判"}.get(t, "")))
        timeline = old.timeline + (StatusChange(status, at, str(f.get("handler", "")), str(f.get("department", "")), note),)
        if "departments" in f:
            upd["departments"] = tuple(f["departments"])
        if "handler" in f:
            upd["handler"] = str(f["handler"])
        rec = dataclasses.replace(old, version=old.version + 1, updated_at=at, status=status, timeline=timeline, **upd)
        self.incidents[ev.ref] = rec
        return [rec]

    def _resource_step(self, ev: ScenarioEvent, at: datetime) -> list[Any]:
        f = ev.fields
        key = str(f.get("resource") or f.get("unit") or ev.ref)
        old = self.resources.get(key)
        status = {"dispatch": ResourceStatus.DISPATCHED, "on_scene": ResourceStatus.ON_SCENE,
                  "release": ResourceStatus.AVAILABLE}[ev.type]
        target = self.incidents.get(str(f.get("incident") or ev.ref)) if ev.type != "release" else None
        if old is None:
            grid, lon, lat = self._grid(f)
            old = Resource(id=self.rid(key), version=0, updated_at=at, kind=ResourceKind(f.get("resource_kind", "team")),
                           name=str(f.get("name", key)), status=ResourceStatus.AVAILABLE, grid_id=grid, lon=lon,
                           lat=lat, phone=str(f.get("phone", "")), drill_id=self.drill_id)
        upd: dict[str, Any] = {}
        if target is not None:
            upd["incident_id"] = target.id
            if ev.type == "on_scene":
                upd.update(grid_id=target.grid_id, lon=target.lon, lat=target.lat)
        elif ev.type == "release":
            upd["incident_id"] = None
        rec = dataclasses.replace(old, version=old.version + 1, updated_at=at, status=status, **upd)
        self.resources[key] = rec
        out: list[Any] = [rec]
        if ev.type == "dispatch" and target is not None and target.dispatched_at is None:
            ref = next(k for k, v in self.incidents.items() if v.id == target.id)
            out += self._incident_step(ScenarioEvent(ev.at_s, "dispatched", ref, {"note": f"派遣 {rec.name}"}), at)
        return out

    def _alert_step(self, ev: ScenarioEvent, at: datetime) -> list[Any]:
        f = ev.fields
        old = self.alerts.get(ev.ref)
        if ev.type == "alert" or old is None:
            if ev.type != "alert":
                raise ValueError(f"scenario event at {ev.at_s:g}s refers to unknown alert {ev.ref!r}")
            lvl = f.get("level", "red")
            level = AlertLevel.from_colour(lvl) if isinstance(lvl, str) else AlertLevel(int(lvl))
            expires = f.get("expires", f.get("expires_in"))
            grids = f.get("grid_ids") or f.get("grids") or ()
            rec = Alert(id=self.rid(ev.ref), version=1, updated_at=at, level=level,
                        type=AlertType(f.get("alert_type", f.get("type_", "weather"))),
                        title=str(f.get("title") or (f"{f['hazard']}{_COLOUR_CN[level]}预警" if f.get("hazard") else ev.ref)),
                        status=AlertStatus.ACTIVE, issued_at=at,
                        expires_at=at + timedelta(seconds=parse_offset(expires)) if expires else None,
                        description=str(f.get("description", "")), area_desc=self._area_name(f),
                        grid_ids=tuple(grids) or self._area_grids(f), source=str(f.get("source", "演练脚本")),
                        drill_id=self.drill_id, hazard=_hazard(f.get("hazard")))
        elif ev.type == "cancel_alert":
            rec = dataclasses.replace(old, version=old.version + 1, updated_at=at, status=AlertStatus.CANCELLED)
        else:
            upd = {k: v for k, v in f.items() if k in ("title", "description", "area_desc")}
            if "level" in f:
                upd["level"] = AlertLevel.from_colour(f["level"]) if isinstance(f["level"], str) else AlertLevel(f["level"])
                if "title" not in f and _COLOUR_CN[old.level] in old.title:     # "暴雨红色预警" → "暴雨橙色预警"
                    upd["title"] = old.title.replace(_COLOUR_CN[old.level], _COLOUR_CN[upd["level"]])
            rec = dataclasses.replace(old, version=old.version + 1, updated_at=at, **upd)
        self.alerts[ev.ref] = rec
        return [rec]

    def _area_node(self, f: dict[str, Any]) -> Any:
        area = f.get("area")
        if not isinstance(area, str):
            return None
        if area in self.territory:
            return self.territory[area]
        m = re.fullmatch(r"(district|street|community|grid):(\d+)", area)
        if m:
            nodes = sorted((n for n in self.territory.values() if n.level.value == m.group(1)), key=lambda n: n.id)
            return nodes[int(m.group(2)) % len(nodes)] if nodes else None
        return None

    def _area_name(self, f: dict[str, Any]) -> str:
        if f.get("area_desc"):
            return str(f["area_desc"])
        node = self._area_node(f)
        if node is not None:
            return str(node.name)
        return "全市" if f.get("area") == "city" else str(f.get("area", ""))

    def _area_grids(self, f: dict[str, Any]) -> tuple[str, ...]:
        node = self._area_node(f)
        if node is None:
            return ()
        children: dict[str, list[str]] = {}
        for n in self.territory.values():
            children.setdefault(n.parent_id or "", []).append(n.id)
        out, stack = [], [node.id]
        while stack:
            nid = stack.pop()
            n = self.territory.get(nid)
            if n is not None and n.level is TerritoryLevel.GRID:
                out.append(nid)
            stack.extend(children.get(nid, ()))
        return tuple(sorted(out))

    def stop_records(self, at: datetime) -> list[Alert]:
        """At stop: the drill's warnings are cancelled so none outlives the drill on the wall."""
        out = []
        for ref, a in list(self.alerts.items()):
            if a.status is AlertStatus.ACTIVE:
                self.alerts[ref] = dataclasses.replace(a, version=a.version + 1, updated_at=at, status=AlertStatus.CANCELLED)
                out.append(self.alerts[ref])
        return out


