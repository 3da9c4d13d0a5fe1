"""The incident feed tile: a table view over IncidentTableModel; a click opens the incident's details.

A duty officer must never miss that an emergency arrived: when more open emergencies exist than the table shows
whole (a burst pushes them off its rows, or overdue rows above them take the room), a bar over the table says how
many are not shown ("另有 N 起突发事件未显示"); a click on it lists the emergencies alone, another brings every
incident back. Shown rows plus the bar's count are every open emergency, at every flush."""
from __future__ import annotations

import time

from dataclasses import replace

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QFont, QMouseEvent
from PySide6.QtWidgets import QWidget

from ...services import LiveState
from .. import theme
from ..models.incidents import ID_ROLE, IncidentTableModel
from .base import PlainLabel, Tile, WallTable, plain_label


class _UnseenBar(PlainLabel):
    """The count of emergencies the table does not show; clicked, it says so (the tile toggles its list)."""

    clicked = Signal()

    def mouseReleaseEvent(self, ev: QMouseEvent) -> None:  # noqa: N802 (Qt naming)
        if ev.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit()
        super().mouseReleaseEvent(ev)


class IncidentTile(Tile):
    kind = "incidents"
    incident_activated = Signal(str)
    #: the count under the table changes at most this often (ms): at 200 events/s it changed on every flush, ~20 a
    #: second, and the label is not opaque, so each change repainted the tile, the page and the window under it
    COUNT_MS = 500

    def __init__(self, live: LiveState, model: IncidentTableModel, *, title: str = "", feeds: list[str] | None = None,
                 parent: QWidget | None = None):
        super().__init__(live, title or self.tr("事件实时动态"), feeds=feeds, parent=parent)
        self.model = model
        # the title gets the room left after the fixed-width columns; no horizontal scrolling on a wall
        self.view = WallTable(model, (0.16, 0.10, 0.10, 0.28, 0.12, 0.09, 0.08, 0.07), self.incident_activated.emit,
                              ID_ROLE, priorities=model.PRIORITIES)
        self._count = plain_label()
        self._count_n = 0
        self._count_at = -1e9                   # time.monotonic() of the label's last change
        self._count_timer = QTimer(self, singleShot=True)
        self._count_timer.timeout.connect(self._show_count)
        self.unseen_bar = _UnseenBar()
        self.unseen_bar.setObjectName("unseenEmergencies")
        self.unseen_bar.setCursor(Qt.CursorShape.PointingHandCursor)
        self.unseen_bar.setStyleSheet(f"background: {theme.UNSEEN_EMERGENCY_BG.name()}; color: #ffffff; "
                                      "border-radius: 4px; padding: 2px 8px;")
        self.unseen_bar.clicked.connect(self.toggle_emergencies_only)
        self.unseen_bar.hide()
        self._bar_at = -1e9                      # time.monotonic() of the bar's last change of text
        self._bar_timer = QTimer(self, singleShot=True)
        self._bar_timer.timeout.connect(self.refresh_unseen)
        self.body.addWidget(self.unseen_bar)
        self.body.addWidget(self.view, 1)
        self.body.addWidget(self._count)
        model.incident_count_changed.connect(self._on_count)
        self._on_count(model.rowCount())

    def flush(self) -> None:
        self.model.flush()

    def set_filter(self, flt) -> None:
        """Territory node / category / status / source (models.incidents.IncidentFilter), e.g. from the console."""
        self.model.set_filter(flt)

    def shown_rows(self) -> tuple[int, int]:
        """The rows [first, last) the table shows whole."""
        first = self.view.verticalScrollBar().value()
        row_h = max(1, self.view.verticalHeader().defaultSectionSize())
        return first, min(self.model.rowCount(), first + self.view.viewport().height() // row_h)

    def unseen_emergency_ids(self) -> list[str]:
        """The open emergencies the table does not show whole (the bar counts them)."""
        return self.model.emergencies_outside(*self.shown_rows())

    def emergencies_only(self) -> bool:
        return self.model.filter.emergencies_only

    def toggle_emergencies_only(self) -> None:
        """The bar's click: the emergencies alone in the table (newest first), or every incident again."""
        self.model.set_filter(replace(self.model.filter, emergencies_only=not self.model.filter.emergencies_only))
        self.refresh_unseen()

    def _on_unseen(self) -> None:
        """The bar appears at once (an emergency pushed off the rows is counted in the same frame); while shown, its
        count changes at most every COUNT_MS, as the count under the table does (the timer shows the last)."""
        wait = self.COUNT_MS - (time.monotonic() - self._bar_at) * 1000.0
        if self.unseen_bar.isHidden() or wait <= 0:
            self.refresh_unseen()
        elif not self._bar_timer.isActive():
            self._bar_timer.start(int(wait) + 1)

    def refresh_unseen(self) -> None:
        """The bar: how many open emergencies the table does not show whole; hidden when it shows them all (and
        shows every incident)."""
        self._bar_timer.stop()
        n = self.model.open_emergencies() - self._shown_emergencies()
        if self.emergencies_only():
            text = (self.tr("只看突发事件 · 另有 {n} 起未显示 · 点此返回全部").format(n=f"{n:,}") if n > 0
                    else self.tr("只看突发事件 · 点此返回全部"))
        else:
            text = self.tr("另有 {n} 起突发事件未显示 · 点此查看").format(n=f"{n:,}") if n > 0 else ""
        if text != self.unseen_bar.text():
            self.unseen_bar.setText(text)
            self._bar_at = time.monotonic()
        self.unseen_bar.setVisible(bool(text))

    def _shown_emergencies(self) -> int:
        """How many open emergencies are on the rows the table shows whole (arithmetic on the order's spans)."""
        first, last = self.shown_rows()
        return sum(max(0, min(end, last) - max(start, first)) for start, end in self.model.emergency_spans())

    def _on_count(self, n: int) -> None:
        self._on_unseen()
        self._on_count_label(n)

    def _on_count_label(self, n: int) -> None:
        """The first change after a quiet spell shows at once, later ones at most every COUNT_MS (the last one
        always: a timer shows it)."""
        self._count_n = n
        wait = self.COUNT_MS - (time.monotonic() - self._count_at) * 1000.0
        if wait <= 0:
            self._show_count()
        elif not self._count_timer.isActive():
            self._count_timer.start(int(wait) + 1)

    def _show_count(self) -> None:
        self._count_timer.stop()
        self._count_at = time.monotonic()
        n = self._count_n
        text = self.tr("在办及近两小时办结：%n 件", "", n).replace("%n", f"{n:,}")
        if text != self._count.text():
            self._count.setText(text)

    def count_text(self) -> str:
        return self._count.text()

    def apply_font_size(self, points: int) -> None:
        super().apply_font_size(points)
        font = self.view.scale(points)
        self._count.setFont(font)
        bold = QFont(font)
        bold.setBold(True)
        self.unseen_bar.setFont(bold)

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt naming)
        super().resizeEvent(event)
        self.view.fit_columns()
        QTimer.singleShot(0, self, self.refresh_unseen)      # the table's new height shows more or fewer rows
