"""Shared by the store benchmarks: a Dongying-sized territory and a fast, deterministic incident generator."""
from __future__ import annotations

import json
import random
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Iterator

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from commandcenter.domain import (  # noqa: E402
    Category, Incident, ResolutionLevel, Severity, Source, Status, StatusChange, TerritoryLevel, TerritoryNode,
)

PER_YEAR = 900_000          # Dongying: 900,000+ grid items a year
END = datetime(2026, 11, 1, tzinfo=timezone.utc)
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


def incidents(n: int, grid_ids: list[str], *, seed: int = 7, end: datetime = END, prefix: str = "h") -> Iterator[Incident]:
    """n incidents spread evenly (Dongying's rate) over the years before `end`, oldest first, mostly closed."""
    rnd = random.Random(seed)
    span = timedelta(days=365.25 * n / PER_YEAR)
    start = end - span
    step = span.total_seconds() / max(n, 1)
    for k in range(n):
        rep = start + timedelta(seconds=k * step + rnd.random() * step)
        age_days = (end - rep).days
        emergency = rnd.random() < 0.03
        reach = 5 if age_days > 7 and rnd.random() < 0.7 else (4 if age_days > 7 and rnd.random() < 0.98 else rnd.randrange(0, 6))
        t = rep
        times: dict[str, datetime] = {}
        timeline = [StatusChange(Status.REPORTED, rep)]
        for stage in range(1, reach + 1):
            t = t + timedelta(seconds=rnd.expovariate(1 / (40 if emergency else 180)) if stage == 1 else
                              rnd.expovariate(1 / (300 if emergency else 3600)))
            timeline.append(StatusChange(STAGES[stage], t, handler=f"worker{rnd.randrange(500)}"))
            times[STAGES[stage].value] = t
        status = STAGES[reach]
        closed = reach >= 4
        acc = times.get("accepted")
        arrived = acc + timedelta(seconds=rnd.expovariate(1 / (420 if emergency else 1200))) if acc and reach >= 2 else None
        cat = rnd.choices(CATS, CAT_W)[0]
        yield Incident(
            id=f"{prefix}{k:09d}", version=reach + 1, updated_at=t, reported_at=rep, title=f"{cat.value} #{k}",
            category=cat, source=Source.GRID_APP, severity=Severity(1 + (k % 4)), status=status,
            grid_id=rnd.choice(grid_ids), lon=118.0 + rnd.random(), lat=37.0 + rnd.random(), emergency=emergency,
            accepted_at=acc, dispatched_at=times.get("dispatched"), arrived_at=arrived,
            assessed_at=arrived + timedelta(seconds=rnd.expovariate(1 / 400)) if emergency and arrived else None,
            closed_at=times.get("closed"), followed_up_at=times.get("followed_up"),
            resolution_level=rnd.choices(list(ResolutionLevel), [70, 25, 4, 1])[0] if closed else None,
            on_the_spot=closed and rnd.random() < 0.6,
            satisfaction=rnd.choices([1, 2, 3, 4, 5], [1, 2, 7, 30, 60])[0] if reach == 5 else None,
            timeline=tuple(timeline))
