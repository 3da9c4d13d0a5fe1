"""Teams, vehicles and supplies: dispatched to emergencies, moving, drawn down and restocked."""
from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from commandcenter.domain import EmergencyDomain, Resource, ResourceKind, ResourceStatus, TerritoryLevel

if TYPE_CHECKING:
    from .world import World

# role → (kind, display name, unit, stock, threshold)
TEAM_ROLES = {
    "rescue": "抢险救援队", "fire": "消防救援站", "forest": "森林防火应急中队", "coast": "护岸巡逻队",
    "linkage": "社会治理联动大队", "mediation": "矛盾纠纷调解队", "police": "警务巡逻组（一民两辅）",
}
VEHICLE_ROLES = {
    "fire_engine": "消防车", "command": "应急指挥车", "ambulance": "救护车", "engineering": "抢险工程车",
    "patrol": "巡逻车", "drainage": "排涝车", "transport": "物资运输车",
}
SUPPLY_ROLES = {
    "sandbags": ("沙袋", "袋", 2000.0, 600.0), "lifejackets": ("救生衣", "件", 300.0, 80.0),
    "extinguishers": ("灭火器", "具", 400.0, 100.0), "tents": ("帐篷", "顶", 120.0, 30.0),
    "water": ("饮用水", "箱", 1500.0, 400.0), "blowers": ("风力灭火机", "台", 60.0, 15.0),
}

#: What each emergency domain calls out: team roles, vehicle roles, supplies with (min, max) drawn.
CALLOUT: dict[EmergencyDomain, tuple[tuple[str, ...], tuple[str, ...], dict[str, tuple[int, int]]]] = {
    EmergencyDomain.FIRE_SAFETY: (("fire", "police"), ("fire_engine", "ambulance"), {"extinguishers": (10, 60)}),
    EmergencyDomain.FOREST_FIRE: (("forest", "rescue"), ("transport", "command"), {"blowers": (4, 15), "water": (50, 200)}),
    EmergencyDomain.FLOOD_DROUGHT: (("rescue",), ("drainage", "engineering"), {"sandbags": (200, 700), "lifejackets": (10, 60)}),
    EmergencyDomain.FISHING_VESSEL: (("coast",), ("patrol",), {"lifejackets": (10, 40)}),
    EmergencyDomain.WORK_SAFETY: (("rescue",), ("command", "ambulance"), {}),
    EmergencyDomain.EMERGENCY_MANAGEMENT: (("rescue",), ("command",), {"tents": (5, 20)}),
    EmergencyDomain.STABILITY: (("linkage", "mediation", "police"), ("patrol",), {}),
    EmergencyDomain.LOGISTICS: (("rescue",), ("transport",), {"water": (100, 400), "tents": (5, 30)}),
}

MOVE_STEP_S = 60.0   # simulated seconds between position reports while travelling


@dataclass
class Unit:
    record: Resource
    role: str
    district_id: str
    base: tuple[float, float]
    busy_until: float = 0.0
    trips: list[str] = field(default_factory=list)


