"""wall_4k_paint_ms: a full synchronous repaint of a 3840×2160 wall with every tile holding live data.

Median of N `window.render(image)` calls into a 3840×2160 ARGB32 image (CPU raster, offscreen): unlike
`repaint()`, render paints every child whether or not Qt thinks it is dirty. Max, a `grab()` and the
incident tables' own paintEvent medians are reported alongside.
"""
from __future__ import annotations

import time

from common import (PaintProbe, app, incident_views, build_wall, emit, flush_models, import_services, make_incidents, note, parser,
                    percentile, process, wall_config)


def main() -> None:
    args = parser(__doc__).parse_args()
    repeats = 10 if args.quick else 30
    services = import_services()
    config = wall_config()
    qapp = app(config)
    live = services.LiveState()
    live.apply(incidents=make_incidents(5_000))
    window, missing_tiles = build_wall(live, config)
    process(qapp, 300)
    flush_models(window)
    process(qapp, 100)
    from PySide6.QtGui import QImage

    probes = [PaintProbe(v) for v in incident_views(window)]
    image = QImage(window.size(), QImage.Format.Format_ARGB32_Premultiplied)
    window.render(image)  # warm the glyph caches
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        window.render(image)
        times.append((time.perf_counter() - t0) * 1000.0)
    t0 = time.perf_counter()
    window.grab()
    grab_ms = (time.perf_counter() - t0) * 1000.0
    note(f"repaint ms: {[round(t, 1) for t in times]}")
    emit("wall_4k_paint_ms", percentile(times, 50), "ms", 33.0, max_ms=max(times), grab_ms=grab_ms,
         tiles=len(window.tiles()), missing_tiles=missing_tiles, repeats=repeats,
         table_paint_ms=[round(percentile(p.paint_ms, 50), 1) for p in probes])
    window.close()


if __name__ == "__main__":
    main()
