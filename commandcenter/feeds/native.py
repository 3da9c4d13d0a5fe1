"""The native protocol (docs/feed-protocol.md): polling, Server-Sent Events and WebSocket.

Cursor: a small JSON object, the same shape for all three modes so a feed can switch modes without
losing its place: `{"incidents": SEQ, "resources": SEQ, "alerts": SEQ}` for polling (one since-cursor
per type), `{"seq": SEQ}` for push. A push feed given a poll cursor resumes from the smallest of the
three (re-delivery is harmless: versions dedupe); a poll feed given a push cursor uses it for all types.
"""
from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import re
import time
from dataclasses import dataclass
from typing import Any

import httpx
import msgspec

from ..config.schema import FeedSection
from ..domain import (
    Alert, Incident, InvalidRecord, KpiValue, Resource, TerritoryNode, decode, decode_alert, decode_incident,
    decode_resource, decode_territory, parse_time,
)
from ..domain import wirejson
from ..domain.record_json import decode_json_fast, vouched
from .base import (
    ACCEPT_ENCODING, RECONNECT_FLOOR_S, Backoff, BackendReset, Batch, BatchBuilder, FeedBase, FeedError, Gone, Sink,
    iter_decoded, log, looks_like_html, snippet, utcnow,
)
from .transport import guarded_ws_connect

POLL_KINDS = ("incidents", "resources", "alerts")
DECODERS = {"incident": decode_incident, "resource": decode_resource, "alert": decode_alert}
RECORD_CLASSES: dict[str, type[Incident | Resource | Alert]] = {"incident": Incident, "resource": Resource,
                                                               "alert": Alert}


# ---- cursor -------------------------------------------------------------------------------------
def parse_cursor(cursor: str | None) -> dict[str, int]:
    """A persisted cursor to {name: seq}; anything unreadable means "from the start"."""
    if not cursor:
        return {}
    try:
        data = json.loads(cursor)
    except ValueError:
        data = cursor.strip()
    if isinstance(data, int) and not isinstance(data, bool):
        return {"seq": data}
    if isinstance(data, str) and data.isdigit():
        return {"seq": int(data)}
    if not isinstance(data, dict):
        return {}
    return {k: v for k, v in data.items() if isinstance(k, str) and isinstance(v, int) and not isinstance(v, bool) and v >= 0}


def dump_cursor(values: dict[str, int]) -> str:
    return json.dumps(dict(sorted(values.items())), separators=(",", ":"))


def poll_since(values: dict[str, int], kind: str) -> int | None:
    if kind in values:
        return values[kind]
    return values.get("seq")


def push_seq(values: dict[str, int]) -> int:
    if "seq" in values:
        return values["seq"]
    per_kind = [values[k] for k in POLL_KINDS if k in values]
    return min(per_kind) if len(per_kind) == len(POLL_KINDS) else 0


# ---- JSON helpers -------------------------------------------------------------------------------
def load_json(body: bytes, content_type: str = "") -> Any:
    """A whole response as JSON; HTML error pages, truncated or invalid JSON → FeedError."""
    if looks_like_html(body, content_type):
        raise FeedError(f"HTML instead of JSON: {snippet(body)}")
    try:
        return wirejson.loads(body)
    except wirejson.BadJson as exc:
        raise FeedError(f"invalid JSON ({exc}): {snippet(body)}") from None


def load_page(feed: FeedBase, builder: BatchBuilder, kind: str, body: bytes, content_type: str,
              list_key: str = "items") -> Any:
    """A poll page (`{"items": [...], "cursor": ...}`) parsed. One that does not parse as a whole (an item nested
    too deeply, invalid UTF-8 in one item) is read part by part (wirejson.load_list): its good items stay in the
    page, the bad ones are quarantined here, and its cursor still moves the feed on. A page whose very structure
    is broken (a truncated body) or an HTML page is a FeedError: retried."""
    if looks_like_html(body, content_type):
        raise FeedError(f"HTML instead of JSON: {snippet(body)}")
    try:
        payload, bad = wirejson.load_list(body, list_key)
    except wirejson.BadJson as exc:
        raise FeedError(f"invalid JSON ({exc}): {snippet(body)}") from None
    if bad:
        for item in bad:
            builder.quarantine(kind, item.raw, item.reason)
        log.warning("feed %s: a page of %ss did not parse as a whole; read item by item, %d quarantined",
                    feed.name, kind, len(bad))
    return payload


def raw_json(item: Any) -> bytes:
    return wirejson.dumps_raw(item)


def add_record(builder: BatchBuilder, kind: str, data: Any, raw: bytes | None = None) -> None:
    """Decode one native record of `kind` (incident/resource/alert/territory/kpi) or quarantine it."""
    try:
        if kind in DECODERS:
            builder.add(kind, DECODERS[kind](data))
        elif kind == "territory":
            builder.territory(decode_territory_node(data))
        elif kind == "kpi":
            builder.kpi(decode(KpiValue, data))
        else:
            raise InvalidRecord(f"unknown record type {kind[:40]!r}")
    except InvalidRecord as exc:
        rid = exc.record_id or (data.get("id") if isinstance(data, dict) and isinstance(data.get("id"), str) else None)
        builder.quarantine(kind, raw if raw is not None else raw_json(data), exc.reason, rid)
    except Exception as exc:  # noqa: BLE001 - whatever decoding raises is this record's fault, never its feed's
        builder.quarantine(kind, raw if raw is not None else raw_json(data), f"{type(exc).__name__}: {exc}"[:300])


def add_records(builder: BatchBuilder, kind: str, items: list[Any]) -> None:
    """add_record for each item of a page (one call, so the whole page decodes off the event loop)."""
    for item in items:
        add_record(builder, kind, item)


def decode_territory_node(data: Any) -> TerritoryNode:
    """decode_territory, accepting an explicit `"parent_id": null` (the root), which the codec reads as missing."""
    if isinstance(data, dict) and "parent_id" in data and data["parent_id"] is None:
        return dataclasses.replace(decode_territory({**data, "parent_id": ""}), parent_id=None)
    return decode_territory(data)


def add_kpis(builder: BatchBuilder, payload: Any, raw: bytes | None = None) -> None:
    """`{"at": time, "items": [...]}` (GET /kpis and kpi messages) or a single KPI object."""
    if isinstance(payload, dict) and isinstance(payload.get("items"), list):
        at = None
        try:
            at = parse_time(payload["at"]) if payload.get("at") is not None else None
        except InvalidRecord:
            pass
        for item in payload["items"][:100_000]:
            if isinstance(item, dict) and at is not None and "window_end" not in item:
                item = {**item, "window_end": payload["at"]}
            add_record(builder, "kpi", item)
    elif isinstance(payload, list):
        for item in payload[:100_000]:
            add_record(builder, "kpi", item)
    else:
        add_record(builder, "kpi", payload, raw)


