"""What one incident version contributes to the KPI rollups, and the calendar that buckets it (pure; see docs/kpis.md).

A rollup row is keyed by (node, grain, bucket, drill) and holds the 21 KPI sums plus one event count per category
(category is a column, not part of the key: a city-hour is one row, not twelve). Hours are UTC hours since the
epoch; days and months are *local* to the store's calendar (default Asia/Shanghai: a Chinese command center's
"today" starts at 00:00 UTC+8), so a day or a month is always a whole number of UTC hours.
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..domain import Category, Status
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


class Deltas:
    """Rollup changes of one batch: summed per leaf (grid, hour, drill) first, then spread over every ancestor
    node and every grain, so each rollup row is written once per batch.

    `add` only records a version's contribution and its leaf (a Python list each); the sums are numpy's: per leaf,
    then per (node, hour) over the ancestors, then days from those hour rows and months from the day rows. Summing
    each grain from the one below it gathers a fraction of the rows that spreading every leaf over every (node,
    grain) did (a status update's leaf reached 16 rows; its hour row is shared by a street's or a city's other
    updates of that hour)."""

    def __init__(self, calendar: Calendar) -> None:
        self.cal = calendar
        self._leaf: dict[Leaf, int] = {}
        self._cols: list[int] = []      # leaf × NCOLS + column, one entry per non-zero contribution
        self._vals: list[float] = []    # its value, signed
        self._sums: Any = None          # per-leaf sums (numpy), computed once

    def __bool__(self) -> bool:
        return bool(self._leaf)

    def add(self, row: Any, sign: int = 1) -> None:
        """Add (sign=+1) or remove (-1) one incident version (mapping or object with CONTRIB_COLUMNS)."""
        if isinstance(row, dict):
            row = AttrView(row)
        grid, drill = row.grid_id, 1 if row.drill_id else 0
        i = self._index((grid, self.cal.hour(row.reported_at), drill))
        d = self._index((grid, due_hour(row.reported_at, row.category, self.cal), drill))
        contribute(row, self._cols, self._vals, i * NCOLS, sign)
        extra(row, self._cols, self._vals, self._cols, self._vals, i * NCOLS, d * NCOLS, sign, self.cal.limits)
        self._sums = None

    def _index(self, leaf: Leaf) -> int:
        i = self._leaf.get(leaf)
        if i is None:
            i = self._leaf[leaf] = len(self._leaf)
        return i

    def _leaf_sums(self) -> Any:
        """(leaves × NCOLS) sums, leaves in `_leaf` order: one bincount, which adds in the order given (each sum
        is the one adding the versions in turn gives, bit for bit)."""
        if self._sums is None:
            import numpy as np

            self._sums = np.bincount(np.asarray(self._cols, dtype=np.intp),
                                     weights=np.asarray(self._vals, dtype=np.float64),
                                     minlength=len(self._leaf) * NCOLS).reshape(-1, NCOLS)
        return self._sums

    def leaf_events(self) -> list[tuple[Leaf, float]]:
        """Each leaf's net event count in this batch (its `n`): what the per-grid month counts need."""
        if not self._leaf:
            return []
        return list(zip(self._leaf, self._leaf_sums()[:, 0].tolist(), strict=True))

    def rows(self, chain: Any, nodes: Sequence[str] | None = None, sign: int = 1) -> list[tuple[Any, ...]]:
        """Rollup rows (WRITE_COLUMNS order) for every node `chain(grid)` gives (or only `nodes`), zero rows
        dropped, sorted by key (one lock order for every writer; B-tree locality on SQLite)."""
        got = self._summed(chain, nodes, sign)
        if got is None:
            return []
        names, ukey, out = got
        return _format(names, ukey, out, INT_IDX, FLOAT_IDX)

    def row_groups(self, chain: Any,
                   index: ChainIndex | None = None) -> list[tuple[tuple[str, ...], list[tuple[Any, ...]]]]:
        """The rows of rows(chain) as groups (value columns, rows of the key then those columns): the rows whose
        non-zero columns are the same few (a status change: `acc_n, acc_s`, or `disposed`) as one group that
        carries only those, every other row in one group of all the columns.

        Why: a status update's rollup rows are mostly such rows (74 % on bench/store_ingest.py's stream, half
        of them `acc_n, acc_s` alone), and an upsert of all 33 sums bound and added 33 values where 2 changed:
        Python's sqlite3 binds ~50 ns a value, and every `c = c + excluded.c` is a few VDBE steps. Each group is
        sorted by key; a key is in one group only. `index`: chain's ChainIndex, if the caller keeps one."""
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
                index: ChainIndex | None = None) -> tuple[Any, Any, Any] | None:
        """(node names, row keys in key order, sums in ROLLUP_COLUMNS order) of the non-zero rollup rows.
        `index`: the chains of `chain` precomputed (every batch of a stream asks for the same grids' chains).

        The grid itself (the first node of its chain) gets month rows only: grid-hour and grid-day rows would be
        one row per incident (a grid sees ~150 incidents a year), more than half of all rollup rows; the KPI
        engine reads a grid's partial months from the incidents table instead (kpi.py)."""
        if not self._leaf:
            return None
        import numpy as np   # here, not at module level: the wall's first frame never writes rollups

        mat = self._leaf_sums()
        if sign != 1:
            mat = mat * sign
        leaves = list(self._leaf)
        nleaf = len(leaves)
        leaf_grid = None
        if index is not None and nodes is None:
            try:
                leaf_grid = np.fromiter((index.row_of[g] for g, _h, _d in leaves), dtype=np.intp, count=nleaf)
            except KeyError:   # a grid the territory does not know: its chain is built below
                leaf_grid = None
        names: Any
        if leaf_grid is not None and index is not None:
            names, table = index.names, index.table
        else:
            # node ids → small integers in name order, so integer key order is the primary-key order
            chains: dict[str, list[str]] = {}
            for grid, _h, _d in self._leaf:
                if grid not in chains:
                    chains[grid] = list(chain(grid)) if nodes is None else list(nodes)
            names = sorted({x for ch in chains.values() for x in ch})
            gidx = {g: i for i, g in enumerate(chains)}
            table = _chain_table(chains.values(), names)
            leaf_grid = np.fromiter((gidx[g] for g, _h, _d in leaves), dtype=np.intp, count=nleaf)
        depth = table.shape[1]
        if not depth:
            return None
        hours = np.fromiter((h for _g, h, _d in leaves), dtype=np.int64, count=nleaf)
        drills = np.fromiter((d for _g, _h, d in leaves), dtype=np.int64, count=nleaf)
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
    """The chains of every node of one territory tree as a table of node numbers in name order (what
    Deltas._summed otherwise builds from `chain` for every batch). Build one per tree and pass it with the
    same `chain`: a batch whose grids are all in it skips the per-grid walk."""

    def __init__(self, chain: Any, nodes: Sequence[str]) -> None:
        import numpy as np

        chains = {n: list(chain(n)) for n in nodes}
        names = sorted({x for ch in chains.values() for x in ch})
        self.names = np.asarray(names, dtype=object)
        self.row_of = {n: i for i, n in enumerate(chains)}
        self.table = _chain_table(chains.values(), names)


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
