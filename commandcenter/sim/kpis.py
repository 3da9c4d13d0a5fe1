"""The simulator's own KPIs, from its simulated truth, by the definitions the wall uses (domain/kpis.py); drills
never count. `/kpis` gives today's figures (the local day of the centre's calendar), `/kpis?period=month|year`
the month's or the year's so far; the wall's store computes the same figures from the same records."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from commandcenter.domain import KpiValue, encode, format_time
from commandcenter.domain import kpis as DK

if TYPE_CHECKING:
    from .world import World


class Kpis:
    def __init__(self, world: World) -> None:
        self.world = world

    def figures(self, start: datetime, end: datetime) -> dict[str, KpiValue]:
        """domain.kpis' figures of [start, end) widened to whole hours (as the wall counts it): the sums of the real
        (non-drill) records, judged until the start of the hour holding `end`."""
        w = self.world
        recs = [c.rec for c in w.incidents.cases.values() if c.rec.drill_id is None]
        w0, w1 = DK.hour_window(start, end)
        sums = DK.add_up(recs, w0, w1, judged_until=DK.judged_until(end))
        return DK.figures(sums, node_id=w.city.root.id, start=w0, end=w1)

    def values(self, period: str = "today") -> list[KpiValue]:
        w = self.world
        now = w.now_dt
        start = DK.period_start(now, period)
        out = list(self.figures(start, now).values())
        node = w.city.root.id
        live = [c.rec for c in w.incidents.cases.values() if c.rec.drill_id is None]
        active_alerts = sum(1 for a in w.warnings.alerts.values() if a.alert.is_live(now) and a.alert.drill_id is None)
        by_cat: dict[str, float] = {}
        for r in live:
            if r.reported_at >= start:
                by_cat[r.category.value] = by_cat.get(r.category.value, 0.0) + 1
        out += [
            KpiValue("open_events", float(sum(1 for r in live if r.is_open)), "events", node, start, now),
            KpiValue("active_alerts", float(active_alerts), "alerts", node, start, now),
            KpiValue("events_by_category", float(sum(by_cat.values())), "events", node, start, now, by_cat),
        ]
        return out

    def snapshot(self, period: str = "today") -> dict[str, Any]:
        return {"at": format_time(self.world.now_dt), "period": period,
                "items": [encode(v) for v in self.values(period)]}

    def by_name(self, period: str = "today") -> dict[str, float | None]:
        return {v.name: v.value for v in self.values(period)}
