"""The grid map tile: GridMap fed from the live state at most twice a second; clicks open details."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QWidget

from ...services import Change, LiveState
from ..map import GridMap
from .base import Tile


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


class MapTile(Tile):
    kind = "map"

    def __init__(self, live: LiveState, *, title: str = "", clock: Callable[[], datetime] = _utcnow,
                 focus_node: str = "", feeds: list[str] | None = None, interval_ms: int = 500,
                 parent: QWidget | None = None):
        super().__init__(live, title or self.tr("网格地图"), feeds=feeds, parent=parent)
        self.clock = clock
        self.focus_node = focus_node
        self.map = GridMap()
        self.body.addWidget(self.map, 1)
        self.grid_clicked = self.map.grid_clicked
        self.incident_clicked = self.map.incident_clicked
        self.alert_clicked = self.map.alert_clicked
        self.resource_clicked = self.map.resource_clicked
        self._territory_dirty = True
        self._dirty = True
        self._timer = QTimer(self, singleShot=True, interval=interval_ms)   # ≤ 2 Hz
        self._timer.timeout.connect(self.flush)
        self._tick = QTimer(self, interval=5000)   # alerts expire with time
        self._tick.timeout.connect(self._schedule)
        self._tick.start()
        self._unsubscribe = live.on_change(self._on_change)
        self.destroyed.connect(lambda *_: self._unsubscribe())
        self.flush()

    def _on_change(self, change: Change) -> None:
        if change.territory:
            self._territory_dirty = True
        if change.territory or change.incidents or change.alerts or change.resources:
            self._dirty = True
            self._schedule()

    def _schedule(self) -> None:
        if not self._timer.isActive():
            self._timer.start()

    def flush(self) -> None:
        live = self.live
        if self._territory_dirty:
            self.map.set_territory(list(live.territory.values()))
            self._territory_dirty = False
            if self.focus_node:
                self.map.zoom_to(self.focus_node)
        now = self.clock()
        self.map.set_load(live.open_per_grid())
        self.map.set_incidents([i for i in live.incidents.values() if i.is_open])
        self.map.set_alerts(live.live_alerts(now))
        self.map.set_resources(list(live.resources.values()))
        self._dirty = False
