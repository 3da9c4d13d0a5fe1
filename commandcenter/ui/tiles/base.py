"""The frame every tile shares: a title, a stale-data badge, and fonts that scale with the tile."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, UTC

from PySide6.QtCore import QAbstractItemModel, QEvent, QModelIndex, QObject, QPointF, QRect, Qt, QTimer
from PySide6.QtGui import QBrush, QColor, QFont, QFontInfo, QFontMetricsF, QImage, QPainter, QPaintEvent, QResizeEvent, QStaticText
from PySide6.QtWidgets import (QAbstractItemView, QFrame, QHBoxLayout, QHeaderView, QLabel, QSizePolicy, QStyle,
                               QStyleOption, QTableView, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from ...domain import FeedState
from ...services import Change, LiveState
from .. import format as fmt
from .. import labels, theme
from ..models.roles import ELIDE_ROLE, KEEP_TEXT_ROLE
from ..models.table import WallTableModel


def viewport_image(vp: QWidget, width: float, height: float) -> QImage:
    """An off-screen image that `vp` can show 1:1: its device pixel ratio and its logical DPI (point-size fonts
    come out at the size they have on screen)."""
    dpr = vp.devicePixelRatioF()
    image = QImage(round(width * dpr), round(height * dpr), QImage.Format.Format_ARGB32_Premultiplied)
    image.setDevicePixelRatio(dpr)
    image.setDotsPerMeterX(round(vp.logicalDpiX() / 0.0254))
    image.setDotsPerMeterY(round(vp.logicalDpiY() / 0.0254))
    return image


class PlainLabel(QLabel):
    """A label for feed text: plain text only (never HTML), and its text and tooltip pass `fmt.feed_text`
    (no bidi override, no invisible character, no control character reaches the screen)."""

    def __init__(self, text: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setOpenExternalLinks(False)
        self.setText(text)

    def setText(self, text: str) -> None:  # noqa: N802 (Qt naming)
        super().setText(fmt.feed_text(text))

    def setToolTip(self, text: str) -> None:  # noqa: N802 (Qt naming)
        super().setToolTip(fmt.feed_text(text))


#: The events after which a style sheet has (re)polished a widget.
_POLISHED = (QEvent.Type.Polish, QEvent.Type.StyleChange)


def keep_opaque(widget: QWidget, event: QEvent) -> None:
    """Mark `widget` opaque again once the style sheet has polished it: the polish clears WA_OpaquePaintEvent on any
    widget whose rule has a rounded border or a box, whatever it paints, and Qt then fills the widget's rectangle
    (and its parent's under it) before every paint. Only for a widget whose paintEvent covers every pixel."""
    if event.type() in _POLISHED:
        widget.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, True)


