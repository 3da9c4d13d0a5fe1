"""The wall-wide warning banner: orange and red public warnings (预警, not shelved) across the top of the wall.

Only public warnings: device alarms (告警) and supervision of overdue work (督办) have their own tiles and never
run here, so a red public warning is never crowded out by them. Each warning shows its level symbol and words,
type, title and area in plain text; the most severe first; a click opens its details. Hidden when there is
nothing to show.
"""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QMouseEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QWidget

from ..domain import AlertLevel
from . import format as fmt
from . import labels, theme
from .models.alerts import AlertBoard, BoardEntry, level_text
from .tiles.base import plain_label

MAX_SHOWN = 3


class _BannerItem(QLabel):
    clicked = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setOpenExternalLinks(False)
        self.alert_id = ""

    def mouseReleaseEvent(self, ev: QMouseEvent) -> None:  # noqa: N802
        if ev.button() == Qt.MouseButton.LeftButton and self.alert_id:
            self.clicked.emit(self.alert_id)
        super().mouseReleaseEvent(ev)


class AlertBanner(QFrame):
    alert_clicked = Signal(str)

    def __init__(self, board: AlertBoard, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("alertBanner")
        self.board = board
        self._items = [_BannerItem() for _ in range(MAX_SHOWN)]
        self._more = plain_label()
        row = QHBoxLayout(self)
        row.setContentsMargins(12, 4, 12, 4)
        row.setSpacing(12)
        for item in self._items:
            item.clicked.connect(self.alert_clicked)
            row.addWidget(item, 1)
        row.addWidget(self._more)
        board.changed.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        entries = self.board.banner_entries()
        for item, entry in zip(self._items, entries + [None] * MAX_SHOWN, strict=False):
            if entry is None:
                item.hide()
                item.alert_id = ""
                continue
            item.alert_id = entry.alert.id
            item.setText(fmt.feed_text(self.item_text(entry)))
            colour = theme.ALERT_COLOURS[entry.alert.level]
            fg = "#000000" if entry.alert.level is AlertLevel.ORANGE else "#ffffff"
            item.setStyleSheet(f"background: {colour.name()}; color: {fg}; border-radius: 4px; padding: 2px 10px;")
            item.show()
        extra = len(entries) - MAX_SHOWN
        self._more.setText(f"+{extra}" if extra > 0 else "")
        self._more.setVisible(extra > 0)
        self.setVisible(bool(entries))

    @staticmethod
    def item_text(entry: BoardEntry) -> str:
        a = entry.alert
        drill = f"【{labels.drill_badge()}】" if a.drill_id else ""
        ack = " ✓" if entry.acknowledged else ""
        area = f" · {a.area_desc}" if a.area_desc else ""
        return f"⚠ {level_text(a.level)} · {labels.signal_type(a)} · {drill}{a.title}{area}{ack}"

    def texts(self) -> list[str]:
        return [i.text() for i in self._items if not i.isHidden()]

    def scale(self, points: int) -> None:
        f = QFont(self.font())
        f.setPointSize(points)
        f.setBold(True)
        for item in self._items + [self._more]:
            item.setFont(f)
