"""Shared by the store benchmarks: a Dongying-sized territory and a fast, deterministic incident generator."""
from __future__ import annotations

import json
import sys
from datetime import datetime, timedelta, UTC
from pathlib import Path
from collections.abc import Iterator

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from commandcenter.domain import (  # noqa: E402
    Category, Incident, ResolutionLevel, Severity, Source, Status, StatusChange, TerritoryLevel, TerritoryNode,
)

PER_YEAR = 900_000          # Dongying: 900,000+ grid items a year
END = datetime(2026, 11, 1, tzinfo=UTC)
CATS = list(Category)
CAT_W = [30, 15, 15, 10, 2, 2, 1, 1, 8, 6, 5, 5]
STAGES = [Status.REPORTED, Status.ACCEPTED, Status.DISPATCHED, Status.HANDLING, Status.CLOSED, Status.FOLLOWED_UP]


def emit(name: str, value: float, unit: str, target: str = "", **extra: object) -> None:
    print(json.dumps({"name": name, "value": round(value, 3), "unit": unit, "target": target, **extra}), flush=True)


def territory(districts: int = 5, streets: int = 8, communities: int = 10, grids: int = 15) -> list[TerritoryNode]:
    """1 city, 5 districts, 40 streets, 400 communities, 6,000 grids (Dongying re-drew 6,098)."""
    out = [TerritoryNode("city", TerritoryLevel.CITY, "City", None)]
    for d in range(districts):
        did = f"d{d}"
        out.append(TerritoryNode(did, TerritoryLevel.DISTRICT, f"District {d}", "city"))
        for s in range(streets):
            sid = f"{did}s{s}"
            out.append(TerritoryNode(sid, TerritoryLevel.STREET, f"Street {sid}", did))
            for c in range(communities):
                cid = f"{sid}c{c}"
                out.append(TerritoryNode(cid, TerritoryLevel.COMMUNITY, f"Community {cid}", sid))
                for g in range(grids):
                    x, y = 118.0 + (d * 8 + s) * 0.02 + g * 0.001, 37.0 + c * 0.01
                    out.append(TerritoryNode(f"{cid}g{g}", TerritoryLevel.GRID, f"Grid {cid}g{g}", cid,
                                             polygon=((x, y), (x + 0.001, y), (x + 0.001, y + 0.001), (x, y + 0.001)),
                                             households=300))
    return out


def incidents(n: int, grid_ids: list[str], *, seed: int = 7, end: datetime = END, prefix: str = "h",
              chunk: int = 20_000) -> Iterator[Incident]:
    """n incidents spread evenly (Dongying's rate) over the years before `end`, oldest first, mostly closed.

    The random draws are vectorised per chunk (numpy): generating 10 million records must not dominate the
    history benchmark (the per-record `random` calls did: ~90 µs a record)."""
    rng = np.random.default_rng(seed)
    span = timedelta(days=365.25 * n / PER_YEAR).total_seconds()
    start = end.timestamp() - span
    step = span / max(n, 1)
    cat_p = np.array(CAT_W, dtype=float) / sum(CAT_W)
    lvl = list(ResolutionLevel)
    lvl_p = np.array([70, 25, 4, 1], dtype=float) / 100
    sat_p = np.array([1, 2, 7, 30, 60], dtype=float) / 100
    utc = UTC
    fromts = datetime.fromtimestamp
    end_ts = end.timestamp()
    for c0 in range(0, n, chunk):
        m = min(chunk, n - c0)
        k = np.arange(c0, c0 + m)
        rep = start + (k + rng.random(m)) * step
        old = (end_ts - rep) > 8 * 86400
        emergency = rng.random(m) < 0.03
        u1, u2 = rng.random(m), rng.random(m)
        reach = np.where(old & (u1 < 0.7), 5, np.where(old & (u2 < 0.98), 4, rng.integers(0, 6, m)))
        first = rng.exponential(1.0, m) * np.where(emergency, 40, 180)
        later = rng.exponential(1.0, (m, 4)) * np.where(emergency, 300, 3600)[:, None]
        steps = np.concatenate([first[:, None], later], axis=1)
        steps[np.arange(5)[None, :] >= reach[:, None]] = 0.0
        times = rep[:, None] + np.cumsum(steps, axis=1)          # stage 1..5 times (valid up to reach)
        handlers = rng.integers(0, 500, (m, 5))
        arr_delay = rng.exponential(1.0, m) * np.where(emergency, 420, 1200)
        ass_delay = rng.exponential(400.0, m)
        cats = rng.choice(len(CATS), m, p=cat_p)
        gidx = rng.integers(0, len(grid_ids), m)
        lon, lat = 118.0 + rng.random(m), 37.0 + rng.random(m)
        levels = rng.choice(4, m, p=lvl_p)
        spot = rng.random(m) < 0.6
        sats = rng.choice(5, m, p=sat_p) + 1
        # Python lists: indexing numpy scalars one by one costs more than all the draws above
        reach, rep, times, emergency = reach.tolist(), rep.tolist(), times.tolist(), emergency.tolist()
        handlers = [[f"worker{h}" for h in row] for row in handlers.tolist()]
        arr_delay, ass_delay, cats, gidx = arr_delay.tolist(), ass_delay.tolist(), cats.tolist(), gidx.tolist()
        lon, lat, levels, spot, sats = lon.tolist(), lat.tolist(), levels.tolist(), spot.tolist(), sats.tolist()
        for j in range(m):
            r = reach[j]
            rep_t = fromts(rep[j], utc)
            tj, hj = times[j], handlers[j]
            stage_t = [fromts(tj[i], utc) for i in range(r)]
            timeline = (StatusChange(Status.REPORTED, rep_t),
                        *[StatusChange(STAGES[i + 1], stage_t[i], hj[i]) for i in range(r)])
            em = emergency[j]
            closed = r >= 4
            acc = stage_t[0] if r >= 1 else None
            arrived = fromts(tj[0] + arr_delay[j], utc) if r >= 2 else None
            cat = CATS[cats[j]]
            kk = c0 + j
            yield Incident(
                id=f"{prefix}{kk:09d}", version=r + 1, updated_at=stage_t[-1] if r else rep_t, reported_at=rep_t,
                title=f"{cat.value} #{kk}", category=cat, source=Source.GRID_APP, severity=Severity(1 + (kk % 4)),
                status=STAGES[r], grid_id=grid_ids[gidx[j]], lon=lon[j], lat=lat[j], emergency=em,
                accepted_at=acc, dispatched_at=stage_t[1] if r >= 2 else None, arrived_at=arrived,
                assessed_at=fromts(tj[0] + arr_delay[j] + ass_delay[j], utc) if em and arrived else None,
                closed_at=stage_t[3] if closed else None, followed_up_at=stage_t[4] if r == 5 else None,
                resolution_level=lvl[levels[j]] if closed else None, on_the_spot=closed and spot[j],
                satisfaction=sats[j] if r == 5 else None, timeline=timeline)
