"""The alerts tile: live warnings in four colours (symbol and words too), their operator state, and the
guidance (what to do, whom to call) for the most pressing one; a click opens the alert's details."""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QWidget

from ...services import LiveState
from ..models.alerts import ID_ROLE, AlertBoard, AlertTableModel
from .. import theme
from .base import Tile, WallTable, plain_label


class AlertTile(Tile):
    kind = "alerts"
    alert_activated = Signal(str)

    def __init__(self, live: LiveState, board: AlertBoard, guidance: dict[str, str] | None = None, *,
                 title: str = "", feeds: list[str] | None = None, parent: QWidget | None = None):
        super().__init__(live, title or self.tr("预警信息"), feeds=feeds, parent=parent)
        self.board = board
        self.guidance_by_type = dict(guidance or {})
        self.model = AlertTableModel(board, self)
        self.view = WallTable(self.model, (0.16, 0.11, 0.28, 0.12, 0.09, 0.10, 0.14), self.alert_activated.emit,
                              ID_ROLE, alternating=False)   # rows carry their level's colour
        self.summary = plain_label()
        self.summary.setStyleSheet("background: transparent;")
        self.guidance = plain_label()
        self.guidance.setWordWrap(True)
        self.guidance.setObjectName("alertGuidance")
        self.guidance.setStyleSheet(f"background: {theme.PANEL_RAISED.name()}; border-radius: 4px; padding: 4px 8px;")
        self.body.addWidget(self.summary)
        self.body.addWidget(self.view, 1)
        self.body.addWidget(self.guidance)
        board.changed.connect(self._refresh_text)
        self._refresh_text()

    def _refresh_text(self) -> None:
        entries = self.board.entries
        counts: dict[int, int] = {}
        for e in entries:
            counts[int(e.alert.level)] = counts.get(int(e.alert.level), 0) + 1
        from ..models.alerts import level_text
        from ...domain import AlertLevel

        parts = [f"{level_text(lv)} {counts.get(int(lv), 0)}" for lv in sorted(AlertLevel, reverse=True)]
        unacked = sum(1 for e in entries if not e.acknowledged and not e.shelved)
        self.summary.setText("  ".join(parts) + f"  ·  {self.tr('未确认')} {unacked}")
        top = next((e for e in entries if not e.shelved), None)
        text = self.guidance_for(top.alert.type.value) if top else ""
        if top and text:
            self.guidance.setText(f"➤ {self.tr('处置指引')}（{top.alert.title}）：{text}")
            self.guidance.show()
        else:
            self.guidance.setText("")
            self.guidance.hide()

    def guidance_for(self, alert_type: str) -> str:
        return self.guidance_by_type.get(alert_type, "")

    def apply_font_size(self, points: int) -> None:
        super().apply_font_size(points)
        font = self.view.scale(points)
        self.summary.setFont(font)
        self.guidance.setFont(font)
