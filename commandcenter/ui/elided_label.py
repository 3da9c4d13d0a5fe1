"""One line of text that never widens its window: the whole text when it fits, else elided at the right ("…")
with the whole text in the tooltip. For text of unknown length in a bar as wide as the window (a drill's scenario
name and reason), whose label would otherwise ask for its whole width and push the window past its screen."""
from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QFontMetrics, QResizeEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

from . import format as fmt
from .tiles.base import PlainLabel


class ElidedLabel(PlainLabel):
    #: room the text must leave free inside the contents (a style sheet's horizontal padding)
    PADDING_PX = 0

    def __init__(self, parent: QWidget | None = None):
        super().__init__("", parent)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setMinimumWidth(1)
        self.full_text = ""

    def set_full_text(self, text: str) -> None:
        self.full_text = fmt.feed_text(text)
        self.setToolTip(self.full_text)
        self._elide()

    def _elide(self) -> None:
        width = max(1, self.contentsRect().width() - self.PADDING_PX)
        shown = QFontMetrics(self.font()).elidedText(self.full_text, Qt.TextElideMode.ElideRight, width)
        if shown != self.text():
            self.setText(shown)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt naming)
        super().resizeEvent(event)
        self._elide()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt naming)
        super().changeEvent(event)
        if event.type() is QEvent.Type.FontChange:
            self._elide()
