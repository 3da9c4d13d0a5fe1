"""event_to_pixel_p50_ms / event_to_pixel_p99_ms: simulator publish (`sent_at`) → row painted on the wall.

The simulator runs in its own process and publishes 200 incidents/s over SSE; every 10th is an emergency
(those sort to the top of the incident table, so every one of them must reach the screen; the other 90%
are load). The wall is the real one (feed → SQLite store on its thread → live state → table model →
3840×2160 window under qasync). A wrapper around the incident view's paintEvent records, after Qt painted,
the wall-clock time each emergency id first appears inside the viewport. Latency = that time − sent_at.
Emergencies never painted are reported as `missed`. A burst brings more emergencies than the table's rows: the
ones it does not show are counted on the tile's bar (另有 N 起突发事件未显示). At the end, `emergencies_shown` (painted
on a row at least once or on a row now), `emergencies_counted` (in the bar's count, never painted) and
`emergencies_unaccounted` (neither: lost off the screen; must be 0) say where every tracked emergency went.

Where the time goes: a `StageTrace` on the pipeline stamps each emergency at every stage of its path (SSE read →
decode on the feed thread → batch handed to the sink → store transaction on the store thread → taken by the GUI's
event loop → live state), the incident model's flushes and the view's paints are stamped here; the per-stage
p50/p99 go to stderr and into the p50 line (`stages`), with how often the model flushed and the view painted.
The p99 is made of the slowest records, not of the stages' medians: `tail_stages` is each stage's mean over the
slowest 5 %, and `loop_late_*` how late a 16 ms timer on the GUI thread fired (the loop held or not scheduled).

By default the wall is the one `commandcenter run` makes on SQLite: the feeds run in its recorder child (started as
`run` starts it) and the wall follows the store; the stages this process sees are then the child's commit (its
time in the commit log), the live state, the flush and the paint, and the child's CPU is reported beside this
process's threads (`recorder_child`). `--in-process` measures the old pipeline in one process.

`--sensors N` measures the same while N city sensors report every 10 s over MQTT beside it (issue 22: the wall's
figures while 10,000 sensors stream): mosquitto on a free loopback port, the devices published from a process of
their own (`wall_sensors.py --publish`), an mqtt feed, and a first page of incidents, the sensors tile and the map
with its device layer. The figures are named `sensors_event_to_pixel_*`.

`--video N` measures the same while a video tile of N cameras (640×360 at 25 fps, the simulator's, its encoders
started by the tile) plays on the wall's first page beside the incidents and the map (issue 21: the wall's other
figures while video plays). The figures are named `video_N_event_to_pixel_*`, with the frames per second the tile
showed while the events streamed.
"""
from __future__ import annotations

from itertools import pairwise
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import (FOLLOW_STAGES, Heartbeat, PaintProbe, SimProcess, FollowingPipeline, add_mode_option, app,
                    build_wall, emit, feed_live, import_services, incident_views, mode_name, note, parser, percentile,
                    qasync_loop, sse_feed, wait_for, wall_config, FRAME_MS)

HERE = Path(__file__).resolve().parent

#: The stages after the ingest pipeline's own (`commandcenter.feeds.trace.STAGES`), stamped by this script.
WALL_STAGES = ("flushed", "painted")


def watch_flushes(model) -> list[float]:
    """perf_counter at the end of every flush of the incident model (its timer's and direct calls)."""
    ends: list[float] = []
    original = model.flush

    def flush() -> None:
        original()
        ends.append(time.perf_counter())

    model.flush = flush
    return ends


def path_stages(in_process: bool) -> tuple[str, ...]:
    """The stamped stages of a record's path in this process: the pipeline's own, or (follow mode) the child's
    commit and the live state."""
    from commandcenter.feeds.trace import STAGES

    return ("sent",) + (STAGES if in_process else FOLLOW_STAGES) + WALL_STAGES


