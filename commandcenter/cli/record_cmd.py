"""`commandcenter record --config PATH [--store URL]`: the feeds → the store as a long-running service.

The recorder (services.recorder): one per store is active (the store's recorder lock), any other stands by and
takes over when it is freed. Health and lag of each feed, and the recorder's role and heartbeat, are written to
the store for walls and consoles (Store.feed_status, Store.recorders). Ends cleanly on SIGTERM and SIGINT (feeds
cancelled, the batch in flight committed or not started, cursors stored, the lock released, exit 0); with
`--seconds N`, after N seconds. Deployment: docs/deploy.md. `collect` is the same command under its old name.
"""
from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from datetime import UTC, datetime

from typing import TYPE_CHECKING

from ..config import Config
from ..domain import kpis as DK
from .common import default_config, load_or_exit, store_url_or_exit

if TYPE_CHECKING:
    from ..services.recorder import Recorder
    from ..store import Store
    from ..store.recorder_lock import RecorderLock

STATUS_EVERY_S = 30.0


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("record", help="记录 / run the feeds into the store as a service (one active recorder "
                                             "per store, others stand by)")
    add_arguments(p)
    p.set_defaults(func=run)


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", default=str(default_config()), help="the TOML config (its [[feeds]] and [store])")
    p.add_argument("--store", default="", help="store URL (default: the config's)")
    p.add_argument("--seconds", type=float, default=None, help="stop after N seconds (default: until SIGINT/SIGTERM)")
    p.add_argument("--quiet", action="store_true", help="no periodic feed status on stderr")


def run(args: argparse.Namespace) -> int:
    from ..store import Store, StoreError
    from ..store.recorder_lock import recorder_lock

    name = args.command
    config = load_or_exit(args.config)
    if not config.feeds:
        print(f"{name}: the config has no [[feeds]]", file=sys.stderr)
        return 2
    if args.seconds is not None and args.seconds <= 0:
        print(f"{name}: --seconds must be positive", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.WARNING if args.quiet else logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    url = store_url_or_exit(config, args.store, create=True)
    try:
        store = Store.open(url, retention_days=config.store.retention_days, tz=config.store.timezone,
                           limits=DK.limits_for_hours(config.deadlines.hours))
    except StoreError as exc:
        print(f"{name}: store: {exc}", file=sys.stderr)
        return 2
    try:
        lock = recorder_lock(store.engine)
        return asyncio.run(_record(name, config, store, lock, args.seconds, quiet=args.quiet))
    finally:
        store.close()


async def _record(name: str, config: Config, store: Store, lock: RecorderLock, seconds: float | None, *,
                  quiet: bool) -> int:
    from ..services.recorder import Recorder

    recorder = Recorder(config, store, lock)
    loop = asyncio.get_running_loop()
    stop_reason: list[str] = []

    def stop(reason: str) -> None:
        if not stop_reason:
            stop_reason.append(reason)
        recorder.stop()

    installed = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, stop, signal.Signals(sig).name)
            installed.append(sig)
        except (NotImplementedError, RuntimeError, ValueError):  # not the main thread / not supported
            pass
    timer = loop.call_later(seconds, stop, f"{seconds:g} s elapsed") if seconds is not None else None
    reporter = None if quiet else asyncio.create_task(_report(name, recorder))
    try:
        await recorder.run()
    finally:
        if timer is not None:
            timer.cancel()
        if reporter is not None:
            reporter.cancel()
            await asyncio.gather(reporter, return_exceptions=True)
        for sig in installed:
            loop.remove_signal_handler(sig)
    print(f"{name}: stopped ({stop_reason[0] if stop_reason else 'done'}); "
          f"{recorder.batches_applied} batches committed", file=sys.stderr)
    _print_health(name, recorder)
    return 0


async def _report(name: str, recorder: Recorder) -> None:
    while True:
        await asyncio.sleep(STATUS_EVERY_S)
        _print_health(name, recorder)


def _print_health(name: str, recorder: Recorder) -> None:
    print(f"{name}: recorder {recorder.name} {recorder.role.value}", file=sys.stderr)
    for h in recorder.health(datetime.now(UTC)):
        last = h.last_ok_at.isoformat(timespec="seconds") if h.last_ok_at else "never"
        err = f"; last error: {h.last_error}" if h.last_error else ""
        print(f"{name}: feed {h.feed}: {h.state.value}, last good {last}, lag {h.lag_s:.1f} s, "
              f"received {h.received}, quarantined {h.quarantined}{err}", file=sys.stderr)
