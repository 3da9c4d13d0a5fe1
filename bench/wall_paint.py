"""wall_4k_paint_ms: a full synchronous repaint of a 3840×2160 wall with every tile holding live data.

Every tile is live, as on a real wall: 5,000 open incidents in a 6,098-grid city (the map coloured by load,
with markers), 12 alerts (map areas, the alert table, the guidance), 200 resources (counts, list, map) and a
KPI snapshot computed from the same incidents (cards, hourly trend, completion, rankings).

Median of N `window.render(image)` calls into a 3840×2160 ARGB32 image (CPU raster, offscreen): unlike
`repaint()`, render paints every child whether or not Qt thinks it is dirty. Max, a `grab()`, each tile's own
median (`tile_paint_ms`, rendered alone), the incident tables' paintEvent medians and the median thread CPU time
(`cpu_ms`: less sensitive to other processes on a shared machine) are reported alongside.
"""
from __future__ import annotations

import random
import statistics
import sys
import time
from collections import Counter
from dataclasses import replace
from datetime import timedelta

from common import (ROOT, PaintProbe, app, build_wall, emit, flush_models, import_services, incident_views,
                    make_incidents, note, parser, percentile, process, utcnow, wall_config)

sys.path.insert(0, str(ROOT))                      # tests.support: the map test data
from tests.support import map_data as F  # noqa: E402

GRIDS = 6098
INCIDENTS = 5_000
ALERTS = 12
RESOURCES = 200


def live_city(services, now):
    """A LiveState with the territory, incidents (placed in their grids), alerts and resources."""
    from commandcenter.domain import AlertLevel

    nodes = F.city(GRIDS, n_districts=5, streets_per_district=4)
    grids = {g.id: g for g in F.grids(nodes)}
    incidents = []
    for inc in make_incidents(INCIDENTS, now=now, grids=GRIDS):
        lon, lat = F.centre(grids[inc.grid_id])
        incidents.append(replace(inc, lon=lon, lat=lat))
    rnd = random.Random(11)
    gs = list(grids.values())
    alerts = []
    for i in range(ALERTS):
        lon, lat = F.centre(rnd.choice(gs))
        a = F.alert(f"A{i:02d}", F.box(lon, lat, F.CELL * rnd.uniform(3, 10), F.CELL * rnd.uniform(3, 8)),
                    AlertLevel(i % 4 + 1))
        alerts.append(replace(a, issued_at=now - timedelta(minutes=10 + i), updated_at=now,
                              expires_at=now + timedelta(hours=2)))
    live = services.LiveState()
    live.apply(territory=nodes, incidents=incidents, alerts=alerts, resources=F.resources(nodes, RESOURCES))
    return live


def kpi_snapshot(live, now):
    """The KPI tile's snapshot computed from the same incidents: every card, chart and ranking has data."""
    from commandcenter.domain import KpiValue
    from commandcenter.ui.models.kpis import CARDS, KpiSnapshot

    incs = list(live.incidents.values())
    rnd = random.Random(3)
    today = {spec.name: KpiValue(spec.name, rnd.uniform(60, 99) if spec.decimals else float(len(incs)))
             for spec in CARDS}
    today["events_per_category"] = KpiValue("events_per_category", None,
                                            detail=dict(Counter(i.category.value for i in incs)))
    today["events_per_grid"] = KpiValue("events_per_grid", None, detail=dict(Counter(i.grid_id for i in incs)))
    today["resolution_level_share"] = KpiValue("resolution_level_share", None, detail={
        "grid": 61.0, "community": 24.0, "street": 11.0, "higher": 4.0})
    today["one_ten_twenty_compliance"] = replace(today["one_ten_twenty_compliance"], detail={
        "emergencies": 48, "response_met": 46, "arrival_met": 44, "assessment_met": 41})
    hourly = Counter(int((now - i.reported_at).total_seconds() // 3600) for i in incs)
    return KpiSnapshot("", now, current=today, previous=dict(today),
                       hourly_today=[float(hourly.get(23 - h, 0)) for h in range(24)],
                       hourly_yesterday=[float(hourly.get(h, 0)) * 0.9 for h in range(24)],
                       completion_by_hour=[min(100.0, 40 + 2.5 * h) for h in range(24)])


def median_render_ms(widget, repeats: int) -> float:
    from PySide6.QtGui import QImage

    image = QImage(widget.size(), QImage.Format.Format_ARGB32_Premultiplied)
    widget.render(image)
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        widget.render(image)
        times.append((time.perf_counter() - t0) * 1000.0)
    return statistics.median(times)


def main() -> None:
    p = parser(__doc__)
    p.add_argument("--png", default="", help="save the rendered wall here (to look at it)")
    p.add_argument("--no-basemap", action="store_true", help="the map without its basemap (issue 19 comparison)")
    args = p.parse_args()
    repeats = 10 if args.quick else 30
    services = import_services()
    config = wall_config()
    qapp = app(config)
    now = utcnow()
    live = live_city(services, now)
    window, missing_tiles = build_wall(live, config)
    basemap = False
    if not args.no_basemap:         # the map's basemap shown (water, roads, place names), where this build has one
        from map_basemap import bench_basemap

        layers = bench_basemap(list(live.territory.values()))
        for tile in window.tiles():
            if tile.kind == "map" and hasattr(tile.map, "set_basemap"):
                tile.map.set_basemap(layers)
                basemap = True
    for tile in window.tiles():
        if tile.kind == "kpis":
            tile.feed.set_snapshot(kpi_snapshot(live, now))
    process(qapp, 300)
    flush_models(window)
    for tile in window.tiles():
        if tile.kind == "map":
            tile.flush()
    process(qapp, 200)
    from PySide6.QtGui import QImage

    probes = [PaintProbe(v) for v in incident_views(window)]
    image = QImage(window.size(), QImage.Format.Format_ARGB32_Premultiplied)
    window.render(image)  # warm the glyph caches
    times, cpu = [], []
    for _ in range(repeats):
        c0, t0 = time.thread_time(), time.perf_counter()
        window.render(image)
        times.append((time.perf_counter() - t0) * 1000.0)
        cpu.append((time.thread_time() - c0) * 1000.0)
    t0 = time.perf_counter()
    window.grab()
    grab_ms = (time.perf_counter() - t0) * 1000.0
    if args.png:
        image.save(args.png)
    tile_ms = {t.kind: round(median_render_ms(t, max(5, repeats // 3)), 1) for t in window.tiles()}
    note(f"repaint ms: {[round(t, 1) for t in times]}")
    emit("wall_4k_paint_ms", percentile(times, 50), "ms", 33.0, max_ms=max(times), cpu_ms=percentile(cpu, 50),
         grab_ms=grab_ms, basemap=basemap,
         tiles=len(window.tiles()), missing_tiles=missing_tiles, repeats=repeats, tile_paint_ms=tile_ms,
         table_paint_ms=[round(percentile(p.paint_ms, 50), 1) for p in probes],
         data=f"{INCIDENTS} incidents, {GRIDS} grids, {ALERTS} alerts, {RESOURCES} resources, KPIs")
    window.close()


if __name__ == "__main__":
    main()