async def fetch_territory(feed: FeedBase, sink: Sink) -> None:
    """GET {url}/territory (every level, city to grid) as one batch; the cursor does not move."""
    body, ctype = await feed.get_bytes(f"{feed.section.url.rstrip('/')}/territory")
    builder = BatchBuilder(feed)
    payload = load_page(feed, builder, "territory", body, ctype)
    items = payload.get("items") if isinstance(payload, dict) else None
    if not isinstance(items, list):
        raise FeedError("territory: expected {\"items\": [...]}")
    feed.mark_ok()
    for item in items:
        add_record(builder, "territory", item)
    await feed.deliver(sink, builder, feed.cursor)


# ---- polling ------------------------------------------------------------------------------------
class NativePollFeed(FeedBase):
    """GET {url}/incidents|resources|alerts?since=&limit=, following `more`; {url}/territory once."""

    page_limit = 1000
    max_pages_per_cycle = 200

    def __init__(self, section: FeedSection, client: httpx.AsyncClient) -> None:
        super().__init__(section, client)
        self.base = section.url.rstrip("/")
        self._territory_done = False
        self.fetch_kpis = True

    async def _run_once(self, sink: Sink) -> None:
        if not self._territory_done:
            await self._fetch_territory(sink)
        for kind in POLL_KINDS:
            await self._poll_kind(sink, kind)
        if self.fetch_kpis:
            await self._fetch_kpis(sink)

    async def _fetch_territory(self, sink: Sink) -> None:
        await fetch_territory(self, sink)
        self._territory_done = True

    async def _poll_kind(self, sink: Sink, kind: str) -> None:
        record_kind = kind[:-1]
        for _ in range(self.max_pages_per_cycle):
            values = parse_cursor(self.cursor)
            since = poll_since(values, kind)
            params: dict[str, Any] = {"limit": self.page_limit}
            if since is not None:
                params["since"] = since
            body, ctype = await self.get_bytes(f"{self.base}/{kind}", params=params)
            builder = BatchBuilder(self)
            payload = load_page(self, builder, record_kind, body, ctype)
            if not isinstance(payload, dict) or not isinstance(payload.get("items"), list):
                raise FeedError(f"{kind}: expected an object with an items list: {snippet(body)}")
            last_seq = payload.get("last_seq")
            if since is not None and backend_lost_log(last_seq, since):
                # the backend lost its log (restarted empty): start over; versions dedupe what we have
                log.warning("feed %s: server's last seq %d is below our cursor %d; re-reading from the start",
                            self.name, last_seq, since)
                await self.deliver(sink, BatchBuilder(self), dump_cursor({k: 0 for k in POLL_KINDS}))
                continue
            new_cursor = payload.get("cursor")
            items = payload["items"]
            if items and (not isinstance(new_cursor, int) or isinstance(new_cursor, bool)):
                raise FeedError(f"{kind}: page without an integer cursor")
            self.mark_ok()
            add_records(builder, record_kind, items)
            more = bool(payload.get("more")) and bool(items)
            if isinstance(new_cursor, int) and not isinstance(last_seq, bool) and isinstance(last_seq, int) \
                    and new_cursor > last_seq:
                # a page cursor past the server's own last seq would silence this type: trusted only up to last_seq
                log.warning("feed %s: %s page cursor %d is beyond the server's last seq %d; not used as the cursor",
                            self.name, kind, new_cursor, last_seq)
                new_cursor = since if more else last_seq
                more = False
            if isinstance(new_cursor, int) and not isinstance(new_cursor, bool) and (since is None or new_cursor > since):
                values[kind] = new_cursor
            if "seq" in values:             # a push-style cursor becomes one since-cursor per type
                seq = values.pop("seq")
                for k in POLL_KINDS:
                    values.setdefault(k, seq)
            await self.deliver(sink, builder, dump_cursor(values) if values else self.cursor)
            if not more:
                return

    async def _fetch_kpis(self, sink: Sink) -> None:
        try:
            body, ctype = await self.get_bytes(f"{self.base}/kpis")
            payload = load_json(body, ctype)
        except FeedError as exc:  # KPIs are an extra: their failure is logged, not a feed failure
            log.info("feed %s: kpis: %s", self.name, exc)
            return
        builder = BatchBuilder(self)
        add_kpis(builder, payload)
        if builder.batch.kpis or builder.batch.quarantined:
            await self.deliver(sink, builder, self.cursor)


# ---- push (SSE, WebSocket) ----------------------------------------------------------------------
def backend_lost_log(last_seq: Any, cursor: int) -> bool:
    """The server's newest seq is below our cursor: it lost its log (restarted with a shorter one). One test for
    every mode: a poll page's `last_seq`, a WebSocket heartbeat's, the status checked when a push feed connects."""
    return isinstance(last_seq, int) and not isinstance(last_seq, bool) and last_seq < cursor


@dataclass
class BackendStatus:
    """What GET {url}/status tells a push feed before it trusts the stream's sequence numbers."""
    last_seq: int
    first_seq: int | None = None
    log_id: str | None = None      # names the backend's message log: another id after a restart with another log

    @classmethod
    def parse(cls, payload: Any) -> BackendStatus | None:
        if not isinstance(payload, dict):
            return None
        last, first, log_id = payload.get("last_seq"), payload.get("first_seq"), payload.get("log_id")
        if not isinstance(last, int) or isinstance(last, bool) or last < 0:
            return None
        return cls(last_seq=last, first_seq=first if isinstance(first, int) and not isinstance(first, bool) else None,
                   log_id=log_id[:100] if isinstance(log_id, str) and log_id else None)