def plain_label(text: str = "", parent: QWidget | None = None) -> QLabel:
    """A QLabel that never interprets its text as HTML and shows feed text safely: feed text is untrusted."""
    return PlainLabel(text, parent)


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
        # The tile paints every pixel of its rectangle, so the window need not fill the background under it first
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, True)
        # The page's grid alone decides a tile's size: text sized for the room must never make a tile claim a
        # neighbour's share (a tile too small for its content shows less of it: fewer rows, columns, cards).
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self.setMinimumSize(1, 1)

    def stop(self) -> None:
        """The tile's window is retired: its background work (store reads) ends. Tiles that have some override."""

    def flush(self) -> None:
        """Show what the live state holds now, not at the next coalesced update (a snapshot). Tiles that coalesce
        override."""

    def event(self, event: QEvent) -> bool:
        handled = super().event(event)
        keep_opaque(self, event)
        return handled

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt naming)
        painter = QPainter(self)
        r, k = self.rect(), theme.TILE_CORNER_PX
        for x, y in ((r.left(), r.top()), (r.right() - k + 1, r.top()), (r.left(), r.bottom() - k + 1),
                     (r.right() - k + 1, r.bottom() - k + 1)):
            painter.fillRect(x, y, k, k, theme.BACKGROUND)
        option = QStyleOption()
        option.initFrom(self)
        self.style().drawPrimitive(QStyle.PrimitiveElement.PE_Widget, option, painter, self)   # the styled panel
        self._paint_frame(painter, r)
        painter.end()
        super().paintEvent(event)                                                               # its frame

    def _paint_frame(self, painter: QPainter, r: QRect) -> None:
        """The big-screen frame every tile shares, subdued: a title bar a shade above the panel with an accent
        rule under it, and short corner accents."""
        title = self._title.geometry()
        if title.height() > 0:
            bar = QRect(r.left() + 1, r.top() + 1, r.width() - 2, title.bottom() + 4 - r.top())
            painter.fillRect(bar, theme.TILE_TITLE_BAR)
            rule = max(2, title.height() // 16)
            painter.fillRect(QRect(r.left() + 1, bar.bottom() + 1, max(1, round(r.width() * 0.25)), rule),
                             theme.TILE_ACCENT)
            painter.fillRect(QRect(r.left() + 1, bar.bottom() + 1, r.width() - 2, 1), theme.PANEL_BORDER)
        k = max(theme.TILE_CORNER_PX + 4, min(r.width(), r.height()) // 24)
        t = max(2, k // 10)
        for x, y, dx, dy in ((r.left(), r.top(), 1, 1), (r.right() + 1, r.top(), -1, 1),
                             (r.left(), r.bottom() + 1, 1, -1), (r.right() + 1, r.bottom() + 1, -1, -1)):
            painter.fillRect(QRect(x if dx > 0 else x - k, y if dy > 0 else y - t, k, t).normalized(),
                             theme.TILE_ACCENT)
            painter.fillRect(QRect(x if dx > 0 else x - t, y if dy > 0 else y - k, t, k).normalized(),
                             theme.TILE_ACCENT)

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
        # Sized for the room (the window's screen and the farthest seat), not for the tile: a small tile shows less.
        self.apply_font_size(theme.room_points(self))

    def apply_font_size(self, points: int) -> None:
        """Scale the tile's fonts; subclasses extend for their content."""
        title_font = QFont(self._title.font())
        title_font.setPointSize(round(points * theme.TILE_TITLE_SCALE))
        title_font.setBold(True)
        self._title.setFont(title_font)
        badge = QFont(self._stale.font())
        badge.setPointSize(points)
        self._stale.setFont(badge)


def header_font(view: QTableView, font: QFont) -> None:
    """The table's header in the rows' size, bold: it names what the rows mean, so it reads as far as they do."""
    header = QFont(font)
    header.setBold(True)
    view.horizontalHeader().setFont(header)
    # the application style sheet draws header sections in its own font unless the section rule names a size
    view.horizontalHeader().setStyleSheet(
        f"QHeaderView, QHeaderView::section {{ font-size: {QFontInfo(font).pixelSize()}px; font-weight: bold; }}")


def table_cell(table: QTableWidget, row: int, col: int) -> QTableWidgetItem:
    """The item of a small table's cell, made the first time (shown, never edited or selected)."""
    item = table.item(row, col)
    if item is None:
        item = QTableWidgetItem()
        item.setFlags(Qt.ItemFlag.ItemIsEnabled)
        table.setItem(row, col, item)
    return item


def cell_text(table: QTableWidget, row: int, col: int) -> str:
    """What a small table's cell shows ("" for a cell not filled yet)."""
    item = table.item(row, col)
    return item.text() if item else ""


def table_font(table: QTableWidget, points: int) -> QFont:
    """A small table's rows and header in `points`; returns the rows' font for what sits beside the table."""
    f = QFont(table.font())
    f.setPointSize(points)
    table.setFont(f)
    header_font(table, f)
    return f


class _ColumnFitter(QObject):
    """Columns as shares of the width; when the font is too large for all of them, the lowest-priority columns
    go first, so every column shown has room for its header and for the text that identifies its thing."""

    def __init__(self, view, shares: tuple[float, ...], priorities: tuple[int, ...] | None = None):
        super().__init__(view)
        self.view = view
        self.shares = shares
        # higher numbers are dropped first; 0 is never dropped
        self.priorities = priorities or tuple(0 for _ in shares)
        self._elide: dict[int, Qt.TextElideMode] = {}
        view.viewport().installEventFilter(self)
        model = view.model()
        if model is not None:   # a column's keep-whole text changed (a longer grid name): refit
            model.headerDataChanged.connect(lambda *_: self.fit())

    def eventFilter(self, obj, event) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.Resize:
            self.fit()
        return False

    def elide(self, column: int) -> Qt.TextElideMode:
        return self._elide.get(column, Qt.TextElideMode.ElideRight)

    def needed_width(self, column: int) -> int:
        """Pixels the column needs: its header whole (in the header's font) and its model's keep-whole texts."""
        model = self.view.model()
        header = model.headerData(column, Qt.Orientation.Horizontal, _DISPLAY)
        keep = model.headerData(column, Qt.Orientation.Horizontal, KEEP_TEXT_ROLE)
        keep_texts = [keep] if isinstance(keep, str) else list(keep or ())
        head = QFontMetricsF(self.view.horizontalHeader().font())
        body = QFontMetricsF(self.view.font())
        widths = [head.horizontalAdvance(str(header or "")) + 2 * _HEADER_PADDING]
        widths += [body.horizontalAdvance(t) + 2 * WallTable.MARGIN for t in keep_texts]
        return int(max(widths)) + 2

    def fit(self) -> None:
        width = self.view.viewport().width()
        model = self.view.model()
        if width <= 0 or model is None:
            return
        self._elide = {}
        for col in range(len(self.shares)):
            mode = model.headerData(col, Qt.Orientation.Horizontal, ELIDE_ROLE)
            if mode is not None:
                self._elide[col] = Qt.TextElideMode(mode)
        shown = list(range(len(self.shares)))
        needs = {c: self.needed_width(c) for c in shown}
        # drop the least important column while the columns' needs do not fit
        while sum(needs[c] for c in shown) > width:
            droppable = [c for c in shown if self.priorities[c] > 0]
            if not droppable:
                break
            shown.remove(max(droppable, key=lambda c: (self.priorities[c], c)))
        total_share = sum(self.shares[c] for c in shown) or 1.0
        spare = max(0, width - sum(needs[c] for c in shown))
        # each shown column gets its need, and the room left over is shared as the shares say
        extra = {c: spare * self.shares[c] / total_share for c in shown}
        for col in range(len(self.shares)):
            hidden = col not in shown
            self.view.setColumnHidden(col, hidden)
            if not hidden:
                self.view.setColumnWidth(col, int(needs[col] + extra[col]))

    def shown_columns(self) -> list[int]:
        return [c for c in range(len(self.shares)) if not self.view.isColumnHidden(c)]


#: Horizontal padding of a header section (the style sheet's `QHeaderView::section` padding).
_HEADER_PADDING = 4


def fit_columns_on_resize(view, shares: tuple[float, ...], priorities: tuple[int, ...] | None = None) -> _ColumnFitter:
    """Columns as shares of the table's width, refitted whenever the table itself is resized: no horizontal
    scrolling on a wall, and no stale widths from before the layout placed the table."""
    return _ColumnFitter(view, shares, priorities)


class TablePager(QObject):
    """Pages a wall table that has more rows than it can show: every `seconds` (never under MIN_SECONDS, time to
    read a page from the seats) it shows the next screenful, and `indicator` says which page of how many. Rows
    the model sorts first (supplies under their threshold) are on the first page, which comes back each round."""

    #: the slowest readable pace: a page stays at least this long
    MIN_SECONDS = 8.0

    def __init__(self, view: QTableView, indicator: QLabel, seconds: float = 10.0):
        super().__init__(view)
        self.view = view
        self.indicator = indicator
        self.page = 0
        self._timer = QTimer(self, interval=round(max(seconds, self.MIN_SECONDS) * 1000))
        self._timer.timeout.connect(self.next_page)
        self._timer.start()
        model = view.model()
        for sig in (model.modelReset, model.rowsInserted, model.rowsRemoved):
            sig.connect(self._rows_changed)
        view.viewport().installEventFilter(self)
        self.show_page()

    def _rows_changed(self, *_args) -> None:
        QTimer.singleShot(0, self, self.show_page)      # after the view has taken the new rows; dropped with it

    @property
    def interval_s(self) -> float:
        return self._timer.interval() / 1000.0

    def eventFilter(self, obj, event) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.Resize:
            self.show_page()
        return False

    def rows_per_page(self) -> int:
        row_h = max(1, self.view.verticalHeader().defaultSectionSize())
        return max(1, self.view.viewport().height() // row_h)

    def pages(self) -> int:
        rows = self.view.model().rowCount()
        return max(1, -(-rows // self.rows_per_page()))

    def next_page(self) -> None:
        self.page = (self.page + 1) % self.pages()
        self.show_page()

    def show_page(self) -> None:
        pages = self.pages()
        self.page = min(self.page, pages - 1)
        self.view.verticalScrollBar().setValue(self.page * self.rows_per_page())
        self.indicator.setText(f"{self.page + 1}/{pages}" if pages > 1 else "")
        self.indicator.setVisible(pages > 1)


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
    style on every paint (the costliest part of a table's paint), and a Python item delegate
    still pays a wrapped style option per cell. Here one paintEvent walks the rows in the update region.
    Text is always plain (feed text is untrusted), left-aligned, elided at the right, vertically centred; the
    model's foreground, background and font roles apply; a selected row takes the selection colours; grid
    lines and alternating rows as the style sheet sets them (theme).

    Rows' text is drawn once and then blitted. A model that offers `row_key(row)` (a hashable value that changes
    whenever the text, colours or fonts the row shows change, except in the columns named by its `live_columns`;
    its backgrounds are per row, the first cell's) gets each row's text rendered once into a transparent image,
    kept by (key, selected, height) for the current column layout and font. A repaint, and a model reset that
    only shifts rows up or down (new incidents on top), fills each row's background and copies one image
    instead of four `data()` calls and a glyph run per cell; the same
    image serves whichever shading, flash or overdue tint the row has at the moment. Live columns (the ticking
    countdown) are drawn over it on every paint, so the once-a-second tick neither invalidates the images nor
    repaints more than its column. Laying out a new row is costly: a paint renders at most
    NEW_ROWS_PER_PAINT new row images once the table has painted since shown (a burst's flush brings dozens of
    new rows on top); the other new rows get their background now (an emergency's flash shows at
    once) and their text a frame later, the next paint drawing the next few (a refit of the columns, which
    makes every image stale, too, and a burst filling a table shown empty). The first
    paint after the table is shown draws every row. A model may also offer `paint_row(row)` → (row key,
    background brush or None, one (text, font or None, foreground or None) per live column): the same values in
    one call instead of an index and a data() call each. A model without `row_key` (or a row it answers None for)
    is painted cell by cell; either way each cell's elided text is laid out once, as a plain-text QStaticText
    cached by (text, font, width).
    """

    #: pixels between a cell's left edge and its text (the stock style's text margin)
    MARGIN = 4
    #: laid-out texts kept before the cache starts over (a screenful of cells is a few hundred)
    CACHE_LIMIT = 6000
    #: row images kept beyond a screenful (rows scrolled or shifted just out of view come back often)
    ROW_CACHE_SLACK = 8
    #: new row images one paint renders once the table has some (the rest wait for the next frame)
    NEW_ROWS_PER_PAINT = 4
    #: the next frame for the rows a paint left without text
    CATCH_UP_MS = 16

    def __init__(self, model: WallTableModel, shares: tuple[float, ...], on_activated: Callable[[str], None],
                 id_role: int, *, alternating: bool = True, priorities: tuple[int, ...] | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self._row_images: dict[tuple, QImage] = {}             # (row key, selected, height) → the row's text
        self._table: WallTableModel = model
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
        self._fitter = fit_columns_on_resize(self, shares, priorities)
        # paintEvent paints every pixel of the update (rows, and the table's background around them): the style
        # sheet's background fill under it would be a second full-table fill on every repaint
        self.viewport().setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, True)
        self._texts: dict[tuple, QStaticText] = {}
        self._fonts: dict[str, tuple[QFont, str, float]] = {}
        self._font_keys: dict[int, tuple[QFont, str]] = {}     # id(role font) → (that font, its key())
        self._font_for: QFont | None = None
        self._live_images: dict[tuple, QImage] = {}            # (text, font, pen, cell size) → a live cell's text
        self._fills: dict[tuple, QColor] = {}                  # (shade, row brush) → the colour of one over the other
        self._brush_keys: dict[int, tuple[QBrush | QColor, int | None]] = {}   # id(row brush) → (it, its colour or None)
        self._row_layout: tuple | None = None                   # the column layout the images were drawn for
        #: cells and columns the last paintEvent drew (what an update repainted: the deadline tick's test)
        self.painted_cells = 0
        self.painted_columns: set[int] = set()
        #: rows whose text the last paintEvent rendered afresh into an image (a cache miss each), and rows it blitted
        self.rendered_rows = 0
        self.blitted_rows = 0
        #: rows the last paintEvent left without their text (over NEW_ROWS_PER_PAINT): a paint follows for them
        self.deferred_rows = 0
        self._new_row_budget: int | None = None                # None: no limit (the first paint since shown)
        self._painted_rows = False                              # painted since the table was last shown
        self._deferred_rect = QRect()
        self._catch_up = QTimer(self, singleShot=True, interval=self.CATCH_UP_MS)
        self._catch_up.timeout.connect(lambda: self.viewport().update(self._deferred_rect))

    def _activated(self, index: QModelIndex) -> None:
        if index.isValid():
            self._on_activated(self.model().data(index, self._id_role))

    def setModel(self, model: QAbstractItemModel | None) -> None:  # noqa: N802 (Qt naming)
        """Another model's row keys mean other rows: its rows are drawn afresh."""
        if not isinstance(model, WallTableModel):
            raise TypeError("a WallTable shows a WallTableModel (ui.models.table)")
        self._row_images.clear()
        self._table = model
        super().setModel(model)

    def fit_columns(self) -> None:
        self._fitter.fit()

    def scale(self, points: int) -> QFont:
        """Text, header and row height at `points`, columns refitted. Returns the font (for the tile's labels).

        The header has the rows' size (never smaller: it names what the rows mean), in bold."""
        font = QFont(self.font())
        font.setPointSize(points)
        self.setFont(font)
        header_font(self, font)
        self.verticalHeader().setDefaultSectionSize(round(QFontMetricsF(font).height() * theme.TABLE_ROW_SCALE))
        self.fit_columns()
        return font

    def shown_columns(self) -> list[int]:
        """The columns the table shows at its width and font (the least important are dropped first)."""
        return self._fitter.shown_columns()

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
        return self._text(str(text), font, font_key, width, self._fitter.elide(column)).text()

    # -- painting ------------------------------------------------------------------------------
    def _sync_font(self) -> None:
        if self.font() != self._font_for:         # a new size: every layout is stale
            self._font_for = QFont(self.font())
            self._fonts.clear()
            self._font_keys.clear()
            self._texts.clear()
            self._row_images.clear()
            self._live_images.clear()

    def _cell_font(self, role_font: QFont | None) -> tuple[QFont, str, float]:
        """The cell's font (the role's font resolved against the table's), its cache key and line height."""
        if role_font is None:
            key = ""
        else:
            # models hand out the same few QFont objects: QFont.key() once per object, not once per cell
            known = self._font_keys.get(id(role_font))
            if known is None or known[0] is not role_font:
                known = self._font_keys[id(role_font)] = (role_font, role_font.key())
            key = known[1]
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

    def _text(self, text: str, font: QFont, font_key: str, width: int,
              elide: Qt.TextElideMode = Qt.TextElideMode.ElideRight) -> QStaticText:
        key = (text, font_key, width, elide)
        st = self._texts.get(key)
        if st is None:
            if len(self._texts) >= self.CACHE_LIMIT:
                self._texts.clear()
            st = QStaticText(QFontMetricsF(font).elidedText(fmt.feed_text(text), elide, width))
            st.setTextFormat(Qt.TextFormat.PlainText)
            st.prepare(font=font)
            self._texts[key] = st
        return st

    def _columns(self, c0: int, c1: int) -> list[tuple[int, int, int]]:
        """(column, x, width) of the shown columns c0..c1."""
        return [(c, self.columnViewportPosition(c), self.columnWidth(c)) for c in range(c0, c1 + 1)
                if not self.isColumnHidden(c) and self.columnWidth(c) > 0]

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt naming)
        model = self._table
        rows, cols = model.rowCount(), model.columnCount()
        self.painted_cells = 0
        self.painted_columns = set()
        self.rendered_rows = self.blitted_rows = self.deferred_rows = 0
        self._deferred_rect = QRect()
        area = event.rect()
        vp = self.viewport()
        base = vp.palette().color(vp.backgroundRole())
        painter = QPainter(vp)
        try:
            covered = self._paint_rows(painter, model, rows, cols, area, base) if rows > 0 and cols > 0 else None
            # the viewport is opaque (nothing fills it before this): what no row covers gets the table's background
            if covered is None:
                painter.fillRect(area, base)
            else:
                left, top, right, bottom = covered
                for band in (QRect(area.left(), area.top(), area.width(), top - area.top()),
                             QRect(area.left(), bottom, area.width(), area.bottom() + 1 - bottom),
                             QRect(area.left(), top, left - area.left(), bottom - top),
                             QRect(right, top, area.right() + 1 - right, bottom - top)):
                    if band.width() > 0 and band.height() > 0:
                        painter.fillRect(band, base)
        finally:
            painter.end()
        if self.deferred_rows:
            self._catch_up.start()
        self._painted_rows = True

    def showEvent(self, event) -> None:  # noqa: N802 (Qt naming)
        self._painted_rows = False              # a table (re)appearing shows every row at once: no blank rows
        super().showEvent(event)

    def _paint_rows(self, painter: QPainter, model: WallTableModel, rows: int, cols: int, area: QRect,
                    base: QColor) -> tuple[int, int, int, int] | None:
        """The rows and columns the update `area` touches; returns the (left, top, right, bottom) they covered, or
        None if none."""
        r0 = self.rowAt(area.top())
        if r0 < 0:
            if area.top() >= self.rowViewportPosition(rows - 1) + self.rowHeight(rows - 1):
                return None
            r0 = 0
        r1 = self.rowAt(area.bottom())
        r1 = rows - 1 if r1 < 0 else r1
        c0 = self.columnAt(area.left())
        if c0 < 0:
            if area.left() >= self.columnViewportPosition(cols - 1) + self.columnWidth(cols - 1):
                return None                           # only the empty space right of the last column
            c0 = 0
        c1 = self.columnAt(area.right())
        c1 = cols - 1 if c1 < 0 else c1
        self._sync_font()
        g = 1 if self.showGrid() else 0
        xs = self._columns(c0, c1)
        if not xs:
            return None
        margin = self.MARGIN
        # a column the update only grazes (its first pixel: Qt's update rects reach one past the grid line)
        # gets its background, not its text
        in_area = [cell for cell in xs if cell[1] + margin <= area.right() and cell[1] + cell[2] - g - margin > area.left()]
        selection = self.selectionModel()
        selected = {i.row() for i in selection.selectedIndexes()} if selection is not None else set()
        alternate = self.alternatingRowColors()
        default_pen = self.palette().text().color()
        row_key, index = model.row_key, model.createIndex
        live = frozenset(model.live_columns)
        all_xs = self._columns(0, cols - 1)
        vp = self.viewport()
        font_key = self._font_for.key() if self._font_for is not None else ""
        layout = (tuple(all_xs), font_key, g, default_pen.rgba(), base.rgba(), live,
                  vp.devicePixelRatioF(), vp.logicalDpiY())
        if layout != self._row_layout:            # widths, font, grid or colours changed: every image is stale
            self._row_images.clear()
            self._live_images.clear()
            self._row_layout = layout
        self._new_row_budget = self.NEW_ROWS_PER_PAINT if self._painted_rows else None
        live_cells = [cell for cell in in_area if cell[0] in live]
        # a model's paint_row(row): its key, background and live cells' values in one call (no index or data()
        # call per value); live_at[c]: where column c's values are in its live cells
        paint_row = model.paint_row
        live_at = {c: n for n, c in enumerate(model.live_columns)}
        limit = vp.height() // max(1, self.rowHeight(r0)) + 1 + self.ROW_CACHE_SLACK
        left, right = all_xs[0][1], all_xs[-1][1] + all_xs[-1][2]
        data = model.data
        top = y_end = self.rowViewportPosition(r0)
        for r in range(r0, r1 + 1):
            y, h = self.rowViewportPosition(r), self.rowHeight(r)
            if h <= 0:
                continue
            y_end = y + h
            is_selected = r in selected
            self.painted_cells += len(in_area)
            painted = paint_row(r)
            if painted is not None:
                key, bg, live_values = painted
            else:
                key, bg, live_values = row_key(r), data(index(r, 0), _BACKGROUND), None
            if key is None:
                painter.fillRect(left, y, right - left, h, base)
                self._paint_backgrounds(painter, r, y, h - g, xs, is_selected, index)
                self._paint_texts(painter, r, y, h - g, in_area, is_selected, default_pen, index)
                if g:
                    self._paint_grid(painter, y, h, xs)
                continue
            # one background per row (the row_key protocol): the first cell's; the image brings the grid lines
            shade = theme.SELECTION if is_selected else theme.ROW_ALT if alternate and r & 1 else base
            fill = shade if bg is None or is_selected else self._fill_over(shade, bg)
            if fill is None:                          # a brush that is not one colour: over the shade
                painter.fillRect(left, y, right - left, h - g, shade)
                painter.fillRect(left, y, right - left - g, h - g, bg)
            elif fill is shade or not g:
                painter.fillRect(left, y, right - left, h - g, fill)
            else:                                     # the row's brush stops short of the last grid line
                painter.fillRect(left, y, right - left - g, h - g, fill)
                painter.fillRect(right - g, y, g, h - g, shade)
            image = self._row_image(r, (key, is_selected, h), all_xs, live, default_pen, index, base, limit)
            if image is None:                         # over this paint's budget of new rows: text next frame
                self.deferred_rows += 1
                self._deferred_rect = self._deferred_rect.united(QRect(left, y, right - left, h))
            else:
                painter.drawImage(left, y, image)
                self.blitted_rows += 1
            if live_cells:
                self._paint_live(painter, r, y, h - g, live_cells, is_selected, default_pen, index,
                                 live_values and [live_values[live_at[c]] for c, _, _ in live_cells],
                                 limit * len(live))
        self.painted_columns = {c for c, _, _ in in_area}
        return left, top, right, y_end

    def _fill_over(self, shade: QColor, brush: QBrush | QColor) -> QColor | None:
        """The one colour a row shows where its background `brush` lies over `shade`, so the row takes one opaque fill
        instead of the shade and a translucent brush blended over it (two passes over ~200 kB a row at 4K, on every
        paint). Blended once by the raster engine itself (the same pixels as painting both), then kept. None for a
        brush that is not a plain colour."""
        known = self._brush_keys.get(id(brush))
        if known is None or known[0] is not brush:
            colour: int | None
            if isinstance(brush, QColor):
                colour = brush.rgba()
            else:
                colour = brush.color().rgba() if brush.style() == Qt.BrushStyle.SolidPattern and brush.transform().isIdentity() else None
            if len(self._brush_keys) > 256:
                self._brush_keys.clear()
            known = self._brush_keys[id(brush)] = (brush, colour)
        colour = known[1]
        if colour is None:
            return None
        key = (shade.rgba(), colour)
        fill = self._fills.get(key)
        if fill is None:
            pixel = QImage(1, 1, QImage.Format.Format_ARGB32_Premultiplied)
            pixel.fill(shade)
            painter = QPainter(pixel)
            painter.fillRect(0, 0, 1, 1, QColor.fromRgba(colour))
            painter.end()
            if len(self._fills) > 256:
                self._fills.clear()
            fill = self._fills[key] = pixel.pixelColor(0, 0)
        return fill

    def _paint_live(self, painter: QPainter, r: int, y: int, ch: int, cells: list[tuple[int, int, int]],
                    is_selected: bool, default_pen: QColor, index, values: list[tuple] | None = None,
                    limit: int = 64) -> None:
        """Row r's live cells (the countdown): each one's text drawn once into a small transparent image, kept by (text,
        font, colour, cell size) and copied on every paint until the text changes (a second later for a countdown),
        instead of a glyph run per cell per paint. `values`: each cell's (text, font, foreground) as the model's
        paint_row gave them, else they are asked with data(). At most `limit` images are kept."""
        data = self.model().data
        g = 1 if self.showGrid() else 0
        margin = self.MARGIN
        images = self._live_images
        dpr = self.viewport().devicePixelRatioF()
        for n, (c, x, w) in enumerate(cells):
            if values is None:
                idx = index(r, c)
                text, role_font = data(idx, _DISPLAY), data(idx, _FONT)
                fg = None if is_selected else data(idx, _FOREGROUND)
            else:
                text, role_font, fg = values[n]
            if not text or w - g - 2 * margin <= 0:
                continue
            image_w, image_h = round((w - g) * dpr), round(ch * dpr)
            font, font_key, line = self._cell_font(role_font)
            if is_selected:
                pen = theme.SELECTION_TEXT
            else:
                pen = default_pen if fg is None else fg.color() if isinstance(fg, QBrush) else fg
            key = (str(text), font_key, pen.rgba(), w - g, ch)
            image = images.pop(key, None)
            if image is None:
                # least recently used first out, beyond a screenful: a countdown's text is new every second, and a
                # cache cleared only when full (1,500) would grow by a screenful (~30 × 35 kB at 4K) a second
                reuse = None
                while len(images) >= limit:
                    reuse = images.pop(next(iter(images)))
                st = self._text(str(text), font, font_key, w - g - 2 * margin, self._fitter.elide(c))
                if reuse is not None and reuse.width() == image_w and reuse.height() == image_h:
                    image = reuse
                else:
                    image = viewport_image(self.viewport(), w - g, ch)
                image.fill(Qt.GlobalColor.transparent)
                p = QPainter(image)
                p.setFont(font)
                p.setPen(pen)
                p.drawStaticText(QPointF(margin, (ch - line) / 2), st)
                p.end()
            images[key] = image                     # (again) the most recently used
            painter.drawImage(x, y, image)

    def _paint_grid(self, painter: QPainter, y: int, h: int, xs: list[tuple[int, int, int]]) -> None:
        """A row's grid lines: along its bottom, and each cell's right edge."""
        painter.setPen(theme.PANEL_BORDER)
        painter.drawLine(xs[0][1], y + h - 1, xs[-1][1] + xs[-1][2] - 1, y + h - 1)
        for _, x, w in xs:
            painter.drawLine(x + w - 1, y, x + w - 1, y + h - 1)

    def _row_image(self, r: int, key: tuple, all_xs: list[tuple[int, int, int]], live: frozenset[int],
                   default_pen: QColor, index, base: QColor, limit: int) -> QImage | None:
        """Row r's text (all columns but the live ones) and grid lines on a transparent image, or the one drawn for
        the same key before: backgrounds are filled under it on every paint, so the same image serves a row
        whichever shading, flash or overdue tint it has at the moment. Least recently used images go first once
        more than `limit` are kept. None when the row has no image and this paint's budget of new ones is spent."""
        images = self._row_images
        image = images.pop(key, None)
        if image is None:
            if self._new_row_budget is not None:
                if self._new_row_budget <= 0:
                    return None
                self._new_row_budget -= 1
            is_selected, h = key[1], key[2]
            x0 = all_xs[0][1]
            width = all_xs[-1][1] + all_xs[-1][2] - x0
            vp = self.viewport()
            dpr = vp.devicePixelRatioF()
            reuse = None
            while len(images) >= limit:
                reuse = images.pop(next(iter(images)))
            if reuse is not None and reuse.width() == round(width * dpr) and reuse.height() == round(h * dpr):
                image = reuse
            else:
                image = viewport_image(vp, width, h)
            image.fill(Qt.GlobalColor.transparent)
            painter = QPainter(image)
            painter.translate(-x0, 0)
            g = 1 if self.showGrid() else 0
            self._paint_texts(painter, r, 0, h - g, [cell for cell in all_xs if cell[0] not in live], is_selected,
                              default_pen, index)
            if g:
                self._paint_grid(painter, 0, h, all_xs)
            painter.end()
            self.rendered_rows += 1
        images[key] = image
        return image

    def _paint_backgrounds(self, painter: QPainter, r: int, y: int, ch: int, xs: list[tuple[int, int, int]],
                           is_selected: bool, index) -> None:
        """Row r's backgrounds across `xs` (cell height `ch`): selection, alternate shading, the model's brushes."""
        g = 1 if self.showGrid() else 0
        left, right = xs[0][1], xs[-1][1] + xs[-1][2]
        if is_selected:
            painter.fillRect(left, y, right - left, ch, theme.SELECTION)
            return
        if self.alternatingRowColors() and r & 1:
            painter.fillRect(left, y, right - left, ch, theme.ROW_ALT)
        # backgrounds are mostly per row (flash, overdue, alert level): one fill per run of equal brushes
        data = self.model().data
        run, run_x, run_end = None, 0, 0
        for c, x, w in xs:
            bg = data(index(r, c), _BACKGROUND)
            if bg is not run or x != run_end:
                if run is not None:
                    painter.fillRect(run_x, y, run_end - run_x - g, ch, run)
                run, run_x = bg, x
            run_end = x + w
        if run is not None:
            painter.fillRect(run_x, y, run_end - run_x - g, ch, run)

    def _paint_texts(self, painter: QPainter, r: int, y: int, ch: int, cells: list[tuple[int, int, int]],
                     is_selected: bool, default_pen: QColor, index) -> None:
        """The text of row r's `cells`, in the row's cell height `ch` (its height less the grid line)."""
        data = self.model().data
        g = 1 if self.showGrid() else 0
        margin = self.MARGIN
        last_font = last_pen = None
        for c, x, w in cells:
            idx = index(r, c)
            text = data(idx, _DISPLAY)
            if not text or w - g - 2 * margin <= 0:
                continue
            font, font_key, line = self._cell_font(data(idx, _FONT))
            st = self._text(str(text), font, font_key, w - g - 2 * margin, self._fitter.elide(c))
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


def utcnow() -> datetime:
    return datetime.now(UTC)
