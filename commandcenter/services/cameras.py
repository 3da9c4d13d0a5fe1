"""The wall's cameras: every camera feed's catalogue kept fresh, preview URLs on demand, the cameras near a place.

One directory per wall, run on the loop that uses it (the GUI thread's qasync loop: a catalogue of a few thousand
cameras decodes in milliseconds, and every network wait is awaited). Other services and detail views ask it for
`nearest(lon, lat)`; video tiles ask it for `preview(camera_id)`.
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Iterable

import httpx

from ..config import Config
from ..config.schema import FeedSection
from ..domain.cameras import Camera, NearCamera, Preview, nearest_cameras
from ..feeds.base import FeedError, describe
from ..feeds.cameras import CameraFeed

log = logging.getLogger("commandcenter.services.cameras")

Listener = Callable[[], None]


def camera_sections(config: Config) -> list[FeedSection]:
    return [f for f in config.feeds if f.kind == "cameras"]


class UnknownCamera(KeyError):
    """No camera feed lists this camera."""


class CameraDirectory:
    """The cameras of every `kind = "cameras"` feed, by id (the first feed listing an id wins)."""

    def __init__(self, feeds: Iterable[CameraFeed]) -> None:
        self.feeds = list(feeds)
        self._listeners: list[Listener] = []
        self._task: asyncio.Task[None] | None = None

    @classmethod
    def for_config(cls, config: Config, client: httpx.AsyncClient) -> CameraDirectory:
        return cls(CameraFeed(section, client) for section in camera_sections(config))

    # --- what the wall asks -------------------------------------------------------------------
    @property
    def cameras(self) -> dict[str, Camera]:
        merged: dict[str, Camera] = {}
        for feed in self.feeds:
            for camera_id, camera in feed.catalogue.cameras.items():
                merged.setdefault(camera_id, camera)
        return merged

    def camera(self, camera_id: str) -> Camera | None:
        return self.cameras.get(camera_id)

    def nearest(self, lon: float, lat: float, count: int = 4, *, online_only: bool = False,
                max_distance_m: float | None = None) -> list[NearCamera]:
        """The cameras nearest (lon, lat), nearest first, with distance and direction from the place."""
        return nearest_cameras(self.cameras.values(), lon, lat, count, online_only=online_only,
                               max_distance_m=max_distance_m)

    async def preview(self, camera_id: str, protocol: str = "hls") -> Preview:
        """A playable URL for the camera (cached while it has life left). UnknownCamera, FeedError."""
        feed = self._feed_of(camera_id)
        return await feed.preview(camera_id, protocol)

    def forget_preview(self, camera_id: str, protocol: str = "hls") -> None:
        with contextlib.suppress(UnknownCamera):
            self._feed_of(camera_id).forget_preview(camera_id, protocol)

    def _feed_of(self, camera_id: str) -> CameraFeed:
        feed = next((f for f in self.feeds if camera_id in f.catalogue.cameras), None)
        if feed is None:
            raise UnknownCamera(camera_id)
        return feed

    def on_change(self, listener: Listener) -> Callable[[], None]:
        """Called after every catalogue read that changed a camera; returns the unsubscribe function."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    # --- keeping it fresh --------------------------------------------------------------------
    async def refresh(self) -> None:
        """Read every feed's catalogue once; a failing feed keeps its last catalogue and says why in its health."""
        before = self.cameras
        for feed in self.feeds:
            try:
                await feed.refresh()
            except FeedError as exc:
                log.warning("%s: %s", feed.name, describe(exc))
        if self.cameras != before:
            for listener in list(self._listeners):
                listener()

    def start(self) -> None:
        """Refresh now and then every feed's interval, on the running loop, until `stop`."""
        if self._task is None and self.feeds:
            self._task = asyncio.ensure_future(self._run())

    async def _run(self) -> None:
        period = min(feed.period for feed in self.feeds)
        while True:
            await self.refresh()
            await asyncio.sleep(period)

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