class SeqTracker:
    """The resumable cursor under reordering: the highest seq with every seq up to it seen.

    A gap that does not fill (a message lost to a malformed frame without a readable seq) is
    skipped once `max_ahead` later messages arrived or it stayed open `max_gap_s` seconds; a gap right
    after the cursor we resumed from is skipped at once (the server must resume with the next seq). Every
    skipped range is noted in `skipped` for the feed to fill from the pull API.

    A seq further than `max_ahead` beyond the mark, the highest seq seen ahead of it and the server's last known
    seq (`ceiling`) is a jump: it waits in `suspect`, not in the cursor, until the feed checked it against the
    server's status (`accept`) — one `id: 999999999999` must not become the cursor. The seqs that follow a hole
    one by one are not: a burst read in one batch after one lost message stays in order, not suspect."""

    max_ahead = 64
    max_gap_s = 2.0

    def __init__(self, start: int, ceiling: int | None = None) -> None:
        self.start = start
        self.mark = start
        self.ceiling = ceiling
        self.ahead: set[int] = set()
        self.top = start              # the highest seq in `ahead` or below the mark
        self.suspect: set[int] = set()
        self.skipped: list[tuple[int, int]] = []
        self.resuming = True
        self.gap_since: float | None = None
        self.unknown = 0          # frames received whose seq could not be read (they fill gaps)

    def see_unknown(self) -> None:
        self.unknown += 1
        self._advance()

    def see(self, seq: int) -> None:
        if seq <= self.mark or seq in self.ahead:
            return
        if seq > max(self.top, self.ceiling or 0) + self.max_ahead:
            self.suspect.add(seq)
            return
        self.ahead.add(seq)
        self.top = max(self.top, seq)
        self._advance()

    def raise_ceiling(self, last_seq: int) -> None:
        self.ceiling = last_seq if self.ceiling is None else max(self.ceiling, last_seq)

    def accept(self, last_seq: int) -> list[int]:
        """The server's status says its last seq is `last_seq`: suspects up to it are real; returns the others,
        which are dropped (a real seq they hid shows as a gap, which the feed fills from the pull API)."""
        self.raise_ceiling(last_seq)
        real = sorted(s for s in self.suspect if s <= last_seq)
        false = sorted(s for s in self.suspect if s > last_seq)
        self.suspect.clear()
        for seq in real:
            if seq > self.mark:
                self.ahead.add(seq)
                self.top = max(self.top, seq)
        self._advance()
        return false

    def _advance(self) -> None:
        while True:
            if self.mark + 1 in self.ahead:
                self.mark += 1
                self.ahead.discard(self.mark)
            elif self.unknown and self.ahead:     # an unreadable frame took this place in the stream
                self.unknown -= 1
                self.mark += 1
            else:
                break
        if self.ahead:
            if self.gap_since is None:
                self.gap_since = time.monotonic()
        else:
            self.gap_since = None

    def _skip(self) -> None:
        first = min(self.ahead)
        self.skipped.append((self.mark + 1, first - 1))
        self.mark = first - 1
        self._advance()

    def settle(self) -> int:
        """The cursor to persist now, skipping gaps that are evidently holes (noted in `skipped`)."""
        if self.resuming and (self.ahead or self.mark > self.start):
            self.resuming = False
            if self.ahead and self.mark == self.start:
                self._skip()
        while len(self.ahead) >= self.max_ahead:
            self._skip()
        if self.ahead and self.gap_since is not None and time.monotonic() - self.gap_since > self.max_gap_s:
            while self.ahead:
                self._skip()
            self.gap_since = None
        return self.mark


@dataclass
class Frame:
    data: bytes
    seq: int | None = None          # from the SSE id field
    event: str = ""
    too_big: int = 0                # > 0: the frame exceeded the cap; data is its head
    at: float = 0.0                 # perf_counter when its bytes reached the event loop (for a StageTrace)


@dataclass
class StreamEnd:
    error: BaseException | None = None


#: An SSE event as backends send records: an `id`, an `event` and one `data` line, then the blank line.
_USUAL_EVENT = re.compile(rb"id: ([0-9]{1,18})\nevent: ([a-z_]{1,32})\ndata: ([^\n]*)\n\n")


class SSEParser:
    """Incremental text/event-stream parser over bytes, with a per-event size cap."""

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self.buf = b""
        self.data: list[bytes] = []
        self.size = 0
        self.event = ""
        self.id: str | None = None
        self.last_id: str | None = None
        self.retry_ms: int | None = None
        self.too_big = 0
        self.skipping_line = False
        self.completed = 0          # events and comments completed so far: progress, unlike bytes

    def feed(self, chunk: bytes) -> list[Frame]:
        """The frames `chunk` completes. Linear in the bytes. A buffer without CR (every SSE server we know ends
        lines with LF) is taken an event at a time: between events, whole events of the usual form (`_USUAL_EVENT`)
        are read by one regex match each; anything else is split into lines in one C call and its lines handled
        inline (the line-at-a-time walk was a third of the feed thread's own work at full rate). A buffer with a
        CR takes that walk (`_feed_any`)."""
        buf = self.buf + chunk if self.buf else chunk
        if b"\r" in buf:
            return self._feed_any(buf)
        out: list[Frame] = []
        pos = 0
        while True:
            if not (self.data or self.event or self.too_big or self.skipping_line) and self.id is None:
                pos = self._usual_events(buf, pos, out)
            end = buf.find(b"\n\n", pos)
            if end < 0:
                lines = buf[pos:].split(b"\n")
                rest = lines.pop()     # after the last LF: the unfinished line (b"" if the buffer ends with LF)
                self._lines(lines, out)
                self._keep(rest)
                return out
            self._lines(buf[pos:end + 1].split(b"\n"), out)     # its lines up to the blank one, which is the last
            pos = end + 2

    def _usual_events(self, buf: bytes, pos: int, out: list[Frame]) -> int:
        """Whole events of the usual form from `pos` on, into `out` (what the line walk makes of them, for a parser
        between events); where the first other thing starts."""
        match, cap = _USUAL_EVENT.match, self.cap
        start = len(out)
        last = None
        while (m := match(buf, pos)) is not None and m.end() - pos <= cap:
            last, event, data = m.groups()
            out.append(Frame(data=data, seq=int(last), event=event.decode()))
            pos = m.end()
        if last is not None:
            self.last_id = last.decode()
            self.completed += len(out) - start
        return pos

    def _lines(self, lines: list[bytes], out: list[Frame]) -> None:
        """Complete lines (without their LF) into the event being read; the frames they complete into `out`."""
        cap = self.cap
        for line in lines:
            if self.skipping_line:
                self.skipping_line = False
                self.too_big += len(line)
                continue
            if not line:
                frame = self._dispatch()
                if frame is not None:
                    out.append(frame)
            elif len(line) > cap:     # as if it had overflowed the buffer: the outcome must not depend on chunking
                self._overflow(line)
            elif line.startswith(b"data:") and not self.too_big:      # the common line, inline
                value = line[6:] if line.startswith(b"data: ") else line[5:]
                self.size += len(value) + 1
                if self.size > cap:
                    self._overflow(value)
                else:
                    self.data.append(value)
            else:
                self._line(line)

    def _keep(self, rest: bytes) -> None:
        """Keep the unfinished line for the next chunk; a line already longer than the cap: its head, skip the rest."""
        if len(rest) > self.cap:
            self._overflow(rest)
            rest = b""
            self.skipping_line = True
        self.buf = rest

    def _feed_any(self, buf: bytes) -> list[Frame]:
        """`feed` for a buffer with CRs (CRLF or CR line ends): lines are cut at a moving offset and the unfinished
        rest kept once per chunk (cutting the buffer down line by line copied the rest every time, quadratic in a
        catch-up chunk)."""
        out: list[Frame] = []
        last = len(buf) - 1
        pos = 0
        nl = buf.find(b"\n")          # the next LF and CR at or after pos (-1: none left in this buffer)
        cr = buf.find(b"\r")
        while True:
            if 0 <= nl < pos:
                nl = buf.find(b"\n", pos)
            if 0 <= cr < pos:
                cr = buf.find(b"\r", pos)
            if cr != -1 and (nl == -1 or cr < nl) and cr < last:
                end, nxt = cr, (cr + 2 if buf[cr + 1] == 10 else cr + 1)
            elif nl != -1 and (cr == -1 or nl < cr):
                end, nxt = nl, nl + 1
            else:       # no line end yet (a trailing CR may be half of CRLF: wait for more)
                self._keep(buf[pos:])
                break
            line = buf[pos:end]
            pos = nxt
            if self.skipping_line:
                self.skipping_line = False
                self.too_big += len(line)
                continue
            if len(line) > self.cap:     # as if it had overflowed the buffer: the outcome must not depend on chunking
                self._overflow(line)
                continue
            frame = self._line(line)
            if frame is not None:
                out.append(frame)
        return out

    def _overflow(self, part: bytes) -> None:
        if not self.too_big:      # the head kept is the same whichever chunk the cap was crossed in
            self.data.append(part[: min(len(part), 4096, self.cap + 1)])
        self.too_big += len(part) + self.size
        self.size = 0

    def _line(self, line: bytes) -> Frame | None:
        if not line:
            return self._dispatch()
        if line.startswith(b":"):
            self.completed += 1
            return None
        name, _, value = line.partition(b":")
        if value.startswith(b" "):
            value = value[1:]
        if name == b"data":
            if self.too_big:
                self.too_big += len(value)
                return None
            self.size += len(value) + 1
            if self.size > self.cap:
                self._overflow(value)
                return None
            self.data.append(value)
        elif name == b"event":
            self.event = value.decode("utf-8", "replace")[:64]
        elif name == b"id" and b"\0" not in value:
            self.id = value.decode("utf-8", "replace")[:64]
        elif name == b"retry" and value.isdigit():
            self.retry_ms = int(value)
        return None

    def _dispatch(self) -> Frame | None:
        self.completed += 1
        if self.id is not None:
            self.last_id = self.id
        if not self.data and not self.too_big:
            self.event = ""
            return None
        seq = int(self.id) if self.id is not None and self.id.isdigit() else None
        data = self.data[0] if len(self.data) == 1 else b"\n".join(self.data)
        frame = Frame(data=data, seq=seq, event=self.event, too_big=self.too_big)
        self.data, self.size, self.event, self.too_big, self.id = [], 0, "", 0, None
        return frame


