"""`commandcenter collect --config PATH [--seconds N]`: run the feeds into the store without a window.

A standby recorder: the same ingest pipeline as the wall (feeds → store, cursor committed with each
batch), no Qt. Exits after N seconds if given, and cleanly on SIGINT/SIGTERM (feeds cancelled, the
batch in flight either committed or not started, store closed); a restart resumes from the cursors.
"""
from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys

from ..domain import kpis as DK
from .common import default_config, load_or_exit, store_url_or_exit
from datetime import UTC

STATUS_EVERY_S = 30.0


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("collect", help="采集 / run the feeds into the store without a window (standby recorder)")
    p.add_argument("--config", default=str(default_config()), help="the wall's TOML config")
    p.add_argument("--seconds", type=float, default=None, help="stop after N seconds (default: until SIGINT/SIGTERM)")
    p.add_argument("--store", default="", help="store URL (default: the config's)")
    p.add_argument("--quiet", action="store_true", help="no periodic feed status on stderr")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..store import Store, StoreError

    config = load_or_exit(args.config)
    if not config.feeds:
        print("collect: the config has no [[feeds]]", file=sys.stderr)
        return 2
    if args.seconds is not None and args.seconds <= 0:
        print("collect: --seconds must be positive", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.WARNING if args.quiet else logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    url = store_url_or_exit(config, args.store, create=True)
    try:
        store = Store.open(url, retention_days=config.store.retention_days, tz=config.store.timezone,
                           limits=DK.limits_for_hours(config.deadlines.hours))
    except StoreError as exc:
        print(f"collect: store: {exc}", file=sys.stderr)
        return 2
    try:
        return asyncio.run(_collect(config, store, args.seconds, quiet=args.quiet))
    finally:
        store.close()


async def _collect(config, store, seconds: float | None, *, quiet: bool) -> int:
    from ..services.ingest import IngestPipeline

    pipeline = IngestPipeline(config, store)
    loop = asyncio.get_running_loop()
    stop_reason: list[str] = []

    def stop(reason: str) -> None:
        if not stop_reason:
            stop_reason.append(reason)
        pipeline.stop()

    installed = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, stop, signal.Signals(sig).name)
            installed.append(sig)
        except (NotImplementedError, RuntimeError, ValueError):  # not the main thread / not supported
            pass
    timer = loop.call_later(seconds, stop, f"{seconds:g} s elapsed") if seconds is not None else None
    reporter = None if quiet else asyncio.create_task(_report(pipeline))
    try:
        await pipeline.run()
    finally:
        if timer is not None:
            timer.cancel()
        if reporter is not None:
            reporter.cancel()
            await asyncio.gather(reporter, return_exceptions=True)
        for sig in installed:
            loop.remove_signal_handler(sig)
    print(f"collect: stopped ({stop_reason[0] if stop_reason else 'done'}); "
          f"{pipeline.batches_applied} batches committed", file=sys.stderr)
    _print_health(pipeline)
    return 0


async def _report(pipeline) -> None:
    while True:
        await asyncio.sleep(STATUS_EVERY_S)
        _print_health(pipeline)


def _print_health(pipeline) -> None:
    from datetime import datetime

    now = datetime.now(UTC)
    for feed in pipeline.feeds:
        h = feed.health(now)
        last = h.last_ok_at.isoformat(timespec="seconds") if h.last_ok_at else "never"
        err = f"; last error: {h.last_error}" if h.last_error else ""
        print(f"collect: feed {h.feed}: {h.state.value}, last good {last}, received {h.received}, "
              f"quarantined {h.quarantined}{err}", file=sys.stderr)
