"""Fault switches: what a misbehaving backend does, on demand, for tests and demos.

One mutable object shared by every handler, so the control endpoint (or a test holding the
server) changes behaviour at once. Fault randomness has its own generator so switching faults
on never changes the simulated city's content.
"""
from __future__ import annotations

import dataclasses
import random
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Faults:
    latency_ms: float = 0.0        # added before every HTTP response and every pushed batch
    error_rate: float = 0.0        # share of REST requests (and stream connects) answered 503
    drop_every: int = 0            # close a push connection after every N messages (0 = never)
    duplicate_rate: float = 0.0    # share of messages/items sent twice
    reorder_rate: float = 0.0      # share of messages/items swapped with the next one
    malformed_rate: float = 0.0    # share of messages/items replaced by a broken one
    stall: bool = False            # keep connections open but send nothing (REST waits too)
    rng: random.Random = field(default_factory=lambda: random.Random(0xFA17), repr=False, compare=False)

    FIELDS = ("latency_ms", "error_rate", "drop_every", "duplicate_rate", "reorder_rate", "malformed_rate", "stall")

    def as_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.FIELDS}

    def update(self, values: dict[str, Any]) -> None:
        """Set switches from a JSON object; unknown names or wrong types raise ValueError."""
        for name, value in values.items():
            if name not in self.FIELDS:
                raise ValueError(f"unknown fault {name!r}; known: {', '.join(self.FIELDS)}")
            current = getattr(self, name)
            if isinstance(current, bool):
                if not isinstance(value, bool):
                    raise ValueError(f"{name} must be true or false")
            elif isinstance(current, int):
                if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                    raise ValueError(f"{name} must be a non-negative integer")
            else:
                if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                    raise ValueError(f"{name} must be a non-negative number")
                if name.endswith("_rate") and value > 1:
                    raise ValueError(f"{name} must be between 0 and 1")
                value = float(value)
            setattr(self, name, value)

    def reset(self) -> None:
        defaults = Faults()
        for name in self.FIELDS:
            setattr(self, name, getattr(defaults, name))

    def copy(self) -> Faults:
        return dataclasses.replace(self, rng=random.Random(0xFA17))

    def hit(self, rate: float) -> bool:
        return rate > 0 and self.rng.random() < rate
