"""Shared bits for the drill tests: a controllable clock and the scripted scenario."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

SCENARIO = Path(__file__).resolve().parent / "data" / "scripted-drill.toml"
T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


class FakeClock:
    def __init__(self, start: datetime = T0) -> None:
        self.t = start

    def __call__(self) -> datetime:
        return self.t

    def advance(self, seconds: float) -> datetime:
        self.t += timedelta(seconds=seconds)
        return self.t
