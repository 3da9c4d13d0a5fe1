"""The sensors tile (kind "sensors"): the city's devices counted by type and status, and the worst readings now,
each with a sparkline of its recent values. Repainted at most once a second whatever the message rate: a
thousand readings a second change counts and a few rows, not the whole tile each time."""
from __future__ import annotations

import heapq
from collections import deque
from collections.abc import Iterable
from operator import itemgetter

from PySide6.QtCore import QCoreApplication, QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QMouseEvent, QPainter, QPaintEvent, QPen, QPolygonF
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QWidget

from ...domain import AlertLevel
from ...domain.sensors import DEFAULT_RULES, Sensor, SensorStatus, SensorType, value_text
from ...services import Change, LiveState
from .. import format as fmt
from .. import theme
from ..noop import QT_TRANSLATE_NOOP
from .base import Tile, cell_text, table_cell, table_font

SPARK_POINTS = 30          # recent values kept per device for its sparkline
WORST_ROWS = 8

TYPE_LABELS: dict[SensorType, str] = {
    SensorType.WATER_LEVEL: QT_TRANSLATE_NOOP("SensorLabels", "积水水位"),
    SensorType.MANHOLE: QT_TRANSLATE_NOOP("SensorLabels", "井盖"),
    SensorType.SMOKE: QT_TRANSLATE_NOOP("SensorLabels", "烟感"),
    SensorType.TEMPERATURE: QT_TRANSLATE_NOOP("SensorLabels", "配电箱温度"),
    SensorType.GAS: QT_TRANSLATE_NOOP("SensorLabels", "燃气"),
    SensorType.LAMP_POLE: QT_TRANSLATE_NOOP("SensorLabels", "智慧灯杆"),
}
STATUS_LABELS: dict[SensorStatus, str] = {
    SensorStatus.NORMAL: QT_TRANSLATE_NOOP("SensorLabels", "正常"),
    SensorStatus.ALARM: QT_TRANSLATE_NOOP("SensorLabels", "告警"),
    SensorStatus.OFFLINE: QT_TRANSLATE_NOOP("SensorLabels", "离线"),
}


def type_label(t: SensorType) -> str:
    return QCoreApplication.translate("SensorLabels", TYPE_LABELS[t])


def status_label(s: SensorStatus) -> str:
    return QCoreApplication.translate("SensorLabels", STATUS_LABELS[s])


def status_colour(s: Sensor) -> QColor:
    if s.status is SensorStatus.OFFLINE:
        return theme.SENSOR_OFFLINE
    if s.status is SensorStatus.ALARM and s.level:
        return theme.ALERT_COLOURS[AlertLevel(min(4, s.level))]
    return theme.SENSOR_NORMAL


def badness(s: Sensor) -> tuple[int, float]:
    """How bad a reading is: its alarm level, then how far it is towards its type's first line."""
    if s.value is None or s.status is SensorStatus.OFFLINE:
        return (-1, 0.0)
    first = DEFAULT_RULES[s.type].levels[0][0]
    return (s.level, s.value / first if first else s.value)


class SensorBook:
    """What the tile knows of the devices: each one's latest version and its recent values (for sparklines)."""

    def __init__(self) -> None:
        self.sensors: dict[str, Sensor] = {}
        self.history: dict[str, deque[float]] = {}
        self._counts = {t: {st: 0 for st in SensorStatus} for t in SensorType}
        self._badness: dict[str, tuple[int, float]] = {}    # kept per change: a flush ranks without a call per device

    def clear(self) -> None:
        """Forget every device (the live state was replaced wholesale: a replay jump, back to live)."""
        self.sensors.clear()
        self.history.clear()
        self._badness.clear()
        self._counts = {t: {st: 0 for st in SensorStatus} for t in SensorType}

    def add(self, sensors: Iterable[Sensor]) -> None:
        counts = self._counts
        for s in sensors:
            old = self.sensors.get(s.id)
            self.sensors[s.id] = s
            if old is not None:
                counts[old.type][old.status] -= 1
            counts[s.type][s.status] += 1
            bad = badness(s)
            if bad[0] >= 0:
                self._badness[s.id] = bad
            else:
                self._badness.pop(s.id, None)
            if s.value is not None and (old is None or old.reading_at != s.reading_at):
                self.history.setdefault(s.id, deque(maxlen=SPARK_POINTS)).append(s.value)

    def counts(self) -> dict[SensorType, dict[SensorStatus, int]]:
        return self._counts

    def worst(self, n: int) -> list[Sensor]:
        top = heapq.nlargest(n, self._badness.items(), key=itemgetter(1))
        return [self.sensors[sensor_id] for sensor_id, _ in top]


