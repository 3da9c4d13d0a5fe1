"""KPIs computed from the simulated truth, the way the seeds define them; drills never count.

- completion_rate (办结率): closed / (closed + open past their deadline) among the window's events —
  events still inside their deadline are in progress, not failures.
- disposal_rate (处置率): events being handled or done / events reported more than an hour ago.
- closed_loop_rate (闭环管理率): followed-up / closed more than 12 h ago.
- avg_acceptance_min: reported → accepted; avg_arrival_min: reported → arrived, for 110 non-police calls.
- grid_community_share: resolved at grid or community level / resolved.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from commandcenter.domain import KpiValue, ResolutionLevel, Source, Status, encode, format_time, one_ten_twenty

from .scheduler import to_dt

if TYPE_CHECKING:
    from .world import World

WINDOW_S = 24 * 3600


class Kpis:
    def __init__(self, world: "World") -> None:
        self.world = world

    def values(self, window_s: float = WINDOW_S) -> list[KpiValue]:
        w = self.world
        now = w.now
        start = now - window_s
        cases = [c for c in w.incidents.cases.values()
                 if c.rec.drill_id is None and c.rec.reported_at.timestamp() >= start]
        recs = [c.rec for c in cases]
        closed = [r for r in recs if not r.is_open]
        overdue_open = [c.rec for c in cases if c.rec.is_open and c.deadline_ts <= now and not c.rec.emergency]
        overdue_open += [c.rec for c in cases if c.rec.is_open and c.rec.emergency and c.rec.arrived_at is None
                         and c.deadline_ts <= now]
        older = [r for r in recs if r.reported_at.timestamp() <= now - 3600]
        disposed = [r for r in older if r.status.rank >= Status.HANDLING.rank]
        closed_long = [r for r in closed if r.closed_at and r.closed_at.timestamp() <= now - 12 * 3600]
        followed = [r for r in closed_long if r.status is Status.FOLLOWED_UP]
        acc = [(r.accepted_at - r.reported_at).total_seconds() / 60 for r in recs if r.accepted_at and not r.emergency]
        arr = [(r.arrived_at - r.reported_at).total_seconds() / 60 for r in recs
               if r.arrived_at and r.source is Source.POLICE_110 and not r.emergency]
        levels = [r.resolution_level for r in closed if r.resolution_level is not None and not r.emergency]
        on_spot = [r for r in closed if r.on_the_spot]
        sats = [r.satisfaction for r in recs if r.satisfaction is not None]
        emergencies = [r for r in recs if r.emergency]
        assessed = [r for r in emergencies if r.assessed_at is not None]
        compliant = [r for r in assessed if one_ten_twenty(r).compliant]
        by_cat: dict[str, float] = {}
        by_hour: dict[str, float] = {}
        for r in recs:
            by_cat[r.category.value] = by_cat.get(r.category.value, 0) + 1
            hour = format_time(r.reported_at)[:13]
            by_hour[hour] = by_hour.get(hour, 0) + 1
        level_share = {lv.value: (100.0 * sum(1 for x in levels if x is lv) / len(levels) if levels else 0.0)
                       for lv in ResolutionLevel}
        active_alerts = sum(1 for a in w.warnings.alerts.values() if a.alert.is_live(w.now_dt) and a.alert.drill_id is None)

        def pct(a: int, b: int) -> float | None:
            return round(100.0 * a / b, 2) if b else None

        def mean(xs: list[float]) -> float | None:
            return round(sum(xs) / len(xs), 2) if xs else None

        ws, we = to_dt(start), to_dt(now)
        node = w.city.root.id

        def kv(name: str, value: float | None, unit: str, detail: dict[str, float] | None = None) -> KpiValue:
            return KpiValue(name, value, unit, node, ws, we, detail or {})

        return [
            kv("events_today", float(len(recs)), "件"),
            kv("open_events", float(sum(1 for r in recs if r.is_open)), "件"),
            kv("overdue_events", float(len(overdue_open)), "件"),
            kv("disposal_rate", pct(len(disposed), len(older)), "%"),
            kv("completion_rate", pct(len(closed), len(closed) + len(overdue_open)), "%"),
            kv("closed_loop_rate", pct(len(followed), len(closed_long)), "%"),
            kv("on_the_spot_rate", pct(len(on_spot), len(closed)), "%"),
            kv("grid_community_share", round(level_share["grid"] + level_share["community"], 2) if levels else None, "%", level_share),
            kv("avg_acceptance_min", mean(acc), "min"),
            kv("avg_arrival_min", mean(arr), "min"),
            kv("satisfaction", mean([float(s) for s in sats]), "分"),
            kv("satisfaction_rate", pct(sum(1 for s in sats if s >= 4), len(sats)), "%"),
            kv("emergencies_today", float(len(emergencies)), "件"),
            kv("one_ten_twenty_rate", pct(len(compliant), len(assessed)), "%"),
            kv("active_alerts", float(active_alerts), "条"),
            kv("events_by_category", float(len(recs)), "件", by_cat),
            kv("events_by_hour", float(len(recs)), "件", by_hour),
        ]

    def snapshot(self) -> dict[str, Any]:
        return {"at": format_time(self.world.now_dt), "items": [encode(v) for v in self.values()]}

    def by_name(self) -> dict[str, float | None]:
        return {v.name: v.value for v in self.values()}
