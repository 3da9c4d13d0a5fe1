"""One-click details on the wall: incident, alert, grid, resource or KPI.

`DetailController.open(kind, id)` shows a `DetailPanel` at once from the live state, then completes it with
what `services.details.DetailSource` reads: the store first (an incident with its timeline, KPIs, the records
behind a KPI, on the store's threads), then the backend (`feeds.details`) for what the store lacks, and the
photos (one shared media client, cached, size-capped). Each kind's rendering is its `DETAIL_RENDERERS` entry.

Every feed string is plain text (`plain_label`); links open only for http/https, after the operator
confirms in a non-modal box.
"""
from __future__ import annotations

import asyncio
import dataclasses
from dataclasses import dataclass
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta, UTC
from typing import Any, TypeVar

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, QPointF, QRectF, Qt, QUrl, Signal
from PySide6.QtGui import QBrush, QColor, QDesktopServices, QFont, QImage, QMouseEvent, QPainter, QPen, QPixmap, QPolygonF
from PySide6.QtWidgets import (
    QFrame, QHBoxLayout, QLabel, QMessageBox, QPushButton, QScrollArea, QVBoxLayout, QWidget,
)

from .noop import QT_TRANSLATE_NOOP
from ..domain import (
    Alert, Category, Incident, ResolutionLevel, Resource, SignalKind, TerritoryLevel, TerritoryNode, deadline_state,
    one_ten_twenty, signal_kind,
)
from ..domain.text import display_text
from ..feeds.base import safe_url
from ..feeds.details import BackendProblem, fetch_bytes
from ..feeds.transport import MediaPolicy, media_ssl_context
from ..services import Change, LiveState
from ..services.details import ClientFactory, DetailSource, InStore
from ..store import Store
from ..services.drills import DrillManager
from . import format as fmt
from . import labels, theme
from .models.alerts import guidance_for
from .models.kpis import ALL_CARDS, card_label, day_start, value_text
from .models.resources import quantity_text, status_text
from .tiles.base import plain_label
from .camera_details import place_of_grid, render_camera, render_near_cameras
from .video import CameraPlayer
from ..services.cameras import CameraDirectory

log = logging.getLogger(__name__)

PHOTO_MAX_BYTES = 4 * 1024 * 1024
PHOTO_CACHE_ENTRIES = 48
PHOTO_MAX_PX = 360
RECORDS_SHOWN = 50
#: The grids a warning names that its panel lists by name; the rest are a count (the map shows them all).
GRIDS_SHOWN = 5

#: The panel's title per kind of record: the record's own name follows in the panel, never its id.
PANEL_TITLES = {"incident": QT_TRANSLATE_NOOP("DetailController", "事件详情"),
                "alert": QT_TRANSLATE_NOOP("DetailController", "预警详情"),
                "grid": QT_TRANSLATE_NOOP("DetailController", "网格详情"),
                "resource": QT_TRANSLATE_NOOP("DetailController", "资源详情"),
                "kpi": QT_TRANSLATE_NOOP("DetailController", "指标详情"),
                "sensor": QT_TRANSLATE_NOOP("DetailController", "设备详情"),
                "camera": QT_TRANSLATE_NOOP("DetailController", "监控视频")}
#: An alert's panel says which of the three kinds of signal it is.
SIGNAL_TITLES = {SignalKind.WARNING: QT_TRANSLATE_NOOP("DetailController", "预警详情"),
                 SignalKind.ALARM: QT_TRANSLATE_NOOP("DetailController", "告警详情"),
                 SignalKind.SUPERVISION: QT_TRANSLATE_NOOP("DetailController", "督办详情")}
#: The indicators a KPI detail can be opened on, in the centres' words (the engine's names are internal keys).
KPI_NAMES = {"events": QT_TRANSLATE_NOOP("DetailController", "事件数"),
             "disposal_rate": QT_TRANSLATE_NOOP("DetailController", "处置率"),
             "completion_rate": QT_TRANSLATE_NOOP("DetailController", "办结率"),
             "closed_loop_rate": QT_TRANSLATE_NOOP("DetailController", "闭环管理率"),
             "on_the_spot_rate": QT_TRANSLATE_NOOP("DetailController", "现场化解率"),
             "one_ten_twenty_compliance": QT_TRANSLATE_NOOP("DetailController", "1-10-20达标率"),
             "avg_acceptance_time": QT_TRANSLATE_NOOP("DetailController", "平均受理时长"),
             "avg_arrival_time": QT_TRANSLATE_NOOP("DetailController", "平均到场时长"),
             "satisfaction": QT_TRANSLATE_NOOP("DetailController", "群众满意率"),
             "resolution_level_share": QT_TRANSLATE_NOOP("DetailController", "化解层级占比"),
             "events_per_category": QT_TRANSLATE_NOOP("DetailController", "各类别事件数"),
             "events_per_grid": QT_TRANSLATE_NOOP("DetailController", "各网格事件数")}
#: What the timeline calls each stamp of an incident without a timeline of its own.
# An incident's time stamps in the order they happen, shown when the record carries no timeline.
STAMP_NAMES: tuple[tuple[Callable[[Incident], datetime | None], str], ...] = (
    (lambda i: i.reported_at, QT_TRANSLATE_NOOP("DetailController", "上报")),
    (lambda i: i.accepted_at, QT_TRANSLATE_NOOP("DetailController", "受理")),
    (lambda i: i.dispatched_at, QT_TRANSLATE_NOOP("DetailController", "派遣")),
    (lambda i: i.arrived_at, QT_TRANSLATE_NOOP("DetailController", "到场")),
    (lambda i: i.assessed_at, QT_TRANSLATE_NOOP("DetailController", "初情研判")),
    (lambda i: i.closed_at, QT_TRANSLATE_NOOP("DetailController", "办结")),
    (lambda i: i.followed_up_at, QT_TRANSLATE_NOOP("DetailController", "回访")))
