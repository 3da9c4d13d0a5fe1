"""`commandcenter run --config PATH`: the wall against the feeds the config names."""
from __future__ import annotations

import argparse
import sys

from ..config import DEFAULT_CONFIG, store_url
from .common import load_or_exit


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("run", help="运行大屏 / run the wall from a config file")
    p.add_argument("--config", default=str(DEFAULT_CONFIG))
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..ui.app import HEADLESS_HINT, has_display, run_wall

    config = load_or_exit(args.config)
    if not has_display():
        print(HEADLESS_HINT, file=sys.stderr)
        return 3
    return run_wall(config, store_url(config))
