"""The composition root: `commandcenter COMMAND ...`. Each command lives in its own module here,
exposing `register(subparsers)` that adds its parser and sets `func(args) -> int`."""
from __future__ import annotations

import argparse
import importlib
import sys

COMMANDS = ["demo", "run", "snapshot", "sim", "record", "collect", "store", "export", "drill", "report", "kpis"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="commandcenter", description="城市运行指挥中心大屏 · command center video wall")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"commandcenter.cli.{name}_cmd")
        except ModuleNotFoundError as exc:
            if exc.name == f"commandcenter.cli.{name}_cmd":
                continue  # command not built yet
            raise
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    from ..feeds import redact
    from .common import name_connections
    from .parent_watch import watch_parent_if_asked

    watch_parent_if_asked()   # a recorder started by a wall ends with it (services/recorder_child.py)
    redact.install()     # no log line of any command carries URL user info or a token (feeds/redact.py)
    args = build_parser().parse_args(argv)
    name_connections(args.command)      # which process a PostgreSQL session belongs to (pg_stat_activity)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
