"""The map's layer of city sensors: each device a dot coloured by its status (within its lines, alarm level,
offline), alarms drawn larger and on top. Its own subscription and its own timer (at most every 2 s): the map
gives it its layer hook (`GridMap.add_layer`) and the projection, nothing else (`SensorLayer.attach`)."""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QGraphicsItem

from ...domain import AlertLevel
from ...domain.sensors import Sensor, SensorStatus
from ...services import Change, LiveState
from .. import theme
from .geometry import TerritoryGeometry

if TYPE_CHECKING:
    from .view import GridMap

FLUSH_MS = 2000
LAYER_Z = 30          # over the grids, basemap and alert areas, under the labels (GridMap.add_layer)
#: (status, level) groups in drawing order, each with its colour and size in px
GROUPS: tuple[tuple[SensorStatus, int, QColor, int], ...] = (
    (SensorStatus.NORMAL, 0, theme.SENSOR_NORMAL, 4),
    (SensorStatus.OFFLINE, 0, theme.SENSOR_OFFLINE, 5),
    *((SensorStatus.ALARM, int(lv), theme.ALERT_COLOURS[lv], 8 + 2 * int(lv)) for lv in AlertLevel),
)


class SensorLayer(QObject):
    """One scatter item per status group (uniform brushes draw fast: 10,000 devices in a few ms)."""

    def __init__(self, add_layer: Callable[[str, QGraphicsItem, float], None],
                 geometry: Callable[[], TerritoryGeometry], live: LiveState, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.geometry = geometry
        self.live = live
        self.items: dict[tuple[SensorStatus, int], pg.ScatterPlotItem] = {}
        for z, (status, level, colour, size) in enumerate(GROUPS):
            item = pg.ScatterPlotItem(size=size, pen=pg.mkPen(theme.MAP_MARKER_OUTLINE, width=1),
                                      brush=pg.mkBrush(colour), pxMode=True)
            add_layer(f"sensors.{status.value}.{level}", item, LAYER_Z + z * 0.01)
            self.items[(status, level)] = item
        self.shown: dict[tuple[SensorStatus, int], int] = {}
        self._group_of: dict[str, tuple[SensorStatus, int]] = {}      # device → the group it is drawn in
        self._dirty: set[tuple[SensorStatus, int]] = set(self.items)
        self._timer = QTimer(self, interval=FLUSH_MS)
        self._timer.timeout.connect(self.flush)
        self._timer.start()
        self._unsubscribe = live.on_change(self._on_change)
        self.destroyed.connect(lambda *_: self._unsubscribe())

    @classmethod
    def attach(cls, grid_map: GridMap, live: LiveState) -> SensorLayer:
        """The layer on a GridMap (through its layer hook, with its current projection), owned by the map widget."""
        return cls(grid_map.add_layer, lambda: grid_map.geo, live, parent=grid_map)

    @staticmethod
    def group(s: Sensor) -> tuple[SensorStatus, int]:
        return (s.status, max(1, min(4, s.level)) if s.status is SensorStatus.ALARM else 0)

    def _on_change(self, change: Change) -> None:
        """Only groups a device joined or left are redrawn: a new reading within the lines moves no dot."""
        if change.territory:
            self._dirty = set(self.items)
        if change.reset:          # replaced wholesale (a replay jump): every group redrawn from the live state
            self._group_of = {s.id: self.group(s) for s in self.live.sensors.values()}
            self._dirty = set(self.items)
            return
        group_of, dirty = self._group_of, self._dirty
        for s in change.sensors:
            key = self.group(s)
            old = group_of.get(s.id)
            if old != key:
                group_of[s.id] = key
                dirty.add(key)
                if old is not None:
                    dirty.add(old)

    def flush(self) -> None:
        if not self._dirty:
            return
        wanted, self._dirty = self._dirty, set()
        geo = self.geometry()
        groups: dict[tuple[SensorStatus, int], list[Sensor]] = {k: [] for k in wanted}
        for s in self.live.sensors.values():
            members = groups.get(self.group(s))
            if members is not None and s.lon is not None and s.lat is not None:
                members.append(s)
        for key, members in groups.items():
            if members:
                x, y = geo.proj.xy(np.array([s.lon for s in members]), np.array([s.lat for s in members]))
                self.items[key].setData(x=x, y=y, data=[s.id for s in members])
            else:
                self.items[key].setData(x=[], y=[])
            self.shown[key] = len(members)
