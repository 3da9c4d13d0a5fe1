"""Hostile backends against the feeds' cursors and health (issue 15, points 2, 3 and 7).

A tiny aiohttp backend on 127.0.0.1 speaks the native protocol (status, pull API, SSE, WebSocket) or serves a CAP
index, and lies in one way per test: a sequence number from nowhere, a restart with a shorter or another log, a
gap on resume, a stream that trickles or never ends a line, `retry: 0` with clean closes, a gzip bomb. Each test
counts good records lost (0) and duplicated (0), checks the feed never crashed (its task still runs) and that its
health says "live" only while complete records arrive and are committed.
"""
from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import struct
import subprocess
import sys
import uuid
import zlib

import httpx
import pytest
from aiohttp import web

from commandcenter.domain import FeedState
from commandcenter.feeds import make_feed, native

from tests.support.feeds import Collector, incident, latest_since, now, section, serve
from tests.support.fixtures import eventually_holds

POISON = 999_999_999_999
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class Backend:
    """A native backend whose log the test writes; `restart` swaps the log (and its id) and cuts connections."""

    def __init__(self) -> None:
        self.messages: list[str] = []          # message JSON by seq - 1
        self.log_id = uuid.uuid4().hex
        self.generation = 0                    # bumped by restart: open streams end
        self.changed = asyncio.Event()
        self.extra: dict[int, list[str]] = {}  # after seq N, these extra (hostile) messages are pushed too
        self.skip_on_resume = 0                # a resumed stream starts this many seqs late
        self.poll_poison_once = False          # the next incidents page names a cursor from nowhere
        self.with_log_id = True                # False: a status without a log id (only last_seq tells a restart)
        self.connects = 0

    # -- the log ------------------------------------------------------------------------------------
    def publish(self, data: dict, seq: int | None = None) -> int:
        seq = len(self.messages) + 1
        self.messages.append(json.dumps({"seq": seq, "type": "incident", "sent_at": now().isoformat(), "data": data}))
        self._wake()
        return seq

    def inject_after(self, seq: int, fake_seq: int, data: dict) -> None:
        self.extra.setdefault(seq, []).append(
            json.dumps({"seq": fake_seq, "type": "incident", "sent_at": now().isoformat(), "data": data}))

    def restart(self, keep: int = 0) -> None:
        """A restart with another log: its first `keep` messages (0: empty), a new log id."""
        self.messages = self.messages[:keep]
        self.extra.clear()
        self.log_id = uuid.uuid4().hex
        self.generation += 1
        self._wake()

    def _wake(self) -> None:
        self.changed.set()
        self.changed = asyncio.Event()

    # -- HTTP ---------------------------------------------------------------------------------------
    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/api/v1/status", self.status)
        app.router.add_get("/api/v1/stream", self.sse)
        app.router.add_get("/api/v1/ws", self.ws)
        app.router.add_get("/api/v1/{kind}", self.poll)
        return app

    async def status(self, request: web.Request) -> web.Response:
        status = {"first_seq": 1, "last_seq": len(self.messages)}
        return web.json_response({**status, "log_id": self.log_id} if self.with_log_id else status)

    async def poll(self, request: web.Request) -> web.Response:
        kind = request.match_info["kind"]
        if kind == "territory":
            return web.json_response({"items": []})
        since = int(request.query.get("since", 0))
        rows = latest_since(self.messages, kind, since)
        cursor = rows[-1][0] if rows else since
        if kind == "incidents" and rows and self.poll_poison_once:
            self.poll_poison_once, cursor = False, POISON
        return web.json_response({"items": [d for _, d in rows], "cursor": cursor, "more": False,
                                  "last_seq": len(self.messages)})

    def _resume_at(self, cursor: int, resumed: bool) -> int:
        return cursor + (self.skip_on_resume if resumed and cursor else 0)

    async def sse(self, request: web.Request) -> web.StreamResponse:
        self.connects += 1
        last = request.headers.get("Last-Event-ID")
        cursor = self._resume_at(int(last) if last and last.isdigit() else 0, last is not None)
        generation = self.generation
        resp = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await resp.prepare(request)
        await resp.write(b"retry: 50\n\n")
        while generation == self.generation:
            while cursor < len(self.messages):
                cursor += 1
                await resp.write(f"id: {cursor}\ndata: {self.messages[cursor - 1]}\n\n".encode())
                for text in self.extra.get(cursor, []):
                    await resp.write(f"id: {json.loads(text)['seq']}\ndata: {text}\n\n".encode())
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.changed.wait(), 0.2)
            await resp.write(b": heartbeat\n\n")
        return resp

    async def ws(self, request: web.Request) -> web.WebSocketResponse:
        self.connects += 1
        c = request.query.get("cursor")
        cursor = self._resume_at(int(c) if c and c.isdigit() else 0, c is not None)
        generation = self.generation
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        while generation == self.generation:
            while cursor < len(self.messages):
                cursor += 1
                await ws.send_str(self.messages[cursor - 1])
                for text in self.extra.get(cursor, []):
                    await ws.send_str(text)
            try:
                await asyncio.wait_for(self.changed.wait(), 0.2)
            except TimeoutError:
                await ws.send_str(json.dumps({"seq": cursor, "type": "heartbeat", "sent_at": now().isoformat(),
                                              "data": {"last_seq": len(self.messages)}}))
        await ws.close()
        return ws


