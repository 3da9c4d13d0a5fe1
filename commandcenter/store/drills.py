"""The drill rows (table `drills`): a drill's scenario document, its start and its stop.

Every wall, console and CLI decides whether a drill runs from these rows (stopped_at NULL = running), so a wall
started at any moment agrees with the others. A stop is written once: the first to record it wins, whether an
operator, the CLI or a process that saw the scenario end.
"""
from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from ..domain import ActionKind, OperatorAction
from .schema import T

DRILLS = T["drills"]
ACTIONS = T["operator_actions"]

STOPPED = "stopped"             # an operator (console or CLI) stopped it
SCENARIO_END = "scenario_end"   # its scenario had played out and nobody had stopped it: ended by itself


@dataclass(frozen=True, slots=True)
class DrillRecord:
    id: str
    name: str
    scenario: dict[str, Any]        # the scenario's whole document (scenario_to_dict form, plus "path")
    started_at: datetime            # on the drill's clock (the backend's, for a backend drill)
    wall_started_at: datetime       # the starting process's clock at that moment
    speed: float = 1.0              # drill clock seconds per real second
    ends_at: datetime | None = None     # drill clock: the scenario's last event (+ a grace); None = until stopped
    played_by: str = ""             # the backend's control URL, "" = a wall or the CLI played it
    stopped_at: datetime | None = None
    stop_kind: str = ""
    started_by: str = ""
    seat: str = ""
    reason: str = ""

    @property
    def running(self) -> bool:
        return self.stopped_at is None


def start_drill(conn: Connection, d: DrillRecord, action: OperatorAction) -> OperatorAction:
    conn.execute(insert(DRILLS).values(
        id=d.id, name=d.name[:200], scenario=json.dumps(d.scenario, ensure_ascii=False), started_at=d.started_at,
        wall_started_at=d.wall_started_at, speed=d.speed, ends_at=d.ends_at, played_by=d.played_by[:200],
        stopped_at=None, stop_kind="", started_by=d.started_by[:100], seat=d.seat[:100], reason=d.reason))
    return _insert_action(conn, action)


def stop_drill(conn: Connection, drill_id: str, at: datetime, kind: str,
               action: OperatorAction | None) -> tuple[bool, OperatorAction | None]:
    """Whether this set the stop, and `action` as recorded (None when not recorded)."""
    n = conn.execute(update(DRILLS).where(DRILLS.c.id == drill_id, DRILLS.c.stopped_at.is_(None))
                     .values(stopped_at=at, stop_kind=kind)).rowcount or 0
    if n and action is not None:
        return True, _insert_action(conn, action)
    return bool(n), None


def read_drills(conn: Connection, *, running_only: bool, drill_id: str | None) -> list[DrillRecord]:
    q = select(DRILLS)
    if running_only:
        q = q.where(DRILLS.c.stopped_at.is_(None))
    if drill_id is not None:
        q = q.where(DRILLS.c.id == drill_id)
    return [DrillRecord(r.id, r.name, json.loads(r.scenario or "{}"), r.started_at, r.wall_started_at,
                        float(r.speed), r.ends_at, r.played_by or "", r.stopped_at, r.stop_kind or "",
                        r.started_by or "", r.seat or "", r.reason or "")
            for r in conn.execute(q.order_by(DRILLS.c.started_at.desc(), DRILLS.c.id.desc()))]


def _insert_action(conn: Connection, a: OperatorAction) -> OperatorAction:
    new_id = conn.execute(insert(ACTIONS).values(
        kind=ActionKind(a.kind).value, target_kind=a.target_kind, target_id=a.target_id, actor=a.actor,
        console=a.console, at=a.at, reason=a.reason, expires_at=a.expires_at, drill_id=a.drill_id, seat=a.seat,
        recipient=a.recipient).returning(ACTIONS.c.id)).scalar_one()
    return dataclasses.replace(a, id=int(new_id))
