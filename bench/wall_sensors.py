"""sensors_msgs_per_s / sensors_lost / sensors_loop_p99_ms: 10,000 city sensors every 10 s (1,000 MQTT messages/s)
into the real 4K wall, sustained.

mosquitto on a free loopback port; the simulator's devices (`commandcenter.sim.sensors`) published QoS 1 from a
process of their own, behaving as the simulator's city does: daily cycles and drift, devices faulting (readings beyond
their alarm lines, so the wall raises device alarms) and dropping out (silent for minutes, half of them with an
`offline` status); `--no-faults` for a stream of readings within their lines only. The wall is the real one (mqtt
feed on the feed thread → SQLite store on its thread → live state → the default config's 城市生命线 page shown at
3840×2160 under qasync: the sensors tile beside the map with its device layer). Measured: readings stored per second
of the stream (its time plus any catch-up after it), how late a 16 ms timer on the GUI thread fired (p99, max: the
wall's responsiveness), and at the end every reading the broker acknowledged must be in the store (`sensors_lost`,
target 0: a silent device's missing readings were never published, and status messages are not readings).

    python bench/wall_sensors.py                 # 2 minutes
    python bench/wall_sensors.py --minutes 10    # the issue's 10 minutes
    python bench/wall_sensors.py --quick         # 30 s (CI)
"""
from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from wall_latency import thread_cpu_s

from common import Heartbeat, app, build_wall, emit, import_services, note, parser, percentile, qasync_loop, \
    wait_for, wall_config

HERE = Path(__file__).resolve().parent


def publish_main(url: str, count: int, interval: float, seconds: float, faults: bool) -> None:
    """The publisher process: `count` devices every `interval` s for `seconds`, then its totals on stdout (the
    readings the broker acknowledged once the last in flight were)."""
    from commandcenter.sim.sensors import SensorPublisher, fleet
    from commandcenter.sim.territory import generate

    pub = SensorPublisher(url, fleet(generate("district", 1), count, 1), interval=interval, seed=1, faults=faults)
    pub.start()
    time.sleep(seconds)
    pub.stop()
    print(json.dumps({"published": pub.published, "accepted": pub.accepted, "faults": pub.faults_begun,
                      "dropouts": pub.dropouts_begun}), flush=True)


def stored_readings(store) -> int:  # type: ignore[no-untyped-def]
    from sqlalchemy import text

    with store.engine.connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM sensor_readings")).scalar() or 0)


