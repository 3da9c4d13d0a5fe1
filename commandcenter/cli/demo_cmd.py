"""`commandcenter demo`: the embedded simulated city and a wall connected to it through the real feed code.

A window (full screen only with --kiosk), Ctrl+Q or Ctrl+C to end; --console opens the operator console beside
it. While it runs, its config (the simulator's URL, its store) is published in the user's runtime directory, so
`commandcenter drill start …`, `report`, `export` without --config work against the demo as the README shows.
The store is a temporary one unless --store names one: a demo never writes to the user's default store.
On SQLite the wall follows the store and a recorder child records the demo's feeds (cli.common.wall_setup), from
a config file the demo writes for it: the same config the wall shows.
"""
from __future__ import annotations

import argparse
import sys

from .common import add_demo_extra_events_option, demo_city, demo_recorder_config, published_demo, wall_setup


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("demo", help="演示：内置模拟城市 + 大屏 / the wall against the embedded simulated city")
    p.add_argument("--profile", default="street", choices=["street", "district", "city"])
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--speed", type=float, default=1.0)
    add_demo_extra_events_option(p)
    p.add_argument("--console", action="store_true", help="也打开操作台 / open the operator console beside the wall")
    p.add_argument("--kiosk", action="store_true",
                   help="全屏展示模式 / full screen and frameless (leave with Ctrl+Alt+Q, then type quit)")
    p.add_argument("--store", default="", help="store URL (default: a temporary store, removed at the end)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..ui.app import HEADLESS_HINT, has_display, run_wall

    if not has_display():
        print(HEADLESS_HINT, file=sys.stderr)
        return 3
    with demo_city(args.profile, args.seed, args.speed, extra_events_per_s=args.demo_extra_events_per_s,
                   store=args.store) as (config, store_url), published_demo(config, store_url) as path, \
            demo_recorder_config(config, store_url) as recorder_path:
        wall_config, recorder = wall_setup(config, store_url, recorder_path)
        print(f"演示运行中 / demo running: simulator {config.feeds[0].url if config.feeds else '-'}\n"
              f"  config: {path}  (drill, report and export use it while the demo runs)\n"
              f"  quit: {'Ctrl+Alt+Q, then type quit' if args.kiosk else 'Ctrl+Q'} or Ctrl+C here", flush=True)
        return run_wall(wall_config, store_url, console=args.console, kiosk=args.kiosk, recorder=recorder)
