"""Where a record's time goes on its way to the wall: perf_counter stamps per stage, for chosen records.

The latency bench asks "how long from the backend's publish to a painted row", and the answer is only useful split
into stages (network read, waiting for the decoder, decoding, coalescing, the store transaction, the event loop
taking the result back, the live state, the table model's flush, the repaint). A `StageTrace` given to the ingest
pipeline (`IngestPipeline.trace`) is handed to its feeds; each stage stamps the records it handled when it finished
with them, the first stamp per stage winning. Off by default (`None`): the production path then does no per-record
work at all. Qt-free; the wall's own stages (model flush, paint) are stamped by whoever watches them.

Stamps can come from the feed thread, the store thread and a decode thread as well as the GUI's event loop: a dict `setdefault` under
the GIL is enough, and a record is stamped by one stage at a time.
"""
from __future__ import annotations

from itertools import pairwise
import time
from collections.abc import Callable, Iterable, Sequence

#: The ingest path's stages in order (a record's stamps should be non-decreasing in this order).
STAGES = (
    "read",          # the network chunk holding its message reached the event loop
    "decode_start",  # the decoder began the run of frames holding it
    "decoded",       # ...and finished that run (the record is in a batch)
    "sink",          # its batch was handed to the sink (the feed's previous batch had committed)
    "store_start",   # the store thread began the batch's transaction
    "committed",     # the transaction committed (store thread)
    "resumed",       # the event loop took the committed result back
    "live",          # the live state holds it and its listeners ran
)


class StageTrace:
    """perf_counter stamps {record id: {stage: t}} for the records `wanted` selects (all when None)."""

    def __init__(self, wanted: Callable[[str], bool] | None = None) -> None:
        self.wanted = wanted
        self.stamps: dict[str, dict[str, float]] = {}

    def mark(self, stage: str, ids: Iterable[str], t: float | None = None) -> None:
        """Stamp `ids` as having passed `stage` at `t` (now when None); an earlier stamp of the stage stays."""
        t = time.perf_counter() if t is None else t
        wanted, stamps = self.wanted, self.stamps
        for rid in ids:
            if wanted is None or wanted(rid):
                stamps.setdefault(rid, {}).setdefault(stage, t)

    def deltas(self, stages: Sequence[str] = STAGES) -> dict[str, list[float]]:
        """Per pair of consecutive stages ("a→b"), the milliseconds each record spent between them
        (records stamped at both ends only)."""
        out: dict[str, list[float]] = {f"{a}→{b}": [] for a, b in pairwise(stages)}
        for marks in self.stamps.values():
            for a, b in pairwise(stages):
                if a in marks and b in marks:
                    out[f"{a}→{b}"].append((marks[b] - marks[a]) * 1000.0)
        return out
