"""Drill tests run walls, feeds and simulators in one process: keep Python's GC on the main thread."""
from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def gc_on_the_loop_thread():
    """Automatic GC off for the test; collected on the main thread at teardown.

    Same hazard as tests/faults/conftest.py: a collection that happens to run on the store's worker (or the
    simulator's) thread finalises httpx stream generators and Qt objects off their thread; the full suite
    died with SIGSEGV in a drill test that way (main thread in the qasync loop, store thread in Store.apply).
    """
    import gc

    gc.disable()
    yield
    gc.enable()
    gc.collect()
