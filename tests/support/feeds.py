"""Test helpers: a tiny aiohttp server on 127.0.0.1 and a collecting sink."""
from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import datetime, UTC

from aiohttp import web

from commandcenter.config.schema import FeedSection
from commandcenter.feeds import Batch


@contextlib.asynccontextmanager
async def serve(app: web.Application) -> AsyncIterator[str]:
    """Serve `app` on an ephemeral loopback port; yields the base URL (no trailing slash)."""
    runner = web.AppRunner(app, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


class Collector:
    """A sink that keeps every batch, like the store would (commit = append)."""

    def __init__(self) -> None:
        self.batches: list[Batch] = []
        self.fail_next = 0

    async def __call__(self, batch: Batch) -> None:
        if self.fail_next:
            self.fail_next -= 1
            raise RuntimeError("store unavailable")
        self.batches.append(batch)

    @property
    def cursor(self) -> str | None:
        return self.batches[-1].cursor if self.batches else None

    def all(self, kind: str) -> list:
        return [r for b in self.batches for r in getattr(b, kind)]

    def latest(self, kind: str) -> dict:
        out: dict = {}
        for r in self.all(kind):
            if r.id not in out or r.version > out[r.id].version:
                out[r.id] = r
        return out


def section(**kw) -> FeedSection:
    kw.setdefault("name", "t")
    kw.setdefault("url", "http://127.0.0.1:1")
    return FeedSection(**kw)


async def run_until(coro_factory, predicate, timeout: float = 10.0) -> bool:
    """Run a feed task until predicate() holds (or timeout), then cancel it."""
    task = asyncio.create_task(coro_factory())
    try:
        deadline = asyncio.get_running_loop().time() + timeout
        while asyncio.get_running_loop().time() < deadline:
            if predicate():
                return True
            if task.done():
                raise AssertionError(f"feed task ended: {task.exception()!r}")
            await asyncio.sleep(0.02)
        return bool(predicate())
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def spy_record_decoding(monkeypatch, on_decode) -> None:
    """Call `on_decode()` on the decoding thread for every incident a push feed decodes, whichever way: one pass
    with its message (an SSE event naming its kind: checked by `vouched`), from its own text
    (`decode_json_fast`), or field by field (the codec)."""
    from commandcenter.feeds import native

    codec, fast, vouched = native.DECODERS["incident"], native.decode_json_fast, native.vouched

    def spy_codec(data):
        on_decode()
        return codec(data)

    def spy_fast(cls, text, **kw):
        on_decode()
        return fast(cls, text, **kw)

    def spy_vouched(cls, record, text):
        on_decode()
        return vouched(cls, record, text)

    monkeypatch.setitem(native.DECODERS, "incident", spy_codec)
    monkeypatch.setattr(native, "decode_json_fast", spy_fast)
    monkeypatch.setattr(native, "vouched", spy_vouched)


def now() -> datetime:
    return datetime.now(UTC)


def incident(i: int, v: int = 1, **kw) -> dict:
    rec = {"id": f"I{i}", "version": v, "updated_at": "2026-11-23T09:00:00Z", "reported_at": "2026-11-23T08:00:00Z",
           "title": f"事件{i}", "category": "dispute", "source": "grid_app", "severity": 2, "status": "reported",
           "grid_id": "G1"}
    rec.update(kw)
    return rec


def latest_since(messages: list[str], kind: str, since: int) -> list[tuple[int, dict]]:
    """(seq, record) of the newest version of each record of `kind` ("incidents") logged after `since`, by seq:
    what a native backend's pull API answers."""
    import json

    latest: dict[str, tuple[int, dict]] = {}
    for seq, text in enumerate(messages, 1):
        msg = json.loads(text)
        if msg["type"] + "s" == kind and seq > since:
            latest[msg["data"]["id"]] = (seq, msg["data"])
    return sorted(latest.values(), key=lambda x: x[0])


class FakePush:
    """A minimal native push backend (SSE + WebSocket) with a few fault switches, for client tests."""

    def __init__(self) -> None:
        import json as _json
        self._json = _json
        self.messages: list[str] = []      # message JSON by seq-1
        self.types: list[str] = []         # each message's type, which names its SSE event (as backends do)
        self.changed = asyncio.Event()
        self.drop_every = 0
        self.first_seq = 1                 # older cursors get 410
        self.raw_inject: dict[int, str] = {}   # seq -> raw text sent instead of the message
        self.stall = False
        self.connects: list[str] = []
        self.heartbeat = 0.2

    def publish(self, type_: str, data: dict) -> int:
        seq = len(self.messages) + 1
        self.types.append(type_)
        self.messages.append(self._json.dumps({"seq": seq, "type": type_, "sent_at": now().isoformat(), "data": data},
                                              ensure_ascii=False))
        self.changed.set()
        self.changed = asyncio.Event()
        return seq

    def text(self, seq: int) -> str:
        return self.raw_inject.get(seq, self.messages[seq - 1])

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/api/v1/stream", self.sse)
        app.router.add_get("/api/v1/ws", self.ws)
        app.router.add_get("/api/v1/{kind}", self.poll)
        return app

    async def poll(self, request: web.Request) -> web.Response:
        kind = request.match_info["kind"]
        if kind == "territory":
            return web.json_response({"items": []})
        since = int(request.query.get("since", 0))
        rows = latest_since(self.messages, kind, since)
        return web.json_response({"items": [d for _, d in rows], "cursor": rows[-1][0] if rows else since, "more": False})

    def _start(self, cursor: int | None) -> int:
        return 0 if cursor is None else cursor

    async def sse(self, request: web.Request) -> web.StreamResponse:
        last = request.headers.get("Last-Event-ID")
        self.connects.append(f"sse:{last}")
        cursor = int(last) if last and last.isdigit() else 0
        if last is not None and cursor < self.first_seq - 1:
            return web.json_response({"error": "gone"}, status=410)
        resp = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await resp.prepare(request)
        await resp.write(b"retry: 50\n\n")
        sent = 0
        while True:
            while cursor < len(self.messages) and not self.stall:
                cursor += 1
                await resp.write(f"id: {cursor}\nevent: {self.types[cursor - 1]}\ndata: {self.text(cursor)}\n\n"
                                 .encode())
                sent += 1
                if self.drop_every and sent % self.drop_every == 0:
                    return resp
            try:
                await asyncio.wait_for(self.changed.wait(), self.heartbeat)
            except TimeoutError:
                if not self.stall:
                    await resp.write(b": heartbeat\n\n")

    async def ws(self, request: web.Request) -> web.WebSocketResponse:
        c = request.query.get("cursor")
        self.connects.append(f"ws:{c}")
        cursor = int(c) if c and c.isdigit() else 0
        if c is not None and cursor < self.first_seq - 1:
            return web.json_response({"error": "gone"}, status=410)
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        sent = 0
        while True:
            while cursor < len(self.messages) and not self.stall:
                cursor += 1
                await ws.send_str(self.text(cursor))
                sent += 1
                if self.drop_every and sent % self.drop_every == 0:
                    await ws.close()
                    return ws
            try:
                await asyncio.wait_for(self.changed.wait(), self.heartbeat)
            except TimeoutError:
                if not self.stall:
                    await ws.send_str(self._json.dumps({"seq": cursor, "type": "heartbeat", "sent_at": now().isoformat(),
                                                        "data": {"last_seq": len(self.messages)}}))
