"""The camera catalogue feed (`kind = "cameras"`): which cameras exist and a playable URL for one when asked.

`GET {url}/cameras` lists the cameras (docs/feed-protocol.md, "Cameras"); an entry that does not decode is set
aside with its reason and the rest are kept. `GET {url}/cameras/{id}/preview?protocol=hls|rtsp` hands out a
short-lived stream URL; it is fetched only when a camera is to be played, cached, and fetched anew once less
than a fifth of its life is left. A preview URL is played by the media stack, not fetched through this client,
so it is checked first against the feed's media policy (origin and address, docs/security.md).
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from urllib.parse import quote, urlsplit

import httpx

from ..config.schema import FeedSection
from ..domain import wirejson
from ..domain.cameras import Camera, CameraError, Preview, decode_camera, decode_preview
from .base import FeedBase, FeedError, Sink
from .transport import MediaPolicy, resolve

log = logging.getLogger("commandcenter.feeds.cameras")

#: A preview URL is fetched again once less than this share of its life is left.
REFRESH_SHARE = 0.2


@dataclass(frozen=True)
class RejectedCamera:
    raw: bytes
    reason: str


@dataclass
class Catalogue:
    cameras: dict[str, Camera] = field(default_factory=dict)
    rejected: list[RejectedCamera] = field(default_factory=list)


class StreamRefused(FeedError):
    """A preview URL the media policy does not allow; nothing is played."""


class CameraFeed(FeedBase):
    """One video platform's camera catalogue and its preview URLs (used from one event loop)."""

    def __init__(self, section: FeedSection, client: httpx.AsyncClient | None) -> None:
        super().__init__(section, client)
        self.base = section.url.rstrip("/")
        self.media = MediaPolicy.for_feed(section.url, section.media_origins, section.media_allow_networks)
        self.catalogue = Catalogue()
        self._previews: dict[tuple[str, str], tuple[Preview, float]] = {}   # (camera, protocol) → (preview, got at)

    @property
    def period(self) -> float:
        return max(self.section.interval, 5.0)

    async def refresh(self) -> Catalogue:
        """Read the catalogue once; the feed's health records the outcome. FeedError if unusable as a whole."""
        try:
            body, _ = await self.get_bytes(f"{self.base}/cameras")
            doc = wirejson.loads(body)
            items = doc.get("items") if isinstance(doc, dict) else None
            if not isinstance(items, list):
                raise FeedError("camera catalogue: expected {\"items\": [...]}")
        except FeedError as exc:
            self.mark_error(str(exc))
            raise
        except ValueError as exc:
            self.mark_error(f"camera catalogue: {exc}")
            raise FeedError(f"camera catalogue: {exc}") from None
        catalogue = Catalogue()
        for item in items:
            try:
                camera = decode_camera(item)
            except CameraError as exc:
                catalogue.rejected.append(RejectedCamera(wirejson.dumps_raw(item)[:4096], str(exc)))
                continue
            catalogue.cameras[camera.id] = camera
        for rejected in catalogue.rejected:
            log.warning("%s: camera entry set aside: %s", self.name, rejected.reason)
        self.received += len(catalogue.cameras)
        self.quarantined += len(catalogue.rejected)
        self.mark_ok()
        self.catalogue = catalogue
        return catalogue

    async def preview(self, camera_id: str, protocol: str = "hls") -> Preview:
        """A playable URL for the camera, from the cache while it has life left, else asked for anew."""
        key = (camera_id, protocol)
        cached = self._previews.get(key)
        now = time.monotonic()
        if cached is not None and now - cached[1] < cached[0].expires_in * (1 - REFRESH_SHARE):
            return cached[0]
        url = f"{self.base}/cameras/{quote(camera_id, safe='')}/preview"
        body, _ = await self.get_bytes(url, params={"protocol": protocol})
        try:
            preview = decode_preview(wirejson.loads(body), camera_id, protocol)
        except ValueError as exc:
            raise FeedError(f"preview of {camera_id}: {exc}") from None
        reason = await self.stream_refusal(preview.url)
        if reason is not None:
            raise StreamRefused(f"preview of {camera_id} refused: {reason}")
        self._previews[key] = (preview, now)
        return preview

    def forget_preview(self, camera_id: str, protocol: str = "hls") -> None:
        """Drop a cached URL that stopped working (the next `preview` asks for a new one)."""
        self._previews.pop((camera_id, protocol), None)

    async def stream_refusal(self, url: str) -> str | None:
        """Why the media stack may not open `url`: HLS by the photo rules; RTSP only from an allowed host."""
        if url.lower().startswith(("http://", "https://")):
            return await self.media.refusal(url)
        try:
            u = urlsplit(url)
            port = u.port or 554
        except ValueError:
            return "not a URL"
        if u.scheme != "rtsp" or not u.hostname:
            return "neither an http(s) nor an rtsp URL"
        hosts = {urlsplit(o).hostname for o in self.media.origins}
        if u.hostname not in hosts:
            return f"rtsp host {u.hostname} is not the host of an allowed media origin"
        try:
            addresses = await resolve(u.hostname, port)
        except OSError as exc:
            return f"cannot resolve {u.hostname[:80]}: {exc.strerror or exc}"
        for address in addresses:
            reason = self.media.address_refusal(address)
            if reason is not None:
                return reason
        return None

    async def _run_once(self, sink: Sink) -> None:
        await self.refresh()

    def idle_delay(self) -> float:
        return self.period
