"""A push feed lingers: a batch is handed to the sink `linger_s` after its first message arrived (or as soon as it
is full), so a trickle of messages makes a few commits, not one a message, and no message waits longer than the
linger for its commit."""
from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import httpx
import pytest

from commandcenter.feeds import Batch, native

from tests.support.feeds import Collector, FakePush, incident, run_until, section, serve

FEEDS = {"sse": native.NativeSseFeed, "ws": native.NativeWsFeed}


class StampingSink(Collector):
    """A Collector that notes when (perf_counter) each batch reached it."""

    def __init__(self) -> None:
        super().__init__()
        self.at: list[float] = []

    async def __call__(self, batch: Batch) -> None:
        self.at.append(time.perf_counter())
        await super().__call__(batch)


def seq_of(sink: Collector) -> int:
    return json.loads(sink.cursor)["seq"] if sink.cursor else 0


async def connected(feed: native._PushFeed, be: FakePush) -> None:
    """Until the feed's stream is open (the backend saw it connect and the feed counted the connection)."""
    while not (be.connects and feed.connects):
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.05)         # the backend is waiting for messages, not replaying any


def follow(mode: str, linger_s: float, script, done, timeout: float = 20.0) -> tuple[StampingSink, FakePush]:
    """Run a `mode` feed with `linger_s` against a FakePush; `script(feed, be)` publishes once it is connected."""
    sink = StampingSink()
    be = FakePush()
    be.heartbeat = 1.0                # no WebSocket heartbeat message inside a lingering batch (they are frames too)

    async def main() -> None:
        async with serve(be.app()) as base, httpx.AsyncClient() as client:
            feed = FEEDS[mode](section(url=base + "/api/v1", mode=mode, timeout=2), client)
            feed.linger_s = linger_s

            async def run() -> None:
                publisher = asyncio.create_task(script(feed, be))
                try:
                    await feed.run(sink, None)
                finally:
                    publisher.cancel()

            assert await run_until(run, lambda: done(sink), timeout=timeout), (sink.cursor, feed.last_error)

    asyncio.run(main())
    return sink, be


@pytest.mark.parametrize("mode", ["sse", "ws"])
def test_records_arriving_within_the_linger_land_in_one_commit_in_their_order(mode: str) -> None:
    async def trickle(feed: native._PushFeed, be: FakePush) -> None:
        await connected(feed, be)
        for i in range(5):
            be.publish("incident", incident(i))
            await asyncio.sleep(0.02)          # five messages over 0.1 s, inside a 0.5 s linger

    sink, _ = follow(mode, 0.5, trickle, lambda s: seq_of(s) == 5)
    with_records = [b for b in sink.batches if b.incidents]
    assert len(with_records) == 1, [len(b.incidents) for b in sink.batches]
    assert [r.id for r in with_records[0].incidents] == [f"I{i}" for i in range(5)]
    assert with_records[0].cursor == '{"seq":5}'


@pytest.mark.parametrize("emergency", [False, True], ids=["routine", "emergency"])
@pytest.mark.parametrize("mode", ["sse", "ws"])
def test_a_record_alone_is_committed_after_the_linger_and_not_much_later(mode: str, emergency: bool) -> None:
    linger = 0.2
    published: list[float] = []

    async def one(feed: native._PushFeed, be: FakePush) -> None:
        await connected(feed, be)
        published.append(time.perf_counter())
        be.publish("incident", incident(1, emergency=emergency))

    sink, _ = follow(mode, linger, one, lambda s: seq_of(s) == 1)
    waited = sink.at[-1] - published[0]
    assert [r.id for r in sink.all("incidents")] == ["I1"]
    assert linger <= waited < linger + 1.0         # it lingered, and no more than the linger plus a loaded machine


@pytest.mark.parametrize("mode", ["sse", "ws"])
def test_a_steady_stream_makes_few_commits_each_record_once_and_in_order(mode: str) -> None:
    async def stream(feed: native._PushFeed, be: FakePush) -> None:
        await connected(feed, be)
        for i in range(200):
            be.publish("incident", incident(i))
            await asyncio.sleep(0.003)

    sink, _ = follow(mode, 0.1, stream, lambda s: seq_of(s) == 200)
    ids = [r.id for r in sink.all("incidents")]
    assert ids == [f"I{i}" for i in range(200)]              # once each, in the stream's order
    assert len([b for b in sink.batches if b.incidents]) < 200 / 10    # not a commit per message


