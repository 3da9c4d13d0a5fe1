"""What one incident version contributes to the KPI rollups, and the calendar that buckets it (pure; see docs/kpis.md).

A rollup row is keyed by (node, grain, bucket, drill) and holds the 21 KPI sums plus one event count per category
(category is a column, not part of the key: a city-hour is one row, not twelve). Hours are UTC hours since the
epoch; days and months are *local* to the store's calendar (default Asia/Shanghai: a Chinese command center's
"today" starts at 00:00 UTC+8), so a day or a month is always a whole number of UTC hours.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from typing import Any, Sequence
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..domain import Category, Status
from ..domain.deadlines import ARRIVAL, FIRST_ASSESSMENT, RESPONSE_START
from .schema import ROLLUP_COLUMNS, ROLLUP_FLOAT_SUMS, ROLLUP_SUMS

NSUMS = len(ROLLUP_SUMS)
NCOLS = len(ROLLUP_COLUMNS)
IDX = {name: i for i, name in enumerate(ROLLUP_COLUMNS)}
CAT_IDX = {c.value: NSUMS + i for i, c in enumerate(Category)}
FLOAT_IDX = [IDX[c] for c in ROLLUP_FLOAT_SUMS]
INT_IDX = [i for i in range(NCOLS) if i not in FLOAT_IDX]
#: Column order of a rollup row as written: key, integer sums, float sums.
WRITE_COLUMNS = ("node_id", "grain", "bucket", "drill", *(ROLLUP_COLUMNS[i] for i in INT_IDX),
                 *(ROLLUP_COLUMNS[i] for i in FLOAT_IDX))
GRAIN_HOUR, GRAIN_DAY, GRAIN_MONTH = 0, 1, 2
DEFAULT_TZ = "Asia/Shanghai"
EPOCH = date(1970, 1, 1)
_DISPOSED_RANK = Status.DISPATCHED.rank
_CLOSED = frozenset((Status.CLOSED.value, Status.FOLLOWED_UP.value))
_FOLLOWED_UP = Status.FOLLOWED_UP.value
_LEVEL_IDX = {"grid": IDX["lvl_grid"], "community": IDX["lvl_community"], "street": IDX["lvl_street"],
              "higher": IDX["lvl_higher"]}
_RESP, _ARR, _ASS = RESPONSE_START.total_seconds(), ARRIVAL.total_seconds(), FIRST_ASSESSMENT.total_seconds()
_RANK = {s.value: s.rank for s in Status}

#: Columns of the incidents table a contribution depends on.
CONTRIB_COLUMNS = (
    "id", "grid_id", "category", "reported_at", "status", "accepted_at", "arrived_at", "assessed_at",
    "emergency", "on_the_spot", "resolution_level", "satisfaction", "drill_id",
)


class Calendar:
    """Local days and months of one time zone, as UTC hour ranges.

    The zone's UTC offset must be a whole number of hours at every instant (all of China, most of the world):
    then every local day is a run of whole UTC hours and the KPI engine can combine hour, day and month rollups
    exactly. Zones with DST work (a day is 23 or 25 hours); zones like Asia/Kolkata (+05:30) are refused."""

    def __init__(self, tz: str = DEFAULT_TZ) -> None:
        try:
            self.zone = ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {tz!r}") from exc
        self.name = tz
        self._dm: dict[int, tuple[int, int]] = {}
        self._start: dict[int, int] = {}
        self.day_month(0)   # refuse a zone with a fractional offset now rather than mid-ingest
        self.day_month(int(datetime(2026, 1, 1, tzinfo=timezone.utc).timestamp()) // 3600)

    def __repr__(self) -> str:
        return f"Calendar({self.name!r})"

    @staticmethod
    def hour(t: datetime) -> int:
        """UTC hours since the epoch."""
        if t.tzinfo is None:
            t = t.replace(tzinfo=timezone.utc)
        return int(t.timestamp() // 3600)

    def day_month(self, h: int) -> tuple[int, int]:
        """(local day since 1970-01-01, local month = year*12 + month-1) of UTC hour h."""
        dm = self._dm.get(h)
        if dm is None:
            local = datetime.fromtimestamp(h * 3600, self.zone)
            off = local.utcoffset()
            if off is None or off.total_seconds() % 3600:
                raise ValueError(f"time zone {self.name!r} has UTC offset {off} at {local.isoformat()}: "
                                 "KPI days need a whole-hour offset")
            dm = ((local.date() - EPOCH).days, local.year * 12 + local.month - 1)
            self._dm[h] = dm
        return dm

    def buckets(self, t: datetime) -> tuple[int, int, int]:
        """(hour, day, month) buckets of a time."""
        h = self.hour(t)
        d, m = self.day_month(h)
        return h, d, m

    def day_start(self, d: int) -> int:
        """The UTC hour at which local day d begins."""
        s = self._start.get(d)
        if s is None:
            s = int(datetime.combine(EPOCH + timedelta(days=d), time(), self.zone).timestamp()) // 3600
            self._start[d] = s
        return s

    @staticmethod
    def month_of_day(d: int) -> int:
        x = EPOCH + timedelta(days=d)
        return x.year * 12 + x.month - 1

    @staticmethod
    def month_start(m: int) -> int:
        """The local day on which month m begins."""
        return (date(m // 12, m % 12 + 1, 1) - EPOCH).days

    @staticmethod
    def day_label(d: int) -> str:
        return (EPOCH + timedelta(days=d)).isoformat()


def _secs(a: datetime | None, b: datetime) -> float | None:
    """Seconds from b (aware) to a, None if a is missing or before b."""
    if a is None:
        return None
    if a.tzinfo is None:
        a = a.replace(tzinfo=timezone.utc)
    s = (a - b).total_seconds()
    return s if s >= 0 else None


def contribution(row: Any) -> list[float]:
    """The rollup columns (ROLLUP_COLUMNS order) of one incident: an Incident, a result row of CONTRIB_COLUMNS,
    or a mapping of them. Status, category and level are StrEnums, equal and hashing equal to their values, so
    the lookups below take either (no `.value`: the enum property is slow on the ingest hot path)."""
    if isinstance(row, dict):
        row = _Attrs(row)
    v = [0.0] * NCOLS
    v[0] = 1
    status = row.status
    if _RANK[status] >= _DISPOSED_RANK:
        v[1] = 1
    if status in _CLOSED:
        v[2] = 1
        if status == _FOLLOWED_UP:
            v[3] = 1
        if row.on_the_spot:
            v[4] = 1
        lvl = _LEVEL_IDX.get(row.resolution_level)
        if lvl is not None:
            v[lvl] = 1
    rep = row.reported_at
    if rep.tzinfo is None:
        rep = rep.replace(tzinfo=timezone.utc)
    acc = _secs(row.accepted_at, rep)
    if acc is not None:
        v[9], v[10] = 1, acc
    arr = _secs(row.arrived_at, rep)
    if arr is not None:
        v[11], v[12] = 1, arr
    if row.emergency:
        ass = _secs(row.assessed_at, rep)
        r_ok = acc is not None and acc <= _RESP
        a_ok = arr is not None and arr <= _ARR
        s_ok = ass is not None and ass <= _ASS
        v[13] = 1
        v[14] = int(r_ok and a_ok and s_ok)
        v[15], v[16], v[17] = int(r_ok), int(a_ok), int(s_ok)
    sat = row.satisfaction
    if sat is not None:
        v[18], v[19], v[20] = 1, sat, int(sat >= 4)
    v[CAT_IDX[row.category]] = 1
    return v


class _Attrs:
    """A mapping read through attributes (contribution takes objects)."""

    __slots__ = ("_d",)

    def __init__(self, d: dict[str, Any]) -> None:
        self._d = d

    def __getattr__(self, name: str) -> Any:
        try:
            return self._d[name]
        except KeyError:
            raise AttributeError(name) from None


Leaf = tuple[str, int, int]   # (grid id, UTC hour, drill flag)


class Deltas:
    """Rollup changes of one batch: summed per leaf (grid, hour, drill) first, then spread over every ancestor
    node and every grain in one vectorised pass, so each rollup row is written once per batch."""

    def __init__(self, calendar: Calendar) -> None:
        self.cal = calendar
        self._leaf: dict[Leaf, int] = {}
        self._vecs: list[list[float]] = []

    def __bool__(self) -> bool:
        return bool(self._leaf)

    def add(self, row: Any, sign: int = 1) -> None:
        """Add (sign=+1) or remove (-1) one incident version (mapping or object with CONTRIB_COLUMNS)."""
        if isinstance(row, dict):
            row = _Attrs(row)
        leaf = (row.grid_id, self.cal.hour(row.reported_at), 1 if row.drill_id else 0)
        vec = contribution(row)
        i = self._leaf.get(leaf)
        if i is None:
            self._leaf[leaf] = len(self._vecs)
            self._vecs.append(vec if sign == 1 else [-x for x in vec])
        else:
            cur = self._vecs[i]
            for j, x in enumerate(vec):
                if x:
                    cur[j] += sign * x

    def leaf_events(self) -> list[tuple[Leaf, float]]:
        """Each leaf's net event count in this batch (its `n`): what the per-grid month counts need."""
        return [(leaf, self._vecs[i][0]) for leaf, i in self._leaf.items()]

    def rows(self, chain: Any, nodes: Sequence[str] | None = None, sign: int = 1) -> list[tuple]:
        """Rollup rows (WRITE_COLUMNS order) for every node `chain(grid)` gives (or only `nodes`), zero rows
        dropped, sorted by key (one lock order for every writer; B-tree locality on SQLite).

        The grid itself (the first node of its chain) gets month rows only: grid-hour and grid-day rows would be
        one row per incident (a grid sees ~150 incidents a year), more than half of all rollup rows; the KPI
        engine reads a grid's partial months from the incidents table instead (kpi.py)."""
        if not self._leaf:
            return []
        import numpy as np   # here, not at module level: the wall's first frame never writes rollups (issue 9)

        mat = np.asarray(self._vecs, dtype=np.float64)
        if sign != 1:
            mat = mat * sign
        # node ids → small integers in name order, so integer key order is the primary-key order
        chains: dict[str, list[str]] = {}
        for grid, _h, _d in self._leaf:
            if grid not in chains:
                chains[grid] = list(chain(grid)) if nodes is None else list(nodes)
        names = sorted({x for ch in chains.values() for x in ch})
        nid = {x: i for i, x in enumerate(names)}
        depth = max((len(ch) for ch in chains.values()), default=0)
        gidx = {g: i for i, g in enumerate(chains)}
        table = np.full((len(chains), max(depth, 1)), -1, dtype=np.int64)
        for g, ch in chains.items():
            table[gidx[g], :len(ch)] = [nid[x] for x in ch]
        leaves = list(self._leaf)
        leaf_grid = np.fromiter((gidx[g] for g, _h, _d in leaves), dtype=np.intp, count=len(leaves))
        hours = np.fromiter((h for _g, h, _d in leaves), dtype=np.int64, count=len(leaves))
        drills = np.fromiter((d for _g, _h, d in leaves), dtype=np.int64, count=len(leaves))
        uh, inv_h = np.unique(hours, return_inverse=True)
        dm = np.array([self.cal.day_month(int(h)) for h in uh], dtype=np.int64).reshape(-1, 2)
        buckets = (hours, dm[inv_h, 0], dm[inv_h, 1])
        keys, srcs = [], []
        every = np.arange(len(leaves), dtype=np.intp)
        for pos in range(depth):
            node = table[leaf_grid, pos]
            ok = node >= 0
            for grain in (GRAIN_HOUR, GRAIN_DAY, GRAIN_MONTH):
                if pos == 0 and nodes is None and grain != GRAIN_MONTH:
                    continue   # a grid keeps month rows only
                keys.append((((node[ok] << 2) | grain) << 34) | (buckets[grain][ok] << 1) | drills[ok])
                srcs.append(every[ok])
        if not keys:
            return []
        key = np.concatenate(keys)
        src = np.concatenate(srcs)
        order = np.argsort(key, kind="stable")
        key, src = key[order], src[order]
        starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
        out = np.add.reduceat(mat[src], starts, axis=0) if len(src) else np.zeros((0, NCOLS))
        ukey = key[starts]
        keep = np.flatnonzero(out.any(axis=1))
        ukey, out = ukey[keep], out[keep]
        node_l = np.asarray(names, dtype=object)[ukey >> 36].tolist()
        grain_l = ((ukey >> 34) & 3).tolist()
        bucket_l = ((ukey >> 1) & ((1 << 33) - 1)).tolist()
        drill_l = (ukey & 1).tolist()
        # one list per column, zipped into row tuples in C (a Python-level tuple per row with *-unpacking of
        # 33 values cost more than the numpy work above)
        ints = np.rint(out[:, INT_IDX]).astype(np.int64).T.tolist()
        floats = out[:, FLOAT_IDX].T.tolist()
        return list(zip(node_l, grain_l, bucket_l, drill_l, *ints, *floats))
