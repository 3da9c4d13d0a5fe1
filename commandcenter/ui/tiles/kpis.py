"""The KPI tile: big numbers with threshold colours (and a symbol) and their change against yesterday and
last year; pyqtgraph charts of events per hour (today vs yesterday), completion rate over the day,
resolution-level share, and per-category / per-grid rankings whose bars open the records behind them.

Data comes from `KpiFeed` (the store's KPI engine on the store thread); this widget only draws.
Width-1 pens, no antialiasing, no OpenGL.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRect, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import (
    QButtonGroup, QFrame, QGridLayout, QHBoxLayout, QLabel, QPushButton, QSizePolicy, QVBoxLayout, QWidget,
)

from ...domain import Category, ResolutionLevel
from ...services import LiveState
from ...services.live_state import Change
from .. import format as fmt
from .. import labels, theme
from ...domain import kpis as DK
from ..models.kpis import (
    ALL_CARDS, DEFAULT_CARDS, WINDOWS, CardFigure, CardSpec, KpiFeed, card_figure, card_label, level_colour,
    period_label, previous_label, target_text, window_label,
)
from .base import Tile, plain_label
from .frame import FramedPlotWidget


def _pen(colour: QColor, style: Qt.PenStyle = Qt.PenStyle.SolidLine) -> QPen:
    pen = QPen(colour)
    pen.setWidth(1)
    pen.setCosmetic(True)
    pen.setStyle(style)
    return pen


#: Up to this many cards in one row; more go on two rows.
CARDS_PER_ROW = 6
#: The day's key figures on a headline strip (a KPI tile with `headline = true`) unless its config names others.
HEADLINE_CARDS: tuple[str, ...] = ("events", "completion_rate", "on_time_rate", "overdue",
                                   "one_ten_twenty_compliance", "satisfaction_rate")


def _shrinkable(label: QLabel) -> None:
    """A secondary line that may be cut at the card's edge rather than widen the card (the value never is)."""
    label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
    label.setMinimumWidth(0)


