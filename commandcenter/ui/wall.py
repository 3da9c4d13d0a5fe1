"""The wall window: a header (title, clock), its pages (ui.pages), the alert banner, details and every feed's health."""
from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, cast

from PySide6.QtCore import QCoreApplication, QDate, QEvent, QLocale, QObject, QRect, Qt, QTime, QTimer, Signal
from PySide6.QtGui import QFont, QPainter, QPaintEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QMainWindow, QSizePolicy, QStatusBar, QVBoxLayout, QWidget

from ..config import FeedSection, PageSection, WallSection
from ..domain import FeedHealth
from ..services import Change, LiveState
from ..services.drills import DrillManager
from ..services.replay import ReplayController
from ..services.recorder_child import RecorderStatus
from . import format as fmt
from . import labels, theme
from .banner import AlertBanner
from .elided_label import ElidedLabel
from .noop import QT_TRANSLATE_NOOP
from .pages import PageStack, PageView, TileBuilder
from .tiles.base import Tile, keep_opaque, plain_label

if TYPE_CHECKING:    # the detail views (video, charts) are imported when the wall attaches them, not with the window
    from .details import DetailController, DetailPanel


FEED_KINDS = {      # a feed without a title is called what it carries
    "native": QT_TRANSLATE_NOOP("FeedHealthBar", "业务平台"),
    "open311": QT_TRANSLATE_NOOP("FeedHealthBar", "市民诉求"),
    "cap": QT_TRANSLATE_NOOP("FeedHealthBar", "预警发布"),
    "geojson": QT_TRANSLATE_NOOP("FeedHealthBar", "网格底图"),
    "shapefile": QT_TRANSLATE_NOOP("FeedHealthBar", "网格底图"),
    "mqtt": QT_TRANSLATE_NOOP("FeedHealthBar", "物联感知"),
    "cameras": QT_TRANSLATE_NOOP("FeedHealthBar", "视频监控"),
}


def feed_titles(feeds: Sequence[FeedSection]) -> dict[str, str]:
    """What the health bar calls each configured feed: its title, else its kind in the wall's language, with its
    name added where two untitled feeds are of one kind. A feed the config does not list (a follower's recorder
    runs it) keeps its name."""
    kinds = [QCoreApplication.translate("FeedHealthBar", FEED_KINDS[f.kind]) for f in feeds]
    both = QCoreApplication.translate("FeedHealthBar", "{kind}（{name}）")
    return {f.name: f.title or (kind if kinds.count(kind) == 1 else both.format(kind=kind, name=f.name))
            for f, kind in zip(feeds, kinds, strict=True)}


def offset_text(offsets: dict[str, float]) -> str:
    """后端时钟偏差 38 秒（慢于本机）: the backends whose clock is off by more than a few seconds ("" if none)."""
    parts = []
    for feed, offset in offsets.items():
        if offset < 0:
            text = QCoreApplication.translate("FeedHealthBar", "后端时钟偏差 {s} 秒（慢于本机）")
        else:
            text = QCoreApplication.translate("FeedHealthBar", "后端时钟偏差 {s} 秒（快于本机）")
        text = text.format(s=round(abs(offset)))
        parts.append(f"{feed}: {text}" if len(offsets) > 1 else text)
    return "  ·  ".join(parts)


