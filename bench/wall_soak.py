"""soak_rss_growth_pct: RSS growth of the real wall over a soak at 100 events/s, pages rotating, alerts acknowledged.

The simulator (own process) sends 100 incident messages/s (1 in 5 a new incident, the rest the next status
of an open one, so the open set stays about constant while closed ones accumulate in history) and a new
alert every 5 s. The wall is `WallApp` as `commandcenter run` makes it (SSE feed, SQLite store, 3840×2160)
with a second page added; every 10 s it shows the other page, and every live alert gets acknowledged
through the wall's AlertActions (recorded in the store). RSS (after gc.collect()) is sampled every 10 s.

Warm-up, then `--minutes` measured: the wall's memory is bounded by design, and its bounded caches fill first
(SQLite's page caches up to the process-wide soft heap limit, store/memory.py; the live state's 5,000 ended
incidents; the feeds' version map; the store's time-text cache), so the first `--warmup` minutes (default 10,
a third of `--minutes` when that is shorter) run the same load unmeasured, and the growth is the last sample
against the sample at the end of the warm-up: `--minutes` of steady state after it, not inside it. (Until
2026-11-23 17:50 UTC the baseline was the sample at 20 % of a run of `--minutes`: 24 of 30 minutes measured,
starting while the caches were still filling.)

Beside RSS each sample takes SQLite's own heap (sqlite3_memory_used()), glibc malloc's bytes in use and Python's
allocated blocks, so the detail says how much of the growth is SQLite's, how much the native heap and how much
Python objects, and the growth rate over the last third (a leak keeps its slope; a cache filling up flattens).
`--tracemalloc` prints the source lines whose Python allocations grew most (a diagnosis run: it slows the wall).
"""
from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from pathlib import Path

from common import SimProcess, app, emit, note, parser, qasync_loop, rss_mb, sse_feed, wall_config


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


def main() -> None:
    a = parser(__doc__)
    a.add_argument("--minutes", type=float, default=30.0, help="measured minutes, after the warm-up")
    a.add_argument("--warmup", type=float, default=None,
                   help="unmeasured minutes first (default 10, or a third of --minutes when that is shorter)")
    a.add_argument("--rate", type=float, default=100.0)
    a.add_argument("--tracemalloc", action="store_true",
                   help="diagnosis: trace Python allocations, print the lines that grew most from baseline to end "
                        "(slows the wall down: its figure is not the soak figure)")
    a.add_argument("--trace-from", type=float, default=None,
                   help="minute of the tracemalloc baseline snapshot (default: the RSS baseline's)")
    args = a.parse_args()
    warmup = min(10.0, args.minutes / 3) if args.warmup is None else args.warmup
    if args.tracemalloc:
        import tracemalloc

        tracemalloc.start(1)
    seconds = (warmup + args.minutes) * 60
    base_t = warmup * 60
    sim = SimProcess(rate=args.rate, duration=seconds, soak=True)
    config = wall_config([sse_feed(sim.url)])
    second = config.pages[0].model_copy(update={"name": "第二页"})
    config = config.model_copy(update={"pages": [config.pages[0], second]})
    qapp = app(config)
    loop = qasync_loop(qapp)
    tmp = tempfile.TemporaryDirectory(prefix="bench-soak-")
    samples: list[tuple[float, float]] = []
    sq: list[float] = []
    heap: list[tuple[float, int]] = []   # (malloc in-use MB, Python allocated blocks)
    snaps: list = []
    info: dict = {"rotations": 0, "acks": 0, "ack_errors": 0}

    async def run() -> None:
        from commandcenter.ui.app import WallApp

        wall = WallApp(config, f"sqlite:///{Path(tmp.name) / 'soak.db'}")
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
                samples.append((elapsed, rss_mb()))
                sq.append(sqlite_mb())
                heap.append((malloc_mb(), sys.getallocatedblocks()))
                trace_from = base_t if args.trace_from is None else args.trace_from * 60
                if args.tracemalloc and not snaps and elapsed >= trace_from:
                    snaps.append(tracemalloc.take_snapshot())
            await asyncio.sleep(0.5)
        samples.append((time.monotonic() - t0, rss_mb()))
        sq.append(sqlite_mb())
        heap.append((malloc_mb(), sys.getallocatedblocks()))
        if snaps:
            note("soak: Python allocations grown from baseline to end:\n  " +
                 "\n  ".join(trace_top(snaps[0], tracemalloc.take_snapshot())))
        info["incidents"] = len(wall.live.incidents)
        info["received"] = sum(getattr(f, "received", 0) for f in wall.pipeline.feeds)
        await wall.stop()

    with loop:
        loop.run_until_complete(run())
    done = sim.wait_done(5)
    sim.close()
    i_base = next((i for i, (t, _) in enumerate(samples) if t >= base_t), 0)
    base, last = samples[i_base][1], samples[-1][1]
    growth = (last - base) / base * 100.0
    sqlite_growth = sq[-1] - sq[i_base]
    i_third = next((i for i, (t, _) in enumerate(samples) if t >= base_t + (seconds - base_t) * 2 / 3), i_base)
    t3, r3 = samples[i_third]
    slope = (last - r3) / base * 100.0 / max(samples[-1][0] - t3, 1.0) * 3600.0
    note(f"soak: rss samples {[round(r) for _, r in samples]}; sqlite {[round(m) for m in sq]}; "
         f"malloc in use {[round(m) for m, _ in heap]}; python blocks (k) {[b // 1000 for _, b in heap]}; "
         f"{info}; sim {done}")
    emit("soak_rss_growth_pct", growth, "%", 5.0, minutes=args.minutes, warmup_minutes=round(warmup, 2),
         sqlite_base_mb=round(sq[i_base], 1), sqlite_last_mb=round(sq[-1], 1), growth_mb=last - base,
         rss_base_mb=base,
         rss_last_mb=last, sqlite_growth_mb=round(sqlite_growth, 1),
         other_growth_mb=round(last - base - sqlite_growth, 1),
         malloc_growth_mb=round(heap[-1][0] - heap[i_base][0], 1),
         python_blocks_growth=heap[-1][1] - heap[i_base][1], last_third_pct_per_h=round(slope, 2),
         rotations=info["rotations"], acks=info["acks"], ack_errors=info["ack_errors"],
         live_incidents=info.get("incidents"), received=info.get("received"), sent=done.get("sent"))


if __name__ == "__main__":
    main()
