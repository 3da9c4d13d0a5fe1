"""What every feed shares: the Batch, the Feed protocol, health, backoff, dedupe and capped HTTP.

A feed runs as one asyncio task (`run`) until cancelled. It hands the caller one `Batch` at a time
and waits for the sink to return (the sink commits to the store), so a feed's cursor and its
"highest version seen" map advance only after a commit: an exception anywhere (network, parser,
sink) makes the feed start over from the last committed cursor, after a backoff.

Parsing and decoding are CPU work done on the feed's own event loop: the ingest pipeline runs its feeds on a
thread of their own (services.ingest.FeedThread), not on the wall's GUI thread; a further hand-over to a decoder
thread only added thread hops (and, under the GIL, no parallelism).
"""
from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import os
import random
import zlib
from collections import OrderedDict
from collections.abc import AsyncGenerator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, UTC
from typing import Any, Protocol, runtime_checkable

import httpx

from ..config.schema import FeedSection
from . import redact
from .clock import BackendClock
from .trace import StageTrace
from .transport import GuardedClient, OriginPolicy, TokenError, token_from_env
from ..domain import (
    Alert, FeedHealth, FeedState, Incident, KpiValue, QuarantinedRecord, Resource, TerritoryNode,
)
from ..domain.sensors import Sensor, SensorReading

log = logging.getLogger("commandcenter.feeds")

RAW_KEEP = 64 * 1024          # raw bytes kept in a quarantine entry (the reason says if cut)
PRIORITY_SPLIT = 256          # a batch with more incidents than this commits its open emergencies first
RECONNECT_FLOOR_S = 0.25      # no reconnect sooner, whatever `retry:` says (a `retry: 0` would spin)
DECODED_PIECE = 64 * 1024     # decompressed bytes produced per step: a compressed bomb never inflates at once
ACCEPT_ENCODING = "gzip, deflate"   # what BoundedDecoder undoes


@dataclass
class Batch:
    feed: str
    incidents: list[Incident] = field(default_factory=list)
    resources: list[Resource] = field(default_factory=list)
    alerts: list[Alert] = field(default_factory=list)
    territory: list[TerritoryNode] = field(default_factory=list)
    kpis: list[KpiValue] = field(default_factory=list)
    quarantined: list[QuarantinedRecord] = field(default_factory=list)
    sensors: list[Sensor] = field(default_factory=list)              # devices' new versions (mqtt feeds)
    readings: list[SensorReading] = field(default_factory=list)
    cursor: str | None = None   # to persist together with this batch's records

    def __len__(self) -> int:
        return (len(self.incidents) + len(self.resources) + len(self.alerts) + len(self.territory)
                + len(self.kpis) + len(self.quarantined) + len(self.sensors) + len(self.readings))

    @property
    def records(self) -> int:
        return len(self) - len(self.quarantined)


Sink = Callable[[Batch], Awaitable[None]]


@runtime_checkable
class Feed(Protocol):
    name: str

    def health(self, now: datetime) -> FeedHealth: ...

    async def run(self, sink: Sink, cursor: str | None) -> None: ...


class FeedError(Exception):
    """The whole response or connection is unusable: counts against the feed's health, then a retry."""


class Gone(FeedError):
    """The server cannot resume from our cursor (HTTP 410)."""


class BackendReset(Gone):
    """The server's newest seq is below our cursor: it lost its log (restarted empty). Start over from 0."""


def utcnow() -> datetime:
    return datetime.now(UTC)


class Backoff:
    """Exponential backoff with jitter ("equal jitter": half fixed, half random), capped."""

    def __init__(self, base: float = 0.5, cap: float = 30.0, factor: float = 2.0,
                 rng: random.Random | None = None) -> None:
        self.base, self.cap, self.factor = base, cap, factor
        self.attempt = 0
        self.rng = rng or random.Random()

    def next(self) -> float:
        ceiling = min(self.cap, self.base * self.factor ** min(self.attempt, 30))
        self.attempt += 1
        return ceiling / 2 + self.rng.uniform(0, ceiling / 2)

    def reset(self) -> None:
        self.attempt = 0


