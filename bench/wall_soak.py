"""soak_rss_growth_pct: RSS growth of the real wall over a soak at 100 events/s, pages rotating, alerts acknowledged.

The simulator (own process) sends 100 incident messages/s (1 in 5 a new incident, the rest the next status
of an open one, so the open set stays about constant while closed ones accumulate in history) and a new
alert every 5 s. The wall is `WallApp` as `commandcenter run` makes it (SSE feed, SQLite store, 3840×2160)
with a second page added; every 10 s it shows the other page, and every live alert gets acknowledged
through the wall's AlertActions (recorded in the store). RSS (after gc.collect()) is sampled every 10 s.

Three windows of ended incidents: the wall keeps ended incidents and warnings `[wall] keep_ended_minutes` after
they end, so its live state fills for one window and then stays level. The soak sets that window (`--window`,
default `--minutes`) and runs `--warmup` (default two windows) unmeasured and then `--minutes` measured (default
one window): a 30-minute window gives a 90-minute run whose last 30 minutes are the figure, long after every
bounded cache (SQLite's page caches up to the process-wide soft heap limit, store/memory.py; the live state's
window and its 5,000 ended incidents; the feeds' version map; the store's time-text cache) has filled. The growth
is the last sample against the sample at the start of the last `--minutes`; beside it the measured part's peak and
mean RSS against those of as long a stretch before it (RSS is a sawtooth where a cache clears when full).

Where any growth is: every sample takes RSS, SQLite's own heap (sqlite3_memory_used()) and the store's files
(database + WAL), glibc malloc's bytes in use (mallinfo2), Python's allocated blocks, the QObjects the
application holds, and the live state's incidents and warnings; at the start of the measured part and at the end
the Python objects are counted by type (gc), and the line names the types that grew most. The growth rate over
the last third says whether it keeps its slope (a leak) or flattens (a cache filling up).
`--follow`: the wall as `commandcenter run` makes it on one machine when it follows the store: a recorder child
process (`commandcenter record`) runs the feed into the store and the wall only shows what the store announces;
the recorder's RSS is sampled beside the wall's (the figure is the wall's).
`--tracemalloc` prints the source lines whose Python allocations grew most (a diagnosis run: it slows the wall).
"""
from __future__ import annotations

import asyncio
import gc
import os
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from common import SimProcess, app, emit, note, parser, qasync_loop, rss_mb, sse_feed, wall_config


def pid_rss_mb(pid: int | None) -> float:
    """Resident set size of process `pid` in MB; 0 when it is not running."""
    try:
        with open(f"/proc/{pid}/statm") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6
    except (OSError, TypeError, ValueError):
        return 0.0


def sqlite_mb() -> float:
    """SQLite's heap in this process in MB; NaN where the sqlite3 module's SQLite is not reachable."""
    from commandcenter.store.memory import sqlite_heap_bytes

    used = sqlite_heap_bytes()
    return float("nan") if used is None else used / 1e6


def malloc_mb() -> float:
    """Bytes glibc malloc has handed out and not had back (mallinfo2().uordblks + hblkhd), in MB: the native heap
    in use (Qt, SQLite, Python's arenas), as against RSS, which also holds free-but-kept arena pages."""
    import ctypes

    class MallInfo2(ctypes.Structure):
        _fields_ = [(n, ctypes.c_size_t) for n in ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks",
                                                   "fsmblks", "uordblks", "fordblks", "keepcost")]

    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.mallinfo2.restype = MallInfo2
        mi = libc.mallinfo2()
        return (mi.uordblks + mi.hblkhd) / 1e6
    except (OSError, AttributeError):
        return float("nan")


def trace_top(before, after, limit: int = 25) -> list[str]:
    """The `limit` source lines whose Python allocations grew most between two tracemalloc snapshots."""
    stats = after.compare_to(before, "lineno")
    return [f"{s.size_diff / 1e6:+.2f} MB {s.count_diff:+d} blocks {s.traceback[0]}" for s in stats[:limit]]


def files_mb(db: Path) -> float:
    """The store's files on disk (database, WAL, shared memory) in MB."""
    return sum(p.stat().st_size for p in db.parent.glob(db.name + "*")) / 1e6


def qobject_count(qapp, owners=()) -> int:
    """The QObjects the application holds: its own children, every top-level widget with its descendants, and
    the descendants of `owners` (the wall's service owner)."""
    from PySide6.QtCore import QObject

    roots = [qapp, *owners]
    n = sum(len(r.findChildren(QObject)) for r in roots)
    return n + sum(1 + len(w.findChildren(QObject)) for w in qapp.topLevelWidgets())


def types_by_count() -> Counter[str]:
    """Python objects the garbage collector tracks, counted by type (module-qualified)."""
    gc.collect()
    return Counter(f"{type(o).__module__}.{type(o).__qualname__}" for o in gc.get_objects())


