"""Drills (演练), Qt-free: scenario files, the drill player, live 1-10-20 scoring and the DrillManager.

A drill is a scenario (TOML) played on the wall beside the real city. Everything it makes carries
its `drill_id`, so views badge it and the store keeps it out of real KPIs (`drill=False` reads,
`kpis(include_drill=False)`), and `store.delete_drill(id)` removes it without touching real rows.

    mgr = DrillManager(store, live, clock=clock, console="console-1")
    drill = mgr.start("config/scenarios/sample-drill.toml", actor="张主任", reason="月度消防演练")
    mgr.tick()                 # play the events now due (the wall calls this twice a second: `run()`)
    mgr.scores()               # per drill incident: response / arrival / first assessment vs targets
    mgr.stop(actor="张主任", reason="演练结束")

Scenario format (all times relative to the drill start: "30s", "2m", "1m30s", "1h" or seconds):

    [scenario]
    name = "..."; description = "..."
    [scenario.targets]            # the scenario's own targets, seconds (default: 1-10-20)
    response_s = 60; arrival_s = 480; assessment_s = 1200
    [[events]]  at = "30s"  type = "incident"  ref = "fire"  title = "..."  category = "fire" ...
    [[events]]  at = "50s"  type = "status"    ref = "fire"  status = "accepted"
    [[events]]  at = "1m"   type = "dispatch"  ref = "fire"  resource = "team1"  name = "..."  resource_kind = "team"
    [[events]]  at = "7m"   type = "arrived"   ref = "fire"        (also: "assessed", "on_scene", "closed")
    [[events]]  at = "2m"   type = "alert"     ref = "rain"  level = "red"  alert_type = "weather" ...
    [[events]]  at = "30m"  type = "cancel_alert" ref = "rain"
"""
from __future__ import annotations

import dataclasses
import re
import threading
import tomllib
import weakref
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from ..domain import (
    ActionKind, Alert, AlertLevel, AlertStatus, AlertType, Category, EmergencyDomain, Incident, OperatorAction,
    Resource, ResourceKind, ResourceStatus, Severity, Source, Status, StatusChange, TerritoryLevel,
)
from ..domain.deadlines import ARRIVAL, FIRST_ASSESSMENT, RESPONSE_START
from .live_state import Change, LiveState

DRILL_FEED = "drill"
SCENARIO_MARK = "scenario="


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


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

    @property
    def duration_s(self) -> float:
        return max((e.at_s for e in self.events), default=0.0)


_EVENT_TYPES = {"incident", "status", "accepted", "dispatched", "arrived", "assessed", "closed", "dispatch",
                "on_scene", "release", "alert", "cancel_alert", "update_alert"}


def load_scenario(path: str | Path) -> Scenario:
    p = Path(path)
    with p.open("rb") as fh:
        data = tomllib.load(fh)
    return scenario_from_dict(data, path=str(p))


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
        # the simulator's format (commandcenter/sim/scenario.py): `kind` is the event, `type` the alert type,
        # `name` the reference, `area` / `duration` for warnings
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
    name = str(head.get("name") or head.get("title") or (Path(path).stem if path else "演练"))
    slug = re.sub(r"[^a-z0-9]+", "-", str(head.get("id") or (Path(path).stem if path else "drill")).lower()).strip("-")
    return Scenario(name=name, description=str(head.get("description", "")), path=path, targets=Targets(**tk),
                    events=tuple(events), slug=slug or "drill")


# ---------------------------------------------------------------------------------------------- player
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
                {Incident: inc, Resource: res, Alert: al}[type(rec)][rec.id] = rec
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
                        drill_id=self.drill_id)
        elif ev.type == "cancel_alert":
            rec = dataclasses.replace(old, version=old.version + 1, updated_at=at, status=AlertStatus.CANCELLED)
        else:
            upd = {k: v for k, v in f.items() if k in ("title", "description", "area_desc")}
            if "level" in f:
                upd["level"] = AlertLevel.from_colour(f["level"]) if isinstance(f["level"], str) else AlertLevel(f["level"])
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
            return node.name
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


# ---------------------------------------------------------------------------------------------- scoring
@dataclass(frozen=True, slots=True)
class StageScore:
    stage: str                 # response / arrival / assessment
    elapsed_s: float | None    # from the report; None = not reached
    rule_s: float              # 1-10-20
    target_s: float            # the scenario's own target
    running_s: float = 0.0     # time since the report as of `now` (for stages not reached)

    @property
    def reached(self) -> bool:
        return self.elapsed_s is not None

    @property
    def met_rule(self) -> bool | None:
        if self.elapsed_s is None:
            return False if self.running_s > self.rule_s else None
        return self.elapsed_s <= self.rule_s

    @property
    def met_target(self) -> bool | None:
        if self.elapsed_s is None:
            return False if self.running_s > self.target_s else None
        return self.elapsed_s <= self.target_s


