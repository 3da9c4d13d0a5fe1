"""SSE and WebSocket clients against a scripted push backend: resume, drops, bad frames, stalls, 410."""
from __future__ import annotations

import asyncio
import json

import httpx
import pytest

from commandcenter.domain import FeedState
from commandcenter.feeds import make_feed, native

from tests.support.feeds import Collector, FakePush, incident, now, run_until, section, serve


def _feed(mode, base, client):
    feed = make_feed(section(url=base + "/api/v1", mode=mode, timeout=2), client)
    feed.heartbeat_s = 0.3
    feed.backoff_base = feed._backoff.base = 0.02
    return feed


@pytest.mark.parametrize("mode", ["sse", "ws"])
def test_push_resumes_through_drops_and_bad_frames(mode):
    async def main():
        be = FakePush()
        be.drop_every = 7
        async with serve(be.app()) as base, httpx.AsyncClient() as client:
            for i in range(40):
                be.publish("incident", incident(i))
            be.raw_inject[5] = "{not json"
            be.raw_inject[9] = json.dumps({"seq": 9, "type": "incident", "data": {"id": "I8", "version": "x"}})
            feed = _feed(mode, base, client)
            sink = Collector()
            ok = await run_until(lambda: feed.run(sink, None), lambda: sink.cursor and json.loads(sink.cursor)["seq"] == 40)
            assert ok, (sink.cursor, feed.last_error)
            ids = [r.id for r in sink.all("incidents")]
            assert len(ids) == len(set(ids)) == 38            # two quarantined, none twice
            assert {q.record_id for q in sink.all("quarantined")} == {None, "I8"}
            assert len(be.connects) >= 6
            # restart from the saved cursor: only what is new arrives
            for i in range(40, 45):
                be.publish("incident", incident(i))
            be.publish("incident", incident(1, v=2))
            feed2 = _feed(mode, base, client)
            sink2 = Collector()
            await run_until(lambda: feed2.run(sink2, sink.cursor), lambda: len(sink2.all("incidents")) >= 6)
            await asyncio.sleep(0.1)
            assert sorted((r.id, r.version) for r in sink2.all("incidents")) == sorted(
                [(f"I{i}", 1) for i in range(40, 45)] + [("I1", 2)])
            assert be.connects[-1].endswith(":40") or "40" in be.connects[-1]
            assert feed2.health(now()).state is FeedState.LIVE

    asyncio.run(main())


@pytest.mark.parametrize("mode", ["sse", "ws"])
def test_push_stall_is_detected_and_410_resyncs(mode):
    async def main():
        be = FakePush()
        async with serve(be.app()) as base, httpx.AsyncClient() as client:
            for i in range(5):
                be.publish("incident", incident(i))
            feed = _feed(mode, base, client)
            sink = Collector()
            task = asyncio.create_task(feed.run(sink, None))
            try:
                while len(sink.all("incidents")) < 5:
                    await asyncio.sleep(0.02)
                be.stall = True
                for _ in range(200):
                    await asyncio.sleep(0.05)
                    if "silent" in feed.last_error:
                        break
                assert "silent" in feed.last_error
                be.stall = False
            finally:
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
            # a cursor older than the server's window: 410 → catch up by polling, then stream
            be.first_seq = 4
            for i in range(5, 8):
                be.publish("incident", incident(i))
            feed3 = _feed(mode, base, client)
            sink3 = Collector()
            await run_until(lambda: feed3.run(sink3, json.dumps({"seq": 1})),
                            lambda: json.loads(sink3.cursor or "{}").get("seq", 0) >= 8)
            assert {r.id for r in sink3.all("incidents")} >= {f"I{i}" for i in range(1, 8)}
            assert sum(c.startswith(mode) for c in be.connects[-3:]) >= 2   # 410, then streaming again

    asyncio.run(main())


def test_ws_heartbeat_reveals_a_backend_that_lost_its_log():
    async def main():
        be = FakePush()
        async with serve(be.app()) as base, httpx.AsyncClient() as client:
            for i in range(4):
                be.publish("incident", incident(i))
            feed = _feed("ws", base, client)
            sink = Collector()
            ok = await run_until(lambda: feed.run(sink, json.dumps({"seq": 500})),
                                 lambda: len(sink.all("incidents")) >= 4 and json.loads(sink.cursor).get("seq") == 4)
            assert ok, (sink.cursor, feed.last_error)
            assert sorted(r.id for r in sink.all("incidents")) == [f"I{i}" for i in range(4)]

    asyncio.run(main())


@pytest.mark.parametrize("message, seq", [
    (b'{"seq": 42, "type": "incident", "data": {"seq": 7}}', 42),                # read off the start
    (b' {"seq":9}', 9),
    (b'{"type": "incident", "data": {"seq": 7}, "seq": 43}', 43),                # not first: parsed whole
    (b'{"type": "incident", "seq": true}', None),
    (b'{"seq": 5.5, "type": "x"}', None),
    (b'not json', None),
    (b'[1, 2]', None),
])
def test_the_websocket_reader_takes_a_messages_top_level_seq_cheaply_when_it_comes_first(message, seq):
    assert native._leading_seq(message) == seq
