"""What one incident version contributes to the KPI rollups, and the calendar that buckets it (pure; see docs/kpis.md).

A rollup row is keyed by (node, grain, bucket, drill) and holds the 21 KPI sums plus one event count per category
(category is a column, not part of the key: a city-hour is one row, not twelve). Hours are UTC hours since the
epoch; days and months are *local* to the store's calendar (default Asia/Shanghai: a Chinese command center's
"today" starts at 00:00 UTC+8), so a day or a month is always a whole number of UTC hours.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from operator import attrgetter
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..domain import Category, ResolutionLevel, Source, Status
from ..domain import kpis as DK
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
#: Where domain.kpis' sums of each clock sit in a rollup row.
_REP_IDX = tuple(IDX[c] for c in DK.REPORTED_SUMS)
_DUE_IDX = tuple(IDX[c] for c in DK.DUE_SUMS)
_DUE_LOOP_IDX = _DUE_IDX + tuple(IDX[c] for c in DK.LOOP_SUMS)
#: The loop clock is the due clock LOOP_HOURS later: loop sums are kept in the due bucket and read LOOP_HOURS
#: earlier (kpi.compute), one rollup leaf less per incident.
LOOP_HOURS = int(DK.LOOP_GRACE.total_seconds()) // 3600
assert DK.LOOP_GRACE.total_seconds() == LOOP_HOURS * 3600, "the loop grace must be whole hours"

#: Columns of the incidents table a contribution depends on.
CONTRIB_COLUMNS = (
    "id", "grid_id", "category", "reported_at", "status", "accepted_at", "arrived_at", "assessed_at",
    "emergency", "on_the_spot", "resolution_level", "satisfaction", "drill_id",
    "source", "dispatched_at", "closed_at", "departments_n",
)


def _hours(t: timedelta | None) -> str:
    return "(none)" if t is None else f"{t.total_seconds() / 3600:g}"


class Calendar:
    """Local days and months of one time zone, as UTC hour ranges.

    The zone's UTC offset must be a whole number of hours at every instant (all of China, most of the world):
    then every local day is a run of whole UTC hours and the KPI engine can combine hour, day and month rollups
    exactly. Zones with DST work (a day is 23 or 25 hours); zones like Asia/Kolkata (+05:30) are refused.

    It also holds the due clock the rollups are bucketed on: each category's time limit (`limits`, the defaults
    unless a config's `[deadlines.hours]` changes them). `basis` names both: rollups built on another basis are
    rebuilt when the store opens."""

    def __init__(self, tz: str = DEFAULT_TZ, limits: DK.Limits | None = None) -> None:
        try:
            self.zone = ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {tz!r}") from exc
        self.name = tz
        self.limits: DK.Limits = dict(limits or DK.DEFAULT_LIMITS)
        self.shift_s = {c: t.total_seconds() for c, t in self.limits.items()}   # due = reported + this
        self.max_shift_h = int(DK.max_shift(self.limits).total_seconds() // 3600) + 1
        whole = {c: int(t // 3600) for c, t in self.shift_s.items()}
        #: the due hour is the reported hour plus this, when every limit is whole hours (the defaults are)
        self.shift_h: dict[str, int] | None = whole if all(h * 3600 == self.shift_s[c] for c, h in whole.items()) \
            else None
        changed = sorted((c, t.total_seconds()) for c, t in self.limits.items() if DK.DEFAULT_LIMITS.get(c) != t)
        self.basis = tz + "".join(f" {c}={s:g}s" for c, s in changed)
        self._dm: dict[int, tuple[int, int]] = {}
        self._start: dict[int, int] = {}
        self.day_month(0)   # refuse a zone with a fractional offset now rather than mid-ingest
        self.day_month(int(datetime(2026, 1, 1, tzinfo=UTC).timestamp()) // 3600)

    def __repr__(self) -> str:
        return f"Calendar({self.name!r})"

    @staticmethod
    def parse_basis(basis: str) -> tuple[str, DK.Limits]:
        """A stored `basis` → (zone, every category's limit): the inverse of how __init__ builds it."""
        zone, *changed = basis.split(" ")
        limits = dict(DK.DEFAULT_LIMITS)
        for item in changed:
            category, _, seconds = item.partition("=")
            limits[category] = timedelta(seconds=float(seconds.removesuffix("s")))
        return zone, limits

    def differences(self, basis: str) -> list[tuple[str, str, str]]:
        """Where a stored basis differs from this calendar, as config keys: (key, this value, the stored one)."""
        zone, limits = self.parse_basis(basis)
        out = [("[store] timezone", f'"{self.name}"', f'"{zone}"')] if zone != self.name else []
        for category in sorted(set(limits) | set(self.limits)):
            ours, theirs = self.limits.get(category), limits.get(category)
            if ours != theirs:
                out.append((f"[deadlines.hours] {category}", _hours(ours), _hours(theirs)))
        return out

    @staticmethod
    def hour(t: datetime) -> int:
        """UTC hours since the epoch."""
        if t.tzinfo is None:
            t = t.replace(tzinfo=UTC)
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


_DEFAULT_CAL = Calendar()


def _secs(a: datetime | None, b: datetime) -> float | None:
    """Seconds from b (aware) to a, None if a is missing or before b."""
    if a is None:
        return None
    if a.tzinfo is None:
        a = a.replace(tzinfo=UTC)
    s = (a - b).total_seconds()
    return s if s >= 0 else None


def contributions(row: Any, cal: Calendar | None = None) -> list[tuple[int, list[float]]]:
    """(UTC hour, rollup columns in ROLLUP_COLUMNS order) of one incident in its reported and its due bucket (the
    loop sums sit in the due bucket: see LOOP_HOURS): an Incident, a result row of CONTRIB_COLUMNS, or a mapping."""
    if isinstance(row, dict):
        row = AttrView(row)
    out = []
    for hour, (cols, vals) in clock_parts(row, 1, cal or _DEFAULT_CAL):
        v = [0.0] * NCOLS
        for c, x in zip(cols, vals, strict=True):
            v[c] += x
        out.append((hour, v))
    return out


def contribution(row: Any, cal: Calendar | None = None) -> list[float]:
    """Every rollup column of one incident, its clocks summed (what a window holding all three counts)."""
    v = [0.0] * NCOLS
    for _h, part in contributions(row, cal):
        for i, x in enumerate(part):
            v[i] += x
    return v


def clock_parts(row: Any, sign: int, cal: Calendar) -> list[tuple[int, tuple[list[int], list[float]]]]:
    """The columns and values of one incident in its reported and its due bucket, keyed by their UTC hours."""
    rep_h = Calendar.hour(row.reported_at)
    cols: list[int] = []
    vals: list[float] = []
    contribute(row, cols, vals, 0, sign)
    dcols: list[int] = []
    dvals: list[float] = []
    extra(row, cols, vals, dcols, dvals, 0, 0, sign, cal.limits)
    return [(rep_h, (cols, vals)), (due_hour(row.reported_at, row.category, cal), (dcols, dvals))]


def due_hour(reported_at: datetime, category: str, cal: Calendar) -> int:
    """The UTC hour an incident's deadline falls in, on the calendar's due clock."""
    rep = reported_at if reported_at.tzinfo is not None else reported_at.replace(tzinfo=UTC)
    return int((rep.timestamp() + cal.shift_s[category]) // 3600)


def extra(row: Any, cols: list[int], vals: list[float], dcols: list[int], dvals: list[float], base: int, dbase: int,
          sign: int, limits: DK.Limits = DK.DEFAULT_LIMITS) -> None:
    """Append domain.kpis' sums of one incident: its reported-clock sums at `base`, its due- and loop-clock sums
    at `dbase` (zeros left out, as contribute() does)."""
    for i, x in zip(_REP_IDX, DK.reported_sums(row), strict=True):
        if x:
            cols.append(base + i)
            vals.append(sign * x)
    for i, x in zip(_DUE_LOOP_IDX, DK.due_sums(row, limits) + DK.loop_sums(row), strict=True):
        if x:
            dcols.append(dbase + i)
            dvals.append(sign * x)


def contribute(row: Any, cols: list[int], vals: list[float], base: int, sign: int) -> None:
    """Append the columns one incident contributes to (`base` + column index, in ROLLUP_COLUMNS order, each once)
    to `cols` and their values × `sign` to `vals`: a Deltas batch sums them with one numpy bincount, where a
    33-wide list per incident cost most of its time converting zeros. Status, category and level are StrEnums,
    equal and hashing equal to their values, so the lookups below take either (no `.value`: the enum property is
    slow on the ingest hot path)."""
    c, v = cols.append, vals.append
    c(base)
    v(sign)
    status = row.status
    if _RANK[status] >= _DISPOSED_RANK:
        c(base + 1)
        v(sign)
    if status in _CLOSED:
        c(base + 2)
        v(sign)
        if status == _FOLLOWED_UP:
            c(base + 3)
            v(sign)
        if row.on_the_spot:
            c(base + 4)
            v(sign)
        lvl = _LEVEL_IDX.get(row.resolution_level)
        if lvl is not None:
            c(base + lvl)
            v(sign)
    rep = row.reported_at
    if rep.tzinfo is None:
        rep = rep.replace(tzinfo=UTC)
    acc = _secs(row.accepted_at, rep)
    if acc is not None:
        cols += (base + 9, base + 10)
        vals += (sign, sign * acc)
    arr = _secs(row.arrived_at, rep)
    if arr is not None:
        cols += (base + 11, base + 12)
        vals += (sign, sign * arr)
    if row.emergency:
        ass = _secs(row.assessed_at, rep)
        r_ok = acc is not None and acc <= _RESP
        a_ok = arr is not None and arr <= _ARR
        s_ok = ass is not None and ass <= _ASS
        cols += (base + 13, base + 14, base + 15, base + 16, base + 17)
        vals += (sign, sign * (r_ok and a_ok and s_ok), sign * r_ok, sign * a_ok, sign * s_ok)
    sat = row.satisfaction
    if sat is not None:
        cols += (base + 18, base + 19, base + 20)
        vals += (sign, sign * sat, sign * (sat >= 4))
    c(base + CAT_IDX[row.category])
    v(sign)


class AttrView:
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
#: A group of rollup rows with the same few non-zero columns is written by a statement naming only those
#: (Deltas.row_groups) when it has at least this many rows and at most this many columns.
NARROW_MIN_ROWS = 32
NARROW_MAX_COLUMNS = 12
#: Below this a float sum of seconds is a rounding residue of sums that cancelled (times have microseconds).
_RESIDUE = 5e-7


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_EPOCH_NAIVE = datetime(1970, 1, 1)
_US = timedelta(microseconds=1)
_HOUR_US = 3_600_000_000
_NO_TIME = -(1 << 62)   # a missing time, in microseconds since the epoch (below any datetime's)
_VERSION_COLUMNS = attrgetter("grid_id", "drill_id", "reported_at", "category", "status", "source", "emergency",
                              "on_the_spot", "resolution_level", "satisfaction", "accepted_at", "arrived_at",
                              "assessed_at", "dispatched_at", "closed_at")
_STATUS_CODE = {s.value: i for i, s in enumerate(Status)}
_CATEGORY_CODE = {c.value: i for i, c in enumerate(Category)}
#: A resolution level's number: 0 for none, -1 for a value the rollups have no column for.
_LEVEL_CODE: dict[Any, int] = {None: 0, **{lvl: i for i, lvl in enumerate(_LEVEL_IDX, start=1)}}
_BASE_LEVEL_CODES = [_LEVEL_CODE[x.value] for x in (ResolutionLevel.GRID, ResolutionLevel.COMMUNITY)]
_P110, _H12345 = Source.POLICE_110.value, Source.HOTLINE_12345.value


def _level_code(level: Any) -> int:
    return _LEVEL_CODE.get(level, -1)


def _micros(times: Sequence[datetime | None]) -> list[int]:
    """Microseconds since the epoch of each time, exact (naive times taken as UTC); _NO_TIME for None."""
    try:
        return [_NO_TIME if t is None else (t - _EPOCH) // _US for t in times]
    except TypeError:   # naive times (SQLite's columns read back)
        return [_NO_TIME if t is None else (t - (_EPOCH if t.tzinfo is not None else _EPOCH_NAIVE)) // _US
                for t in times]


def _departments(row: Any) -> int:
    n = getattr(row, "departments_n", None)
    return int(n or 0) if n is not None else len(getattr(row, "departments", ()) or ())


@dataclass(frozen=True)
class _LeafSums:
    """One batch's contributions summed per leaf: its grids, each leaf's grid (a position in `grids`), UTC hour
    and drill flag, in the order the versions first reached them, and the (leaves × NCOLS) sums."""

    grids: list[str]
    leaf_grid: Any
    hours: Any
    drills: Any
    sums: Any


#: Below this many versions a batch's contributions are added one version at a time (numpy's fixed cost per call,
#: some 40 calls a batch, is more than the Python for a few versions: a live stream commits one or two at a time).
VECTOR_MIN = 64


def _leaf_sums(rows: Sequence[Any], signs: Sequence[int], cal: Calendar) -> _LeafSums:
    """The batch's contributions summed per leaf: `_leaf_sums_together`, or for a few versions
    `_leaf_sums_each` (the same sums, bit for bit)."""
    return (_leaf_sums_together if len(rows) >= VECTOR_MIN else _leaf_sums_each)(rows, signs, cal)


def _leaf_sums_each(rows: Sequence[Any], signs: Sequence[int], cal: Calendar) -> _LeafSums:
    """`contribute` and `extra` of each version in turn, into one list of (cell, value) entries summed by one
    bincount."""
    import numpy as np

    leaf: dict[Leaf, int] = {}
    cols: list[int] = []
    vals: list[float] = []
    for row, sign in zip(rows, signs, strict=True):
        grid, drill = row.grid_id, 1 if row.drill_id else 0
        i = leaf.setdefault((grid, Calendar.hour(row.reported_at), drill), len(leaf))
        d = leaf.setdefault((grid, due_hour(row.reported_at, row.category, cal), drill), len(leaf))
        contribute(row, cols, vals, i * NCOLS, sign)
        extra(row, cols, vals, cols, vals, i * NCOLS, d * NCOLS, sign, cal.limits)
    sums = np.bincount(np.asarray(cols, dtype=np.intp), weights=np.asarray(vals, dtype=np.float64),
                       minlength=len(leaf) * NCOLS).reshape(-1, NCOLS)
    grids = list(dict.fromkeys(g for g, _h, _d in leaf))
    number = {g: i for i, g in enumerate(grids)}
    return _LeafSums(grids=grids, leaf_grid=np.asarray([number[g] for g, _h, _d in leaf], dtype=np.int64),
                     hours=np.asarray([h for _g, h, _d in leaf], dtype=np.int64),
                     drills=np.asarray([d for _g, _h, d in leaf], dtype=np.int64), sums=sums)


def _leaf_sums_together(rows: Sequence[Any], signs: Sequence[int], cal: Calendar) -> _LeafSums:
    """What `contribute` (at the reported hour's leaf) and `extra` (the reported-clock sums there, the due and loop
    sums at the due hour's leaf) give each version × its sign, summed per leaf, for a whole batch at once.

    Each version adds to a column at most once, and each column's entries are generated in version order, so
    every cell receives its values in the order adding the versions one at a time gives: the same sums, bit for
    bit (np.bincount adds in the order given). Times are compared and subtracted as exact microseconds, as
    datetime arithmetic does; seconds are their difference / 1e6, as timedelta.total_seconds() gives."""
    import numpy as np

    n = len(rows)
    (grid, drill, reported, category, status, source, emergency, on_spot, level, satisfaction,
     *times) = zip(*map(_VERSION_COLUMNS, rows), strict=True)
    sign = np.asarray(signs, dtype=np.float64)
    number: dict[str, int] = {}
    gcode = np.fromiter((number.setdefault(g, len(number)) for g in grid), dtype=np.int64, count=n)
    drills = np.fromiter(map(bool, drill), dtype=np.int64, count=n)
    rep = np.asarray(_micros(reported), dtype=np.int64)
    acc, arr, ass, disp, close = (np.asarray(_micros(t), dtype=np.int64) for t in times)
    st = np.fromiter(map(_STATUS_CODE.__getitem__, status), dtype=np.intp, count=n)
    cat = np.fromiter(map(_CATEGORY_CODE.__getitem__, category), dtype=np.intp, count=n)
    lvl = np.fromiter(map(_level_code, level), dtype=np.intp, count=n)
    em = np.fromiter(map(bool, emergency), dtype=bool, count=n)
    spot = np.fromiter(map(bool, on_spot), dtype=bool, count=n)
    sat = np.asarray(satisfaction, dtype=np.float64)     # None → NaN
    dep = np.fromiter(map(_departments, rows), dtype=np.int64, count=n)
    src_p110 = np.fromiter((s == _P110 for s in source), dtype=bool, count=n)
    src_h12345 = np.fromiter((s == _H12345 for s in source), dtype=bool, count=n)

    statuses = list(Status)
    rank = np.asarray([s.rank for s in statuses])[st]
    closed = np.asarray([s.value in _CLOSED for s in statuses])[st]
    followed = np.asarray([s.value == _FOLLOWED_UP for s in statuses])[st]
    limit_us = np.asarray([cal.limits[c.value] // _US for c in Category], dtype=np.int64)[cat]
    due = rep + limit_us

    # leaves: the reported and the due hour's of each version, numbered in the order they first come
    rep_h, due_h = rep // _HOUR_US, due // _HOUR_US
    low = min(int(rep_h.min()), int(due_h.min()))
    span = max(int(rep_h.max()), int(due_h.max())) - low + 1
    both = np.empty(2 * n, dtype=np.int64)
    both[0::2] = (gcode * span + (rep_h - low)) * 2 + drills
    both[1::2] = (gcode * span + (due_h - low)) * 2 + drills
    ukeys, first, inverse = np.unique(both, return_index=True, return_inverse=True)
    order = np.argsort(first)
    position = np.empty(len(ukeys), dtype=np.int64)
    position[order] = np.arange(len(ukeys))
    leaf = position[inverse.reshape(-1)]
    leaf_keys = ukeys[order]
    base, dbase = leaf[0::2] * NCOLS, leaf[1::2] * NCOLS

    cells: list[Any] = []
    values: list[Any] = []

    def put(at: Any, column: str, where: Any, value: Any = None) -> None:
        """Entries of `column` for the versions `where` (a mask, or None for all): sign × value (1 if None)."""
        k = IDX[column]
        if where is None:
            cells.append(at + k)
            values.append(sign if value is None else sign * value)
        else:
            cells.append(at[where] + k)
            values.append(sign[where] if value is None else sign[where] * value[where])

    def secs(a: Any, b: Any) -> tuple[Any, Any]:
        """(where `a` is at or after `b`, both known; the seconds from b to a)."""
        ok = (a != _NO_TIME) & (b != _NO_TIME) & (a >= b)
        return ok, (a - b) / 1e6

    # contribute(): the reported hour's leaf
    put(base, "n", None)
    put(base, "disposed", rank >= _DISPOSED_RANK)
    put(base, "closed", closed)
    put(base, "followed_up", closed & followed)
    put(base, "on_spot", closed & spot)
    for name, column in _LEVEL_IDX.items():
        put(base, ROLLUP_COLUMNS[column], closed & (lvl == _LEVEL_CODE[name]))
    acc_ok, acc_s = secs(acc, rep)
    arr_ok, arr_s = secs(arr, rep)
    ass_ok, ass_s = secs(ass, rep)
    put(base, "acc_n", acc_ok)
    put(base, "acc_s", acc_ok, acc_s)
    put(base, "arr_n", arr_ok)
    put(base, "arr_s", arr_ok, arr_s)
    r_ok, a_ok, s_ok = acc_ok & (acc_s <= _RESP), arr_ok & (arr_s <= _ARR), ass_ok & (ass_s <= _ASS)
    put(base, "em_n", em)
    put(base, "em_ok", em, (r_ok & a_ok & s_ok).astype(np.float64))
    put(base, "em_resp_ok", em, r_ok.astype(np.float64))
    put(base, "em_arr_ok", em, a_ok.astype(np.float64))
    put(base, "em_ass_ok", em, s_ok.astype(np.float64))
    has_sat = ~np.isnan(sat)
    put(base, "sat_n", has_sat)
    put(base, "sat_sum", has_sat, sat)
    put(base, "sat_good", has_sat, (sat >= 4).astype(np.float64))
    cells.append(base + np.asarray([CAT_IDX[c.value] for c in Category], dtype=np.int64)[cat])
    values.append(sign)
    # extra(): domain.kpis' reported-clock sums there (zeros left out, as it does)
    p110 = src_p110 & ~em
    put(base, "p110_n", p110)
    put(base, "p110_acc_n", p110 & acc_ok)
    put(base, "p110_acc_s", p110 & acc_ok & (acc_s != 0), acc_s)
    put(base, "p110_arr_n", p110 & arr_ok)
    put(base, "p110_arr_s", p110 & arr_ok & (arr_s != 0), arr_s)
    put(base, "h12345_n", src_h12345)
    hand_ok, hand_s = secs(disp, rep)
    hand_ok &= ~em
    put(base, "hand_n", hand_ok)
    put(base, "hand_s", hand_ok & (hand_s != 0), hand_s)
    whistle = dep > 0
    put(base, "whistle_n", whistle)
    w_ok, w_s = secs(arr, disp)
    w_ok &= whistle
    put(base, "whistle_arr_n", w_ok)
    put(base, "whistle_arr_s", w_ok & (w_s != 0), w_s)
    put(base, "em_dec", em & ((ass != _NO_TIME) | closed))
    # extra(): the due and loop sums at the due hour's leaf
    put(dbase, "due_n", None)
    put(dbase, "due_closed", closed)
    put(dbase, "due_on_time", closed & (close != _NO_TIME) & (close <= due))
    put(dbase, "due_disposed", rank >= _DISPOSED_RANK)
    close_ok, close_s = secs(close, rep)
    put(dbase, "due_close_s", closed & close_ok & (close_s != 0), close_s)
    dispute = closed & (cat == _CATEGORY_CODE[Category.DISPUTE.value])
    put(dbase, "disp_closed", dispute)
    put(dbase, "disp_on_spot", dispute & spot)
    put(dbase, "disp_lvl", dispute & (lvl != 0))
    put(dbase, "disp_base", dispute & np.isin(lvl, _BASE_LEVEL_CODES))
    put(dbase, "loop_n", None)
    put(dbase, "loop_followed", followed)

    sums = np.bincount(np.concatenate(cells), weights=np.concatenate(values),
                       minlength=len(ukeys) * NCOLS).reshape(-1, NCOLS)
    return _LeafSums(grids=list(number), leaf_grid=leaf_keys // 2 // span, hours=(leaf_keys // 2) % span + low,
                     drills=leaf_keys & 1, sums=sums)


class Deltas:
    """Rollup changes of one batch: summed per leaf (grid, hour, drill) first, then spread over every ancestor
    node and every grain, so each rollup row is written once per batch.

    `add` only keeps the version and its sign; the batch's contributions are computed together, in numpy, when
    first asked for (`_leaf_sums`: the same sums `contribute` and `extra` give one version at a time, added in the
    same order), then summed per (node, hour) over the ancestors, days from those hour rows and months from the day
    rows. Summing each grain from the one below it gathers a fraction of the rows that spreading every leaf over
    every (node, grain) did (a status update's leaf reached 16 rows; its hour row is shared by a street's or a
    city's other updates of that hour)."""

    def __init__(self, calendar: Calendar) -> None:
        self.cal = calendar
        self._rows: list[Any] = []
        self._signs: list[int] = []
        self._batch: _LeafSums | None = None   # computed once, when first read

    def __bool__(self) -> bool:
        return bool(self._rows)

    def add(self, row: Any, sign: int = 1) -> None:
        """Add (sign=+1) or remove (-1) one incident version (mapping or object with CONTRIB_COLUMNS)."""
        self._rows.append(AttrView(row) if isinstance(row, dict) else row)
        self._signs.append(sign)
        self._batch = None

    def _leaves(self) -> _LeafSums:
        batch = self._batch
        if batch is None:
            batch = self._batch = _leaf_sums(self._rows, self._signs, self.cal)
        return batch

    def _leaf_sums(self) -> Any:
        """(leaves × NCOLS) sums, leaves in the order the versions first reached them."""
        return self._leaves().sums

    def grids(self) -> list[str]:
        """The grids this batch's versions are in (what its rollup rows need the chains of)."""
        return self._leaves().grids if self._rows else []

    def leaf_events(self) -> list[tuple[Leaf, float]]:
        """Each leaf's net event count in this batch (its `n`): what the per-grid month counts need."""
        if not self._rows:
            return []
        b = self._leaves()
        grids = b.grids
        leaves = zip([grids[g] for g in b.leaf_grid.tolist()], b.hours.tolist(), b.drills.tolist(), strict=True)
        return list(zip(leaves, b.sums[:, 0].tolist(), strict=True))

    def month_events(self) -> list[tuple[tuple[str, int, int], float]]:
        """The net event count of each (grid, local month, drill flag) this batch changes, zero counts left out:
        leaf_events summed per local month (what the per-grid month counts need)."""
        if not self._rows:
            return []
        import numpy as np

        b = self._leaves()
        if len(b.hours) < VECTOR_MIN:   # a few leaves: numpy's fixed cost is more than the loop
            per: dict[tuple[str, int, int], float] = {}
            for (grid, hour, drill), n in self.leaf_events():
                if n:
                    k = (grid, self.cal.day_month(hour)[1], drill)
                    per[k] = per.get(k, 0.0) + n
            return [(k, n) for k, n in per.items() if n]
        uh, inv_h = np.unique(b.hours, return_inverse=True)
        months = np.asarray([self.cal.day_month(h)[1] for h in uh.tolist()], dtype=np.int64)[inv_h.reshape(-1)]
        low = int(months.min())
        span = int(months.max()) - low + 1
        keys, inverse = np.unique((b.leaf_grid * span + (months - low)) * 2 + b.drills, return_inverse=True)
        events = np.bincount(inverse.reshape(-1), weights=b.sums[:, 0], minlength=len(keys))
        keep = np.flatnonzero(events)
        grids = b.grids
        kept = keys[keep]
        return list(zip(zip([grids[g] for g in (kept // 2 // span).tolist()], ((kept // 2) % span + low).tolist(),
                            (kept & 1).tolist(), strict=True), events[keep].tolist(), strict=True))

    def rows(self, chain: Any, nodes: Sequence[str] | None = None, sign: int = 1) -> list[tuple[Any, ...]]:
        """Rollup rows (WRITE_COLUMNS order) for every node `chain(grid)` gives (or only `nodes`), zero rows
        dropped, sorted by key (one lock order for every writer; B-tree locality on SQLite)."""
        got = self._summed(chain, nodes, sign)
        if got is None:
            return []
        names, ukey, out = got
        return _format(names, ukey, out, INT_IDX, FLOAT_IDX)

    def row_groups(self, chain: Any, index: ChainIndex | Callable[[list[str]], ChainIndex] | None = None,
                   ) -> list[tuple[tuple[str, ...], list[tuple[Any, ...]]]]:
        """The rows of rows(chain) as groups (value columns, rows of the key then those columns): the rows whose
        non-zero columns are the same few (a status change: `acc_n, acc_s`, or `disposed`) as one group that
        carries only those, every other row in one group of all the columns.

        Why: a status update's rollup rows are mostly such rows (74 % on bench/store_ingest.py's stream, half
        of them `acc_n, acc_s` alone), and an upsert of all 33 sums bound and added 33 values where 2 changed:
        Python's sqlite3 binds ~50 ns a value, and every `c = c + excluded.c` is a few VDBE steps. Each group is
        sorted by key; a key is in one group only. `index`: chain's ChainIndex, if the caller keeps one, or what
        gives it holding the batch's grids (asked only for a batch of many)."""
        got = self._summed(chain, None, 1, index)
        if got is None:
            return []
        names, ukey, out = got
        if not len(ukey):
            return []
        import numpy as np

        nz = out != 0
        code = nz.astype(np.int64) @ (np.int64(1) << np.arange(NCOLS, dtype=np.int64))
        codes, first, inv, counts = np.unique(code, return_index=True, return_inverse=True, return_counts=True)
        narrow = (counts >= NARROW_MIN_ROWS) & (nz[first].sum(axis=1) <= NARROW_MAX_COLUMNS)
        # each narrow column set its own group id, the rest one more; rows grouped in key order (stable sort)
        gid = np.where(narrow, np.cumsum(narrow) - 1, int(narrow.sum()))[inv]
        order = np.argsort(gid, kind="stable")
        bounds = np.flatnonzero(np.r_[True, np.diff(gid[order]) != 0, True])
        node_names = np.asarray(names, dtype=object)
        groups = []
        for a, b in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True):
            sel = order[a:b]
            if narrow[inv[sel[0]]]:
                cols = nz[sel[0]]
                ints = [i for i in INT_IDX if cols[i]]
                floats = [i for i in FLOAT_IDX if cols[i]]
                groups.append((tuple(ROLLUP_COLUMNS[i] for i in ints + floats),
                               _format(node_names, ukey[sel], out[sel], ints, floats)))
            else:
                groups.append((WRITE_COLUMNS[4:], _format(node_names, ukey[sel], out[sel], INT_IDX, FLOAT_IDX)))
        return groups

    def _summed(self, chain: Any, nodes: Sequence[str] | None, sign: int,
                index: ChainIndex | Callable[[list[str]], ChainIndex] | None = None) -> tuple[Any, Any, Any] | None:
        """(node names, row keys in key order, sums in ROLLUP_COLUMNS order) of the non-zero rollup rows.
        `index`: the chains of `chain` precomputed (every batch of a stream asks for the same grids' chains).

        The grid itself (the first node of its chain) gets month rows only: grid-hour and grid-day rows would be
        one row per incident (a grid sees ~150 incidents a year), more than half of all rollup rows; the KPI
        engine reads a grid's partial months from the incidents table instead (kpi.py)."""
        if not self._rows:
            return None
        import numpy as np   # here, not at module level: the wall's first frame never writes rollups

        b = self._leaves()
        mat = b.sums
        if sign != 1:
            mat = mat * sign
        names: Sequence[str]
        if index is None or nodes is not None or len(b.grids) < VECTOR_MIN:   # a few grids: their chains
            chains = [list(chain(grid)) if nodes is None else list(nodes) for grid in b.grids]
            names = sorted({x for ch in chains for x in ch})
            table = _chain_table(chains, names)
        else:
            index = index.covering(chain, b.grids) if isinstance(index, ChainIndex) else index(b.grids)
            row_of = index.row_of
            rows = np.fromiter((row_of[g] for g in b.grids), dtype=np.intp, count=len(b.grids))
            # node ids → small integers in name order, so integer key order is the primary-key order
            names, table = _in_name_order(index.table[rows], index)
        leaf_grid = b.leaf_grid
        depth = table.shape[1]
        if not depth:
            return None
        hours, drills, nleaf = b.hours, b.drills, len(b.hours)
        uh, inv_h = np.unique(hours, return_inverse=True)
        dm = np.array([self.cal.day_month(int(h)) for h in uh], dtype=np.int64).reshape(-1, 2)
        days, months = dm[inv_h, 0], dm[inv_h, 1]

        def key(node: Any, grain: int, bucket: Any, drill: Any) -> Any:
            return (((node << 2) | grain) << 34) | (bucket << 1) | drill

        span = np.arange(NCOLS, dtype=np.intp)

        def reduce(keys: Any, vals: Any, *carry: Any) -> tuple[Any, ...]:
            """Sum the rows of equal keys: (unique keys in order, sums, each carried array at the first row).
            One bincount over (key, column) cells: ufunc.reduceat over rows cost twice as much."""
            ukeys, first, inv = np.unique(keys, return_index=True, return_inverse=True)
            cells = (inv.reshape(-1, 1) * NCOLS + span).ravel()
            sums = np.bincount(cells, weights=vals.ravel(), minlength=len(ukeys) * NCOLS).reshape(-1, NCOLS)
            return (ukeys, sums, *(c[first] for c in carry))

        # hours: every position but a grid's own (month rows only) unless `nodes` names the nodes to write
        hk, hsrc = [], []
        month_only = []   # (node, leaf) pairs that get month rows straight from the leaf
        every = np.arange(nleaf, dtype=np.intp)
        for pos in range(depth):
            node = table[leaf_grid, pos]
            ok = node >= 0
            if pos == 0 and nodes is None:
                month_only.append((node[ok], every[ok]))
                continue
            hk.append(key(node[ok], GRAIN_HOUR, hours[ok], drills[ok]))
            hsrc.append(every[ok])
        out_keys, out_vals = [], []
        mk, mvals = [], []
        if hk:
            src = np.concatenate(hsrc)
            h_keys, h_vals, h_day, h_month = reduce(np.concatenate(hk), mat[src], days[src], months[src])
            out_keys.append(h_keys)
            out_vals.append(h_vals)
            node_drill = (h_keys >> 36, h_keys & 1)
            d_keys, d_vals, d_month = reduce(key(node_drill[0], GRAIN_DAY, h_day, node_drill[1]), h_vals, h_month)
            out_keys.append(d_keys)
            out_vals.append(d_vals)
            mk.append(key(d_keys >> 36, GRAIN_MONTH, d_month, d_keys & 1))
            mvals.append(d_vals)
        for node, src in month_only:
            mk.append(key(node, GRAIN_MONTH, months[src], drills[src]))
            mvals.append(mat[src])
        if mk:
            m_keys, m_vals = reduce(np.concatenate(mk), np.concatenate(mvals))
            out_keys.append(m_keys)
            out_vals.append(m_vals)
        ukey = np.concatenate(out_keys)
        out = np.concatenate(out_vals)
        # A float sum (seconds, whole microseconds) that cancelled can keep a rounding residue (7e-15) when it
        # was added up in another order than the incidents came: a real sum is 0 or at least 1e-6 in size
        fl = out[:, FLOAT_IDX]
        fl[np.abs(fl) < _RESIDUE] = 0.0
        out[:, FLOAT_IDX] = fl
        keep = np.flatnonzero(out.any(axis=1))
        ukey, out = ukey[keep], out[keep]
        order = np.argsort(ukey)   # keys are unique: grains were summed apart
        return names, ukey[order], out[order]


def _chain_table(chains: Any, names: Sequence[str]) -> Any:
    """(chains × longest chain) node numbers (positions in the sorted `names`), -1 past a chain's end."""
    import numpy as np

    chains = list(chains)
    nid = {x: i for i, x in enumerate(names)}
    table = np.full((len(chains), max((len(ch) for ch in chains), default=0)), -1, dtype=np.int64)
    for i, ch in enumerate(chains):
        table[i, :len(ch)] = [nid[x] for x in ch]
    return table


class ChainIndex:
    """The chains of every node of one territory tree as a table of node numbers (what Deltas._summed otherwise
    builds from `chain` for every batch). Build one per tree and pass it with the same `chain`: a batch whose grids
    are all in it skips the per-grid walk. Node numbers are given in the order nodes first appear and never
    change, so holding more grids (`covering`) appends rows; a batch puts the nodes it uses in name order itself."""

    def __init__(self, chain: Any, nodes: Sequence[str]) -> None:
        import numpy as np

        self.names: list[str] = []
        self.number: dict[str, int] = {}
        self.row_of: dict[str, int] = {}
        self.table: Any = np.full((0, 0), -1, dtype=np.int64)
        self._rank: Any = None
        self._append(chain, list(dict.fromkeys(nodes)))

    def rank(self) -> Any:
        """Each node number's place in name order (numpy), computed once per index."""
        if self._rank is None:
            import numpy as np

            order = np.argsort(np.asarray(self.names, dtype=object), kind="stable")
            rank = np.empty(len(order), dtype=np.int64)
            rank[order] = np.arange(len(order))
            self._rank = rank
        return self._rank

    def _append(self, chain: Any, nodes: list[str]) -> None:
        import numpy as np

        chains = [list(chain(n)) for n in nodes]
        number = self.number
        for ch in chains:
            for x in ch:
                if x not in number:
                    number[x] = len(self.names)
                    self.names.append(x)
        rows = len(self.row_of)
        for i, n in enumerate(nodes):
            self.row_of[n] = rows + i
        width = max([self.table.shape[1], *map(len, chains)])
        table = np.full((rows + len(chains), width), -1, dtype=np.int64)
        table[:rows, :self.table.shape[1]] = self.table
        for i, ch in enumerate(chains):
            table[rows + i, :len(ch)] = [number[x] for x in ch]
        self.table = table

    def covering(self, chain: Any, nodes: Sequence[str]) -> ChainIndex:
        """This index, or a new one that also holds `nodes`' chains (grids the territory does not know: their
        chains are walked once, not in every batch)."""
        new = [n for n in dict.fromkeys(nodes) if n not in self.row_of]
        if not new:
            return self
        out = ChainIndex.__new__(ChainIndex)
        out.names, out.number, out.row_of, out.table = list(self.names), dict(self.number), dict(self.row_of), \
            self.table
        out._rank = None
        out._append(chain, new)
        return out


def _in_name_order(table: Any, index: ChainIndex) -> tuple[list[str], Any]:
    """(the nodes `table` (numbers of `index`) uses, in name order; `table` renumbered to positions in that list,
    -1 staying -1): integer key order is then the primary key's order."""
    import numpy as np

    used, inverse = np.unique(table, return_inverse=True)
    known = used >= 0
    nodes = used[known]
    order = np.argsort(index.rank()[nodes])
    place = np.empty(len(order), dtype=np.int64)
    place[order] = np.arange(len(order))
    renumber = np.full(len(used), -1, dtype=np.int64)
    renumber[known] = place
    names = index.names
    return [names[u] for u in nodes[order].tolist()], renumber[inverse.reshape(-1)].reshape(table.shape)


def _format(names: Any, ukey: Any, out: Any, ints: Sequence[int], floats: Sequence[int]) -> list[tuple[Any, ...]]:
    """Row tuples: node, grain, bucket, drill, then the sums of columns `ints` (as int) and `floats`. `names`:
    the node names (a numpy object array, or a list)."""
    import numpy as np

    node_l = np.asarray(names, dtype=object)[ukey >> 36].tolist()
    grain_l = ((ukey >> 34) & 3).tolist()
    bucket_l = ((ukey >> 1) & ((1 << 33) - 1)).tolist()
    drill_l = (ukey & 1).tolist()
    # one list per column, zipped into row tuples in C (a Python-level tuple per row with *-unpacking of
    # 33 values cost more than the numpy work above)
    int_l = np.rint(out[:, list(ints)]).astype(np.int64).T.tolist() if len(ints) else []
    float_l = out[:, list(floats)].T.tolist() if len(floats) else []
    return list(zip(node_l, grain_l, bucket_l, drill_l, *int_l, *float_l, strict=True))
