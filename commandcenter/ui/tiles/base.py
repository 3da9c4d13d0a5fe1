"""The frame every tile shares: a title, a stale-data badge, and fonts that scale with the tile."""
from __future__ import annotations

from datetime import datetime, timezone

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QFont, QResizeEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from ...domain import FeedState
from ...services import Change, LiveState
from .. import format as fmt
from .. import labels, theme


def plain_label(text: str = "", parent: QWidget | None = None) -> QLabel:
    """A QLabel that never interprets its text as HTML: feed text is untrusted."""
    label = QLabel(parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setOpenExternalLinks(False)
    label.setText(text)
    return label


class Tile(QFrame):
    """Base of every wall tile. Subclasses put their content in `self.body`.

    A tile depends on feeds (`feeds`: names, or None for all); when any of them is stale or
    down the badge says so and since when, so old numbers are never passed off as current.
    """

    kind = "tile"

    def __init__(self, live: LiveState, title: str, *, feeds: list[str] | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("tile")
        self.live = live
        self.feeds = feeds
        self._title = plain_label(title)
        self._title.setObjectName("tileTitle")
        self._stale = plain_label()
        self._stale.setObjectName("staleBadge")
        self._stale.hide()
        head = QHBoxLayout()
        head.setContentsMargins(0, 0, 0, 0)
        head.addWidget(self._title, 1)
        head.addWidget(self._stale, 0, Qt.AlignmentFlag.AlignRight)
        self.body = QVBoxLayout()
        self.body.setContentsMargins(0, 0, 0, 0)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(10, 8, 10, 8)
        outer.setSpacing(6)
        outer.addLayout(head)
        outer.addLayout(self.body, 1)
        self._unsubscribe_health = live.on_change(self._on_health_change)
        self.destroyed.connect(lambda *_: self._unsubscribe_health())

    @property
    def is_stale(self) -> bool:
        return not self._stale.isHidden()

    def stale_text(self) -> str:
        return self._stale.text() if not self._stale.isHidden() else ""

    def _on_health_change(self, change: Change) -> None:
        if change.health:
            self.refresh_health()

    def refresh_health(self) -> None:
        bad = [
            h for name, h in self.live.health.items()
            if (self.feeds is None or name in self.feeds) and h.state in (FeedState.STALE, FeedState.DOWN)
        ]
        if not bad:
            self._stale.hide()
            self._stale.setText("")
            return
        worst = max(bad, key=lambda h: h.state == FeedState.DOWN)
        since = fmt.hhmm(worst.last_ok_at) if worst.last_ok_at else "—"
        self._stale.setText(
            f"⚠ {labels.name(worst.state)} · {self.tr('最后更新')} {since}"
        )
        self._stale.show()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        # Tall narrow tiles would otherwise get fonts too big for their columns: width caps the scale too.
        self.apply_font_size(theme.scaled_point_size(min(self.height(), int(self.width() / 1.8))))

    def apply_font_size(self, points: int) -> None:
        """Scale the tile's fonts; subclasses extend for their content."""
        title_font = QFont(self._title.font())
        title_font.setPointSize(round(points * theme.TILE_TITLE_SCALE))
        title_font.setBold(True)
        self._title.setFont(title_font)
        badge = QFont(self._stale.font())
        badge.setPointSize(points)
        self._stale.setFont(badge)


class _ColumnFitter(QObject):
    def __init__(self, view, shares: tuple[float, ...]):
        super().__init__(view)
        self.view = view
        self.shares = shares
        view.viewport().installEventFilter(self)

    def eventFilter(self, obj, event) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.Resize:
            self.fit()
        return False

    def fit(self) -> None:
        width = self.view.viewport().width()
        if width > 0:
            for col, share in enumerate(self.shares):
                self.view.setColumnWidth(col, int(width * share))


def fit_columns_on_resize(view, shares: tuple[float, ...]) -> _ColumnFitter:
    """Columns as shares of the table's width, refitted whenever the table itself is resized: no horizontal
    scrolling on a wall, and no stale widths from before the layout placed the table."""
    return _ColumnFitter(view, shares)


def utcnow() -> datetime:
    return datetime.now(timezone.utc)
