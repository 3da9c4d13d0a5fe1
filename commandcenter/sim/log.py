"""The message log: every change as one message with a global, strictly increasing `seq`.

Messages are serialised once, when appended (JSON text plus a ready SSE frame), so that pushing
them to many clients is a matter of joining bytes. The log keeps a window of the newest
`cap` messages; a cursor older than the window cannot be resumed without a gap (HTTP 410).
Polling does not use the window: a per-type index of each record's latest version serves
`since` queries, so a poller can always page through the current state.
"""
from __future__ import annotations

import bisect
import json
from dataclasses import dataclass
from typing import Any

from commandcenter.domain import format_time


@dataclass(slots=True)
class Message:
    seq: int
    type: str
    record_id: str
    text: str        # the message JSON
    frame: bytes     # the SSE frame: id / event / data / blank line
    data: dict[str, Any]


def dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


class TypeIndex:
    """Latest version of every record of one type, queryable by `seq > since` in seq order."""

    def __init__(self) -> None:
        self.latest: dict[str, tuple[int, dict[str, Any]]] = {}
        self._seqs: list[int] = []
        self._ids: list[str] = []

    def put(self, seq: int, record_id: str, data: dict[str, Any]) -> None:
        self.latest[record_id] = (seq, data)
        self._seqs.append(seq)
        self._ids.append(record_id)
        if len(self._seqs) > 4 * len(self.latest) + 1024:
            self._compact()

    def _compact(self) -> None:
        keep = [(s, i) for s, i in zip(self._seqs, self._ids, strict=True) if self.latest[i][0] == s]
        self._seqs = [s for s, _ in keep]
        self._ids = [i for _, i in keep]

    def since(self, since: int, limit: int) -> tuple[list[tuple[int, dict[str, Any]]], bool]:
        """Up to `limit` (seq, record) changed after `since`, and whether more remain."""
        out: list[tuple[int, dict[str, Any]]] = []
        start = bisect.bisect_right(self._seqs, since)
        for k in range(start, len(self._seqs)):
            seq, rid = self._seqs[k], self._ids[k]
            current = self.latest[rid]
            if current[0] != seq:
                continue  # superseded by a later version further on
            if len(out) >= limit:
                return out, True
            out.append(current)
        return out, False

    def get(self, record_id: str) -> dict[str, Any] | None:
        found = self.latest.get(record_id)
        return None if found is None else found[1]


class MessageLog:
    def __init__(self, cap: int = 500_000) -> None:
        self.cap = cap
        self.messages: list[Message] = []
        self.first_seq = 1          # seq of messages[0] (when not empty)
        self.last_seq = 0
        self.index: dict[str, TypeIndex] = {}
        self.listeners: list[Any] = []   # callables notified after appends (set by the server)

    def append(self, type_: str, record_id: str, data: dict[str, Any], sent_at: Any, *,
               data_text: str | None = None) -> Message:
        """Log one message. `data_text`: `dumps(data)` made beforehand (records encoded ahead of time): the
        message's text is then put together around it, the same text as dumping the whole message."""
        self.last_seq += 1
        seq = self.last_seq
        if data_text is None:
            text = dumps({"seq": seq, "type": type_, "sent_at": format_time(sent_at), "data": data})
        else:
            text = (f'{{"seq":{seq},"type":{dumps(type_)},"sent_at":{dumps(format_time(sent_at))},'
                    f'"data":{data_text}}}')
        frame = f"id: {seq}\nevent: {type_}\ndata: {text}\n\n".encode()
        msg = Message(seq, type_, record_id, text, frame, data)
        if not self.messages:
            self.first_seq = seq
        self.messages.append(msg)
        if len(self.messages) > self.cap + self.cap // 10:
            drop = len(self.messages) - self.cap
            del self.messages[:drop]
            self.first_seq = self.messages[0].seq
        self.index.setdefault(type_, TypeIndex()).put(seq, record_id, data)
        return msg

    def resumable(self, cursor: int) -> bool:
        """Can a client that has seen everything up to `cursor` continue without a gap?"""
        return cursor >= self.first_seq - 1 or not self.messages and cursor >= self.last_seq

    def after(self, cursor: int, limit: int = 10_000) -> list[Message]:
        """Messages with seq > cursor (at most `limit`); seqs are dense so this is index arithmetic."""
        if not self.messages:
            return []
        start = max(0, cursor + 1 - self.first_seq)
        return self.messages[start:start + limit]
