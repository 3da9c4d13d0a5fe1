"""The three kinds of signal, never mixed (domain `SignalKind`):

- public warnings (预警): weather, flood-control and forest-fire signals, only the hazard/colour pairs of
  `domain.warning_signals`, seasonal (`sim/weather.py`), each with its hazard's guidance;
- device alarms (告警): IoT sensors and video analytics that raised an event, and weak signals (弱信号);
- supervision (督办) of overdue work, graded blue/yellow/red.

Every signal is issued, may be updated (level up or down, a new version), and ends cancelled or expired.
Public warnings come from their own seeded generator, so they never shift the event stream.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING

from commandcenter.domain import (
    HAZARDS, Alert, AlertLevel, AlertStatus, AlertType, Hazard, Source, TerritoryLevel,
)
from commandcenter.domain.warning_signals import COLOUR_CN, GRADE_CN

from . import weather
from .scheduler import to_dt

if TYPE_CHECKING:
    from .incidents import Case
    from .world import World

WEAK_SIGNAL_WINDOW_S = 24 * 3600
WEAK_SIGNAL_THRESHOLD = 3
#: Sources whose detection raises a device alarm (告警), and the alarm's wording.
ALARM_SOURCES: dict[Source, tuple[AlertType, str, str]] = {
    Source.IOT_SENSOR: (AlertType.IOT, "物联感知告警", "物联感知平台"),
    Source.VIDEO_AI: (AlertType.VIDEO, "视频智能分析告警", "视频智能分析平台"),
}
_CST = timezone(timedelta(hours=8))


@dataclass
class Live:
    alert: Alert
    open_refs: set[str] = field(default_factory=set)


class Warnings:
    def __init__(self, world: World) -> None:
        self.world = world
        self.alerts: dict[str, Live] = {}
        self._n = 0
        self._disputes: dict[str, list[float]] = {}
        self._weak: dict[str, str] = {}          # grid id → live weak-signal alert id
        self._overdue: dict[str, str] = {}       # incident id → supervision alert id
        self._alarms: dict[str, str] = {}        # incident id → device alarm id
        self._public: dict[tuple[str, Hazard], Live] = {}   # (district, hazard) → its latest public warning

    # --- plumbing ---------------------------------------------------------------------------
    def issue(self, level: AlertLevel, type_: AlertType, title: str, *, grid_ids: tuple[str, ...] = (),
              polygons: tuple = (), area_desc: str = "", description: str = "", source: str = "",
              duration_s: float | None = None, references: tuple[str, ...] = (), drill_id: str | None = None,
              hazard: Hazard | None = None) -> Live:
        w = self.world
        self._n += 1
        now = w.now_dt
        alert = Alert(f"AL{self._n:07d}", 1, now, level, type_, title, AlertStatus.ACTIVE, now,
                      expires_at=to_dt(w.now + duration_s) if duration_s else None, description=description,
                      area_desc=area_desc, polygons=polygons, grid_ids=grid_ids, source=source, drill_id=drill_id,
                      references=references, hazard=hazard)
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

    # --- public warnings (预警), seasonal ----------------------------------------------------
    def start_random(self) -> None:
        w = self.world
        for d in w.city.of_level(TerritoryLevel.DISTRICT):
            w.sched.after(w.rng_alerts.expovariate(self._peak_rate()), self._public_warning, d.id)

    @staticmethod
    def _peak_rate() -> float:
        """Per district per simulated second in the busiest month (the thinning ceiling)."""
        return weather.PEAK_MONTHLY_TOTAL / (30.4 * 86400)

    def _public_warning(self, district_id: str) -> None:
        """A thinned Poisson arrival: accepted in proportion to this month's share of the busiest month."""
        w = self.world
        rng = w.rng_alerts
        month = weather.local_month(w.now)
        if rng.random() < weather.month_total(month) / weather.PEAK_MONTHLY_TOTAL:
            season = weather.hazards_in(month)
            hazard = rng.choices(list(season), weights=list(season.values()))[0]
            levels = HAZARDS[hazard].levels
            level = rng.choices(levels, weights=weather.colour_weights(levels))[0]
            lo, hi = weather.DURATION_H[hazard]
            duration = rng.uniform(lo, hi) * 3600
            current = self._public.get((district_id, hazard))
            if current is not None and current.alert.is_live(w.now_dt):
                self._renew(current, level, duration)     # one signal per hazard and area: the new one replaces it
            else:
                live = self.public_warning(district_id, hazard, level, duration)
                self._public[(district_id, hazard)] = live
                if rng.random() < 0.4:
                    w.sched.after(rng.uniform(0.2, 0.6) * duration, self._revise, live)
                if rng.random() < 0.5:
                    w.sched.after(rng.uniform(0.6, 0.95) * duration, self._end_early, live, live.alert.expires_at)
        w.sched.after(rng.expovariate(self._peak_rate()), self._public_warning, district_id)

    def _renew(self, live: Live, level: AlertLevel, duration_s: float) -> None:
        """The same hazard again over the same area: the live signal is re-issued, never doubled."""
        a = live.alert
        if level > a.level:
            self.relevel(live, level)
            a = live.alert
        expires = max(a.expires_at, to_dt(self.world.now + duration_s)) if a.expires_at else to_dt(self.world.now + duration_s)
        if expires != a.expires_at:
            self.change(live, expires_at=expires)
            self.world.sched.at(expires.timestamp(), self._expire, live, expires)

    def _end_early(self, live: Live, expected) -> None:
        """Lifted before its time, unless it has been re-issued since."""
        if live.alert.expires_at == expected:
            self.cancel(live, "影响减弱")

    def public_warning(self, node_id: str, hazard: Hazard, level: AlertLevel, duration_s: float,
                       drill_id: str | None = None) -> Live:
        """Issue a real warning signal over a territory node; ValueError for a colour the hazard does not have."""
        spec = HAZARDS[hazard]
        signal = spec.signal_name(level)
        grid_ids, polygons, name = self.area(node_id)
        issuer = f"{name}{spec.issuer}"
        when = datetime.fromtimestamp(self.world.now, _CST).strftime("%m月%d日%H时%M分")
        return self.issue(level, spec.alert_type, f"{name}{signal}", grid_ids=grid_ids, polygons=polygons,
                          area_desc=name, source=issuer, hazard=hazard, duration_s=duration_s, drill_id=drill_id,
                          description=f"{issuer}{when}发布{signal}（{GRADE_CN[level]}）。防御指南：{spec.guidance}")

    def _revise(self, live: Live) -> None:
        """Raise or lower a live warning by one colour, staying within its hazard's colours."""
        a = live.alert
        if a.status is not AlertStatus.ACTIVE or a.hazard is None:
            return
        levels = HAZARDS[a.hazard].levels
        i = levels.index(a.level) + (1 if self.world.rng_alerts.random() < 0.5 else -1)
        if 0 <= i < len(levels):
            self.relevel(live, levels[i])

    def relevel(self, live: Live, level: AlertLevel) -> None:
        """A new colour for a live public warning, worded as the issuer words an upgrade or a downgrade."""
        a = live.alert
        if a.hazard is None:
            raise ValueError(f"{a.id} is not a public warning")
        spec = HAZARDS[a.hazard]
        old, new = spec.signal_name(a.level), spec.signal_name(level)    # ValueError for a colour it does not have
        verb = "升级" if level > a.level else "降级"
        when = datetime.fromtimestamp(self.world.now, _CST).strftime("%m月%d日%H时%M分")
        self.change(live, level=level, title=a.title.replace(old, new),
                    description=f"{a.source}{when}将{old}{verb}为{COLOUR_CN[level]}（{GRADE_CN[level]}）。"
                                f"防御指南：{spec.guidance}")

    # --- rules over events ------------------------------------------------------------------
    def dispute_reported(self, case: Case) -> None:
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

    # --- device alarms (告警) ---------------------------------------------------------------
    def device_alarm(self, case: Case) -> None:
        """A sensor or a camera raised this event: its alarm stands until the event is dispatched."""
        rec = case.rec
        type_, label, platform = ALARM_SOURCES[rec.source]
        level = AlertLevel.ORANGE if rec.emergency else AlertLevel.YELLOW if rec.severity >= 3 else AlertLevel.BLUE
        live = self.issue(level, type_, f"{label}：{rec.title}", grid_ids=(rec.grid_id,),
                          polygons=(case.grid.node.polygon,), area_desc=case.grid.node.name, source=platform,
                          description=rec.description, references=(rec.id,), drill_id=rec.drill_id)
        live.open_refs.add(rec.id)
        self._alarms[rec.id] = live.alert.id

    def event_dispatched(self, case: Case) -> None:
        alert_id = self._alarms.pop(case.rec.id, None)
        if alert_id is not None:
            self.cancel(self.alerts[alert_id], "已生成事件并派遣")

    # --- supervision (督办) of overdue work, blue → yellow → red ----------------------------
    def watch_deadline(self, case: Case) -> None:
        self.world.sched.at(case.deadline_ts, self._deadline, case)

    def _deadline(self, case: Case) -> None:
        """The center's own rule: work still open at its deadline is supervised (督办)."""
        rec = case.rec
        if not rec.is_open or rec.id in self._overdue or (rec.emergency and rec.arrived_at is not None):
            return
        if rec.emergency:
            level, title, what = AlertLevel.RED, f"1-10-20督办：{rec.title}", "10分钟未到场"
        else:
            level, title, what = AlertLevel.BLUE, f"超期督办：{rec.title}", "超过办结时限未办结"
        live = self.issue(level, AlertType.OVERDUE, title, grid_ids=(rec.grid_id,),
                          polygons=(case.grid.node.polygon,), area_desc=case.grid.node.name, source="指挥中心督办",
                          description=f"{rec.title}{what}，{COLOUR_CN[level]}督办", references=(rec.id,),
                          drill_id=rec.drill_id)
        self._overdue[rec.id] = live.alert.id
        if not rec.emergency:
            limit = case.deadline_ts - rec.reported_at.timestamp()
            self.world.sched.after(limit, self._still_overdue, case, live, AlertLevel.YELLOW, "超期一倍")
            self.world.sched.after(2 * limit, self._still_overdue, case, live, AlertLevel.RED, "超期两倍")

    def _still_overdue(self, case: Case, live: Live, level: AlertLevel, why: str) -> None:
        a = live.alert
        if case.rec.is_open and a.status is AlertStatus.ACTIVE and a.level < level:
            self.change(live, level=level, description=f"{case.rec.title}{why}仍未办结，{COLOUR_CN[level]}督办")

    def incident_closed(self, case: Case) -> None:
        rid = case.rec.id
        self.event_dispatched(case)
        alert_id = self._overdue.pop(rid, None)
        if alert_id is not None:
            self.cancel(self.alerts[alert_id], "事件已办结")

    def emergency_arrived(self, case: Case) -> None:
        alert_id = self._overdue.pop(case.rec.id, None)
        if alert_id is not None and case.rec.emergency:
            self.cancel(self.alerts[alert_id], "力量已到场")
