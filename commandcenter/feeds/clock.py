"""Each backend's clock as the wall estimates it, so countdowns, drill clocks and records share the backend's time.

A sample pairs a backend timestamp with the local times the request left and its answer came back (NTP style):
the backend read its clock somewhere in between, so the midpoint is the best guess and the round trip plus the
timestamp's resolution bounds the error. Sources: every HTTP answer's `Date` header (1 s resolution) and, where the
backend has one, the simulator's finer `/_control/clock`, which also gives its speed. The estimate is the median of
the few samples with the smallest error among the recent ones (the minimum-delay filter: a slow answer says least).

The model is `backend = intercept + rate × local` (epoch seconds): rate is 1 for a real backend and the simulator's
speed for a sped-up one, so a 30× simulator's time is followed too. Samples are written on the feed thread and the
estimate is read on the GUI thread: it is published as one tuple, replaced whole.
"""
from __future__ import annotations

import asyncio
import json
import logging
import statistics
import time
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, UTC
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

import httpx

from ..config import FeedSection

log = logging.getLogger("commandcenter.feeds")

#: An offset beyond this many seconds is shown on the wall's status bar and the console.
SHOWN_OFFSET_S = 3.0


@dataclass(frozen=True, slots=True)
class Sample:
    intercept: float   # backend seconds minus rate × local seconds
    error: float       # half the round trip plus the backend timestamp's resolution


class BackendClock:
    """One backend's clock offset (and speed), estimated from timestamped answers."""

    WINDOW = 24        # recent samples kept
    BEST = 5           # the median is taken over this many lowest-error samples
    SLACK_S = 0.05     # ... each within this of the best: a delayed answer (a slow backend) must not pull the offset

    def __init__(self) -> None:
        self._samples: deque[Sample] = deque(maxlen=self.WINDOW)
        self._estimate: tuple[float, float] | None = None   # (intercept, rate)
        self.rate = 1.0

    def observe(self, backend_at: datetime, sent: float, received: float, resolution_s: float = 0.0) -> None:
        """`backend_at` was read on the backend between local epoch seconds `sent` and `received`; it is truncated
        to `resolution_s` (an HTTP Date to the whole second)."""
        if received < sent:
            sent, received = received, sent
        backend = backend_at.timestamp() + resolution_s / 2
        middle = (sent + received) / 2
        self._samples.append(Sample(backend - self.rate * middle, (received - sent) / 2 + resolution_s / 2))
        best = sorted(self._samples, key=lambda s: s.error)[: self.BEST]
        best = [s for s in best if s.error <= best[0].error + self.SLACK_S]
        self._estimate = (statistics.median(s.intercept for s in best), self.rate)

    def observe_http_date(self, header: str | None, sent: float, received: float) -> None:
        if not header:
            return
        try:
            at = parsedate_to_datetime(header)
        except (TypeError, ValueError, IndexError):
            return
        if at.tzinfo is None:
            at = at.replace(tzinfo=UTC)
        self.observe(at, sent, received, resolution_s=1.0)

    def set_rate(self, rate: float) -> None:
        """The backend's clock speed changed (0: held): samples taken at the old speed no longer fit the model."""
        if rate >= 0 and rate != self.rate:
            self.rate = rate
            self._samples.clear()
            self._estimate = None

    @property
    def known(self) -> bool:
        return self._estimate is not None

    def now(self, local: float | None = None) -> datetime:
        """Backend time at local epoch seconds `local` (default: now); local time until a sample arrives."""
        local = time.time() if local is None else local
        estimate = self._estimate
        if estimate is None:
            return datetime.fromtimestamp(local, UTC)
        intercept, rate = estimate
        return datetime.fromtimestamp(intercept + rate * local, UTC)

    def offset_s(self) -> float | None:
        """Backend time minus local time, now (None until a sample arrived)."""
        if self._estimate is None:
            return None
        local = time.time()
        return self.now(local).timestamp() - local


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


