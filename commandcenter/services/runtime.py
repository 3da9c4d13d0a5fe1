"""The process's runtime policy while feeds run: Python's cyclic garbage collector and the GIL's switch interval.

Held by whoever composes a running process (ui.app.WallApp for the wall; an IngestPipeline started on its own,
as `collect` and the benches do, holds it itself), counted, so nested holders share one policy and the last one
out restores the interpreter's settings. Qt-free. The store's own short pause of collection around a write
transaction (store.store._gc_paused) raises a threshold and never touches what this module sets.

Garbage collection runs on the holder's event loop thread only (`collect`, every GC_INTERVAL_S from
`run_collector`). Decoding and store work on worker threads allocate a lot, so an automatic collection would
mostly start there; under Qt it would destroy Qt objects caught in cycles off their thread ("QObject::~QObject:
Timers cannot be stopped from another thread", then a crash when such a timer fires). What exists when the policy
is first held (modules, classes, the built wall, its first state) is frozen without a collection first (that
would hold the first frame), and `freeze_loaded` freezes the history loaded after it, so a full collection walks
only what came since; unfrozen, every tenth generation-1 collection walked the whole heap with the GUI thread held.
The frozen set is bounded by the startup heap; objects without cycles are freed by their reference counts as ever.

The switch interval is short while held: the store and feed threads release the GIL around every SQLite call and
socket read and must take it back after each, while the event loop's thread (the wall's GUI thread) holds it for
long stretches; with Python's default 5 ms every statement of a transaction waited for its turn (a convoy).
docs/benchmarks.md has the figures behind both choices.
"""
from __future__ import annotations

import asyncio
import gc
import sys
import threading

GC_INTERVAL_S = 0.5            # how often the holder's loop collects what the thresholds would have
SWITCH_INTERVAL_S = 0.0005     # the GIL's switch interval while held


class RuntimePolicy:
    """The counted hold on the process-wide policy (use the module's RUNTIME)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.holders = 0
        self._gc_was_enabled = False
        self._saved_switch = 0.0

    def hold(self) -> None:
        with self._lock:
            if self.holders == 0:
                self._gc_was_enabled = gc.isenabled()
                gc.disable()
                gc.freeze()
                self._saved_switch = sys.getswitchinterval()
                sys.setswitchinterval(min(self._saved_switch, SWITCH_INTERVAL_S))
            self.holders += 1

    def release(self) -> None:
        with self._lock:
            if self.holders == 0:
                return
            self.holders -= 1
            if self.holders:
                return
            if self._saved_switch:
                sys.setswitchinterval(self._saved_switch)
            gc.unfreeze()
            if self._gc_was_enabled:
                gc.collect()
                gc.enable()

    @property
    def held(self) -> bool:
        return self.holders > 0

    @staticmethod
    def collect() -> None:
        """What the automatic thresholds would have collected, on the calling (the loop's) thread."""
        c0, c1, c2 = gc.get_count()
        t0, t1, t2 = gc.get_threshold()
        if c0 > t0:
            gc.collect(2 if c2 > t2 else 1 if c1 > t1 else 0)

    async def run_collector(self, interval_s: float = GC_INTERVAL_S) -> None:
        """`collect` every `interval_s` on the running loop, until cancelled."""
        while True:
            await asyncio.sleep(interval_s)
            self.collect()

    def freeze_loaded(self) -> None:
        """A starting process's loaded state is startup heap too: frozen, so full collections skip it."""
        if self.held:
            gc.freeze()


RUNTIME = RuntimePolicy()
