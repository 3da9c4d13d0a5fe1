"""A discrete-event scheduler on simulated time.

Everything the city does is an action at a simulated instant, run in (time, insertion) order.
That order, not how often the server ticks, decides what the seeded generators return, so the
content is the same whether history is generated in one go or live in 100 ms steps.
"""
from __future__ import annotations

import heapq
from datetime import datetime, UTC
from typing import Any
from collections.abc import Callable


def to_dt(ts: float) -> datetime:
    return datetime.fromtimestamp(round(ts, 3), UTC)


class Scheduler:
    def __init__(self, now: float) -> None:
        self.now = now
        self._heap: list[tuple[float, int, Callable[..., Any], tuple[Any, ...]]] = []
        self._n = 0

    def at(self, when: float, fn: Callable[..., Any], *args: Any) -> None:
        self._n += 1
        heapq.heappush(self._heap, (max(when, self.now), self._n, fn, args))

    def after(self, delay: float, fn: Callable[..., Any], *args: Any) -> None:
        self.at(self.now + delay, fn, *args)

    def run_until(self, until: float) -> int:
        """Run every action due at or before `until`; returns how many ran."""
        ran = 0
        heap = self._heap
        while heap and heap[0][0] <= until:
            when, _, fn, args = heapq.heappop(heap)
            self.now = when
            fn(*args)
            ran += 1
        if until > self.now:
            self.now = until
        return ran

    @property
    def now_dt(self) -> datetime:
        return to_dt(self.now)

    def __len__(self) -> int:
        return len(self._heap)