class FeedHealthBar(QStatusBar):
    """One entry per feed: symbol, name, state and the time of its last good message; a backend clock offset
    beyond a few seconds and an alarm that cannot sound, as warnings at the left."""

    def __init__(self, live: LiveState, parent: QWidget | None = None):
        super().__init__(parent)
        self.live = live
        self._labels: dict[str, QLabel] = {}
        self._recorder_label: QLabel | None = None
        self.setSizeGripEnabled(False)
        self.warning = plain_label()      # clock offset, alarm unavailable
        self.warning.setObjectName("wallWarning")
        self.warning.setStyleSheet(f"color: {theme.WARNING_TEXT.name()}; font-weight: bold; padding: 0 12px;")
        self.warning.hide()
        self.addWidget(self.warning)
        self.offset_source: Callable[[], dict[str, float]] | None = None
        self.alarm_source: Callable[[], str] | None = None
        self.wall_time: Callable[[datetime], datetime] | None = None    # local receipt times on the wall's clock
        self.titles: dict[str, str] = {}                                # feed name → what the bar calls it (set_titles)
        self._shown: dict[str, FeedHealth] = {}
        self._timer = QTimer(self, interval=1000)
        self._timer.timeout.connect(self.refresh_warnings)
        self._timer.start()
        self._unsubscribe = live.on_change(self._on_change)
        self.destroyed.connect(lambda *_: self._unsubscribe())

    def refresh_warnings(self) -> None:
        parts = [offset_text(self.offset_source())] if self.offset_source is not None else []
        if self.alarm_source is not None:
            parts.append(self.alarm_source())
        text = "  ·  ".join(p for p in parts if p)
        if text != self.warning.text():
            self.warning.setText(f"⚠ {text}" if text else "")
        self.warning.setVisible(bool(text))

    def _on_change(self, change: Change) -> None:
        for h in change.health:
            self.show_health(h)

    def set_titles(self, titles: dict[str, str]) -> None:
        """What to call each feed (feed_titles); the feeds already shown are shown again under their titles."""
        self.titles = dict(titles)
        for h in list(self._shown.values()):
            self.show_health(h)
        self.refresh_warnings()

    def show_health(self, h: FeedHealth) -> None:
        self._shown[h.feed] = h
        label = self._labels.get(h.feed)
        if label is None:
            label = self._labels[h.feed] = plain_label()
            label.setFont(self.font())   # the bar's font is sized for the room; a feed seen later takes it too
            self.addPermanentWidget(label)
        at = self.wall_time(h.last_ok_at) if h.last_ok_at and self.wall_time is not None else h.last_ok_at
        last = fmt.hhmmss(at) if at else "—"
        text = f"{theme.FEED_SYMBOLS[h.state]} {self.titles.get(h.feed, h.feed)}: {labels.name(h.state)} · {last}"
        label.setText(text)
        # the transport's own error (English, technical) is for whoever services the feed, not the wall's words
        label.setToolTip(h.last_error[:300] if h.last_error and h.state.value != "live" else "")
        label.setStyleSheet(f"color: {theme.FEED_COLOURS[h.state].name()}; padding: 0 12px;")

    def show_recorder(self, status: RecorderStatus) -> None:
        """The wall's own recorder process (services/recorder_child.py), shown like a feed: its state, how often
        it was restarted and since when; its last exit status and why it failed in the tooltip."""
        label = self._recorder_label
        if label is None:
            label = self._recorder_label = plain_label()
            label.setObjectName("recorderHealth")
            label.setFont(self.font())
            self.addPermanentWidget(label)
        state = status.feed_state
        parts = [f"{theme.FEED_SYMBOLS[state]} {self.tr('记录进程')}: {labels.name(status.state)}"]
        if status.restarts:
            parts.append(self.tr("重启 {n} 次").format(n=status.restarts))
        if status.since is not None:
            parts.append(fmt.hhmmss(self.wall_time(status.since) if self.wall_time is not None else status.since))
        label.setText(" · ".join(parts))
        tip = [self.tr("上次退出码 {code}").format(code=status.last_exit_code)] if status.last_exit_code is not None else []
        label.setToolTip("\n".join(tip + ([status.reason[:300]] if status.reason else [])))
        label.setStyleSheet(f"color: {theme.FEED_COLOURS[state].name()}; padding: 0 12px;")

    def recorder_text(self) -> str:
        return self._recorder_label.text() if self._recorder_label is not None else ""

    def text_of(self, feed: str) -> str:
        label = self._labels.get(feed)
        return label.text() if label else ""


