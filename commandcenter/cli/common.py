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


@contextmanager
def demo_city(profile: str = "street", seed: int = 1, speed: float = 1.0) -> Iterator[tuple[Config, str]]:
    """Start the simulated city on a free loopback port; yield the default config pointed at it and a fresh store."""
    from ..sim import run_in_thread

    sim = run_in_thread(profile=profile, seed=seed, speed=speed)
    try:
        config = load_or_exit(os.environ.get("COMMANDCENTER_DEMO_CONFIG", DEFAULT_CONFIG))
        feeds = [f.model_copy(update={"url": sim.url}) if f.kind == "native" else f for f in config.feeds]
        config = config.model_copy(update={"feeds": feeds})
        with tempfile.TemporaryDirectory(prefix="commandcenter-demo-") as tmp:
            # A fresh store: the simulated city starts its sequence anew each run.
            yield config, f"sqlite:///{Path(tmp) / 'demo.db'}"
    finally:
        sim.stop()


def resolved_store_url(config: Config) -> str:
    return store_url(config)
