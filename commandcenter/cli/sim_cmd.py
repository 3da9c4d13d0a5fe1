"""`commandcenter sim`: the simulated city backend alone, until SIGINT/SIGTERM."""
from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from datetime import datetime

from .common import scenario_path


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("sim", help="serve the simulated city over the native feed protocol",
                              description="The simulated city backend (docs/feed-protocol.md).")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8700, help="0 picks a free port")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--profile", choices=["street", "district", "city"], default="street")
    p.add_argument("--rate", type=float, default=1.0, help="scale the event rate")
    p.add_argument("--speed", type=float, default=1.0, help="simulated seconds per real second")
    p.add_argument("--scenario", default=None, type=scenario_path,
                   help="a scenario TOML file, or the name of a bundled one (sample-drill)")
    p.add_argument("--no-random", action="store_true", help="play only the scenario, no random city events")
    p.add_argument("--history-hours", type=float, default=6.0, help="simulated history generated at start")
    p.add_argument("--start", default=None, help="simulated start time, ISO 8601 (default: now)")
    p.add_argument("--demo-extra-events-per-s", "--min-live-rate", dest="demo_extra_events_per_s", type=float,
                   default=0.0, metavar="N",
                   help="演示附加事件 / demo only: N extra live events per real second on top of the profile's "
                        "natural rate (the seeds'); default 0 = the natural rate only")
    p.add_argument("--cameras-always-on", type=int, default=4, metavar="N",
                   help="the first N cameras stream from the start (the rest start when first watched)")
    m = p.add_argument_group("city sensors over MQTT (docs/feed-protocol.md, \"MQTT\")")
    m.add_argument("--mqtt", default="", metavar="mqtt://HOST:PORT",
                   help="publish the city's sensors to this broker (QoS 1, topics city/sensors/<type>/<id>)")
    m.add_argument("--sensors", type=int, default=2000, help="how many devices (with --mqtt)")
    m.add_argument("--sensor-interval", type=float, default=10.0, help="seconds between a device's reports")
    g = p.add_argument_group("fault switches (also POST /api/v1/_control/faults)")
    g.add_argument("--latency-ms", type=float, default=0.0)
    g.add_argument("--error-rate", type=float, default=0.0)
    g.add_argument("--drop-every", type=int, default=0)
    g.add_argument("--duplicate-rate", type=float, default=0.0)
    g.add_argument("--reorder-rate", type=float, default=0.0)
    g.add_argument("--malformed-rate", type=float, default=0.0)
    g.add_argument("--stall", action="store_true")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from commandcenter.sim import Faults, SimServer

    faults = Faults()
    try:
        faults.update({"latency_ms": args.latency_ms, "error_rate": args.error_rate, "drop_every": args.drop_every,
                       "duplicate_rate": args.duplicate_rate, "reorder_rate": args.reorder_rate,
                       "malformed_rate": args.malformed_rate, "stall": args.stall})
        if args.mqtt and not args.mqtt.startswith("mqtt://"):
            raise ValueError(f"--mqtt: expected mqtt://HOST:PORT, got {args.mqtt!r}")
        start = datetime.fromisoformat(args.start.replace("Z", "+00:00")) if args.start else None
        server = SimServer(profile=args.profile, seed=args.seed, rate=args.rate, speed=args.speed,
                           scenario=args.scenario, random_city=not args.no_random, host=args.host, port=args.port,
                           faults=faults, history_hours=args.history_hours, start_time=start,
                           demo_extra_events_per_s=args.demo_extra_events_per_s,
                           video_always_on=args.cameras_always_on)
    except (ValueError, OSError) as exc:
        print(f"commandcenter sim: {exc}", file=sys.stderr)
        return 2

    async def main() -> int:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            try:
                loop.add_signal_handler(sig, stop.set)
            except (NotImplementedError, RuntimeError):
                pass
        try:
            url = await server.start()
        except OSError as exc:
            print(f"commandcenter sim: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
            return 2
        assert server.city is not None
        print(f"commandcenter sim: {args.profile} profile, {len(server.city.grids)} grids, seed {args.seed}, "
              f"speed {args.speed}x", flush=True)
        if args.demo_extra_events_per_s > 0:
            print(f"commandcenter sim: 演示附加事件 demo extra events: +{args.demo_extra_events_per_s:g} per real second "
                  "on top of the profile's natural rate", flush=True)
        publisher = None
        if args.mqtt:
            from commandcenter.sim.sensors import SensorPublisher, fleet

            devices = fleet(server.city, args.sensors, args.seed)
            publisher = SensorPublisher(args.mqtt, devices, interval=args.sensor_interval, seed=args.seed).start()
            print(f"commandcenter sim: {len(devices)} sensors every {args.sensor_interval:g} s to {args.mqtt}",
                  flush=True)
        print(url, flush=True)
        await stop.wait()
        if publisher is not None:
            await asyncio.to_thread(publisher.stop)
        await server.stop()
        return 0

    try:
        return asyncio.run(main())
    except KeyboardInterrupt:
        return 130