def locale_date_time(dt: datetime) -> str:
    """The header clock in the wall language's format: 2026年11月23日星期一 17:03:04 / Monday, November 23, 2026 17:03:04."""
    t = fmt.local(dt)
    loc = QLocale()
    return (loc.toString(QDate(t.year, t.month, t.day), QLocale.FormatType.LongFormat) + " "
            + loc.toString(QTime(t.hour, t.minute, t.second), "HH:mm:ss"))


def wall_title(wall: WallSection) -> str:
    """The wall's title as its header shows it: a demo's extra events named in the wall's language."""
    if wall.demo_extra_events_per_s <= 0:
        return wall.title
    return QCoreApplication.translate("WallHeader", "{title}（演示附加事件 +{rate}/秒）").format(
        title=wall.title, rate=f"{wall.demo_extra_events_per_s:g}")


class WallHeader(QWidget):
    def __init__(self, title: str, clock: Callable[[], datetime], parent: QWidget | None = None):
        super().__init__(parent)
        self._clock = clock
        # sized for the room, a long title ends in "…" at the clock (whole in its tooltip) rather than widen the window
        self.title = ElidedLabel()
        self.title.set_full_text(title)
        self.clock_label = plain_label()
        self.clock_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.duty_label = plain_label()   # the duty roster: who is on duty now
        self.duty_label.setObjectName("dutyRoster")
        self.duty_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.duty_label.setMinimumWidth(1)   # never widen the window past its screen
        self.duty_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.duty_label.hide()
        row = QHBoxLayout(self)
        row.setContentsMargins(16, 6, 16, 6)
        row.addWidget(self.title, 2)          # the title and the roster share what the clock leaves
        row.addWidget(self.duty_label, 3)
        row.addSpacing(24)
        row.addWidget(self.clock_label)
        self._timer = QTimer(self, interval=1000)
        self._timer.timeout.connect(self.tick)
        self._timer.start()
        self.tick()

    def tick(self) -> None:
        now = self._clock()
        self.clock_label.setText(locale_date_time(now))
        if self.duty_source is not None:
            self.set_duty(self.duty_source(now))

    duty_source: Callable[[datetime], str] | None = None

    def set_duty(self, text: str) -> None:
        if text != self.duty_label.text():
            self.duty_label.setText(text)
        self.duty_label.setVisible(bool(text))

    def scale(self, points: int) -> None:
        f = QFont(self.title.font())
        f.setPointSize(round(points * 1.25))
        f.setBold(True)
        self.title.setFont(f)
        f2 = QFont(self.clock_label.font())
        f2.setPointSize(points)
        self.clock_label.setFont(f2)
        f3 = QFont(self.duty_label.font())
        f3.setPointSize(points)
        self.duty_label.setFont(f3)


class _FirstPaint(QObject):
    """Sees the first Paint event of a window's widgets, then reports it once the paint pass is over."""

    def __init__(self, window: WallWindow):
        super().__init__(window)
        self._window = window

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.Paint:
            obj.removeEventFilter(self)
            # runs when this paint pass (the whole frame) is done; dropped if the window is deleted first
            QTimer.singleShot(0, self._window, self._window._painted)
        return False


