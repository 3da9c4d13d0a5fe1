"""Grid events and emergencies: arrival process, closed-loop lifecycle, escalation, follow-up.

Each event's whole life is planned when it is reported (seeded draws), then played out as
scheduled status changes, each a new version of the record. Volumes and durations come from the
seeds (sim/seeds.py, docs/simulator.md): events a year per profile, acceptance 3 min and arrival
10 min for diverted 110 calls, 办结率 ≥ 99.6 % of the work due, 处置率 and 闭环管理率 100 %, 95 % of
disputes resolved at grid or community level, 96.7 % of disputes resolved on the spot, 1-10-20 for
emergencies. Emergencies (突发事件) and first-time petitions (初信初访) are rare and have their own
arrival processes at the seeds' rates; ordinary events are never emergencies.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from commandcenter.domain import (
    Category, EmergencyDomain, Incident, ResolutionLevel, Severity, Source, Status, StatusChange,
)
from commandcenter.domain.deadlines import DEFAULT_CATEGORY_LIMITS

from . import catalog
from .alerts import ALARM_SOURCES
from .territory import Grid

if TYPE_CHECKING:
    from .world import World

#: Share of events that overrun their deadline before closing, and that stay open far longer.
P_OVERDUE = 0.015
P_STUCK = 0.001
BURSTS_PER_DAY_CITY = 6.0
#: On-the-spot share among disputes not handed to district departments, so that all disputes come to 96.7 %.
P_ON_THE_SPOT_BELOW_HIGHER = catalog.P_DISPUTE_ON_THE_SPOT / (
    1 - catalog.RESOLUTION_WEIGHTS[ResolutionLevel.HIGHER] / sum(catalog.RESOLUTION_WEIGHTS.values()))
#: Mean events of one burst: 60 % dispute clusters of 4-8, 40 % burst mains of 5-12.
BURST_MEAN_SIZE = 0.6 * 6 + 0.4 * 8.5


@dataclass
class Case:
    """An incident plus what the simulator knows about it that the wire does not show."""

    rec: Incident
    grid: Grid
    emergency_domain: EmergencyDomain | None = None
    units: list[str] = field(default_factory=list)
    deadline_ts: float = 0.0


def _pick(rng, weights: dict[Any, float]) -> Any:
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


class Incidents:
    def __init__(self, world: World) -> None:
        self.world = world
        self.cases: dict[str, Case] = {}
        self._n = 0
        profile = world.city.profile
        rates = profile.rates
        scale = world.settings.rate
        self.bursts_per_day = max(1.0, BURSTS_PER_DAY_CITY * profile.grids / 6098) * scale
        self.petitions_per_day = rates.first_petitions_per_day * scale
        self.emergencies_per_day = rates.emergencies_per_day * scale
        # the seed's volume counts every event: ordinary arrivals make up what bursts, petitions and emergencies do not
        self.daily = max(0.0, rates.events_per_day * scale - self.bursts_per_day * BURST_MEAN_SIZE
                         - self.petitions_per_day - self.emergencies_per_day)

    # --- arrival processes ------------------------------------------------------------------
    def start_random(self) -> None:
        w = self.world
        if self.daily > 0:
            self._next_arrival()
        if self.bursts_per_day > 0:
            w.sched.after(w.rng.expovariate(self.bursts_per_day / 86400), self._burst)
        self.start_rare()

    def start_rare(self) -> None:
        """The rare kinds' own arrival processes: first-time petitions and emergencies."""
        w = self.world
        if self.petitions_per_day > 0:
            w.sched.after(w.rng.expovariate(self.petitions_per_day / 86400), self._petition)
        if self.emergencies_per_day > 0:
            w.sched.after(w.rng.expovariate(self.emergencies_per_day / 86400), self._emergency)

    def _petition(self) -> None:
        """初信初访: a first letter or visit, at Chaohai's rate scaled by grids."""
        w = self.world
        self.report(Category.PETITION, source=Source.PETITION_VISIT)
        w.sched.after(w.rng.expovariate(self.petitions_per_day / 86400), self._petition)

    def _emergency(self) -> None:
        """突发事件: rare (Dongying's 70-odd "since last year"), in one of the eight domains."""
        w = self.world
        category = _pick(w.rng, catalog.EMERGENCY_CATEGORY_WEIGHTS)
        self.report(category, force_emergency=True)
        w.sched.after(w.rng.expovariate(self.emergencies_per_day / 86400), self._emergency)

    def _next_arrival(self) -> None:
        lam_max = self.daily / 86400.0 * catalog.HOURLY_MAX
        self.world.sched.after(self.world.rng.expovariate(lam_max), self._arrival)

    def _arrival(self) -> None:
        rng = self.world.rng
        if rng.random() < catalog.cycle(self.world.now) / catalog.HOURLY_MAX:
            self.report()
        self._next_arrival()

    def start_demo_floor(self) -> None:
        """Live only, demo only: extra events at `min_live_rate` per real second so small cities look alive.

        The first one comes 0.2 real seconds after start so a wall shows a live incident at once.
        """
        s = self.world.settings
        lam = s.min_live_rate * s.rate / s.speed   # per simulated second
        self.world.sched.at(self.world.start_ts + 0.2 * s.speed, self._floor, lam)

    def _floor(self, lam: float) -> None:
        self.report()
        self.world.sched.after(self.world.rng.expovariate(lam), self._floor, lam)

    def _burst(self) -> None:
        """A cluster in one place: disputes in one grid (a weak signal) or a burst main."""
        w = self.world
        rng = w.rng
        grid = rng.choice(w.city.grids)
        if rng.random() < 0.6:
            n, span, cat = rng.randint(4, 8), rng.uniform(1, 4) * 3600, Category.DISPUTE
        else:
            n, span, cat = rng.randint(5, 12), rng.uniform(0.3, 1) * 3600, Category.UTILITIES
        for _ in range(n):
            w.sched.after(rng.uniform(0, span), self.report, cat, grid)
        w.sched.after(rng.expovariate(self.bursts_per_day / 86400), self._burst)

    # --- one event --------------------------------------------------------------------------
    def next_id(self) -> str:
        self._n += 1
        return f"EV{self._n:08d}"

    def report(self, category: Category | None = None, grid: Grid | None = None, *, source: Source | None = None,
               severity: Severity | None = None, title: str | None = None, description: str | None = None,
               emergency_domain: EmergencyDomain | None = None, force_emergency: bool | None = None,
               people_trapped: int = 0, drill_id: str | None = None) -> Case:
        w = self.world
        rng = w.rng
        city = w.city
        category = category or _pick(rng, catalog.CATEGORY_WEIGHTS)
        grid = grid or rng.choice(city.grids)
        source = source or _pick(rng, catalog.SOURCE_WEIGHTS[category])
        domain = catalog.EMERGENCY_DOMAIN.get(category, EmergencyDomain.EMERGENCY_MANAGEMENT)
        emergency = bool(force_emergency)
        if emergency_domain is not None:
            domain = emergency_domain
        if severity is None:
            severity = (Severity.HIGH if rng.random() < 0.7 else Severity.CRITICAL) if emergency else \
                _pick(rng, {Severity.LOW: 55, Severity.MEDIUM: 38, Severity.HIGH: 7})
        base_title = title or rng.choice(catalog.TITLES[category])
        if category is Category.FIRE and emergency and people_trapped == 0 and rng.random() < 0.25:
            people_trapped = rng.randint(1, 4)
        lon, lat = city.point_in(grid, rng)
        worker = grid.node.grid_worker
        reporter = f"网格员{worker}" if source is Source.GRID_APP else (
            "物联感知设备" if source is Source.IOT_SENSOR else "视频AI" if source is Source.VIDEO_AI else
            "演练导调" if source is Source.SCENARIO else w.rng.choice("王李张刘陈杨黄赵吴周") + "先生女士"[rng.randrange(2) * 2:][:2])
        now = w.now_dt
        rec = Incident(
            id=self.next_id(), version=1, updated_at=now, reported_at=now,
            title=f"{grid.node.name.split('第')[0]}{base_title}", category=category, source=source,
            severity=severity, status=Status.REPORTED, grid_id=grid.node.id, lon=lon, lat=lat,
            emergency=emergency, emergency_domain=domain if emergency else None,
            description=description or f"{grid.node.name}：{base_title}。来源：{catalog.SOURCE_LABEL[source]}。",
            reporter=reporter, grid_worker=worker, people_trapped=people_trapped,
            timeline=(StatusChange(Status.REPORTED, now, reporter, "", catalog.SOURCE_LABEL[source]),),
            drill_id=drill_id,
        )
        case = Case(rec, grid, domain if emergency else None)
        self.cases[rec.id] = case
        w.emit("incident", rec)
        if emergency:
            self._plan_emergency(case)
        else:
            self._plan_event(case)
        if category is Category.DISPUTE and drill_id is None:
            w.warnings.dispute_reported(case)
        if source in ALARM_SOURCES and category in catalog.ALARM_CATEGORIES:
            w.warnings.device_alarm(case)
        return case

    def _plan_event(self, case: Case) -> None:
        w = self.world
        rng = w.rng
        rec = case.rec
        limit = DEFAULT_CATEGORY_LIMITS[rec.category].total_seconds()
        # spreads as domain.kpis.SPREAD assumes: acceptance sd/mean 0.5, arrival from the call ≈ 0.37
        accept = rng.gammavariate(4.0, 45.0)                      # mean 3 min, 95 % within 0.8-6.5 min
        dispatch = accept + rng.gammavariate(2.0, 45.0)           # +1.5 min
        if rec.source is Source.POLICE_110:
            arrive = dispatch + rng.gammavariate(3.0, 110.0)      # +5.5 min on the road: 10 min from the call
        elif rec.source is Source.GRID_APP:
            arrive = dispatch + rng.uniform(0, 60)                # the grid worker is already there
        else:
            arrive = dispatch + rng.gammavariate(2.0, 900.0)
        u = rng.random()
        if u < P_STUCK:
            close = limit * rng.uniform(3, 6)
        elif u < P_STUCK + P_OVERDUE:
            close = limit * rng.uniform(1.05, 1.5)
        else:
            close = arrive + min(limit * 0.9, limit * rng.lognormvariate(-2.2, 0.8))
        close = max(close, arrive + 120)
        level = _pick(rng, catalog.RESOLUTION_WEIGHTS)
        if rec.category is Category.DISPUTE:
            # a dispute handed to district departments is not settled on the spot; the others make up the 96.7 %
            on_spot = rng.random() < P_ON_THE_SPOT_BELOW_HIGHER and level is not ResolutionLevel.HIGHER
        else:
            on_spot = level is ResolutionLevel.GRID and rec.source in (Source.GRID_APP, Source.CITIZEN_PHOTO) and rng.random() < 0.9
        follow = close + rng.gammavariate(2.0, 2 * 3600)     # every closed event is visited back: 闭环管理率 100 %
        t0 = w.now
        case.deadline_ts = t0 + limit
        handler = rec.grid_worker
        depts = self._departments(rec.category, level)
        s = w.sched
        s.at(t0 + accept, self._step, case, Status.ACCEPTED, {"accepted_at": True}, "", "", "平台受理")
        s.at(t0 + dispatch, self._step, case, Status.DISPATCHED, {"dispatched_at": True}, handler, "", f"派遣至网格员{handler}")
        s.at(t0 + arrive, self._step, case, Status.HANDLING, {"arrived_at": True, "handler": handler}, handler, "", "到达现场处置")
        if level is not ResolutionLevel.GRID:
            esc = arrive + (close - arrive) * rng.uniform(0.1, 0.5)
            label = {ResolutionLevel.COMMUNITY: "上报社区协调处置", ResolutionLevel.STREET: "吹哨报到：提级至街道",
                     ResolutionLevel.HIGHER: "吹哨报到：转办区直部门"}[level]
            s.at(t0 + esc, self._escalate, case, depts, label)
        s.at(t0 + close, self._close, case, level, on_spot, depts)
        s.at(t0 + follow, self._follow_up, case)
        w.warnings.watch_deadline(case)

    def _plan_emergency(self, case: Case) -> None:
        """1-10-20: response within 1 min, on scene within 10, first assessment within 20 (mostly)."""
        w = self.world
        rng = w.rng
        accept = rng.uniform(10, 55) if rng.random() < 0.97 else rng.uniform(60, 150)
        dispatch = accept + rng.uniform(5, 40)
        arrive = rng.uniform(240, 560) if rng.random() < 0.96 else rng.uniform(610, 1000)
        arrive = max(arrive, dispatch + 120)
        assess = arrive + rng.uniform(180, 540)
        if rng.random() < 0.03:
            assess = max(assess, 1220 + rng.uniform(0, 400))
        close = assess + rng.uniform(0.5, 4) * 3600
        level = _pick(rng, {ResolutionLevel.STREET: 0.5, ResolutionLevel.HIGHER: 0.3, ResolutionLevel.COMMUNITY: 0.2})
        follow = close + rng.gammavariate(2.0, 3 * 3600)
        t0 = w.now
        case.deadline_ts = t0 + 600
        s = w.sched
        depts = self._departments(case.rec.category, ResolutionLevel.HIGHER)
        s.at(t0 + accept, self._step, case, Status.ACCEPTED, {"accepted_at": True}, "值班员", "", "指挥中心启动响应")
        s.at(t0 + dispatch, self._dispatch_emergency, case, t0 + arrive, depts)
        s.at(t0 + arrive, self._step, case, Status.HANDLING, {"arrived_at": True}, "", "", "救援力量到达现场")
        s.at(t0 + assess, self._assess, case)
        s.at(t0 + close, self._close, case, level, False, depts)
        s.at(t0 + follow, self._follow_up, case)
        w.warnings.watch_deadline(case)

    def _departments(self, category: Category, level: ResolutionLevel) -> tuple[str, ...]:
        if level in (ResolutionLevel.GRID, ResolutionLevel.COMMUNITY):
            return ()
        names = catalog.DEPARTMENTS_FOR[category]
        prefix = self.world.city.profile.city_name[:-1]
        k = 1 if level is ResolutionLevel.STREET else min(len(names), 2)
        return tuple(f"{prefix}市{n}" if not n.endswith("公司") else f"{prefix}{n}" for n in names[:k])

    # --- lifecycle steps --------------------------------------------------------------------
    def _update(self, case: Case, status: Status | None, note: str, by: str = "", dept: str = "",
                **changes: Any) -> None:
        w = self.world
        now = w.now_dt
        rec = case.rec
        for key, value in list(changes.items()):
            if value is True and key.endswith("_at"):
                changes[key] = now
        entry = StatusChange(status or rec.status, now, by, dept, note)
        if status is not None and status.rank < rec.status.rank:
            status = None   # never move backwards (e.g. an event closed before a late step)
        case.rec = dataclasses.replace(rec, version=rec.version + 1, updated_at=now, status=status or rec.status,
                                       timeline=rec.timeline + (entry,), **changes)
        w.emit("incident", case.rec)

    def _step(self, case: Case, status: Status, changes: dict[str, Any], handler: str, department: str, note: str) -> None:
        self._update(case, status, note, handler, department, **changes)
        if status is Status.DISPATCHED:
            self.world.warnings.event_dispatched(case)
        if status is Status.HANDLING and case.rec.emergency:
            self.world.warnings.emergency_arrived(case)

    def _escalate(self, case: Case, depts: tuple[str, ...], label: str) -> None:
        if not case.rec.is_open:
            return
        self._update(case, None, label, case.rec.handler, depts[0] if depts else "",
                     departments=depts or case.rec.departments)

    def _dispatch_emergency(self, case: Case, arrive_at: float, depts: tuple[str, ...]) -> None:
        w = self.world
        rec = case.rec
        point = (rec.lon or 0.0, rec.lat or 0.0)
        assert case.emergency_domain is not None
        case.units = w.fleet.dispatch(rec.id, case.emergency_domain, point, rec.grid_id, case.grid.district_id,
                                      arrive_at, rec.drill_id)
        names = [w.fleet.units[u].record.name for u in case.units]
        w.warnings.event_dispatched(case)
        self._update(case, Status.DISPATCHED, "调度：" + "、".join(names) if names else "调度：无可用力量，请求支援",
                     names[0] if names else "", depts[0] if depts else "", dispatched_at=True,
                     handler=names[0] if names else "", departments=depts)

    def _assess(self, case: Case) -> None:
        w = self.world
        assert case.emergency_domain is not None
        w.fleet.draw_supplies(case.emergency_domain, case.grid.district_id, case.rec.id, case.rec.drill_id)
        note = "完成首次研判" + (f"，被困{case.rec.people_trapped}人" if case.rec.people_trapped else "")
        self._update(case, None, note, case.rec.handler, assessed_at=True)

    def _close(self, case: Case, level: ResolutionLevel, on_spot: bool, depts: tuple[str, ...]) -> None:
        note = {ResolutionLevel.GRID: "网格内化解办结", ResolutionLevel.COMMUNITY: "社区协调办结",
                ResolutionLevel.STREET: "街道处置办结", ResolutionLevel.HIGHER: "部门联动办结"}[level]
        changes: dict[str, Any] = {"closed_at": True, "resolution_level": level, "on_the_spot": on_spot}
        if case.rec.people_trapped:
            note += f"，{case.rec.people_trapped}名被困人员全部救出"
        self._update(case, Status.CLOSED, note, case.rec.handler, depts[0] if depts else "", **changes)
        if case.units:
            self.world.fleet.release(case.rec.id, case.units)
        self.world.warnings.incident_closed(case)

    def _follow_up(self, case: Case) -> None:
        score = _pick(self.world.rng, catalog.SATISFACTION_WEIGHTS)
        self._update(case, Status.FOLLOWED_UP, f"回访：满意度{score}分", "回访员", "", followed_up_at=True, satisfaction=score)
