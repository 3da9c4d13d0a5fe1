"""Per-record isolation against hostile backends: one bad record never stops its feed, loses or duplicates a good one.

Each case of issue 15's first two points is a record a buggy or hostile backend sends between good ones, served
over the native protocol's three modes (poll, SSE, WebSocket) from a backend on 127.0.0.1 that sends exactly the
bytes we give it (the simulator's encoder cannot even write most of them), into the real ingest pipeline and the
real store, SQLite and PostgreSQL. Counted every time: good records lost (0), duplicated (0), feed crashes (0);
the bad record is in the quarantine with its reason, and a restart (also one that re-reads everything) does not
grow the quarantine.
"""
from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import Any

import pytest
from aiohttp import WSMsgType, web
from sqlalchemy import text

from commandcenter.config import config_from_dict
from commandcenter.domain import encode
from commandcenter.services import IngestPipeline
from commandcenter.store import Store

from tests.support import faults
from tests.support.feeds import serve

GOOD_AROUND = 10          # good records before and after each bad one
DEEP = 10_000


# ---- the hostile records ---------------------------------------------------------------------------------------
def good(case: str, i: int) -> dict[str, Any]:
    return encode(faults.incident(i, prefix=f"good-{case}"))


def hostile(case: str) -> list[tuple[str, str]]:
    """(record id, the record's JSON text as the backend sends it) of one hostile case."""
    base = good(case, 99)
    rid = f"hostile-{case}"

    def text_of(**changes: Any) -> str:
        return json.dumps({**base, "id": rid, **changes}, ensure_ascii=True)

    if case == "version_2_64":
        return [(rid, text_of(version=2 ** 64))]
    if case == "int_10_30":
        return [(rid, text_of(people_trapped=10 ** 30))]
    if case == "year_9999":
        return [(rid, text_of(reported_at="9999-12-31T23:59:59Z", updated_at="9999-12-31T23:59:59Z"))]
    if case == "year_0001":
        return [(rid, text_of(reported_at="0001-01-01T00:00:00Z"))]
    if case == "year_1969":
        return [(rid, text_of(reported_at="1969-12-31T12:00:00Z"))]
    if case == "lone_surrogate":
        return [(rid, text_of(title="燃气泄漏 \ud800"))]          # ensure_ascii: the wire carries "\ud800"
    if case == "nul":
        return [(rid, text_of(title="燃气泄漏\x00已处置"))]
    if case == "ids_after_64":
        stem = "X" * 64
        return [(stem + "-a", text_of(id=stem + "-a")), (stem + "-b", text_of(id=stem + "-b"))]
    if case == "deep_nesting":
        return [(rid, text_of()[:-1] + ', "extra": ' + "[" * DEEP + "]" * DEEP + "}")]
    raise AssertionError(case)


CASES = ["version_2_64", "int_10_30", "year_9999", "year_0001", "year_1969", "lone_surrogate", "nul",
         "ids_after_64", "deep_nesting"]


# ---- a backend that sends exactly these bytes ---------------------------------------------------------------------
@dataclass
class Message:
    seq: int
    record_id: str
    data: str        # the record's JSON text

    @property
    def text(self) -> str:
        return f'{{"seq":{self.seq},"type":"incident","sent_at":"2026-12-06T12:00:00Z","data":{self.data}}}'