class FrameQueue(asyncio.Queue[list[Frame] | StreamEnd]):
    """The reader → decoder queue: items are lists of frames (all a read completed: an SSE chunk of up to 64 KB, a
    WebSocket message) and, last, a StreamEnd; `maxsize` and `qsize` count frames, not items, so back-pressure and
    coalescing are as with a frame per item. A list per read, not an item per frame: a hand-off (put, get, a
    waiter's wake-up) per frame is costly at full rate. A list is let in while the queue is not full, so
    it may end up over `maxsize` by one read's frames."""

    def __init__(self, maxsize: int = 0) -> None:
        super().__init__(maxsize)
        self._frames = 0

    # put() and get() finish through these two (asyncio.Queue's public methods), so counting here counts every item
    def put_nowait(self, item: list[Frame] | StreamEnd) -> None:
        super().put_nowait(item)
        self._frames += len(item) if isinstance(item, list) else 1

    def get_nowait(self) -> list[Frame] | StreamEnd:
        item = super().get_nowait()
        self._frames -= len(item) if isinstance(item, list) else 1
        return item

    def qsize(self) -> int:
        return self._frames


def _take(queue: asyncio.Queue[list[Frame] | StreamEnd], carry: list[Frame], limit: int
          ) -> tuple[list[Frame], StreamEnd | None]:
    """Up to `limit` frames: first those in `carry` (taken from the queue earlier, past an earlier limit), then what
    the queue holds now. The queue holds lists of frames (one per chunk read) and, last, a StreamEnd, which stops
    the take and is returned. Frames of a list past `limit` stay in `carry` (in order) for the next take."""
    items = carry[:limit]
    del carry[:limit]
    while len(items) < limit:
        try:
            got = queue.get_nowait()
        except asyncio.QueueEmpty:
            break
        if isinstance(got, StreamEnd):
            return items, got
        room = limit - len(items)
        if len(got) > room:
            items += got[:room]
            carry += got[room:]
            break
        items += got
    return items, None


def handle_messages(feed: FeedBase, builder: BatchBuilder, frames: list[Frame], tracker: SeqTracker) -> None:
    """handle_message for each frame, in order (one call: the whole run decodes off the event loop). The feed's
    lag is that of the last message with a `sent_at`, so only that one's time is parsed."""
    trace = feed.trace
    sent_at = None
    if trace is None:
        for frame in frames:
            sent_at = _handle(feed, builder, frame, tracker) or sent_at
    else:
        start = time.perf_counter()
        incidents = builder.batch.incidents
        added: list[str] = []
        for frame in frames:
            n = len(incidents)
            sent_at = _handle(feed, builder, frame, tracker) or sent_at
            if len(incidents) > n:
                rid = incidents[-1].id
                added.append(rid)
                trace.mark("read", (rid,), frame.at)
        trace.mark("decode_start", added, start)
        trace.mark("decoded", added)
    if sent_at is not None:
        _set_lag(feed, sent_at)


def _set_lag(feed: FeedBase, sent_at: str) -> None:
    try:
        now = feed.backend_clock.now() if feed.backend_clock is not None else utcnow()   # sent_at is backend time
        feed.lag_s = max(0.0, (now - parse_time(sent_at)).total_seconds())
    except InvalidRecord:
        pass


def handle_message(feed: FeedBase, builder: BatchBuilder, frame: Frame, tracker: SeqTracker) -> None:
    """One pushed message into the batch (or the quarantine), tracking its seq and the feed's lag."""
    sent_at = _handle(feed, builder, frame, tracker)
    if sent_at is not None:
        _set_lag(feed, sent_at)


class RecordMessage(msgspec.Struct):
    """A pushed message in its usual shape: a record of a known kind with a seq (`_handle_record` reads it)."""

    seq: int
    type: str
    data: msgspec.Raw
    sent_at: str | None = None


_RECORD_MESSAGE = msgspec.json.Decoder(RecordMessage)


def _typed_message(cls: type) -> msgspec.json.Decoder[Any]:
    """RecordMessage's decoder with `data` decoded as `cls` in the same pass."""
    fields: list[tuple[str, Any] | tuple[str, Any, Any]] = [("seq", int), ("type", str), ("data", cls),
                                                            ("sent_at", str | None, None)]
    return msgspec.json.Decoder(msgspec.defstruct(f"{cls.__name__}Message", fields))


_TYPED_MESSAGES = {kind: _typed_message(cls) for kind, cls in RECORD_CLASSES.items()}


