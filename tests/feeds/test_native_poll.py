"""Native polling against a scripted server: pages, cursors, dedupe, quarantine, whole-response errors."""
from __future__ import annotations

import asyncio
import json

import httpx
from aiohttp import web

from commandcenter.domain import FeedState
from commandcenter.feeds import make_feed

from tests.support.feeds import Collector, now, run_until, section, serve


def incident(i: int, v: int = 1) -> dict:
    return {"id": f"I{i}", "version": v, "updated_at": "2026-11-23T09:00:00Z", "reported_at": "2026-11-23T08:00:00Z",
            "title": f"事件{i}", "category": "dispute", "source": "grid_app", "severity": 2, "status": "reported",
            "grid_id": "G1"}


class Backend:
    """Per-type change logs; serves the native poll API."""

    def __init__(self) -> None:
        self.log: dict[str, list[tuple[int, dict]]] = {"incidents": [], "resources": [], "alerts": []}
        self.seq = 0
        self.requests: list[str] = []
        self.broken: str | None = None

    def put(self, kind: str, record: dict) -> None:
        self.seq += 1
        self.log[kind] = [(s, r) for s, r in self.log[kind] if r.get("id") != record.get("id")]
        self.log[kind].append((self.seq, record))

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/api/v1/territory", self.territory)
        app.router.add_get("/api/v1/kpis", self.kpis)
        app.router.add_get("/api/v1/{kind}", self.list)
        return app

    async def territory(self, request: web.Request) -> web.Response:
        return web.json_response({"items": [{"id": "C1", "level": "city", "name": "市", "parent_id": None},
                                            {"id": "bad", "level": "planet", "name": "x", "parent_id": None}]})

    async def kpis(self, request: web.Request) -> web.Response:
        return web.json_response({"at": "2026-11-23T09:00:00Z", "items": [{"name": "disposal_rate", "value": 0.99}]})

    async def list(self, request: web.Request) -> web.Response:
        kind = request.match_info["kind"]
        self.requests.append(str(request.rel_url))
        if self.broken == "html":
            return web.Response(text="<html><body>502 Bad Gateway</body></html>", content_type="text/html")
        if self.broken == "truncated":
            return web.Response(text='{"items": [', content_type="application/json")
        if self.broken == "503":
            return web.Response(status=503, text="busy")
        since = int(request.query.get("since", 0))
        limit = int(request.query.get("limit", 500))
        rows = [(s, r) for s, r in self.log[kind] if s > since]
        page = rows[:limit]
        return web.json_response({"items": [r for _, r in page], "cursor": page[-1][0] if page else since,
                                  "more": len(rows) > limit, "last_seq": self.seq})


def test_poll_pages_cursor_dedupe_and_quarantine():
    async def main():
        be = Backend()
        for i in range(25):
            be.put("incidents", incident(i))
        be.put("incidents", {"id": "broken", "version": 1})           # malformed: quarantined
        be.put("alerts", {"id": "A1", "version": 1, "updated_at": "2026-11-23T09:00:00Z", "level": 3, "type": "weather",
                          "title": "暴雨橙色预警", "status": "active", "issued_at": "2026-11-23T09:00:00Z"})
        async with serve(be.app()) as base, httpx.AsyncClient() as client:
            feed = make_feed(section(url=base + "/api/v1", interval=0.05), client)
            feed.page_limit = 10
            sink = Collector()
            ok = await run_until(lambda: feed.run(sink, None), lambda: len(sink.all("incidents")) >= 25 and sink.all("alerts") and sink.all("kpis"))
            assert ok
            assert feed.health(now()).state is FeedState.LIVE
            assert len(sink.all("territory")) == 1
            q = sink.all("quarantined")
            assert {x.record_id for x in q} >= {"broken", "bad"}
            assert sink.all("kpis")[0].name == "disposal_rate"
            cursor = json.loads(sink.cursor)
            assert cursor["incidents"] == 26 and cursor["alerts"] == 27
            # restart from the persisted cursor: only new changes come, old ones are not re-fetched
            be.put("incidents", incident(3, v=2))
            be.put("incidents", incident(4, v=1))  # same version re-sent: not new to a fresh map, but store dedupes
            feed2 = make_feed(section(url=base + "/api/v1", interval=0.05), client)
            sink2 = Collector()
            await run_until(lambda: feed2.run(sink2, sink.cursor), lambda: len(sink2.all("incidents")) >= 2)
            got = sorted((r.id, r.version) for r in sink2.all("incidents"))
            assert got == [("I3", 2), ("I4", 1)]
            assert any("since=26" in r for r in be.requests)

    asyncio.run(main())


def test_whole_response_errors_are_feed_errors_not_crashes():
    async def main():
        be = Backend()
        be.put("incidents", incident(1))
        async with serve(be.app()) as base, httpx.AsyncClient() as client:
            for broken, word in (("html", "HTML"), ("truncated", "invalid JSON"), ("503", "HTTP 503")):
                be.broken = broken
                feed = make_feed(section(url=base + "/api/v1", interval=0.05), client)
                feed.backoff_base = 0.01
                feed._backoff.base = 0.01
                sink = Collector()
                await run_until(lambda: feed.run(sink, None), lambda: feed.consecutive_failures >= 3, timeout=5)
                h = feed.health(now())
                assert h.state is FeedState.DOWN, (broken, h)
                assert word in h.last_error
                assert sink.all("incidents") == []
            be.broken = None
            sink = Collector()
            await run_until(lambda: feed.run(sink, None), lambda: sink.all("incidents"), timeout=5)
            assert feed.health(now()).state is FeedState.LIVE

    asyncio.run(main())


def test_sink_failure_retries_without_loss():
    async def main():
        be = Backend()
        for i in range(5):
            be.put("incidents", incident(i))
        async with serve(be.app()) as base, httpx.AsyncClient() as client:
            feed = make_feed(section(url=base + "/api/v1", interval=0.05), client)
            feed.backoff_base = 0.01
            feed._backoff.base = 0.01
            sink = Collector()
            sink.fail_next = 2
            await run_until(lambda: feed.run(sink, None), lambda: len(sink.all("incidents")) >= 5, timeout=5)
            assert sorted(r.id for r in sink.all("incidents")) == [f"I{i}" for i in range(5)]

    asyncio.run(main())


def test_backend_that_lost_its_log_is_read_again_from_the_start():
    async def main():
        be = Backend()
        for i in range(5):
            be.put("incidents", incident(i))
        async with serve(be.app()) as base, httpx.AsyncClient() as client:
            feed = make_feed(section(url=base + "/api/v1", interval=0.05), client)
            sink = Collector()
            saved = json.dumps({"incidents": 900, "resources": 900, "alerts": 900})   # from before the reset
            await run_until(lambda: feed.run(sink, saved), lambda: len(sink.all("incidents")) >= 5, timeout=5)
            assert sorted(r.id for r in sink.all("incidents")) == [f"I{i}" for i in range(5)]
            assert json.loads(sink.cursor)["incidents"] == 5

    asyncio.run(main())
