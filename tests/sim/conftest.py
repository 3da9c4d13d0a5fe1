"""Fixtures for the simulator's tests: real servers on loopback (helpers to read the push streams: tests.support.sim)."""
from __future__ import annotations

from typing import Any
from collections.abc import Iterator

import pytest

from commandcenter.sim import RunningSim, run_in_thread

from tests.support.sim import START


@pytest.fixture(scope="module")
def street() -> Iterator[RunningSim]:
    """A street-profile city at real speed, shared by a module's read-only tests."""
    sim = run_in_thread(profile="street", seed=1, start_time=START)
    yield sim
    sim.stop()


@pytest.fixture()
def fresh() -> Iterator[Any]:
    """A factory for per-test servers (faults change state, so those tests get their own)."""
    started: list[RunningSim] = []

    def make(**kwargs: Any) -> RunningSim:
        kwargs.setdefault("profile", "street")
        kwargs.setdefault("seed", 1)
        kwargs.setdefault("start_time", START)
        sim = run_in_thread(**kwargs)
        started.append(sim)
        return sim

    yield make
    for sim in started:
        sim.stop()
