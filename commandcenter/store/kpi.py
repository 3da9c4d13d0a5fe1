"""The KPI engine: reads the kpi_rollup table, never scans history. Definitions: docs/kpis.md.

Above grid level everything comes from rollups. A grid has month rollups only; the hours and days at the edges of
a window come from its own incidents (index range on (grid_id, reported_at): a grid sees ~150 incidents a year,
so at most a few dozen rows), summed with the same contribution() the rollups use. A street's or a community's events
per grid over whole months come from kpi_grid_month (gridmonths.py), the narrow per-grid counts kept under them."""
from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection

from ..domain import Category, KpiValue, TerritoryLevel
from ..domain import kpis as DK
from .dialect import Dialect
from .encoding import aware as _aware
from .rollup import (
    CAT_IDX,
    CONTRIB_COLUMNS,
    GRAIN_DAY,
    GRAIN_HOUR,
    GRAIN_MONTH,
    LOOP_HOURS,
    NCOLS,
    AttrView,
    Calendar,
    clock_parts,
    due_hour,
)
from .schema import ROLLUP_COLUMNS
from .territory import TerritoryTree


@dataclass(frozen=True, slots=True)
class KpiSource:
    """What the engine reads through: the engine's SQL, the store's calendar and its territory tree."""

    sql: Dialect
    calendar: Calendar
    tree: TerritoryTree

TREND_HOURS_MAX = 168   # trend_per_hour covers at most the last 7 days of the window
TREND_DAYS_MAX = 400    # trend_per_day covers at most the last 400 days of the window
PER_GRID_MAX = 200      # events_per_grid is given when the node has at most this many grids
Range = tuple[int, int, int]   # (grain, first bucket, end bucket exclusive)
IDX = {c: i for i, c in enumerate(ROLLUP_COLUMNS)}
_DUE_SET = frozenset(DK.DUE_SUMS + DK.LOOP_SUMS)
#: The columns on the reported clock (all but the due and loop sums).
REPORTED_COLUMNS = tuple(c for c in ROLLUP_COLUMNS if c not in _DUE_SET)
#: The figures judged on the due and loop clocks (their detail says until when).
DUE_CLOCK_KPIS = frozenset(("completion_rate", "on_time_rate", "disposal_rate", "closed_loop_rate",
                            "on_the_spot_rate", "dispute_base_share", "handling_time", "overdue"))
_GRID = TerritoryLevel.GRID.value   # (the StrEnum .value property is slow in a loop)


