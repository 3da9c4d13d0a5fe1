"""`commandcenter collect`: the old name of `commandcenter record` (cli/record_cmd.py), kept for scripts."""
from __future__ import annotations

import argparse

from . import record_cmd


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("collect", help="采集 / the same as `record` (its old name)")
    record_cmd.add_arguments(p)
    p.set_defaults(func=record_cmd.run)