def _handle_record(builder: BatchBuilder, data: bytes, tracker: SeqTracker,
                   event: str = "") -> tuple[bool, str | None]:
    """A message in its usual shape, a record of a known kind decoded straight from its text
    (domain/record_json.py): (True, its `sent_at`) when it went into the batch; (False, None) when anything about
    it is unusual, for `_handle` to read it in full (the quarantine's reasons are its own). An SSE `event` naming
    a record kind is taken as the message's type: the message and its record are then read in one pass, kept
    only when the type agrees."""
    typed = _TYPED_MESSAGES.get(event)
    if typed is not None:
        try:
            whole = typed.decode(data)
        except (msgspec.MsgspecError, ValueError, RecursionError):
            whole = None
        if whole is not None and whole.type == event and whole.seq >= 0 and \
                vouched(RECORD_CLASSES[event], whole.data, data):
            tracker.see(whole.seq)
            builder.add(event, whole.data)
            return True, whole.sent_at
    try:
        msg = _RECORD_MESSAGE.decode(data)
    except (msgspec.MsgspecError, ValueError, RecursionError):
        return False, None
    cls = RECORD_CLASSES.get(msg.type)
    if cls is None or msg.seq < 0:
        return False, None
    record = decode_json_fast(cls, bytes(msg.data))
    if record is None:
        return False, None
    tracker.see(msg.seq)
    builder.add(msg.type, record)
    return True, msg.sent_at


def _handle(feed: FeedBase, builder: BatchBuilder, frame: Frame, tracker: SeqTracker) -> str | None:
    """handle_message without the lag: returns the message's `sent_at` text, if it has one."""
    if frame.seq is not None:
        tracker.see(frame.seq)
    if frame.too_big:
        builder.quarantine("message", frame.data, f"message larger than max_bytes={feed.section.max_bytes}")
        return None
    done, sent_at = _handle_record(builder, frame.data, tracker, frame.event)
    if done:
        return sent_at
    try:
        msg = wirejson.loads(frame.data)
    except wirejson.BadJson as exc:
        if frame.seq is None:
            tracker.see_unknown()
        builder.quarantine("message", frame.data, f"invalid JSON: {exc}"[:300])
        return None
    if not isinstance(msg, dict):
        if frame.seq is None:
            tracker.see_unknown()
        builder.quarantine("message", frame.data, f"expected a JSON object, got {type(msg).__name__}")
        return None
    seq = msg.get("seq")
    if isinstance(seq, int) and not isinstance(seq, bool) and seq >= 0:
        tracker.see(seq)
    elif frame.seq is None:
        tracker.see_unknown()
        builder.quarantine("message", frame.data, "message without an integer seq")
        return None
    sent_at = msg.get("sent_at")
    if not isinstance(sent_at, str):
        sent_at = None
    kind = msg.get("type")
    if kind == "heartbeat":
        data = msg.get("data")
        last = data.get("last_seq") if isinstance(data, dict) else None
        if backend_lost_log(last, tracker.mark):
            if sent_at is not None:
                _set_lag(feed, sent_at)
            raise BackendReset(f"server's last seq {last} is below our cursor {tracker.mark}: its log was reset")
        if isinstance(last, int) and not isinstance(last, bool):
            tracker.raise_ceiling(last)
        return sent_at
    if not isinstance(kind, str):
        builder.quarantine("message", frame.data, "message without a type")
        return sent_at
    if "data" not in msg:
        builder.quarantine(kind[:40], frame.data, "message without data")
        return sent_at
    if kind == "kpi":
        add_kpis(builder, msg["data"], frame.data)
    else:
        add_record(builder, kind[:40], msg["data"], frame.data)
    return sent_at