ACTION_NAMES = {"acknowledge": QT_TRANSLATE_NOOP("DetailController", "确认"),
                "shelve": QT_TRANSLATE_NOOP("DetailController", "搁置"),
                "escalate": QT_TRANSLATE_NOOP("DetailController", "升级")}


def _tr(text: str) -> str:
    return QCoreApplication.translate("DetailController", text)


def kpi_name(name: str) -> str:
    """An indicator's name in the centres' words (a KPI card's label when it is one); an indicator neither knows
    is just "指标"."""
    if name in ALL_CARDS:
        return card_label(ALL_CARDS[name])
    return _tr(KPI_NAMES.get(name, "指标"))


# --------------------------------------------------------------------------------------------- links
def is_web_url(url: str) -> bool:
    u = QUrl(url.strip())
    return u.isValid() and u.scheme().lower() in ("http", "https") and bool(u.host())


W = TypeVar("W", bound=QWidget)

class LinkGuard(QObject):
    """Opens http/https links after the operator confirms in a non-modal box; everything else is refused."""

    refused = Signal(str)
    opened = Signal(str)

    def __init__(self, parent: QObject | None = None, opener: Callable[[QUrl], bool] = QDesktopServices.openUrl):
        super().__init__(parent)
        self._opener = opener
        self.pending: QMessageBox | None = None

    def request(self, url: str, parent: QWidget | None = None) -> QMessageBox | None:
        if not is_web_url(url):
            self.refused.emit(url)
            return None
        box = QMessageBox(parent)
        box.setIcon(QMessageBox.Icon.Question)
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setWindowTitle(self.tr("打开链接"))
        box.setText(self.tr("在浏览器中打开以下链接？") + "\n" + url[:500])
        box.setStandardButtons(QMessageBox.StandardButton.Open | QMessageBox.StandardButton.Cancel)
        # Qt's own words for its standard buttons would stay English without Qt's translations: ours instead
        box.button(QMessageBox.StandardButton.Open).setText(self.tr("打开"))
        box.button(QMessageBox.StandardButton.Cancel).setText(self.tr("取消"))
        box.setWindowModality(Qt.WindowModality.NonModal)
        box.finished.connect(lambda result: self._done(url, result))
        self.pending = box
        box.show()          # non-modal, never exec(): no nested event loop inside the qasync loop
        return box

    def _done(self, url: str, result: int) -> None:
        self.pending = None
        if result == QMessageBox.StandardButton.Open and is_web_url(url):
            self._opener(QUrl(url))
            self.opened.emit(url)


# --------------------------------------------------------------------------------------------- photos
class PhotoCache:
    """Photos over a media client: only from the policy's origins (by default the feed's own), never from an
    address the policy refuses (the media client checks each connection's address), at most max_bytes,
    decoded off the GUI thread, LRU-cached. `refusals` keeps why the last refused URLs were not fetched."""

    def __init__(self, client: ClientFactory, *, policy: MediaPolicy,
                 max_bytes: int = PHOTO_MAX_BYTES, entries: int = PHOTO_CACHE_ENTRIES):
        self._client = client
        self.policy = policy
        self.max_bytes = max_bytes
        self.entries = entries
        self._cache: OrderedDict[str, QImage | None] = OrderedDict()
        self.refusals: OrderedDict[str, str] = OrderedDict()

    async def get(self, url: str) -> QImage | None:
        if url in self._cache:
            self._cache.move_to_end(url)
            return self._cache[url]
        image = await self._fetch(url)
        self._cache[url] = image
        while len(self._cache) > self.entries:
            self._cache.popitem(last=False)
        return image

    def _refuse(self, url: str, reason: str) -> None:
        log.info("photo %s not fetched: %s", safe_url(url), reason)
        self.refusals[url] = reason
        while len(self.refusals) > self.entries:
            self.refusals.popitem(last=False)

    async def _fetch(self, url: str) -> QImage | None:
        if not is_web_url(url):
            return None
        reason = self.policy.url_refusal(url)
        if reason is not None:
            self._refuse(url, reason)
            return None
        got = await fetch_bytes(self._client(), url, max_bytes=self.max_bytes)
        if got.refusal:
            self._refuse(url, got.refusal)
        if got.data is None:
            return None
        return await asyncio.to_thread(decode_photo, got.data)     # decoding and scaling: not on the GUI thread


def decode_photo(data: bytes) -> QImage | None:
    image = QImage.fromData(data)
    if image.isNull():
        return None
    if max(image.width(), image.height()) > PHOTO_MAX_PX:
        image = image.scaled(PHOTO_MAX_PX, PHOTO_MAX_PX, Qt.AspectRatioMode.KeepAspectRatio,
                             Qt.TransformationMode.SmoothTransformation)
    return image


