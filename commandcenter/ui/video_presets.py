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
            if not tile.retired:           # a retired window's tile, not yet deleted
                alive.append(tile)
        return alive


class PresetController(QObject):
    def __init__(self, live: LiveState, presets: list[VideoPreset], directory: CameraDirectory | None,
                 registry: VideoTileRegistry, acknowledged: Callable[[Callable[[str], None]], object] | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.registry = registry
        self.live = live
        self.rules = PresetRules(presets, directory, self._territory, self._slots)
        self._showing: dict[str, PresetUp] = {}    # the presets up, by name
        self.history: list[tuple[str, str, tuple[str, ...]]] = []    # ("up" | "down", preset, cameras)
        self._unsubscribe = live.on_change(self._on_change)
        self.destroyed.connect(lambda *_: self._unsubscribe())
        if acknowledged is not None:
            acknowledged(self.record_done)

    def _territory(self) -> Mapping[str, TerritoryNode]:
        return self.live.territory

    def reconfigure(self, presets: list[VideoPreset], directory: CameraDirectory | None) -> None:
        """New presets (a config reload): the rules anew, acknowledged records stay done, and the live records fire
        the new rules (a red warning still unacknowledged brings its preset up on the new tiles)."""
        done = self.rules.done
        self.rules = PresetRules(presets, directory, self._territory, self._slots)
        self.rules.done |= done
        self._showing.clear()
        live = Change(alerts=tuple(self.live.alerts.values()), incidents=tuple(self.live.incidents.values()))
        for up in self.rules.changed(live):
            self._show(up)

    def reshow(self) -> None:
        """The wall's tiles were rebuilt (a config reload): the presets up take their new tiles."""
        for up in self._showing.values():
            for tile in self.registry.tiles(up.preset.tile):
                if not tile.preset_active:
                    tile.take_for_preset(up.cameras, up.preset.name, up.drill)

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
        self._showing[up.preset.name] = up
        self.history.append(("up", up.preset.name, up.cameras))

    def record_done(self, record_id: str) -> None:
        """A warning or alarm acknowledged, an emergency closed: its presets go down."""
        for preset in self.rules.record_done(record_id):
            self._showing.pop(preset.name, None)
            for tile in self.registry.tiles(preset.tile):
                tile.release_preset()
            self.history.append(("down", preset.name, ()))