class TargetGauge(QWidget):
    """A rate drawn against its target: a 0-100 % track, the value's fill in its level colour and the target as a
    tick across the track (a big-screen gauge; the figure itself stays in words above it)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.value: float | None = None
        self.target: float | None = None
        self.colour = theme.TEXT_DIM
        self.setMinimumHeight(8)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_figure(self, value: float | None, target: float | None, colour: QColor) -> None:
        self.value, self.target, self.colour = value, target, colour
        self.update()

    def set_thickness(self, px: int) -> None:
        self.setFixedHeight(max(8, px))

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt naming)
        p = QPainter(self)
        h = self.height()
        track = self.rect().adjusted(0, h // 4, 0, -h // 4)
        p.fillRect(track, theme.GAUGE_TRACK)
        if self.value is not None:
            filled = QRect(track)
            filled.setWidth(round(track.width() * max(0.0, min(self.value, 100.0)) / 100.0))
            p.fillRect(filled, self.colour)
        if self.target is not None:
            x = track.left() + round(track.width() * self.target / 100.0)
            p.fillRect(QRect(x - max(1, h // 10), 0, max(2, h // 5), h), theme.GAUGE_TARGET)
        p.end()


class KpiCard(QFrame):
    """One indicator: its name, the value (with a symbol beside its colour), its target, and the like-for-like
    changes. An indicator whose sample is too small reads "not enough data" in the neutral colour."""

    def __init__(self, spec: CardSpec, parent: QWidget | None = None):
        super().__init__(parent)
        self.spec = spec
        self.figure: CardFigure | None = None
        self.setObjectName("kpiCard")
        self.setStyleSheet(f"QFrame#kpiCard {{ background: {theme.PANEL_RAISED.name()}; border-radius: 6px; }}"
                           " QLabel { background: transparent; }")
        self.name = plain_label(card_label(spec))
        self.value = plain_label("—")
        self.target = plain_label(target_text(spec))
        self.change_day = plain_label("—")
        self.change_year = plain_label("—")
        for lab in (self.name, self.target, self.change_day, self.change_year):
            lab.setStyleSheet(f"color: {theme.TEXT_DIM.name()}; background: transparent;")
        # rates against their targets: a gauge under the figure (counts have no target to draw)
        self.gauge = TargetGauge() if spec.definition.unit == "%" and spec.good is not None else None
        col = QVBoxLayout(self)
        col.setContentsMargins(8, 4, 8, 4)
        col.setSpacing(0)
        parts: list[QWidget | None] = [self.name, self.value, self.gauge, self.target, self.change_day,
                                       self.change_year]
        for part in parts:
            if part is not None:
                col.addWidget(part)
        for lab in (self.name, self.value, self.target, self.change_day, self.change_year):
            _shrinkable(lab)      # cards share their row equally, whatever their texts
        self._fonts: tuple[QFont, QFont] | None = None   # (figure, small) at the current room size

    def show_figure(self, fig: CardFigure) -> None:
        self.figure = fig
        symbol = "" if fig.level is None else theme.DEADLINE_SYMBOLS[fig.level]
        self.value.setText(f"{fig.text} {symbol}".strip())
        colour = level_colour(fig.level) if fig.enough_data or fig.level is not None else theme.TEXT_DIM
        self.value.setStyleSheet(f"color: {colour.name()}; background: transparent;")
        self._figure_font(fig.enough_data or fig.level is not None)
        if self.gauge is not None:
            self.gauge.set_figure(fig.value if fig.enough_data else None, fig.target, colour)
        target = target_text(self.spec)
        if fig.period in WINDOWS:   # widened beyond the tile's period: say over what
            target = " · ".join(t for t in (window_label(fig.period), target) if t)
        self.target.setText(target)
        if self.spec.now:
            self.change_day.setText(self.tr("当前"))
            self.change_year.setText("")
            return
        self.change_day.setText(f"{previous_label(fig.period)} {fig.change_previous}")
        self.change_year.setText("" if fig.period == "year" else f"{self.tr('较去年同期')} {fig.change_last_year}")

    def scale(self, points: int, small_points: int) -> None:
        small = QFont(self.font())
        small.setPointSize(small_points)
        big = QFont(self.font())
        big.setPointSize(round(points * theme.KPI_VALUE_SCALE))
        big.setBold(True)
        for lab in (self.name, self.target, self.change_day, self.change_year):
            lab.setFont(small)
        self._fonts = (big, small)
        self._figure_font(self.figure is None or self.figure.enough_data or self.figure.level is not None)
        if self.gauge is not None:
            self.gauge.set_thickness(round(QFontMetrics(small).height() * 0.6))

    def _figure_font(self, a_figure: bool) -> None:
        """A figure in the large font; "not enough data" (words, not a figure) in the small one, so it fits."""
        if self._fonts is not None:
            font = self._fonts[0] if a_figure else self._fonts[1]
            if self.value.font() != font:
                self.value.setFont(font)

    def set_headline(self, headline: bool) -> None:
        """A headline card shows its name, its figure and its gauge: the day's key figures at a glance."""
        for lab in (self.target, self.change_day, self.change_year):
            lab.setVisible(not headline)


