"""`commandcenter demo`: the embedded simulated city and a wall connected to it through the real feed code."""
from __future__ import annotations

import argparse
import sys

from .common import add_demo_extra_events_option, demo_city


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("demo", help="演示：内置模拟城市 + 大屏 / the wall against the embedded simulated city")
    p.add_argument("--profile", default="street", choices=["street", "district", "city"])
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--speed", type=float, default=1.0)
    add_demo_extra_events_option(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..ui.app import HEADLESS_HINT, has_display, run_wall

    if not has_display():
        print(HEADLESS_HINT, file=sys.stderr)
        return 3
    with demo_city(args.profile, args.seed, args.speed, extra_events_per_s=args.demo_extra_events_per_s) as (config, store_url):
        return run_wall(config, store_url)
