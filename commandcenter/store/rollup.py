"""What one incident version contributes to the KPI rollups (pure; see docs/kpis.md)."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Iterable

from ..domain import Status
from ..domain.deadlines import ARRIVAL, FIRST_ASSESSMENT, RESPONSE_START
from .schema import ROLLUP_SUMS

NSUMS = len(ROLLUP_SUMS)
IDX = {name: i for i, name in enumerate(ROLLUP_SUMS)}
GRAIN_HOUR, GRAIN_DAY, GRAIN_MONTH = 0, 1, 2
_DISPOSED_RANK = Status.DISPATCHED.rank
_CLOSED = (Status.CLOSED.value, Status.FOLLOWED_UP.value)
_LEVEL_IDX = {"grid": IDX["lvl_grid"], "community": IDX["lvl_community"], "street": IDX["lvl_street"],
              "higher": IDX["lvl_higher"]}
_RESP, _ARR, _ASS = RESPONSE_START.total_seconds(), ARRIVAL.total_seconds(), FIRST_ASSESSMENT.total_seconds()
_RANK = {s.value: s.rank for s in Status}

#: Columns of the incidents table a contribution depends on.
CONTRIB_COLUMNS = (
    "id", "grid_id", "category", "reported_at", "status", "accepted_at", "arrived_at", "assessed_at",
    "emergency", "on_the_spot", "resolution_level", "satisfaction", "drill_id",
)


def _aware(t: datetime) -> datetime:
    return t if t.tzinfo is not None else t.replace(tzinfo=timezone.utc)


def buckets(t: datetime) -> tuple[int, int, int]:
    """(hour, day, month) buckets of a time, UTC."""
    t = _aware(t).astimezone(timezone.utc)
    ts = int(t.timestamp() // 1)
    return ts // 3600, ts // 86400, t.year * 12 + t.month - 1


def _secs(a: datetime | None, b: datetime) -> float | None:
    if a is None:
        return None
    s = (_aware(a) - _aware(b)).total_seconds()
    return s if s >= 0 else None


def contribution(row: Any) -> list[float]:
    """The rollup sums of one incident (row: mapping or object with CONTRIB_COLUMNS)."""
    get = row.get if isinstance(row, dict) else (lambda k: getattr(row, k))
    v = [0.0] * NSUMS
    v[0] = 1
    status = get("status")
    status = getattr(status, "value", status)
    if _RANK[status] >= _DISPOSED_RANK:
        v[1] = 1
    closed = status in _CLOSED
    if closed:
        v[2] = 1
        if status == Status.FOLLOWED_UP.value:
            v[3] = 1
        if get("on_the_spot"):
            v[4] = 1
        lvl = get("resolution_level")
        lvl = getattr(lvl, "value", lvl)
        if lvl in _LEVEL_IDX:
            v[_LEVEL_IDX[lvl]] = 1
    rep = get("reported_at")
    acc = _secs(get("accepted_at"), rep)
    if acc is not None:
        v[9], v[10] = 1, acc
    arr = _secs(get("arrived_at"), rep)
    if arr is not None:
        v[11], v[12] = 1, arr
    if get("emergency"):
        ass = _secs(get("assessed_at"), rep)
        r_ok = acc is not None and acc <= _RESP
        a_ok = arr is not None and arr <= _ARR
        s_ok = ass is not None and ass <= _ASS
        v[13] = 1
        v[14] = int(r_ok and a_ok and s_ok)
        v[15], v[16], v[17] = int(r_ok), int(a_ok), int(s_ok)
    sat = get("satisfaction")
    if sat is not None:
        v[18], v[19], v[20] = 1, sat, int(sat >= 4)
    return v


Key = tuple[str, int, int, str, int]


def add_into(acc: dict[Key, list[float]], row: Any, nodes: Iterable[str], sign: int) -> None:
    """Add (sign=+1) or remove (-1) one incident's contribution for each node in `nodes`."""
    get = row.get if isinstance(row, dict) else (lambda k: getattr(row, k))
    vec = contribution(row)
    if sign != 1:
        vec = [x * sign for x in vec]
    nz = [(i, x) for i, x in enumerate(vec) if x]
    cat = get("category")
    cat = getattr(cat, "value", cat)
    drill = 1 if get("drill_id") else 0
    h, d, m = buckets(get("reported_at"))
    for node in nodes:
        for key in ((node, GRAIN_HOUR, h, cat, drill), (node, GRAIN_DAY, d, cat, drill), (node, GRAIN_MONTH, m, cat, drill)):
            cur = acc.get(key)
            if cur is None:
                acc[key] = vec.copy()
            else:
                for i, x in nz:
                    cur[i] += x