class WorstReadings(QWidget):
    """Rows of the worst readings: level colour, device, type, value and a sparkline. Painted, no widget per row."""

    sensor_clicked = Signal(str)

    def __init__(self, book: SensorBook, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.book = book
        self.rows: list[Sensor] = []
        self.setMinimumHeight(80)

    def set_rows(self, rows: list[Sensor]) -> None:
        self.rows = rows
        self.update()

    def row_height(self) -> float:
        return max(18.0, self.height() / WORST_ROWS)

    def row_text(self, s: Sensor) -> str:
        return f"{fmt.feed_text(s.name or s.id)} · {type_label(s.type)} · {value_text(s.type, s.value)}"

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt naming)
        p = QPainter(self)
        h = self.row_height()
        w = self.width()
        spark_w = w * 0.3
        for i, s in enumerate(self.rows):
            top = i * h
            if top + h > self.height() + 1:
                break
            colour = status_colour(s)
            p.fillRect(QRectF(0, top + h * 0.2, 6, h * 0.6), colour)
            p.setPen(theme.TEXT)
            p.drawText(QRectF(12, top, w - spark_w - 20, h), int(Qt.AlignmentFlag.AlignVCenter),
                       p.fontMetrics().elidedText(self.row_text(s), Qt.TextElideMode.ElideRight,
                                                  int(w - spark_w - 20)))
            values = list(self.book.history.get(s.id, ()))
            if len(values) >= 2:
                lo, hi = min(values), max(values)
                span = (hi - lo) or 1.0
                x0, y0, sh = w - spark_w - 4, top + h * 0.2, h * 0.6
                poly = QPolygonF([QPointF(x0 + spark_w * k / (len(values) - 1), y0 + sh * (1 - (v - lo) / span))
                                  for k, v in enumerate(values)])
                p.setPen(QPen(colour, 1))
                p.drawPolyline(poly)
        p.end()

    def mouseReleaseEvent(self, ev: QMouseEvent) -> None:  # noqa: N802 (Qt naming)
        i = int(ev.position().y() // self.row_height())
        if 0 <= i < len(self.rows):
            self.sensor_clicked.emit(self.rows[i].id)


class SensorsTile(Tile):
    kind = "sensors"
    sensor_activated = Signal(str)
    COLUMNS = (QT_TRANSLATE_NOOP("SensorsTile", "类型"), QT_TRANSLATE_NOOP("SensorsTile", "总数"),
               QT_TRANSLATE_NOOP("SensorsTile", "正常"), QT_TRANSLATE_NOOP("SensorsTile", "告警"),
               QT_TRANSLATE_NOOP("SensorsTile", "离线"))

    def __init__(self, live: LiveState, *, title: str = "", feeds: list[str] | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(live, title or self.tr("城市生命线 · 物联感知"), feeds=feeds, parent=parent)
        self.book = SensorBook()
        self.book.add(live.sensors.values())
        self.table = QTableWidget(len(SensorType), len(self.COLUMNS))
        self.table.setHorizontalHeaderLabels([self.tr(c) for c in self.COLUMNS])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        # the type's name whole (配电箱温度); the counts share what is left
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.worst = WorstReadings(self.book)
        self.worst.sensor_clicked.connect(self.sensor_activated)
        self.body.addWidget(self.table, 4)
        self.body.addWidget(self.worst, 5)
        self._dirty = True
        self._timer = QTimer(self, interval=1000)
        self._timer.timeout.connect(self.flush)
        self._timer.start()
        self._unsubscribe = live.on_change(self._on_change)
        self.destroyed.connect(lambda *_: self._unsubscribe())
        self.flush()

    def _on_change(self, change: Change) -> None:
        if change.reset:          # the devices as the live state now holds them, none left from before
            self.book.clear()
            self.book.add(self.live.sensors.values())
            self._dirty = True
        elif change.sensors:
            self.book.add(change.sensors)
            self._dirty = True

    def flush(self) -> None:
        if not self._dirty:
            return
        self._dirty = False
        counts = self.book.counts()
        for r, t in enumerate(SensorType):
            c = counts[t]
            cells = (type_label(t), str(sum(c.values())), str(c[SensorStatus.NORMAL]), str(c[SensorStatus.ALARM]),
                     str(c[SensorStatus.OFFLINE]))
            for col, text in enumerate(cells):
                item = table_cell(self.table, r, col)
                item.setText(text)
                if col == 3:
                    item.setForeground(QBrush(theme.ALARM_TEXT if c[SensorStatus.ALARM] else theme.TEXT_DIM))
                elif col == 4:
                    item.setForeground(QBrush(theme.SENSOR_OFFLINE if c[SensorStatus.OFFLINE] else theme.TEXT_DIM))
        self.worst.set_rows(self.book.worst(WORST_ROWS))

    def cell_text(self, row: int, col: int) -> str:
        return cell_text(self.table, row, col)

    def apply_font_size(self, points: int) -> None:
        super().apply_font_size(points)
        self.worst.setFont(table_font(self.table, points))