class VersionMap:
    """Highest committed version per (kind, id): duplicates and reordered old versions are dropped.

    Bounded (least recently changed ids are forgotten past `cap`): a forgotten id's replay reaches
    the store, which keeps the higher version anyway, so the bound costs work, never correctness. The
    default cap covers hours of a city's traffic and any burst's duplicates in a few MB (sizes in
    docs/benchmarks.md); ten times it grew a soak's memory by tens of MB."""

    def __init__(self, cap: int = 20_000) -> None:
        self.cap = cap
        self._seen: OrderedDict[tuple[str, str], int] = OrderedDict()

    def is_new(self, kind: str, record_id: str, version: int) -> bool:
        return version > self._seen.get((kind, record_id), -1)

    def commit(self, kind: str, record_id: str, version: int) -> None:
        key = (kind, record_id)
        if version > self._seen.get(key, -1):
            self._seen[key] = version
            self._seen.move_to_end(key)
            if len(self._seen) > self.cap:
                self._seen.popitem(last=False)

    def __len__(self) -> int:
        return len(self._seen)


class BatchBuilder:
    """Collects one batch, dropping records not newer than what is committed or already in the batch.

    `after`: the batch still being committed when this one is built (a pipelined feed); what it holds
    counts as committed, so a duplicate spanning the two batches reaches the store once."""

    def __init__(self, feed: FeedBase, after: BatchBuilder | None = None) -> None:
        self.feed = feed
        self.after = after
        self.batch = Batch(feed=feed.name)
        self._pending: dict[tuple[str, str], tuple[int, int]] = {}   # key -> (version, index in list)
        self._q_pending: set[bytes] = set()
        self.dropped = 0

    def add(self, kind: str, record: Any) -> None:
        """kind: incident / resource / alert. An incident keeps only its highest version in the batch (it carries
        its whole timeline); a resource or an alert keeps every newer version, since each is a row of its history
        (a dispatch, then arrival on scene, coalesced into one batch must not lose the dispatch time)."""
        lst: list[Any] = getattr(self.batch, kind + "s")
        key = (kind, record.id)
        if not self.feed.versions.is_new(kind, record.id, record.version):
            self.dropped += 1
            return
        if self.after is not None:
            earlier = self.after._pending.get(key)
            if earlier is not None and record.version <= earlier[0]:
                self.dropped += 1
                return
        prior = self._pending.get(key)
        if prior is not None:
            if record.version <= prior[0]:
                self.dropped += 1
                return
            if kind == "incident":
                self.dropped += 1
                lst[prior[1]] = record
                self._pending[key] = (record.version, prior[1])
                return
        self._pending[key] = (record.version, len(lst))
        lst.append(record)

    def drop_committed(self) -> None:
        """Forget the records a commit made since they were added (a gap filled from the pull API) has already
        stored at their version or a newer one."""
        self._pending = {}
        for kind in ("incident", "resource", "alert"):
            lst: list[Any] = getattr(self.batch, kind + "s")
            keep = [r for r in lst if self.feed.versions.is_new(kind, r.id, r.version)]
            self.dropped += len(lst) - len(keep)
            lst[:] = keep
            for i, r in enumerate(keep):
                prior = self._pending.get((kind, r.id))
                if prior is None or r.version > prior[0]:
                    self._pending[(kind, r.id)] = (r.version, i)

    def territory(self, node: TerritoryNode) -> None:
        self.batch.territory.append(node)

    def kpi(self, value: KpiValue) -> None:
        self.batch.kpis.append(value)

    def quarantine(self, kind: str, raw: bytes | str, reason: str, record_id: str | None = None) -> None:
        """Keep bad input with its reason. The same bytes seen again (an overlapping poll window,
        a duplicated message) are counted as a duplicate, not quarantined twice."""
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "replace")
        digest = hashlib.blake2b(kind.encode() + b"\0" + raw, digest_size=16).digest()
        if digest in self.feed.quarantine_seen or digest in self._q_pending or (
                self.after is not None and digest in self.after._q_pending):
            self.dropped += 1
            return
        self._q_pending.add(digest)
        if len(raw) > RAW_KEEP:
            reason = f"{reason} (raw cut to {RAW_KEEP} of {len(raw)} bytes)"
            raw = raw[:RAW_KEEP]
        self.batch.quarantined.append(QuarantinedRecord(
            feed=self.feed.name, kind=kind, raw=bytes(raw), reason=reason[:1000], received_at=utcnow(),
            record_id=record_id if isinstance(record_id, str) else None))

    def commit_versions(self) -> None:
        for (kind, rid), (version, _) in self._pending.items():
            self.feed.versions.commit(kind, rid, version)
        seen = self.feed.quarantine_seen
        for digest in self._q_pending:
            seen[digest] = None
        while len(seen) > 50_000:
            seen.popitem(last=False)


