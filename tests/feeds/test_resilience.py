"""Size caps, bearer tokens from the environment (never logged), backoff with jitter."""
from __future__ import annotations

import asyncio
import json
import logging

import httpx
import pytest
from aiohttp import web

from commandcenter.domain import FeedState
from commandcenter.feeds import Backoff, make_feed

from tests.support.feeds import Collector, FakePush, incident, now, run_until, section, serve

SECRET = "s3cr3t-token-value"


def test_backoff_grows_with_jitter_and_is_capped():
    b = Backoff(base=0.5, cap=8.0)
    delays = [b.next() for _ in range(12)]
    for n, d in enumerate(delays):
        ceiling = min(8.0, 0.5 * 2 ** n)
        assert ceiling / 2 <= d <= ceiling
    assert max(delays) <= 8.0 and len(set(delays)) == len(delays)     # jittered
    b.reset()
    assert b.next() <= 0.5


def test_bearer_token_from_env_never_logged(monkeypatch, caplog):
    async def main():
        seen = []

        async def items(request):
            seen.append(request.headers.get("Authorization"))
            if request.headers.get("Authorization") != f"Bearer {SECRET}":
                return web.json_response({"error": "unauthorized"}, status=401)
            kind = request.match_info["kind"]
            if kind == "territory":
                return web.json_response({"items": []})
            if kind == "kpis":
                return web.json_response({"at": "2026-11-23T09:00:00Z", "items": []})
            return web.json_response({"items": [incident(1)] if kind == "incidents" else [], "cursor": 1, "more": False})

        app = web.Application()
        app.router.add_get("/api/v1/{kind}", items)
        async with serve(app) as base, httpx.AsyncClient() as client:
            sec = section(url=base + "/api/v1", interval=0.05, token_env="CC_TEST_TOKEN")
            monkeypatch.delenv("CC_TEST_TOKEN", raising=False)
            feed = make_feed(sec, client)
            feed.backoff_base = 0.01
            await run_until(lambda: feed.run(Collector(), None), lambda: feed.consecutive_failures >= 1, timeout=5)
            assert "CC_TEST_TOKEN" in feed.last_error and not seen     # no request without the credential
            monkeypatch.setenv("CC_TEST_TOKEN", SECRET)
            feed = make_feed(sec, client)
            sink = Collector()
            await run_until(lambda: feed.run(sink, None), lambda: sink.all("incidents"), timeout=5)
            assert seen and all(h == f"Bearer {SECRET}" for h in seen)
            monkeypatch.setenv("CC_TEST_TOKEN", "wrong")
            feed = make_feed(sec, client)
            feed.backoff_base = 0.01
            await run_until(lambda: feed.run(Collector(), None), lambda: feed.consecutive_failures >= 1, timeout=5)
            assert "401" in feed.last_error

    with caplog.at_level(logging.DEBUG):
        asyncio.run(main())
    assert SECRET not in caplog.text


def test_poll_response_over_max_bytes_is_a_feed_error():
    async def main():
        async def big(request):
            kind = request.match_info["kind"]
            if kind == "territory":
                return web.json_response({"items": []})
            return web.json_response({"items": [incident(i, description="x" * 500) for i in range(50)],
                                      "cursor": 50, "more": False})

        app = web.Application()
        app.router.add_get("/api/v1/{kind}", big)
        async with serve(app) as base, httpx.AsyncClient() as client:
            feed = make_feed(section(url=base + "/api/v1", interval=0.05, max_bytes=4096), client)
            feed.backoff_base = 0.01
            sink = Collector()
            await run_until(lambda: feed.run(sink, None), lambda: feed.consecutive_failures >= 3, timeout=5)
            assert "max_bytes" in feed.last_error and feed.health(now()).state is FeedState.DOWN
            assert sink.all("incidents") == []

    asyncio.run(main())


@pytest.mark.parametrize("mode", ["sse", "ws"])
def test_oversized_push_message_is_quarantined_and_the_stream_goes_on(mode):
    async def main():
        be = FakePush()
        async with serve(be.app()) as base, httpx.AsyncClient() as client:
            be.publish("incident", incident(1))
            be.publish("incident", incident(2, description="大" * 3000))     # ~9 kB: over the cap
            be.publish("incident", incident(3))
            feed = make_feed(section(url=base + "/api/v1", mode=mode, max_bytes=4096, timeout=2), client)
            feed.heartbeat_s = 0.3
            feed.backoff_base = 0.02
            sink = Collector()
            ok = await run_until(lambda: feed.run(sink, None),
                                 lambda: sink.cursor and json.loads(sink.cursor).get("seq") == 3, timeout=8)
            assert ok, feed.last_error
            assert sorted(r.id for r in sink.all("incidents")) == ["I1", "I3"]
            (q,) = sink.all("quarantined")
            assert "max_bytes" in q.reason and len(q.raw) <= 8192

    asyncio.run(main())


def test_version_map_drops_old_and_equal_versions_and_is_bounded():
    from commandcenter.feeds import VersionMap

    m = VersionMap(cap=3)
    m.commit("incident", "a", 2)
    assert not m.is_new("incident", "a", 2) and not m.is_new("incident", "a", 1) and m.is_new("incident", "a", 3)
    assert m.is_new("alert", "a", 1)                      # per kind
    for rid in "bcd":
        m.commit("incident", rid, 1)
    assert len(m) == 3 and m.is_new("incident", "a", 2)   # the oldest was forgotten