class _PushFeed(FeedBase):
    """Reader task → bounded queue → batches; reconnects from the last committed cursor.

    Pipelined: while the sink commits batch N (on the store's thread), the frames that arrived meanwhile are
    decoded into batch N+1 here, `decode_slice` at a time with a turn of the loop between (N's end is seen
    promptly); if the sink is still busy after that, more frames are decoded into the same batch (coalescing, up
    to `max_coalesce` messages), so a store that lags gets fewer, bigger transactions instead of a growing queue. Never more than one batch of a feed
    is at the sink: N+1 is handed over only after N returned (committed), with the cursor after N+1.

    Lingering: a batch is handed over no sooner than `linger_s` after its first message arrived (unless it is
    full: `max_batch`), so a steady trickle of messages makes a few commits a second, not one per message. Every
    commit costs every wall that follows the store a wake-up and a read; no message waits more than `linger_s`
    for it, an emergency included."""

    heartbeat_s = 5.0          # the server's heartbeat; a silence of 3 heartbeats means a stalled stream
    linger_s = 0.04            # fewer commits for every follower, at a cost of at most this much latency a message
    max_batch = 2000
    max_coalesce = 10_000
    decode_slice = 250         # frames decoded at a time while a batch is in flight, between turns of the loop
    queue_size = 4000          # frames read and not yet decoded (a FrameQueue) before the reader waits

    def __init__(self, section: FeedSection, client: httpx.AsyncClient) -> None:
        super().__init__(section, client)
        self.base = section.url.rstrip("/")
        self.retry_s: float | None = None
        self.connects = 0
        self._skip_after: int | None = None    # ws: a too-big message follows this seq
        self._territory_done = False
        self._log_id: str | None = None        # the backend's log id at our last connect (from its status)
        self._status_at = float("-inf")        # monotonic time of the last status check
        self._status: BackendStatus | None = None
        self._productive = False               # the last connection brought messages
        self._idle_backoff = Backoff(max(self.backoff_base, RECONNECT_FLOOR_S), self.backoff_cap)
        self.seqs_rejected = 0                  # seqs beyond the server's last seq, not used as the cursor
        self.gaps_filled = 0                    # gaps in the stream filled from the pull API

    @property
    def period(self) -> float:
        return max(self.heartbeat_s, 1.0)

    @property
    def read_timeout(self) -> float:
        return max(self.section.timeout, 3 * self.heartbeat_s)

    def idle_delay(self) -> float:
        """After a clean close (server dropped us): the server's `retry:` if given, else a short pause; never under
        RECONNECT_FLOOR_S, and backing off while connections close without bringing a message."""
        delay = self.retry_s if self.retry_s is not None else min(1.0, self.backoff_base)
        if self._productive:
            self._idle_backoff.reset()
        else:
            delay = max(delay, self._idle_backoff.next())
        return max(delay, RECONNECT_FLOOR_S)

    def error_delay(self) -> float:
        """The first reconnect after a broken connection waits the server's `retry:`; later ones back off."""
        delay = self._backoff.next()
        if self.consecutive_failures <= 1 and self.retry_s is not None:
            return max(self.retry_s, RECONNECT_FLOOR_S)
        return max(delay, self.retry_s or 0.0, RECONNECT_FLOOR_S)

    async def _backend_status(self, max_age: float = 0.0) -> BackendStatus | None:
        """GET {url}/status (cached `max_age` seconds); None when the backend does not offer a usable one."""
        if self._status is not None and time.monotonic() - self._status_at <= max_age:
            return self._status
        self._status_at = time.monotonic()
        try:
            body, ctype = await self.get_bytes(f"{self.base}/status")
            self._status = BackendStatus.parse(load_json(body, ctype))
        except FeedError as exc:
            log.info("feed %s: status: %s", self.name, exc)
            self._status = None
        return self._status

    async def _check_backend(self, start: int) -> int | None:
        """On connect: has the backend restarted with another log (another log id) or lost its log (its last seq
        is below our cursor)? Then BackendReset: the caller catches up by polling from the start. Returns the
        server's last seq (None if it offers no status)."""
        status = await self._backend_status()
        if status is None:
            return None
        known, self._log_id = self._log_id, status.log_id or self._log_id
        if start and known is not None and status.log_id is not None and status.log_id != known:
            raise BackendReset(f"the backend restarted with another log (log id {known[:16]} → {status.log_id[:16]})")
        if backend_lost_log(status.last_seq, start):
            raise BackendReset(f"server's last seq {status.last_seq} is below our cursor {start}: its log was reset")
        if start and status.first_seq is not None and start < status.first_seq - 1 <= status.last_seq - 1:
            raise Gone(f"cursor {start} is older than the server's first retained seq {status.first_seq}")
        return status.last_seq

    async def _check_jumps(self, tracker: SeqTracker) -> None:
        """Seqs that jumped far ahead are checked against the server's status: beyond its last seq they are
        dropped (logged), never the cursor."""
        status = await self._backend_status(max_age=1.0)
        if status is None:
            false = tracker.accept(tracker.ceiling if tracker.ceiling is not None else tracker.mark)
            why = "the server offers no status to check them against"
        else:
            false = tracker.accept(status.last_seq)
            why = f"the server's last seq is {status.last_seq}"
        if false:
            self.seqs_rejected += len(false)
            log.warning("feed %s: ignored %d sequence number(s) that jumped ahead (%s); %s; not used as the cursor",
                        self.name, len(false), ", ".join(str(x) for x in false[:3]), why)

    async def _fill_gaps(self, sink: Sink, tracker: SeqTracker) -> None:
        """Seqs the stream skipped (a gap on resume, a hole that did not fill) are read from the pull API."""
        gaps, tracker.skipped = tracker.skipped, []
        since = min(lo for lo, _ in gaps) - 1
        before = self.received
        await self._pull(sink, since, territory=False)
        self.gaps_filled += len(gaps)
        log.warning("feed %s: the stream skipped seq %s; filled from the pull API since %d (%d records)",
                    self.name, ", ".join(f"{lo}-{hi}" if hi > lo else str(lo) for lo, hi in gaps[:3]),
                    since, self.received - before)

    @staticmethod
    async def _next_frames(queue: asyncio.Queue[list[Frame] | StreamEnd], inflight: asyncio.Future[None] | None
                           ) -> list[Frame] | StreamEnd | None:
        """The queue's next item, or None as soon as the batch being committed failed: a failed commit is acted on
        at once, not when the stream next brings something."""
        if inflight is not None and inflight.done() and (inflight.cancelled() or inflight.exception() is not None):
            return None
        if inflight is None or inflight.done():
            return await queue.get()
        getter = asyncio.ensure_future(queue.get())
        try:
            either: set[asyncio.Future[Any]] = {getter, inflight}
            await asyncio.wait(either, return_when=asyncio.FIRST_COMPLETED)
            if not getter.done() and not inflight.cancelled() and inflight.exception() is None:
                await asyncio.wait({getter})     # committed fine: keep waiting for frames
        finally:
            if not getter.done():    # the commit failed, or we are cancelled: the getter ends here, not pending
                getter.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await getter
        return None if getter.cancelled() else getter.result()

    @staticmethod
    async def _handed_over(handed: asyncio.Event, delivery: asyncio.Future[None]) -> None:
        """Until the delivery has the batch at the sink (`FeedBase.deliver`'s `handed`), or has ended."""
        waiter: asyncio.Future[Any] = asyncio.ensure_future(handed.wait())
        either: set[asyncio.Future[Any]] = {waiter, delivery}
        try:
            await asyncio.wait(either, return_when=asyncio.FIRST_COMPLETED)
        finally:
            waiter.cancel()

    async def _linger(self, queue: asyncio.Queue[list[Frame] | StreamEnd], carry: list[Frame],
                      builder: BatchBuilder, tracker: SeqTracker, messages: int, until: float
                      ) -> tuple[int, StreamEnd | None]:
        """Decode the messages that arrive into `builder` until `until` (perf_counter), the batch holds
        `max_batch` messages or the stream ends; returns the batch's message count and the stream's end, if seen."""
        while True:
            more, end = _take(queue, carry, self.max_batch - messages)
            if more:
                messages += len(more)
                handle_messages(self, builder, more, tracker)
            left = until - time.perf_counter()
            if end is not None or messages >= self.max_batch or left <= 0:
                return messages, end
            try:
                # asyncio.timeout, not wait_for (see _read); a frame list the timeout interrupts stays queued
                async with asyncio.timeout(left):
                    got = await queue.get()
            except TimeoutError:
                return messages, None
            if isinstance(got, StreamEnd):
                return messages, got
            carry += got

    async def _decode(self, builder: BatchBuilder, frames: list[Frame], tracker: SeqTracker,
                      inflight: asyncio.Future[None] | None) -> None:
        """`frames` into `builder`; while a batch is at the sink, `decode_slice` frames at a time with a turn of the
        loop after each, so the batch in flight moves on (its emergencies' commit hands over the rest) and its
        end is seen within a slice's decoding, not a whole batch's."""
        if inflight is None or inflight.done():
            handle_messages(self, builder, frames, tracker)
            return
        for at in range(0, len(frames), self.decode_slice):
            handle_messages(self, builder, frames[at:at + self.decode_slice], tracker)
            await asyncio.sleep(0)

    async def _run_once(self, sink: Sink) -> None:
        if not self._territory_done:
            await fetch_territory(self, sink)
            self._territory_done = True
        values = parse_cursor(self.cursor)
        start = push_seq(values)
        tracker = SeqTracker(start, await self._check_backend(start))
        self._productive = False
        queue: asyncio.Queue[list[Frame] | StreamEnd] = FrameQueue(self.queue_size)
        reader = asyncio.create_task(self._reader(queue, start), name=f"feed-reader:{self.name}")
        inflight: asyncio.Future[None] | None = None      # the batch the sink is committing
        committing: BatchBuilder | None = None             # ...and its builder
        carry: list[Frame] = []                            # frames taken from the queue past a batch's limit
        try:
            while True:
                items: list[Frame] = []
                end: StreamEnd | None = None
                if not carry:
                    first = await self._next_frames(queue, inflight)
                    if isinstance(first, StreamEnd):
                        end = first
                    elif first is not None:
                        carry += first
                if carry:
                    items, end = _take(queue, carry, self.max_batch)
                builder = BatchBuilder(self, after=committing if inflight is not None else None)
                messages = len(items)
                if items:
                    await self._decode(builder, items, tracker, inflight)
                    if end is None:
                        messages, end = await self._linger(queue, carry, builder, tracker, messages,
                                                           (items[0].at or time.perf_counter()) + self.linger_s)
                while (end is None and inflight is not None and not inflight.done()
                       and messages < self.max_coalesce and (carry or not queue.empty())):
                    more, end = _take(queue, carry, min(self.decode_slice, self.max_coalesce - messages))
                    messages += len(more)
                    await self._decode(builder, more, tracker, inflight)
                if inflight is not None:
                    done, inflight = inflight, None
                    await done            # the sink's error ends this round: restart from the committed cursor
                builder.after = None      # committed now: its versions are in the feed's map
                if messages:
                    self._productive = True
                    if tracker.suspect:
                        await self._check_jumps(tracker)
                    mark = tracker.settle()
                    if tracker.skipped:   # filled (committed with the old cursor) before the cursor passes them
                        await self._fill_gaps(sink, tracker)
                        builder.drop_committed()
                    cursor = dump_cursor({"seq": mark}) if mark > start else self.cursor
                    handed = asyncio.Event()
                    inflight = asyncio.ensure_future(self.deliver(sink, builder, cursor, handed))
                    committing = builder
                    # let the delivery hand the batch to the store's thread (after its emergencies' own commit)
                    # before decoding the next one: a queue that is never empty never suspends this loop, and
                    # the commit of N would otherwise wait for N+1 (up to max_coalesce messages) to be decoded
                    await self._handed_over(handed, inflight)
                if end is not None:
                    if inflight is not None:
                        done, inflight = inflight, None
                        await done
                    if end.error is not None:
                        raise end.error
                    return
        except BaseException as exc:
            if inflight is not None and not inflight.done():
                if isinstance(exc, asyncio.CancelledError):
                    inflight.cancel()
                else:   # let the commit in progress finish, so cursor and versions match what the store holds
                    await asyncio.wait({inflight})
            if inflight is not None and inflight.done() and not inflight.cancelled():
                inflight.exception()      # retrieved: the error that matters is the one raised here
            raise
        finally:
            reader.cancel()
            # bounded: a reader that does not stop (a library swallowing the cancel) is abandoned, not awaited forever
            stopped, _ = await asyncio.wait({reader}, timeout=5.0)
            if not stopped:
                log.error("feed %s: reader task did not stop within 5 s; abandoned", self.name)
            elif not reader.cancelled():
                reader.exception()   # retrieved, so asyncio does not warn; the consumer saw it as a StreamEnd

    async def _reader(self, queue: asyncio.Queue[list[Frame] | StreamEnd], start: int) -> None:
        try:
            await self._read(queue, start)
            await queue.put(StreamEnd())
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - handed to the consumer, which records it
            await queue.put(StreamEnd(exc))

    async def _read(self, queue: asyncio.Queue[list[Frame] | StreamEnd], start: int) -> None:
        raise NotImplementedError

    async def _resync(self, sink: Sink, from_start: bool = False) -> None:
        """The server cannot resume our cursor (410), or lost its log: catch up by polling (from our
        cursor, or from the start after a reset; versions dedupe), then stream from there."""
        newest = await self._pull(sink, 0 if from_start else push_seq(parse_cursor(self.cursor)))
        # every change up to the newest polled seq is in: stream from there
        await self.deliver(sink, BatchBuilder(self), dump_cursor({"seq": newest}))

    async def _pull(self, sink: Sink, since: int, territory: bool = True) -> int:
        """Every record type changed after `since`, from the pull API, committed with the feed's current cursor
        (until the caller moves it, a restart must read them again). Returns the newest seq polled."""
        poller = NativePollFeed(self.section, self.client)  # type: ignore[arg-type]
        poller.versions = self.versions
        poller.quarantine_seen = self.quarantine_seen
        poller.fetch_kpis = False
        poller._territory_done = not territory
        old_cursor = self.cursor
        poller.cursor = dump_cursor({k: since for k in POLL_KINDS})

        async def keep_old_cursor(batch: Batch) -> None:
            batch.cursor = old_cursor     # until the catch-up is complete, a restart must catch up again
            await sink(batch)

        try:
            await poller._run_once(keep_old_cursor)
        finally:    # the poller's failed commit (logged by it) is this feed's, in its health
            if poller.commit_failures:
                self.commit_failures += poller.commit_failures
                self._commit_error = poller._commit_error
                self.last_commit_error_at = poller.last_commit_error_at
                self.last_error, self.last_error_at = poller.last_error, poller.last_error_at
            elif poller.batches:
                self.commit_failures = 0
        self.received += poller.received
        self.quarantined += poller.quarantined
        return max(parse_cursor(poller.cursor).values(), default=since)


