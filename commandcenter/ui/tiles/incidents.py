"""The incident feed tile: a table view over IncidentTableModel; a click opens the incident's details."""
from __future__ import annotations

import time

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QWidget

from ...services import LiveState
from ..models.incidents import ID_ROLE, IncidentTableModel
from .base import Tile, WallTable, plain_label


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
        self.body.addWidget(self.view, 1)
        self.body.addWidget(self._count)
        model.incident_count_changed.connect(self._on_count)
        self._on_count(model.rowCount())

    def flush(self) -> None:
        self.model.flush()

    def set_filter(self, flt) -> None:
        """Territory node / category / status / source (models.incidents.IncidentFilter), e.g. from the console."""
        self.model.set_filter(flt)

    def _on_count(self, n: int) -> None:
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
        self._count.setFont(self.view.scale(points))

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt naming)
        super().resizeEvent(event)
        self.view.fit_columns()
