"""The map with its basemap shown (issue 19 point 8): 6,098 grids under water, roads and place names.

Figures:
  map_recolor_basemap_ms_6098       set_load + synchronous viewport repaint at 1920×1080, basemap shown (≤ 16 ms)
  map_basemap_pan_zoom_frame_ms_4k  one frame of a mouse pan/zoom at 3840×2160: the view moves, the grid raster
                                    and the basemap stretch their last image until the mouse rests (≤ 33 ms)
  map_basemap_settle_ms_4k          the frame after the mouse rests: grid raster and basemap drawn anew
The basemap is generated for the test city's bounds like the demo city's (bench_basemap below): main roads on
an eighth of the span, minor roads on a fortieth, a meandering river, a lake and 300 place names.
Run:  QT_QPA_PLATFORM=offscreen .venv/bin/python bench/map_basemap.py [--quick] [--no-basemap]
"""
from __future__ import annotations

import argparse
import json
import math
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


def emit(name: str, value: float, unit: str = "ms", **extra: object) -> None:
    print(json.dumps({"name": name, "value": round(value, 3), "unit": unit, **extra,
                      "loadavg": round(os.getloadavg()[0], 2)}), flush=True)


def bench_basemap(nodes):
    """Vector layers over the territory's bounds, as dense as the demo city's."""
    from commandcenter.feeds.basemap import layer_from_features

    pts = [p for n in F.grids(nodes) for p in n.polygon]
    lon0, lon1 = min(p[0] for p in pts), max(p[0] for p in pts)
    lat0, lat1 = min(p[1] for p in pts), max(p[1] for p in pts)

    def line(a, b, kind):
        return {"type": "Feature", "properties": {"kind": kind},
                "geometry": {"type": "LineString", "coordinates": [list(a), list(b)]}}

    roads = []
    for k, kind in ((8, "main"), (40, "minor")):
        for i in range(1, k):
            x = lon0 + (lon1 - lon0) * i / k
            y = lat0 + (lat1 - lat0) * i / k
            roads += [line((x, lat0), (x, lat1), kind), line((lon0, y), (lon1, y), kind)]
    river = [(lon0 + (lon1 - lon0) * t / 80, lat0 + (lat1 - lat0) * (0.4 + 0.08 * math.sin(t / 80 * 8)))
             for t in range(81)]
    half = (lat1 - lat0) * 0.006
    band = [(x, y + half) for x, y in river] + [(x, y - half) for x, y in reversed(river)] + [river[0]]
    water = [{"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": [band]}}]
    rnd = random.Random(1)
    places = [{"type": "Feature", "properties": {"name": f"地名{i}", "rank": 1 + i % 3},
               "geometry": {"type": "Point", "coordinates": [rnd.uniform(lon0, lon1), rnd.uniform(lat0, lat1)]}}
              for i in range(300)]
    return [layer_from_features("water", water), layer_from_features("roads", roads),
            layer_from_features("places", places)]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--runs", type=int, default=40)
    ap.add_argument("--no-basemap", action="store_true", help="the same figures without a basemap (comparison)")
    args = ap.parse_args()
    runs = 15 if args.quick else args.runs
    app = QApplication.instance() or QApplication([])
    from commandcenter.ui.resources import FONT_FILE

    QFontDatabase.addApplicationFont(str(FONT_FILE))
    from commandcenter.ui.map import GridMap

    nodes = F.city(6098, n_districts=5, streets_per_district=4)
    layers = [] if args.no_basemap else bench_basemap(nodes)
    rnd = random.Random(42)
    loads = [F.random_load(nodes, rnd) for _ in range(runs + 5)]
    tag = "" if not args.no_basemap else "_no_basemap"

    def make(w: int, h: int) -> GridMap:
        m = GridMap()
        m.resize(w, h)
        m.show()
        app.processEvents()
        m.set_territory(nodes)
        if layers and hasattr(m, "set_basemap"):
            m.set_basemap(layers)
        m.set_incidents(F.incidents(nodes, 2000))
        m.set_resources(F.resources(nodes, 60))
        app.processEvents()
        m.plot.viewport().repaint()
        return m

    m = make(1920, 1080)
    vp = m.plot.viewport()
    total, total_cpu = [], []
    for i, load in enumerate(loads):
        c0 = time.thread_time()
        t0 = time.perf_counter()
        m.set_load(load)
        vp.repaint()
        m.legend.repaint()
        if i >= 5:
            total.append((time.perf_counter() - t0) * 1000)
            total_cpu.append((time.thread_time() - c0) * 1000)
    emit(f"map_recolor_basemap_ms_6098{tag}", statistics.median(total), target=16, size="1920x1080",
         max_ms=round(max(total), 2), cpu_ms=round(statistics.median(total_cpu), 2),
         what="set_load + synchronous viewport and legend repaint, basemap shown")
    m.close()

    m = make(3840, 2160)
    vp = m.plot.viewport()
    m.zoom_by(2.0)
    vp.repaint()
    frames, cpu, settles = [], [], []
    for i in range(runs):
        c0 = time.thread_time()
        t0 = time.perf_counter()
        m._moving() if hasattr(m, "_moving") else m.cells.defer_rebuild()   # what a mouse drag/wheel does
        if i % 2:
            m.viewbox.scaleBy((0.97, 0.97))
        else:
            m.viewbox.translateBy(x=m.view_rect().width() * 0.02, y=0)
        vp.repaint()
        frames.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.thread_time() - c0) * 1000)
        if i % 10 == 9:                          # the mouse rests: everything drawn anew at the new view
            m.cells._defer_until = 0.0
            if hasattr(m, "vector"):
                m.vector._defer_until = 0.0
            t0 = time.perf_counter()
            vp.repaint()
            settles.append((time.perf_counter() - t0) * 1000)
    emit(f"map_basemap_pan_zoom_frame_ms_4k{tag}", statistics.median(frames), target=33, size="3840x2160",
         p99_ms=round(sorted(frames)[max(0, round(0.99 * (len(frames) - 1)))], 2), max_ms=round(max(frames), 2),
         cpu_ms=round(statistics.median(cpu), 2),
         what="a mouse pan/zoom frame: view moved, grid raster and basemap stretched, markers and labels drawn")
    emit(f"map_basemap_settle_ms_4k{tag}", statistics.median(settles), size="3840x2160",
         max_ms=round(max(settles), 2), what="the frame after the mouse rests: raster and basemap drawn anew")


if __name__ == "__main__":
    main()
