"""Video tiles' budget (issue 21): CPU and memory of 4 and 9 tiles of 640×360 at 25 fps, click to first frame,
latency behind the live edge, and the wall's other figures (the GUI thread's heartbeat, a 4K wall's paint) while
they play.

The simulator (in this process, its FFmpeg encoders in child processes, not counted) serves 14 HD cameras, the
first 9 streaming from its start as a platform's cameras do; a video tile of 4, then of 9, plays them through
QtMultimedia's FFmpeg backend offscreen, painted at 1920×1080. CPU is this process's (user + system over wall time,
in cores): decoding, conversion, painting, and the small share of the simulator's HTTP serving.

Click to first frame: from `play` (the preview URL is asked for then) to the first image on the GUI thread, median
and max over several clicks, each a camera in a tile of its own: on cameras already streaming
(`video_warm_click_to_first_frame_s`; `video_N_click_to_first_frame_s` for the N tiles started at once), on cameras
whose encoder the click starts (`video_cold_click_to_first_frame_s`) and over RTSP, its encoder also started by the
click (`video_rtsp_click_to_first_frame_s`). Latency behind the live edge, sampled every half second after the
first frame: the time since that frame left the server less the stream time played since. HLS
(`video_hls_latency_behind_live_s`) on the cold cameras, whose player starts at the stream's first frame, so the
encoder's start stands for when it left (over by the encoder's own start-up, a fraction of a second); RTSP
(`video_rtsp_latency_behind_live_s`) from when the relay sent the player its first keyframe. The 4K paint: the median
`render` of the bench wall (wall_paint.py's city) without video and while 4, then 9 tiles play in the same
process (in a window of their own: the figure is the wall's other tiles while video plays), with where the render's
time went: on a core (`cpu_ms`), waiting for one (`runq_ms`) and neither (`blocked_ms`: a lock, the GIL).
The wall's event→pixel while a video tile plays on it is wall_latency.py's `--video 4`.
"""
from __future__ import annotations

import asyncio
import os
import resource
import statistics
import sys
import time
from datetime import datetime, UTC

from common import Heartbeat, emit, import_services, note, parser, percentile, rss_mb, utcnow

KEPT: list[object] = []
HD_CAMERAS = 14
ALWAYS_ON = 9
WARM_CAMERAS = [f"CAM{i:03d}" for i in range(1, 6)]                      # streaming from the simulator's start
COLD_CAMERAS = [f"CAM{i:03d}" for i in range(ALWAYS_ON + 1, HD_CAMERAS + 1)]  # not streaming until clicked
RTSP_CAMERAS = [f"CAM{i:03d}" for i in range(1, 6)]                      # their RTSP encoders start with the click
LAG_SAMPLES = 12


def cpu_s() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def load_average() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def thread_sched_ms() -> tuple[float, float]:
    """The calling thread's time on a core and its time waiting for one (ms, Linux's schedstat)."""
    with open("/proc/thread-self/schedstat") as fh:
        on_cpu, waiting, _slices = fh.read().split()
    return int(on_cpu) / 1e6, int(waiting) / 1e6


async def wall_paint(window, repeats: int) -> dict[str, float]:  # type: ignore[no-untyped-def]
    """Median synchronous render of the 4K wall, the loop (and so the video) running between renders, and where
    its time went: on a core (`cpu_ms`), waiting for one (`runq_ms`: other threads and processes had both) and
    neither (`blocked_ms`: waiting for a lock, in Python the GIL)."""
    from PySide6.QtGui import QImage

    image = QImage(window.size(), QImage.Format.Format_ARGB32_Premultiplied)
    window.render(image)
    wall, cpu, runq = [], [], []
    for _ in range(repeats):
        c0, q0 = thread_sched_ms()
        t0 = time.perf_counter()
        window.render(image)
        wall.append((time.perf_counter() - t0) * 1000.0)
        c1, q1 = thread_sched_ms()
        cpu.append(c1 - c0)
        runq.append(q1 - q0)
        await asyncio.sleep(0.1)
    blocked = [w - c - q for w, c, q in zip(wall, cpu, runq, strict=True)]
    return {"ms": statistics.median(wall), "cpu_ms": statistics.median(cpu), "runq_ms": statistics.median(runq),
            "blocked_ms": statistics.median(blocked)}


