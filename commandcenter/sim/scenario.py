"""Scenario files: timed, scripted events played on top of (or instead of) the random city.

A scenario is TOML: a `[scenario]` table (name, optional `drill_id` stamped on every record its
events create) and `[[events]]`, each with `at` (offset from the simulator's start: "30s",
"2m", "1h30m", "T+90s" or seconds) and a `kind`: `incident`, `alert`, `alert_update` or
`alert_cancel`. Places are referenced so one file works in every profile: a grid id or an
integer index into the profile's grids; a territory node id, `"city"`, or `"district:N"` (0-based).
See config/scenarios/sample-drill.toml and docs/feed-protocol.md.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from commandcenter.domain import AlertLevel, AlertType, Category, EmergencyDomain, Severity, Source, TerritoryLevel

if TYPE_CHECKING:
    from .alerts import Live
    from .territory import City, Grid
    from .world import World

KINDS = ("incident", "alert", "alert_update", "alert_cancel")
_DURATION = re.compile(r"^(?:T\+)?(?:(\d+(?:\.\d+)?)h)?(?:(\d+(?:\.\d+)?)m(?!s))?(?:(\d+(?:\.\d+)?)s)?$")


class ScenarioError(ValueError):
    """A scenario file that cannot be played; the message names the file and the event."""


def parse_offset(value: Any, where: str) -> float:
    """'30s', '2m', '1h30m', 'T+90s' or a number of seconds → seconds."""
    if isinstance(value, bool):
        raise ScenarioError(f"{where}: expected a duration, got {value!r}")
    if isinstance(value, int | float):
        seconds = float(value)
    elif isinstance(value, str) and value.strip() and (m := _DURATION.match(value.strip().replace(" ", ""))):
        h, mnt, s = (float(x) if x else 0.0 for x in m.groups())
        seconds = h * 3600 + mnt * 60 + s
    else:
        raise ScenarioError(f"{where}: cannot read duration {value!r} (use e.g. '30s', '2m', '1h30m')")
    if seconds < 0:
        raise ScenarioError(f"{where}: negative time")
    return seconds


@dataclass
class ScenarioEvent:
    at: float
    kind: str
    spec: dict[str, Any]
    where: str


@dataclass
class Scenario:
    name: str
    drill_id: str | None
    events: list[ScenarioEvent]
    description: str = ""
    _named: dict[str, "Live"] = field(default_factory=dict)
    played: list[tuple[str, str]] = field(default_factory=list)   # (event label, record id)

    def schedule(self, world: "World") -> None:
        for ev in self.events:
            world.sched.at(world.start_ts + ev.at, self._play, world, ev)

    # --- playing ----------------------------------------------------------------------------
    def _play(self, world: "World", ev: ScenarioEvent) -> None:
        spec = ev.spec
        drill_id = spec.get("drill_id", self.drill_id)
        if ev.kind == "incident":
            grid = resolve_grid(world.city, spec.get("grid", 0), ev.where)
            category = Category(spec.get("category", "other"))
            domain = EmergencyDomain(spec["emergency_domain"]) if "emergency_domain" in spec else None
            emergency = spec.get("emergency", domain is not None or category in (Category.FIRE, Category.FOREST_FIRE))
            case = world.incidents.report(
                category, grid, source=Source(spec.get("source", "scenario")),
                severity=Severity(int(spec.get("severity", 4 if emergency else 2))),
                title=spec.get("title"), description=spec.get("description"), emergency_domain=domain,
                force_emergency=bool(emergency), people_trapped=int(spec.get("people_trapped", 0)), drill_id=drill_id)
            self.played.append((spec.get("name", ev.where), case.rec.id))
        elif ev.kind == "alert":
            node_id = resolve_node(world.city, spec.get("area", "city"), ev.where)
            level = _level(spec.get("level", "blue"), ev.where)
            type_ = AlertType(spec.get("type", "weather"))
            duration = parse_offset(spec.get("duration", "6h"), ev.where)
            live = world.warnings.weather(node_id, spec.get("hazard", "暴雨"), type_, level, duration, drill_id=drill_id)
            if spec.get("title"):
                world.warnings.change(live, title=str(spec["title"]))
            if spec.get("description"):
                world.warnings.change(live, description=str(spec["description"]))
            if "name" in spec:
                self._named[spec["name"]] = live
            self.played.append((spec.get("name", ev.where), live.alert.id))
        elif ev.kind in ("alert_update", "alert_cancel"):
            live = self._named.get(spec.get("ref", ""))
            if live is None:
                return  # the referenced alert never fired (e.g. later in the file); nothing to change
            if ev.kind == "alert_cancel":
                world.warnings.cancel(live, str(spec.get("reason", "")))
            else:
                if "level" in spec:
                    world.warnings.relevel(live, _level(spec["level"], ev.where), spec.get("description"))
                changes = {key: str(spec[key]) for key in ("title", "description") if key in spec}
                if changes and "level" not in spec or "title" in changes:
                    world.warnings.change(live, **changes)


def _level(value: Any, where: str) -> AlertLevel:
    try:
        return AlertLevel(int(value)) if isinstance(value, int) else AlertLevel.from_colour(str(value))
    except (KeyError, ValueError):
        raise ScenarioError(f"{where}: level must be blue/yellow/orange/red or 1-4, got {value!r}") from None


def resolve_grid(city: "City", ref: Any, where: str) -> "Grid":
    if isinstance(ref, int) and not isinstance(ref, bool):
        return city.grids[ref % len(city.grids)]
    if isinstance(ref, str) and ref in city.grid_by_id:
        return city.grid_by_id[ref]
    raise ScenarioError(f"{where}: grid {ref!r} is neither a grid id of this city nor an index")


def resolve_node(city: "City", ref: Any, where: str) -> str:
    if isinstance(ref, str):
        if ref in city.nodes:
            return ref
        m = re.fullmatch(r"(district|street|community|grid):(\d+)", ref)
        if m:
            nodes = sorted(city.of_level(TerritoryLevel(m.group(1))), key=lambda n: n.id)
            return nodes[int(m.group(2)) % len(nodes)].id
    if isinstance(ref, int) and not isinstance(ref, bool):
        return city.grids[ref % len(city.grids)].node.id
    raise ScenarioError(f"{where}: area {ref!r} is not a node id, 'city' or 'district:N'")


def load_scenario(path: str | Path) -> Scenario:
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ScenarioError(f"{path}: {exc}") from exc
    head = data.get("scenario", {})
    events: list[ScenarioEvent] = []
    for i, raw in enumerate(data.get("events", [])):
        where = f"{path.name} events[{i}]"
        if not isinstance(raw, dict):
            raise ScenarioError(f"{where}: expected a table")
        kind = raw.get("kind", "incident")
        if kind not in KINDS:
            raise ScenarioError(f"{where}: kind must be one of {', '.join(KINDS)}, got {kind!r}")
        if "at" not in raw:
            raise ScenarioError(f"{where}: missing 'at'")
        try:
            if kind == "incident":
                Category(raw.get("category", "other"))
                if "emergency_domain" in raw:
                    EmergencyDomain(raw["emergency_domain"])
            if kind == "alert":
                AlertType(raw.get("type", "weather"))
                _level(raw.get("level", "blue"), where)
        except ValueError as exc:
            raise ScenarioError(f"{where}: {exc}") from None
        events.append(ScenarioEvent(parse_offset(raw["at"], where), kind, dict(raw), where))
    events.sort(key=lambda e: e.at)
    return Scenario(str(head.get("name", path.stem)), head.get("drill_id"), events, str(head.get("description", "")))