def make(mode: str, base: str, client: httpx.AsyncClient, **kw):
    feed = make_feed(section(url=base + "/api/v1", mode=mode, timeout=2, interval=0.1, **kw), client)
    feed.heartbeat_s = 0.3
    feed.backoff_base = feed._backoff.base = 0.02
    return feed


def stored(sink: Collector) -> list[tuple[str, int]]:
    return [(r.id, r.version) for r in sink.all("incidents")]


def assert_exactly_once(sink: Collector, expected: set[tuple[str, int]]) -> None:
    got = stored(sink)
    lost = expected - set(got)
    duplicated = len(got) - len(set(got))
    assert (len(lost), duplicated) == (0, 0), f"lost {sorted(lost)[:5]}…, duplicated {duplicated}"


@contextlib.asynccontextmanager
async def running(feed, sink, cursor=None):
    """The feed's task, running; on the way out it must still be running (a feed never crashes)."""
    task = asyncio.create_task(feed.run(sink, cursor))
    try:
        yield task
        assert not task.done(), f"the feed task ended: {task.exception()!r}"
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def seq_of(cursor: str | None) -> int:
    values = native.parse_cursor(cursor)
    return max(values.values(), default=0)


# ---- cursors ----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("mode", ["poll", "sse", "ws"])
def test_a_sequence_number_from_nowhere_never_becomes_the_cursor(mode, monkeypatch):
    """One `id: 999999999999` (poll: a page cursor) must not silence the feed while it shows "live"."""
    monkeypatch.setattr(native.SeqTracker, "max_gap_s", 0.2)     # holes are skipped quickly (they would be anyway)

    async def main():
        be = Backend()
        async with serve(be.app()) as base, httpx.AsyncClient() as client:
            for i in range(10):
                be.publish(incident(i))
            be.inject_after(10, POISON, incident(100))          # a good record under a lying seq
            be.poll_poison_once = True
            feed, sink = make(mode, base, client), Collector()
            async with running(feed, sink):
                assert await eventually_holds(lambda: len(sink.all("incidents")) >= 10 + (mode != "poll"))
                await asyncio.sleep(0.5)                           # past the hole timeout
                for i in range(10, 20):
                    be.publish(incident(i))
                assert await eventually_holds(lambda: ("I19", 1) in stored(sink)), (sink.cursor, feed.last_error)
                await asyncio.sleep(0.3)
                assert seq_of(sink.cursor) <= len(be.messages)
                for i in range(20, 30):                           # the feed still hears what comes next
                    be.publish(incident(i))
                assert await eventually_holds(lambda: ("I29", 1) in stored(sink)), (sink.cursor, feed.last_error)
                assert feed.health(now()).state is FeedState.LIVE
            expected = {(f"I{i}", 1) for i in range(30)} | ({("I100", 1)} if mode != "poll" else set())
            assert_exactly_once(sink, expected)
            assert seq_of(sink.cursor) == 30
            # and a restart from the saved cursor resumes where the log really is
            be.publish(incident(30))
            feed2, sink2 = make(mode, base, client), Collector()
            async with running(feed2, sink2, sink.cursor):
                assert await eventually_holds(lambda: ("I30", 1) in stored(sink2))

    asyncio.run(main())