class BackendClocks:
    """The clocks of the backends a config's feeds read, and the one the wall keeps its time by.

    The wall's reference is the `[drill] backend` feed's backend, else the first native feed's: its time is the
    wall's "now" (countdowns, drill clocks, operator actions), so records and timers compare like with like."""

    PROBE_EVERY_S = 30.0

    def __init__(self, feeds: Iterable[FeedSection] = (), reference: str | None = None) -> None:
        self._by_origin: dict[str, BackendClock] = {}
        self._feeds: dict[str, str] = {}          # feed name → origin
        self._control: dict[str, str] = {}        # origin → its clock endpoint, while the backend has one
        self._reference: str | None = None
        self.configure(feeds, reference)

    def configure(self, feeds: Iterable[FeedSection], reference: str | None = None) -> None:
        """Follow these feeds (a new config): clocks of backends still read are kept."""
        feeds = [f for f in feeds if f.url.startswith(("http://", "https://"))]
        self._feeds = {f.name: origin_of(f.url) for f in feeds}
        self._by_origin = {o: self._by_origin.get(o) or BackendClock() for o in self._feeds.values()}
        self._control = {origin_of(f.url): f.url.rstrip("/") + "/_control/clock" for f in feeds if f.kind == "native"}
        named = self._feeds.get(reference or "")
        first_native = next((origin_of(f.url) for f in feeds if f.kind == "native"), None)
        self._reference = named or first_native or next(iter(self._by_origin), None)

    def for_feed(self, name: str) -> BackendClock | None:
        origin = self._feeds.get(name)
        return self._by_origin.get(origin) if origin else None

    def for_url(self, url: str) -> BackendClock | None:
        return self._by_origin.get(origin_of(url))

    def now(self) -> datetime:
        """The wall's time: its reference backend's, or local time while that is not known."""
        clock = self._by_origin.get(self._reference) if self._reference else None
        return clock.now() if clock is not None else datetime.now(UTC)

    def wall_time(self, local: datetime) -> datetime:
        """A local timestamp (a feed's last contact) on the wall's clock, as the header shows time."""
        clock = self._by_origin.get(self._reference) if self._reference else None
        return clock.now(local.timestamp()) if clock is not None else local

    def offsets(self) -> dict[str, float]:
        """Feed name → its backend's offset in seconds (backend minus local), for the feeds whose clock is known."""
        out = {}
        for name, origin in self._feeds.items():
            offset = self._by_origin[origin].offset_s()
            if offset is not None:
                out[name] = offset
        return out

    def shown_offsets(self) -> dict[str, float]:
        """The offsets worth telling the operator about (beyond SHOWN_OFFSET_S), one per backend."""
        seen: set[str] = set()
        out = {}
        for name, offset in self.offsets().items():
            origin = self._feeds[name]
            if abs(offset) > SHOWN_OFFSET_S and origin not in seen:
                seen.add(origin)
                out[name] = offset
        return out

    # ---- sampling (on the feed thread) -------------------------------------------------------
    def event_hooks(self) -> dict[str, list[Any]]:
        """httpx event hooks: every answer from a followed backend gives a `Date` sample."""

        async def on_request(request: httpx.Request) -> None:
            request.extensions["commandcenter_sent"] = time.time()

        async def on_response(response: httpx.Response) -> None:
            sent = response.request.extensions.get("commandcenter_sent")
            clock = self.for_url(str(response.request.url))
            if clock is not None and isinstance(sent, float):
                clock.observe_http_date(response.headers.get("date"), sent, time.time())

        return {"request": [on_request], "response": [on_response]}

    async def follow(self, client: httpx.AsyncClient) -> None:
        """Read each backend's fine clock now and every PROBE_EVERY_S; a backend without one is asked no more."""
        while True:
            for origin, url in list(self._control.items()):
                try:
                    await self._probe(client, origin, url)
                except asyncio.CancelledError:
                    raise
                except Exception as exc:  # noqa: BLE001 - the clock is an aid, the Date headers remain
                    log.debug("clock probe %s: %s", url, exc)
            await asyncio.sleep(self.PROBE_EVERY_S)

    def read_once(self, timeout: float = 3.0) -> None:
        """For a command without a running pipeline (`drill start`): sample the reference backend now, blocking."""
        origin = self._reference
        if origin is None:
            return
        url = self._control.get(origin, origin + "/")
        try:
            with httpx.Client(timeout=timeout) as client:
                sent = time.time()
                resp = client.get(url)
                received = time.time()
        except httpx.HTTPError as exc:
            log.debug("backend clock of %s not read: %s", origin, exc)
            return
        self._by_origin[origin].observe_http_date(resp.headers.get("date"), sent, received)
        if url == self._control.get(origin):
            try:
                self._take_clock(origin, resp, sent, received)
            except (ValueError, KeyError, TypeError) as exc:
                log.debug("clock answer of %s not understood: %s", origin, exc)

    async def _probe(self, client: httpx.AsyncClient, origin: str, url: str) -> None:
        sent = time.time()
        resp = await client.get(url, timeout=5.0)
        self._take_clock(origin, resp, sent, time.time())

    def _take_clock(self, origin: str, resp: httpx.Response, sent: float, received: float) -> None:
        if resp.status_code in (401, 403, 404, 405):
            self._control.pop(origin, None)      # not the simulator: Date headers only
            return
        body = json.loads(resp.content)
        at = datetime.fromisoformat(str(body["sim_time"]).replace("Z", "+00:00"))
        clock = self._by_origin.get(origin)
        if clock is None:
            return
        speed = body.get("speed")
        if isinstance(speed, (int, float)) and not isinstance(speed, bool):
            clock.set_rate(0.0 if body.get("held") else float(speed))
        clock.observe(at, sent, received)

