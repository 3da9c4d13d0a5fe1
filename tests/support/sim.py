"""Helpers for the simulator's tests: its start time, and reading its push streams."""
from __future__ import annotations

import json
import time
from datetime import datetime, UTC
from typing import Any

import httpx
from httpx_sse import connect_sse

#: Noon in China: six hours of history cover the morning peak.
START = datetime(2026, 11, 23, 4, 0, tzinfo=UTC)


def read_sse(url: str, n: int, *, last_id: int | None = None, timeout: float = 10.0,
             params: dict[str, Any] | None = None) -> list[Any]:
    """Up to `n` SSE events (httpx_sse ServerSentEvent objects) from /stream, stopping at `timeout`."""
    headers = {"Last-Event-ID": str(last_id)} if last_id is not None else {}
    out: list[Any] = []
    deadline = time.monotonic() + timeout
    with httpx.Client(timeout=httpx.Timeout(timeout, read=timeout)) as client, \
            connect_sse(client, "GET", f"{url}/stream", headers=headers, params=params) as source:
        try:
            for event in source.iter_sse():
                if not event.data:
                    continue   # the `retry:` block: httpx-sse yields it as an empty event
                out.append(event)
                if len(out) >= n or time.monotonic() > deadline:
                    break
        except (httpx.RemoteProtocolError, httpx.ReadError, httpx.ReadTimeout):
            pass   # the server dropped us (a fault) or went quiet: return what we have
    return out


def seqs(events: list[Any]) -> list[int]:
    return [json.loads(e.data)["seq"] for e in events]