@pytest.mark.parametrize("mode", ["poll", "sse", "ws"])
@pytest.mark.parametrize("keep", [0, 5], ids=["empty", "shorter"])
def test_a_backend_restarted_with_a_shorter_log_is_noticed(mode, keep):
    """The backend offers no log id here: its last seq, below our cursor, is what tells (every mode)."""
    async def main():
        be = Backend()
        be.with_log_id = False
        async with serve(be.app()) as base, httpx.AsyncClient() as client:
            for i in range(50):
                be.publish(incident(i))
            feed, sink = make(mode, base, client), Collector()
            async with running(feed, sink):
                assert await eventually_holds(lambda: seq_of(sink.cursor) == 50)
                connects = be.connects
                be.restart(keep=keep)
                if mode == "poll":
                    await asyncio.sleep(0.5)
                else:   # the feed is back on the restarted backend before anything new is logged
                    assert await eventually_holds(lambda: be.connects > connects)
                    await asyncio.sleep(0.3)
                for i in range(1000, 1093):                        # 93 new incidents, ids the old log never had
                    be.publish(incident(i))
                assert await eventually_holds(lambda: ("I1092", 1) in stored(sink), 15), (sink.cursor, feed.last_error)
                assert feed.health(now()).state is FeedState.LIVE
            assert_exactly_once(sink, {(f"I{i}", 1) for i in [*range(50), *range(1000, 1093)]})

    asyncio.run(main())


@pytest.mark.parametrize("mode", ["sse", "ws"])
def test_a_backend_restarted_with_another_longer_log_is_noticed(mode):
    """The new log already passed our cursor: only its log id tells it is another one."""
    async def main():
        be = Backend()
        async with serve(be.app()) as base, httpx.AsyncClient() as client:
            for i in range(20):
                be.publish(incident(i))
            feed, sink = make(mode, base, client), Collector()
            async with running(feed, sink):
                assert await eventually_holds(lambda: seq_of(sink.cursor) == 20)
                be.restart()
                for i in range(2000, 2040):
                    be.publish(incident(i))
                assert await eventually_holds(lambda: ("I2039", 1) in stored(sink), 15), (sink.cursor, feed.last_error)
                await asyncio.sleep(0.3)
            assert_exactly_once(sink, {(f"I{i}", 1) for i in [*range(20), *range(2000, 2040)]})

    asyncio.run(main())


@pytest.mark.parametrize("mode", ["sse", "ws"])
def test_a_gap_on_resume_is_filled_from_the_pull_api_and_logged(mode, caplog):
    async def main():
        be = Backend()
        be.skip_on_resume = 5
        async with serve(be.app()) as base, httpx.AsyncClient() as client:
            for i in range(30):
                be.publish(incident(i))
            feed, sink = make(mode, base, client), Collector()
            async with running(feed, sink, native.dump_cursor({"seq": 10})):
                assert await eventually_holds(lambda: seq_of(sink.cursor) == 30), (sink.cursor, feed.last_error)
            assert_exactly_once(sink, {(f"I{i}", 1) for i in range(10, 30)})
            assert feed.gaps_filled == 1

    with caplog.at_level(logging.WARNING, logger="commandcenter.feeds"):
        asyncio.run(main())
    assert any("skipped seq 11-15" in r.getMessage() and "pull API" in r.getMessage() for r in caplog.records)