def hour_span(start: datetime, end: datetime) -> tuple[int, int]:
    """[first hour, end hour) covering the window: start floored, end ceiled to whole UTC hours."""
    s = int(start.timestamp()) // 3600
    e = -(-int(end.timestamp() // 1) // 3600)
    return s, max(s, e)


def decompose(hs: int, he: int, cal: Calendar | None = None, *, months: bool = True) -> list[Range]:
    """Cover UTC hours [hs, he) with as few rollup buckets as possible: local months inside, local days, hours at
    the edges (a local day is a run of whole UTC hours: see rollup.Calendar)."""
    cal = cal or Calendar()
    if he <= hs:
        return []
    d0 = cal.day_month(hs)[0]
    ds = d0 if cal.day_start(d0) == hs else d0 + 1     # first local day starting inside the window
    de = cal.day_month(he)[0]                           # days before the one holding hour `he` end by `he`
    if cal.day_start(de) > he:
        de -= 1
    if ds >= de:
        return [(GRAIN_HOUR, hs, he)]
    out: list[Range] = []
    if hs < cal.day_start(ds):
        out.append((GRAIN_HOUR, hs, cal.day_start(ds)))
    if cal.day_start(de) < he:
        out.append((GRAIN_HOUR, cal.day_start(de), he))
    if not months:
        out.append((GRAIN_DAY, ds, de))
        return out
    m0 = cal.month_of_day(ds)
    ms = m0 if cal.month_start(m0) == ds else m0 + 1
    me = cal.month_of_day(de)
    if ms >= me:
        out.append((GRAIN_DAY, ds, de))
        return out
    if ds < cal.month_start(ms):
        out.append((GRAIN_DAY, ds, cal.month_start(ms)))
    if cal.month_start(me) < de:
        out.append((GRAIN_DAY, cal.month_start(me), de))
    out.append((GRAIN_MONTH, ms, me))
    return out


_SUMS_SQL = ", ".join(f'sum("{c}")' for c in ROLLUP_COLUMNS)


def _set_sql(src: KpiSource, branch_cols: list[tuple[str, ...] | None], include_drill: bool) -> str:
    """UNION ALL of primary-key range scans, one per branch, each summing only its columns (0 for the rest)."""
    key = (src.sql.name, "sets", tuple(branch_cols), include_drill)
    sql = _SQL.get(key)
    if sql is None:
        ph = src.sql.param
        where = (f"FROM kpi_rollup WHERE node_id = {ph} AND grain = {ph} AND bucket >= {ph} AND bucket < {ph}"
                 f"{'' if include_drill else ' AND drill = 0'}")
        parts = []
        for wanted in branch_cols:
            what = _SUMS_SQL if wanted is None else ", ".join(
                f'sum("{c}")' if c in wanted else "0" for c in ROLLUP_COLUMNS)
            parts.append(f"SELECT CAST({ph} AS INTEGER), {what} {where}")
        sql = _SQL[key] = " UNION ALL ".join(parts)
    return sql
_SQL: dict[tuple[Any, ...], str] = {}


def _rollup_sql(src: KpiSource, what: str, n_nodes: int, n_ranges: int, include_drill: bool, group: str = "") -> str:
    """One statement for all ranges: a UNION ALL of primary-key range scans (an OR of ranges would scan the
    node), as driver SQL: building and compiling ~15 Core selects per KPI set cost more than running them."""
    key = (src.sql.name, what, n_nodes, n_ranges, include_drill, group)
    sql = _SQL.get(key)
    if sql is None:
        ph = src.sql.param
        node = f"node_id = {ph}" if n_nodes == 1 else f"node_id IN ({', '.join([ph] * n_nodes)})"
        branch = (f"SELECT {what} FROM kpi_rollup WHERE {node} AND grain = {ph} AND bucket >= {ph} "
                  f"AND bucket < {ph}{'' if include_drill else ' AND drill = 0'}"
                  f"{' GROUP BY ' + group if group else ''}")
        sql = _SQL[key] = " UNION ALL ".join([branch] * n_ranges)
    return sql


def _params(nodes: list[str], ranges: list[Range]) -> tuple[Any, ...]:
    return tuple(x for g, lo, hi in ranges for x in (*nodes, g, lo, hi))


def _spans(ranges: list[Range], cal: Calendar) -> list[tuple[int, int]]:
    """The UTC hour spans of the hour and day ranges (what a grid node reads from the incidents table)."""
    out = []
    for g, lo, hi in ranges:
        if g == GRAIN_HOUR:
            out.append((lo, hi))
        elif g == GRAIN_DAY:
            out.append((cal.day_start(lo), cal.day_start(hi)))
    return out


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Non-empty spans sorted, touching ones joined: a window without a whole month is one span per grid (one
    index seek), not an hour edge, the days and the other hour edge read separately."""
    out: list[tuple[int, int]] = []
    for lo, hi in sorted(x for x in spans if x[1] > x[0]):
        if out and lo <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], hi))
        else:
            out.append((lo, hi))
    return out


def _span_params(src: KpiSource, grids: list[str], spans: list[tuple[int, int]]) -> tuple[Any, ...]:
    tv = src.sql.time_value
    return tuple(x for lo, hi in spans for x in (*grids, tv(datetime.fromtimestamp(lo * 3600, UTC)),
                                                 tv(datetime.fromtimestamp(hi * 3600, UTC))))


def _incident_rows(conn: Connection, src: KpiSource, grids: list[str], spans: list[tuple[int, int]],
                   include_drill: bool, cols: tuple[str, ...],
                   keep: Any = None) -> list[dict[str, Any]]:
    """Incidents of these grids reported in the hour spans (index ranges on (grid_id, reported_at)), times as
    aware datetimes. Reads the table rows: only for the columns a contribution needs (one grid's edges).
    `keep(reported_at, category)`, if given, drops the rows it refuses before their other times are parsed."""
    spans = _merged(spans)
    if not grids or not spans:
        return []
    ph = src.sql.param
    key = (src.sql.name, "inc", cols, len(grids), len(spans), include_drill)
    sql = _SQL.get(key)
    if sql is None:
        node = f"grid_id = {ph}" if len(grids) == 1 else f"grid_id IN ({', '.join([ph] * len(grids))})"
        branch = (f"SELECT {', '.join(cols)} FROM incidents WHERE {node} AND reported_at >= {ph} "
                  f"AND reported_at < {ph}{'' if include_drill else ' AND drill_id IS NULL'}")
        sql = _SQL[key] = " UNION ALL ".join([branch] * len(spans))
    times = [i for i, c in enumerate(cols) if c.endswith("_at")]
    rep_i, cat_i = cols.index("reported_at"), cols.index("category") if "category" in cols else -1
    out = []
    for row in conn.exec_driver_sql(sql, _span_params(src, grids, spans)):
        if keep is not None and not keep(_aware(row[rep_i]), row[cat_i]):
            continue
        r = list(row)
        for i in times:
            if r[i] is not None:
                r[i] = _aware(r[i])
        out.append(dict(zip(cols, r, strict=True)))
    return out


def _incident_keys(conn: Connection, src: KpiSource, grids: list[str], spans: list[tuple[int, int]],
                   include_drill: bool, *, by_grid: bool) -> dict[Any, float]:
    """Incidents of these grids reported in the hour spans, counted per grid (`by_grid`) or per UTC hour.

    Reads the (grid_id, reported_at) index alone, never the table: a street's 150 grids over a month are ~2,000
    incidents, and fetching each one's row to test drill_id cost one random page read per incident on a cold
    cache (≈ 0.5 s on the 10 M history). Drill incidents are then subtracted, found through the partial drill
    index (drill rows are few)."""
    spans = _merged(spans)
    out: dict[Any, float] = {}
    if not grids or not spans:
        return out
    ph = src.sql.param
    node = f"grid_id = {ph}" if len(grids) == 1 else f"grid_id IN ({', '.join([ph] * len(grids))})"
    params = _span_params(src, grids, spans)
    key: tuple[Any, ...] = (src.sql.name, "inc-keys", by_grid, len(grids), len(spans))
    sql = _SQL.get(key)
    if sql is None:
        what = "grid_id, count(*)" if by_grid else "reported_at, 1"
        branch = (f"SELECT {what} FROM incidents WHERE {node} AND reported_at >= {ph} AND reported_at < {ph}"
                  f"{' GROUP BY grid_id' if by_grid else ''}")
        sql = _SQL[key] = " UNION ALL ".join([branch] * len(spans))

    def add(k: Any, n: float) -> None:
        k = k if by_grid else Calendar.hour(_aware(k))
        out[k] = out.get(k, 0.0) + n

    for k, n in conn.exec_driver_sql(sql, params):
        add(k, float(n))
    if not include_drill:
        key = (src.sql.name, "inc-drill", len(grids), len(spans))
        sql = _SQL.get(key)
        if sql is None:
            # SQLite would pick the (grid_id, reported_at) index and read every incident's row; PostgreSQL
            # chooses by its statistics
            hint = " INDEXED BY ix_incidents_drill" if src.sql.name == "sqlite" else ""
            branch = (f"SELECT grid_id, reported_at FROM incidents{hint} WHERE drill_id IS NOT NULL AND {node} "
                      f"AND reported_at >= {ph} AND reported_at < {ph}")
            sql = _SQL[key] = " UNION ALL ".join([branch] * len(spans))
        for g, t in conn.exec_driver_sql(sql, params):
            add(g if by_grid else t, -1.0)
    return {k: v for k, v in out.items() if v}


def _sums(conn: Connection, src: KpiSource, node: str, ranges: list[Range], include_drill: bool, *,
          leaf: bool = False, range_n: dict[Range, float] | None = None) -> list[float]:
    """Every rollup column summed over the ranges, in one statement (see _sum_sets)."""
    return _sum_sets(conn, src, node, [ranges], include_drill, leaf=leaf, range_n=range_n)[0]


def _sum_sets(conn: Connection, src: KpiSource, node: str, sets: list[list[Range]], include_drill: bool, *,
              leaf: bool = False, range_n: dict[Range, float] | None = None,
              columns: list[tuple[str, ...] | None] | None = None) -> list[list[float]]:
    """Every rollup column summed over each set of ranges, all sets in one statement (each branch tagged with its
    set and range; `columns[k]`, if given, names the only columns set k needs: the others read as 0). A grid
    (`leaf`) has month rollups only; its hours and days are summed from its incidents with the same
    contributions() (in its reported and due buckets: an incident reported up to MAX_SHIFT before a span can fall
    due in it). `range_n` (not for a grid) receives the events of each range of the first set."""
    outs = [[0.0] * NCOLS for _ in sets]
    cols = columns or [None] * len(sets)
    tagged = [(k, i, r) for k, rs in enumerate(sets) for i, r in enumerate(rs)
              if not leaf or r[0] == GRAIN_MONTH]
    if tagged:
        params = tuple(x for k, i, (g, lo, hi) in tagged for x in (k * 64 + i, node, g, lo, hi))
        sql = _set_sql(src, [cols[k] for k, _i, _r in tagged], include_drill)
        wanted = [range(NCOLS) if c is None else [IDX[x] for x in c] for c in cols]
        # the DBAPI cursor itself: SQLAlchemy's result metadata costs a processor lookup per column (58 here)
        rows = src.sql.fetch_all(conn, sql, params)
        for row in rows:
            k, i = divmod(int(row[0]), 64)
            if range_n is not None and k == 0 and not leaf:
                r = sets[0][i]
                range_n[r] = range_n.get(r, 0.0) + float(row[1] or 0)
            out = outs[k]
            for j in wanted[k]:
                x = row[j + 1]
                if x:
                    out[j] += float(x)
    if leaf:
        per_set = [_spans(rs, src.calendar) for rs in sets]
        # only a set reading due or loop sums needs incidents reported before its spans
        cal = src.calendar
        shift, shift_h = cal.max_shift_h, cal.shift_h
        wide = [(lo - (0 if c is not None and not _DUE_SET & set(c) else shift), hi)
                for spans, c in zip(per_set, cols, strict=True) for lo, hi in spans]
        every = _merged([x for spans in per_set for x in spans])

        def keep(reported: datetime, category: str) -> bool:
            """False for an incident read back for the due clock whose buckets are in none of the spans."""
            rep_h = Calendar.hour(reported)
            due_h = rep_h + shift_h[category] if shift_h is not None else due_hour(reported, category, cal)
            return any(lo <= h < hi for h in (rep_h, due_h) for lo, hi in every)

        for found in _incident_rows(conn, src, [node], wide, include_drill, CONTRIB_COLUMNS, keep):
            parts = clock_parts(AttrView(found), 1, cal)
            for spans, out in zip(per_set, outs, strict=True):
                for hour, (cs, vs) in parts:
                    if any(lo <= hour < hi for lo, hi in spans):
                        for j, x in zip(cs, vs, strict=True):
                            out[j] += x
    return outs


def _count_by(conn: Connection, src: KpiSource, key: str, nodes: list[str], ranges: list[Range],
              include_drill: bool) -> dict[Any, float]:
    """Events per `key` (node_id or bucket) over the ranges, in one statement."""
    out: dict[Any, float] = {}
    if not nodes or not ranges:
        return out
    sql = _rollup_sql(src, f"{key}, sum(n)", len(nodes), len(ranges), include_drill, group=key)
    for k, c in conn.exec_driver_sql(sql, _params(nodes, ranges)):
        out[k] = out.get(k, 0.0) + float(c or 0)
    return out


def _per_node(conn: Connection, src: KpiSource, nodes: Sequence[str], ranges: list[Range],
              include_drill: bool) -> dict[str, float]:
    """Events per node; grid nodes from their month rollups plus their incidents in the partial months."""
    leaves = [x for x in nodes if _is_leaf(src, x)]
    inner = [x for x in nodes if not _is_leaf(src, x)]
    out = _count_by(conn, src, "node_id", inner, ranges, include_drill)
    if leaves:
        for k, v in _count_by(conn, src, "node_id", leaves, [r for r in ranges if r[0] == GRAIN_MONTH],
                              include_drill).items():
            out[k] = out.get(k, 0.0) + v
        for g, c in _incident_keys(conn, src, leaves, _spans(ranges, src.calendar), include_drill,
                                   by_grid=True).items():
            out[g] = out.get(g, 0.0) + c
    return out


def _held_by(src: KpiSource, node: str, grids: list[str]) -> bool:
    """Whether kpi_grid_month keeps every one of these grids' month counts under `node` (its parent or
    grandparent: gridmonths.holders)."""
    if not node or not grids:
        return False
    parents = src.tree.parents
    for g in grids:
        p = parents.get(g)
        if p != node and (not p or p == g or parents.get(p) != node):
            return False
    return True


def _per_grid(conn: Connection, src: KpiSource, node: str, grids: list[str], ranges: list[Range],
              include_drill: bool) -> dict[str, float]:
    """Events per grid under `node`: whole months from kpi_grid_month when it holds these grids under the node
    (a street's 150 grids over a year: a dozen contiguous pages, not 150 grids' wide rollup rows), the partial
    months from the incidents as _per_node does."""
    months = [r for r in ranges if r[0] == GRAIN_MONTH]
    if not months or not _held_by(src, node, grids):
        return _per_node(conn, src, grids, ranges, include_drill)
    ph = src.sql.param
    key = (src.sql.name, "grid-month", len(months), include_drill)
    sql = _SQL.get(key)
    if sql is None:
        branch = (f"SELECT grid_id, sum(n) FROM kpi_grid_month WHERE node_id = {ph} AND bucket >= {ph} "
                  f"AND bucket < {ph}{'' if include_drill else ' AND drill = 0'} GROUP BY grid_id")
        sql = _SQL[key] = " UNION ALL ".join([branch] * len(months))
    wanted = set(grids)
    out: dict[str, float] = {}
    for g, c in conn.exec_driver_sql(sql, tuple(x for _g, lo, hi in months for x in (node, lo, hi))):
        if g in wanted and c:   # a holder may also keep ids that are not grid-level nodes (incidents name them)
            out[g] = out.get(g, 0.0) + float(c)
    for g, c in _incident_keys(conn, src, grids, _spans(ranges, src.calendar), include_drill,
                               by_grid=True).items():
        out[g] = out.get(g, 0.0) + c
    return {g: c for g, c in out.items() if c}


def _per_hour(conn: Connection, src: KpiSource, node: str, ranges: list[Range],
              include_drill: bool) -> dict[int, float]:
    """Events per UTC hour of a node over hour ranges."""
    if not _is_leaf(src, node):
        return _count_by(conn, src, "bucket", [node], ranges, include_drill)
    return _incident_keys(conn, src, [node], _spans(ranges, src.calendar), include_drill, by_grid=False)


def _is_leaf(src: KpiSource, node: str) -> bool:
    """A grid: a territory node of grid level, or an id the territory does not know (incidents name grids)."""
    lvl = src.tree.levels.get(node)
    return lvl == _GRID or (lvl is None and node != "")


def _shift_year(t: datetime, years: int = -1) -> datetime:
    y = t.year + years
    day = min(t.day, calendar.monthrange(y, t.month)[1])
    return t.replace(year=y, day=day)


def _pct(num: float, den: float) -> float | None:
    return None if den <= 0 else round(100.0 * num / den, 4)


def _avg(total: float, n: float, scale: float = 1.0) -> float | None:
    return None if n <= 0 else round(total / n / scale, 4)


def compute(src: KpiSource, conn: Connection, node_id: str, start: datetime, end: datetime, *,
            include_drill: bool = False) -> dict[str, KpiValue]:
    cal = src.calendar
    hs, he = hour_span(start, end)
    w0 = datetime.fromtimestamp(hs * 3600, UTC)
    w1 = datetime.fromtimestamp(he * 3600, UTC)
    ranges = decompose(hs, he, cal)
    leaf = _is_leaf(src, node_id)
    range_n: dict[Range, float] = {}
    # the due and loop clocks judge only work already due: up to the last whole hour of the window; the
    # overdue count judges all work due before that hour
    hf = max(hs, int(end.timestamp()) // 3600)
    loop = LOOP_HOURS   # loop sums sit in the due bucket: the loops due in [a, b) are those due in [a-24h, b-24h)
    ps, pe = hour_span(_shift_year(w0), _shift_year(w1))
    pet_col = "cat_" + Category.PETITION.value
    tot, judged, looped, ever, prev = _sum_sets(
        conn, src, node_id, [ranges, decompose(hs, hf, cal), decompose(hs - loop, hf - loop, cal),
                               decompose(0, hf, cal), decompose(ps, pe, cal)], include_drill, leaf=leaf,
        range_n=range_n, columns=[REPORTED_COLUMNS, DK.DUE_SUMS, DK.LOOP_SUMS, ("due_n", "due_closed"),
                                  ("n", pet_col)])
    # what lies under the node has no events where the node has none: its children and grids skip those ranges
    # (a whole-history window's first edge, before the history began, was one index seek per grid of a street)
    busy = ranges if leaf else [r for r in ranges if range_n.get(r, 0.0)]
    s = dict(zip(ROLLUP_COLUMNS, tot, strict=True))
    out: dict[str, KpiValue] = {}

    def put(name: str, value: float | None, unit: str = "", **detail: float) -> None:
        out[name] = KpiValue(name, value, unit, node_id, w0, w1, {k: float(v) for k, v in detail.items()})

    n = s["n"]
    # domain.kpis' figures: reported-clock sums of the window, due and loop sums of its judged part
    clock = dict(s)
    for c in DK.DUE_SUMS:
        clock[c] = judged[IDX[c]]
    for c in DK.LOOP_SUMS:
        clock[c] = looped[IDX[c]]
    clock["overdue"] = ever[IDX["due_n"]] - ever[IDX["due_closed"]]
    judged_end = datetime.fromtimestamp(hf * 3600, UTC)
    for key, v in DK.figures(clock, node_id=node_id, start=w0, end=w1).items():
        detail = dict(v.detail)
        if key in DUE_CLOCK_KPIS:
            detail["judged_until"] = judged_end.timestamp()
        out[key] = KpiValue(key, v.value, v.unit, node_id, w0, w1, detail)
    lv = {k: s["lvl_" + k] for k in ("grid", "community", "street", "higher")}
    lv_n = sum(lv.values())
    put("resolution_level_share", _pct(lv["grid"] + lv["community"], lv_n), "%",
        **{k: (_pct(v, lv_n) or 0.0) for k, v in lv.items()}, resolved_with_level=lv_n)
    put("satisfaction", _avg(s["sat_sum"], s["sat_n"]), "/5", responses=s["sat_n"],
        satisfied_share=_pct(s["sat_good"], s["sat_n"]) or 0.0)
    put("events_per_category", n, "events", **{c.value: tot[CAT_IDX[c.value]] for c in Category})

    # per sub-node and per grid
    children = src.tree.children.get(node_id, []) if node_id else src.tree.children.get("", [])
    grids = src.tree.grids_under(node_id, PER_GRID_MAX)
    per_grid = None if grids is None else _per_grid(conn, src, node_id, grids, busy, include_drill)
    # with every grid's count at hand, a child's is the sum of its grids' (a community's rollups hold exactly
    # its grids' incidents), not another read of ten communities' rollups
    per_child = _per_node(conn, src, children, busy, include_drill) if per_grid is None \
        else src.tree.sum_by_child(children, per_grid)
    put("events_per_subnode", n, "events", **per_child)
    if grids is not None and per_grid is not None:
        put("events_per_grid", n, "events", **{g: per_grid.get(g, 0.0) for g in grids})
    else:
        put("events_per_grid", None, "events")

    # trends
    th0 = max(hs, he - TREND_HOURS_MAX)
    per_hour = _per_hour(conn, src, node_id, [(GRAIN_HOUR, th0, he)], include_drill)
    put("trend_per_hour", sum(per_hour.values()), "events", **{
        datetime.fromtimestamp(h * 3600, UTC).strftime("%Y-%m-%dT%H:00Z"): per_hour.get(h, 0.0)
        for h in range(th0, he)})
    d_from = max(hs, he - TREND_DAYS_MAX * 24)
    per_day: dict[int, float] = {}
    for g, lo, hi in decompose(d_from, he, cal, months=False):
        if leaf:   # a grid's days from its incidents
            counts = _per_hour(conn, src, node_id, [(g, lo, hi)], include_drill)
            g = GRAIN_HOUR
        else:
            counts = _count_by(conn, src, "bucket", [node_id], [(g, lo, hi)], include_drill)
        for b, events in counts.items():
            day = cal.day_month(b)[0] if g == GRAIN_HOUR else b
            per_day[day] = per_day.get(day, 0.0) + events
    d0, d1 = cal.day_month(d_from)[0], cal.day_month(he - 1)[0] + 1 if he > d_from else cal.day_month(d_from)[0]
    put("trend_per_day", sum(per_day.values()), "events", **{
        cal.day_label(d): per_day.get(d, 0.0) for d in range(d0, d1)})

    # the same window one year earlier
    prev_n = prev[0]
    pet, prev_pet = tot[CAT_IDX[Category.PETITION.value]], prev[CAT_IDX[Category.PETITION.value]]
    change = _pct(pet - prev_pet, prev_pet) if prev_pet else None
    extra = {"petitions_change": change} if change is not None else {}
    put("change_vs_last_year", _pct(n - prev_n, prev_n), "%", current=n, previous=prev_n,
        petitions_current=pet, petitions_previous=prev_pet, **extra)
    return out
