"""Child programs the simulator starts (FFmpeg encoders, mosquitto) end with the thread that started them.

Linux's PR_SET_PDEATHSIG, set in the child between fork and exec: a simulator, a demo or a test killed without
stopping (kill -9, a timeout, a crash) leaves no encoder or broker running on. Elsewhere it does nothing.
"""
from __future__ import annotations

import ctypes
import signal
from collections.abc import Callable

_PR_SET_PDEATHSIG = 1
_prctl: Callable[..., int] | None
try:
    _prctl = ctypes.CDLL(None, use_errno=True).prctl     # looked up here: the child between fork and exec only calls it
except (OSError, AttributeError):
    _prctl = None


def die_with_parent() -> None:
    """A `preexec_fn`: the child is killed (SIGKILL) when the thread that started it ends."""
    if _prctl is not None:
        _prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