class FailingSink(Collector):
    """A store that refuses every commit while `failing` (a full disk, PostgreSQL away)."""

    def __init__(self) -> None:
        super().__init__()
        self.failing = True
        self.refused = 0

    async def __call__(self, batch) -> None:
        if self.failing:
            self.refused += 1
            raise RuntimeError("database or disk is full")
        await super().__call__(batch)


@pytest.mark.parametrize("mode", ["poll", "sse", "ws"])
def test_a_failed_commit_before_a_quiet_stream_is_logged_and_shown_at_once(mode, caplog):
    async def main():
        be = Backend()
        async with serve(be.app()) as base, httpx.AsyncClient() as client:
            for i in range(10):
                be.publish(incident(i))
            feed, sink = make(mode, base, client), FailingSink()
            async with running(feed, sink):
                assert await eventually_holds(lambda: sink.refused >= 1)
                states = set()
                for _ in range(40):                        # the stream is quiet now: heartbeats only
                    states.add(feed.health(now()).state)
                    await asyncio.sleep(0.05)
                assert FeedState.LIVE not in states, states
                assert "commit failed" in feed.health(now()).last_error
                sink.failing = False
                assert await eventually_holds(lambda: len(sink.all("incidents")) >= 10), feed.last_error
                assert await eventually_holds(lambda: feed.health(now()).state is FeedState.LIVE)
            assert_exactly_once(sink, {(f"I{i}", 1) for i in range(10)})

    with caplog.at_level(logging.ERROR, logger="commandcenter.feeds"):
        asyncio.run(main())
    assert any("commit failed" in r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR)


# ---- CAP --------------------------------------------------------------------------------------------------------
def cap_doc(ident: str, sent: str, severity: str = "Extreme", headline: str = "暴雨红色预警") -> str:
    return (f'<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>{ident}</identifier>'
            f'<sender>met@example.cn</sender><sent>{sent}</sent><status>Actual</status><msgType>Alert</msgType>'
            f'<scope>Public</scope><info><language>zh-CN</language><category>Met</category><event>暴雨</event>'
            f'<urgency>Immediate</urgency><severity>{severity}</severity><certainty>Likely</certainty>'
            f'<headline>{headline}</headline></info></alert>')


class CapBackend:
    """An Atom index of linked CAP documents, oldest first, on 127.0.0.1."""

    def __init__(self) -> None:
        self.docs: dict[str, str] = {}     # name -> CAP XML, in index order

    def add(self, name: str, xml: str) -> None:
        self.docs[name] = xml

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/index.atom", self.index)
        app.router.add_get("/cap/{name}", self.doc)
        return app

    async def index(self, request: web.Request) -> web.Response:
        entries = "".join(
            f'<entry><id>{n}</id><updated>2026-12-0{1 + k // 1000}T{(k // 60) % 24:02d}:{k % 60:02d}:00Z</updated>'
            f'<link rel="alternate" type="application/cap+xml" href="/cap/{n}"/></entry>'
            for k, n in enumerate(self.docs))
        return web.Response(text=f'<feed xmlns="http://www.w3.org/2005/Atom">{entries}</feed>',
                            content_type="application/atom+xml")

    async def doc(self, request: web.Request) -> web.Response:
        return web.Response(text=self.docs[request.match_info["name"]], content_type="application/cap+xml")


def cap_feed(base: str, client: httpx.AsyncClient):
    feed = make_feed(section(url=base + "/index.atom", kind="cap", interval=0.1, timeout=5), client)
    feed.backoff_base = feed._backoff.base = 0.02
    return feed


