"""A push feed is pipelined: the next batch is decoded on the feed's loop while the sink commits the last
one, never two batches at the sink at once, and a duplicate spanning the two batches reaches the sink once."""
from __future__ import annotations

import asyncio
import json
import threading

import httpx
import pytest

from commandcenter.feeds import base, native

from tests.support.feeds import Collector, FakePush, incident, run_until, section, serve, spy_record_decoding


class SlowSink(Collector):
    """Commits like a store that takes `delay` seconds a transaction; records how many batches it held at once."""

    def __init__(self, delay: float) -> None:
        super().__init__()
        self.delay = delay
        self.busy = 0
        self.most_at_once = 0

    async def __call__(self, batch) -> None:
        self.busy += 1
        self.most_at_once = max(self.most_at_once, self.busy)
        try:
            await asyncio.sleep(self.delay)
            await super().__call__(batch)
        finally:
            self.busy -= 1


def run_burst_with_emergencies(sink: SlowSink, n: int) -> native.NativeSseFeed:
    """`n` incidents, one in a hundred an open emergency, streamed over SSE into `sink` until all are committed."""
    async def main() -> native.NativeSseFeed:
        be = FakePush()
        async with serve(be.app()) as base, httpx.AsyncClient() as client:
            for i in range(n):
                be.publish("incident", incident(i, emergency=i % 100 == 50))
            feed = native.NativeSseFeed(section(url=base + "/api/v1", mode="sse", timeout=2), client)
            ok = await run_until(lambda: feed.run(sink, None),
                                 lambda: sink.cursor and json.loads(sink.cursor)["seq"] == n, timeout=30)
            assert ok, (sink.cursor, feed.last_error)
            return feed

    return asyncio.run(main())


@pytest.mark.parametrize("mode", ["sse", "ws"])
def test_the_next_batch_is_decoded_on_the_feeds_loop_while_the_sink_commits_one_batch_at_a_time(mode, monkeypatch):
    decoded_during_commit: list[bool] = []
    decode_threads: set[str] = set()
    sink = SlowSink(0.15)

    def note() -> None:
        decode_threads.add(threading.current_thread().name)
        decoded_during_commit.append(sink.busy > 0)

    spy_record_decoding(monkeypatch, note)

    async def main() -> None:
        be = FakePush()
        async with serve(be.app()) as base, httpx.AsyncClient() as client:
            for i in range(3000):
                be.publish("incident", incident(i))
            be.publish("incident", incident(7))          # a duplicate, long after the original
            feed = native.NativeSseFeed if mode == "sse" else native.NativeWsFeed
            feed = feed(section(url=base + "/api/v1", mode=mode, timeout=2), client)
            feed.max_batch = 200
            ok = await run_until(lambda: feed.run(sink, None),
                                 lambda: sink.cursor and json.loads(sink.cursor)["seq"] == 3001, timeout=30)
            assert ok, (sink.cursor, feed.last_error)

    asyncio.run(main())
    ids = [r.id for r in sink.all("incidents")]
    assert len(ids) == len(set(ids)) == 3000
    assert sink.most_at_once == 1
    assert any(decoded_during_commit)
    assert decode_threads == {threading.main_thread().name}     # no decoder thread: the feed's own loop
    assert len(sink.batches) < 3000 / 200        # the slow sink got fewer, bigger (coalesced) batches


def test_a_big_batchs_open_emergencies_reach_the_sink_first_in_a_batch_of_their_own_that_keeps_the_cursor():
    sink = SlowSink(0.3)          # a slow store: the stream piles up into batches far over PRIORITY_SPLIT
    feed = run_burst_with_emergencies(sink, 3000)
    ids = [r.id for r in sink.all("incidents")]
    assert len(ids) == len(set(ids)) == 3000 and feed.received == 3000
    urgent_first = [k for k, b in enumerate(sink.batches)
                    if b.incidents and all(r.emergency for r in b.incidents)]
    assert urgent_first, [len(b.incidents) for b in sink.batches]
    for k in urgent_first:
        before = sink.batches[k - 1].cursor if k else None
        assert sink.batches[k].cursor == before                 # the committed cursor, not the batch's
        rest = sink.batches[k + 1]
        assert len(rest.incidents) > base.PRIORITY_SPLIT - len(sink.batches[k].incidents)
        assert not any(r.emergency for r in rest.incidents)      # its emergencies went ahead
    assert sum(r.emergency for r in sink.all("incidents")) == 30


def test_while_a_big_batchs_emergencies_commit_the_feed_waits_and_the_batch_follows_them_at_once(monkeypatch):
    """The emergencies' small commit gets the interpreter to itself (nothing decoded meanwhile), and the rest of
    their batch reaches the sink before anything more is decoded."""
    decoded = 0

    def note() -> None:
        nonlocal decoded
        decoded += 1

    spy_record_decoding(monkeypatch, note)

    class Sink(SlowSink):
        def __init__(self) -> None:
            super().__init__(0.2)
            self.urgent: list[tuple[int, int]] = []     # (decoded while it committed, then before the next call)
            self._after_urgent: int | None = None

        async def __call__(self, batch) -> None:
            if self._after_urgent is not None:
                start, end = self.urgent[-1][0], self._after_urgent
                self.urgent[-1] = (end - start, decoded - end)
                self._after_urgent = None
            is_urgent = bool(batch.incidents) and all(r.emergency for r in batch.incidents)
            if is_urgent:
                self.urgent.append((decoded, -1))
            await super().__call__(batch)
            if is_urgent:
                self._after_urgent = decoded

    sink = Sink()
    run_burst_with_emergencies(sink, 4000)
    assert len({r.id for r in sink.all("incidents")}) == 4000
    done = [u for u in sink.urgent if u[1] >= 0]
    assert done, [len(b.incidents) for b in sink.batches]
    assert done == [(0, 0)] * len(done)
