"""Fixtures for the simulator's tests: real servers on loopback, small helpers to read the push streams."""
from __future__ import annotations

import json
import time
from datetime import datetime, UTC
from typing import Any
from collections.abc import Iterator

import httpx
import pytest
from httpx_sse import connect_sse

from commandcenter.sim import RunningSim, run_in_thread

#: Noon in China: six hours of history cover the morning peak.
START = datetime(2026, 11, 23, 4, 0, tzinfo=UTC)


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


def read_sse(url: str, n: int, *, last_id: int | None = None, timeout: float = 10.0,
             params: dict[str, Any] | None = None) -> list[Any]:
    """Up to `n` SSE events (httpx_sse ServerSentEvent objects) from /stream, stopping at `timeout`."""
    headers = {"Last-Event-ID": str(last_id)} if last_id is not None else {}
    out: list[Any] = []
    deadline = time.monotonic() + timeout
    with httpx.Client(timeout=httpx.Timeout(timeout, read=timeout)) as client, \
            connect_sse(client, "GET", f"{url}/stream", headers=headers, params=params) as source:
        try:
            for event in source.iter_sse():
                if not event.data:
                    continue   # the `retry:` block: httpx-sse yields it as an empty event
                out.append(event)
                if len(out) >= n or time.monotonic() > deadline:
                    break
        except (httpx.RemoteProtocolError, httpx.ReadError, httpx.ReadTimeout):
            pass   # the server dropped us (a fault) or went quiet: return what we have
    return out


def seqs(events: list[Any]) -> list[int]:
    return [json.loads(e.data)["seq"] for e in events]
