"""Every native mode against the real simulator, with its fault switches, a kill/restart and a stall.

"Nothing lost, nothing duplicated": after the faults stop and the simulated world is frozen, the
records the sink committed equal the simulator's latest versions exactly, and no (id, version)
was committed twice.
"""
from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from datetime import datetime, timedelta, UTC

import httpx
import pytest

from commandcenter.domain import FeedState
from commandcenter.feeds import make_feed
from commandcenter.sim import Faults, SimServer

from tests.support.feeds import Collector, now, section
from tests.support.fixtures import eventually_holds

pytestmark = pytest.mark.fault
START = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(minutes=1)


def _sim(port: int = 0, **faults) -> SimServer:
    return SimServer(profile="street", seed=7, speed=120.0, rate=4.0, port=port, history_hours=1.0,
                     start_time=START, faults=Faults(**faults), heartbeat_s=0.5, retry_ms=50)


def _feed(mode: str, url: str, client: httpx.AsyncClient):
    feed = make_feed(section(name=f"sim-{mode}", url=url, mode=mode, interval=0.1, timeout=2.0), client)
    feed.backoff_base = feed._backoff.base = 0.02
    feed.backoff_cap = feed._backoff.cap = 0.5
    if mode != "poll":
        feed.heartbeat_s = 0.5
    else:
        feed.page_limit = 200
    return feed


async def _truth(url: str, client: httpx.AsyncClient) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for kind in ("incidents", "resources", "alerts"):
        j = (await client.get(f"{url}/{kind}", params={"limit": 5000})).json()
        assert not j["more"]
        out[kind] = {r["id"]: r["version"] for r in j["items"]}
    return out


def _got(sink: Collector) -> dict[str, dict[str, int]]:
    return {k: {i: r.version for i, r in sink.latest(k).items()} for k in ("incidents", "resources", "alerts")}


def _dupes(sink: Collector) -> list:
    c = Counter((k, r.id, r.version) for k in ("incidents", "resources", "alerts") for r in sink.all(k))
    return [k for k, n in c.items() if n > 1]


async def _freeze(server: SimServer) -> None:
    task = server._tick_task
    if task is not None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


@pytest.mark.parametrize("mode", ["poll", "sse", "ws"])
def test_mode_with_faults_loses_and_duplicates_nothing(mode):
    async def main():
        server = _sim(duplicate_rate=0.2, reorder_rate=0.2, error_rate=0.15, latency_ms=5, drop_every=40)
        url = await server.start()
        async with httpx.AsyncClient() as client:
            feed = _feed(mode, url, client)
            sink = Collector()
            task = asyncio.create_task(feed.run(sink, None))
            try:
                await asyncio.sleep(2.5)                       # the world runs 5 sim-minutes under faults
                assert len(sink.all("incidents")) > 0
                assert feed.duplicates > 0                     # duplicates were sent and dropped
                server.faults.reset()
                await _freeze(server)
                truth = await _truth(url, client)
                assert await eventually_holds(lambda: _got(sink) == truth, 15), feed.last_error
                assert _dupes(sink) == []
                assert sink.all("territory"), "territory is fetched at start"
                assert await eventually_holds(lambda: feed.health(now()).state is FeedState.LIVE, 10), feed.health(now())
            finally:
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
                await server.stop()

    asyncio.run(main())


@pytest.mark.parametrize("mode", ["poll", "sse", "ws"])
def test_malformed_input_is_quarantined_and_the_feed_goes_on(mode):
    async def main():
        server = _sim(malformed_rate=0.1)
        url = await server.start()
        async with httpx.AsyncClient() as client:
            feed = _feed(mode, url, client)
            sink = Collector()
            task = asyncio.create_task(feed.run(sink, None))
            try:
                assert await eventually_holds(lambda: len(sink.all("quarantined")) >= 3 and len(sink.all("incidents")) >= 10, 10)
                server.faults.reset()
                await _freeze(server)
                truth = await _truth(url, client)
                await asyncio.sleep(1.0)
                got = _got(sink)
                missing = [(k, i) for k in truth for i, v in truth[k].items() if got[k].get(i) != v]
                # a latest version that only ever arrived broken is in the quarantine, not lost silently
                assert len(missing) <= len(sink.all("quarantined"))
                if mode == "poll":
                    qids = {q.record_id for q in sink.all("quarantined")}
                    assert all(i in qids for _, i in missing)
                assert all(q.raw and q.reason and q.feed == feed.name for q in sink.all("quarantined"))
                assert _dupes(sink) == []
                assert not task.done()
            finally:
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
                await server.stop()

    asyncio.run(main())


@pytest.mark.parametrize("mode", ["poll", "sse", "ws"])
def test_kill_and_restart_the_backend(mode):
    """Stop the simulator mid-stream, bring it back on the same port: the feed resumes from its committed
    cursor and, once caught up, holds every record exactly once."""
    async def main():
        server = _sim()
        url = await server.start()
        port = server.port
        async with httpx.AsyncClient() as client:
            feed = _feed(mode, url, client)
            sink = Collector()
            task = asyncio.create_task(feed.run(sink, None))
            server2 = None
            try:
                assert await eventually_holds(lambda: len(sink.all("incidents")) >= 10, 10)
                await server.stop()                              # killed mid-stream
                reached = server.log.last_seq
                assert await eventually_holds(lambda: feed.last_error and feed.health(now()).state is not FeedState.LIVE, 6)
                server2 = _sim(port=port)                        # same seed and start: the same log
                await server2.start()
                saved = sink.cursor
                assert await eventually_holds(lambda: sink.cursor != saved, 10)
                await asyncio.sleep(1.0)
                # the new log must reach where the old one was killed: frozen short of it (a loaded machine), its
                # latest versions are older than some the feed already committed from the first life
                assert await eventually_holds(lambda: server2.log.last_seq >= reached, 15)
                await _freeze(server2)
                truth = await _truth(url, client)
                assert await eventually_holds(lambda: _got(sink) == truth, 15), feed.last_error
                assert _dupes(sink) == []
                # Health recovers once contact is regular again: allow it a few heartbeats.
                assert await eventually_holds(lambda: feed.health(now()).state is FeedState.LIVE, 15), feed.health(now())
            finally:
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
                await server.stop()
                if server2 is not None:
                    await server2.stop()

    asyncio.run(main())


@pytest.mark.parametrize("mode", ["poll", "sse", "ws"])
def test_stall_shows_in_health_then_recovers(mode):
    async def main():
        server = _sim()
        url = await server.start()
        async with httpx.AsyncClient() as client:
            feed = _feed(mode, url, client)
            feed.section = feed.section.model_copy(update={"timeout": 0.5})
            sink = Collector()
            task = asyncio.create_task(feed.run(sink, None))
            try:
                assert await eventually_holds(lambda: feed.health(now()).state is FeedState.LIVE and sink.all("incidents"), 10)
                server.faults.update({"stall": True})
                assert await eventually_holds(lambda: feed.health(now()).state in (FeedState.STALE, FeedState.DOWN), 12)
                server.faults.update({"stall": False})
                server._wake()
                assert await eventually_holds(lambda: feed.health(now()).state is FeedState.LIVE, 10), feed.health(now())
            finally:
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
                await server.stop()

    asyncio.run(main())
