"""The sensors tile (kind "sensors"): the city's devices counted by type and status, and the worst readings now,
each with a sparkline of its recent values. Repainted at most once a second whatever the message rate: a
thousand readings a second change counts and a few rows, not the whole tile each time."""
from __future__ import annotations

import heapq
import weakref
from collections import deque
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from operator import itemgetter

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QCoreApplication, QEvent, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QImage, QMouseEvent, QPainter, QPaintEvent, QPen
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


@dataclass(frozen=True)
class RowsPicture:
    """What a picture of the worst readings needs, copied on the GUI thread: its size, font, and each row's device,
    reading, colour and recent values."""

    width: int
    height: int
    dpr: float
    font: QFont
    rows: tuple[tuple[str, str, QColor, np.ndarray], ...]

    def row_height(self) -> float:
        return max(18.0, self.height / WORST_ROWS)

    def draw(self) -> QImage:
        """The rows on a transparent image (any thread: QImage, QPainter and fonts only)."""
        image = QImage(max(1, round(self.width * self.dpr)), max(1, round(self.height * self.dpr)),
                       QImage.Format.Format_ARGB32_Premultiplied)
        image.setDevicePixelRatio(self.dpr)
        image.fill(Qt.GlobalColor.transparent)
        p = QPainter(image)
        p.setFont(self.font)
        h, w = self.row_height(), self.width
        spark_w = w * 0.3
        metrics = p.fontMetrics()
        # the readings in a column of their own, never cut: where room runs out the device's name gives way
        value_right = w - spark_w - 12
        value_w = max((metrics.horizontalAdvance(value) for _, value, _, _ in self.rows), default=0)
        label_w = max(0, int(value_right - 12 - value_w - metrics.horizontalAdvance("  ")))
        for i, (label, value, colour, values) in enumerate(self.rows):
            top = i * h
            if top + h > self.height + 1:
                break
            p.fillRect(QRectF(0, top + h * 0.2, 6, h * 0.6), colour)
            p.setPen(theme.TEXT)
            p.drawText(QRectF(12, top, label_w, h), int(Qt.AlignmentFlag.AlignVCenter),
                       metrics.elidedText(label, Qt.TextElideMode.ElideRight, label_w))
            p.drawText(QRectF(12, top, value_right - 12, h),
                       int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight), value)
            if len(values) >= 2:
                lo, span = values.min(), (values.max() - values.min()) or 1.0
                x0, y0, sh = w - spark_w - 4, top + h * 0.2, h * 0.6
                xs = x0 + spark_w * np.arange(len(values)) / (len(values) - 1)
                ys = y0 + sh * (1 - (values - lo) / span)
                p.setPen(QPen(colour, max(1.0, h / 24)))           # a line seen from the room, not a hairline
                p.drawPath(pg.functions.arrayToQPath(xs, ys, "all", finiteCheck=False))   # one call, not one per point
        p.end()
        return image


# draws the worst readings' pictures off the GUI thread (one at a time: a newer one replaces an older)
_DRAWER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sensors-draw")


class WorstReadings(QWidget):
    """Rows of the worst readings: level colour, device, type, value and a sparkline. Painted, no widget per row.

    New rows (at most once a second, the tile's flush) are drawn into a picture on a worker thread and a paint only
    copies the last picture. On the GUI thread that drawing stalled the wall: it gives up the GIL around every
    Qt call, and while the feed thread decodes a thousand readings a second each call waits to take it back. A
    picture of another size (the first paint, a resize, a new font) is drawn at once, on the GUI thread."""

    sensor_clicked = Signal(str)
    _drawn = Signal(int, QImage)        # (generation, picture) from the worker thread

    def __init__(self, book: SensorBook, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.book = book
        self.rows: list[Sensor] = []
        self._picture: QImage | None = None
        self._generation = 0            # the rows' version: a picture of older rows is dropped
        self._drawn.connect(self._on_drawn)
        self.setMinimumHeight(80)

    def set_rows(self, rows: list[Sensor]) -> None:
        self.rows = rows
        self._generation += 1
        if self._picture is None or not self._fits(self._picture):
            self._picture = None        # drawn at the next paint
            self.update()
            return
        generation, spec, ref = self._generation, self._spec(), weakref.ref(self)

        def done(future: Future[QImage]) -> None:
            widget = ref()
            try:
                if widget is not None:
                    widget._drawn.emit(generation, future.result())     # queued to the GUI thread
            except RuntimeError:
                pass                    # the widget was deleted meanwhile
        _DRAWER.submit(spec.draw).add_done_callback(done)

    def _on_drawn(self, generation: int, picture: QImage) -> None:
        if generation == self._generation and self._fits(picture):
            self._picture = picture
            self.update()

    def _fits(self, picture: QImage) -> bool:
        dpr = self.devicePixelRatioF()
        return picture.width() == max(1, round(self.width() * dpr)) and \
            picture.height() == max(1, round(self.height() * dpr))

    def _spec(self) -> RowsPicture:
        history = self.book.history
        rows = tuple((*self.row_texts(s), status_colour(s),
                      np.fromiter(history.get(s.id, ()), dtype=float)) for s in self.rows)
        return RowsPicture(self.width(), self.height(), self.devicePixelRatioF(), QFont(self.font()), rows)

    def row_height(self) -> float:
        return max(18.0, self.height() / WORST_ROWS)

    def row_texts(self, s: Sensor) -> tuple[str, str]:
        """(device and type, reading) of a row."""
        return f"{fmt.feed_text(s.name or s.id)} · {type_label(s.type)}", value_text(s.type, s.value)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt naming)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.LanguageChange):
            self._picture = None
            self._generation += 1
        super().changeEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt naming)
        if self._picture is None or not self._fits(self._picture):
            self._generation += 1       # a picture still on its way is of the old size
            self._picture = self._spec().draw()
        p = QPainter(self)
        p.drawImage(0, 0, self._picture)
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
        self._cells: dict[tuple[int, int], str] = {}      # each table cell's text as last set
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
                if self._cells.get((r, col)) == text:     # unchanged: no Qt call (each one waits for the GIL)
                    continue
                self._cells[(r, col)] = text
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