# --------------------------------------------------------------------------------------------- mini map
class MiniMap(QWidget):
    """The grid's community (its sibling grids outlined, the grid filled) and a point marker."""

    def __init__(self, nodes: list[TerritoryNode], focus: str, point: tuple[float, float] | None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.nodes = [n for n in nodes if len(n.polygon) >= 3]
        self.focus = focus
        self.point = point
        self.setMinimumHeight(180)

    def paintEvent(self, event) -> None:  # noqa: N802
        p = QPainter(self)
        p.fillRect(self.rect(), theme.BACKGROUND)
        pts = [pt for n in self.nodes for pt in n.polygon] + ([self.point] if self.point else [])
        if not pts:
            p.setPen(theme.TEXT_DIM)
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "—")
            return
        xs, ys = [q[0] for q in pts], [q[1] for q in pts]
        x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
        w, h = max(x1 - x0, 1e-6), max(y1 - y0, 1e-6)
        r = QRectF(self.rect()).adjusted(8, 8, -8, -8)
        k = min(r.width() / w, r.height() / h)
        ox = r.left() + (r.width() - w * k) / 2
        oy = r.top() + (r.height() - h * k) / 2

        def to(pt) -> QPointF:
            return QPointF(ox + (pt[0] - x0) * k, oy + (y1 - pt[1]) * k)

        for n in self.nodes:
            poly = QPolygonF([to(q) for q in n.polygon])
            focus = n.id == self.focus
            p.setBrush(QBrush(QColor("#2a7f78") if focus else QColor("#13233f")))
            p.setPen(QPen(theme.ACCENT if focus else theme.PANEL_BORDER, 1))
            p.drawPolygon(poly)
        if self.point:
            c = to(self.point)
            p.setPen(QPen(QColor("#ffffff"), 1))
            p.setBrush(QBrush(QColor("#ff3b3b")))
            p.drawEllipse(c, 6, 6)


# --------------------------------------------------------------------------------------------- panel
class _ClickRow(QLabel):
    clicked = Signal()

    def mouseReleaseEvent(self, ev: QMouseEvent) -> None:  # noqa: N802
        if ev.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit()
        super().mouseReleaseEvent(ev)


