"""Generate a large incident history through Store.apply, then time KPI queries and measure the size on disk.

--incidents N (default 200,000; the issue's target is 10,000,000 ≈ 11 years of Dongying at 900,000/year).
Incidents are spread at Dongying's rate over the years before 2026-11-01 on a 6,000-grid territory, with full
status timelines. Then: KPI query time for random nodes (city/district/street/community/grid) and windows
(1 hour .. the whole history), the time to open the store and read the first wall frame's data, and the bytes
on disk per million incidents. Prints JSON lines; not a timed test.
"""
from __future__ import annotations

import argparse
import os
import random
import tempfile
import time
from datetime import timedelta

from common import emit, note, percentile
from store_common import END, PER_YEAR, incidents, territory

from commandcenter.store import Store


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--incidents", type=int, default=200_000)
    p.add_argument("--batch", type=int, default=5_000)
    p.add_argument("--queries", type=int, default=200)
    p.add_argument("--path", default="", help="SQLite file to build (default: a temporary one, deleted after)")
    a = p.parse_args()
    tmp = tempfile.TemporaryDirectory()
    path = a.path or os.path.join(tmp.name, "history.db")
    url = f"sqlite:///{path}"
    terr = territory()
    grids = [t.id for t in terr if t.level.value == "grid"]
    store = Store.open(url)
    store.apply("gen", territory=terr)
    t0, buf, n = time.perf_counter(), [], 0
    for inc in incidents(a.incidents, grids):
        buf.append(inc)
        if len(buf) == a.batch:
            n += len(store.apply("gen", incidents=buf, log=False).incidents)
            buf = []
            if n % 100_000 == 0:
                note(f"store_history: {n:,} incidents, {n / (time.perf_counter() - t0):,.0f}/s")
    if buf:
        n += len(store.apply("gen", incidents=buf, log=False).incidents)
    gen_s = time.perf_counter() - t0
    emit("store_generate_rate", n / gen_s, "incidents/s", None, better="higher", incidents=n, seconds=round(gen_s, 1),
         years=round(n / PER_YEAR, 2))
    store.close()
    with Store.open(url).engine.connect() as c:
        c.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    size = sum(os.path.getsize(path + s) for s in ("", "-wal") if os.path.exists(path + s))
    emit("store_size_per_million", size / n * 1e6 / 2**30, "GiB/1M incidents", None, incidents=n,
         bytes=size)

    t0 = time.perf_counter()
    store = Store.open(url)
    first = store.incidents(open_only=True, limit=500), store.alerts(now=END), store.resources(), store.territory()
    store.kpis("", END - timedelta(days=1), END)
    emit("store_open_first_frame", (time.perf_counter() - t0) * 1000, "ms", 3000.0, open_incidents=len(first[0]))

    rnd = random.Random(11)
    by_level: dict[str, list[str]] = {}
    for t in terr:
        by_level.setdefault(t.level.value, []).append(t.id)
    span_h = int(n / PER_YEAR * 365.25 * 24)
    times: dict[str, list[float]] = {}
    for q in range(a.queries):
        level = ["", "city", "district", "street", "community", "grid"][q % 6]
        node = "" if not level else rnd.choice(by_level[level])
        hours = rnd.choice([1, 24, 24 * 7, 24 * 31, 24 * 365, span_h])
        end = END - timedelta(hours=rnd.randrange(0, max(1, span_h - hours)))
        t1 = time.perf_counter()
        store.kpis(node, end - timedelta(hours=hours, minutes=rnd.randrange(60)), end)
        times.setdefault(level or "all", []).append((time.perf_counter() - t1) * 1000)
    every = [x for v in times.values() for x in v]
    emit("store_kpi_query_p95", percentile(every, 95), "ms", 100.0, max=max(every), p50=percentile(every, 50),
         queries=len(every), incidents=n,
         per_level_p95={k: round(percentile(v, 95), 1) for k, v in times.items()})
    store.close()
    tmp.cleanup()


if __name__ == "__main__":
    main()
