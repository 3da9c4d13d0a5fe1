"""Issue 6's wiring into the running wall: what tiles share (alert board, store access), the alert banner,
the alarm sound and the detail panel of each window. WallApp calls the three hooks below."""
from __future__ import annotations

import logging
from typing import Any

from .tiles import TileContext

log = logging.getLogger(__name__)


def _in_store(app: Any):
    async def in_store(fn, *args, **kwargs):
        return await app.pipeline.in_store(fn, *args, **kwargs)   # the current pipeline (it may be restarted)

    return in_store


def _board(app: Any):
    from .alert_actions import AlertActions
    from .models.alerts import AlertBoard

    board = getattr(app, "alert_board", None)
    if board is None:
        actions = getattr(app, "alert_actions", None)
        if actions is None:
            actions = app.alert_actions = AlertActions(app.live, _in_store(app), app.store, clock=app.clock)
        board = app.alert_board = AlertBoard(app.live, actions, clock=app.clock)
        from .sound import AlarmSound

        app.alarm = AlarmSound(board, app.config.alerts)
    return board


def extend_context(app: Any, ctx: TileContext) -> None:
    """Put the shared alert board and the store access where the tile builders find them."""
    ctx.extras["alert_board"] = _board(app)
    ctx.extras["alert_actions"] = app.alert_actions
    if getattr(app, "store", None) is not None:
        ctx.extras["in_store"] = _in_store(app)
        ctx.extras["store"] = app.store


def _client(app: Any):
    """One httpx.AsyncClient for every window's details and photos (created on first use)."""

    def get():
        client = getattr(app, "http_client", None)
        if client is None:
            import httpx

            client = app.http_client = httpx.AsyncClient(follow_redirects=False, timeout=10.0)
        return client

    return get


def _media_client(app: Any, policy: Any):
    """One media client for every window's photos: its connections are address-checked against `policy`."""

    def get():
        client = getattr(app, "media_client", None)
        if client is None:
            from ..feeds.transport import make_media_client

            client = app.media_client = make_media_client(policy, timeout=10.0)
        return client

    return get


def detail_feed(config: Any) -> Any:
    """The feed whose backend serves details and photos: the first native feed over http(s)."""
    return next((f for f in config.feeds if f.kind == "native" and f.url.startswith(("http://", "https://"))), None)


def feed_url(config: Any) -> str:
    feed = detail_feed(config)
    return feed.url if feed is not None else ""


def media_policy(config: Any) -> Any:
    """Where photos may come from: the detail feed's origin and its media_origins / media_allow_networks."""
    from ..feeds.transport import MediaPolicy

    feed = detail_feed(config)
    if feed is None:
        return MediaPolicy(frozenset())
    return MediaPolicy.for_feed(feed.url, feed.media_origins, feed.media_allow_networks)


def attach_window(app: Any, window: Any) -> None:
    """The alert banner across the window and its detail panel controller."""
    from .banner import AlertBanner
    from .details import DetailController

    try:
        board = _board(app)
        banner = AlertBanner(board)
        banner.alert_clicked.connect(lambda aid: app.open_details("alert", aid))
        banner.acknowledge_requested.connect(lambda aid: acknowledge_on_wall(app, aid))
        window.set_banner(banner)
        cfg = app.config
        ctx = TileContext(app.live, cfg, app.clock)
        media = media_policy(cfg)
        window.details = DetailController(
            app.live, window.place_detail, in_store=_in_store(app) if app.store is not None else None,
            store=app.store, feed_url=feed_url(cfg), client=_client(app), clock=app.clock, limits=ctx.category_limits,
            guidance=dict(cfg.alerts.guidance), alert_actions=app.alert_actions, node_id=cfg.wall.territory_node,
            media=media, media_client=_media_client(app, media), parent=window)
    except Exception:   # the wall must come up even if an extra cannot
        log.exception("issue-6 extras not attached")


def acknowledge_on_wall(app: Any, alert_id: str) -> None:
    """The red band's 确认 on the wall itself: recorded for whoever the roster has on duty now, at the wall."""
    import asyncio

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


async def close_extras(app: Any) -> None:
    for window in list(getattr(app, "windows", {}).values()):   # no KPI read left in flight at shutdown
        try:
            view = window.page_view
            tiles = view.all_tiles() if hasattr(view, "all_tiles") else view.tiles
        except RuntimeError:
            continue
        for tile in tiles:
            feed = getattr(tile, "feed", None)
            if feed is not None and hasattr(feed, "stop"):
                feed.stop()
    for name in ("http_client", "media_client"):
        client = getattr(app, name, None)
        if client is not None:
            setattr(app, name, None)
            await client.aclose()
    alarm = getattr(app, "alarm", None)
    if alarm is not None:
        alarm.set_muted(True)