class HostileBackend:
    """The native protocol (docs/feed-protocol.md) over a fixed log of incident messages given as JSON text."""

    heartbeat_s = 0.2

    def __init__(self, records: list[tuple[str, str]]) -> None:
        self.log = [Message(seq, rid, data) for seq, (rid, data) in enumerate(records, start=1)]
        self.last_seq = len(self.log)
        self.app = web.Application()
        self.app.router.add_get("/api/v1/incidents", self.incidents)
        for kind in ("resources", "alerts"):
            self.app.router.add_get(f"/api/v1/{kind}", self.empty)
        self.app.router.add_get("/api/v1/territory", self.nothing)
        self.app.router.add_get("/api/v1/kpis", self.nothing)
        self.app.router.add_get("/api/v1/stream", self.stream)
        self.app.router.add_get("/api/v1/ws", self.ws)

    def _page(self, since: int, items: list[Message], more: bool) -> web.Response:
        cursor = items[-1].seq if items else since
        body = (f'{{"items":[{",".join(m.data for m in items)}],"cursor":{cursor},'
                f'"more":{"true" if more else "false"},"last_seq":{self.last_seq}}}')
        return web.Response(text=body, content_type="application/json")

    async def incidents(self, request: web.Request) -> web.Response:
        since = int(request.query.get("since", 0))
        limit = int(request.query.get("limit", 500))
        after = [m for m in self.log if m.seq > since]
        return self._page(since, after[:limit], len(after) > limit)

    async def nothing(self, request: web.Request) -> web.Response:
        return web.json_response({"items": []})

    async def empty(self, request: web.Request) -> web.Response:
        return self._page(int(request.query.get("since", 0)), [], False)

    async def stream(self, request: web.Request) -> web.StreamResponse:
        cursor = int(request.headers.get("Last-Event-ID") or 0)
        resp = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await resp.prepare(request)
        await resp.write(b"retry: 50\n\n")
        frames = [f"id: {m.seq}\nevent: incident\ndata: {m.text}\n\n" for m in self.log if m.seq > cursor]
        try:
            await resp.write("".join(frames).encode("utf-8"))
            while True:
                await asyncio.sleep(self.heartbeat_s)
                await resp.write(b": heartbeat\n\n")
        except (ConnectionError, asyncio.CancelledError):
            pass
        return resp

    async def ws(self, request: web.Request) -> web.WebSocketResponse:
        cursor = int(request.query.get("cursor", 0))
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        try:
            for m in self.log:
                if m.seq > cursor:
                    await ws.send_str(m.text)
            while not ws.closed:
                heartbeat = {"seq": self.last_seq, "type": "heartbeat", "data": {"last_seq": self.last_seq}}
                await ws.send_str(json.dumps(heartbeat))
                try:
                    msg = await ws.receive(timeout=self.heartbeat_s)
                except TimeoutError:
                    continue
                if msg.type in (WSMsgType.CLOSE, WSMsgType.CLOSING, WSMsgType.CLOSED, WSMsgType.ERROR):
                    break
        except (ConnectionError, asyncio.CancelledError):
            pass
        return ws


# ---- counting --------------------------------------------------------------------------------------------------
@dataclass
class Counts:
    lost: int
    duplicated: int
    crashes: int
    stored_bad: int
    quarantined: dict[str, str]       # bad record id → reason


def count(store: Store, pipeline: IngestPipeline, good_ids: dict[str, int], bad_ids: list[str]) -> Counts:
    with store.engine.connect() as conn:
        stored = dict(conn.execute(text("SELECT id, version FROM incidents")).all())
        duplicated = conn.execute(text("SELECT COUNT(*) FROM (SELECT record_id, version FROM record_log "
                                       "GROUP BY record_id, version HAVING COUNT(*) > 1) AS d")).scalar()
    quarantined: dict[str, str] = {}
    for q in store.quarantine(limit=10_000):
        for rid in bad_ids:
            if rid.encode() in q.raw and q.reason:
                quarantined[rid] = q.reason
    crashes = sum(1 for f in pipeline.feeds if f.last_error) + (0 if pipeline.feeds_running else 1)
    return Counts(lost=sum(1 for rid, v in good_ids.items() if stored.get(rid) != v), duplicated=int(duplicated or 0),
                  crashes=crashes, stored_bad=sum(1 for rid in bad_ids if rid in stored or rid[:64] in stored),
                  quarantined=quarantined)


def config(url: str, mode: str):
    return config_from_dict({"feeds": [{"name": "hostile", "kind": "native", "url": f"{url}/api/v1", "mode": mode,
                                        "interval": 0.1, "timeout": 1.0}]})


async def run_pipeline(store: Store, url: str, mode: str, done, wait, counted) -> tuple[bool, Counts]:
    """The real pipeline on `store` until `done()` (or `wait` gives up); the counts taken while it still runs."""
    pipeline = IngestPipeline(config(url, mode), store)
    await pipeline.start()
    faults.fast_feeds(pipeline)
    try:
        reached = await wait(done, timeout=20.0)
        await pipeline.in_store(lambda: None)       # the last batch handed to the store has committed
        return reached, counted(pipeline)
    finally:
        await pipeline.close()