class NativeSseFeed(_PushFeed):
    """GET {url}/stream with Last-Event-ID; our own capped parser (heartbeat comments count as contact)."""

    async def _run_once(self, sink: Sink) -> None:
        try:
            await super()._run_once(sink)
        except BackendReset as exc:
            log.warning("feed %s: %s; catching up by polling from the start", self.name, exc)
            await self._resync(sink, from_start=True)
        except Gone:
            log.warning("feed %s: cursor no longer resumable; catching up by polling", self.name)
            await self._resync(sink)

    async def _read(self, queue: asyncio.Queue[list[Frame] | StreamEnd], start: int) -> None:
        assert self.client is not None
        headers = {"Accept": "text/event-stream", "Accept-Encoding": ACCEPT_ENCODING, "Cache-Control": "no-cache",
                   **self.headers()}
        if self.cursor is not None:
            headers["Last-Event-ID"] = str(start)
        try:
            # the byte iterator and the response are closed on the way out, cancellation included, here on the
            # event loop (not by a garbage collection on some other thread)
            async with contextlib.AsyncExitStack() as stack:
                resp = await stack.enter_async_context(self.client.stream(
                    "GET", f"{self.base}/stream", headers=headers, timeout=self.timeout(read=self.read_timeout)))
                if resp.status_code == 410:
                    raise Gone("HTTP 410: cursor too old")
                if resp.status_code >= 400:
                    body = await _head(resp)
                    raise FeedError(f"HTTP {resp.status_code} from stream: {snippet(body)}")
                ctype = resp.headers.get("content-type", "")
                if "text/event-stream" not in ctype:
                    raise FeedError(f"stream: expected text/event-stream, got {ctype or 'no content type'}")
                self.connects += 1     # contact (mark_ok) is the first complete event, not the headers
                parser = SSEParser(self.section.max_bytes)
                # decoded in bounded pieces, each parsed and queued before the next is inflated: the queue's
                # back-pressure then holds however many tiny events a compressed read expands to
                stream = await stack.enter_async_context(contextlib.aclosing(iter_decoded(resp)))
                completed, progress_at = parser.completed, time.monotonic()
                async for chunk in stream:
                    at = time.perf_counter()
                    frames = parser.feed(chunk)
                    if parser.completed != completed:     # contact is a complete event or comment, not bytes
                        if not completed:
                            self.mark_ok()
                        completed, progress_at = parser.completed, time.monotonic()
                        self.last_ok_at = utcnow()
                    elif time.monotonic() - progress_at > self.read_timeout:
                        raise FeedError(f"stream sent bytes but no complete event for {self.read_timeout:.0f} s "
                                        "(trickling, or one endless line); reconnecting")
                    if not frames:
                        if queue.empty():
                            # A heartbeat with nothing pending: we are at the head of the stream, so the lag
                            # measured on the last (possibly replayed) message no longer holds.
                            self.lag_s = 0.0
                        continue
                    for k, frame in enumerate(frames):
                        if frame.event == "error":     # the server says we fell behind its window
                            if k:
                                await queue.put(frames[:k])
                            raise Gone(f"stream error event: {snippet(frame.data)}")
                        frame.at = at
                    await queue.put(frames)
                    if parser.retry_ms is not None:
                        self.retry_s = min(parser.retry_ms / 1000, 60.0)
        except httpx.ReadTimeout:
            raise FeedError(f"stream silent for {self.read_timeout:.0f} s (stalled); reconnecting") from None
        except httpx.HTTPError as exc:
            raise FeedError(f"stream: {type(exc).__name__}: {exc}") from None


