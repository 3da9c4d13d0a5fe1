"""soak_rss_growth_pct: RSS growth of the real wall over a soak at 100 events/s, pages rotating, alerts acknowledged.

The simulator (own process) sends 100 incident messages/s (1 in 5 a new incident, the rest the next status
of an open one, so the open set stays about constant while closed ones accumulate in history) and a new
alert every 5 s. The wall is `WallApp` as `commandcenter run` makes it (SSE feed, SQLite store, 3840×2160)
with a second page added; every 10 s it shows the other page, and every live alert gets acknowledged
through the wall's AlertActions (recorded in the store). RSS (after gc.collect()) is sampled every 10 s;
growth = last sample against the sample at 20 % of the run (start-up done by then).

Beside RSS each sample takes SQLite's own heap (sqlite3_memory_used(): its page caches, bounded by each
connection's cache_size) and Python's allocated blocks, so the detail says how much of the growth is SQLite's
caches filling up to their bound and how much is everything else, and the growth rate over the last third
(a leak keeps its slope; a cache filling up flattens).
"""
from __future__ import annotations

import asyncio
import tempfile
import time
from pathlib import Path

from common import SimProcess, app, emit, note, parser, qasync_loop, rss_mb, sse_feed, wall_config


def sqlite_mb() -> float:
    """SQLite's heap in this process (the _sqlite3 module links the system libsqlite3); NaN where it does not."""
    import ctypes
    import ctypes.util

    try:
        lib = ctypes.CDLL(ctypes.util.find_library("sqlite3") or "libsqlite3.so.0")
        lib.sqlite3_memory_used.restype = ctypes.c_int64
        return lib.sqlite3_memory_used() / 1e6
    except (OSError, AttributeError):
        return float("nan")


def main() -> None:
    a = parser(__doc__)
    a.add_argument("--minutes", type=float, default=30.0)
    a.add_argument("--rate", type=float, default=100.0)
    args = a.parse_args()
    seconds = args.minutes * 60
    sim = SimProcess(rate=args.rate, duration=seconds, soak=True)
    config = wall_config([sse_feed(sim.url)])
    second = config.pages[0].model_copy(update={"name": "第二页"})
    config = config.model_copy(update={"pages": [config.pages[0], second]})
    qapp = app(config)
    loop = qasync_loop(qapp)
    tmp = tempfile.TemporaryDirectory(prefix="bench-soak-")
    samples: list[tuple[float, float]] = []
    sq: list[float] = []
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
            await asyncio.sleep(0.5)
        samples.append((time.monotonic() - t0, rss_mb()))
        sq.append(sqlite_mb())
        info["incidents"] = len(wall.live.incidents)
        info["received"] = sum(getattr(f, "received", 0) for f in wall.pipeline.feeds)
        await wall.stop()

    with loop:
        loop.run_until_complete(run())
    done = sim.wait_done(5)
    sim.close()
    base_t = 0.2 * seconds
    i_base = next((i for i, (t, _) in enumerate(samples) if t >= base_t), 0)
    base, last = samples[i_base][1], samples[-1][1]
    growth = (last - base) / base * 100.0
    sqlite_growth = sq[-1] - sq[i_base]
    i_third = next((i for i, (t, _) in enumerate(samples) if t >= seconds * 2 / 3), i_base)
    t3, r3 = samples[i_third]
    slope = (last - r3) / base * 100.0 / max(samples[-1][0] - t3, 1.0) * 3600.0
    note(f"soak: rss samples {[round(r) for _, r in samples]}; sqlite {[round(m) for m in sq]}; {info}; sim {done}")
    emit("soak_rss_growth_pct", growth, "%", 5.0, minutes=args.minutes, growth_mb=last - base, rss_base_mb=base,
         rss_last_mb=last, sqlite_growth_mb=round(sqlite_growth, 1),
         other_growth_mb=round(last - base - sqlite_growth, 1), last_third_pct_per_h=round(slope, 2),
         rotations=info["rotations"], acks=info["acks"], ack_errors=info["ack_errors"],
         live_incidents=info.get("incidents"), received=info.get("received"), sent=done.get("sent"))


if __name__ == "__main__":
    main()
