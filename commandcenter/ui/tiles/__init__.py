"""Wall tiles. `TILE_BUILDERS` maps a config tile kind to the function that builds it."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from ...config import Config, TileSection
from ...domain import Category, SignalKind
from ...services import LiveState
from ..models.incidents import IncidentTableModel
from .base import Tile, plain_label
from .incidents import IncidentTile

if TYPE_CHECKING:
    from ...services.drills import DrillManager
    from ...store import Store
    from ..models.alerts import AlertBoard
    from ..services import AlertServices, InStore
    from ...services.cameras import CameraDirectory
    from ..video_presets import VideoTileRegistry
    from .map import Basemap


@dataclass
class TileContext:
    """What tiles share: the live state, the config, the clock, the wall's detail request and its services.

    The wall (ui.app.WallApp, the composition root) fills every field; a context made without `alerts` (a test, a
    bench, a report) gets alert services of its own on first use."""

    live: LiveState
    config: Config
    clock: Callable[[], datetime]
    open_details: Callable[[str, str], None] = lambda kind, record_id: None   # (kind, id)
    alerts: AlertServices | None = None
    in_store: InStore | None = None          # store calls off the GUI thread (KPI tiles)
    store: Store | None = None
    drills: DrillManager | None = None
    basemap: Basemap | None = None           # read once per wall: every map tile shares the layers and tile loader
    cameras: CameraDirectory | None = None   # the wall's camera catalogue (video tiles); None: no camera feed
    video_tiles: VideoTileRegistry | None = None   # the wall's video tiles by title, for presets and the console

    @property
    def alert_board(self) -> AlertBoard:
        """The one AlertBoard the alert tiles share."""
        if self.alerts is None:
            from ..services import AlertServices

            self.alerts = AlertServices.build(self.live, self.clock, in_store=self.in_store, store=self.store)
        return self.alerts.board

    @property
    def category_limits(self) -> dict[Category, timedelta]:
        from ...domain.deadlines import category_limits

        return category_limits(self.config.deadlines.hours)


def build_incidents(ctx: TileContext, section: TileSection) -> Tile:
    from ..models.incidents import IncidentFilter

    model = IncidentTableModel(ctx.live, clock=ctx.clock, limits=ctx.category_limits)
    if section.territory_node:
        model.set_filter(IncidentFilter(territory_node=section.territory_node))
    tile = IncidentTile(ctx.live, model, title=section.title)
    model.setParent(tile)
    tile.incident_activated.connect(lambda i: ctx.open_details("incident", i))
    return tile


def build_drill(ctx: TileContext, section: TileSection) -> Tile:
    from .drill import DrillTile

    return DrillTile(ctx.live, ctx.drills, title=section.title)


def _signal_tile(ctx: TileContext, section: TileSection, signal: SignalKind) -> Tile:
    from .alerts import AlertTile

    tile = AlertTile(ctx.live, ctx.alert_board, dict(ctx.config.alerts.guidance), title=section.title,
                     signal=signal)
    tile.alert_activated.connect(lambda i: ctx.open_details("alert", i))
    return tile


def build_warnings(ctx: TileContext, section: TileSection) -> Tile:
    """Public warnings (预警) only: weather, flood, forest-fire risk."""
    return _signal_tile(ctx, section, SignalKind.WARNING)


def build_alarms(ctx: TileContext, section: TileSection) -> Tile:
    """Device alarms (告警): IoT sensors, video analytics, weak signals."""
    return _signal_tile(ctx, section, SignalKind.ALARM)


def build_supervision(ctx: TileContext, section: TileSection) -> Tile:
    """Supervision (督办) of overdue work, graded blue/yellow/red."""
    return _signal_tile(ctx, section, SignalKind.SUPERVISION)


def build_resources(ctx: TileContext, section: TileSection) -> Tile:
    from ..models.resources import ResourceTableModel
    from .resources import ResourceTile

    model = ResourceTableModel(ctx.live)
    tile = ResourceTile(ctx.live, model, title=section.title)
    model.setParent(tile)
    tile.resource_activated.connect(lambda i: ctx.open_details("resource", i))
    return tile


def build_kpis(ctx: TileContext, section: TileSection) -> Tile:
    from ..models.kpis import KpiFeed
    from .kpis import KpiTile, make_fetch

    in_store, store = ctx.in_store, ctx.store
    fetch = make_fetch(in_store, store) if in_store is not None and store is not None else None
    node = section.territory_node or ctx.config.wall.territory_node
    tile = KpiTile(ctx.live, KpiFeed(fetch, node, ctx.clock, period=section.period), title=section.title,
                   cards=tuple(section.cards), headline=section.headline)
    tile.kpi_activated.connect(lambda key: ctx.open_details("kpi", key))
    return tile


def build_map(ctx: TileContext, section: TileSection) -> Tile:
    from .map import MapTile, load_basemap

    if ctx.basemap is None:
        ctx.basemap = load_basemap(ctx.config.map)
    tile = MapTile(ctx.live, title=section.title, clock=ctx.clock, focus_node=section.territory_node,
                   basemap=ctx.basemap)
    tile.grid_clicked.connect(lambda i: ctx.open_details("grid", i))
    tile.incident_clicked.connect(lambda i: ctx.open_details("incident", i))
    tile.alert_clicked.connect(lambda i: ctx.open_details("alert", i))
    tile.resource_clicked.connect(lambda i: ctx.open_details("resource", i))
    tile.layer_clicked.connect(lambda kind, i: ctx.open_details(kind, i))
    return tile


def build_sensors(ctx: TileContext, section: TileSection) -> Tile:
    """City sensors: counts by type and status, the worst readings with sparklines (mqtt feeds)."""
    from .sensors import SensorsTile

    feeds = [f.name for f in ctx.config.feeds if f.kind == "mqtt"]
    tile = SensorsTile(ctx.live, title=section.title, feeds=feeds)
    tile.sensor_activated.connect(lambda i: ctx.open_details("sensor", i))
    return tile


def build_video(ctx: TileContext, section: TileSection) -> Tile:
    from .video import VideoTile

    tile = VideoTile(ctx.live, ctx.cameras, ctx.clock, slots=section.slots, cameras=section.cameras,
                     title=section.title, protocol=section.protocol)
    tile.camera_activated.connect(lambda i: ctx.open_details("camera", i))
    if ctx.video_tiles is not None and section.title:
        ctx.video_tiles.add(section.title, tile)         # presets and the console find their tile by its title
    return tile


# One builder per config.TILE_KINDS (the kinds the config accepts; a test keeps the two equal).
TILE_BUILDERS: dict[str, Callable[[TileContext, TileSection], Tile]] = {
    "incidents": build_incidents,
    "warnings": build_warnings,
    "alerts": build_warnings,          # the older name of "warnings"
    "alarms": build_alarms,
    "supervision": build_supervision,
    "resources": build_resources,
    "kpis": build_kpis,
    "map": build_map,
    "drill": build_drill,
    "sensors": build_sensors,
    "video": build_video,
}

__all__ = ["TILE_BUILDERS", "IncidentTile", "Tile", "TileContext", "plain_label"]