class FeedBase:
    """Health bookkeeping, auth, capped HTTP GETs and the retry loop around `_run_once`."""

    # Overridable per instance (tests shorten them).
    backoff_base: float = 0.5
    backoff_cap: float = 30.0
    failures_for_down: int = 3
    #: Per-stage stamps of chosen records (the latency bench); None: no per-record work.
    trace: StageTrace | None = None
    #: Its backend's clock (feeds.clock), set by the pipeline: message times are compared with backend time.
    backend_clock: BackendClock | None = None

    def __init__(self, section: FeedSection, client: httpx.AsyncClient | None) -> None:
        self.section = section
        self.name = section.name
        redact.install()
        # one rule for every feed kind: credentials only to the feed's origin, redirects only within it
        self.origin = OriginPolicy.for_feed(section.url, section.redirect_origins)
        if isinstance(client, GuardedClient):     # a feed made by another feed (a push feed's catch-up poller)
            client = client.inner
        self.client: GuardedClient | None = GuardedClient(client, self.origin) if client is not None else None
        self._token, self.token_error = self._read_token()
        self.versions = VersionMap()
        self.quarantine_seen: OrderedDict[bytes, None] = OrderedDict()
        self.cursor: str | None = None
        self.started_at: datetime | None = None
        self.last_ok_at: datetime | None = None        # last good contact (response, message, heartbeat)
        self.last_data_at: datetime | None = None      # last batch committed
        self.last_error = ""
        self.last_error_at: datetime | None = None
        self.consecutive_failures = 0
        self.received = 0
        self.quarantined = 0
        self.duplicates = 0
        self.batches = 0
        self.lag_s = 0.0                                # source send time → receipt, last message
        self.commit_failures = 0                        # consecutive failed commits (reset by a commit)
        self.last_commit_error_at: datetime | None = None
        self._commit_error: BaseException | None = None   # the last failed commit's exception, already logged
        self._backoff = Backoff(self.backoff_base, self.backoff_cap)

    # ---- health -------------------------------------------------------------------------------
    @property
    def period(self) -> float:
        """How often we expect to hear from the source, in seconds."""
        return self.section.interval

    def health(self, now: datetime) -> FeedHealth:
        return FeedHealth(
            feed=self.name, state=self.state(now), last_ok_at=self.last_ok_at, last_error=self.last_error,
            last_error_at=self.last_error_at, received=self.received, quarantined=self.quarantined,
            lag_s=self.lag_s)

    def state(self, now: datetime) -> FeedState:
        """live: heard within 2 periods (+timeout), no failure since, lag under a period, the last commit good.
        lagging: heard within 6 periods (+timeout), or failing/late but still recently heard.
        stale: silent longer than that (or nothing heard yet) without repeated failures.
        down: `failures_for_down` consecutive failures since the last good contact (or failed commits).
        A failed commit makes the feed lagging at once, until a commit succeeds."""
        failing = self.last_error_at is not None and (self.last_ok_at is None or self.last_error_at > self.last_ok_at)
        if failing and self.consecutive_failures >= self.failures_for_down:
            return FeedState.DOWN
        if self.commit_failures:    # records arrive but are not stored: never "live", however fresh the contact
            return FeedState.DOWN if self.commit_failures >= self.failures_for_down else FeedState.LAGGING
        if self.last_ok_at is None:
            return FeedState.DOWN if failing and self.consecutive_failures >= 1 and self.started_at and \
                (now - self.started_at).total_seconds() > self.section.timeout else FeedState.STALE
        age = (now - self.last_ok_at).total_seconds()
        margin = self.section.timeout
        if age <= 2 * self.period + margin and not failing and self.lag_s <= max(self.period, 2.0):
            return FeedState.LIVE
        if age <= 6 * self.period + margin:
            return FeedState.LAGGING
        return FeedState.STALE

    def mark_ok(self) -> None:
        self.last_ok_at = utcnow()
        self.consecutive_failures = 0
        self._backoff.reset()

    def mark_commit_failed(self, exc: BaseException) -> None:
        """The sink (the store) refused a batch: logged and shown in the feed's health at once, not only when the
        feed next reconnects (a quiet stream would hide it for as long as it stays quiet)."""
        self.commit_failures += 1
        self._commit_error = exc
        self.last_commit_error_at = utcnow()
        self.last_error = redact.redact(f"commit failed: {describe(exc)}")[:500]
        self.last_error_at = self.last_commit_error_at
        log.error("feed %s: %s", self.name, self.last_error)

    def mark_error(self, message: str) -> None:
        self.last_error = redact.redact(message)[:500]     # the health line shows it
        self.last_error_at = utcnow()
        self.consecutive_failures += 1
        log.warning("feed %s: %s", self.name, self.last_error)

    # ---- run loop -----------------------------------------------------------------------------
    async def run(self, sink: Sink, cursor: str | None) -> None:
        """Run until cancelled; never raises anything but CancelledError."""
        self.cursor = cursor
        self.started_at = utcnow()
        self._backoff = Backoff(self.backoff_base, self.backoff_cap)
        while True:
            try:
                await self._run_once(sink)
                delay = None
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - a feed task must survive anything
                if exc is self._commit_error:       # logged and shown when it happened
                    self.consecutive_failures += 1
                else:
                    self.mark_error(describe(exc))
                delay = self.error_delay()
            if delay is None:
                delay = self.error_delay() if self.consecutive_failures else self.idle_delay()
            await asyncio.sleep(delay)

    def idle_delay(self) -> float:
        """Pause after a successful round (a poll cycle; a push stream the server closed)."""
        return self.section.interval

    def error_delay(self) -> float:
        """Pause after a failure: exponential backoff with jitter."""
        return self._backoff.next()

    async def _run_once(self, sink: Sink) -> None:
        raise NotImplementedError

    async def deliver(self, sink: Sink, builder: BatchBuilder, cursor: str | None,
                      handed: asyncio.Event | None = None) -> None:
        """Hand one batch to the sink; on return the batch is committed: advance cursor and versions.
        A big batch's open emergencies are handed over first, on their own (`_deliver_urgent_first`).
        `handed` is set once the batch itself is at the sink (after its emergencies' commit), or the delivery
        ended: a pipelined feed waits for it before decoding on, so that small commit runs without competing
        with the decoding for the interpreter, and the batch follows it at once."""
        try:
            await self._deliver(sink, builder, cursor, handed)
        finally:
            if handed is not None:
                handed.set()

    async def _deliver(self, sink: Sink, builder: BatchBuilder, cursor: str | None,
                       handed: asyncio.Event | None) -> None:
        batch = builder.batch
        batch.cursor = cursor
        self.duplicates += builder.dropped
        if len(batch) == 0 and cursor == self.cursor:
            return
        urgent = await self._deliver_urgent_first(sink, batch) if len(batch.incidents) > PRIORITY_SPLIT else 0
        if self.trace is not None:
            self.trace.mark("sink", (r.id for r in batch.incidents))
        if handed is not None:
            handed.set()      # the sink takes the batch before this coroutine next yields
        try:
            await sink(batch)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            self.mark_commit_failed(exc)
            raise
        self.commit_failures = 0
        builder.commit_versions()
        self.cursor = cursor
        self.received += batch.records + urgent
        self.quarantined += len(batch.quarantined)
        self.batches += 1
        self.last_data_at = utcnow()

    async def _deliver_urgent_first(self, sink: Sink, batch: Batch) -> int:
        """A big batch's open emergencies go to the sink first, in a small transaction of their own, and leave
        the batch: a new emergency in a 10,000-record catch-up reaches the wall after a transaction of its
        kind, not after the whole batch's. That transaction keeps the committed cursor (a crash after it
        replays the emergencies, which the store's versions turn into no-ops); versions advance with the batch.
        Returns how many went first."""
        urgent = [r for r in batch.incidents if r.emergency and r.is_open]
        if not urgent or len(urgent) == len(batch.incidents):
            return 0
        if self.trace is not None:
            self.trace.mark("sink", (r.id for r in urgent))
        try:
            await sink(Batch(feed=batch.feed, incidents=urgent, cursor=self.cursor))
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            self.mark_commit_failed(exc)
            raise
        batch.incidents = [r for r in batch.incidents if not (r.emergency and r.is_open)]
        return len(urgent)

    # ---- HTTP ---------------------------------------------------------------------------------
    def _read_token(self) -> tuple[str | None, str]:
        """The bearer token, read and validated once, when the feed is made: (token, "") or (None, error naming
        only the variable). Whatever the variable holds is registered with the log redaction first."""
        variable = self.section.token_env
        if not variable:
            return None, ""
        redact.register_secret(os.environ.get(variable, ""))
        try:
            token = token_from_env(variable, os.environ)
        except TokenError as exc:
            log.error("feed %s: %s", self.name, exc)
            return None, str(exc)
        redact.register_secret(token)
        return token, ""

    def headers(self) -> dict[str, str]:
        """Auth headers from the environment variable named by token_env. The token is never logged; the
        GuardedClient removes it from any request off the feed's origin."""
        if not self.section.token_env:
            return {}
        if self._token is None:
            raise FeedError(self.token_error)
        return {"Authorization": f"Bearer {self._token}"}

    def timeout(self, read: float | None = None) -> httpx.Timeout:
        t = self.section.timeout
        return httpx.Timeout(t, read=read if read is not None else t)

    async def get_bytes(self, url: str, params: dict[str, Any] | None = None,
                        accept: str = "application/json") -> tuple[bytes, str]:
        """GET with timeout, auth and the max_bytes cap; returns (body, content type). Errors → FeedError."""
        if url.startswith("file://") or url.startswith("/") or url.startswith("./"):
            return await asyncio.to_thread(self._read_file, url), ""
        if self.client is None:
            raise FeedError("no HTTP client")
        headers = {"Accept": accept, "Accept-Encoding": ACCEPT_ENCODING, **self.headers()}
        cap = self.section.max_bytes
        try:
            async with asyncio.timeout(self.section.timeout * 3):
                async with self.client.stream("GET", url, params=params, headers=headers,
                                              timeout=self.timeout()) as resp:
                    if resp.status_code == 410:
                        raise Gone(f"HTTP 410 from {safe_url(url)}")
                    if resp.status_code >= 400:
                        body = await read_capped(resp, 2048, truncate=True)
                        raise FeedError(f"HTTP {resp.status_code} from {safe_url(url)}: {snippet(body)}")
                    length = resp.headers.get("content-length")
                    if length and length.isdigit() and int(length) > cap:
                        raise FeedError(f"response of {length} bytes exceeds max_bytes={cap}")
                    body = await read_capped(resp, cap)
                    return body, resp.headers.get("content-type", "")
        except TimeoutError:
            raise FeedError(f"timed out after {self.section.timeout * 3:.0f} s: {safe_url(url)}") from None
        except httpx.HTTPError as exc:
            raise FeedError(f"{type(exc).__name__}: {safe_url(url)} {exc}") from None

    def _read_file(self, url: str) -> bytes:
        path = url[len("file://"):] if url.startswith("file://") else url
        try:
            with open(path, "rb") as fh:
                data = fh.read(self.section.max_bytes + 1)
        except OSError as exc:
            raise FeedError(f"cannot read {path}: {exc.strerror}") from None
        if len(data) > self.section.max_bytes:
            raise FeedError(f"file larger than max_bytes={self.section.max_bytes}")
        return data


