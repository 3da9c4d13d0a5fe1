"""The simulator's scenario player: drills played on the simulated clock and published on the normal streams.

A wall (or `commandcenter drill start`) posts a drill scenario to `POST /api/v1/_control/drills`; the
scenario's events are scheduled on the world's scheduler at start + offset, turned into records by the
shared `DrillPlayer` (commandcenter/domain/drill_scenario.py), and appended to the message log like any
other record, so REST, SSE and WebSocket clients all receive them, each carrying the drill id. A drill's
records never enter the city's own bookkeeping (cases, fleet, KPIs): drills never count.

`--scenario FILE` plays a scenario from the simulator's start the same way.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from commandcenter.domain import format_time
from commandcenter.domain.drill_scenario import DrillPlayer, Scenario

from .scheduler import to_dt

if TYPE_CHECKING:
    from .world import World


@dataclass
class RunningDrill:
    drill_id: str
    scenario: Scenario
    started_at: datetime
    player: DrillPlayer
    stopped: bool = False
    published: int = field(default=0)

    def describe(self) -> dict[str, Any]:
        return {"drill_id": self.drill_id, "name": self.scenario.name, "started_at": format_time(self.started_at),
                "events": len(self.scenario.events), "played": self.player.cursor,
                "finished": self.player.finished, "published": self.published}


class SimDrills:
    """Drills running in one simulated world, by drill id."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.running: dict[str, RunningDrill] = {}

    def start(self, scenario: Scenario, drill_id: str, at_ts: float | None = None) -> RunningDrill:
        """Schedule the scenario from `at_ts` (default: now, to the millisecond the wire carries)."""
        if not drill_id or len(drill_id) > 64 or "/" in drill_id:
            raise ValueError("drill_id must be 1-64 characters without '/'")
        if drill_id in self.running:
            raise ValueError(f"drill {drill_id} is already running")
        w = self.world
        start_ts = round(w.now if at_ts is None else at_ts, 3)
        run = RunningDrill(drill_id, scenario, to_dt(start_ts), DrillPlayer(scenario, drill_id, to_dt(start_ts),
                                                                              w.city.nodes))
        for offset in sorted({e.at_s for e in scenario.events}):
            w.sched.at(start_ts + offset, self._play, run, offset)
        self.running[drill_id] = run
        return run

    def _play(self, run: RunningDrill, offset: float) -> None:
        if run.stopped:
            return
        incidents, resources, alerts = run.player.due(offset)
        for type_, records in (("incident", incidents), ("resource", resources), ("alert", alerts)):
            for rec in records:
                self.world.emit(type_, rec)
                run.published += 1

    def stop(self, drill_id: str) -> RunningDrill:
        """Stop playing (KeyError if unknown); the drill's active warnings are cancelled now, on the streams."""
        run = self.running.pop(drill_id)
        run.stopped = True
        for alert in run.player.stop_records(self.world.now_dt):
            self.world.emit("alert", alert)
            run.published += 1
        return run

    def describe(self) -> list[dict[str, Any]]:
        return [r.describe() for r in self.running.values()]
