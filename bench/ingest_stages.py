"""CPU µs per record of `wall_ingest.py`'s burst, stage by stage, in one process (issue 20's ingest target).

    PYTHONPATH=<checkout> python bench/ingest_stages.py [--records N]

The same N new incidents as the bench (`make_incidents(prefix="ingest")`), each stage timed on its own in process
CPU time, best of three: the recorder's feed handling of the simulator's SSE messages (parse, decode, into a batch),
its `Store.apply` in batches of 4,000 (what the burst's coalesced batches hold; a fresh SQLite file a pass, the
simulator's street territory), and a follower's catch-up over every commit (read, decode, into a live state without
views: `StoreFollower.catch_up`). Prints one JSON line. Not run by `python -m bench`: a diagnosis of where
`ingest_floor_ratio`'s time goes (docs/benchmarks.md), runnable on older checkouts too.
"""
from __future__ import annotations

import argparse
import asyncio
import gc
import json
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from common import make_incidents

from commandcenter.config import FeedSection
from commandcenter.domain import encode, format_time
from commandcenter.feeds.base import BatchBuilder, FeedBase
from commandcenter.feeds.native import Frame, SeqTracker, handle_messages
from commandcenter.services.follower import StoreFollower
from commandcenter.services.live_commits import LiveCommits
from commandcenter.services.live_state import LiveState
from commandcenter.sim import SimServer
from commandcenter.sim.log import dumps
from commandcenter.store import Store

STORE_BATCH = 4000
FEED_READ = 2000      # frames handled per call, as the feed's max_batch


def best_of_three(fn: Callable[[], Any]) -> tuple[float, Any]:
    """(least process CPU seconds of three calls, the last call's result)."""
    least, out = float("inf"), None
    for _ in range(3):
        t0 = time.process_time()
        out = fn()
        least = min(least, time.process_time() - t0)
    return least, out


def main() -> None:
    a = argparse.ArgumentParser(description=__doc__)
    a.add_argument("--records", type=int, default=20_000)
    n = a.parse_args().records
    records = make_incidents(n, prefix="ingest")
    sent = format_time(records[0].updated_at)
    frames = [Frame(data=dumps({"seq": i + 1, "type": "incident", "sent_at": sent, "data": encode(r)}).encode(),
                    seq=i + 1, event="incident") for i, r in enumerate(records)]
    sim = SimServer(profile="street", seed=1, random_city=False, min_live_rate=0.0, history_hours=0.0)
    sim.build()
    assert sim.city is not None
    territory = list(sim.city.nodes.values())
    folder = Path(tempfile.mkdtemp(prefix="bench-ingest-stages-"))
    import numpy  # noqa: F401 - loaded before any timing, whichever checkout (the rollups import it lazily)

    gc.disable()      # as the pipelines run (services/runtime.py)

    def feed() -> list[Any]:
        owner = FeedBase(FeedSection(name="city", kind="native", url="http://127.0.0.1:1", mode="sse"), None)
        builder, tracker = BatchBuilder(owner), SeqTracker(0)
        for start in range(0, n, FEED_READ):
            handle_messages(owner, builder, frames[start:start + FEED_READ], tracker)
        return builder.batch.incidents

    feed_s, decoded = best_of_three(feed)
    assert decoded == records, "the feed decoded other records than were sent"

    stores: list[Store] = []

    def store() -> float:
        s = Store.open(f"sqlite:///{folder / f'{len(stores)}.db'}")
        stores.append(s)
        s.apply("city", territory=territory)
        s.tree.chain_index()
        t0 = time.process_time()
        for start in range(0, n, STORE_BATCH):
            s.apply("city", incidents=decoded[start:start + STORE_BATCH])
        return time.process_time() - t0

    store_s = min(store() for _ in range(3))

    def follow() -> int:
        async def catch_up() -> int:
            live = LiveState()
            follower = StoreFollower(stores[-1], LiveCommits(live))
            await follower.catch_up()
            await follower.commits.settled()
            await follower.stop()
            return len(live.incidents)
        return asyncio.run(catch_up())

    follow_s, shown = best_of_three(follow)
    assert shown == n, f"the follower showed {shown} of {n}"
    for s in stores:
        s.close()
    print(json.dumps({"records": n, "feed_us": round(feed_s * 1e6 / n, 2), "store_us": round(store_s * 1e6 / n, 2),
                      "follow_us": round(follow_s * 1e6 / n, 2)}))


if __name__ == "__main__":
    main()
