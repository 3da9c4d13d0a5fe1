"""The wall-wide warning banner: orange and red public warnings (预警, not shelved) across the top of the wall.

Only public warnings: device alarms (告警) and supervision of overdue work (督办) have their own tiles and never
run here, so a red public warning is never crowded out by them. Each warning shows its level symbol and words,
type, title and area in plain text; the most severe first; a click opens its details. Hidden when there is
nothing to show.

A red warning nobody has acknowledged dominates (issue 19): the band turns red across the whole window, its text
grows to theme.RED_BAND_TEXT_SCALE of reading size, and it flashes at theme.RED_BAND_FLASHES_PER_S (never faster
than three flashes a second) until it is acknowledged, from the console or with the band's own 确认 button.
"""
from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QFont, QMouseEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QPushButton, QWidget

from ..domain import AlertLevel
from . import format as fmt
from . import labels, theme
from .elided_label import ElidedLabel
from .models.alerts import AlertBoard, BoardEntry, level_text
from .tiles.base import plain_label

MAX_SHOWN = 3
# Photosensitive safety (WCAG 2.3.1): a band never flashes more often than this, whatever the theme asks.
MAX_FLASHES_PER_S = 3.0


def flash_interval_ms(flashes_per_s: float) -> int:
    """Half a flash period (the band toggles twice per flash), at most MAX_FLASHES_PER_S flashes a second."""
    rate = min(max(flashes_per_s, 0.1), MAX_FLASHES_PER_S)
    return max(1, round(1000.0 / (2.0 * rate)))


class _BannerItem(ElidedLabel):
    """One warning on the band: its whole text when it fits, else elided at the right ("…") with the whole text in
    the tooltip (and the details a click opens), so a long title or area never runs under the count or the button
    beside it."""

    clicked = Signal(str)
    PADDING_PX = 20             # the style sheet's horizontal padding (2 × 10 px)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.alert_id = ""

    def mouseReleaseEvent(self, ev: QMouseEvent) -> None:  # noqa: N802
        if ev.button() == Qt.MouseButton.LeftButton and self.alert_id:
            self.clicked.emit(self.alert_id)
        super().mouseReleaseEvent(ev)


class AlertBanner(QFrame):
    alert_clicked = Signal(str)
    acknowledge_requested = Signal(str)     # the band's 确认 button: acknowledge this red warning on the wall

    def __init__(self, board: AlertBoard, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("alertBanner")
        self.board = board
        self._items = [_BannerItem() for _ in range(MAX_SHOWN)]
        self._more = plain_label()
        self.ack_button = QPushButton(self.tr("确认"))
        self.ack_button.setObjectName("bandAcknowledge")
        self.ack_button.clicked.connect(self._acknowledge)
        self.ack_button.hide()
        row = QHBoxLayout(self)
        row.setContentsMargins(12, 4, 12, 4)
        row.setSpacing(12)
        for item in self._items:
            item.clicked.connect(self.alert_clicked)
            row.addWidget(item, 1)
        row.addWidget(self._more)
        row.addWidget(self.ack_button)
        #: the red warning the band stands for while unacknowledged ("" when none)
        self.red_alert_id = ""
        self.flash_on = False
        self._flash = QTimer(self, interval=flash_interval_ms(theme.RED_BAND_FLASHES_PER_S))
        self._flash.timeout.connect(self._toggle_flash)
        self._points = theme.BASE_POINT_SIZE
        board.changed.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        entries = self.board.banner_entries()
        red = next((e for e in entries if e.alert.level is AlertLevel.RED and not e.acknowledged), None)
        self.red_alert_id = red.alert.id if red is not None else ""
        if red is not None:     # the red warning alone across the band; the others are counted beside it
            entries = [red] + [e for e in entries if e is not red]
            shown = [red]
        else:
            shown = entries[:MAX_SHOWN]
        for item, entry in zip(self._items, shown + [None] * MAX_SHOWN, strict=False):
            if entry is None:
                item.hide()
                item.alert_id = ""
                continue
            item.alert_id = entry.alert.id
            item.set_full_text(fmt.feed_text(self.item_text(entry)))
            item.show()
        extra = len(entries) - len(shown)
        self._more.setText(f"+{extra}" if extra > 0 else "")
        self._more.setVisible(extra > 0)
        self.ack_button.setVisible(red is not None)
        if red is not None and not self._flash.isActive():
            self.flash_on = True
            self._flash.start()
        elif red is None:
            self._flash.stop()
            self.flash_on = False
        self._paint_items()
        self._apply_fonts()
        self.setVisible(bool(entries))

    @property
    def flashing(self) -> bool:
        return self._flash.isActive()

    def flash_interval(self) -> int:
        return self._flash.interval()

    def _acknowledge(self) -> None:
        if self.red_alert_id:
            self.acknowledge_requested.emit(self.red_alert_id)

    def _toggle_flash(self) -> None:
        self.flash_on = not self.flash_on
        self._paint_items()

    def _paint_items(self) -> None:
        """Each item in its level's colour; while a red warning is unacknowledged the whole band is red and its
        items alternate between full red and the dark red of the band's off phase."""
        red_band = bool(self.red_alert_id)
        band = theme.RED_BAND_ON if (red_band and self.flash_on) else theme.RED_BAND_OFF
        self.setStyleSheet(f"QFrame#alertBanner {{ background: {band.name()}; }}" if red_band else "")
        for item in self._items:
            entry_level = next((e.alert.level for e in self.board.banner_entries() if e.alert.id == item.alert_id),
                               None)
            if entry_level is None:
                continue
            colour = theme.ALERT_COLOURS[entry_level]
            if red_band and entry_level is AlertLevel.RED and not self.flash_on:
                colour = theme.RED_BAND_OFF
            fg = "#000000" if entry_level is AlertLevel.ORANGE else "#ffffff"
            item.setStyleSheet(f"background: {colour.name()}; color: {fg}; border-radius: 4px; padding: 2px 10px;")

    @staticmethod
    def item_text(entry: BoardEntry) -> str:
        a = entry.alert
        drill = f"【{labels.drill_badge()}】" if a.drill_id else ""
        ack = " ✓" if entry.acknowledged else ""
        area = f" · {a.area_desc}" if a.area_desc else ""
        return f"⚠ {level_text(a.level)} · {labels.signal_type(a)} · {drill}{a.title}{area}{ack}"

    def texts(self) -> list[str]:
        """The whole text of each warning shown (the band may show it elided)."""
        return [i.full_text for i in self._items if not i.isHidden()]

    def scale(self, points: int) -> None:
        self._points = points
        self._apply_fonts()

    def _apply_fonts(self) -> None:
        """Reading size; a band standing for an unacknowledged red warning larger still."""
        k = theme.RED_BAND_TEXT_SCALE if self.red_alert_id else 1.0
        f = QFont(self.font())
        f.setPointSize(round(self._points * k))
        f.setBold(True)
        for item in self._items + [self._more]:
            if item.font() != f:
                item.setFont(f)
        if self.ack_button.font() != f:
            self.ack_button.setFont(f)
