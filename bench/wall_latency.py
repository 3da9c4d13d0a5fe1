"""event_to_pixel_p50_ms / event_to_pixel_p99_ms: simulator publish (`sent_at`) → row painted on the wall.

The simulator runs in its own process and publishes 200 incidents/s over SSE; every 10th is an emergency
(those sort to the top of the incident table, so every one of them must reach the screen; the other 90%
are load). The wall is the real one (feed → SQLite store on its thread → live state → table model →
3840×2160 window under qasync). A wrapper around the incident view's paintEvent records, after Qt painted,
the wall-clock time each emergency id first appears inside the viewport. Latency = that time − sent_at.
Emergencies never painted are reported as `missed`.
"""
from __future__ import annotations

import asyncio
import tempfile
import time
from pathlib import Path

from common import (PaintProbe, SimProcess, app, build_wall, emit, import_services, incident_views, note, parser,
                    percentile, qasync_loop, sse_feed, wall_config, FRAME_MS)


def main() -> None:
    a = parser(__doc__)
    a.add_argument("--rate", type=float, default=200.0)
    a.add_argument("--seconds", type=float, default=None)
    args = a.parse_args()
    seconds = args.seconds or (10.0 if args.quick else 30.0)
    every = 10
    services = import_services()
    from commandcenter.store import Store

    sim = SimProcess(rate=args.rate, duration=seconds, emergency_every=every, prefix="ev")
    config = wall_config([sse_feed(sim.url)])
    qapp = app(config)
    loop = qasync_loop(qapp)
    tmp = tempfile.TemporaryDirectory(prefix="bench-latency-")
    result: dict = {}

    async def run() -> None:
        store = await loop.run_in_executor(None, Store.open, f"sqlite:///{Path(tmp.name) / 'wall.db'}")
        live = services.LiveState()
        pipeline = services.IngestPipeline(config, store, live)
        await pipeline.load_initial_state()
        window, missing_tiles = build_wall(live, config)
        views = incident_views(window)
        probe = PaintProbe(views[0], wanted=lambda rid: int(rid.rsplit("-", 1)[1]) % every == 0)
        await pipeline.start()
        # wait for the stream to be connected and the wall idle
        for _ in range(100):
            await asyncio.sleep(0.05)
            if pipeline.feeds and getattr(pipeline.feeds[0], "connects", 1):
                break
        await asyncio.sleep(1.0)
        sim.go()
        done = await loop.run_in_executor(None, sim.wait_done, seconds + 30)
        await asyncio.sleep(1.5)  # the last events: flush + paint
        await pipeline.close()
        store.close()
        window.close()
        sent = done.get("sent", 0)
        result.update(sent=sent, sent_at=done.get("sent_at", {}), probe=probe, missing_tiles=missing_tiles, received=len(live.incidents))

    with loop:
        loop.run_until_complete(run())
    sim.close()
    probe = result["probe"]
    sent_at = result["sent_at"]
    lat = [(probe.first_painted_wall[i] - t) * 1000.0 for i, t in sent_at.items() if i in probe.first_painted_wall]
    missed = len(sent_at) - len(lat)
    note(f"emergencies sent {len(sent_at)}, painted {len(lat)}, paints {probe.paints}, "
         f"view paint p50 {percentile(probe.paint_ms, 50):.1f} ms")
    common = dict(rate_per_s=args.rate, seconds=seconds, tracked=len(sent_at), missed=missed,
                  received=result["received"], missing_tiles=result["missing_tiles"])
    emit("event_to_pixel_p50_ms", percentile(lat, 50) if lat else None, "ms", 100.0, floor=FRAME_MS, **common)
    emit("event_to_pixel_p99_ms", percentile(lat, 99) if lat and not missed else None, "ms", 100.0,
         floor=FRAME_MS, max_ms=max(lat, default=None), **common)


if __name__ == "__main__":
    main()