@dataclass(frozen=True, slots=True)
class Dispatch:
    resource_id: str
    name: str
    kind: str
    at: datetime
    after_s: float             # after the incident's report


@dataclass(frozen=True, slots=True)
class IncidentScore:
    incident_id: str
    title: str
    reported_at: datetime
    stages: tuple[StageScore, ...]
    dispatches: tuple[Dispatch, ...] = ()
    status: str = ""

    def stage(self, name: str) -> StageScore:
        return next(s for s in self.stages if s.stage == name)

    @property
    def passed_rule(self) -> bool | None:
        vals = [s.met_rule for s in self.stages]
        return False if False in vals else (None if None in vals else True)

    @property
    def passed_target(self) -> bool | None:
        vals = [s.met_target for s in self.stages]
        return False if False in vals else (None if None in vals else True)


def score_incident(inc: Incident, now: datetime, targets: Targets = RULE,
                   dispatches: Iterable[Dispatch] = ()) -> IncidentScore:
    def el(t: datetime | None) -> float | None:
        return None if t is None else (t - inc.reported_at).total_seconds()

    running = max(0.0, (now - inc.reported_at).total_seconds())
    stages = (
        StageScore("response", el(inc.accepted_at), RULE.response_s, targets.response_s, running),
        StageScore("arrival", el(inc.arrived_at), RULE.arrival_s, targets.arrival_s, running),
        StageScore("assessment", el(inc.assessed_at), RULE.assessment_s, targets.assessment_s, running),
    )
    return IncidentScore(inc.id, inc.title, inc.reported_at, stages,
                         tuple(sorted(dispatches, key=lambda d: d.at)), inc.status.value)


def dispatch_of(res: Resource, incidents: dict[str, Incident]) -> Dispatch | None:
    inc = incidents.get(res.incident_id or "")
    if inc is None or res.status not in (ResourceStatus.DISPATCHED, ResourceStatus.ON_SCENE):
        return None
    return Dispatch(res.id, res.name, res.kind.value, res.updated_at, (res.updated_at - inc.reported_at).total_seconds())


# ---------------------------------------------------------------------------------------------- manager
@dataclass(frozen=True, slots=True)
class Drill:
    id: str
    scenario: Scenario
    started_at: datetime
    actor: str = ""
    reason: str = ""
    console: str = ""
    speed: float = 1.0
    local: bool = True          # played by this process; False = started elsewhere, followed from the store
    stopped_at: datetime | None = None


def new_drill_id(scenario: Scenario, at: datetime) -> str:
    return f"drill-{at.astimezone(timezone.utc):%Y%m%d-%H%M%S}-{scenario.slug}"[:64]


def action_reason(reason: str, scenario: Scenario) -> str:
    """The DRILL_START action's reason: the operator's words, then the scenario file (so a report finds it)."""
    return f"{reason}\n{SCENARIO_MARK}{scenario.path or scenario.name}" if (scenario.path or scenario.name) else reason


def split_reason(text: str) -> tuple[str, str]:
    why, _, rest = (text or "").partition("\n" + SCENARIO_MARK)
    if not rest and text.startswith(SCENARIO_MARK):
        return "", text[len(SCENARIO_MARK):]
    return why, rest


Listener = Callable[["DrillManager"], None]
_BY_LIVE: dict[int, "weakref.ref[DrillManager]"] = {}
InStore = Callable[..., Awaitable[Any]]
Injector = Callable[["Scenario", str], "Callable[[], Any] | None"]