def grown_types(before: Counter[str], after: Counter[str], limit: int = 8) -> list[tuple[str, int]]:
    """The `limit` types whose object count grew most from `before` to `after`."""
    diff = Counter(after)
    diff.subtract(before)
    return [(t, n) for t, n in diff.most_common(limit) if n > 0]


@dataclass
class Sample:
    t: float              # seconds since the load started
    rss: float            # MB, after gc.collect()
    sqlite: float         # SQLite's heap, MB
    files: float          # the store's files, MB
    malloc: float         # glibc malloc in use, MB
    blocks: int           # Python's allocated blocks
    qobjects: int
    incidents: int        # in the live state (open and ended within the window)
    alerts: int
    recorder: float       # the recorder child's RSS in MB (--follow), else 0


def main() -> None:
    a = parser(__doc__)
    a.add_argument("--minutes", type=float, default=30.0, help="measured minutes, at the end of the run")
    a.add_argument("--window", type=int, default=None,
                   help="[wall] keep_ended_minutes of the soaked wall (default: --minutes)")
    a.add_argument("--warmup", type=float, default=None,
                   help="unmeasured minutes first (default two windows, so the run spans three)")
    a.add_argument("--rate", type=float, default=100.0)
    a.add_argument("--follow", action="store_true",
                   help="the wall follows the store, a recorder child process runs the feed (as `run` does)")
    a.add_argument("--tracemalloc", action="store_true",
                   help="diagnosis: trace Python allocations, print the lines that grew most from baseline to end "
                        "(slows the wall down: its figure is not the soak figure)")
    a.add_argument("--trace-from", type=float, default=None,
                   help="minute of the tracemalloc baseline snapshot (default: the RSS baseline's)")
    args = a.parse_args()
    window = args.window if args.window is not None else max(1, round(args.minutes))
    warmup = 2.0 * window if args.warmup is None else args.warmup
    if args.tracemalloc:
        import tracemalloc

        tracemalloc.start(1)
    seconds = (warmup + args.minutes) * 60
    base_t = warmup * 60
    sim = SimProcess(rate=args.rate, duration=seconds, soak=True)
    config = wall_config([sse_feed(sim.url)])
    second = config.pages[0].model_copy(update={"name": "第二页"})
    config = config.model_copy(update={"pages": [config.pages[0], second],
                                       "wall": config.wall.model_copy(update={"keep_ended_minutes": window})})
    tmp = tempfile.TemporaryDirectory(prefix="bench-soak-")
    db = Path(tmp.name) / "soak.db"
    recorder = None
    if args.follow:
        from commandcenter.config.writer import dump_toml
        from commandcenter.services.recorder_child import RecorderSupervisor, recorder_argv

        config = config.model_copy(update={"store": config.store.model_copy(update={"follow": True})})
        config_path = Path(tmp.name) / "soak.toml"
        config_path.write_text(dump_toml(config), encoding="utf-8")
        recorder = RecorderSupervisor(recorder_argv(config_path, f"sqlite:///{db}"))
    qapp = app(config)
    loop = qasync_loop(qapp)
    samples: list[Sample] = []
    types: list[Counter[str]] = []     # at the baseline and at the end
    snaps: list = []
    info: dict = {"rotations": 0, "acks": 0, "ack_errors": 0}

    async def run() -> None:
        from commandcenter.ui.app import WallApp

        wall = WallApp(config, f"sqlite:///{db}", recorder=recorder)
        orig = wall.build_window

        def build(page):
            w = orig(page)
            w.resize(3840, 2160)
            return w

        wall.build_window = build
        await wall.start(show=True)
        windows = list(getattr(wall, "windows", {}).values()) or [wall.window]
        for w in windows:
            w.resize(3840, 2160)

        def sample(elapsed: float) -> None:
            samples.append(Sample(elapsed, rss_mb(), sqlite_mb(), files_mb(db), malloc_mb(),
                                  sys.getallocatedblocks(), qobject_count(qapp, [wall._owner]),
                                  len(wall.live.incidents), len(wall.live.alerts),
                                  pid_rss_mb(recorder.pid) if recorder is not None else 0.0))

        await asyncio.sleep(1.0)
        sim.go()
        t0 = time.monotonic()
        next_sample = next_rotate = 0.0
        names = [p.name for p in config.pages]
        acked: set[str] = set()
        while (elapsed := time.monotonic() - t0) < seconds:
            if elapsed >= next_rotate:
                next_rotate += 10.0
                for w in windows:
                    stack = getattr(w, "body", None)
                    if stack is not None and hasattr(stack, "show_page"):
                        stack.show_page(names[info["rotations"] % len(names)])
                info["rotations"] += 1
            actions = getattr(wall, "alert_actions", None)
            now = wall.clock()
            for alert in wall.live.live_alerts(now):
                if alert.id not in acked and actions is not None:
                    acked.add(alert.id)
                    try:
                        await actions.acknowledge(alert.id, "bench", "soak")
                        info["acks"] += 1
                    except Exception as exc:  # noqa: BLE001
                        info["ack_errors"] += 1
                        info["ack_error"] = repr(exc)[:200]
            if elapsed >= next_sample:
                next_sample += 10.0
                sample(elapsed)
                if not types and elapsed >= base_t:
                    types.append(types_by_count())
                trace_from = base_t if args.trace_from is None else args.trace_from * 60
                if args.tracemalloc and not snaps and elapsed >= trace_from:
                    snaps.append(tracemalloc.take_snapshot())
            await asyncio.sleep(0.5)
        sample(time.monotonic() - t0)
        types.append(types_by_count())
        if snaps:
            note("soak: Python allocations grown from baseline to end:\n  " +
                 "\n  ".join(trace_top(snaps[0], tracemalloc.take_snapshot())))
        info["received"] = (wall.follower.received if wall.follower is not None
                            else sum(getattr(f, "received", 0) for f in wall.pipeline.feeds))
        if recorder is not None:
            info["recorder_restarts"] = recorder.status.restarts
        await wall.stop()

    with loop:
        loop.run_until_complete(run())
    done = sim.wait_done(5)
    sim.close()
    i_base = next((i for i, s in enumerate(samples) if s.t >= base_t), 0)
    b, e = samples[i_base], samples[-1]
    growth = (e.rss - b.rss) / b.rss * 100.0
    i_third = next((i for i, s in enumerate(samples) if s.t >= base_t + (seconds - base_t) * 2 / 3), i_base)
    t3 = samples[i_third]
    slope = (e.rss - t3.rss) / b.rss * 100.0 / max(e.t - t3.t, 1.0) * 3600.0
    # the caches that clear when full (the store's time-text cache) make RSS a sawtooth: the measured part's peak
    # and mean against those of as long a stretch just before it compare like with like
    before = [s.rss for s in samples if base_t - (e.t - b.t) <= s.t < base_t]
    measured = [s.rss for s in samples[i_base:]]
    peak_growth = (max(measured) - max(before)) / max(before) * 100.0 if before else float("nan")
    mean_growth = ((sum(measured) / len(measured)) / (sum(before) / len(before)) - 1) * 100.0 if before else float("nan")
    every_minute = samples[::6]
    note(f"soak: window {window} min, warm-up {warmup:g} min, measured {args.minutes:g} min; per minute: "
         f"rss {[round(s.rss) for s in every_minute]}; sqlite heap {[round(s.sqlite) for s in every_minute]}; "
         f"files {[round(s.files) for s in every_minute]}; malloc in use {[round(s.malloc) for s in every_minute]}; "
         f"python blocks (k) {[s.blocks // 1000 for s in every_minute]}; qobjects {[s.qobjects for s in every_minute]}; "
         f"live incidents {[s.incidents for s in every_minute]}; live alerts {[s.alerts for s in every_minute]}; "
         f"recorder rss {[round(s.recorder) for s in every_minute]}; "
         f"{info}; sim {done}")
    grown = grown_types(types[0], types[-1]) if len(types) == 2 else []
    note(f"soak: Python object types grown most over the measured part: {grown}")
    emit("soak_rss_growth_pct", growth, "%", 1.0, minutes=args.minutes, warmup_minutes=round(warmup, 2),
         window_minutes=window, follow=args.follow, rss_base_mb=round(b.rss, 1), rss_last_mb=round(e.rss, 1),
         growth_mb=round(e.rss - b.rss, 1),
         sqlite_base_mb=round(b.sqlite, 1), sqlite_last_mb=round(e.sqlite, 1),
         sqlite_growth_mb=round(e.sqlite - b.sqlite, 1), store_files_growth_mb=round(e.files - b.files, 1),
         malloc_growth_mb=round(e.malloc - b.malloc, 1), python_blocks_growth=e.blocks - b.blocks,
         qobjects_base=b.qobjects, qobjects_growth=e.qobjects - b.qobjects,
         python_types_grown=[f"{t} {n:+d}" for t, n in grown[:5]],
         live_incidents=(b.incidents, e.incidents), live_alerts=(b.alerts, e.alerts),
         last_third_pct_per_h=round(slope, 2), peak_growth_pct=round(peak_growth, 2),
         mean_growth_pct=round(mean_growth, 2),
         rotations=info["rotations"], acks=info["acks"], ack_errors=info["ack_errors"],
         received=info.get("received"), sent=done.get("sent"),
         recorder_rss_mb=(round(b.recorder, 1), round(e.recorder, 1)) if args.follow else None)


if __name__ == "__main__":
    main()
