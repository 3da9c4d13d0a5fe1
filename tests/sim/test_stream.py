"""The push half: SSE with Last-Event-ID resume (no gap, no duplicate), heartbeats, WebSocket, 410."""
from __future__ import annotations

import asyncio
import json

import httpx
import pytest
import websockets

from tests.support.sim import read_sse, seqs


def test_sse_events_carry_id_event_and_the_message(street) -> None:
    events = read_sse(street.url, 50)
    assert len(events) == 50
    for e in events:
        msg = json.loads(e.data)
        assert int(e.id) == msg["seq"]
        assert e.event == msg["type"]
        assert {"seq", "type", "sent_at", "data"} <= set(msg)
        assert {"id", "version", "updated_at"} <= set(msg["data"])
    assert seqs(events) == list(range(1, 51))


def test_reconnecting_with_last_event_id_gets_every_message_exactly_once(street) -> None:
    collected: list[int] = []
    last = None
    for chunk in (17, 1, 40, 23, 60):      # five connections, cut at arbitrary points
        events = read_sse(street.url, chunk, last_id=last)
        assert len(events) == chunk
        collected += seqs(events)
        last = int(events[-1].id)
    assert collected == list(range(1, len(collected) + 1))


def test_since_query_parameter_works_like_last_event_id(street) -> None:
    assert seqs(read_sse(street.url, 5, params={"since": 100})) == [101, 102, 103, 104, 105]


@pytest.mark.timeout(30)
def test_live_stream_continues_after_the_backlog_and_sends_heartbeats(fresh) -> None:
    sim = fresh(heartbeat_s=0.3, min_live_rate=0, rate=0.001, history_hours=0.1)
    lines: list[str] = []
    with httpx.Client(timeout=5) as c, c.stream("GET", f"{sim.url}/stream") as resp:
        assert resp.headers["content-type"].startswith("text/event-stream")
        for line in resp.iter_lines():
            lines.append(line)
            if sum(1 for x in lines if x.startswith(": heartbeat")) >= 2:
                break
    assert lines[0].startswith("retry: ")
    assert any(x.startswith(": heartbeat") for x in lines)


@pytest.mark.timeout(30)
def test_a_cursor_older_than_the_window_is_410(fresh) -> None:
    sim = fresh(log_cap=40, history_hours=3, min_live_rate=0)   # no demo extra events: the window stays put while we read
    status = httpx.get(f"{sim.url}/status").json()
    assert status["first_seq"] > 2
    r = httpx.get(f"{sim.url}/stream", headers={"Last-Event-ID": "1"})
    assert r.status_code == 410 and "window" in r.json()["error"]
    ok = read_sse(sim.url, 3, last_id=status["first_seq"] - 1)
    assert seqs(ok) == [status["first_seq"], status["first_seq"] + 1, status["first_seq"] + 2]


def _ws_read(url: str, cursor: int, n: int) -> list[dict]:
    async def go() -> list[dict]:
        out: list[dict] = []
        ws_url = url.replace("http://", "ws://") + f"/ws?cursor={cursor}"
        async with websockets.connect(ws_url, max_queue=None) as ws:   # unread frames must not block the close handshake
            while len(out) < n:
                msg = json.loads(await asyncio.wait_for(ws.recv(), 10))
                if msg["type"] != "heartbeat":
                    out.append(msg)
        return out
    return asyncio.run(go())


def test_websocket_carries_the_same_messages_and_resumes_from_a_cursor(street) -> None:
    first = _ws_read(street.url, 0, 30)
    assert [m["seq"] for m in first] == list(range(1, 31))
    rest = _ws_read(street.url, 30, 30)
    assert [m["seq"] for m in rest] == list(range(31, 61))
    sse = read_sse(street.url, 60)
    assert [json.loads(e.data) for e in sse] == first + rest


def test_a_message_logged_with_its_data_encoded_beforehand_is_the_same_message() -> None:
    """The benches append records encoded ahead of time (`data_text`): the log holds the text it would have made."""
    from datetime import UTC, datetime

    from commandcenter.sim.log import MessageLog, dumps

    data = {"id": "I1", "version": 2, "title": "燃气泄漏 \"引号\"", "lon": 120.5, "departments": ["应急"]}
    at = datetime(2026, 12, 7, 10, 0, 0, 123456, tzinfo=UTC)
    whole, ahead = MessageLog(), MessageLog()
    one = whole.append("incident", "I1", data, at)
    two = ahead.append("incident", "I1", data, at, data_text=dumps(data))
    assert (two.text, two.frame, two.data) == (one.text, one.frame, one.data)
    assert json.loads(two.text) == {"seq": 1, "type": "incident", "sent_at": "2026-12-07T10:00:00.123456Z", "data": data}
