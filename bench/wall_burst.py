"""burst_max_stall_ms: the GUI thread's longest stall while 10,000 incidents arrive at once.

The simulator (own process) publishes 10,000 new incidents in one go; the real wall (SSE feed → store thread
→ live state → table model → 3840×2160 window, qasync) takes them in. A 5 ms single-shot PreciseTimer
heartbeat re-armed on every beat records how late it fires; the figure is the worst lateness from the
burst until every incident is in the model and two more seconds have passed. p99 reported alongside, and
the map tile's longest flush from the idle second before the burst to the end (map_flush_max_ms: it used to
walk every incident the live state holds on each flush) and the incident table's longest and median paint over
the same span (table_paint_max_ms, table_paint_p50_ms: new rows on top shift every visible row; rows already
drawn are copied from their row images, new ones drawn once). On this shared machine those wall-clock figures
include other processes' time slices: the same spans are also reported in GUI-thread CPU time
(map_flush_cpu_max_ms, table_paint_cpu_max_ms, and gui_cpu_s, all the GUI thread's CPU from the burst to the end).

By default the wall is the one `commandcenter run` makes on SQLite: the feed runs in its recorder child (started as
`run` starts it) and the wall follows the store, so the burst is decoded and stored in the child and reaches the
wall's process as the follower's commits. `--in-process` measures the old pipeline in one process.
"""
from __future__ import annotations

import asyncio
import tempfile
import time
from pathlib import Path

from common import (Heartbeat, PaintProbe, SimProcess, add_mode_option, app, emit, feed_live, incident_views,
                    mode_name, note, parser, percentile, qasync_loop, sse_feed, start_wall, stop_wall, wait_for,
                    wall_config)


def _timed(slot, into: list[float], cpu: list[float]) -> None:
    t, c = time.perf_counter(), time.thread_time()
    slot()
    into.append((time.perf_counter() - t) * 1000)
    cpu.append((time.thread_time() - c) * 1000)


def _cpu_timed_paints(view, into: list[float]) -> None:
    """GUI-thread CPU of each paint of `view` (over the PaintProbe already wrapping it)."""
    probed = view.paintEvent

    def paint_event(event) -> None:
        c = time.thread_time()
        probed(event)
        into.append((time.thread_time() - c) * 1000)

    view.paintEvent = paint_event


def main() -> None:
    a = parser(__doc__)
    a.add_argument("--burst", type=int, default=10_000)
    add_mode_option(a)
    args = a.parse_args()
    mode = mode_name(args.in_process)
    sim = SimProcess(burst=args.burst, prefix="burst")
    config = wall_config([sse_feed(sim.url)])
    qapp = app(config)
    loop = qasync_loop(qapp)
    tmp = tempfile.TemporaryDirectory(prefix="bench-burst-")
    out: dict = {}

    async def run() -> None:
        store, live, pipeline, window, missing = await start_wall(config, f"sqlite:///{Path(tmp.name) / 'w.db'}",
                                                                  in_process=args.in_process, folder=Path(tmp.name))
        if not args.in_process and not await wait_for(lambda: feed_live(live, "city"), timeout=60):
            raise RuntimeError("the recorder child's feed did not connect")
        await asyncio.sleep(1.5)  # connected, territory in, idle
        flushes: list[float] = []
        flush_cpu: list[float] = []
        for tile in window.tiles():
            if tile.kind == "map":
                tile._timer.timeout.disconnect(tile.flush)
                tile._timer.timeout.connect(lambda tile=tile: _timed(tile.flush, flushes, flush_cpu))
        probes = [PaintProbe(v, wanted=lambda rid: False) for v in incident_views(window)]
        paint_cpu: list[float] = []
        for p in probes:
            _cpu_timed_paints(p.view, paint_cpu)
        beat = Heartbeat(5)
        beat.start()
        await asyncio.sleep(0.5)
        idle_worst = beat.worst
        beat.start()
        t0, c0 = time.perf_counter(), time.thread_time()
        sim.go()
        ok = await wait_for(lambda: sum(1 for k in live.incidents if k.startswith("burst-")) >= args.burst, 60)
        t_live = time.perf_counter() - t0
        await asyncio.sleep(2.0)
        beat.stop()
        gui_cpu = time.thread_time() - c0
        out.update(worst=beat.worst, p99=percentile(beat.lateness, 99), beats=len(beat.lateness), ok=ok,
                   idle_worst=idle_worst, t_live=t_live, missing=missing,
                   rows=incident_views(window)[0].model().rowCount(), map_flush=max(flushes, default=None),
                   table_paints=[ms for p in probes for ms in p.paint_ms], gui_cpu=gui_cpu,
                   map_flush_cpu=max(flush_cpu, default=None), table_paint_cpu=max(paint_cpu, default=None))
        await stop_wall(store, pipeline, window)

    with loop:
        loop.run_until_complete(run())
    sim.close()
    note(f"burst ({mode}): all in live state: {out['ok']} after {out['t_live']:.2f} s; beats {out['beats']}")
    emit("burst_max_stall_ms", out["worst"] if out["ok"] else None, "ms", 50.0, p99_ms=out["p99"],
         idle_max_ms=out["idle_worst"], burst=args.burst, all_in_s=out["t_live"], missing_tiles=out["missing"],
         map_flush_max_ms=None if out["map_flush"] is None else round(out["map_flush"], 1),
         table_paint_max_ms=round(max(out["table_paints"]), 1) if out["table_paints"] else None,
         table_paint_p50_ms=round(percentile(out["table_paints"], 50), 1) if out["table_paints"] else None,
         map_flush_cpu_max_ms=None if out["map_flush_cpu"] is None else round(out["map_flush_cpu"], 1),
         table_paint_cpu_max_ms=None if out["table_paint_cpu"] is None else round(out["table_paint_cpu"], 1),
         gui_cpu_s=round(out["gui_cpu"], 2), mode=mode)


if __name__ == "__main__":
    main()
