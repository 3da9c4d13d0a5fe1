"""The wall window: a header (title, clock), one page of tiles on a grid, and every feed's health."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QMainWindow, QStatusBar, QVBoxLayout, QWidget

from ..config import PageSection, TileSection
from ..domain import FeedHealth
from ..services import Change, LiveState
from . import format as fmt
from . import labels, theme
from .tiles.base import Tile, plain_label

TileBuilder = Callable[[TileSection], Tile]


class FeedHealthBar(QStatusBar):
    """One entry per feed: symbol, name, state and the time of its last good message."""

    def __init__(self, live: LiveState, parent: QWidget | None = None):
        super().__init__(parent)
        self.live = live
        self._labels: dict[str, QLabel] = {}
        self.setSizeGripEnabled(False)
        self._unsubscribe = live.on_change(self._on_change)
        self.destroyed.connect(lambda *_: self._unsubscribe())

    def _on_change(self, change: Change) -> None:
        for h in change.health:
            self.show_health(h)

    def show_health(self, h: FeedHealth) -> None:
        label = self._labels.get(h.feed)
        if label is None:
            label = self._labels[h.feed] = plain_label()
            self.addPermanentWidget(label)
        last = fmt.hhmmss(h.last_ok_at) if h.last_ok_at else "—"
        text = f"{theme.FEED_SYMBOLS[h.state]} {h.feed}: {labels.name(h.state)} · {last}"
        if h.last_error and h.state.value != "live":
            text += f" · {h.last_error[:80]}"
        label.setText(text)
        label.setStyleSheet(f"color: {theme.FEED_COLOURS[h.state].name()}; padding: 0 12px;")

    def text_of(self, feed: str) -> str:
        label = self._labels.get(feed)
        return label.text() if label else ""


class WallHeader(QWidget):
    def __init__(self, title: str, clock: Callable[[], datetime], parent: QWidget | None = None):
        super().__init__(parent)
        self._clock = clock
        self.title = plain_label(title)
        self.clock_label = plain_label()
        self.clock_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        row = QHBoxLayout(self)
        row.setContentsMargins(16, 6, 16, 6)
        row.addWidget(self.title, 1)
        row.addWidget(self.clock_label)
        self._timer = QTimer(self, interval=1000)
        self._timer.timeout.connect(self.tick)
        self._timer.start()
        self.tick()

    def tick(self) -> None:
        self.clock_label.setText(fmt.date_time(self._clock()))

    def scale(self, points: int) -> None:
        f = QFont(self.title.font())
        f.setPointSize(round(points * 1.6))
        f.setBold(True)
        self.title.setFont(f)
        f2 = QFont(self.clock_label.font())
        f2.setPointSize(round(points * 1.3))
        self.clock_label.setFont(f2)


class PageView(QWidget):
    """One configured page: tiles placed on rows × columns with spans, all cells equal."""

    def __init__(self, page: PageSection, build: TileBuilder, parent: QWidget | None = None):
        super().__init__(parent)
        self.page = page
        self.tiles: list[Tile] = []
        grid = QGridLayout(self)
        grid.setContentsMargins(8, 8, 8, 8)
        grid.setSpacing(8)
        for r in range(page.rows):
            grid.setRowStretch(r, 1)
        for c in range(page.columns):
            grid.setColumnStretch(c, 1)
        for section in page.tiles:
            tile = build(section)
            self.tiles.append(tile)
            grid.addWidget(tile, section.row, section.column, section.row_span, section.column_span)


class WallWindow(QMainWindow):
    """A wall surface. Issue-7 screens map several of these onto QScreens."""

    closed = Signal()

    def __init__(self, title: str, live: LiveState, page: PageSection, build: TileBuilder,
                 clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc)):
        super().__init__()
        self.setWindowTitle(title)
        self.live = live
        self.header = WallHeader(title, clock)
        self.page_view = PageView(page, build)
        centre = QWidget()
        column = QVBoxLayout(centre)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self.header)
        from .drill_banner import attach_banners   # issue 8: drill and replay banners under the header
        attach_banners(self, column)
        column.addWidget(self.page_view, 1)
        self.setCentralWidget(centre)
        self.health_bar = FeedHealthBar(live)
        self.setStatusBar(self.health_bar)

    def tiles(self) -> list[Tile]:
        return self.page_view.tiles

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        points = theme.scaled_point_size(self.height() // 3)
        self.header.scale(points)
        f = QFont(self.health_bar.font())
        f.setPointSize(max(9, round(points * 0.8)))
        self.health_bar.setFont(f)
        for label in self.health_bar.findChildren(QLabel):
            label.setFont(f)

    def closeEvent(self, event) -> None:  # noqa: N802
        self.closed.emit()
        super().closeEvent(event)