def emit_paint(name: str, paint: dict[str, float], note_text: str) -> None:
    emit(name, paint["ms"], "ms", 33.0, cpu_ms=paint["cpu_ms"], runq_ms=paint["runq_ms"],
         blocked_ms=paint["blocked_ms"], load=load_average(), note=note_text)


async def tile_of(cameras: list[str], directory, protocol: str = "hls"):  # type: ignore[no-untyped-def]
    from commandcenter.services import LiveState
    from commandcenter.ui.tiles.video import VideoTile

    tile = VideoTile(LiveState(), directory, lambda: datetime.now(UTC), slots=len(cameras), cameras=cameras,
                     protocol=protocol)
    tile.resize(1920, 1080)
    tile.show()
    return tile


async def until_playing(tile, timeout: float = 60.0) -> int:  # type: ignore[no-untyped-def]
    from commandcenter.ui.video import PlayState

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not all(p.state is PlayState.PLAYING for p in tile.players):
        await asyncio.sleep(0.05)
    return sum(p.state is PlayState.PLAYING for p in tile.players)


async def retire(tile) -> None:  # type: ignore[no-untyped-def]
    tile.stop()
    tile.hide()
    KEPT.append(tile)          # deleted with the process: deleting it under qasync's running task broke the loop
    await asyncio.sleep(1.0)


async def measure(n: int, seconds: float, directory, wall) -> None:  # type: ignore[no-untyped-def]
    before_rss = rss_mb()
    tile = await tile_of([f"CAM{i + 1:03d}" for i in range(n)], directory)
    playing = await until_playing(tile)
    first = [p.first_frame_s for p in tile.players if p.first_frame_s is not None]
    await asyncio.sleep(3.0)                      # past the start-up
    heart = Heartbeat(16)
    heart.start()
    frames0 = [p.frames for p in tile.players]
    c0, t0 = cpu_s(), time.monotonic()
    await asyncio.sleep(seconds)
    c1, t1 = cpu_s(), time.monotonic()
    heart.stop()
    fps = [(p.frames - f0) / (t1 - t0) for p, f0 in zip(tile.players, frames0, strict=True)]
    load = load_average()
    emit(f"video_{n}_tiles_cpu_cores", (c1 - c0) / (t1 - t0), "cores", 1.0 if n == 4 else None, playing=playing,
         fps_min=min(fps), fps_median=percentile(fps, 50), load=load)
    emit(f"video_{n}_tiles_rss_mb", rss_mb() - before_rss, "MB", None, rss_total_mb=rss_mb())
    emit(f"video_{n}_tiles_heartbeat_p99_ms", percentile(heart.lateness, 99), "ms", 50.0, max_ms=heart.worst,
         load=load)
    if first:
        emit(f"video_{n}_click_to_first_frame_s", percentile(first, 50), "s", 2.0, max_s=max(first),
             note="cameras already streaming, as a platform's are", load=load)
    if wall is not None:
        emit_paint(f"video_{n}_wall_4k_paint_ms", await wall_paint(wall, 10),
                   "the bench wall rendered while the tiles play")
    await retire(tile)


async def click(camera: str, directory, protocol: str = "hls"):  # type: ignore[no-untyped-def]
    """One camera played in a tile of its own, as a click on it does; the tile, playing (or given up on)."""
    tile = await tile_of([camera], directory, protocol=protocol)
    await until_playing(tile, 30)
    return tile


async def lags_behind(player, sent_at, samples: int = LAG_SAMPLES) -> list[float]:  # type: ignore[no-untyped-def]
    """How far behind the live edge `player` shows its stream, sampled every half second: the time since its
    first frame left the server (`sent_at()`), less the stream time it has played since that frame."""
    lags: list[float] = []
    for _ in range(samples):
        await asyncio.sleep(0.5)
        sent = sent_at()
        if sent is not None and player.first_pts_us >= 0:
            lags.append(time.monotonic() - sent - (player.last_pts_us - player.first_pts_us) / 1e6)
    return lags


def emit_clicks(name: str, firsts: list[float], clicks: int, note_text: str) -> None:
    if firsts:
        emit(name, percentile(firsts, 50), "s", 2.0, max_s=max(firsts), clicks=clicks, shown=len(firsts),
             load=load_average(), note=note_text)
    else:
        emit(name, None, "s", 2.0, clicks=clicks, shown=0, load=load_average(), note=note_text)


