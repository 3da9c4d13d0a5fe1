"""The map's layer of city sensors: each device a dot coloured by its status (within its lines, alarm level,
offline), alarms drawn larger and on top. Its own subscription and its own timer (at most every 2 s): the map
gives it its hooks (`GridMap.add_layer`, `add_hit_test`: a click on a device opens its details,
`add_legend_source`: its rows in the key) and the projection, nothing else (`SensorLayer.attach`)."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QCoreApplication, QLocale, QObject, QRectF, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QPainter, QPen
from PySide6.QtWidgets import QGraphicsItem

from ...domain import AlertLevel
from ...domain.sensors import Sensor, SensorStatus
from ...services import Change, LiveState
from .. import theme
from ..noop import QT_TRANSLATE_NOOP
from .geometry import TerritoryGeometry
from .legend import LegendEntry
from .markers import MarkerItem, MarkerStyle

if TYPE_CHECKING:
    from .view import GridMap

FLUSH_MS = 2000
LAYER_Z = 30          # over the grids, basemap and alert areas, under the labels (GridMap.add_layer)
#: (status, level) groups in drawing order, each with its colour and size in px (times the map's marker scale)
GROUPS: tuple[tuple[SensorStatus, int, QColor, int], ...] = (
    (SensorStatus.NORMAL, 0, theme.SENSOR_NORMAL, theme.MAP_SENSOR_NORMAL_PX),
    (SensorStatus.OFFLINE, 0, theme.SENSOR_OFFLINE, theme.MAP_SENSOR_OFFLINE_PX),
    *((SensorStatus.ALARM, int(lv), theme.ALERT_COLOURS[lv], theme.MAP_SENSOR_ALARM_PX[lv]) for lv in AlertLevel),
)
KEYS = tuple((status, level) for status, level, _colour, _size in GROUPS)
#: a click this many pixels beyond a dot's edge still takes it (a few-pixel dot on a wall is hard to hit)
HIT_SLACK_PX = 3
#: the key's words (context "SensorLayer"): its title and a row per status
LEGEND_TITLE = QT_TRANSLATE_NOOP("SensorLayer", "城市感知设备")
LEGEND_STATUS = {
    SensorStatus.NORMAL: QT_TRANSLATE_NOOP("SensorLayer", "正常"),
    SensorStatus.ALARM: QT_TRANSLATE_NOOP("SensorLayer", "告警（按级别着色）"),
    SensorStatus.OFFLINE: QT_TRANSLATE_NOOP("SensorLayer", "离线"),
}


def _tr(text: str) -> str:
    return QCoreApplication.translate("SensorLayer", text)


class SensorLayer(QObject):
    """Every device one fragment of a single MarkerItem (ui/map/markers.py), groups drawn in order (alarms on top).

    The groups' members are kept from each change (a device that moved group, appeared or moved), so a flush costs
    the groups that changed, never a walk over every device; and a redraw only hands the item its arrays."""

    #: the groups were redrawn and their counts changed (the key's rows)
    redrawn = Signal()

    def __init__(self, add_layer: Callable[[str, QGraphicsItem, float], None],
                 geometry: Callable[[], TerritoryGeometry], live: LiveState, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.geometry = geometry
        self.live = live
        outline = theme.MAP_MARKER_OUTLINE
        self.item = MarkerItem([MarkerStyle("o", size, _outline_pen(outline), QBrush(colour))
                                for _status, _level, colour, size in GROUPS])
        add_layer("sensors", self.item, LAYER_Z)
        self.shown: dict[tuple[SensorStatus, int], int] = {}
        #: each group's placed devices: id → (lon, lat), kept from the changes
        self._members: dict[tuple[SensorStatus, int], dict[str, tuple[float, float]]] = {k: {} for k in KEYS}
        #: each group's dots as last drawn: map x, y and the device ids (clicks, the next redraw's unchanged groups)
        self._drawn: dict[tuple[SensorStatus, int], tuple[np.ndarray, np.ndarray, list[str]]] = {}
        self._group_of: dict[str, tuple[SensorStatus, int]] = {}      # device → the group it is drawn in
        self._dirty: set[tuple[SensorStatus, int]] = set(KEYS)
        self._timer = QTimer(self, interval=FLUSH_MS)
        self._timer.timeout.connect(self.flush)
        self._timer.start()
        self._unsubscribe = live.on_change(self._on_change)
        self.destroyed.connect(lambda *_: self._unsubscribe())

    @classmethod
    def attach(cls, grid_map: GridMap, live: LiveState) -> SensorLayer:
        """The layer on a GridMap (through its layer hook, with its current projection), owned by the map widget."""
        layer = cls(grid_map.add_layer, lambda: grid_map.geo, live, parent=grid_map)
        grid_map.add_hit_test("sensor", layer.hit)
        grid_map.add_legend_source(layer.legend_entries)
        layer.redrawn.connect(grid_map.refresh_legend)
        layer.item.set_scale(grid_map.marker_scale)        # sized for the wall as the map's own markers
        grid_map.marker_scale_changed.connect(layer.item.set_scale)
        return layer

    @staticmethod
    def group(s: Sensor) -> tuple[SensorStatus, int]:
        return (s.status, max(1, min(4, s.level)) if s.status is SensorStatus.ALARM else 0)

    def _on_change(self, change: Change) -> None:
        """Only groups a device joined or left (or moved in) are redrawn: a new reading within the lines moves no
        dot."""
        if change.territory:          # a new projection: every dot moves
            self._dirty = set(KEYS)
        if change.reset:              # replaced wholesale (a replay jump): every group rebuilt from the live state
            self._group_of.clear()
            for members in self._members.values():
                members.clear()
            self._dirty = set(KEYS)
            self._place(self.live.sensors.values())
            return
        self._place(change.sensors)

    def _place(self, sensors: Iterable[Sensor]) -> None:
        group_of, members, dirty = self._group_of, self._members, self._dirty
        for s in sensors:
            key = self.group(s)
            old = group_of.get(s.id)
            at = (s.lon, s.lat) if s.lon is not None and s.lat is not None else None
            if old != key:
                group_of[s.id] = key
                if old is not None and members[old].pop(s.id, None) is not None:
                    dirty.add(old)
            if at is None:
                if members[key].pop(s.id, None) is not None:
                    dirty.add(key)
            elif members[key].get(s.id) != at:
                members[key][s.id] = at
                dirty.add(key)

    def flush(self) -> None:
        if not self._dirty:
            return
        wanted, self._dirty = self._dirty, set()
        counted = dict(self.shown)
        proj = self.geometry().proj
        for key in wanted:
            members = self._members[key]
            if members:
                lonlat = np.array(list(members.values()), dtype=float)
                x, y = proj.xy(lonlat[:, 0], lonlat[:, 1])
                self._drawn[key] = (np.asarray(x, dtype=float), np.asarray(y, dtype=float), list(members))
            else:
                self._drawn.pop(key, None)
            self.shown[key] = len(members)
        drawn = [(i, self._drawn[key]) for i, key in enumerate(KEYS) if key in self._drawn]
        if drawn:
            self.item.set_points(np.concatenate([d[0] for _, d in drawn]), np.concatenate([d[1] for _, d in drawn]),
                                 np.concatenate([np.full(len(d[0]), i, dtype=np.intp) for i, d in drawn]))
        else:
            self.item.set_points(np.zeros(0), np.zeros(0), np.zeros(0, dtype=np.intp))
        if self.shown != counted:
            self.redrawn.emit()

    def hit(self, x: float, y: float, px_w: float, px_h: float) -> str | None:
        """The device whose dot is under map point (x, y), the top group's first (alarms are drawn over the rest),
        the nearest within a group; None if no dot is."""
        for status, level, _colour, size in reversed(GROUPS):
            drawn = self._drawn.get((status, level))
            if drawn is None:
                continue
            xs, ys, ids = drawn
            d2 = ((xs - x) / px_w) ** 2 + ((ys - y) / px_h) ** 2
            i = int(np.argmin(d2))
            if d2[i] <= (size * self.item.scale / 2 + HIT_SLACK_PX) ** 2:
                return ids[i]
        return None

    def legend_entries(self) -> list[LegendEntry]:
        """Its rows in the map's key: the devices drawn, then one row per status with the dot it is drawn with
        (an alarm's dot takes its level's colour); none while the wall has no devices."""
        if not self.shown or not sum(self.shown.values()):
            return []
        n = QLocale().toString
        by_status = {st: 0 for st in SensorStatus}
        for (status, _level), count in self.shown.items():
            by_status[status] += count
        rows = [LegendEntry("title", _tr(LEGEND_TITLE))]
        for status in (SensorStatus.NORMAL, SensorStatus.ALARM, SensorStatus.OFFLINE):
            colour = theme.SENSOR_NORMAL if status is SensorStatus.NORMAL else \
                theme.SENSOR_OFFLINE if status is SensorStatus.OFFLINE else theme.ALERT_COLOURS[AlertLevel.ORANGE]
            rows.append(LegendEntry(f"sensor-{status.value}", f"{_tr(LEGEND_STATUS[status])}  {n(by_status[status])}",
                                    _dot(colour, 0.6 if status is SensorStatus.ALARM else 0.45), counted=True))
        return rows


def _outline_pen(colour: QColor) -> QPen:
    pen = QPen(colour, 1)
    pen.setCosmetic(True)
    return pen


def _dot(colour: QColor, share: float) -> Callable[[QPainter, QRectF], None]:
    """A legend symbol: the layer's dot in `colour`, `share` of the box wide."""
    def draw(p: QPainter, box: QRectF) -> None:
        r = box.width() * share / 2
        p.setPen(QPen(theme.MAP_MARKER_OUTLINE, 1))
        p.setBrush(colour)
        p.drawEllipse(box.center(), r, r)
    return draw