class BoundedDecoder:
    """Content-Encoding undone in pieces of at most `piece` bytes, so the memory one compressed read can take is
    bounded however well it compresses (httpx inflates a whole network read at once: a 64 KB gzip read of tiny
    SSE events is tens of MB, a brotli one gigabytes). identity, gzip (several members too) and deflate (zlib or
    raw); any other encoding is refused."""

    def __init__(self, encoding: str, piece: int = DECODED_PIECE) -> None:
        codings = [c.strip().lower() for c in encoding.split(",") if c.strip() and c.strip().lower() != "identity"]
        if len(codings) > 1 or codings and codings[0] not in ("gzip", "x-gzip", "deflate"):
            raise FeedError(f"unsupported content-encoding {encoding[:40]!r}")
        self.coding = codings[0] if codings else ""
        self.piece = piece
        self._z = self._new() if self.coding else None
        self._first = True

    def _new(self) -> zlib._Decompress:
        return zlib.decompressobj(16 + zlib.MAX_WBITS if self.coding != "deflate" else zlib.MAX_WBITS)

    def feed(self, data: bytes) -> Iterator[bytes]:
        """The decoded bytes of `data`, in pieces of at most `piece` bytes."""
        if self._z is None:
            for i in range(0, len(data), self.piece):
                yield data[i:i + self.piece]
            return
        while data:
            try:
                out = self._z.decompress(data, self.piece)
            except zlib.error as exc:
                if self.coding == "deflate" and self._first:    # "deflate" sent as a raw stream, no zlib header
                    self._z, self._first = zlib.decompressobj(-zlib.MAX_WBITS), False
                    continue
                raise FeedError(f"corrupt {self.coding} body: {exc}") from None
            self._first = False
            if out:
                yield out
            if self._z.eof:                          # a gzip member ended; another may follow
                data = self._z.unused_data
                if data:
                    self._z = self._new()
            else:
                data = self._z.unconsumed_tail