def emit_lags(name: str, lags: list[float], note_text: str) -> None:
    if lags:
        emit(name, percentile(lags, 50), "s", None, p90_s=percentile(lags, 90), max_s=max(lags), samples=len(lags),
             load=load_average(), note=note_text)


async def warm_clicks(directory) -> None:  # type: ignore[no-untyped-def]
    firsts = []
    for camera in WARM_CAMERAS:
        tile = await click(camera, directory)
        if tile.players[0].first_frame_s is not None:
            firsts.append(tile.players[0].first_frame_s)
        await retire(tile)
    emit_clicks("video_warm_click_to_first_frame_s", firsts, len(WARM_CAMERAS),
                "HLS, the camera already streaming, as a platform's are")


async def cold_clicks(directory, sim) -> None:  # type: ignore[no-untyped-def]
    """HLS from cameras whose encoder the click starts: the player starts at the stream's first frame, so the
    encoder's start is where that frame left (an upper bound: the encoder's own start-up counts as lag)."""
    firsts, lags = [], []
    for camera in COLD_CAMERAS:
        tile = await click(camera, directory)
        player = tile.players[0]
        if player.first_frame_s is not None:
            firsts.append(player.first_frame_s)
            lags += await lags_behind(player, lambda c=camera: sim.server.video.started_at(c))
        await retire(tile)
    emit_clicks("video_cold_click_to_first_frame_s", firsts, len(COLD_CAMERAS),
                "HLS, the click starts the camera's encoder")
    emit_lags("video_hls_latency_behind_live_s", lags, "HLS, from the encoder's start")


async def rtsp_clicks(directory, sim) -> None:  # type: ignore[no-untyped-def]
    """RTSP, each camera's RTSP encoder started by the click; lag from when the relay sent the player its first
    keyframe."""
    firsts, lags = [], []
    for camera in RTSP_CAMERAS:
        tile = await click(camera, directory, protocol="rtsp")
        player = tile.players[0]
        if player.first_frame_s is not None:
            firsts.append(player.first_frame_s)

            def sent_at(c: str = camera) -> float | None:
                sent = sim.server.rtsp.first_keyframes_sent(c)
                return sent[0] if len(sent) == 1 else None
            lags += await lags_behind(player, sent_at)
        await retire(tile)
    emit_clicks("video_rtsp_click_to_first_frame_s", firsts, len(RTSP_CAMERAS),
                "RTSP, the click starts the camera's RTSP encoder")
    emit_lags("video_rtsp_latency_behind_live_s", lags, "RTSP, from the relay's send of the first keyframe")


async def main(seconds: float) -> None:
    from commandcenter.config.schema import FeedSection
    from commandcenter.feeds.cameras import CameraFeed
    from commandcenter.feeds.transport import make_client
    from commandcenter.services.cameras import CameraDirectory
    from commandcenter.sim import run_in_thread

    from common import build_wall, wall_config
    from wall_paint import live_city

    note(f"video: load average {load_average()}")
    window, _missing = build_wall(live_city(import_services(), utcnow()), wall_config())
    emit_paint("video_0_wall_4k_paint_ms", await wall_paint(window, 10), "the same wall without video, for comparison")
    sim = run_in_thread(profile="street", seed=1, history_hours=0.1, hd_cameras=HD_CAMERAS,
                        video_always_on=ALWAYS_ON, video_idle_s=2.0)
    try:
        async with make_client() as client:
            directory = CameraDirectory([CameraFeed(FeedSection(
                name="cams", kind="cameras", url=sim.url, media_allow_networks=["127.0.0.1/32"]), client)])
            await directory.refresh()
            await asyncio.sleep(3.0)                  # the always-on cameras are streaming
            for n in (4, 9):
                note(f"video: {n} tiles")
                await measure(n, seconds, directory, window)
            note("video: clicks on streaming cameras, cold cameras and over RTSP")
            await warm_clicks(directory)
            await cold_clicks(directory, sim)
            await rtsp_clicks(directory, sim)
    finally:
        sim.stop()


if __name__ == "__main__":
    args = parser(__doc__ or "").parse_args()
    import qasync

    from common import app

    qapp = app()
    loop = qasync.QEventLoop(qapp)
    asyncio.set_event_loop(loop)
    loop.run_until_complete(main(8.0 if args.quick else 20.0))
    sys.stdout.flush()
    os._exit(0)     # the figures are out; kept players' FFmpeg threads must not hold the process at exit
