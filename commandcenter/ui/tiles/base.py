"""The frame every tile shares: a title, a stale-data badge, and fonts that scale with the tile."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone

from PySide6.QtCore import QAbstractItemModel, QEvent, QModelIndex, QObject, QPointF, Qt
from PySide6.QtGui import QBrush, QFont, QFontMetricsF, QPainter, QPaintEvent, QResizeEvent, QStaticText
from PySide6.QtWidgets import (QAbstractItemView, QFrame, QHBoxLayout, QHeaderView, QLabel, QStyle, QStyleOption,
                               QTableView, QVBoxLayout, QWidget)

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
        # The tile paints every pixel of its rectangle (panel, and the page background in its rounded
        # corners), so the window does not fill the background under it first: a 4K wall of tiles saves
        # most of a full-screen fill (≈5 ms) on every full repaint.
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, True)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt naming)
        painter = QPainter(self)
        r, k = self.rect(), theme.TILE_CORNER_PX
        for x, y in ((r.left(), r.top()), (r.right() - k + 1, r.top()), (r.left(), r.bottom() - k + 1),
                     (r.right() - k + 1, r.bottom() - k + 1)):
            painter.fillRect(x, y, k, k, theme.BACKGROUND)
        option = QStyleOption()
        option.initFrom(self)
        self.style().drawPrimitive(QStyle.PrimitiveElement.PE_Widget, option, painter, self)   # the styled panel
        painter.end()
        super().paintEvent(event)                                                               # its frame

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


_DISPLAY = Qt.ItemDataRole.DisplayRole
_FOREGROUND = Qt.ItemDataRole.ForegroundRole
_BACKGROUND = Qt.ItemDataRole.BackgroundRole
_FONT = Qt.ItemDataRole.FontRole


class WallTable(QTableView):
    """The wall's read-only table, set up once for the incident, alert and resource tiles.

    Whole-row single selection, no editing, no word wrap, no row numbers, no horizontal scrolling (columns
    are fixed shares of the width, refitted whenever the table is resized). A click or Enter on a row calls
    `on_activated` with the row's `id_role` data.

    It paints its cells itself. The stock path lays out and elides every cell's text through the style-sheet
    style on every paint (≈130 µs a cell: 40 ms for the 4K incident table), and a Python item delegate
    still pays a wrapped style option per cell. Here one paintEvent walks the cells in the update region;
    each cell's elided text is laid out once, as a plain-text QStaticText cached by (text, font, width), so a
    repaint is a background fill and a glyph blit per cell, and a partial update (one column) touches only
    those cells. Text is always plain (feed text is untrusted), left-aligned, elided at the right, vertically
    centred; the model's foreground, background and font roles apply; a selected row takes the selection
    colours; grid lines and alternating rows as the style sheet sets them (theme).
    """

    #: pixels between a cell's left edge and its text (the stock style's text margin)
    MARGIN = 4
    #: laid-out texts kept before the cache starts over (a screenful of cells is a few hundred)
    CACHE_LIMIT = 6000

    def __init__(self, model: QAbstractItemModel, shares: tuple[float, ...], on_activated: Callable[[str], None],
                 id_role: int, *, alternating: bool = True, parent: QWidget | None = None):
        super().__init__(parent)
        self.setModel(model)
        self.setAlternatingRowColors(alternating)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setWordWrap(False)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.verticalHeader().hide()
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        self._id_role = id_role
        self._on_activated = on_activated
        self.clicked.connect(self._activated)
        self.activated.connect(self._activated)
        self._fitter = fit_columns_on_resize(self, shares)
        self._texts: dict[tuple, QStaticText] = {}
        self._fonts: dict[str, tuple[QFont, str, float]] = {}
        self._font_for: QFont | None = None
        #: cells and columns the last paintEvent drew (what an update repainted: the deadline tick's test)
        self.painted_cells = 0
        self.painted_columns: set[int] = set()

    def _activated(self, index: QModelIndex) -> None:
        if index.isValid():
            self._on_activated(self.model().data(index, self._id_role))

    def fit_columns(self) -> None:
        self._fitter.fit()

    def scale(self, points: int) -> QFont:
        """Text, header and row height at `points`, columns refitted. Returns the font (for the tile's labels)."""
        font = QFont(self.font())
        font.setPointSize(points)
        self.setFont(font)
        self.horizontalHeader().setFont(font)
        self.verticalHeader().setDefaultSectionSize(round(points * 2.2))
        self.fit_columns()
        return font

    def shown_text(self, row: int, column: int) -> str:
        """The text cell (row, column) shows at its current width: the model's text, elided with "…" if long."""
        model = self.model()
        idx = model.index(row, column)
        text = model.data(idx, _DISPLAY)
        if not text:
            return ""
        self._sync_font()
        font, font_key, _ = self._cell_font(model.data(idx, _FONT))
        width = self.columnWidth(column) - (1 if self.showGrid() else 0) - 2 * self.MARGIN
        return self._text(str(text), font, font_key, width).text()

    # -- painting ------------------------------------------------------------------------------
    def _sync_font(self) -> None:
        if self.font() != self._font_for:         # a new size: every layout is stale
            self._font_for = QFont(self.font())
            self._fonts.clear()
            self._texts.clear()

    def _cell_font(self, role_font: QFont | None) -> tuple[QFont, str, float]:
        """The cell's font (the role's font resolved against the table's), its cache key and line height."""
        key = "" if role_font is None else role_font.key()
        hit = self._fonts.get(key)
        if hit is None:
            font = QFont(self.font())
            if role_font is not None:
                # not role_font.resolve(): its result keeps only the role's resolve mask, so a painter on
                # another device (render() into an image) would fall back to that device's point size
                resolved = role_font.resolve(font)
                font.setWeight(resolved.weight())
                font.setItalic(resolved.italic())
                font.setUnderline(resolved.underline())
                font.setStrikeOut(resolved.strikeOut())
            hit = self._fonts[key] = (font, font.key(), QFontMetricsF(font).height())
        return hit

    def _text(self, text: str, font: QFont, font_key: str, width: int) -> QStaticText:
        key = (text, font_key, width)
        st = self._texts.get(key)
        if st is None:
            if len(self._texts) >= self.CACHE_LIMIT:
                self._texts.clear()
            st = QStaticText(QFontMetricsF(font).elidedText(text, Qt.TextElideMode.ElideRight, width))
            st.setTextFormat(Qt.TextFormat.PlainText)
            st.prepare(font=font)
            self._texts[key] = st
        return st

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt naming)
        model = self.model()
        rows, cols = model.rowCount(), model.columnCount()
        self.painted_cells = 0
        self.painted_columns = set()
        if rows <= 0 or cols <= 0:
            return
        area = event.rect()
        r0 = self.rowAt(area.top())
        if r0 < 0:
            if area.top() >= self.rowViewportPosition(rows - 1) + self.rowHeight(rows - 1):
                return
            r0 = 0
        r1 = self.rowAt(area.bottom())
        r1 = rows - 1 if r1 < 0 else r1
        c0 = self.columnAt(area.left())
        if c0 < 0:
            if area.left() >= self.columnViewportPosition(cols - 1) + self.columnWidth(cols - 1):
                return                                # only the empty space right of the last column
            c0 = 0
        c1 = self.columnAt(area.right())
        c1 = cols - 1 if c1 < 0 else c1
        self._sync_font()
        grid = self.showGrid()
        g = 1 if grid else 0
        xs = [(c, self.columnViewportPosition(c), self.columnWidth(c)) for c in range(c0, c1 + 1)
              if not self.isColumnHidden(c) and self.columnWidth(c) > 0]
        if not xs:
            return
        selection = self.selectionModel()
        selected = {i.row() for i in selection.selectedIndexes()} if selection is not None else set()
        alternate = self.alternatingRowColors()
        default_pen = self.palette().text().color()
        margin = self.MARGIN
        painter = QPainter(self.viewport())
        # createIndex, not index(): index() asks the Python model for its row and column counts every time
        index, data = getattr(model, "createIndex", model.index), model.data
        y_end = 0
        last_font = last_pen = None
        for r in range(r0, r1 + 1):
            y, h = self.rowViewportPosition(r), self.rowHeight(r)
            if h <= 0:
                continue
            y_end = y + h
            ch = h - g
            is_selected = r in selected
            cells = [(x, w, index(r, c)) for c, x, w in xs]
            # a column the update only grazes (its first pixel: Qt's update rects reach one past the grid
            # line) gets its background, not its text
            texts = [cell for cell in cells
                     if cell[0] + margin <= area.right() and cell[0] + cell[1] - g - margin > area.left()]
            if is_selected:
                painter.fillRect(xs[0][1], y, xs[-1][1] + xs[-1][2] - xs[0][1], ch, theme.SELECTION)
            else:
                if alternate and r & 1:
                    painter.fillRect(xs[0][1], y, xs[-1][1] + xs[-1][2] - xs[0][1], ch, theme.ROW_ALT)
                # backgrounds are mostly per row (flash, overdue, alert level): one fill per run of equal brushes
                run, run_x, run_end = None, 0, 0
                for x, w, idx in cells:
                    bg = data(idx, _BACKGROUND)
                    if bg is not run or x != run_end:
                        if run is not None:
                            painter.fillRect(run_x, y, run_end - run_x - g, ch, run)
                        run, run_x = bg, x
                    run_end = x + w
                if run is not None:
                    painter.fillRect(run_x, y, run_end - run_x - g, ch, run)
            self.painted_cells += len(texts)
            for x, w, idx in texts:
                text = data(idx, _DISPLAY)
                if not text or w - g - 2 * margin <= 0:
                    continue
                font, font_key, line = self._cell_font(data(idx, _FONT))
                st = self._text(str(text), font, font_key, w - g - 2 * margin)
                if is_selected:
                    pen = theme.SELECTION_TEXT
                else:
                    fg = data(idx, _FOREGROUND)
                    pen = default_pen if fg is None else fg.color() if isinstance(fg, QBrush) else fg
                if font is not last_font:
                    painter.setFont(font)
                    last_font = font
                if pen is not last_pen:
                    painter.setPen(pen)
                    last_pen = pen
                painter.drawStaticText(QPointF(x + margin, y + (ch - line) / 2), st)
        self.painted_columns = {c for c, x, w in xs if x + margin <= area.right() and x + w - g - margin > area.left()}
        if grid:
            painter.setPen(theme.PANEL_BORDER)
            left, right = xs[0][1], xs[-1][1] + xs[-1][2] - 1
            top = self.rowViewportPosition(r0)
            for r in range(r0, r1 + 1):
                yb = self.rowViewportPosition(r) + self.rowHeight(r) - 1
                painter.drawLine(left, yb, right, yb)
            for _, x, w in xs:
                painter.drawLine(x + w - 1, top, x + w - 1, y_end - 1)
        painter.end()


def utcnow() -> datetime:
    return datetime.now(timezone.utc)