def main() -> None:
    a = parser(__doc__)
    a.add_argument("--sensors", type=int, default=10_000)
    a.add_argument("--interval", type=float, default=10.0)
    a.add_argument("--minutes", type=float, default=None)
    a.add_argument("--no-faults", action="store_true", help="every device reporting within its lines, none silent")
    args = a.parse_args()
    seconds = (args.minutes * 60) if args.minutes else (30.0 if args.quick else 120.0)
    services = import_services()
    from commandcenter.sim.broker import Broker
    from commandcenter.store import Store

    broker = Broker().start()
    config = wall_config([{"name": "sensors", "kind": "mqtt", "url": broker.url, "client_id": "bench-wall"}])
    # the page the devices land on shown (the sensors tile beside the map with its device layer), not the overview
    lifeline = [p for p in config.pages if any(t.kind == "sensors" for t in p.tiles)]
    config = config.model_copy(update={"pages": lifeline + [p for p in config.pages if p not in lifeline]})
    qapp = app(config)
    loop = qasync_loop(qapp)
    tmp = tempfile.TemporaryDirectory(prefix="bench-sensors-")
    out: dict = {}

    async def run() -> None:
        store = await loop.run_in_executor(None, Store.open, f"sqlite:///{Path(tmp.name) / 'wall.db'}")
        live = services.LiveState()
        pipeline = services.IngestPipeline(config, store, live)
        await pipeline.load_initial_state()
        window, _ = build_wall(live, config)
        await pipeline.start()
        await wait_for(lambda: bool(pipeline.feeds) and getattr(pipeline.feeds[0], "broker_up", False), 20)
        await asyncio.sleep(1.0)
        env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(HERE), str(HERE.parent)]))
        pub = subprocess.Popen([sys.executable, str(Path(__file__).resolve()), "--publish", broker.url,
                                str(args.sensors), str(args.interval), str(seconds),
                                *(["steady"] if args.no_faults else [])],
                               stdout=subprocess.PIPE, text=True, env=env)
        note("publisher started")
        beat = Heartbeat(interval_ms=16)
        beat.start()
        t0 = time.perf_counter()
        n0 = await loop.run_in_executor(None, stored_readings, store)
        warm = min(20.0, seconds / 4)           # the fleet's first cycle: every device new to the wall
        await asyncio.sleep(warm)
        beat.lateness.clear()
        note("warm")
        n1, t1 = await loop.run_in_executor(None, stored_readings, store), time.perf_counter()
        threads1 = thread_cpu_s()
        while pub.poll() is None:
            await asyncio.sleep(0.5)
        n2, t2 = await loop.run_in_executor(None, stored_readings, store), time.perf_counter()
        threads2 = thread_cpu_s()
        beat.stop()
        note("stream ended")
        lateness = list(beat.lateness)
        totals = json.loads((pub.stdout.read() if pub.stdout else "") or "{}")
        accepted = totals.get("accepted", 0)        # lost: what the broker acknowledged and the store lacks
        drained_at = time.perf_counter()
        got = n2
        while got < accepted and time.perf_counter() - drained_at < 60:
            await asyncio.sleep(0.5)
            got = await loop.run_in_executor(None, stored_readings, store)
        catch_up = time.perf_counter() - drained_at if got > n2 else 0.0
        # sustained: every reading of the stream stored, over the stream's time plus any catch-up after it
        out.update(accepted=accepted, sent=totals.get("published"), faults=totals.get("faults"),
                   dropouts=totals.get("dropouts"), stored=got - n0, rate=(got - n0) / (seconds + catch_up),
                   window_rate=(n2 - n1) / (t2 - t1), catch_up_s=catch_up, p99=percentile(lateness, 99) if lateness else None, worst=max(lateness, default=0.0),
                   sensors=len(live.sensors), alarms=sum(1 for s in live.sensors.values() if s.level),
                   seconds=t2 - t0, rss_mb=_rss_mb(), load=os.getloadavg()[0],
                   # where the time goes, by thread (CPU ms per second of the stream after the warm-up)
                   thread_cpu_ms_per_s={k: round((v - threads1.get(k, 0.0)) * 1000 / (t2 - t1))
                                        for k, v in threads2.items()})
        await pipeline.close()
        await loop.run_in_executor(None, store.close)
        window.close()          # the last window: Qt quits, so nothing is awaited after it

    try:
        with loop:          # closing the loop ends its default executor's QThreads (run_in_executor(None, …))
            loop.run_until_complete(run())
    finally:
        broker.close()
        tmp.cleanup()
    note(f"sensors: {out}")
    # the stream's nominal rate, less the publisher's own pace (it publishes 99.9 % of nominal: phases in 50 ms ticks)
    target_rate = args.sensors / args.interval * 0.97
    emit("sensors_msgs_per_s", out.get("rate"), "msg/s", round(target_rate), better="higher",
         sensors=args.sensors, interval_s=args.interval, seconds=round(seconds), window_rate=out.get("window_rate"))
    emit("sensors_lost", out["accepted"] - out["stored"] if out else None, "readings", 0,
         accepted=out.get("accepted"), sent=out.get("sent"), stored=out.get("stored"),
         catch_up_s=out.get("catch_up_s"), faults=out.get("faults"), dropouts=out.get("dropouts"),
         alarms_at_end=out.get("alarms"))
    emit("sensors_loop_p99_ms", out.get("p99"), "ms", 100.0, max_ms=out.get("worst"), rss_mb=out.get("rss_mb"),
         load=out.get("load"), thread_cpu_ms_per_s=out.get("thread_cpu_ms_per_s"))


def _rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--publish":
        # wall_latency.py starts it too: the city's faults and dropouts unless "steady" follows
        publish_main(sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5]), sys.argv[6:7] != ["steady"])
    else:
        main()