class WallWindow(QMainWindow):
    """A wall surface. Issue-7 screens map several of these onto QScreens."""

    closed = Signal()
    first_painted = Signal()   # once: the window's first frame has been painted

    def __init__(self, title: str, live: LiveState, page: PageSection | PageStack, build: TileBuilder,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC), *,
                 drills: DrillManager | None = None, replay: ReplayController | None = None):
        """`page`: one page (built here with `build`) or a PageStack of rotating pages. `drills`, `replay`: the
        wall's, for the drill and replay banners (None: the banners stay hidden)."""
        super().__init__()
        self.setWindowTitle(title)
        self.live = live
        self.wall_key = ""                      # the window's key in WallApp.windows
        self.exit_prompt: QWidget | None = None   # the kiosk's quit confirmation (ui.kiosk.install_quit_keys)
        self.header = WallHeader(title, clock)
        self.page_view: PageView | PageStack = page if isinstance(page, PageStack) else PageView(page, build)
        centre = QWidget()
        centre.setObjectName("wallCentre")   # transparent (theme): the window has painted the background
        column = QVBoxLayout(centre)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self.header)
        from .drill_banner import attach_banners   # drill and replay banners under the header
        self.drill_banner, self.replay_banner = attach_banners(column, drills, replay)
        column.addWidget(self.page_view, 1)
        self.setCentralWidget(centre)
        self._centre = centre
        self.health_bar = FeedHealthBar(live)
        self.setStatusBar(self.health_bar)
        self.painted_once = False
        # the window paints its background itself, once, where no opaque tile covers it (paintEvent)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, True)
        # Every frame paints the header (the clock ticks, and it spans the window): its first Paint is the window's.
        self.header.installEventFilter(_FirstPaint(self))

    def _painted(self) -> None:
        if not self.painted_once:
            self.painted_once = True
            self.first_painted.emit()

    def tiles(self) -> list[Tile]:
        return self.page_view.tiles

    # --- the alert banner and the detail overlay ---------------------------------------------
    details: DetailController | None = None      # set by the wall (ui.app.WallApp)
    detail_widget: DetailPanel | None = None
    banner: AlertBanner | None = None

    def _column(self) -> QVBoxLayout:
        layout = self._centre.layout()
        assert isinstance(layout, QVBoxLayout), "the central widget is laid out in one column"
        return layout

    def set_banner(self, widget: AlertBanner) -> None:
        """The wall-wide alert banner, right under the header, across the whole window."""
        if self.banner is not None:
            self.banner.setParent(None)
        self.banner = widget
        self._column().insertWidget(1, widget)

    def show_detail(self, kind: str, record_id: str) -> None:
        """One-click details (WallApp.open_details): the controller builds the panel and calls place_detail."""
        if self.details is not None:
            self.details.open(kind, record_id)

    def place_detail(self, widget: DetailPanel) -> None:
        """Show `widget` over the right part of the page area (replacing the previous detail panel)."""
        if self.detail_widget is not None and self.detail_widget is not widget:
            self.detail_widget.hide()
            self.detail_widget.deleteLater()
        self.detail_widget = widget
        widget.setParent(self._centre)
        own = self.layout()        # the page area's real geometry, even before a first show
        if own is not None:
            own.activate()
        self._column().activate()
        self._place_detail()
        widget.show()
        widget.raise_()

    def _place_detail(self) -> None:
        w = self.detail_widget
        if w is None:
            return
        area = self.page_view.geometry()
        width = max(360, int(area.width() * 0.42))
        w.setGeometry(area.right() - width - 12, area.top() + 12, width, max(200, area.height() - 24))
        w.scale(theme.room_points(self))

    def event(self, event: QEvent) -> bool:
        handled = super().event(event)
        keep_opaque(self, event)
        return handled

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt naming)
        """The style sheet's background, filled once: not Qt's root fill and the styled panel over it, and not
        under the tiles (opaque: the region Qt passes leaves them out)."""
        painter = QPainter(self)
        for rect in cast(Iterable[QRect], event.region()):      # iterable at run time; the stubs do not say so
            painter.fillRect(rect, theme.BACKGROUND)
        painter.end()

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        points = theme.room_points(self)
        self.header.scale(points)
        f = QFont(self.health_bar.font())
        f.setPointSize(theme.room_points(self, theme.TEXT_MIN_ARCMIN))
        self.health_bar.setFont(f)
        for label in self.health_bar.findChildren(QLabel):
            label.setFont(f)
        if self.banner is not None:
            self.banner.scale(points)
        self.drill_banner.scale(points)    # under the header, read at the header's distance
        self.replay_banner.scale(points)
        QTimer.singleShot(0, self._place_detail)   # after the central layout has followed the resize

    def closeEvent(self, event) -> None:  # noqa: N802
        self.closed.emit()
        super().closeEvent(event)
