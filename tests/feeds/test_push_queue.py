"""The push feed's reader → decoder hand-off: one queue item per read (a list of frames), bounded and taken by
frames, so batches and back-pressure are what a queue item per frame gave."""
from __future__ import annotations

import asyncio
from datetime import timedelta

from commandcenter.domain import format_time
from commandcenter.feeds.base import BatchBuilder, FeedBase, utcnow
from commandcenter.feeds.native import Frame, FrameQueue, SeqTracker, StreamEnd, _take, handle_messages

from tests.support.feeds import section


def frames(a: int, b: int) -> list[Frame]:
    return [Frame(data=b"", seq=i) for i in range(a, b)]


def test_the_queue_counts_frames_and_is_full_at_maxsize_frames_not_items():
    q = FrameQueue(5)
    q.put_nowait(frames(0, 3))
    assert q.qsize() == 3 and not q.full()
    q.put_nowait(frames(3, 5))
    assert q.qsize() == 5 and q.full()
    q.get_nowait()
    assert q.qsize() == 2 and not q.full()


def test_a_reader_putting_into_a_full_queue_waits_until_frames_are_taken():
    async def main() -> list[str]:
        q = FrameQueue(4)
        events: list[str] = []

        async def reader() -> None:
            for k in range(3):
                await q.put(frames(2 * k, 2 * k + 2))
                events.append(f"put {k}")

        task = asyncio.create_task(reader())
        for _ in range(5):
            await asyncio.sleep(0)
        events.append("take")
        q.get_nowait()
        await asyncio.wait_for(task, 1)
        return events

    assert asyncio.run(main()) == ["put 0", "put 1", "take", "put 2"]


def test_a_take_stops_at_its_limit_and_keeps_the_rest_of_a_read_in_order_for_the_next():
    q = FrameQueue(100)
    q.put_nowait(frames(0, 3))
    q.put_nowait(frames(3, 8))
    q.put_nowait(StreamEnd())
    carry: list[Frame] = []
    first, end = _take(q, carry, 4)
    assert [f.seq for f in first] == [0, 1, 2, 3] and end is None
    assert [f.seq for f in carry] == [4, 5, 6, 7]
    second, end = _take(q, carry, 10)
    assert [f.seq for f in second] == [4, 5, 6, 7] and isinstance(end, StreamEnd)
    assert carry == [] and q.empty()


def test_the_lag_of_a_run_of_messages_is_that_of_its_last_message_with_a_send_time():
    feed = FeedBase(section(), None)
    now = utcnow()

    def msg(seq: int, age_s: float | None) -> Frame:
        sent = f',"sent_at":"{format_time(now - timedelta(seconds=age_s))}"' if age_s is not None else ""
        return Frame(data=f'{{"seq":{seq},"type":"heartbeat"{sent},"data":{{}}}}'.encode(), seq=seq)

    handle_messages(feed, BatchBuilder(feed), [msg(1, 300.0), msg(2, 30.0), msg(3, None)], SeqTracker(0))
    assert 29.0 < feed.lag_s < 60.0
