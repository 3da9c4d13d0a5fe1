"""The KPI engine: reads only the kpi_rollup table, never the incident history. Definitions: docs/kpis.md."""
from __future__ import annotations

import calendar
from datetime import date, datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, and_, func, or_, select

from ..domain import Category, KpiValue, TerritoryLevel
from .rollup import GRAIN_DAY, GRAIN_HOUR, GRAIN_MONTH, NSUMS
from .schema import ROLLUP_SUMS, T

if TYPE_CHECKING:
    from .store import Store

_ROLL = T["kpi_rollup"]
_EPOCH = date(1970, 1, 1)
TREND_HOURS_MAX = 168   # trend_per_hour covers at most the last 7 days of the window
TREND_DAYS_MAX = 400    # trend_per_day covers at most the last 400 days of the window
PER_GRID_MAX = 200      # events_per_grid is given when the node has at most this many grids
Range = tuple[int, int, int]   # (grain, first bucket, end bucket exclusive)


def hour_span(start: datetime, end: datetime) -> tuple[int, int]:
    """[first hour, end hour) covering the window: start floored, end ceiled to whole UTC hours."""
    s = int(start.timestamp()) // 3600
    e = -(-int(end.timestamp() // 1) // 3600)
    return s, max(s, e)


def _month_of_day(d: int) -> int:
    x = _EPOCH + timedelta(days=d)
    return x.year * 12 + x.month - 1


def _first_day_of_month(m: int) -> int:
    return (date(m // 12, m % 12 + 1, 1) - _EPOCH).days


def decompose(hs: int, he: int, *, months: bool = True) -> list[Range]:
    """Cover hours [hs, he) with as few rollup buckets as possible: months inside, days, hours at the edges."""
    out: list[Range] = []
    ds, de = -(-hs // 24), he // 24
    if ds >= de:
        return [(GRAIN_HOUR, hs, he)] if he > hs else []
    if hs < ds * 24:
        out.append((GRAIN_HOUR, hs, ds * 24))
    if de * 24 < he:
        out.append((GRAIN_HOUR, de * 24, he))
    if not months:
        out.append((GRAIN_DAY, ds, de))
        return out
    ms = _month_of_day(ds) + (0 if _first_day_of_month(_month_of_day(ds)) == ds else 1)
    me = _month_of_day(de)   # the month containing day `de` (exclusive) is not fully inside
    if ms >= me:
        out.append((GRAIN_DAY, ds, de))
        return out
    if ds < _first_day_of_month(ms):
        out.append((GRAIN_DAY, ds, _first_day_of_month(ms)))
    if _first_day_of_month(me) < de:
        out.append((GRAIN_DAY, _first_day_of_month(me), de))
    out.append((GRAIN_MONTH, ms, me))
    return out


def _where(nodes: list[str], ranges: list[Range], include_drill: bool) -> Any:
    node = _ROLL.c.node_id == nodes[0] if len(nodes) == 1 else _ROLL.c.node_id.in_(nodes)
    conds = [node, or_(*[and_(_ROLL.c.grain == g, _ROLL.c.bucket >= lo, _ROLL.c.bucket < hi) for g, lo, hi in ranges])]
    if not include_drill:
        conds.append(_ROLL.c.drill == 0)
    return and_(*conds)


def _per_category(conn: Connection, node: str, ranges: list[Range], include_drill: bool) -> dict[str, list[float]]:
    """One query per bucket range, so each is a primary-key range scan (an OR of ranges may scan the node)."""
    out: dict[str, list[float]] = {}
    cols = [func.sum(_ROLL.c[c]) for c in ROLLUP_SUMS]
    for rng in ranges:
        q = select(_ROLL.c.category, *cols).where(_where([node], [rng], include_drill)).group_by(_ROLL.c.category)
        for r in conn.execute(q):
            cur = out.setdefault(r[0], [0.0] * NSUMS)
            for i, x in enumerate(r[1:]):
                cur[i] += float(x or 0)
    return out


def _count_by(conn: Connection, key: Any, nodes: list[str], ranges: list[Range], include_drill: bool) -> dict[Any, float]:
    out: dict[Any, float] = {}
    if not nodes:
        return out
    for rng in ranges:   # one query per range: no OR of ranges
        q = select(key, func.sum(_ROLL.c.n)).where(_where(nodes, [rng], include_drill)).group_by(key)
        for r in conn.execute(q):
            out[r[0]] = out.get(r[0], 0.0) + float(r[1] or 0)
    return out


def _shift_year(t: datetime, years: int = -1) -> datetime:
    y = t.year + years
    day = min(t.day, calendar.monthrange(y, t.month)[1])
    return t.replace(year=y, day=day)


def _pct(num: float, den: float) -> float | None:
    return None if den <= 0 else round(100.0 * num / den, 4)


def _avg(total: float, n: float, scale: float = 1.0) -> float | None:
    return None if n <= 0 else round(total / n / scale, 4)


def compute(store: "Store", conn: Connection, node_id: str, start: datetime, end: datetime, *,
            include_drill: bool = False) -> dict[str, KpiValue]:
    hs, he = hour_span(start, end)
    w0 = datetime.fromtimestamp(hs * 3600, timezone.utc)
    w1 = datetime.fromtimestamp(he * 3600, timezone.utc)
    ranges = decompose(hs, he)
    by_cat = _per_category(conn, node_id, ranges, include_drill)
    tot = [0.0] * NSUMS
    for vec in by_cat.values():
        for i, x in enumerate(vec):
            tot[i] += x
    s = dict(zip(ROLLUP_SUMS, tot))
    out: dict[str, KpiValue] = {}

    def put(name: str, value: float | None, unit: str = "", **detail: float) -> None:
        out[name] = KpiValue(name, value, unit, node_id, w0, w1, {k: float(v) for k, v in detail.items()})

    n = s["n"]
    put("events", n, "events")
    put("disposal_rate", _pct(s["disposed"], n), "%", disposed=s["disposed"], events=n)
    put("completion_rate", _pct(s["closed"], n), "%", closed=s["closed"], events=n)
    put("closed_loop_rate", _pct(s["followed_up"], n), "%", followed_up=s["followed_up"], events=n)
    put("on_the_spot_rate", _pct(s["on_spot"], s["closed"]), "%", on_the_spot=s["on_spot"], closed=s["closed"])
    lv = {k: s["lvl_" + k] for k in ("grid", "community", "street", "higher")}
    lv_n = sum(lv.values())
    put("resolution_level_share", _pct(lv["grid"] + lv["community"], lv_n), "%",
        **{k: (_pct(v, lv_n) or 0.0) for k, v in lv.items()}, resolved_with_level=lv_n)
    put("avg_acceptance_time", _avg(s["acc_s"], s["acc_n"], 60.0), "min", accepted=s["acc_n"])
    put("avg_arrival_time", _avg(s["arr_s"], s["arr_n"], 60.0), "min", arrived=s["arr_n"])
    put("one_ten_twenty_compliance", _pct(s["em_ok"], s["em_n"]), "%", emergencies=s["em_n"], compliant=s["em_ok"],
        response_met=s["em_resp_ok"], arrival_met=s["em_arr_ok"], assessment_met=s["em_ass_ok"])
    put("satisfaction", _avg(s["sat_sum"], s["sat_n"]), "/5", responses=s["sat_n"],
        satisfied_share=_pct(s["sat_good"], s["sat_n"]) or 0.0)
    put("events_per_category", n, "events", **{c.value: by_cat.get(c.value, [0.0])[0] for c in Category},
        **{k: v[0] for k, v in by_cat.items() if k not in Category.__members__.values()})

    # per sub-node and per grid
    children = store._children.get(node_id, []) if node_id else store._children.get("", [])
    put("events_per_subnode", n, "events", **{k: v for k, v in _count_by(conn, _ROLL.c.node_id, children, ranges, include_drill).items()})
    grids = [g for g in store._descendants(node_id) if store._levels.get(g) == TerritoryLevel.GRID.value] if node_id \
        else [g for g, lvl in store._levels.items() if lvl == TerritoryLevel.GRID.value]
    if not grids and node_id and node_id not in store._levels:
        grids = [node_id]   # a grid id the territory does not know yet
    if len(grids) <= PER_GRID_MAX:
        per_grid = _count_by(conn, _ROLL.c.node_id, grids, ranges, include_drill)
        put("events_per_grid", n, "events", **{g: per_grid.get(g, 0.0) for g in grids})
    else:
        put("events_per_grid", None, "events")

    # trends
    th0 = max(hs, he - TREND_HOURS_MAX)
    per_hour = _count_by(conn, _ROLL.c.bucket, [node_id], [(GRAIN_HOUR, th0, he)], include_drill)
    put("trend_per_hour", sum(per_hour.values()), "events", **{
        datetime.fromtimestamp(h * 3600, timezone.utc).strftime("%Y-%m-%dT%H:00Z"): per_hour.get(h, 0.0)
        for h in range(th0, he)})
    td_hours = decompose(max(hs, he - TREND_DAYS_MAX * 24), he, months=False)
    per_day: dict[int, float] = {}
    for g, lo, hi in td_hours:
        for b, c in _count_by(conn, _ROLL.c.bucket, [node_id], [(g, lo, hi)], include_drill).items():
            d = b // 24 if g == GRAIN_HOUR else b
            per_day[d] = per_day.get(d, 0.0) + c
    d0, d1 = max(hs, he - TREND_DAYS_MAX * 24) // 24, -(-he // 24)
    put("trend_per_day", sum(per_day.values()), "events", **{
        (_EPOCH + timedelta(days=d)).isoformat(): per_day.get(d, 0.0) for d in range(d0, d1)})

    # the same window one year earlier
    ps, pe = hour_span(_shift_year(w0), _shift_year(w1))
    prev = _per_category(conn, node_id, decompose(ps, pe), include_drill)
    prev_n = sum(v[0] for v in prev.values())
    pet, prev_pet = by_cat.get(Category.PETITION.value, [0.0])[0], prev.get(Category.PETITION.value, [0.0])[0]
    extra = {"petitions_change": _pct(pet - prev_pet, prev_pet)} if prev_pet else {}
    put("change_vs_last_year", _pct(n - prev_n, prev_n), "%", current=n, previous=prev_n,
        petitions_current=pet, petitions_previous=prev_pet, **extra)
    return out
