"""Video tiles' budget (issue 21): CPU and memory of 4 and 9 tiles of 640×360 at 25 fps, click to first frame,
latency behind the live edge, and the GUI thread's heartbeat while they play.

The simulator (in this process, its FFmpeg encoders in child processes, not counted) serves 9 HD cameras; a video
tile of 4, then of 9, plays them through QtMultimedia's FFmpeg backend offscreen, painted at 1920×1080. CPU is this
process's (user + system over wall time, in cores): the wall's decoding, conversion and painting, plus the small
share of the simulator's HTTP serving. Latency behind the live edge: the encoder's running time minus the media time
of the frame on screen (both from the stream's first frame).
"""
from __future__ import annotations

import asyncio
import os
import resource
import sys
import time
from datetime import datetime, UTC

from common import Heartbeat, emit, note, parser, percentile, rss_mb


KEPT: list[object] = []


def cpu_s() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


async def measure(n: int, seconds: float, directory, sim) -> None:  # type: ignore[no-untyped-def]
    from commandcenter.services import LiveState
    from commandcenter.ui.tiles.video import VideoTile
    from commandcenter.ui.video import PlayState

    before_rss = rss_mb()
    ids = [f"CAM{i + 1:03d}" for i in range(n)]
    tile = VideoTile(LiveState(), directory, lambda: datetime.now(UTC), slots=n, cameras=ids)
    tile.resize(1920, 1080)
    tile.show()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not all(p.state is PlayState.PLAYING for p in tile.players):
        await asyncio.sleep(0.1)
    playing = sum(p.state is PlayState.PLAYING for p in tile.players)
    first = [p.first_frame_s for p in tile.players if p.first_frame_s is not None]
    await asyncio.sleep(3.0)                      # past the start-up
    heart = Heartbeat(16)
    heart.start()
    frames0 = [p.frames for p in tile.players]
    c0, t0 = cpu_s(), time.monotonic()
    lags: list[float] = []
    while time.monotonic() - t0 < seconds:
        await asyncio.sleep(0.5)
        for p in tile.players:
            started = sim.server.video.started_at(p.camera_id) if sim.server.video is not None else None
            if started is not None and p.first_pts_us >= 0 and p.first_frame_s is not None:
                # the player joined the fresh stream at its first frame: the encoder's running time against the
                # media time shown since that frame (over by the encoder's own start-up, a fraction of a second)
                lags.append(time.monotonic() - started - (p.last_pts_us - p.first_pts_us) / 1e6)
    c1, t1 = cpu_s(), time.monotonic()
    heart.stop()
    fps = [(p.frames - f0) / (t1 - t0) for p, f0 in zip(tile.players, frames0, strict=True)]
    cores = (c1 - c0) / (t1 - t0)
    emit(f"video_{n}_tiles_cpu_cores", cores, "cores", 1.0 if n == 4 else None, playing=playing,
         fps_min=min(fps), fps_median=percentile(fps, 50))
    emit(f"video_{n}_tiles_rss_mb", rss_mb() - before_rss, "MB", None, rss_total_mb=rss_mb())
    emit(f"video_{n}_tiles_heartbeat_p99_ms", percentile(heart.lateness, 99), "ms", 50.0, max_ms=heart.worst)
    if first:
        emit(f"video_{n}_click_to_first_frame_s", percentile(first, 50), "s", 2.0, max_s=max(first),
             note="the encoder starts on demand: includes FFmpeg's start and its first 1 s segment")
    if lags:
        emit(f"video_{n}_latency_behind_live_s", percentile(lags, 50), "s", None, p90_s=percentile(lags, 90))
    tile.stop_all()
    tile.hide()
    KEPT.append(tile)          # deleted with the process: deleting it under qasync's running task broke the loop
    await asyncio.sleep(1.0)


async def main(seconds: float) -> None:
    from commandcenter.config.schema import FeedSection
    from commandcenter.feeds.cameras import CameraFeed
    from commandcenter.feeds.transport import make_client
    from commandcenter.services.cameras import CameraDirectory
    from commandcenter.sim import run_in_thread

    sim = run_in_thread(profile="street", seed=1, history_hours=0.1, hd_cameras=9, video_idle_s=2.0)
    try:
        async with make_client() as client:
            directory = CameraDirectory([CameraFeed(FeedSection(
                name="cams", kind="cameras", url=sim.url, media_allow_networks=["127.0.0.1/32"]), client)])
            await directory.refresh()
            for n in (4, 9):
                note(f"video: {n} tiles")
                await measure(n, seconds, directory, sim)
                await asyncio.sleep(3.0)              # the encoders of the last run stop (idle)
    finally:
        sim.stop()


if __name__ == "__main__":
    args = parser(__doc__ or "").parse_args()
    import qasync
    from PySide6.QtWidgets import QApplication

    app = QApplication(sys.argv)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    loop.run_until_complete(main(8.0 if args.quick else 20.0))
    sys.stdout.flush()
    os._exit(0)     # the figures are out; kept players' FFmpeg threads must not hold the process at exit