class _Chart(QWidget):
    """A caption (plain text) over a non-interactive PlotWidget that repaints from its last frame until its scene
    changes (FramedPlotWidget)."""

    def __init__(self, caption: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.caption = plain_label(caption)
        self.caption.setStyleSheet(f"color: {theme.TEXT_DIM.name()}; background: transparent;")
        self.plot = FramedPlotWidget(background=theme.PANEL)
        self.plot.setAntialiasing(False)
        pi = self.plot.getPlotItem()
        pi.setMenuEnabled(False)
        pi.hideButtons()
        pi.setMouseEnabled(False, False)
        pi.layout.setContentsMargins(2, 2, 6, 2)
        for ax in ("left", "bottom"):
            axis = pi.getAxis(ax)
            axis.setPen(_pen(theme.PANEL_BORDER))
            axis.setTextPen(_pen(theme.TEXT_DIM))
        col = QVBoxLayout(self)
        col.setContentsMargins(0, 0, 0, 0)
        col.setSpacing(2)
        col.addWidget(self.caption)
        col.addWidget(self.plot, 1)

    @property
    def item(self) -> pg.PlotItem:
        return self.plot.getPlotItem()

    def scale(self, points: int, small_points: int) -> None:
        f = QFont(self.font())
        f.setPointSize(small_points)
        self.caption.setFont(f)
        for ax in ("left", "bottom"):
            self.item.getAxis(ax).setStyle(tickFont=f)


class RankingChart(_Chart):
    """Horizontal bars, largest on top; a click on a bar emits its key."""

    bar_clicked = Signal(str)

    def __init__(self, caption: str, colour: QColor, parent: QWidget | None = None, *, x_max: float | None = None,
                 unit: str = ""):
        super().__init__(caption, parent)
        self.colour = colour
        self.x_max = x_max
        self.unit = unit
        self.keys: list[str] = []
        self.values: list[float] = []
        self._labels: list[str] = []
        self.bars = pg.BarGraphItem(x0=[], y=[], height=0.7, width=[], brush=colour, pen=_pen(colour))
        self.item.addItem(self.bars)
        self.item.invertY(True)
        self.item.hideAxis("bottom")              # each bar's value is in its label
        self.plot.scene().sigMouseClicked.connect(self._on_click)

    def set_items(self, items: list[tuple[str, str, float]]) -> None:
        """(key, display name, value), largest first."""
        self.keys = [k for k, _, _ in items]
        self.values = [v for _, _, v in items]
        ys = list(range(len(items)))
        self.bars.setOpts(x0=[0] * len(items), y=ys, height=0.7, width=self.values)
        decimals = 1 if self.unit == "%" else 0
        self._labels = [f"{fmt.feed_text(name)} {fmt.number(v, decimals)}{self.unit}" for _, name, v in items]
        self._fit_labels()
        top = self.x_max or max(self.values, default=1.0) or 1.0
        self.item.setXRange(0, top * 1.05, padding=0)
        self.item.setYRange(-0.6, max(len(items), 1) - 0.4, padding=0)

    def scale(self, points: int, small_points: int) -> None:
        super().scale(points, small_points)
        self._fit_labels()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit_labels()

    def _fit_labels(self) -> None:
        """Size the label axis to its longest label (at most 45 % of the chart), eliding beyond.

        pyqtgraph silently drops a tick label wider than its axis: at a wall's font the grid ranking showed two
        names of eight.
        """
        axis = self.item.getAxis("left")
        fm = QFontMetrics(axis.style.get("tickFont") or axis.font())
        room = max(60, int(self.width() * 0.45)) if self.width() > 0 else 240
        pad = max(0, axis.style["tickLength"]) + axis.style["tickTextOffset"][0] + 8
        text_room = room - pad
        shown = [fm.elidedText(t, Qt.TextElideMode.ElideMiddle, text_room) for t in self._labels]
        axis.setWidth(min(room, max((fm.horizontalAdvance(t) for t in shown), default=0) + pad))
        axis.setTicks([list(enumerate(shown))])

    def click_bar(self, index: int) -> None:
        if 0 <= index < len(self.keys):
            self.bar_clicked.emit(self.keys[index])

    def _on_click(self, ev) -> None:
        if ev.button() != Qt.MouseButton.LeftButton:
            return
        vb = self.item.getViewBox()
        if not vb.sceneBoundingRect().contains(ev.scenePos()):
            return
        p: QPointF = vb.mapSceneToView(ev.scenePos())
        i = round(p.y())
        if 0 <= i < len(self.keys) and 0 <= p.x() <= self.values[i] * 1.05 + 1e-9:
            self.click_bar(i)

    def bar_centre(self, index: int) -> QPointF:
        """Where bar `index` is drawn, in the plot widget's coordinates (for tests)."""
        vb = self.item.getViewBox()
        scene = vb.mapViewToScene(QPointF(self.values[index] / 2, index))
        return QPointF(self.plot.mapFromScene(scene))


#: Past records (updated over an hour before now) arriving after the last refresh that make the figures stale
#: at once: a backend's history, when a wall connects; live updates wait for the next refresh.
HISTORY_BATCH = 100


class KpiTile(Tile):
    kind = "kpis"
    kpi_activated = Signal(str)      # "<kpi name>:<key>"

    def __init__(self, live: LiveState, feed: KpiFeed, *, title: str = "", feeds: list[str] | None = None,
                 cards: tuple[str, ...] | list[str] = (), headline: bool = False, parent: QWidget | None = None):
        super().__init__(live, title or (self.tr("今日要情") if headline else self.tr("运行指标")), feeds=feeds,
                         parent=parent)
        self.feed = feed
        feed.setParent(self)
        #: a headline strip: the cards' names, figures and gauges in one row, no charts (the same KPI path)
        self.headline = headline
        self._history_seen = 0
        unsubscribe = live.on_change(self._on_change)
        self.destroyed.connect(lambda *_: unsubscribe())
        self.cards = [KpiCard(ALL_CARDS[k]) for k in (cards or (HEADLINE_CARDS if headline else DEFAULT_CARDS))]
        # more than CARDS_PER_ROW cards go on two rows: ten cards of a wall's font side by side would claim more
        # than half a 4K panel and squeeze the tiles beside this one
        row = QGridLayout()
        row.setSpacing(6)
        per_row = len(self.cards) if len(self.cards) <= CARDS_PER_ROW or headline else -(-len(self.cards) // 2)
        for i, c in enumerate(self.cards):
            row.addWidget(c, i // per_row, i % per_row)
        for col in range(per_row):
            row.setColumnStretch(col, 1)
        self.status = plain_label()
        self.status.setStyleSheet(f"color: {theme.TEXT_DIM.name()}; background: transparent;")
        _shrinkable(self.status)
        # 今日 / 本月 / 今年以来: one period for every card of the tile
        self.period_buttons: dict[str, QPushButton] = {}
        group = QButtonGroup(self)
        group.setExclusive(True)
        periods = QHBoxLayout()
        periods.setSpacing(4)
        for p in DK.PERIODS:
            b = QPushButton(period_label(p))
            b.setCheckable(True)
            b.setChecked(p == feed.period)
            b.setFlat(True)
            b.clicked.connect(lambda _c=False, p=p: self.set_period(p))
            group.addButton(b)
            periods.addWidget(b)
            self.period_buttons[p] = b
        periods.addWidget(self.status, 1)
        self.trend = _Chart(self.tr("每小时事件数  ━ 今日  ┅ 昨日"))
        self.today_curve = self.trend.item.plot([], [], pen=_pen(theme.ACCENT), symbol="o", symbolSize=4,
                                                symbolBrush=theme.ACCENT, symbolPen=None)
        self.yesterday_curve = self.trend.item.plot([], [], pen=_pen(theme.TEXT_DIM, Qt.PenStyle.DashLine))
        self.completion = _Chart(self.tr("办结率（当日累计，%）"))
        self.completion_curve = self.completion.item.plot([], [], pen=_pen(theme.KPI_COMPLETION), symbol="s", symbolSize=4, symbolBrush=theme.TEXT, symbolPen=None)
        self.completion.item.setYRange(0, 100, padding=0.02)
        self.levels = RankingChart(self.tr("化解层级占比"), theme.KPI_RESOLUTION_LEVELS, x_max=100, unit="%")
        self.levels.bar_clicked.connect(lambda key: self.kpi_activated.emit(f"resolution_level_share:{key}"))
        self.one_ten_twenty = plain_label()
        self.one_ten_twenty.setStyleSheet(f"color: {theme.TEXT_DIM.name()}; background: transparent;")
        self.categories = RankingChart(self.tr("类别排行"), theme.KPI_CATEGORIES)
        self.grids = RankingChart(self.tr("网格排行（前8）"), theme.KPI_GRIDS)
        self.categories.bar_clicked.connect(lambda key: self.kpi_activated.emit(f"events_per_category:{key}"))
        self.grids.bar_clicked.connect(lambda key: self.kpi_activated.emit(f"events_per_grid:{key}"))
        charts = QGridLayout()
        charts.setHorizontalSpacing(8)
        left = QVBoxLayout()
        left.addWidget(self.levels, 1)
        left.addWidget(self.one_ten_twenty)
        for i, w in enumerate((self.trend, self.completion)):
            charts.addWidget(w, 0, i)
        charts.addLayout(left, 0, 2)
        charts.addWidget(self.categories, 0, 3)
        charts.addWidget(self.grids, 0, 4)
        for i, s in enumerate((3, 3, 2, 3, 3)):
            charts.setColumnStretch(i, s)
        self.body.addLayout(row, 1 if headline else 0)
        self.body.addLayout(periods)
        self.body.addLayout(charts, 0 if headline else 1)
        if headline:
            for c in self.cards:
                c.set_headline(True)
            hidden: list[QWidget] = [*self.period_buttons.values(), self.trend, self.completion, self.levels,
                                     self.one_ten_twenty, self.categories, self.grids]
            for widget in hidden:
                widget.hide()
        for chart in (self.trend, self.completion):
            chart.item.getAxis("bottom").setTicks([[(h, f"{h}") for h in range(0, 24, 3)]])
            chart.item.setXRange(-0.5, 23.5, padding=0)
        feed.updated.connect(self.refresh)
        feed.failed.connect(lambda err: self.status.setText(f"⚠ {self.tr('指标读取失败')}: {err[:80]}"))
        self.refresh()

    def _on_change(self, change: Change) -> None:
        """Enough past records arrived (a backend's history) to refresh the figures now, not at the next tick."""
        if not change.incidents:
            return
        old = self.feed.clock() - timedelta(hours=1)
        self._history_seen += sum(1 for i in change.incidents if i.updated_at < old)
        if self._history_seen >= HISTORY_BATCH:
            self._history_seen = 0
            self.feed.refresh_soon()

    def stop(self) -> None:
        self.feed.stop()

    def set_period(self, period: str) -> None:
        """Show every card's figure for 今日, 本月 or 今年以来 (refreshed at once)."""
        self.feed.set_period(period)
        self.period_buttons[period].setChecked(True)

    def refresh(self) -> None:
        snap = self.feed.snapshot
        if snap.taken_at is not None:   # before the first read the cards keep their dashes
            for card in self.cards:
                card.show_figure(card_figure(card.spec, snap))
        node = self.live.territory.get(snap.node_id)
        where = node.name if node else self.tr("全域")
        when = fmt.hhmmss(snap.taken_at) if snap.taken_at else "—"
        self.status.setText(f"{where} · {period_label(snap.period)} · {self.tr('更新于')} {when}")
        xs_t = [h for h, v in enumerate(snap.hourly_today) if v is not None]
        self.today_curve.setData(xs_t, [snap.hourly_today[h] for h in xs_t])
        self.yesterday_curve.setData(list(range(24)), list(snap.hourly_yesterday))
        xs_c = [h for h, v in enumerate(snap.completion_by_hour) if v is not None]
        self.completion_curve.setData(xs_c, [snap.completion_by_hour[h] for h in xs_c])
        share = snap.detail("resolution_level_share")
        self.levels.set_items([(x.value, labels.name(x), share.get(x.value, 0.0)) for x in ResolutionLevel])
        d = snap.detail("one_ten_twenty_compliance")
        n = d.get("emergencies", 0)
        self.one_ten_twenty.setText(
            f"1-10-20: {self.tr('响应')} {fmt.number(d.get('response_met', 0))}/{fmt.number(n)} · "
            f"{self.tr('到场')} {fmt.number(d.get('arrival_met', 0))}/{fmt.number(n)} · "
            f"{self.tr('初情研判')} {fmt.number(d.get('assessment_met', 0))}/{fmt.number(n)}")
        known = {c.value for c in Category}
        cats = [(k, labels.name(Category(k)), v) for k, v in snap.ranking("events_per_category", 8) if k in known]
        self.categories.set_items(cats)
        grids = []
        for k, v in snap.ranking("events_per_grid", 8):
            g = self.live.territory.get(k)
            grids.append((k, g.name if g else self.tr("未知网格"), v))
        self.grids.set_items(grids)

    def apply_font_size(self, points: int) -> None:
        super().apply_font_size(points)
        small = theme.room_points(self, theme.TEXT_MIN_ARCMIN)
        for c in self.cards:
            c.scale(points, small)
        f = QFont(self.status.font())
        f.setPointSize(small)
        self.status.setFont(f)
        for b in self.period_buttons.values():
            b.setFont(f)
        self.one_ten_twenty.setFont(f)
        for chart in (self.trend, self.completion, self.levels, self.categories, self.grids):
            chart.scale(points, small)


def make_fetch(in_store: Callable, store) -> Callable:
    """The KpiFeed fetch for a store reached through `pipeline.in_store`."""
    from ..models.kpis import collect_async

    async def fetch(node_id, now, full, previous, period="today"):
        return await collect_async(in_store, store, node_id, now, completion_series=full, previous=previous,
                                   period=period)

    return fetch
