"""`commandcenter snapshot`: render the whole wall offscreen to a PNG of exactly the asked size.

A snapshot runs the feeds in its own process unless its config says `[store] follow = true`: it is one picture
taken `--after` seconds from the start, a recorder child's start would spend those seconds, and the in-process
pipeline is the same feeds → store → live state code, so the picture shows the same full wall."""
from __future__ import annotations

import argparse
import os
import re
from pathlib import Path

from .common import add_demo_extra_events_option, demo_city, load_or_exit, store_url_or_exit, with_follow


def _size(text: str) -> tuple[int, int]:
    m = re.fullmatch(r"(\d{2,5})[x×](\d{2,5})", text.strip())
    if not m:
        raise argparse.ArgumentTypeError(f"expected WIDTHxHEIGHT such as 3840x2160, got {text!r}")
    return int(m.group(1)), int(m.group(2))


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("snapshot", help="离屏截图 / render the wall to a PNG without a display")
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--config")
    src.add_argument("--demo", action="store_true", help="against the embedded simulated city")
    p.add_argument("--out", required=True, type=Path)
    p.add_argument("--size", type=_size, default=(3840, 2160))
    p.add_argument("--after", type=float, default=5.0, help="seconds the feeds run before the picture is taken")
    p.add_argument("--profile", default="street", choices=["street", "district", "city"])
    p.add_argument("--seed", type=int, default=1)
    add_demo_extra_events_option(p)
    p.add_argument("--language", choices=["zh_CN", "en"], default=None,
                   help="the wall's language for this picture (default: the config's [wall] language)")
    p.set_defaults(func=run)


def _in_language(config, language: str | None):
    """The config with [wall] language set to `language` (None: unchanged)."""
    if language is None:
        return config
    return config.model_copy(update={"wall": config.wall.model_copy(update={"language": language})})


def run(args: argparse.Namespace) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from ..ui.app import Snapshot, run_wall

    width, height = args.size
    snap = Snapshot(args.out, width, height, args.after)
    if args.demo:
        with demo_city(args.profile, args.seed, extra_events_per_s=args.demo_extra_events_per_s) as (config, url):
            return run_wall(with_follow(_in_language(config, args.language), False), url, snapshot=snap)
    config = _in_language(load_or_exit(args.config), args.language)
    config = with_follow(config, config.store.follow is True)
    return run_wall(config, store_url_or_exit(config, create=True), snapshot=snap, config_path=args.config)
