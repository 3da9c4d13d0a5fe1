"""Open311 GeoReport v2: the spec's GET Service Requests examples (JSON and XML), served on loopback.

The spec's JSON example writes `"service_code":006`, which is not valid JSON; the fixture quotes it.
"""
from __future__ import annotations

import asyncio
import copy
import json
from pathlib import Path

import httpx
from aiohttp import web

from commandcenter.domain import Category, FeedState, Source, Status, parse_time
from commandcenter.feeds import make_feed
from commandcenter.feeds.open311 import parse_requests, to_incident

from tests.support.feeds import Collector, now, run_until, section, serve

FIX = Path(__file__).parent / "fixtures"
CATS = {"Sidewalk and Curb Issues": Category.UTILITIES}


class Open311Server:
    def __init__(self, xml_only: bool = False) -> None:
        self.requests = json.loads((FIX / "open311_requests.json").read_text())
        self.xml_only = xml_only
        self.queries: list[dict] = []
        self.broken: str | None = None

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/open311/v2/requests.json", self.json)
        app.router.add_get("/open311/v2/requests.xml", self.xml)
        return app

    def _window(self, request: web.Request) -> list[dict]:
        q = dict(request.query)
        self.queries.append(q)
        out = self.requests
        if "start_date" in q:
            out = [r for r in out if parse_time(r["requested_datetime"]) >= parse_time(q["start_date"])]
        if "updated_after" in q:
            out = [r for r in self.requests if parse_time(r.get("updated_datetime") or r["requested_datetime"]) >= parse_time(q["updated_after"])]
        return out

    async def json(self, request: web.Request) -> web.Response:
        if self.xml_only:
            return web.json_response([{"code": 404, "description": "format not supported"}], status=404)
        if self.broken == "html":
            return web.Response(text="<!DOCTYPE html><html><body>Service Unavailable</body></html>", content_type="text/html")
        if self.broken == "error":
            return web.json_response([{"code": 403, "description": "Invalid api_key"}])
        return web.json_response(self._window(request))

    async def xml(self, request: web.Request) -> web.Response:
        rows = self._window(request)
        parts = ["<?xml version=\"1.0\" encoding=\"utf-8\"?><service_requests>"]
        for r in rows:
            parts.append("<request>" + "".join(f"<{k}>{'' if v is None else v}</{k}>" for k, v in r.items()) + "</request>")
        parts.append("</service_requests>")
        return web.Response(text="".join(parts), content_type="text/xml")


def test_spec_examples_parse_json_and_xml_alike():
    a = parse_requests((FIX / "open311_requests.json").read_bytes(), "application/json")
    b = parse_requests((FIX / "open311_requests.xml").read_bytes(), "text/xml")
    ia = [to_incident(r, "sf311", CATS) for r, _ in a]
    ib = [to_incident(r, "sf311", CATS) for r, _ in b]
    assert [(i.id, i.status, i.version, i.lat, i.lon) for i in ia] == [(i.id, i.status, i.version, i.lat, i.lon) for i in ib]
    closed, open_ = ia
    assert closed.id == "sf311:638344" and closed.status is Status.CLOSED and closed.closed_at is not None
    assert closed.timeline[-1].note == "Duplicate request."
    assert open_.status is Status.REPORTED and open_.is_open
    assert closed.category is Category.UTILITIES and closed.source is Source.OPEN311
    assert closed.reported_at == parse_time("2010-04-14T14:37:38Z")
    assert closed.photos == ("http://city.gov.s3.amazonaws.com/requests/media/638344.jpg",)
    assert to_incident(a[0][0], "x", {}).category is Category.OTHER


def test_polls_windows_applies_updates_and_quarantines():
    async def main():
        srv = Open311Server()
        srv.requests.append({"service_request_id": 7, "status": "pending", "requested_datetime": "2010-04-20T00:00:00Z"})
        async with serve(srv.app()) as base, httpx.AsyncClient() as client:
            feed = make_feed(section(kind="open311", url=base + "/open311/v2", interval=0.05, categories=CATS), client)
            sink = Collector()
            task = asyncio.create_task(feed.run(sink, None))
            try:
                for _ in range(100):
                    await asyncio.sleep(0.02)
                    if len(sink.all("incidents")) >= 2:
                        break
                assert {q.record_id for q in sink.all("quarantined")} == {"t:7"}
                assert "status" in sink.all("quarantined")[0].reason
                # the open request gets closed with a note: a newer version
                upd = copy.deepcopy(srv.requests[1])
                upd.update(status="closed", status_notes="已修复", updated_datetime="2010-04-21T08:00:00Z")
                srv.requests[1] = upd
                for _ in range(100):
                    await asyncio.sleep(0.02)
                    if sink.latest("incidents")["t:638349"].status is Status.CLOSED:
                        break
                await asyncio.sleep(0.3)
                inc = sink.latest("incidents")["t:638349"]
                assert inc.status is Status.CLOSED and inc.timeline[-1].note == "已修复"
                assert any("start_date" in q for q in srv.queries) and any("updated_after" in q for q in srv.queries), (srv.queries[:4], feed.last_error)
                ids = [(r.id, r.version) for r in sink.all("incidents")]
                assert len(ids) == len(set(ids)) == 3
                assert len(sink.all("quarantined")) == 1      # re-fetched in every window, quarantined once
                assert feed.health(now()).state is FeedState.LIVE, feed.last_error
                cursor = json.loads(sink.cursor)
                assert cursor["updated"].startswith("2010-04-21T08:00")
            finally:
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)

    asyncio.run(main())


def test_xml_only_endpoint_and_whole_response_errors():
    async def main():
        srv = Open311Server(xml_only=True)
        async with serve(srv.app()) as base, httpx.AsyncClient() as client:
            feed = make_feed(section(kind="open311", url=base + "/open311/v2/requests.json", interval=0.05), client)
            sink = Collector()
            await run_until(lambda: feed.run(sink, None), lambda: len(sink.all("incidents")) >= 2, timeout=5)
            assert feed.format == "xml"
            srv.xml_only = False
            for broken, word in (("html", "HTML"), ("error", "Invalid api_key")):
                srv.broken = broken
                f2 = make_feed(section(kind="open311", url=base + "/open311/v2", interval=0.05), client)
                f2.backoff_base = f2._backoff.base = 0.01
                await run_until(lambda: f2.run(Collector(), None), lambda: f2.consecutive_failures >= 3, timeout=5)
                assert word in f2.health(now()).last_error
                assert f2.health(now()).state is FeedState.DOWN

    asyncio.run(main())
