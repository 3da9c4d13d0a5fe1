"""CPU time per KPI query (all KPIs of one node and window, warm), for a before/after pair of the same code paths.

    PYTHONPATH=<checkout> python bench/kpi_query_cpu.py sqlite:///path/history-200k.db [grid|other]

200 random (node, window-to-end) pairs, after a warm-up of 20; prints CPU and wall ms per query. Process CPU
time moves less than wall time with the load of a shared machine. Not run by `python -m bench`.
"""
import sys
import time
import random
from datetime import datetime, timedelta, UTC
from commandcenter.store import Store
url = sys.argv[1]
only = sys.argv[2] if len(sys.argv) > 2 else ""
s = Store.open(url)
nodes = [t.id for t in s.territory() if not only or (t.level.value == "grid") == (only == "grid")]
rnd = random.Random(7)
end = datetime(2026, 11, 1, tzinfo=UTC)
qs = [(rnd.choice([""] + nodes), end - timedelta(hours=rnd.choice([1, 24, 168, 744, 8760])) - timedelta(hours=rnd.randrange(0, 2000)) ) for _ in range(200)]
for n, st in qs[:20]:
    s.kpis(n, st, st + timedelta(hours=24))
c0 = time.process_time()
w0 = time.perf_counter()
for n, st in qs:
    s.kpis(n, st, end)
print(url, "cpu ms/query", round((time.process_time() - c0) / len(qs) * 1000, 2), "wall ms/query", round((time.perf_counter() - w0) / len(qs) * 1000, 2))