async def iter_decoded(resp: httpx.Response, piece: int = DECODED_PIECE) -> AsyncGenerator[bytes, None]:
    """The body as decoded pieces of at most `piece` bytes (see BoundedDecoder); the raw iterator is closed here."""
    decoder = BoundedDecoder(resp.headers.get("content-encoding", ""), piece)
    # httpx declares aiter_raw an AsyncIterator; it is an async generator, with aclose()
    async with contextlib.aclosing(resp.aiter_raw()) as raw:  # type: ignore[type-var]
        async for chunk in raw:
            for part in decoder.feed(chunk):
                yield part


async def read_capped(resp: httpx.Response, cap: int, truncate: bool = False) -> bytes:
    """The body up to `cap` decoded bytes. The byte iterator is closed here, on the event loop, even when we stop
    early: left to the garbage collector it is finalised wherever a collection runs (a worker thread)."""
    chunks: list[bytes] = []
    total = 0
    async with contextlib.aclosing(iter_decoded(resp)) as body:
        async for chunk in body:
            total += len(chunk)
            if total > cap:
                if truncate:
                    chunks.append(chunk[: cap - (total - len(chunk))])
                    break
                raise FeedError(f"response larger than max_bytes={cap}")
            chunks.append(chunk)
    return b"".join(chunks)


def snippet(body: bytes, n: int = 120) -> str:
    text = body[:n].decode("utf-8", "replace")
    return " ".join(text.split())


def safe_url(url: str) -> str:
    """A URL fit for logs: no query string (it may carry a token) and no user info."""
    try:
        u = httpx.URL(url)
        return str(u.copy_with(query=None, fragment=None, userinfo=b""))
    except Exception:  # noqa: BLE001
        return url.split("?", 1)[0]


def describe(exc: BaseException) -> str:
    if isinstance(exc, FeedError):
        return str(exc)
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def looks_like_html(body: bytes, content_type: str = "") -> bool:
    if "html" in content_type.lower():
        return True
    head = body[:256].lstrip().lower()
    return head.startswith(b"<!doctype html") or head.startswith(b"<html")