class DetailPanel(QFrame):
    """The detail card shown on the wall. Content is added as plain-text rows."""

    closed = Signal()
    open_requested = Signal(str, str)      # kind, id: a row inside the panel points elsewhere
    link_requested = Signal(str)

    def __init__(self, kind: str, record_id: str, title: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.kind = kind
        self.record_id = record_id
        self.setObjectName("detailPanel")
        self.setStyleSheet(f"QFrame#detailPanel {{ background: {theme.PANEL.name()}; border: 2px solid "
                           f"{theme.ACCENT.name()}; border-radius: 8px; }} QLabel {{ background: transparent; }}")
        self.title = plain_label(title)
        self.title.setWordWrap(True)
        self.title.setStyleSheet(f"color: {theme.ACCENT.name()};")   # no font in style sheets: scale() sets fonts
        self.state = plain_label("")
        self.state.setStyleSheet(f"color: {theme.TEXT_DIM.name()};")
        close = QPushButton(self.tr("✕ 关闭"))
        close.clicked.connect(self.close_panel)
        self.close_button = close
        head = QHBoxLayout()
        head.addWidget(self.title, 1)
        head.addWidget(self.state)
        head.addWidget(close)
        self._content = QWidget()
        self._rows = QVBoxLayout(self._content)
        self._rows.setContentsMargins(0, 0, 0, 0)
        self._rows.setSpacing(3)
        self._rows.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameStyle(0)
        scroll.setWidget(self._content)
        col = QVBoxLayout(self)
        col.setContentsMargins(12, 10, 12, 10)
        col.addLayout(head)
        col.addWidget(scroll, 1)
        self._points = theme.BASE_POINT_SIZE
        self._font: QFont | None = None
        self._sections: dict[str, list[QWidget]] = {}
        self._insert_at: dict[str, int] = {}
        self._current = "main"

    # --- building -----------------------------------------------------------------------------
    def _add(self, w: W) -> W:
        if self._font is not None:          # rows added after scale() get the scaled font too
            bold = QFont(self._font)
            bold.setBold(True)
            w.setFont(bold if w.property("heading") else self._font)
        at = self._insert_at.get(self._current)
        if at is None:
            self._rows.insertWidget(self._rows.count() - 1, w)
        else:                                   # a re-rendered section keeps its place in the panel
            self._rows.insertWidget(at, w)
            self._insert_at[self._current] = at + 1
        self._sections.setdefault(self._current, []).append(w)
        return w

    def section(self, name: str) -> None:
        """Rows added next belong to `name`; `clear_section(name)` removes them (for re-rendering in place)."""
        self._current = name

    def clear_section(self, name: str) -> None:
        widgets = self._sections.pop(name, [])
        self._insert_at.pop(name, None)
        if widgets:
            self._insert_at[name] = self._rows.indexOf(widgets[0])
        for w in widgets:
            self._rows.removeWidget(w)
            w.setParent(None)
            w.deleteLater()

    def heading(self, text: str) -> QLabel:
        lab = plain_label(text)
        lab.setStyleSheet(f"color: {theme.ACCENT.name()}; padding-top: 6px;")
        lab.setProperty("heading", True)
        return self._add(lab)

    def field(self, name: str, value: str, colour: QColor | None = None) -> QLabel:
        lab = plain_label(self.tr("{name}：{value}").format(name=name, value=value))
        lab.setWordWrap(True)
        if colour is not None:
            lab.setStyleSheet(f"color: {colour.name()};")
        return self._add(lab)

    def line(self, text: str, colour: QColor | None = None) -> QLabel:
        lab = plain_label(text)
        lab.setWordWrap(True)
        if colour is not None:
            lab.setStyleSheet(f"color: {colour.name()};")
        return self._add(lab)

    def link_row(self, text: str, kind: str, record_id: str) -> QLabel:
        lab = _ClickRow()
        lab.setTextFormat(Qt.TextFormat.PlainText)
        lab.setText(f"➤ {display_text(text)}")
        lab.setCursor(Qt.CursorShape.PointingHandCursor)
        lab.setStyleSheet("color: #9fd0ff;")
        lab.clicked.connect(lambda: self.open_requested.emit(kind, record_id))
        lab.setProperty("target", f"{kind}:{record_id}")
        return self._add(lab)

    def url_row(self, text: str, url: str) -> QPushButton:
        button = QPushButton(f"➤ {display_text(text)}")
        button.clicked.connect(lambda: self.link_requested.emit(url))
        button.setProperty("url", url)
        return self._add(button)

    def widget(self, w: QWidget) -> QWidget:
        return self._add(w)

    def set_state(self, text: str) -> None:
        self.state.setText(text)

    def close_panel(self) -> None:
        self.hide()
        self.closed.emit()

    # --- reading (tests, console) -----------------------------------------------------------
    def widgets(self) -> list[QWidget]:
        """The panel's rows in the order they are shown."""
        out = []
        for i in range(self._rows.count()):
            item = self._rows.itemAt(i)
            w = item.widget() if item is not None else None
            if w is not None:
                out.append(w)
        return out

    def texts(self) -> list[str]:
        return [self.title.text()] + [w.text() for w in self.widgets() if isinstance(w, (QLabel, QPushButton))]

    def text(self) -> str:
        return "\n".join(self.texts())

    def labels(self) -> list[QLabel]:
        return [w for w in self.widgets() if isinstance(w, QLabel)]

    def scale(self, points: int) -> None:
        self._points = points
        f = QFont(self.font())
        f.setPointSize(points)
        self._font = f
        self.setFont(f)
        bold = QFont(f)
        bold.setBold(True)
        for w in self._content.findChildren(QWidget):
            w.setFont(bold if w.property("heading") else f)
        t = QFont(f)
        t.setPointSize(round(points * 1.3))
        t.setBold(True)
        self.title.setFont(t)


# --------------------------------------------------------------------------------------------- controller
class DetailController(QObject):
    """Opens details on the wall: live state first (immediately), then the store, then the backend."""

    opened = Signal(str, str)              # kind, id: the panel is on the wall
    completed = Signal(str, str, str)      # kind, id, stage ("store" | "backend")

    def __init__(self, live: LiveState, show: Callable[[DetailPanel], None], *, in_store: InStore | None = None,
                 store: Store | None = None, feed_url: str = "", client: ClientFactory | None = None,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC),
                 limits: dict[Category, timedelta] | None = None, guidance: dict[str, str] | None = None,
                 alert_actions: Any = None, node_id: str = "", media: MediaPolicy | None = None,
                 media_client: ClientFactory | None = None, drills: DrillManager | None = None,
                 cameras: CameraDirectory | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self.live = live
        self.drills = drills
        self.cameras = cameras
        self._video: CameraPlayer | None = None      # the camera playing in the panel
        self._show = show
        # photos come only from the feed's origin unless the config allows more (feeds.transport.MediaPolicy)
        self.media = media if media is not None else MediaPolicy.for_feed(feed_url.rstrip("/"))
        self.source = DetailSource(in_store=in_store, store=store, feed_url=feed_url, client=client,
                                   media=self.media, media_client=media_client)
        self.feed_url = self.source.feed_url
        self.clock = clock
        self.limits = limits
        self.guidance = dict(guidance or {})
        self.alert_actions = alert_actions
        self.node_id = node_id
        self.photos = PhotoCache(self.source.media_client, policy=self.media)
        self.links = LinkGuard(self)
        self.panel: DetailPanel | None = None
        self._task: asyncio.Task | None = None
        self.timings: dict[str, float] = {}
        self._shown_incident: Incident | None = None
        self._unsubscribe = live.on_change(self._on_live)
        self.destroyed.connect(lambda *_: self._unsubscribe())

    async def aclose(self) -> None:
        if self._task is not None:
            self._task.cancel()
        await self.source.aclose()

    # --- opening ----------------------------------------------------------------------------
    def open(self, kind: str, record_id: str) -> DetailPanel:
        t0 = time.perf_counter()
        if self._task is not None and not self._task.done():
            self._task.cancel()
        panel = DetailPanel(kind, record_id, self._title(kind, record_id))
        panel.open_requested.connect(self.open)
        panel.link_requested.connect(lambda url: self.links.request(url, panel))
        self.panel = panel
        panel.set_state(self.tr("读取中…"))
        self._render_live(panel, kind, record_id)
        self._show(panel)
        self.timings["live_ms"] = (time.perf_counter() - t0) * 1000
        self.opened.emit(kind, record_id)
        try:
            loop = asyncio.get_event_loop()
        except RuntimeError:
            loop = None
        if loop is not None and loop.is_running():
            self._task = loop.create_task(self._complete(panel, kind, record_id, t0))
        return panel

    async def complete(self, kind: str, record_id: str) -> DetailPanel:
        """Open and wait until the store and backend stages are done (tests, console)."""
        panel = self.open(kind, record_id)
        if self._task is None or self._task.done():
            await self._complete(panel, kind, record_id, time.perf_counter())
        else:
            await asyncio.shield(self._task)
        return panel

    def _title(self, kind: str, record_id: str) -> str:
        title = _tr(PANEL_TITLES.get(kind, "详情"))
        renderer = DETAIL_RENDERERS.get(kind)
        if renderer is not None and renderer.title is not None:
            return renderer.title(self, record_id) or title
        return title

    def alert_title(self, record_id: str) -> str:
        """A warning, alarm or supervision item by its signal kind ("" when it is no longer live)."""
        alert = self.live.alerts.get(record_id)
        return _tr(SIGNAL_TITLES[signal_kind(alert.type)]) if alert is not None else ""

    def kpi_title(self, record_id: str) -> str:
        """指标详情 · 各类别事件数 · 矛盾纠纷: names, never the engine's keys."""
        name, _, key = record_id.partition(":")
        parts = [_tr(PANEL_TITLES["kpi"]), kpi_name(name)] + ([self._key_name(name, key)] if key else [])
        return " · ".join(parts)

    def _render_live(self, panel: DetailPanel, kind: str, record_id: str) -> None:
        panel.section("live")
        renderer = DETAIL_RENDERERS.get(kind)
        if renderer is not None:
            renderer.live(self, panel, record_id)

    def render_live_incident(self, panel: DetailPanel, record_id: str) -> None:
        inc = self.live.incidents.get(record_id)
        if inc is not None:
            self.render_incident(panel, inc)
        else:
            panel.line(self.tr("实时数据中没有此事件，正在查询…"))

    def render_camera(self, panel: DetailPanel, record_id: str) -> None:
        self._show_video(render_camera(panel, self.cameras, record_id, self.clock, panel))

    def render_kpi(self, panel: DetailPanel, record_id: str) -> None:
        name, _, key = record_id.partition(":")
        panel.field(self.tr("指标"), kpi_name(name))
        if key:
            panel.field(self.tr("分项"), self._key_name(name, key))

    async def _stored_incident(self, panel: DetailPanel, record_id: str) -> Incident | None:
        inc = await self.source.stored_incident(record_id)
        if inc is not None:
            panel.clear_section("live")
            panel.section("live")
            self.render_incident(panel, inc)
        return inc

    async def _stored_alert(self, panel: DetailPanel, record_id: str) -> None:
        actions = await self.source.alert_actions(record_id)
        panel.section("actions")
        self._render_actions(panel, actions)

    async def _complete(self, panel: DetailPanel, kind: str, record_id: str, t0: float) -> None:
        stored: object = None
        try:
            renderer = DETAIL_RENDERERS.get(kind)
            if self.source.has_store:
                if renderer is not None and renderer.stored is not None:
                    stored = await renderer.stored(self, panel, record_id)
                self.timings["store_ms"] = (time.perf_counter() - t0) * 1000
                panel.set_state(self.tr("已读取存储"))
                self.completed.emit(kind, record_id, "store")
            backend_ok = True
            if renderer is not None and renderer.backend is not None:
                backend_ok = await renderer.backend(self, panel, record_id, stored, t0)
            if backend_ok:
                panel.set_state(self.tr("✓ 已完整"))
            self.completed.emit(kind, record_id, "backend")
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            if not (shiboken6.isValid(panel) and shiboken6.isValid(panel.state)):
                return          # the panel was closed and deleted while its data was on the way
            log.exception("details %s %s", kind, record_id)
            panel.set_state(f"⚠ {str(exc)[:60]}")

    async def _incident_backend(self, panel: DetailPanel, record_id: str, stored: object, t0: float) -> bool:
        """The backend's full version (when the feed has one), then the photos; False if the backend failed."""
        stored_inc = stored if isinstance(stored, Incident) else None
        final = stored_inc or self.live.incidents.get(record_id)
        backend_ok = True
        if self.source.has_backend:
            got = await self._backend_incident(panel, record_id, stored_inc)
            backend_ok = got is not None
            final = got or final
            self.timings["backend_ms"] = (time.perf_counter() - t0) * 1000
        if final is not None and final.photos:
            await self._photos(panel, final)
        return backend_ok

    async def _backend_incident(self, panel: DetailPanel, record_id: str, stored: Incident | None) -> Incident | None:
        got = await self.source.backend_incident(record_id, stored)
        inc = got.incident
        if inc is None:
            problem = {BackendProblem.UNREACHABLE: f"⚠ {self.tr('后台不可达')}",
                       BackendProblem.STATUS: f"⚠ {self.tr('后台')} {got.status}",
                       BackendProblem.BAD_BODY: f"⚠ {self.tr('后台数据无效')}"}
            panel.set_state(problem[got.problem or BackendProblem.BAD_BODY])
            return None
        panel.clear_section("live")
        panel.section("live")
        self.render_incident(panel, inc)
        return inc

    async def _photos(self, panel: DetailPanel, inc: Incident) -> None:
        panel.clear_section("photos")
        panel.section("photos")
        panel.heading(self.tr("照片"))
        await asyncio.to_thread(media_ssl_context)      # built once, off the GUI thread, before a media client is made
        for raw in inc.photos[:6]:
            try:
                url = self.source.photo_url(raw)
            except Exception:  # noqa: BLE001 - a reference that is no URL is skipped, the others shown
                continue
            image = await self.photos.get(url)
            if image is None:
                panel.line(f"✕ {self.tr('照片不可用')}：{display_text(raw[:120])}", theme.TEXT_DIM)
                continue
            lab = QLabel()
            lab.setPixmap(QPixmap.fromImage(image))
            panel.widget(lab)
            if is_web_url(url):
                panel.url_row(self.tr("打开原图"), url)

    # --- renderers --------------------------------------------------------------------------
    def _on_live(self, change: Change) -> None:
        """The open panel follows its record: a new version re-renders in place (the timeline kept)."""
        panel = self.panel
        if panel is None or not panel.isVisible():
            return
        renderer = DETAIL_RENDERERS.get(panel.kind)
        if renderer is None or renderer.follow is None:
            return
        try:
            renderer.follow(self, panel, change)
        except RuntimeError:     # the panel was deleted under us
            self.panel = None

    def follow_incident(self, panel: DetailPanel, change: Change) -> None:
        inc = next((i for i in change.incidents if i.id == panel.record_id), None)
        if inc is None:
            return
        old = self._shown_incident
        if old is not None and old.id == inc.id and inc.version < old.version:
            return
        if not inc.timeline and old is not None and old.id == inc.id and old.timeline:
            inc = dataclasses.replace(inc, timeline=old.timeline)
        panel.clear_section("live")
        panel.section("live")
        self.render_incident(panel, inc)

    def follow_alert(self, panel: DetailPanel, change: Change) -> None:
        if any(a.id == panel.record_id for a in change.alerts):
            panel.clear_section("live")
            panel.section("live")
            self.render_alert(panel, panel.record_id)

    def render_incident(self, panel: DetailPanel, inc: Incident) -> None:
        self._shown_incident = inc
        now = self.clock()
        title = inc.title if inc.drill_id is None else f"【{labels.drill_badge()}】{inc.title}"
        if inc.emergency:
            title = "‼ " + title
        panel.title.setText(title)
        if inc.drill_id:
            panel.line(f"{labels.drill_badge()}：{self._drill_name(inc.drill_id)}", theme.DRILL)
        d = deadline_state(inc, now, self.limits)
        dl = f"{theme.DEADLINE_SYMBOLS[d.level]} {labels.name(d.level)} · {labels.name(d.stage)}"
        if d.remaining is not None:
            dl += " " + self.tr("{left}（截止 {due}）").format(left=fmt.countdown(d.remaining),
                                                           due=fmt.date_time(d.due_at))
        panel.field(self.tr("时限"), dl.strip(), theme.DEADLINE_COLOURS[d.level])
        panel.field(self.tr("编号"), inc.id)
        panel.field(self.tr("状态"), labels.name(inc.status))
        panel.field(self.tr("级别"), f"{theme.SEVERITY_SYMBOLS[inc.severity]} {labels.name(inc.severity)}",
                    theme.SEVERITY_COLOURS[inc.severity])
        panel.field(self.tr("类别"), labels.name(inc.category))
        panel.field(self.tr("来源"), labels.name(inc.source))
        panel.field(self.tr("上报人"), inc.reporter or "—")
        grid = self.live.territory.get(inc.grid_id)
        panel.field(self.tr("网格"), self._grid_name(inc.grid_id))
        panel.field(self.tr("网格员"), inc.grid_worker or (grid.grid_worker if grid else "") or "—")
        panel.field(self.tr("处置人"), inc.handler or "—")
        panel.field(self.tr("涉及部门"), "、".join(inc.departments) or "—")
        panel.field(self.tr("上报时间"), fmt.date_time(inc.reported_at))
        if inc.emergency:
            o = one_ten_twenty(inc)

            def part(name: str, secs: float | None, met: bool | None) -> str:
                if secs is None:
                    return f"{name} —"
                return f"{name} {fmt.countdown(timedelta(seconds=secs))} {'✓' if met else '✕'}"

            panel.field("1-10-20", " · ".join([part(self.tr("响应"), o.response_s, o.response_met),
                                               part(self.tr("到场"), o.arrival_s, o.arrival_met),
                                               part(self.tr("初情研判"), o.assessment_s, o.assessment_met)]))
        if inc.description:
            panel.field(self.tr("描述"), inc.description)
        panel.heading(self.tr("处置时间线"))
        if inc.timeline:
            for ch in inc.timeline:
                bits = [fmt.date_time(ch.at), labels.name(ch.status)]
                bits += [b for b in (ch.handler, ch.department, ch.note) if b]
                panel.line(" · ".join(bits))
        else:
            for stamp, name in STAMP_NAMES:
                at = stamp(inc)
                if at is not None:
                    panel.line(f"{fmt.date_time(at)} · {_tr(name)}")
        panel.heading(self.tr("位置"))
        point = (inc.lon, inc.lat) if inc.lon is not None and inc.lat is not None else None
        panel.widget(MiniMap(self._neighbourhood(inc.grid_id), inc.grid_id, point))
        self._near_cameras(panel, point or place_of_grid(self.live.territory.get(inc.grid_id)))
        if inc.photos:
            panel.field(self.tr("照片"), f"{len(inc.photos)} {self.tr('张')}")

    def render_alert(self, panel: DetailPanel, alert_id: str) -> None:
        a: Alert | None = self.live.alerts.get(alert_id)
        if a is None:
            panel.line(self.tr("此信号已不在实时数据中"))
            return
        panel.title.setText(a.title if a.drill_id is None else f"【{labels.drill_badge()}】{a.title}")
        panel.field(self.tr("级别"), labels.signal_level(a), theme.ALERT_COLOURS[labels.signal_colour_level(a)])
        panel.field(self.tr("类型"), labels.signal_type(a))
        live = a.is_live(self.clock())
        panel.field(self.tr("状态"), ("● " + self.tr("生效中")) if live else ("✕ " + self.tr("已失效")))
        panel.field(self.tr("发布"), fmt.date_time(a.issued_at))
        panel.field(self.tr("有效至"), fmt.date_time(a.expires_at) if a.expires_at else "—")
        panel.field(self.tr("区域"), a.area_desc or "—")
        panel.field(self.tr("发布单位"), a.source or "—")
        if a.description:
            panel.field(self.tr("内容"), a.description)
        guidance = guidance_for(self.guidance, a)
        if guidance:
            panel.field(self.tr("处置指引"), guidance, QColor("#ffd27a"))
        if a.grid_ids:
            # a district-wide warning names a hundred grids: their count and the first few, the map shows the rest
            n = len(a.grid_ids)
            panel.heading(self.tr("涉及网格（{n} 个）").format(n=fmt.number(n)))
            for gid in a.grid_ids[:GRIDS_SHOWN]:
                panel.link_row(self._grid_name(gid), "grid", gid)
            if n > GRIDS_SHOWN:
                panel.line(self.tr("另有 {n} 个网格，见地图上的预警区域").format(n=fmt.number(n - GRIDS_SHOWN)),
                           theme.TEXT_DIM)
        if a.grid_ids:
            self._near_cameras(panel, place_of_grid(self.live.territory.get(a.grid_ids[0])))
        related = [self.live.incidents[r] for r in a.references if r in self.live.incidents]
        if related:
            panel.heading(self.tr("关联"))
            for inc in related[:RECORDS_SHOWN]:
                panel.link_row(f"{labels.name(inc.category)} · {inc.title}", "incident", inc.id)
        panel.section("actions")
        if self.alert_actions is not None:
            self._render_actions(panel, self.alert_actions.history(alert_id))

    def _render_actions(self, panel: DetailPanel, actions: list) -> None:
        panel.clear_section("actions")
        panel.section("actions")
        panel.heading(self.tr("处置记录"))
        if not actions:
            panel.line("—", theme.TEXT_DIM)
        for act in actions:
            kind = act.kind.value
            where = act.seat or act.console      # the seat signed in at; older records: the host
            text = f"{fmt.date_time(act.at)} · {_tr(ACTION_NAMES.get(kind, '操作'))} · {act.actor} @ {where}"
            if act.recipient:
                text += f" → {act.recipient}"
            if act.expires_at:
                text += f" · {self.tr('至')} {fmt.hhmm(act.expires_at)}"
            if act.reason:
                text += f" · {act.reason}"
            panel.line(text)

    def render_resource(self, panel: DetailPanel, resource_id: str) -> None:
        r: Resource | None = self.live.resources.get(resource_id)
        if r is None:
            panel.line(self.tr("此资源不在实时数据中"))
            return
        panel.title.setText(r.name if r.drill_id is None else f"【{labels.drill_badge()}】{r.name}")
        panel.field(self.tr("类型"), labels.name(r.kind))
        panel.field(self.tr("状态"), status_text(r.status), theme.RESOURCE_COLOURS[r.status])
        panel.field(self.tr("位置"), self._grid_name(r.grid_id) if r.grid_id else "—")
        if r.quantity is not None:
            panel.field(self.tr("数量/阈值"), quantity_text(r), QColor("#ff3b3b") if r.below_threshold else None)
        panel.field(self.tr("电话"), r.phone or "—")
        panel.field(self.tr("更新"), fmt.date_time(r.updated_at))
        if r.incident_id:
            inc = self.live.incidents.get(r.incident_id)
            panel.link_row(f"{self.tr('执行任务')}：{inc.title if inc else r.incident_id}", "incident", r.incident_id)
        point = (r.lon, r.lat) if r.lon is not None and r.lat is not None else None
        panel.widget(MiniMap(self._neighbourhood(r.grid_id), r.grid_id, point))

    def render_sensor(self, panel: DetailPanel, sensor_id: str) -> None:
        from ..domain.sensors import value_text
        from .tiles.sensors import status_colour, status_label, type_label

        s = self.live.sensors.get(sensor_id)
        if s is None:
            panel.line(self.tr("此设备不在实时数据中"))
            return
        panel.title.setText(fmt.feed_text(s.name or s.id))
        panel.field(self.tr("类型"), type_label(s.type))
        panel.field(self.tr("状态"), status_label(s.status), status_colour(s))
        panel.field(self.tr("读数"), value_text(s.type, s.value))
        panel.field(self.tr("读数时间"), fmt.date_time(s.reading_at) if s.reading_at else "—")
        panel.field(self.tr("位置"), self._grid_name(s.grid_id) if s.grid_id else "—")
        alarm = next((a for a in self.live.alerts.values() if a.references[:1] == (s.id,) and a.is_live(self.clock())),
                     None)
        if alarm is not None:
            panel.link_row(f"{self.tr('告警')}：{alarm.title}", "alert", alarm.id)
        if self.source.has_store:           # the chart's place, filled from the store (_sensor_chart)
            current = panel._current
            panel.section("chart")
            panel.heading(self.tr("近24小时读数"))
            panel.section(current)
        point = (s.lon, s.lat) if s.lon is not None and s.lat is not None else None
        panel.widget(MiniMap(self._neighbourhood(s.grid_id), s.grid_id, point))
        self._near_cameras(panel, point or place_of_grid(self.live.territory.get(s.grid_id)))

    async def _sensor_chart(self, panel: DetailPanel, sensor_id: str) -> None:
        """The device's last 24 hours from the store, as a line chart with its type's alarm lines."""
        from .sensor_chart import SensorChart

        end = self.clock()
        readings = await self.source.sensor_readings(sensor_id, end - timedelta(hours=24), end + timedelta(minutes=5))
        panel.clear_section("chart")        # the heading render_sensor put in its place
        panel.section("chart")
        panel.heading(self.tr("近24小时读数"))
        s = self.live.sensors.get(sensor_id)
        panel.widget(SensorChart(readings, s.type if s is not None else None, end))

    def render_grid(self, panel: DetailPanel, grid_id: str) -> None:
        g = self.live.territory.get(grid_id)
        panel.title.setText(self._grid_name(grid_id))
        if g is not None:
            chain: list[str] = []
            p = self.live.territory.get(g.parent_id) if g.parent_id else None
            while p is not None and len(chain) < 8:
                chain.append(p.name)
                p = self.live.territory.get(p.parent_id) if p.parent_id else None
            panel.field(self.tr("所属"), " › ".join(reversed(chain)) or "—")
            panel.field(self.tr("网格员"), g.grid_worker or "—")
            panel.field(self.tr("网格长"), g.grid_head or "—")
            panel.field(self.tr("户数"), fmt.number(g.households))
        open_incs = sorted((i for i in self.live.incidents.values() if i.grid_id == grid_id and i.is_open),
                           key=lambda i: i.reported_at, reverse=True)
        panel.heading(self.tr("在办事件（{n}）").format(n=fmt.number(len(open_incs))))
        now = self.clock()
        for inc in open_incs[:RECORDS_SHOWN]:
            d = deadline_state(inc, now, self.limits)
            panel.link_row(f"{theme.DEADLINE_SYMBOLS[d.level]} {fmt.hhmm(inc.reported_at)} "
                           f"{labels.name(inc.category)} · {inc.title}", "incident", inc.id)
        panel.widget(MiniMap(self._neighbourhood(grid_id), grid_id, None))

    async def _grid_kpis(self, panel: DetailPanel, grid_id: str) -> None:
        now = self.clock()
        values = await self.source.kpis(grid_id, day_start(now), now)
        panel.section("kpis")
        panel.heading(self.tr("今日指标"))
        for name in ("events", "completion_rate", "on_time_rate", "overdue", "closed_loop_rate", "satisfaction_rate"):
            spec = ALL_CARDS[name]
            panel.field(card_label(spec), value_text(spec, values.get(name)))

    async def _kpi_records(self, panel: DetailPanel, record_id: str) -> None:
        name, _, key = record_id.partition(":")
        now = self.clock()
        start = day_start(now)
        node = self.node_id
        values = await self.source.kpis(node, start, now)
        v = values.get(name)
        panel.section("kpi")
        if v is not None:
            value = v.detail.get(key) if key else v.value
            panel.field(self.tr("数值"), "—" if value is None else f"{fmt.number(value, 1 if v.unit == '%' else 0)}"
                        f"{'%' if v.unit == '%' else ''}")
            panel.field(self.tr("统计时段"), f"{fmt.date_time(v.window_start)} – {fmt.date_time(v.window_end)}")
        kwargs: dict[str, Any] = {"limit": 2000, "drill": False}
        if name == "events_per_grid" and key:
            kwargs["grid_ids"] = [key]
        elif node:
            kwargs["node_id"] = node
        records = await self.source.incidents(**kwargs)
        records = [i for i in records if i.reported_at >= start]
        if name == "events_per_category" and key:
            records = [i for i in records if i.category.value == key]
        records.sort(key=lambda i: i.reported_at, reverse=True)
        panel.heading(self.tr("相关记录（{n}）").format(n=fmt.number(len(records))))
        for inc in records[:RECORDS_SHOWN]:
            panel.link_row(f"{fmt.hhmm(inc.reported_at)} {labels.name(inc.category)} · "
                           f"{self._grid_name(inc.grid_id)} · {labels.name(inc.status)} · {inc.title}",
                           "incident", inc.id)

    def _key_name(self, name: str, key: str) -> str:
        if name == "events_per_category" and key in {c.value for c in Category}:
            return labels.name(Category(key))
        if name == "resolution_level_share" and key in {r.value for r in ResolutionLevel}:
            return labels.name(ResolutionLevel(key))
        return self._grid_name(key)

    def _drill_name(self, drill_id: str) -> str:
        """A drill by its scenario's name (its id is the wall's own key), when this wall knows it."""
        manager = self.drills
        for drill in (manager.current, manager.last) if manager is not None else ():
            if drill is not None and drill.id == drill_id:
                return drill.scenario.name
        return "—"

    def _near_cameras(self, panel: DetailPanel, place: tuple[float, float] | None) -> None:
        """The cameras near the case, once per panel in a section of their own: a new version of the record
        re-renders its rows, and the video keeps playing."""
        if panel.property("cameras_shown"):
            return
        panel.setProperty("cameras_shown", True)
        current = panel._current
        panel.section("cameras")
        self._show_video(render_near_cameras(panel, self.cameras, place, self.clock, panel))
        panel.section(current)

    def _show_video(self, player: CameraPlayer | None) -> None:
        """One camera plays in the panel at a time: the one rendered last."""
        if self._video is not None and self._video is not player:
            try:
                self._video.stop()
            except RuntimeError:
                pass        # its panel (its parent) is gone already
        self._video = player

    def _grid_name(self, grid_id: str | None) -> str:
        return labels.place_name(self.live.territory, grid_id)

    def _neighbourhood(self, grid_id: str) -> list[TerritoryNode]:
        g = self.live.territory.get(grid_id)
        if g is None:
            return []
        if g.parent_id is None:
            return [g]
        return [n for n in self.live.territory.values()
                if n.parent_id == g.parent_id and n.level is TerritoryLevel.GRID] or [g]


@dataclass(frozen=True)
class DetailRenderer:
    """How one kind of record's details are shown: at once from the live state (`live`), then from the store
    (`stored`, None: nothing more there; what it returns goes to `backend`), then from the backend (`backend`:
    False when the backend failed). `title`: the panel's title when the kind's own is not enough ("" keeps it);
    `follow`: how an open panel follows a live change."""

    live: Callable[[DetailController, DetailPanel, str], None]
    stored: Callable[[DetailController, DetailPanel, str], Awaitable[object]] | None = None
    backend: Callable[[DetailController, DetailPanel, str, object, float], Awaitable[bool]] | None = None
    title: Callable[[DetailController, str], str] | None = None
    follow: Callable[[DetailController, DetailPanel, Change], None] | None = None


# One renderer per kind of detail the wall can push (WallApp.open_details): a new kind goes here.
DETAIL_RENDERERS: dict[str, DetailRenderer] = {
    "incident": DetailRenderer(DetailController.render_live_incident, DetailController._stored_incident,
                               backend=DetailController._incident_backend, follow=DetailController.follow_incident),
    "alert": DetailRenderer(DetailController.render_alert, DetailController._stored_alert,
                            title=DetailController.alert_title, follow=DetailController.follow_alert),
    "resource": DetailRenderer(DetailController.render_resource),
    "grid": DetailRenderer(DetailController.render_grid, DetailController._grid_kpis),
    "kpi": DetailRenderer(DetailController.render_kpi, DetailController._kpi_records, title=DetailController.kpi_title),
    "sensor": DetailRenderer(DetailController.render_sensor, DetailController._sensor_chart),
    "camera": DetailRenderer(DetailController.render_camera),
}


def place_overlay(panel: QWidget, host: QWidget, share: float = 0.42) -> None:
    """Put the panel over the right part of `host` (the wall's page area)."""
    w = max(320, int(host.width() * share))
    panel.setGeometry(host.width() - w - 12, 12, w, max(200, host.height() - 24))


__all__ = ["DetailController", "DetailPanel", "LinkGuard", "MiniMap", "PhotoCache", "is_web_url", "place_overlay"]
