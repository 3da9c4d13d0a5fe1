"""The simulated clock: sim time runs at real time × speed once the simulator goes live.

Content never reads the wall clock; only this clock decides "now", so a seed and a start time
fully determine what the simulator says happened at any simulated instant.
"""
from __future__ import annotations

import time
from datetime import datetime, timedelta, UTC


class SimClock:
    """Simulated UTC time. Before `go_live` it is set explicitly (history generation)."""

    def __init__(self, start: datetime, speed: float = 1.0) -> None:
        if start.tzinfo is None:
            start = start.replace(tzinfo=UTC)
        self.start = start.astimezone(UTC)
        self.speed = float(speed)
        self._anchor_sim = self.start
        self._anchor_real: float | None = None
        self.held = False

    def go_live(self, at: datetime | None = None) -> None:
        """From now on sim time advances with the monotonic clock × speed, starting from `at`."""
        self._anchor_sim = at or self.start
        self._anchor_real = time.monotonic()

    @property
    def live(self) -> bool:
        return self._anchor_real is not None

    def now(self) -> datetime:
        if self._anchor_real is None or self.held:
            return self._anchor_sim
        elapsed = (time.monotonic() - self._anchor_real) * self.speed
        return self._anchor_sim + timedelta(seconds=elapsed)

    def set_speed(self, speed: float) -> None:
        """Change speed without a jump in sim time."""
        if self._anchor_real is not None and not self.held:
            self._anchor_sim = self.now()
            self._anchor_real = time.monotonic()
        self.speed = float(speed)

    def hold(self, at: datetime | None = None) -> None:
        """Stop sim time where it is (or at `at`); from now on only `advance` moves it (exact timings for tests)."""
        self._anchor_sim = self.now() if at is None else at
        self.held = True

    def advance(self, seconds: float) -> datetime:
        """Move held sim time forward (a running clock is held first, so nothing else moves it)."""
        if seconds < 0:
            raise ValueError("sim time never goes back")
        if not self.held:
            self.hold()
        self._anchor_sim += timedelta(seconds=seconds)
        return self._anchor_sim

    def release(self) -> None:
        """Let held sim time run again (real time × speed) from where it stands."""
        if self.held:
            self.held = False
            if self._anchor_real is not None:
                self._anchor_real = time.monotonic()