def stage_table(trace, flush_ends: list[float], probe, sent_at: dict[str, float], clock_offset: float,
                order: tuple[str, ...]) -> dict:
    """{"a→b": (p50 ms, p99 ms, n)} along the whole path: publish → … → live state → model flush → paint."""
    import bisect

    for rid, marks in trace.stamps.items():
        if rid in sent_at:
            marks["sent"] = sent_at[rid] - clock_offset            # the sim's wall clock on our perf_counter
        if "live" in marks:
            k = bisect.bisect_left(flush_ends, marks["live"])
            if k < len(flush_ends):
                marks["flushed"] = flush_ends[k]
        if rid in probe.first_painted:
            marks["painted"] = probe.first_painted[rid]
    table = {}
    for pair, values in trace.deltas(order).items():
        if values:
            table[pair] = (round(percentile(values, 50), 1), round(percentile(values, 99), 1), len(values))
    return table


def thread_cpu_s() -> dict[str, float]:
    """CPU seconds (user + system) each live Python thread of this process has used, by thread name (from
    /proc: the GUI thread, the feed thread, the store thread...)."""
    import os
    import threading

    tick = os.sysconf("SC_CLK_TCK")
    out: dict[str, float] = {}
    for t in threading.enumerate():
        try:
            with open(f"/proc/self/task/{t.native_id}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except (OSError, TypeError):
            continue
        name = "gui" if t is threading.main_thread() else t.name.split("_")[0]
        out[name] = out.get(name, 0.0) + (int(fields[11]) + int(fields[12])) / tick
    return out


def process_cpu_s(pid: int | None) -> float:
    """CPU seconds (user + system) process `pid` has used (0 when there is none)."""
    if pid is None:
        return 0.0
    try:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def tail_breakdown(trace, latency_ms: dict[str, float], order: tuple[str, ...], share: float = 0.05) -> dict:
    """Where the slowest `share` of the tracked records spent their time: {"a→b": mean ms} over those records
    (stage_table must have stamped them first). The p99 is made of these records, not of the medians."""
    slow = sorted(latency_ms, key=latency_ms.get, reverse=True)[:max(1, int(len(latency_ms) * share))]
    sums: dict[str, list[float]] = {}
    for rid in slow:
        marks = trace.stamps.get(rid, {})
        for a, b in pairwise(order):
            if a in marks and b in marks:
                sums.setdefault(f"{a}→{b}", []).append((marks[b] - marks[a]) * 1000.0)
    return {pair: round(sum(v) / len(v), 1) for pair, v in sums.items()}


def main() -> None:
    a = parser(__doc__)
    a.add_argument("--rate", type=float, default=200.0)
    a.add_argument("--seconds", type=float, default=None)
    a.add_argument("--sensors", type=int, default=0, help="city sensors reporting every 10 s beside the stream")
    a.add_argument("--video", type=int, default=0, choices=(0, 1, 4, 9),
                   help="a video tile of this many cameras playing on the wall beside the stream")
    add_mode_option(a)
    args = a.parse_args()
    mode = mode_name(args.in_process)
    seconds = args.seconds or (10.0 if args.quick else 30.0)
    every = 10
    services = import_services()
    from commandcenter.feeds import StageTrace
    from commandcenter.store import Store

    sim = SimProcess(rate=args.rate, duration=seconds, emergency_every=every, prefix="ev")
    sensors = SensorStream(args.sensors, seconds + 15) if args.sensors else None
    config = wall_config([sse_feed(sim.url)] + ([sensors.feed] if sensors else []))
    if sensors:
        config = sensors.page_first(config)
    if args.video:
        config = video_page_first(config, args.video)
    qapp = app(config)
    loop = qasync_loop(qapp)
    tmp = tempfile.TemporaryDirectory(prefix="bench-latency-")
    result: dict = {}

    async def run() -> None:
        store = await loop.run_in_executor(None, Store.open, f"sqlite:///{Path(tmp.name) / 'wall.db'}")
        live = services.LiveState()
        pipeline = (services.IngestPipeline(config, store, live) if args.in_process
                    else FollowingPipeline(config, store, live, Path(tmp.name)))
        wanted = lambda rid: rid.startswith("ev-") and int(rid.rsplit("-", 1)[1]) % every == 0  # noqa: E731
        pipeline.trace = StageTrace(wanted)
        await pipeline.load_initial_state()
        cameras, camera_client = await camera_directory(sim.url) if args.video else (None, None)
        window, missing_tiles = build_wall(live, config, cameras=cameras)
        views = incident_views(window)
        probe = PaintProbe(views[0], wanted=wanted)
        flush_ends = watch_flushes(views[0].model())
        await pipeline.start()
        # wait for the stream to be connected and the wall idle
        if args.in_process:
            for _ in range(100):
                await asyncio.sleep(0.05)
                if pipeline.feeds and getattr(pipeline.feeds[0], "connects", 1):
                    break
        elif not await wait_for(lambda: feed_live(live, "city"), timeout=60):
            raise RuntimeError("the recorder child's feed did not connect")
        if sensors:                 # the fleet's first cycle (every device new to the wall) before the stream
            if args.in_process:
                await wait_for(lambda: any(getattr(f, "broker_up", False) for f in pipeline.feeds), 20)
            else:
                await wait_for(lambda: feed_live(live, "sensors"), 60)
            sensors.start()
            await wait_for(lambda: len(live.sensors) >= args.sensors * 0.99, timeout=30.0, step=0.2)
        video = next((t for t in window.tiles() if t.kind == "video"), None)
        if video is not None:
            from commandcenter.ui.video import PlayState

            if not await wait_for(lambda: all(p.state is PlayState.PLAYING for p in video.players), timeout=60):
                raise RuntimeError(f"the video tile did not play: {[p.state.value for p in video.players]}")
            await asyncio.sleep(3.0)                  # past the players' start-up
        await asyncio.sleep(1.0)
        frames0 = [p.frames for p in video.players] if video is not None else []
        beat = Heartbeat(interval_ms=16)
        beat.start()
        go_at = time.perf_counter()
        cpu0 = (time.process_time(), time.thread_time())
        threads0 = thread_cpu_s()
        child = None if args.in_process else pipeline.recorder.pid
        child0 = process_cpu_s(child)
        sim.go()
        done = await loop.run_in_executor(None, sim.wait_done, seconds + 30)
        cpu1 = (time.process_time(), time.thread_time())
        threads1 = thread_cpu_s()
        child1 = process_cpu_s(child)
        stream_s = time.perf_counter() - go_at
        beat.stop()
        video_fps = [(p.frames - f0) / stream_s for p, f0 in zip(video.players, frames0, strict=True)] \
            if video is not None else []
        # the last events: every one sent in the live state (not a fixed wait), then a flush and a paint
        await wait_for(lambda: len(live.incidents) >= done.get("sent", 0), timeout=10.0, step=0.05)
        await asyncio.sleep(0.5)
        tile = next(t for t in window.tiles() if getattr(t, "view", None) is views[0])
        first, last = tile.shown_rows()
        on_rows = {tile.model.incident_at(r).id for r in range(first, last)}
        counted = set(tile.unseen_emergency_ids())
        if video is not None:
            video.stop()
        if camera_client is not None:
            await camera_client.aclose()
        await pipeline.close()
        store.close()
        window.close()
        sent = done.get("sent", 0)
        thread_cpu = {k: round((v - threads0.get(k, 0.0)) * 1000 / stream_s) for k, v in threads1.items()}
        if child is not None:
            thread_cpu["recorder_child"] = round((child1 - child0) * 1000 / stream_s)
        result.update(sent=sent, sent_at=done.get("sent_at", {}), probe=probe, missing_tiles=missing_tiles,
                      received=len(live.incidents), trace=pipeline.trace, flush_ends=flush_ends,
                      on_rows=on_rows, counted=counted, bar_text=tile.unseen_bar.text(),
                      batches=pipeline.batches_applied, go_at=go_at, end_at=time.perf_counter(),
                      cpu_ms_per_s=(cpu1[0] - cpu0[0]) * 1000 / stream_s,
                      gui_cpu_ms_per_s=(cpu1[1] - cpu0[1]) * 1000 / stream_s, loop_late=list(beat.lateness),
                      thread_cpu=thread_cpu, video_fps=video_fps)

    try:
        with loop:
            loop.run_until_complete(run())
    finally:
        if sensors:
            sensors.close()
    sim.close()
    probe = result["probe"]
    sent_at = result["sent_at"]
    lat = [(probe.first_painted_wall[i] - t) * 1000.0 for i, t in sent_at.items() if i in probe.first_painted_wall]
    missed = len(sent_at) - len(lat)
    painted = set(probe.first_painted_wall)
    shown = {i for i in sent_at if i in painted or i in result["on_rows"]}
    counted = {i for i in sent_at if i in result["counted"] and i not in shown}
    unaccounted = len(sent_at) - len(shown) - len(counted)
    note(f"emergencies tracked {len(sent_at)}: shown on a row {len(shown)}, counted on the bar {len(counted)}, "
         f"unaccounted {unaccounted}; the bar at the end: {result['bar_text']!r}")
    span = result["end_at"] - result["go_at"]
    flushes = sum(1 for t in result["flush_ends"] if t >= result["go_at"])
    order = path_stages(args.in_process)
    stages = stage_table(result["trace"], result["flush_ends"], probe, sent_at, time.time() - time.perf_counter(), order)
    note(f"mode {mode}: emergencies sent {len(sent_at)}, painted {len(lat)}, paints {probe.paints} "
         f"({probe.paints / span:.1f}/s), model flushes {flushes / span:.1f}/s, store batches "
         f"{result['batches']}, view paint p50 {percentile(probe.paint_ms, 50):.1f} ms; CPU while streaming "
         f"{result['cpu_ms_per_s']:.0f} ms/s (GUI thread {result['gui_cpu_ms_per_s']:.0f} ms/s); a 16 ms GUI timer late "
         f"p50 {percentile(result['loop_late'], 50):.1f} / p99 {percentile(result['loop_late'], 99):.1f} / max "
         f"{max(result['loop_late'], default=0):.1f} ms; CPU ms/s by thread {result['thread_cpu']}")
    tail = tail_breakdown(result["trace"], {i: (probe.first_painted_wall[i] - t) * 1000.0 for i, t in sent_at.items()
                                            if i in probe.first_painted_wall}, order)
    for pair, (p50, p99, n) in stages.items():
        note(f"  {pair:<26} p50 {p50:8.1f} ms   p99 {p99:8.1f} ms   (n={n})   slowest 5 %: mean {tail.get(pair, 0):7.1f} ms")
    common = dict(rate_per_s=args.rate, seconds=seconds, tracked=len(sent_at), missed=missed,
                  emergencies_shown=len(shown), emergencies_counted=len(counted),
                  emergencies_unaccounted=unaccounted,
                  received=result["received"], missing_tiles=result["missing_tiles"], mode=mode)
    prefix = ""
    if sensors:
        prefix = "sensors_"
        common.update(sensors=args.sensors, sensor_msgs_per_s=args.sensors / 10.0)
    if args.video:
        prefix = f"video_{args.video}_"
        fps = result["video_fps"]
        common.update(video_tiles=args.video, video_fps_min=min(fps), video_fps_median=percentile(fps, 50))
    emit(f"{prefix}event_to_pixel_p50_ms", percentile(lat, 50) if lat else None, "ms", 100.0, floor=FRAME_MS,
         stages={k: v[:2] for k, v in stages.items()}, tail_stages=tail, paints_per_s=probe.paints / span,
         flushes_per_s=flushes / span, cpu_ms_per_s=result["cpu_ms_per_s"],
         gui_cpu_ms_per_s=result["gui_cpu_ms_per_s"], thread_cpu_ms_per_s=result["thread_cpu"],
         loop_late_p99_ms=percentile(result["loop_late"], 99),
         loop_late_max_ms=max(result["loop_late"], default=None), **common)
    emit(f"{prefix}event_to_pixel_p99_ms", percentile(lat, 99) if lat and not missed else None, "ms", 100.0,
         floor=FRAME_MS, max_ms=max(lat, default=None), **common)


def video_page_first(config, slots: int):  # type: ignore[no-untyped-def]
    """The default first page with a video tile of `slots` cameras under the map, beside the incidents."""
    from commandcenter.config.schema import TileSection

    first = config.pages[0]
    tiles = []
    for tile in first.tiles:
        if tile.kind == "map":
            tile = tile.model_copy(update={"row_span": tile.row_span // 2})
        tiles.append(tile)
    map_tile = next(t for t in tiles if t.kind == "map")
    tiles.append(TileSection(kind="video", title="视频", slots=slots,
                             cameras=[f"CAM{i:03d}" for i in range(1, slots + 1)],
                             row=map_tile.row + map_tile.row_span, column=map_tile.column,
                             row_span=first.rows - map_tile.row - map_tile.row_span,
                             column_span=map_tile.column_span))
    return config.model_copy(update={"pages": [first.model_copy(update={"tiles": tiles}), *config.pages[1:]]})


async def camera_directory(url: str):  # type: ignore[no-untyped-def]
    """The simulator's camera catalogue, read once (the video tile asks it for preview URLs), and its client."""
    from commandcenter.config.schema import FeedSection
    from commandcenter.feeds.cameras import CameraFeed
    from commandcenter.feeds.transport import make_client
    from commandcenter.services.cameras import CameraDirectory

    client = make_client()
    directory = CameraDirectory([CameraFeed(FeedSection(name="cameras", kind="cameras", url=url,
                                                        media_allow_networks=["127.0.0.1/32"]), client)])
    await directory.refresh()
    return directory, client


class SensorStream:
    """`count` city sensors every 10 s through a real mosquitto: the broker, the wall's mqtt feed section and the
    publisher process (started by `start`)."""

    def __init__(self, count: int, seconds: float) -> None:
        from commandcenter.sim.broker import Broker

        self.count, self.seconds = count, seconds
        self.broker = Broker().start()
        self.feed = {"name": "sensors", "kind": "mqtt", "url": self.broker.url, "client_id": "bench-latency"}
        self.publisher: subprocess.Popen[str] | None = None

    @staticmethod
    def page_first(config):  # type: ignore[no-untyped-def]
        """A first page of the incidents (the probe's), the sensors tile and the map with its device layer."""
        from commandcenter.config.schema import PageSection, TileSection

        page = PageSection(name="事件与感知", rows=1, columns=3, tiles=[
            TileSection(kind="incidents", row=0, column=0), TileSection(kind="sensors", row=0, column=1),
            TileSection(kind="map", row=0, column=2)])
        return config.model_copy(update={"pages": [page, *config.pages]})

    def start(self) -> None:
        env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(HERE), str(HERE.parent)]))
        self.publisher = subprocess.Popen([sys.executable, str(HERE / "wall_sensors.py"), "--publish", self.broker.url,
                                           str(self.count), "10", str(self.seconds)],
                                          stdout=subprocess.DEVNULL, text=True, env=env)

    def close(self) -> None:
        if self.publisher is not None and self.publisher.poll() is None:
            self.publisher.terminate()
            self.publisher.wait(10)
        self.broker.close()


if __name__ == "__main__":
    main()
