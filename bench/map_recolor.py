"""Map recolour benchmark (issue 6.5): 6,098 grids, `set_load` + a forced repaint, target ≤ 16 ms.

Run:  QT_QPA_PLATFORM=offscreen .venv/bin/python bench/map_recolor.py [--runs 50] [--size 1920x1080]
      [--markers 2000] [--png /tmp/map.png]      (or through the runner: python -m bench --only map)
Prints one JSON line per figure. Loads are random (≈40 % of grids busy), so nearly every grid changes its
ramp step between two runs: the worst case, not a typical batch.
"""
from __future__ import annotations

import argparse
import gc
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))                      # tests.support: the map test data

from PySide6.QtGui import QFontDatabase  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from tests.support import map_data as F  # noqa: E402


def pct(xs, q):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, max(0, round(q / 100 * (len(xs) - 1))))]


def emit(name, value, unit="ms", **extra):
    # the load average goes with every figure: wall times on a shared 2-core machine swing with it
    print(json.dumps({"name": name, "value": round(value, 3), "unit": unit, **extra,
                      "loadavg": round(os.getloadavg()[0], 2)}), flush=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--grids", type=int, default=6098)
    ap.add_argument("--runs", type=int, default=50)
    ap.add_argument("--quick", action="store_true", help="20 runs instead of 50")
    ap.add_argument("--size", default="1920x1080")
    ap.add_argument("--png", default="")
    ap.add_argument("--markers", type=int, default=2000, help="incident markers on the map while timing")
    args = ap.parse_args()
    w, h = (int(v) for v in args.size.split("x"))
    if args.quick:
        args.runs = min(args.runs, 20)

    app = QApplication.instance() or QApplication([])
    from commandcenter.ui.resources import FONT_FILE

    QFontDatabase.addApplicationFont(str(FONT_FILE))
    from commandcenter.ui.map import GridMap

    nodes = F.city(args.grids, n_districts=5, streets_per_district=4)
    rnd = random.Random(42)
    loads = [F.random_load(nodes, rnd) for _ in range(args.runs + 5)]

    m = GridMap()
    m.resize(w, h)
    m.show()
    app.processEvents()
    t0 = time.perf_counter()
    m.set_territory(nodes)
    build_ms = (time.perf_counter() - t0) * 1000
    if args.markers:
        m.set_incidents(F.incidents(nodes, args.markers))
        m.set_resources(F.resources(nodes, 60))
    app.processEvents()
    vp = m.plot.viewport()

    set_ms, paint_ms, total_ms, idle_ms, cpu_ms = [], [], [], [], []
    gc.collect()
    gc.freeze()
    for i, load in enumerate(loads):
        c0 = time.thread_time()
        t0 = time.perf_counter()
        m.set_load(load)
        t1 = time.perf_counter()
        vp.repaint()              # synchronous paint of the map viewport (CPU raster)
        m.legend.repaint()
        t2 = time.perf_counter()
        c1 = time.thread_time()
        vp.repaint()              # same picture again: what a repaint costs without a recolour
        t3 = time.perf_counter()
        if i >= 5:                # warm-up
            set_ms.append((t1 - t0) * 1000)
            paint_ms.append((t2 - t1) * 1000)
            total_ms.append((t2 - t0) * 1000)
            idle_ms.append((t3 - t2) * 1000)
            cpu_ms.append((c1 - c0) * 1000)
    n = m.geo.count
    size = f"{w}x{h}"
    common = dict(size=size, runs=len(total_ms), markers=args.markers)
    # one line per figure name (the bench runner keys its table by name): value = median, p99/max beside it
    emit(f"map_recolor_ms_{n}", statistics.median(total_ms), target=16, p99_ms=round(pct(total_ms, 99), 2),
         max_ms=round(max(total_ms), 2), what="set_load + synchronous viewport and legend repaint, wall time",
         **common)
    emit(f"map_recolor_cpu_ms_{n}", statistics.median(cpu_ms), target=16, p99_ms=round(pct(cpu_ms, 99), 2),
         what="the same, thread CPU time (less sensitive to other processes on a shared machine)", **common)
    emit(f"map_set_load_ms_{n}", statistics.median(set_ms), p99_ms=round(pct(set_ms, 99), 2),
         what="set_load alone: ids to ramp steps, colour table")
    emit(f"map_repaint_ms_{n}", statistics.median(idle_ms), p99_ms=round(pct(idle_ms, 99), 2),
         what="viewport repaint with nothing changed", **common)
    emit(f"map_build_ms_{n}", build_ms, what="set_territory (geometry, boundaries, grouped paths)")
    view_ms = []
    for i in range(10):   # console zoom in / out: the index raster is rebuilt for the new view
        t0 = time.perf_counter()
        m.zoom_by(2.0 if i % 2 == 0 else 0.5)
        vp.repaint()
        view_ms.append((time.perf_counter() - t0) * 1000)
    emit(f"map_view_change_ms_{n}", statistics.median(view_ms), max_ms=round(max(view_ms), 2), size=size,
         what="zoom_by + repaint: index raster rebuilt for the new view")
    t0 = time.perf_counter()
    img = m.grab()
    emit(f"map_grab_ms_{n}", (time.perf_counter() - t0) * 1000, size=size, what="widget.grab() incl. legend")
    if args.png:
        img.save(args.png)


if __name__ == "__main__":
    main()
