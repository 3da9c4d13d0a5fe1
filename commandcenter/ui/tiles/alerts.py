"""The signal tiles, one per kind of signal so the three are never mixed (DOMAIN.md):

- `warnings` (预警信息): public warnings in four colours (symbol and words too), their operator state, and the
  guidance (what to do, whom to call) for the most pressing one, per hazard;
- `alarms` (设备告警): device alarms from IoT sensors and video analytics, and the weak-signal rule, graded Ⅰ-Ⅳ;
- `supervision` (督办事项): overdue work under supervision, graded 蓝/黄/红.

A click on a row opens the signal's details."""
from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtWidgets import QWidget

from ..noop import QT_TRANSLATE_NOOP
from ...domain import AlertLevel, SignalKind
from ...services import LiveState
from .. import labels, theme
from ..models.alerts import ID_ROLE, AlertBoard, AlertTableModel, BoardEntry, guidance_for, level_text
from .base import Tile, WallTable, plain_label

TITLES = {SignalKind.WARNING: QT_TRANSLATE_NOOP("AlertTile", "预警信息"),
          SignalKind.ALARM: QT_TRANSLATE_NOOP("AlertTile", "设备告警"),
          SignalKind.SUPERVISION: QT_TRANSLATE_NOOP("AlertTile", "督办事项")}
#: Column shares of the width, per kind (the columns of AlertTableModel.COLUMNS_OF).
WIDTHS = {SignalKind.WARNING: (0.16, 0.11, 0.28, 0.12, 0.09, 0.10, 0.14),
          SignalKind.ALARM: (0.14, 0.13, 0.38, 0.14, 0.08, 0.13),
          SignalKind.SUPERVISION: (0.16, 0.46, 0.16, 0.09, 0.13)}
#: Which columns a narrow tile drops first (higher first; 0 always stays): level, title and state stay.
PRIORITIES = {SignalKind.WARNING: (0, 3, 0, 2, 4, 5, 1),
              SignalKind.ALARM: (0, 3, 0, 2, 4, 1),
              SignalKind.SUPERVISION: (0, 0, 2, 3, 1)}


def default_title(kind: SignalKind) -> str:
    return QCoreApplication.translate("AlertTile", TITLES[kind])


class AlertTile(Tile):
    kind = "warnings"
    alert_activated = Signal(str)

    def __init__(self, live: LiveState, board: AlertBoard, guidance: dict[str, str] | None = None, *,
                 title: str = "", feeds: list[str] | None = None, signal: SignalKind = SignalKind.WARNING,
                 parent: QWidget | None = None):
        super().__init__(live, title or default_title(signal), feeds=feeds, parent=parent)
        self.signal = signal
        self.kind = {SignalKind.WARNING: "warnings", SignalKind.ALARM: "alarms",
                     SignalKind.SUPERVISION: "supervision"}[signal]
        self.board = board
        self.guidance_by_type = dict(guidance or {})
        self.model = AlertTableModel(board, self, kind=signal)
        self.view = WallTable(self.model, WIDTHS[signal], self.alert_activated.emit,
                              ID_ROLE, alternating=False,   # rows carry their level's colour
                              priorities=PRIORITIES[signal])
        self.summary = plain_label()
        self.summary.setStyleSheet("background: transparent;")
        self.guidance = plain_label()
        self.guidance.setWordWrap(True)
        self.guidance.setObjectName("alertGuidance")
        self.guidance.setStyleSheet(f"background: {theme.PANEL_RAISED.name()}; border-radius: 4px; padding: 4px 8px;")
        self.guidance.hide()
        self.body.addWidget(self.summary)
        self.body.addWidget(self.view, 1)
        self.body.addWidget(self.guidance)
        board.changed.connect(self._refresh_text)
        self._refresh_text()

    def _refresh_text(self) -> None:
        entries = self.board.entries_of(self.signal)
        self.summary.setText(self.summary_text(entries))
        top = next((e for e in entries if not e.shelved), None)
        text = guidance_for(self.guidance_by_type, top.alert) if top else ""
        if top and text:
            self.guidance.setText(self.tr("➤ 处置指引（{title}）：{text}").format(title=top.alert.title, text=text))
            self.guidance.show()
        else:
            self.guidance.setText("")
            self.guidance.hide()

    def summary_text(self, entries: list[BoardEntry]) -> str:
        """Counts per level in the kind's own words, then the unacknowledged."""
        counts: dict[AlertLevel, int] = {}
        for e in entries:
            level = labels.signal_colour_level(e.alert)
            counts[level] = counts.get(level, 0) + 1
        if self.signal is SignalKind.WARNING:
            parts = [f"{level_text(lv)} {counts.get(lv, 0)}" for lv in sorted(AlertLevel, reverse=True)]
        elif self.signal is SignalKind.ALARM:
            parts = [f"{labels.alarm_level(lv)} {counts.get(lv, 0)}" for lv in sorted(AlertLevel, reverse=True)]
        else:
            parts = [f"● {labels.supervision_name(lv)} {counts.get(lv, 0)}"
                     for lv in (AlertLevel.RED, AlertLevel.YELLOW, AlertLevel.BLUE)]
        unacked = sum(1 for e in entries if not e.acknowledged and not e.shelved)
        return "  ".join(parts) + "  ·  " + self.tr("未确认 {n}").format(n=unacked)

    def apply_font_size(self, points: int) -> None:
        super().apply_font_size(points)
        font = self.view.scale(points)
        self.summary.setFont(font)
        self.guidance.setFont(font)
