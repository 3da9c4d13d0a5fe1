"""The simulated city backend (`commandcenter sim`): a generated territory, events, emergencies,
resources and warnings, served over the native feed protocol (docs/feed-protocol.md).

Depends on `commandcenter.domain` only; no Qt. Deterministic for a seed, scenario and start time.
"""
from .clock import SimClock
from .faults import Faults
from .runner import RunningSim, run_in_thread
from .server import SimServer
from .territory import PROFILES, City, generate

__all__ = ["City", "Faults", "PROFILES", "RunningSim", "SimClock", "SimServer", "generate", "run_in_thread"]