def take_burst(mode: str, sink: Collector, n: int, max_batch: int | None = None) -> native._PushFeed:
    """Run a `mode` feed over `n` incidents published before it connects, lingering far beyond the run (a full
    batch that lingered would fail it), until all are committed; each once and in order. Returns the feed."""
    be = FakePush()
    be.heartbeat = 1.0
    for i in range(n):
        be.publish("incident", incident(i))
    ran: list[native._PushFeed] = []

    async def main() -> None:
        async with serve(be.app()) as base, httpx.AsyncClient() as client:
            feed = FEEDS[mode](section(url=base + "/api/v1", mode=mode, timeout=2), client)
            feed.linger_s = 60.0
            if max_batch is not None:
                feed.max_batch = max_batch
            ran.append(feed)
            assert await run_until(lambda: feed.run(sink, None), lambda: seq_of(sink) == n, timeout=20), \
                (sink.cursor, feed.last_error)

    asyncio.run(main())
    assert [r.id for r in sink.all("incidents")] == [f"I{i}" for i in range(n)]
    return ran[0]


@pytest.mark.parametrize("mode", ["sse", "ws"])
def test_a_burst_is_handed_over_in_full_batches_without_waiting_for_the_linger(mode: str) -> None:
    sink = Collector()
    take_burst(mode, sink, 3000, max_batch=200)
    assert [len(b.incidents) for b in sink.batches if b.incidents] == [200] * 15     # up to its cap, never more


@pytest.mark.parametrize("mode", ["sse", "ws"])
def test_a_commit_in_flight_is_seen_within_one_slice_of_the_next_batchs_decoding(
        mode: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """While a batch is at the sink the feed decodes the next one `decode_slice` messages at a time, giving the
    loop a turn after each: the sink's end (and the handing over of whatever follows it) waits for a slice or
    two of decoding, never a whole batch's: the rest of the slice under way, then the end reaches the loop and its
    coroutine goes on a turn later."""
    decoded = [0]
    ending: list[tuple[int, asyncio.Future[int]]] = []     # (after how many messages the commit ends, its end)
    handle = native._handle

    def counting(*args: Any) -> str | None:
        got = handle(*args)
        decoded[0] += 1
        if ending and decoded[0] == ending[0][0]:    # the commit ends now, as one on the store's thread would:
            at, ended = ending.pop()                   # its end reaches the loop at the loop's next turn
            ended.get_loop().call_soon(ended.set_result, at)
        return got

    monkeypatch.setattr(native, "_handle", counting)
    late: list[int] = []

    class SlowFirstCommit(Collector):
        async def __call__(self, batch: Batch) -> None:
            if not self.batches:              # ends once the next batch's decoding is under way
                ended: asyncio.Future[int] = asyncio.get_running_loop().create_future()
                ending.append((decoded[0] + 10, ended))
                ended_at = await ended
                late.append(decoded[0] - ended_at)
            await super().__call__(batch)

    feed = take_burst(mode, SlowFirstCommit(), 6000)
    assert late and late[0] <= 2 * feed.decode_slice < feed.max_batch, late


@pytest.mark.parametrize("mode", ["sse", "ws"])
def test_a_rejected_record_and_a_jump_inside_a_burst_decoded_in_slices_lose_nothing_else(
        mode: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A burst read while batches are in flight (decoded a slice at a time): one message the feed must reject and
    one the backend lost (its seq never comes) cost only themselves, and the cursor gets past them: the seqs after
    the hole are not taken for a jump. Health counts the rejected one."""
    monkeypatch.setattr(native.SeqTracker, "max_gap_s", 0.2)     # the lost seq is skipped quickly
    n, rejected, lost = 6000, 3000, 4500
    sink = Collector()
    be = FakePush()
    be.heartbeat = 1.0
    for i in range(n):
        be.publish("incident", incident(i))
    be.raw_inject[rejected] = '{"seq": 3000, "type": "incident", "data": {"id": "I2999", "version": "x"}}'
    be.raw_inject[lost] = be.text(lost + 1)      # the stream goes on at the next seq: `lost` never comes
    seen: list[native._PushFeed] = []

    async def main() -> None:
        async with serve(be.app()) as base, httpx.AsyncClient() as client:
            feed = FEEDS[mode](section(url=base + "/api/v1", mode=mode, timeout=2), client)
            feed.linger_s = 60.0
            seen.append(feed)
            assert await run_until(lambda: feed.run(sink, None), lambda: seq_of(sink) == n, timeout=30), \
                (sink.cursor, feed.last_error)

    asyncio.run(main())
    feed = seen[0]
    lost_id, rejected_id = f"I{lost - 1}", f"I{rejected - 1}"
    ids = [r.id for r in sink.all("incidents")]
    assert len(ids) == len(set(ids))                                  # each once
    assert set(ids) - {lost_id} == {f"I{i}" for i in range(n)} - {rejected_id, lost_id}
    # over WebSocket the hole shows in the seqs and is filled from the pull API; over SSE the server's id line
    # (its own count) covers it, so only the message's seq says anything was amiss
    assert (lost_id in ids) == (mode == "ws")
    assert len(sink.all("quarantined")) == 1 and feed.quarantined == 1
    assert feed.health(native.utcnow()).quarantined == 1
