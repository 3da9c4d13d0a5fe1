"""The wall's side of video presets: the rules (services/video_presets.py) decide, this puts the cameras on the
preset's video tile and takes them off again when the warning or alarm is acknowledged or the emergency closed."""
from __future__ import annotations

import logging
import weakref
from collections.abc import Callable, Mapping

from PySide6.QtCore import QObject

from ..config.schema import VideoPreset
from ..domain import TerritoryNode
from ..services import Change, LiveState
from ..services.cameras import CameraDirectory
from ..services.video_presets import PresetRules, PresetUp
from .tiles.video import VideoTile

log = logging.getLogger("commandcenter.ui.video_presets")


class VideoTileRegistry:
    """The wall's video tiles by title (a preset names its tile so), kept weakly: windows rebuild their tiles."""

    def __init__(self) -> None:
        self._tiles: dict[str, weakref.WeakSet[VideoTile]] = {}

    def add(self, title: str, tile: VideoTile) -> None:
        self._tiles.setdefault(title, weakref.WeakSet()).add(tile)

    def tiles(self, title: str) -> list[VideoTile]:
        alive: list[VideoTile] = []
        for tile in list(self._tiles.get(title, ())):
            try:
                tile.objectName()          # a deleted C++ object raises here
            except RuntimeError:
                continue
            alive.append(tile)
        return alive


class PresetController(QObject):
    def __init__(self, live: LiveState, presets: list[VideoPreset], directory: CameraDirectory | None,
                 registry: VideoTileRegistry, acknowledged: Callable[[Callable[[str], None]], object] | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.registry = registry
        def territory() -> Mapping[str, TerritoryNode]:
            return live.territory

        self.rules = PresetRules(presets, directory, territory, self._slots)
        self.history: list[tuple[str, str, tuple[str, ...]]] = []    # ("up" | "down", preset, cameras)
        self._unsubscribe = live.on_change(self._on_change)
        self.destroyed.connect(lambda *_: self._unsubscribe())
        if acknowledged is not None:
            acknowledged(self.record_done)

    def _slots(self, preset: VideoPreset) -> int:
        tiles = self.registry.tiles(preset.tile)
        return len(tiles[0].players) if tiles else 4

    def _on_change(self, change: Change) -> None:
        for up in self.rules.changed(change):
            self._show(up)
        for record_id in self.rules.closed_incidents(change):
            self.record_done(record_id)

    def _show(self, up: PresetUp) -> None:
        tiles = self.registry.tiles(up.preset.tile)
        if not tiles:
            log.warning("video preset %s: no video tile titled %r on the wall", up.preset.name, up.preset.tile)
        for tile in tiles:
            tile.take_for_preset(up.cameras, up.preset.name, up.drill)
        self.history.append(("up", up.preset.name, up.cameras))

    def record_done(self, record_id: str) -> None:
        """A warning or alarm acknowledged, an emergency closed: its presets go down."""
        for preset in self.rules.record_done(record_id):
            for tile in self.registry.tiles(preset.tile):
                tile.release_preset()
            self.history.append(("down", preset.name, ()))