class Fleet:
    def __init__(self, world: World) -> None:
        self.world = world
        self.units: dict[str, Unit] = {}

    # --- setup ------------------------------------------------------------------------------
    def populate(self) -> None:
        w = self.world
        city = w.city
        rng = w.rng_res
        from .names import Namer
        namer = Namer(rng)
        districts = city.of_level(TerritoryLevel.DISTRICT)
        for d in districts:
            base = city.centre(d.id)
            rural = any(g.rural for g in city.grids_under(d.id)[:400])
            roles = ["rescue", "fire", "linkage", "coast"] + (["forest"] if rural or len(districts) == 1 else [])
            for role in roles:
                for k in range(2 if role in ("rescue", "fire") else 1):
                    self._add(f"R-{d.id}-{role}-{k + 1}", ResourceKind.TEAM, f"{d.name}{TEAM_ROLES[role]}{'一二三'[k]}队" if role in ("rescue", "fire") else f"{d.name}{TEAM_ROLES[role]}",
                              role, d.id, base, namer.phone())
            # Xiyuan's 7 dedicated vehicles, per district
            for role, label in VEHICLE_ROLES.items():
                self._add(f"V-{d.id}-{role}", ResourceKind.VEHICLE, f"{d.name}{label}", role, d.id, base, namer.phone())
            for role, (label, unit, stock, threshold) in SUPPLY_ROLES.items():
                self._add(f"S-{d.id}-{role}", ResourceKind.SUPPLY, f"{d.name}应急物资库·{label}", role, d.id, base, "",
                          quantity=stock, threshold=threshold, unit=unit)
        for s in city.of_level(TerritoryLevel.STREET):
            base = city.centre(s.id)
            did = s.parent_id or ""
            self._add(f"R-{s.id}-mediation", ResourceKind.TEAM, f"{s.name}{TEAM_ROLES['mediation']}", "mediation", did, base, namer.phone())
            self._add(f"R-{s.id}-police", ResourceKind.TEAM, f"{s.name}{TEAM_ROLES['police']}", "police", did, base, namer.phone())
        for member in self.units.values():
            w.emit("resource", member.record)

    def _add(self, rid: str, kind: ResourceKind, name: str, role: str, district_id: str, base: tuple[float, float],
             phone: str, **extra) -> None:
        rec = Resource(rid, 1, self.world.now_dt, kind, name, ResourceStatus.AVAILABLE, base[0], base[1],
                       grid_id="", phone=phone, **extra)
        self.units[rid] = Unit(rec, role, district_id, base)

    # --- changes ----------------------------------------------------------------------------
    def update(self, unit: Unit, **changes) -> None:
        unit.record = dataclasses.replace(unit.record, version=unit.record.version + 1, updated_at=self.world.now_dt, **changes)
        self.world.emit("resource", unit.record)

    def nearest(self, role: str, point: tuple[float, float], district_id: str) -> Unit | None:
        free = [u for u in self.units.values() if u.role == role and u.record.status is ResourceStatus.AVAILABLE
                and u.record.kind is not ResourceKind.SUPPLY]
        if not free:
            return None
        return min(free, key=lambda u: (u.district_id != district_id, math.dist(u.base, point), u.record.id))

    def dispatch(self, incident_id: str, domain: EmergencyDomain, point: tuple[float, float], grid_id: str,
                 district_id: str, arrive_at: float, drill_id: str | None) -> list[str]:
        """Send the domain's teams and vehicles towards the scene; they report position every minute."""
        teams, vehicles, _ = CALLOUT[domain]
        sent: list[str] = []
        for role in teams + vehicles:
            unit = self.nearest(role, point, district_id)
            if unit is None:
                continue
            sent.append(unit.record.id)
            self.update(unit, status=ResourceStatus.DISPATCHED, incident_id=incident_id, grid_id=grid_id, drill_id=drill_id)
            start = (unit.record.lon or unit.base[0], unit.record.lat or unit.base[1])
            t0 = self.world.now
            steps = max(1, int((arrive_at - t0) // MOVE_STEP_S))
            for k in range(1, steps):
                frac = k / steps
                pos = (round(start[0] + (point[0] - start[0]) * frac, 6), round(start[1] + (point[1] - start[1]) * frac, 6))
                self.world.sched.at(t0 + k * MOVE_STEP_S, self._move, unit, incident_id, pos)
            self.world.sched.at(arrive_at, self._arrive, unit, incident_id, point)
        return sent

    def _move(self, unit: Unit, incident_id: str, pos: tuple[float, float]) -> None:
        if unit.record.incident_id == incident_id and unit.record.status is ResourceStatus.DISPATCHED:
            self.update(unit, lon=pos[0], lat=pos[1])

    def _arrive(self, unit: Unit, incident_id: str, point: tuple[float, float]) -> None:
        if unit.record.incident_id == incident_id:
            self.update(unit, status=ResourceStatus.ON_SCENE, lon=point[0], lat=point[1])

    def draw_supplies(self, domain: EmergencyDomain, district_id: str, incident_id: str, drill_id: str | None) -> None:
        rng = self.world.rng_res
        for role, (lo, hi) in CALLOUT[domain][2].items():
            unit = self.units.get(f"S-{district_id}-{role}") or next(
                (u for u in self.units.values() if u.role == role), None)
            if unit is None or unit.record.quantity is None:
                continue
            amount = float(rng.randint(lo, hi))
            left = max(0.0, unit.record.quantity - amount)
            self.update(unit, quantity=left, incident_id=incident_id, drill_id=drill_id)
            if unit.record.below_threshold and not unit.trips:
                unit.trips.append("restock")
                self.world.sched.after(rng.uniform(2, 6) * 3600, self._restock, unit)

    def _restock(self, unit: Unit) -> None:
        full = SUPPLY_ROLES[unit.role][2]
        unit.trips.clear()
        self.update(unit, quantity=full, incident_id=None, drill_id=None)

    def release(self, incident_id: str, unit_ids: list[str]) -> None:
        """The incident is closed: units head back to base and become available on arrival."""
        rng = self.world.rng_res
        for rid in unit_ids:
            unit = self.units[rid]
            if unit.record.incident_id != incident_id:
                continue
            self.update(unit, status=ResourceStatus.DISPATCHED, incident_id=None)
            self.world.sched.after(rng.uniform(8, 25) * 60, self._home, unit)

    def _home(self, unit: Unit) -> None:
        if unit.record.incident_id is None:
            self.update(unit, status=ResourceStatus.AVAILABLE, lon=unit.base[0], lat=unit.base[1], grid_id="", drill_id=None)