def isolate(qloop, eventually, store_url: str, mode: str, cases: list[str]) -> tuple[Counts, Counts, Counts]:
    """Serve each case between good records; run, restart, then restart from the start of the log."""
    records: list[tuple[str, str]] = []
    good_ids: dict[str, int] = {}
    bad_ids: list[str] = []
    for case in cases:
        for i in range(GOOD_AROUND):
            r = good(case, i)
            records.append((r["id"], json.dumps(r, ensure_ascii=False)))
            good_ids[r["id"]] = r["version"]
        for rid, data in hostile(case):
            records.append((rid, data))
            bad_ids.append(rid)
        for i in range(GOOD_AROUND, 2 * GOOD_AROUND):
            r = good(case, i)
            records.append((r["id"], json.dumps(r, ensure_ascii=False)))
            good_ids[r["id"]] = r["version"]
    backend = HostileBackend(records)

    async def scenario() -> tuple[Counts, Counts, Counts]:
        async with serve(backend.app) as url:
            store = Store.open(store_url)
            try:
                def arrived() -> bool:
                    cursor = store.cursor("hostile") or ""
                    return all(f'"{k}":{backend.last_seq}' in cursor.replace(" ", "")
                               for k in (["incidents"] if mode == "poll" else ["seq"]))

                def counted(pipeline: IngestPipeline) -> Counts:
                    return count(store, pipeline, good_ids, bad_ids)

                reached, first = await run_pipeline(store, url, mode, arrived, eventually, counted)
                assert reached, f"the feed never reached seq {backend.last_seq}: cursor {store.cursor('hostile')}"
                size = store.quarantine_count()
                _, again = await run_pipeline(store, url, mode, lambda: False, restart_run, counted)
                assert store.quarantine_count() == size, "a restart added quarantine entries"
                with store.engine.begin() as conn:      # a restart that re-reads the backend's whole log
                    conn.execute(text("DELETE FROM feed_cursors"))
                reached, reread = await run_pipeline(store, url, mode, arrived, eventually, counted)
                assert reached, f"the re-read never reached seq {backend.last_seq}"
                assert store.quarantine_count() == size, "re-reading the same bad records grew the quarantine"
                return first, again, reread
            finally:
                store.close()

    return qloop.run_until_complete(scenario())


async def restart_run(predicate, timeout: float = 20.0) -> bool:
    """A restart's run: long enough for several poll cycles or one stream connection, then stop."""
    await asyncio.sleep(0.6)
    return predicate()


def assert_isolated(counts: Counts, cases: list[str]) -> None:
    bad_ids = [rid for case in cases for rid, _ in hostile(case)]
    assert (counts.lost, counts.duplicated, counts.crashes, counts.stored_bad) == (0, 0, 0, 0), counts
    assert sorted(counts.quarantined) == sorted(bad_ids), counts.quarantined


# ---- the cases ----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("mode", ["poll", "sse", "ws"])
@pytest.mark.parametrize("case", CASES)
def test_one_bad_record_is_quarantined_and_the_feed_goes_on(qloop, eventually, store_url, case, mode) -> None:
    """Between 10 good records and 10 more: the bad one is quarantined with its reason, every good one is stored
    once, the feed never fails; restarting (from its cursor, and from the start of the log) adds nothing."""
    first, again, reread = isolate(qloop, eventually, store_url, mode, [case])
    for counts in (first, again, reread):
        assert_isolated(counts, [case])


def test_reasons_name_what_is_wrong(qloop, eventually, tmp_path) -> None:
    """Every case at once, over SSE: the quarantine says, per record, which field and which limit."""
    first, _, _ = isolate(qloop, eventually, f"sqlite:///{tmp_path / 'store.db'}", "sse", CASES)
    assert_isolated(first, CASES)
    reasons = first.quarantined
    assert "version" in reasons["hostile-version_2_64"] and "64-bit" in reasons["hostile-version_2_64"]
    assert "people_trapped" in reasons["hostile-int_10_30"]
    for case in ("year_9999", "year_0001", "year_1969"):
        assert "_at: time" in reasons[f"hostile-{case}"] and "outside 1971-01-01" in reasons[f"hostile-{case}"]
    assert "lone surrogate U+D800" in reasons["hostile-lone_surrogate"]
    assert "NUL" in reasons["hostile-nul"]
    assert all("longer than 64 characters" in reasons["X" * 64 + s] for s in ("-a", "-b"))
    assert "nested too deeply" in reasons["hostile-deep_nesting"]


# ---- the adapters that build records themselves -------------------------------------------------------------------
def test_open311_quarantines_each_hostile_request_and_keeps_the_good_ones() -> None:
    from commandcenter.domain import InvalidRecord
    from commandcenter.feeds.open311 import parse_requests, to_incident

    good_request = {"service_request_id": 1, "status": "open", "service_name": "路灯损坏",
                    "requested_datetime": "2026-12-06T08:00:00+08:00", "lat": 37.4, "long": 118.5}
    hostile_requests = {
        2: {"requested_datetime": "9999-12-31T23:59:59-01:00"},
        3: {"requested_datetime": "1969-12-31T12:00:00Z"},
        4: {"description": "燃气泄漏\x00已处置"},
        5: {"description": "燃气泄漏 \ud800"},
    }
    items = [json.dumps(good_request)] + [json.dumps({**good_request, "service_request_id": k, **v})
                                          for k, v in hostile_requests.items()]
    items.append(json.dumps({**good_request, "service_request_id": 6})[:-1] + ', "x": ' + "[" * DEEP + "]" * DEEP + "}")
    items.append(json.dumps({**good_request, "service_request_id": 7}))
    records = parse_requests(("[" + ",".join(items) + "]").encode())
    kept, refused = [], []
    for rec, _raw in records:
        try:
            kept.append(to_incident(rec, "o311", {}).id)
        except InvalidRecord as exc:
            refused.append(exc.reason)
    assert kept == ["o311:1", "o311:7"]
    assert len(refused) == 5 and all(refused)
    assert any("nested too deeply" in r for r in refused) and any("NUL" in r for r in refused)