def alert_ids(sink: Collector) -> list[str]:
    return [a.id for a in sink.all("alerts")]


def test_cap_a_sent_time_beyond_the_calendar_is_quarantined_and_the_red_warning_stored():
    async def main():
        be = CapBackend()
        be.add("bad", cap_doc("X-1", "9999-12-31T23:59:59-01:00"))
        be.add("red", cap_doc("R-1", "2026-12-06T08:00:00+08:00"))
        async with serve(be.app()) as base, httpx.AsyncClient() as client:
            feed, sink = cap_feed(base, client), Collector()
            async with running(feed, sink):
                assert await eventually_holds(lambda: "t:R-1" in alert_ids(sink)), feed.last_error
                assert await eventually_holds(lambda: len(sink.all("quarantined")) == 1)
                assert feed.health(now()).state is FeedState.LIVE
            assert alert_ids(sink) == ["t:R-1"]
            assert sink.all("quarantined")[0].record_id == "t:X-1"

    asyncio.run(main())


def test_cap_warnings_refused_by_the_store_are_read_again_once_it_is_back():
    """A full disk or a PostgreSQL outage: the entries are not "done" until their batch committed."""
    async def main():
        be = CapBackend()
        for k in range(5):
            be.add(f"w{k}", cap_doc(f"W-{k}", f"2026-12-06T0{k}:00:00Z"))
        async with serve(be.app()) as base, httpx.AsyncClient() as client:
            feed, sink = cap_feed(base, client), FailingSink()
            async with running(feed, sink):
                assert await eventually_holds(lambda: sink.refused >= 3)
                assert feed.health(now()).state is not FeedState.LIVE
                assert "commit failed" in feed.health(now()).last_error
                sink.failing = False
                assert await eventually_holds(lambda: len(sink.all("alerts")) == 5), feed.last_error
                await asyncio.sleep(0.3)
                assert feed.health(now()).state is FeedState.LIVE
            assert sorted(alert_ids(sink)) == [f"t:W-{k}" for k in range(5)]    # each once

    asyncio.run(main())


def test_cap_an_oldest_first_index_of_more_than_500_entries_reads_the_newest_first():
    async def main():
        be = CapBackend()
        for k in range(700):     # oldest first; the newest, last, is the red one
            be.add(f"e{k}", cap_doc(f"E-{k}", "2026-12-06T00:00:00Z", "Minor", f"提示{k}"))
        async with serve(be.app()) as base, httpx.AsyncClient() as client:
            feed, sink = cap_feed(base, client), Collector()
            async with running(feed, sink):
                assert await eventually_holds(lambda: sink.batches, 20)
                assert "t:E-699" in alert_ids(sink)                 # in the first batch already
                assert await eventually_holds(lambda: len(sink.all("alerts")) == 700, 30), feed.last_error
            assert len(set(alert_ids(sink))) == len(alert_ids(sink)) == 700

    asyncio.run(main())


# ---- liveness ---------------------------------------------------------------------------------------------------
async def sample_states(feed, seconds: float) -> set[FeedState]:
    states = set()
    loop = asyncio.get_running_loop()
    end = loop.time() + seconds
    while loop.time() < end:
        states.add(feed.health(now()).state)
        await asyncio.sleep(0.05)
    return states


def stream_app(handler, last_seq=lambda: 0) -> web.Application:
    async def status(request: web.Request) -> web.Response:
        return web.json_response({"last_seq": last_seq()})

    async def territory(request: web.Request) -> web.Response:
        return web.json_response({"items": []})

    app = web.Application()
    app.router.add_get("/api/v1/territory", territory)
    app.router.add_get("/api/v1/status", status)
    app.router.add_get("/api/v1/stream", handler)
    return app