async def _head(resp: httpx.Response) -> bytes:
    try:
        # httpx declares aiter_bytes an AsyncIterator; it is an async generator, with aclose()
        async with contextlib.aclosing(resp.aiter_bytes()) as body:  # type: ignore[type-var]
            async for chunk in body:
                return chunk[:2048]
    except httpx.HTTPError:
        pass
    return b""


#: A message that starts with its seq (as ours do: docs/feed-protocol.md) — anchored, so only the top-level key.
_SEQ_FIRST = re.compile(rb'\s*\{\s*"seq"\s*:\s*(\d{1,18})\s*[,}]')


def _leading_seq(data: bytes) -> int | None:
    """The message's top-level integer seq: read off its start when it comes first, else by parsing the whole
    message (the decoder parses it again later; for a seq-first message that second parse was half the reader's
    work per message)."""
    m = _SEQ_FIRST.match(data)
    if m is not None:
        return int(m.group(1))
    try:
        s = wirejson.loads(data).get("seq")
    except (wirejson.BadJson, AttributeError):
        return None
    return s if isinstance(s, int) and not isinstance(s, bool) else None


class NativeWsFeed(_PushFeed):
    """{url}/ws?cursor=SEQ; one text frame per message. Our own reconnect loop so the cursor moves on."""

    async def _run_once(self, sink: Sink) -> None:
        try:
            await super()._run_once(sink)
        except BackendReset as exc:
            log.warning("feed %s: %s; catching up by polling from the start", self.name, exc)
            await self._resync(sink, from_start=True)
        except Gone:
            log.warning("feed %s: cursor no longer resumable; catching up by polling", self.name)
            await self._resync(sink)

    def ws_url(self, seq: int) -> str:
        base = self.base
        if base.startswith("https://"):
            base = "wss://" + base[len("https://"):]
        elif base.startswith("http://"):
            base = "ws://" + base[len("http://"):]
        return f"{base}/ws?cursor={seq}" if self.cursor is not None or seq else f"{base}/ws"

    async def _read(self, queue: asyncio.Queue[list[Frame] | StreamEnd], start: int) -> None:
        from websockets.exceptions import ConnectionClosed, InvalidStatus, WebSocketException

        seq = start
        if self._skip_after is not None and self._skip_after == start:
            seq = start + 1   # the message after `start` was too big to receive: skip it
            await queue.put([Frame(data=b"", seq=start + 1, too_big=self.section.max_bytes + 1)])
        self._skip_after = None
        last_seq = seq
        try:
            async with guarded_ws_connect(self.origin, self.ws_url(seq), additional_headers=self.headers() or None,
                                          open_timeout=self.section.timeout, max_size=self.section.max_bytes,
                                          ping_interval=20, ping_timeout=20, close_timeout=1,
                                          max_queue=64) as ws:
                self.connects += 1
                self.mark_ok()
                while True:
                    try:
                        # asyncio.timeout, not wait_for: on 3.11 wait_for can swallow a cancellation
                        # that races the inner future, leaving this task unstoppable
                        async with asyncio.timeout(self.read_timeout):
                            msg = await ws.recv()
                    except TimeoutError:
                        sent = getattr(getattr(ws, "protocol", None), "close_sent", None)
                        if sent is not None and sent.code == 1009:   # we refused a too-big frame; peer never closed
                            self._skip_after = last_seq
                            raise FeedError(f"websocket message after seq {last_seq} larger than max_bytes; "
                                            "skipping it") from None
                        raise FeedError(f"websocket silent for {self.read_timeout:.0f} s (stalled); reconnecting") from None
                    self.last_ok_at = utcnow()
                    data = msg.encode() if isinstance(msg, str) else msg
                    frame = Frame(data=data[:8192] if len(data) > self.section.max_bytes else data,
                                  at=time.perf_counter())
                    s = _leading_seq(data)
                    if s is not None:
                        last_seq = max(last_seq, s)
                    await queue.put([frame])
        except InvalidStatus as exc:
            status = exc.response.status_code
            if status == 410:
                raise Gone("HTTP 410: cursor too old") from None
            raise FeedError(f"websocket refused: HTTP {status}") from None
        except ConnectionClosed as exc:
            if exc.rcvd is not None and exc.rcvd.code == 1009 or exc.sent is not None and exc.sent.code == 1009:
                self._skip_after = last_seq
                raise FeedError(f"websocket message after seq {last_seq} larger than max_bytes; skipping it") from None
            if exc.rcvd is not None and exc.rcvd.code == 4410:
                raise Gone(f"websocket closed 4410: {exc.rcvd.reason}") from None
            if exc.rcvd is not None and exc.rcvd.code in (1000, 1001):
                return
            raise FeedError(f"websocket closed: {exc}") from None
        except (OSError, WebSocketException, TimeoutError) as exc:
            raise FeedError(f"websocket: {type(exc).__name__}: {exc}") from None
