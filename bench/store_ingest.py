"""Ingest throughput: incident updates per second through Store.apply (one transaction per batch).

A live-like stream: a store holding `--preload` open incidents of the last day, then batches of `--batch`
records where 70% are newer versions of stored incidents (status advances) and 30% are new incidents
reported in the last hour. Measures SQLite, and PostgreSQL beside it when a URL is given
(--pg-url or COMMANDCENTER_TEST_PG_URL). Prints JSON lines; not a timed test.
"""
from __future__ import annotations

import argparse
import dataclasses
import os
import random
import tempfile
import time
from datetime import timedelta

from common import emit, note
from store_common import END, STAGES, incidents, territory

from commandcenter.domain import Status
from commandcenter.store import Store

TARGET = 5000.0


def stream(preload: int, updates: int, batch: int, grids: list[str]):
    base = [dataclasses.replace(i, status=Status.REPORTED, version=1, timeline=i.timeline[:1], accepted_at=None,
                                dispatched_at=None, arrived_at=None, assessed_at=None, closed_at=None,
                                followed_up_at=None, resolution_level=None, satisfaction=None)
            for i in incidents(preload, grids, seed=1, end=END, prefix="p")]
    rnd = random.Random(3)
    current = {i.id: i for i in base}
    fresh = incidents(updates, grids, seed=2, end=END + timedelta(hours=1), prefix="n")
    batches, buf = [], []
    ids = list(current)
    for _ in range(updates):
        if rnd.random() < 0.7:
            cur = current[rnd.choice(ids)]
            nxt = STAGES[min(cur.status.rank + 1, 5)]
            t = cur.updated_at + timedelta(minutes=5)
            new = dataclasses.replace(cur, version=cur.version + 1, status=nxt, updated_at=t,
                                      timeline=cur.timeline + ((cur.timeline[-1].__class__(nxt, t)),),
                                      accepted_at=cur.accepted_at or t)
            current[new.id] = new
        else:
            new = next(fresh)
        buf.append(new)
        if len(buf) == batch:
            batches.append(buf)
            buf = []
    if buf:
        batches.append(buf)
    return base, batches


def run(url: str, label: str, base, batches, terr) -> float:
    store = Store.open(url)
    store.apply("bench", territory=terr)
    for k in range(0, len(base), 5000):
        store.apply("bench", incidents=base[k:k + 5000])
    n, t0, c0 = 0, time.perf_counter(), time.process_time()
    for b in batches:
        n += len(store.apply("bench", incidents=b, cursor=str(n)).incidents)
    dt, cpu = time.perf_counter() - t0, time.process_time() - c0
    store.close()
    rate = n / dt
    # cpu_rate: updates per second of this process's CPU time (SQLite runs in-process): less sensitive to other
    # load on a shared machine than the wall-clock figure, which is the one that counts
    emit(f"store_ingest_{label}", rate, "updates/s", TARGET, better="higher", updates=n, seconds=round(dt, 2),
         batch=len(batches[0]), cpu_rate=round(n / cpu), load=os.getloadavg()[0])
    return rate


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--preload", type=int, default=20_000)
    p.add_argument("--updates", type=int, default=50_000)
    p.add_argument("--batch", type=int, default=2_000)
    p.add_argument("--pg-url", default=os.environ.get("COMMANDCENTER_TEST_PG_URL", ""))
    a = p.parse_args()
    terr = territory()
    grids = [t.id for t in terr if t.level.value == "grid"]
    base, batches = stream(a.preload, a.updates, a.batch, grids)
    with tempfile.TemporaryDirectory() as d:
        run(f"sqlite:///{d}/ingest.db", "sqlite", base, batches, terr)
    if a.pg_url:
        from sqlalchemy import create_engine, text

        eng = create_engine(a.pg_url, isolation_level="AUTOCOMMIT")
        with eng.connect() as c:
            c.execute(text("DROP SCHEMA IF EXISTS bench_ingest CASCADE"))
            c.execute(text("CREATE SCHEMA bench_ingest"))
        sep = "&" if "?" in a.pg_url else "?"
        run(f"{a.pg_url}{sep}options=-csearch_path%3Dbench_ingest", "postgresql", base, batches, terr)
        with eng.connect() as c:
            c.execute(text("DROP SCHEMA bench_ingest CASCADE"))
    else:
        note("store_ingest: no PostgreSQL URL (--pg-url / COMMANDCENTER_TEST_PG_URL); SQLite only")


if __name__ == "__main__":
    main()