class DrillManager:
    """Start, play, score and stop drills. Qt-free; sync methods for the CLI, `run()` for the wall's loop.

    Store writes in the sync methods run on the caller's thread; in the wall pass `in_store`
    (IngestPipeline.in_store) and use `run()`, which applies records on the store thread.
    """

    def __init__(self, store: Any, live: LiveState, *, clock: Callable[[], datetime] = utcnow,
                 console: str = "wall", in_store: InStore | None = None) -> None:
        self.store = store
        self.live = live
        self._home = live
        self.clock = clock
        self.console = console
        self.in_store = in_store
        self.current: Drill | None = None
        self.last: Drill | None = None
        self.player: DrillPlayer | None = None
        self._real_start: datetime | None = None
        self._dispatches: dict[str, dict[str, Dispatch]] = {}   # incident id → resource id → first dispatch
        self._listeners: list[Listener] = []
        self._last_action_id = 0
        self._follow_since: datetime | None = None
        self._lock = threading.RLock()
        self._ended: set[str] = set()
        self._from_feed = False
        self._stop_injected: Callable[[], Any] | None = None
        self._unsub = live.on_change(self._on_live)
        _BY_LIVE[id(live)] = weakref.ref(self)

    @staticmethod
    def for_live(live: LiveState) -> "DrillManager | None":
        """The manager created for this LiveState (the wall's banner and drill tile find it this way)."""
        ref = _BY_LIVE.get(id(live))
        mgr = ref() if ref is not None else None
        return mgr if mgr is not None and mgr._home is live else None

    # -- listeners
    def on_change(self, listener: Listener) -> Callable[[], None]:
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def _notify(self) -> None:
        for fn in list(self._listeners):
            fn(self)

    def close(self) -> None:
        self._unsub()
        if _BY_LIVE.get(id(self._home)) is not None and _BY_LIVE[id(self._home)]() is self:
            del _BY_LIVE[id(self._home)]

    # -- clock
    def drill_now(self) -> datetime:
        """The drill's own clock: start + elapsed real time × speed."""
        d = self.current
        now = self.clock()
        if d is None or self._real_start is None:
            return now
        return d.started_at + (now - self._real_start) * d.speed

    def elapsed(self) -> timedelta:
        d = self.current
        return timedelta(0) if d is None else max(timedelta(0), self.drill_now() - d.started_at)

    @property
    def active(self) -> bool:
        return self.current is not None

    # -- start / stop
    def start(self, scenario: Scenario | str | Path, *, actor: str, reason: str = "", speed: float = 1.0,
              drill_id: str | None = None, inject: Injector | None = None) -> Drill:
        """Record DRILL_START (who, why, scenario) and play the scenario.

        By default this process plays it (DrillPlayer → store → live). With `inject`, the scenario is handed
        to a backend instead (e.g. the simulator's scenario player): `inject(scenario, drill_id)` returns an
        optional stop function, and the drill's records arrive through the feeds, scored all the same."""
        if self.current is not None:
            raise RuntimeError(f"drill {self.current.id} is already running; stop it first")
        if not actor.strip():
            raise ValueError("a drill is started by someone: give the actor")
        sc = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
        now = self.clock()
        drill = Drill(drill_id or new_drill_id(sc, now), sc, now, actor, reason, self.console, float(speed))
        action = OperatorAction(ActionKind.DRILL_START, "drill", drill.id, actor, self.console, now,
                                reason=action_reason(reason, sc), drill_id=drill.id)
        saved = self.store.record_action(action)
        self._last_action_id = max(self._last_action_id, saved.id or 0)
        self._begin(drill, local=True)
        if inject is not None:
            self.player = None
            self._stop_injected = inject(sc, drill.id)
        return drill

    def _begin(self, drill: Drill, *, local: bool) -> None:
        with self._lock:
            self.current = dataclasses.replace(drill, local=local)
            self._real_start = self.clock() if local else drill.started_at
            self.player = DrillPlayer(drill.scenario, drill.id, drill.started_at, dict(self.live.territory)) if local else None
            self._dispatches = {}
            self._follow_since = drill.started_at - timedelta(seconds=1)
        self._notify()

    def stop(self, *, actor: str, reason: str = "") -> Drill | None:
        d = self.current
        if d is None:
            return None
        now = self.drill_now()   # = the wall clock at speed 1; in drill time when the drill runs accelerated
        if self.player is not None:
            self._apply_sync([], [], self.player.stop_records(now))
        if self._stop_injected is not None:
            self._stop_injected()
            self._stop_injected = None
        saved = self.store.record_action(OperatorAction(ActionKind.DRILL_STOP, "drill", d.id, actor, self.console, now,
                                                        reason=reason, drill_id=d.id))
        self._last_action_id = max(self._last_action_id, saved.id or 0)
        self._end(now)
        return self.last

    def _end(self, at: datetime) -> None:
        with self._lock:
            if self.current is not None:
                self.last = dataclasses.replace(self.current, stopped_at=at)
                self._ended.add(self.current.id)
            self.current = None
            self.player = None
        self._notify()

    # -- playing
    def due(self) -> tuple[list[Incident], list[Resource], list[Alert]]:
        with self._lock:
            if self.player is None or self.current is None:
                return [], [], []
            offset = (self.drill_now() - self.current.started_at).total_seconds()
            return self.player.due(offset)

    def tick(self) -> int:
        """Play what is due (sync store write); returns the number of records applied."""
        inc, res, al = self.due()
        if not (inc or res or al):
            return 0
        return self._apply_sync(inc, res, al)

    def _apply_sync(self, inc: list, res: list, al: list) -> int:
        applied = self.store.apply(DRILL_FEED, incidents=inc, resources=res, alerts=al, log=False)
        self.live.apply(incidents=applied.incidents, resources=applied.resources, alerts=applied.alerts)
        return len(applied.incidents) + len(applied.resources) + len(applied.alerts)

    async def tick_async(self) -> int:
        inc, res, al = self.due()
        if not (inc or res or al):
            return 0
        if self.in_store is None:
            return self._apply_sync(inc, res, al)
        applied = await self.in_store(self.store.apply, DRILL_FEED, incidents=inc, resources=res, alerts=al, log=False)
        self.live.apply(incidents=applied.incidents, resources=applied.resources, alerts=applied.alerts)
        return len(applied.incidents) + len(applied.resources) + len(applied.alerts)

    def mark(self, incident_id: str, stage: str, *, actor: str, note: str = "") -> Incident:
        """The console records a stage of a drill incident as it happens (the people being drilled report in):
        stage = accepted | dispatched | arrived | assessed | closed. Locally played drills only."""
        p = self.player
        if p is None or self.current is None:
            raise RuntimeError("no drill played by this console is running")
        ref = next((k for k, v in p.incidents.items() if v.id == incident_id or k == incident_id), None)
        if ref is None:
            raise KeyError(f"{incident_id!r} is not an incident of drill {self.current.id}")
        if stage not in ("accepted", "dispatched", "arrived", "assessed", "closed"):
            raise ValueError(f"unknown stage {stage!r}")
        offset = (self.drill_now() - self.current.started_at).total_seconds()
        [rec] = p._incident_step(ScenarioEvent(offset, stage, ref, {"handler": actor, "note": note}), self.drill_now())
        self._apply_sync([rec], [], [])
        self._notify()
        return rec

    def dispatch(self, incident_id: str, name: str, *, actor: str, kind: str = "team") -> Resource:
        """The console dispatches a (drill) unit to a drill incident; it is scored as dispatched now."""
        p = self.player
        if p is None or self.current is None:
            raise RuntimeError("no drill played by this console is running")
        ref = next((k for k, v in p.incidents.items() if v.id == incident_id or k == incident_id), None)
        if ref is None:
            raise KeyError(f"{incident_id!r} is not an incident of drill {self.current.id}")
        offset = (self.drill_now() - self.current.started_at).total_seconds()
        key = "unit-" + re.sub(r"\W+", "-", name).strip("-").lower()
        recs = p._resource_step(ScenarioEvent(offset, "dispatch", ref, {"resource": key, "name": name,
                                                                        "resource_kind": kind}), self.drill_now())
        self._apply_sync([r for r in recs if isinstance(r, Incident)], [r for r in recs if isinstance(r, Resource)], [])
        self._notify()
        return next(r for r in recs if isinstance(r, Resource))

    @property
    def scenario_finished(self) -> bool:
        return self.player is not None and self.player.finished

    # -- following drills started by another console / the CLI
    def sync(self) -> bool:
        """Poll operator actions: a DRILL_START / DRILL_STOP from elsewhere starts / ends following. True if changed."""
        changed = False
        for a in self.store.actions_since(self._last_action_id):
            self._last_action_id = max(self._last_action_id, a.id or 0)
            changed |= self._on_action(a)
        if self.current is not None and not self.current.local:
            self._pull_remote()
        return changed

    def _on_action(self, a: OperatorAction) -> bool:
        if a.kind is ActionKind.DRILL_START and self.current is None:
            why, path = split_reason(a.reason)
            sc = _scenario_or_stub(path)
            self._begin(Drill(a.target_id, sc, a.at, a.actor, why, a.console, 1.0, local=False), local=False)
            return True
        if a.kind is ActionKind.DRILL_STOP and self.current is not None and self.current.id == a.target_id:
            if not self.current.local:
                self._pull_remote()
            elif self.player is not None:         # played here, stopped from another console
                self._apply_sync([], [], self.player.stop_records(self.drill_now()))
            self._end(a.at)
            return True
        return False

    def _pull_remote(self) -> None:
        d = self.current
        if d is not None:
            self._apply_remote(d.id, self._read_remote(d.id, self._follow_since))

    def _read_remote(self, drill_id: str, since: datetime | None) -> tuple[list, list, list]:
        """Store reads only (safe on the store thread)."""
        inc = [i for i in self.store.incidents(drill=True, since=since, limit=10_000) if i.drill_id == drill_id]
        res = [r for r in self.store.resources(drill=True) if r.drill_id == drill_id]
        al = [a for a in self.store.alerts(drill=True, live_only=False) if a.drill_id == drill_id]
        return inc, res, al

    def _apply_remote(self, drill_id: str, rows: tuple[list, list, list]) -> None:
        """Live-state updates (on the thread the views live on)."""
        inc, res, al = rows
        if self.current is None or self.current.id != drill_id:
            return
        if inc:
            self._follow_since = max(i.updated_at for i in inc) - timedelta(microseconds=1)
        self.live.apply(incidents=inc, resources=res, alerts=al)

    async def sync_async(self) -> bool:
        """sync() for the wall: store reads on the store thread, state changes and listeners on the loop thread."""
        if self.in_store is None:
            return self.sync()
        changed = False
        for a in await self.in_store(self.store.actions_since, self._last_action_id):
            self._last_action_id = max(self._last_action_id, a.id or 0)
            d = self.current
            if a.kind is ActionKind.DRILL_STOP and d is not None and d.id == a.target_id and not d.local:
                self._apply_remote(d.id, await self.in_store(self._read_remote, d.id, self._follow_since))
                self._end(a.at)
                changed = True
            else:
                changed |= self._on_action(a)     # a start elsewhere, or this console's drill stopped elsewhere
        d = self.current
        if d is not None and not d.local:
            self._apply_remote(d.id, await self.in_store(self._read_remote, d.id, self._follow_since))
        return changed

    async def run(self, interval: float = 0.5, sync_every: float = 1.0) -> None:
        """The wall's loop: play due events twice a second and follow other consoles' drill actions."""
        import asyncio

        waited = sync_every
        while True:
            try:
                if self.current is not None and self.current.local:
                    await self.tick_async()
                waited += interval
                if waited >= sync_every:
                    waited = 0.0
                    await self.sync_async()
                if self.current is not None:
                    self._notify()          # the drill clock moved
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - a drill must never take the wall down
                import logging

                logging.getLogger(__name__).exception("drill loop")
            await asyncio.sleep(interval)

    # -- scoring
    def _on_live(self, change: Change) -> None:
        if self.live is not self._home:
            return      # the wall is replaying the past into its LiveState (services.replay.LiveDetour)
        d = self.current
        if d is None:
            # drill records arriving through a feed (the simulator's scenario player, a backend's drill channel)
            ids = {r.drill_id for r in (*change.incidents, *change.alerts) if r.drill_id}
            ids -= self._ended
            if not ids:
                return
            first = min((r for r in change.incidents if r.drill_id in ids), key=lambda r: r.reported_at, default=None)
            did = first.drill_id if first else sorted(ids)[0]
            at = first.reported_at if first else self.clock()
            self._begin(Drill(did, Scenario(name=did), at, local=False), local=False)
            self._from_feed = True
            d = self.current
        for r in change.resources:
            if r.drill_id != d.id:
                continue
            disp = dispatch_of(r, self.live.incidents)
            if disp is not None:
                self._dispatches.setdefault(r.incident_id or "", {}).setdefault(r.id, disp)

    def incidents(self, drill_id: str | None = None) -> list[Incident]:
        did = drill_id or (self.current.id if self.current else self.last.id if self.last else None)
        if did is None:
            return []
        return sorted((i for i in self.live.incidents.values() if i.drill_id == did), key=lambda i: i.reported_at)

    def scores(self) -> list[IncidentScore]:
        d = self.current or self.last
        if d is None:
            return []
        now = self.drill_now() if self.current is not None else (d.stopped_at or self.clock())
        return [score_incident(i, now, d.scenario.targets, self._dispatches.get(i.id, {}).values())
                for i in self.incidents(d.id) if i.emergency]


def _scenario_or_stub(path: str) -> Scenario:
    if path and Path(path).exists():
        try:
            return load_scenario(path)
        except (OSError, ValueError, tomllib.TOMLDecodeError):
            pass
    return Scenario(name=Path(path).stem if path else "演练", path=path)