def test_cap_quarantines_an_alert_outside_the_calendar_and_keeps_the_red_warning_beside_it() -> None:
    from commandcenter.domain import AlertLevel
    from commandcenter.feeds.base import BatchBuilder, FeedBase
    from commandcenter.feeds.cap import CapParser
    from commandcenter.feeds.xmlsafe import parse_xml
    from tests.support.feeds import section

    ns = 'xmlns="urn:oasis:names:tc:emergency:cap:1.2"'

    def alert(identifier: str, sent: str, headline: str = "暴雨红色预警", expires: str = "2026-12-07T00:00:00+08:00") -> str:
        return (f"<alert {ns}><identifier>{identifier}</identifier><sender>qx@cma.gov.cn</sender><sent>{sent}</sent>"
                f"<status>Actual</status><msgType>Alert</msgType><scope>Public</scope><info><language>zh-CN</language>"
                f"<category>Met</category><event>暴雨</event><urgency>Immediate</urgency><severity>Extreme</severity>"
                f"<certainty>Observed</certainty><expires>{expires}</expires><headline>{headline}</headline></info></alert>")

    # (XML itself cannot carry a NUL or a lone surrogate: the parser refuses the document; see tests/feeds/test_cap.py)
    doc = (f"<feed>{alert('late', '9999-12-31T23:59:59-01:00')}{alert('red', '2026-12-06T08:00:00+08:00')}"
           f"{alert('old', '2026-12-06T08:02:00+08:00', expires='0001-01-01T00:00:00Z')}</feed>")
    builder = BatchBuilder(FeedBase(section(kind="cap"), None))
    CapParser("cap").add_document(builder, parse_xml(doc.encode()))
    assert [(a.id, a.level) for a in builder.batch.alerts] == [("cap:red", AlertLevel.RED)]
    reasons = {q.record_id: q.reason for q in builder.batch.quarantined}
    assert "cap:late" in reasons and "cap:old" in reasons and "outside" in reasons["cap:old"]


def test_geojson_quarantines_a_feature_nested_too_deeply_or_with_a_nul_and_keeps_the_others() -> None:
    from commandcenter.domain import InvalidRecord
    from commandcenter.feeds.geojson import feature_to_node, parse_feature_collection
    from commandcenter.domain.wirejson import Unparsed

    def feature(fid: str, name: str = "网格") -> str:
        return json.dumps({"type": "Feature", "properties": {"id": fid, "name": name, "level": "grid", "parent_id": "c"},
                           "geometry": None}, ensure_ascii=True)

    deep = feature("deep")[:-1] + ', "x": ' + "[" * DEEP + "]" * DEEP + "}"
    body = ('{"type": "FeatureCollection", "features": [' +
            ",".join([feature("g1"), deep, feature("nul", "网\x00格"), feature("g2")]) + "]}").encode()
    kept, refused = [], []
    for f in parse_feature_collection(body):
        if isinstance(f, Unparsed):
            refused.append(f.reason)
            continue
        try:
            kept.append(feature_to_node(f).id)
        except InvalidRecord as exc:
            refused.append(exc.reason)
    assert kept == ["g1", "g2"]
    assert len(refused) == 2 and any("nested too deeply" in r for r in refused) and any("NUL" in r for r in refused)


def test_any_exception_a_decoder_raises_quarantines_that_record_only(monkeypatch) -> None:
    """Not only the failures the checks foresee: a decoder that raises anything sets that record aside."""
    from commandcenter.feeds import native
    from commandcenter.feeds.base import BatchBuilder, FeedBase
    from tests.support.feeds import section

    original = native.DECODERS["incident"]

    def fragile(data):
        if data.get("id") == "odd":
            raise KeyError("a corner no check foresaw")
        return original(data)

    monkeypatch.setitem(native.DECODERS, "incident", fragile)
    builder = BatchBuilder(FeedBase(section(), None))
    native.add_records(builder, "incident", [good("any", 1), {**good("any", 2), "id": "odd"}, good("any", 3)])
    assert [r.id for r in builder.batch.incidents] == ["good-any-1", "good-any-3"]
    (q,) = builder.batch.quarantined
    assert q.reason.startswith("KeyError") and b'"odd"' in q.raw