@pytest.mark.parametrize("what", ["trickle", "endless line"])
def test_a_stream_of_bytes_without_complete_events_is_not_live(what):
    """1 byte at a time, or one `data:` line that never ends: bytes arrive, records do not."""
    async def handler(request: web.Request) -> web.StreamResponse:
        resp = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await resp.prepare(request)
        with contextlib.suppress(ConnectionError):
            if what == "trickle":
                for byte in json.dumps({"seq": 1, "type": "incident", "data": incident(1)}).encode() * 100:
                    await resp.write(bytes([byte]))
                    await asyncio.sleep(0.05)
            else:
                await resp.write(b"data: ")
                while True:
                    await resp.write(b"x" * 65536)
                    await asyncio.sleep(0.01)
        return resp

    async def main():
        async with serve(stream_app(handler)) as base, httpx.AsyncClient() as client:
            feed, sink = make("sse", base, client, max_bytes=1 << 20), Collector()
            async with running(feed, sink):
                await asyncio.sleep(feed.read_timeout + 0.5)     # a connection gets that long to bring an event
                states = await sample_states(feed, 3.0)
            assert FeedState.LIVE not in states, states
            assert "no complete event" in feed.last_error
            assert sink.all("incidents") == []

    asyncio.run(main())


@pytest.mark.parametrize("mode", ["sse", "ws"])
def test_retry_zero_and_clean_closes_do_not_spin(mode):
    """Each connection brings one new record and closes cleanly, with `retry: 0`: reconnects are floored."""
    state = {"connects": 0, "seq": 0}

    async def sse(request: web.Request) -> web.StreamResponse:
        state["connects"] += 1
        resp = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await resp.prepare(request)
        state["seq"] += 1
        s = state["seq"]
        await resp.write(f"retry: 0\nid: {s}\ndata: {json.dumps({'seq': s, 'type': 'incident', 'data': incident(s)})}\n\n".encode())
        return resp

    async def ws(request: web.Request) -> web.WebSocketResponse:
        state["connects"] += 1
        sock = web.WebSocketResponse()
        await sock.prepare(request)
        state["seq"] += 1
        s = state["seq"]
        await sock.send_str(json.dumps({"seq": s, "type": "incident", "data": incident(s)}))
        await sock.close()
        return sock

    async def main():
        app = stream_app(sse, lambda: state["seq"])
        app.router.add_get("/api/v1/ws", ws)
        async with serve(app) as base, httpx.AsyncClient() as client:
            feed, sink = make(mode, base, client), Collector()
            async with running(feed, sink):
                await asyncio.sleep(3.0)
            connects = state["connects"]
            assert 2 <= connects <= 3.0 / native.RECONNECT_FLOOR_S + 2, connects
            assert_exactly_once(sink, {(f"I{s}", 1) for s in range(1, connects)})

    asyncio.run(main())


# ---- memory under hostile streams (a collector subprocess) ------------------------------------------------------
COLLECTOR = r"""
import asyncio, json, sys
import httpx
from commandcenter.config.schema import FeedSection
from commandcenter.feeds import make_feed

async def main(url, seconds):
    seen = {"records": 0, "quarantined": 0}
    async def sink(batch):
        seen["records"] += batch.records
        seen["quarantined"] += len(batch.quarantined)
    async with httpx.AsyncClient() as client:
        feed = make_feed(FeedSection(name="h", url=url, mode="sse", timeout=5), client)
        task = asyncio.create_task(feed.run(sink, None))
        await asyncio.sleep(seconds)
        crashed = task.done()
        task.cancel()
    with open("/proc/self/status") as fh:    # VmHWM: this process's peak (ru_maxrss would count the parent's)
        rss_mb = next(int(line.split()[1]) for line in fh if line.startswith("VmHWM:")) / 1024
    print(json.dumps({"max_rss_mb": rss_mb, "crashed": crashed, "duplicates": feed.duplicates, **seen}))

asyncio.run(main(sys.argv[1], float(sys.argv[2])))
"""


