"""Helpers the wall commands share: loading config with a readable error, and the demo's embedded city."""
from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..config import DEFAULT_CONFIG, Config, ConfigError, load_config, store_url


def load_or_exit(path: str | Path) -> Config:
    try:
        return load_config(path)
    except ConfigError as exc:
        print(f"配置错误 / config error:\n{exc}", file=sys.stderr)
        raise SystemExit(2) from None


#: The demo's extra live events per real second, so a small city looks alive; 0 shows the seeds' natural rate.
DEMO_EXTRA_EVENTS_PER_S = 0.5


def add_demo_extra_events_option(parser) -> None:
    parser.add_argument("--demo-extra-events-per-s", type=float, default=DEMO_EXTRA_EVENTS_PER_S, metavar="N",
                        help="演示附加事件 / extra live events per real second on top of the profile's natural rate "
                             f"(default {DEMO_EXTRA_EVENTS_PER_S:g}; 0 = the seeds' natural rate only)")


@contextmanager
def demo_city(profile: str = "street", seed: int = 1, speed: float = 1.0,
              extra_events_per_s: float = DEMO_EXTRA_EVENTS_PER_S) -> Iterator[tuple[Config, str]]:
    """Start the simulated city on a free loopback port; yield the default config pointed at it and a fresh store.

    Extra demo events are announced on the console and in the wall's title, so nobody takes them for the city."""
    from ..sim import run_in_thread

    sim = run_in_thread(profile=profile, seed=seed, speed=speed, demo_extra_events_per_s=extra_events_per_s)
    try:
        config = load_or_exit(os.environ.get("COMMANDCENTER_DEMO_CONFIG", DEFAULT_CONFIG))
        feeds = [f.model_copy(update={"url": sim.url}) if f.kind == "native" else f for f in config.feeds]
        config = config.model_copy(update={"feeds": feeds})
        if extra_events_per_s > 0:
            label = f"演示附加事件 +{extra_events_per_s:g}/秒"
            print(f"commandcenter: {label} (demo extra events: +{extra_events_per_s:g} per second on top of the "
                  f"{profile} profile's natural rate)", file=sys.stderr, flush=True)
            wall = config.wall.model_copy(update={"title": f"{config.wall.title}（{label}）"})
            config = config.model_copy(update={"wall": wall})
        with tempfile.TemporaryDirectory(prefix="commandcenter-demo-") as tmp:
            # A fresh store: the simulated city starts its sequence anew each run.
            yield config, f"sqlite:///{Path(tmp) / 'demo.db'}"
    finally:
        sim.stop()


def resolved_store_url(config: Config) -> str:
    return store_url(config)
