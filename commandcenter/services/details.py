"""Where a detail view's data comes from beyond the live state: the store first (on its reader threads), then the
backend (feeds.details) for what the store lacks. Qt-free; the detail views (ui.details) only render."""
from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

import httpx

from ..domain import Incident, KpiValue, OperatorAction
from ..domain.sensors import SensorReading
from ..feeds.details import BackendIncident, fetch_incident
from ..feeds.transport import MediaPolicy, make_media_client
from ..store import Store

InStore = Callable[..., Awaitable[Any]]
ClientFactory = Callable[[], httpx.AsyncClient]


class DetailSource:
    """A wall's detail reads: `in_store`/`store` (None: no store), the feed a record's full version is asked of
    (`feed_url`, "" or not http(s): none) and the HTTP clients to ask it with (made here when not given)."""

    def __init__(self, *, in_store: InStore | None = None, store: Store | None = None, feed_url: str = "",
                 client: ClientFactory | None = None, media: MediaPolicy | None = None,
                 media_client: ClientFactory | None = None) -> None:
        self._in_store = in_store
        self._store = store
        self.feed_url = feed_url.rstrip("/")
        self._client_factory = client
        self._own_client: httpx.AsyncClient | None = None
        # photos come only from the feed's origin unless the config allows more
        self.media = media if media is not None else MediaPolicy.for_feed(self.feed_url)
        self._media_client_factory = media_client
        self._own_media_client: httpx.AsyncClient | None = None

    @property
    def has_store(self) -> bool:
        return self._in_store is not None and self._store is not None

    @property
    def has_backend(self) -> bool:
        return self.feed_url.startswith(("http://", "https://"))

    def client(self) -> httpx.AsyncClient:
        if self._client_factory is not None:
            return self._client_factory()
        if self._own_client is None:
            self._own_client = httpx.AsyncClient(follow_redirects=False, timeout=10.0)
        return self._own_client

    def media_client(self) -> httpx.AsyncClient:
        """The photos' client: it checks every connection's address against `media`."""
        if self._media_client_factory is not None:
            return self._media_client_factory()
        if self._own_media_client is None:
            self._own_media_client = make_media_client(self.media, timeout=10.0)
        return self._own_media_client

    async def aclose(self) -> None:
        clients = [c for c in (self._own_client, self._own_media_client) if c is not None]
        self._own_client = self._own_media_client = None
        for client in clients:
            await client.aclose()

    async def _read(self, fn: Callable[[Store], Any]) -> Any:
        if self._in_store is None or self._store is None:
            raise RuntimeError("this wall has no store")
        store = self._store
        return await self._in_store(fn, store)

    # --- the store ----------------------------------------------------------------------------
    async def stored_incident(self, record_id: str) -> Incident | None:
        found: Incident | None = await self._read(lambda s: s.incident(record_id))
        return found

    async def alert_actions(self, alert_id: str) -> list[OperatorAction]:
        actions: list[OperatorAction] = await self._read(lambda s: s.actions_for("alert", alert_id))
        return actions

    async def kpis(self, node_id: str, start: datetime, end: datetime) -> dict[str, KpiValue]:
        values: dict[str, KpiValue] = await self._read(lambda s: s.kpis(node_id, start, end))
        return values

    async def incidents(self, **filters: Any) -> list[Incident]:
        found: list[Incident] = await self._read(lambda s: s.incidents(**filters))
        return found

    async def sensor_readings(self, sensor_id: str, start: datetime, end: datetime) -> list[SensorReading]:
        readings: list[SensorReading] = await self._read(lambda s: s.sensor_readings(sensor_id, start, end))
        return readings

    # --- the backend --------------------------------------------------------------------------
    async def backend_incident(self, record_id: str, stored: Incident | None) -> BackendIncident:
        """The backend's full version (keeping the stored timeline when the backend sends none)."""
        got = await fetch_incident(self.client(), self.feed_url, record_id)
        inc = got.incident
        if inc is not None and not inc.timeline and stored is not None and stored.timeline:
            return dataclasses.replace(got, incident=dataclasses.replace(inc, timeline=stored.timeline))
        return got

    def photo_url(self, raw: str) -> str:
        """A photo reference as an absolute URL (relative ones are the feed's)."""
        if not self.feed_url:
            return raw
        return str(httpx.URL(self.feed_url + "/").join(raw))


__all__ = ["ClientFactory", "DetailSource", "InStore"]