def tiny_events_bomb(decoded_mb: int) -> bytes:
    """A gzip body of `decoded_mb` MB of the smallest events a parser must take one by one (same bytes: quarantined
    once, the rest counted as duplicates). Built from one compressed megabyte repeated: after a full flush the
    compressor's output for the same input is the same, so only the trailer (CRC, size) needs the whole."""
    event = b"data: x\n\n"
    block = event * ((1 << 20) // len(event))
    z = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    head = z.compress(block) + z.flush(zlib.Z_FULL_FLUSH)       # with the gzip header
    unit = z.compress(block) + z.flush(zlib.Z_FULL_FLUSH)
    crc = 0
    for _ in range(decoded_mb):
        crc = zlib.crc32(block, crc)
    final_empty_block = b"\x03\x00"
    return head + unit * (decoded_mb - 1) + final_empty_block + struct.pack("<II", crc, len(block) * decoded_mb & 0xFFFFFFFF)


def run_collector(url: str, seconds: float) -> dict:
    env = {**os.environ, "PYTHONPATH": ROOT}
    out = subprocess.run([sys.executable, "-c", COLLECTOR, url, str(seconds)], env=env, capture_output=True,
                         text=True, timeout=seconds + 60)
    assert out.returncode == 0, out.stderr[-2000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("what", ["gzip bomb of tiny events", "endless line"])
def test_memory_stays_bounded_under_hostile_streams(what, tmp_path):
    bomb = tiny_events_bomb(1024) if what.startswith("gzip") else b""

    async def handler(request: web.Request) -> web.StreamResponse:
        if bomb:
            resp = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Content-Encoding": "gzip"})
            await resp.prepare(request)
            with contextlib.suppress(ConnectionError):
                await resp.write(bomb)
                while request.transport is not None and not request.transport.is_closing():
                    await asyncio.sleep(0.1)     # the stream stays open (no clean end) until the collector leaves
            return resp
        resp = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await resp.prepare(request)
        with contextlib.suppress(ConnectionError):
            await resp.write(b"data: ")
            while True:
                await resp.write(b"y" * 65536)
                await asyncio.sleep(0)
        return resp

    async def main():
        async with serve(stream_app(handler)) as base:
            result = await asyncio.to_thread(run_collector, base + "/api/v1", 8.0)
        (tmp_path / "result.json").write_text(json.dumps(result))
        assert not result["crashed"]
        assert result["max_rss_mb"] <= 300, result
        if bomb:
            assert result["quarantined"] == 1 and result["duplicates"] > 100_000, result   # it did work through it

    asyncio.run(main())


@pytest.mark.parametrize("encoding", ["gzip", "gzip, two members", "deflate", "raw deflate", "identity"])
def test_decoded_pieces_are_bounded_however_the_body_is_compressed(encoding):
    from commandcenter.feeds.base import BoundedDecoder

    body = b"data: x\n\n" * 200_000           # 1.8 MB that compresses about 500-fold
    if encoding.startswith("gzip"):
        z = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
        wire = z.compress(body) + z.flush()
        if "two" in encoding:
            wire, body = wire * 2, body * 2
    elif encoding == "deflate":
        wire = zlib.compress(body, 9)
    elif encoding == "raw deflate":
        z = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
        wire = z.compress(body) + z.flush()
    else:
        wire = body
    decoder = BoundedDecoder(encoding.split(",")[0].replace("raw ", ""), piece=4096)
    pieces = [p for i in range(0, len(wire), 1000) for p in decoder.feed(wire[i:i + 1000])]
    assert b"".join(pieces) == body
    assert max(map(len, pieces)) <= 4096


def test_an_encoding_the_feed_cannot_bound_is_refused():
    from commandcenter.feeds.base import BoundedDecoder, FeedError

    with pytest.raises(FeedError, match="unsupported content-encoding 'br'"):
        BoundedDecoder("br")
