"""Warnings (预警) in four colours: weather and flood, forest-fire risk, IoT, weak signals, overdue.

Every warning is issued, may be updated (level up or down, a new version), and ends cancelled or
expired. Weather and forest-fire warnings come from their own seeded generator, so adding
them never shifts the event stream.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from commandcenter.domain import Alert, AlertLevel, AlertStatus, AlertType, TerritoryLevel

from .scheduler import to_dt

if TYPE_CHECKING:
    from .incidents import Case
    from .world import World

WEATHER_KINDS = (("暴雨", AlertType.WEATHER), ("大风", AlertType.WEATHER), ("大雾", AlertType.WEATHER),
                 ("高温", AlertType.WEATHER), ("寒潮", AlertType.WEATHER), ("风暴潮", AlertType.FLOOD),
                 ("山洪", AlertType.FLOOD), ("河道洪水", AlertType.FLOOD))
COLOUR_CN = {AlertLevel.BLUE: "蓝色", AlertLevel.YELLOW: "黄色", AlertLevel.ORANGE: "橙色", AlertLevel.RED: "红色"}
WEATHER_PER_DISTRICT_DAY = 0.5
FOREST_PER_DISTRICT_DAY = 0.2
WEAK_SIGNAL_WINDOW_S = 24 * 3600
WEAK_SIGNAL_THRESHOLD = 3


@dataclass
class Live:
    alert: Alert
    open_refs: set[str] = field(default_factory=set)


class Warnings:
    def __init__(self, world: "World") -> None:
        self.world = world
        self.alerts: dict[str, Live] = {}
        self._n = 0
        self._disputes: dict[str, list[float]] = {}
        self._weak: dict[str, str] = {}          # grid id → live weak-signal alert id
        self._overdue: dict[str, str] = {}       # incident id → overdue alert id

    # --- plumbing ---------------------------------------------------------------------------
    def issue(self, level: AlertLevel, type_: AlertType, title: str, *, grid_ids: tuple[str, ...] = (),
              polygons: tuple = (), area_desc: str = "", description: str = "", source: str = "",
              duration_s: float | None = None, references: tuple[str, ...] = (), drill_id: str | None = None) -> Live:
        w = self.world
        self._n += 1
        now = w.now_dt
        alert = Alert(f"AL{self._n:07d}", 1, now, level, type_, title, AlertStatus.ACTIVE, now,
                      expires_at=to_dt(w.now + duration_s) if duration_s else None, description=description,
                      area_desc=area_desc, polygons=polygons, grid_ids=grid_ids, source=source, drill_id=drill_id,
                      references=references)
        live = Live(alert)
        self.alerts[alert.id] = live
        w.emit("alert", alert)
        if duration_s:
            w.sched.after(duration_s, self._expire, live, alert.expires_at)
        return live

    def change(self, live: Live, **changes) -> None:
        a = live.alert
        live.alert = dataclasses.replace(a, version=a.version + 1, updated_at=self.world.now_dt, **changes)
        self.world.emit("alert", live.alert)

    def cancel(self, live: Live, why: str = "") -> None:
        if live.alert.status is AlertStatus.ACTIVE:
            self.change(live, status=AlertStatus.CANCELLED, description=(live.alert.description + (f"（解除：{why}）" if why else "")))

    def _expire(self, live: Live, expected) -> None:
        if live.alert.status is AlertStatus.ACTIVE and live.alert.expires_at == expected:
            self.change(live, status=AlertStatus.EXPIRED)

    def area(self, node_id: str) -> tuple[tuple[str, ...], tuple, str]:
        city = self.world.city
        node = city.nodes[node_id]
        grid_ids = tuple(g.node.id for g in city.grids_under(node_id)) if node.level is not TerritoryLevel.GRID else (node_id,)
        return grid_ids, (node.polygon,), node.name

    # --- random weather and forest-fire risk ------------------------------------------------
    def start_random(self) -> None:
        w = self.world
        for d in w.city.of_level(TerritoryLevel.DISTRICT):
            w.sched.after(w.rng_alerts.expovariate(WEATHER_PER_DISTRICT_DAY / 86400), self._weather, d.id)
            w.sched.after(w.rng_alerts.expovariate(FOREST_PER_DISTRICT_DAY / 86400), self._forest, d.id)

    def _weather(self, district_id: str) -> None:
        w = self.world
        rng = w.rng_alerts
        kind, type_ = rng.choice(WEATHER_KINDS)
        level = rng.choices(list(AlertLevel), weights=[40, 35, 18, 7])[0]
        live = self.weather(district_id, kind, type_, level, rng.uniform(3, 12) * 3600)
        if rng.random() < 0.5:
            w.sched.after(rng.uniform(0.2, 0.6) * (live.alert.expires_at.timestamp() - w.now), self._revise, live)  # type: ignore[union-attr]
        if rng.random() < 0.6:
            w.sched.after(rng.uniform(0.6, 0.95) * (live.alert.expires_at.timestamp() - w.now), self.cancel, live, "天气转好")  # type: ignore[union-attr]
        w.sched.after(rng.expovariate(WEATHER_PER_DISTRICT_DAY / 86400), self._weather, district_id)

    def weather(self, node_id: str, kind: str, type_: AlertType, level: AlertLevel, duration_s: float,
                drill_id: str | None = None) -> Live:
        grid_ids, polygons, name = self.area(node_id)
        colour = COLOUR_CN[level]
        return self.issue(level, type_, f"{name}{kind}{colour}预警", grid_ids=grid_ids, polygons=polygons,
                          area_desc=name, source="气象台" if type_ is AlertType.WEATHER else "防汛抗旱指挥部",
                          description=f"{name}发布{kind}{colour}预警，请做好防范。", duration_s=duration_s,
                          drill_id=drill_id)

    def _revise(self, live: Live) -> None:
        a = live.alert
        if a.status is not AlertStatus.ACTIVE:
            return
        up = self.world.rng_alerts.random() < 0.5
        level = AlertLevel(min(4, a.level + 1) if up else max(1, a.level - 1))
        if level == a.level:
            return
        self.relevel(live, level, a.description + ("（升级）" if up else "（降级）"))

    def relevel(self, live: Live, level: AlertLevel, description: str | None = None) -> None:
        """A new level for a live warning; the colour in its title follows."""
        title = live.alert.title
        for colour in COLOUR_CN.values():
            title = title.replace(colour, COLOUR_CN[level])
        self.change(live, level=level, title=title, description=description or live.alert.description)

    def _forest(self, district_id: str) -> None:
        w = self.world
        rng = w.rng_alerts
        level = AlertLevel.YELLOW if rng.random() < 0.7 else AlertLevel.ORANGE
        grid_ids, polygons, name = self.area(district_id)
        live = self.issue(level, AlertType.FOREST_FIRE, f"{name}森林火险{COLOUR_CN[level]}预警", grid_ids=grid_ids,
                          polygons=polygons, area_desc=name, source="林业局",
                          description="气温高、湿度低，严禁野外用火。", duration_s=rng.uniform(6, 24) * 3600)
        if rng.random() < 0.3:
            w.sched.after(rng.uniform(2, 5) * 3600, self.cancel, live, "降雨")
        w.sched.after(rng.expovariate(FOREST_PER_DISTRICT_DAY / 86400), self._forest, district_id)

    # --- rules over events ------------------------------------------------------------------
    def dispute_reported(self, case: "Case") -> None:
        """Weak signal (弱信号): small disputes rising in one grid within 24 hours."""
        w = self.world
        gid = case.grid.node.id
        times = [t for t in self._disputes.get(gid, []) if t > w.now - WEAK_SIGNAL_WINDOW_S] + [w.now]
        self._disputes[gid] = times
        if len(times) < WEAK_SIGNAL_THRESHOLD:
            return
        level = AlertLevel.BLUE if len(times) == 3 else AlertLevel.YELLOW if len(times) <= 5 else AlertLevel.ORANGE
        alert_id = self._weak.get(gid)
        if alert_id is None:
            live = self.issue(level, AlertType.WEAK_SIGNAL, f"弱信号：{case.grid.node.name}矛盾纠纷上升",
                              grid_ids=(gid,), polygons=(case.grid.node.polygon,), area_desc=case.grid.node.name,
                              source="弱信号监测", description=f"24小时内{len(times)}起矛盾纠纷", references=(case.rec.id,))
            self._weak[gid] = live.alert.id
        else:
            live = self.alerts[alert_id]
            self.change(live, level=max(level, live.alert.level), description=f"24小时内{len(times)}起矛盾纠纷",
                        references=live.alert.references + (case.rec.id,))
        w.sched.after(WEAK_SIGNAL_WINDOW_S, self._weak_check, gid)

    def _weak_check(self, gid: str) -> None:
        w = self.world
        times = [t for t in self._disputes.get(gid, []) if t > w.now - WEAK_SIGNAL_WINDOW_S + 1]
        if not times and gid in self._weak:
            self.cancel(self.alerts[self._weak.pop(gid)], "24小时内无新增纠纷")

    def iot_triggered(self, case: "Case") -> None:
        rec = case.rec
        level = AlertLevel.YELLOW if rec.severity >= 3 else AlertLevel.BLUE
        live = self.issue(level, AlertType.IOT, f"物联感知告警：{rec.title}", grid_ids=(rec.grid_id,),
                          polygons=(case.grid.node.polygon,), area_desc=case.grid.node.name, source="物联感知平台",
                          description=rec.description, references=(rec.id,), drill_id=rec.drill_id)
        live.open_refs.add(rec.id)
        self._overdue.setdefault(f"iot:{rec.id}", live.alert.id)

    def watch_deadline(self, case: "Case") -> None:
        self.world.sched.at(case.deadline_ts, self._deadline, case)

    def _deadline(self, case: "Case") -> None:
        """The center's own rule: an event still open at its deadline raises a warning."""
        rec = case.rec
        if not rec.is_open or rec.id in self._overdue or (rec.emergency and rec.arrived_at is not None):
            return
        level = AlertLevel.ORANGE if rec.emergency else AlertLevel.BLUE
        what = "1-10-20：10分钟未到场" if rec.emergency else "超期未办结"
        live = self.issue(level, AlertType.OVERDUE, f"{what}：{rec.title}", grid_ids=(rec.grid_id,),
                          polygons=(case.grid.node.polygon,), area_desc=case.grid.node.name, source="指挥中心规则",
                          description=f"事件{rec.id}{what}", references=(rec.id,), drill_id=rec.drill_id)
        self._overdue[rec.id] = live.alert.id
        if not rec.emergency:
            self.world.sched.after(case.deadline_ts - rec.reported_at.timestamp(), self._still_overdue, case, live)

    def _still_overdue(self, case: "Case", live: Live) -> None:
        if case.rec.is_open and live.alert.status is AlertStatus.ACTIVE and live.alert.level < AlertLevel.YELLOW:
            self.change(live, level=AlertLevel.YELLOW, description=live.alert.description + "（超期一倍）")

    def incident_closed(self, case: "Case") -> None:
        rid = case.rec.id
        for key in (rid, f"iot:{rid}"):
            alert_id = self._overdue.pop(key, None)
            if alert_id is not None:
                self.cancel(self.alerts[alert_id], "事件已办结")

    def emergency_arrived(self, case: "Case") -> None:
        alert_id = self._overdue.pop(case.rec.id, None)
        if alert_id is not None and case.rec.emergency:
            self.cancel(self.alerts[alert_id], "力量已到场")
