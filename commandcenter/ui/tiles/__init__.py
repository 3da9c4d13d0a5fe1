"""Wall tiles. `TILE_BUILDERS` maps a config tile kind to the function that builds it."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from ...config import Config, TileSection
from ...domain import Category
from ...services import LiveState
from ..models.incidents import IncidentTableModel
from .base import Tile, plain_label
from .incidents import IncidentTile


@dataclass
class TileContext:
    """What tiles share: the live state, the config, the clock and the wall's detail request."""

    live: LiveState
    config: Config
    clock: Callable[[], datetime]
    open_details: Callable[[str, str], None] = lambda kind, record_id: None   # (kind, id)
    extras: dict[str, object] = field(default_factory=dict)

    @property
    def category_limits(self) -> dict[Category, timedelta]:
        from ...domain.deadlines import DEFAULT_CATEGORY_LIMITS

        limits = dict(DEFAULT_CATEGORY_LIMITS)
        limits.update({c: timedelta(hours=h) for c, h in self.config.deadlines.hours.items()})
        return limits


def build_incidents(ctx: TileContext, section: TileSection) -> Tile:
    model = IncidentTableModel(ctx.live, clock=ctx.clock, limits=ctx.category_limits)
    tile = IncidentTile(ctx.live, model, title=section.title)
    model.setParent(tile)
    tile.incident_activated.connect(lambda i: ctx.open_details("incident", i))
    return tile


def build_drill(ctx: TileContext, section: TileSection) -> Tile:
    from ...services.drills import DrillManager
    from .drill import DrillTile

    return DrillTile(ctx.live, ctx.extras.get("drills") or DrillManager.for_live(ctx.live), title=section.title)


TILE_BUILDERS: dict[str, Callable[[TileContext, TileSection], Tile]] = {
    "incidents": build_incidents,
    "drill": build_drill,
}

__all__ = ["TILE_BUILDERS", "IncidentTile", "Tile", "TileContext", "plain_label"]
