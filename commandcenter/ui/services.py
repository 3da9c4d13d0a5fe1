"""The wall's shared services, typed: what `WallApp` (the composition root) builds once and hands to windows, tiles
and the console. Nothing here finds a service by name or grafts one onto another object."""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
import asyncio
import logging
from typing import TYPE_CHECKING, Any, Protocol

import httpx
from PySide6.QtCore import QObject

from ..config import AlertsSection, Config, FeedSection
from ..feeds.transport import MediaPolicy, make_media_client
from ..services import IngestPipeline, LiveState
from .alert_actions import AlertActions
from .models.alerts import AlertBoard

if TYPE_CHECKING:
    from .sound import AlarmSound

InStore = Callable[..., Awaitable[Any]]
log = logging.getLogger(__name__)


class WallOnDuty(Protocol):
    """What the wall's own acknowledgement needs: its alert actions, its config (the roster) and its clock."""

    @property
    def alert_actions(self) -> AlertActions | None: ...
    @property
    def config(self) -> Config: ...
    @property
    def clock(self) -> Callable[[], datetime]: ...


def acknowledge_on_wall(app: WallOnDuty, alert_id: str) -> None:
    """The red band's 确认 on the wall itself: recorded for whoever the roster has on duty now, at the wall."""
    from PySide6.QtCore import QCoreApplication

    from .pages import on_duty

    actions = app.alert_actions
    if actions is None:
        return
    people = [d.name for d in on_duty(list(app.config.duty), app.clock())]
    actor = "、".join(people) or QCoreApplication.translate("AlertBanner", "大屏值班员")
    seat = QCoreApplication.translate("AlertBanner", "大屏")
    task = asyncio.ensure_future(actions.acknowledge(alert_id, actor, console="wall", seat=seat))

    def done(t: asyncio.Future[Any]) -> None:
        if not t.cancelled() and t.exception() is not None:
            log.error("wall acknowledgement of %s failed: %s", alert_id, t.exception())

    task.add_done_callback(done)


class StoreAccess:
    """`in_store` of the wall's current pipeline (a config reload restarts the pipeline; this stays)."""

    def __init__(self, pipeline: Callable[[], IngestPipeline | None]) -> None:
        self._pipeline = pipeline

    async def __call__(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        pipeline = self._pipeline()
        if pipeline is None:
            raise RuntimeError("the wall's store is not open")
        return await pipeline.in_store(fn, *args, **kwargs)


@dataclass
class AlertServices:
    """Operator actions on alerts, the one alert board every tile, banner and the alarm share, and the alarm."""

    actions: AlertActions
    board: AlertBoard
    alarm: AlarmSound | None = None

    @classmethod
    def build(cls, live: LiveState, clock: Callable[[], datetime], *, in_store: InStore | None = None,
              store: Any = None, console: str = "wall", alarm: AlertsSection | None = None,
              parent: QObject | None = None) -> AlertServices:
        """The one place the board is made (`alarm`: the config's alarm settings, for a wall that sounds)."""
        actions = AlertActions(live, in_store, store, clock=clock, console=console, parent=parent)
        board = AlertBoard(live, actions, clock=clock, parent=parent)
        sound = None
        if alarm is not None:
            from .sound import AlarmSound

            sound = AlarmSound(board, alarm, parent=parent)
        return cls(actions, board, sound)


def detail_feed(config: Config) -> FeedSection | None:
    """The feed whose backend serves details and photos: the first native feed over http(s)."""
    return next((f for f in config.feeds if f.kind == "native" and f.url.startswith(("http://", "https://"))), None)


def feed_url(config: Config) -> str:
    feed = detail_feed(config)
    return feed.url if feed is not None else ""


def media_policy(config: Config) -> MediaPolicy:
    """Where photos may come from: the detail feed's origin and its media_origins / media_allow_networks."""
    feed = detail_feed(config)
    if feed is None:
        return MediaPolicy(frozenset())
    return MediaPolicy.for_feed(feed.url, feed.media_origins, feed.media_allow_networks)


class DetailClients:
    """One HTTP client for every window's details and one media client for their photos, made on first use."""

    def __init__(self) -> None:
        self._http: httpx.AsyncClient | None = None
        self._media: httpx.AsyncClient | None = None
        self.policy = MediaPolicy(frozenset())

    def http(self) -> httpx.AsyncClient:
        if self._http is None:
            self._http = httpx.AsyncClient(follow_redirects=False, timeout=10.0)
        return self._http

    def media(self) -> httpx.AsyncClient:
        """Address-checked against `policy` (the config's, set by the wall)."""
        if self._media is None:
            self._media = make_media_client(self.policy, timeout=10.0)
        return self._media

    async def aclose(self) -> None:
        clients = [c for c in (self._http, self._media) if c is not None]
        self._http = self._media = None
        for client in clients:
            await client.aclose()
