"""`commandcenter run --config PATH [--console] [--windowed]`: the wall against the feeds the config names.

The config file is watched: a valid edit is applied live, an invalid one is refused (shown on the console). On a
SQLite store the wall follows the store and its own recorder child runs the feeds unless `[store] follow = false`
(cli.common.wall_setup)."""
from __future__ import annotations

import argparse
import sys

from ..config import DEFAULT_CONFIG
from .common import load_or_exit, store_url_or_exit, wall_setup


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("run", help="运行大屏 / run the wall from a config file")
    p.add_argument("--config", default=str(DEFAULT_CONFIG))
    p.add_argument("--console", action="store_true", help="也打开操作台 / open the operator console too")
    p.add_argument("--windowed", action="store_true",
                   help="不进入全屏展示模式 / ordinary windows instead of kiosk mode (overrides [wall] kiosk)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..ui.app import HEADLESS_HINT, has_display, run_wall

    config = load_or_exit(args.config)
    if not has_display():
        print(HEADLESS_HINT, file=sys.stderr)
        return 3
    store = store_url_or_exit(config, create=True)
    wall_config, recorder = wall_setup(config, store, args.config)
    return run_wall(wall_config, store, config_path=args.config, console=args.console,
                    kiosk=False if args.windowed else None, recorder=recorder)
