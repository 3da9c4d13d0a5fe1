"""A wall window's pages: one page of tiles on a grid (PageView), the stack a window rotates through (PageStack),
the stand-in tiles of the first frame, and the Qt timer driving the rotation controller."""
from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QCoreApplication, QObject, Qt, QTimer
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QGridLayout, QStackedWidget, QWidget

from ..config import PageSection, TileSection
from ..services import LiveState
from ..services.rotation import RotationController
from . import format as fmt
from .tiles.base import Tile, plain_label

log = logging.getLogger(__name__)

TileBuilder = Callable[[TileSection], Tile]


class PlaceholderTile(Tile):
    """Stands in for a tile that could not be built (a kind this build lacks, or a builder that failed)."""

    kind = "placeholder"

    def __init__(self, live: LiveState, section: TileSection, reason: str, parent: QWidget | None = None):
        super().__init__(live, section.title or section.kind, parent=parent)
        self.reason = reason
        self.message = plain_label(self.tr("图块不可用：{kind}").format(kind=section.kind))
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setWordWrap(True)
        self.message.setToolTip(reason)
        self.body.addWidget(self.message, 1)


def safe_builder(build: TileBuilder, live: LiveState) -> TileBuilder:
    """A builder that never takes the wall down: a failing tile becomes a placeholder and a log line."""

    def wrapped(section: TileSection) -> Tile:
        try:
            return build(section)
        except Exception as exc:  # noqa: BLE001 - one bad tile must not blank a wall
            log.warning("tile %s at row %s column %s not built: %s", section.kind, section.row, section.column, exc)
            return PlaceholderTile(live, section, str(exc))

    return wrapped


class PendingTile(Tile):
    """Holds a tile's place on the first frame (its title, 读取中…) until `realize()` builds the real one.

    Why: the wall's first frame should not wait for what it can show a moment later. The map and the KPI
    charts need pyqtgraph and numpy (slow to import) and their own construction (slow too), and tiles of
    pages not shown first are not seen at all; WallApp builds them right after the first paint
    (WallApp._build_pending → PageView.realize), each in its grid cell."""

    kind = "pending"

    # A kind's default title in its tile class's translation context: the title does not change when the tile comes.
    DEFAULT_TITLES = {"incidents": ("IncidentTile", "事件实时动态"), "map": ("MapTile", "网格地图"),
                      "alerts": ("AlertTile", "预警信息"), "warnings": ("AlertTile", "预警信息"),
                      "alarms": ("AlertTile", "设备告警"), "supervision": ("AlertTile", "督办事项"),
                      "resources": ("ResourceTile", "应急资源"),
                      "kpis": ("KpiTile", "运行指标")}

    def __init__(self, live: LiveState, section: TileSection, build: TileBuilder, parent: QWidget | None = None):
        context, text = self.DEFAULT_TITLES.get(section.kind, ("", ""))
        title = section.title or (QCoreApplication.translate(context, text) if text else "")
        super().__init__(live, title, parent=parent)
        self.section = section
        self._build = build
        self.message = plain_label(self.tr("读取中…"))
        self.message.setObjectName("pendingTile")
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.body.addWidget(self.message, 1)

    def apply_font_size(self, points: int) -> None:
        super().apply_font_size(points)
        font = QFont(self.message.font())
        font.setPointSize(points)
        self.message.setFont(font)

    def realize(self) -> Tile:
        """The real tile (through the wall's safe builder: a failure is a PlaceholderTile, never an exception)."""
        return self._build(self.section)


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
        self._grid = grid
        for section in page.tiles:
            tile = build(section)
            self.tiles.append(tile)
            grid.addWidget(tile, section.row, section.column, section.row_span, section.column_span)

    def all_tiles(self) -> list[Tile]:
        """Every tile (one page: the ones shown)."""
        return list(self.tiles)

    def pending(self) -> list[tuple[PageView, PendingTile]]:
        """Stand-in tiles still to build."""
        return [(self, t) for t in self.tiles if isinstance(t, PendingTile)]

    def show_page(self, name: str) -> bool:
        """A single page is always shown: True when it is the one named."""
        return name == self.page.name

    def realize(self, pending: PendingTile) -> Tile:
        """Replace a stand-in tile by the real one, in the same grid cell and list position."""
        i = self.tiles.index(pending)
        section = pending.section
        tile = pending.realize()
        self.tiles[i] = tile
        self._grid.removeWidget(pending)
        self._grid.addWidget(tile, section.row, section.column, section.row_span, section.column_span)
        pending.hide()
        pending.deleteLater()
        return tile


def deferring_builder(build: TileBuilder, live: LiveState, defer: Callable[[TileSection], bool]) -> TileBuilder:
    """A builder that gives a PendingTile for the sections `defer` names, the real tile for the others."""

    def wrapped(section: TileSection) -> Tile:
        if defer(section):
            return PendingTile(live, section, build)
        return build(section)

    return wrapped


class PageStack(QStackedWidget):
    """The pages one wall window can show; `show_page(name)` switches. Offers what PageView offers (`page`,
    `tiles`, `all_tiles`, `pending`, `show_page`), so a window holds either."""

    def __init__(self, pages: list[PageSection], build: TileBuilder, parent: QWidget | None = None):
        super().__init__(parent)
        # A wall window must fit its screen whatever the tiles' minimum sizes (a portrait 1080-px panel):
        # an explicit minimum stops the layouts from imposing theirs.
        self.setMinimumSize(1, 1)
        self.views: dict[str, PageView] = {}
        for page in pages:
            if page.name in self.views:
                continue
            view = PageView(page, build)
            self.views[page.name] = view
            self.addWidget(view)

    def current_view(self) -> PageView:
        view = self.currentWidget()
        assert isinstance(view, PageView), "a PageStack holds PageViews only"
        return view

    @property
    def page(self) -> PageSection:
        return self.current_view().page

    @property
    def page_name(self) -> str:
        return self.page.name

    @property
    def tiles(self) -> list[Tile]:
        return self.current_view().tiles if self.count() else []

    def all_tiles(self) -> list[Tile]:
        return [t for v in self.views.values() for t in v.tiles]

    def pending(self) -> list[tuple[PageView, PendingTile]]:
        """Tiles still to build, the shown page's first."""
        views = sorted(self.views.values(), key=lambda v: v is not self.currentWidget())
        return [(v, t) for v in views for t in v.tiles if isinstance(t, PendingTile)]

    def show_page(self, name: str) -> bool:
        view = self.views.get(name)
        if view is None:
            return False
        self.setCurrentWidget(view)
        return True


def alert_page_of(pages: list[PageSection]) -> str | None:
    """The first page holding a public warnings tile: where a red public warning takes the wall."""
    for page in pages:
        if any(t.kind in ("warnings", "alerts") for t in page.tiles):
            return page.name
    return None


class RotationTimer(QObject):
    """Ticks the Qt-free RotationController from the Qt event loop."""

    def __init__(self, controller: RotationController, interval_ms: int = 500, parent: QObject | None = None):
        super().__init__(parent)
        self.controller = controller
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._tick)

    def start(self) -> None:
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def _tick(self) -> None:
        try:
            self.controller.tick()
        except Exception:  # noqa: BLE001 - the timer must keep running
            log.exception("rotation tick failed")


def _minutes(text: str) -> int:
    h, m = text.split(":")
    return int(h) * 60 + int(m)


def on_duty(duty: list, now: datetime) -> list:
    """Roster entries covering `now`: HH:MM ranges in the wall's time zone (overnight ranges wrap), or ISO date-times."""
    local = fmt.local(now)
    minute = local.hour * 60 + local.minute
    out = []
    for d in duty:
        start, until = d.from_, d.until
        if "T" in start or "-" in start:
            s = datetime.fromisoformat(start)
            u = datetime.fromisoformat(until) if ("T" in until or "-" in until) else None
            s = s if s.tzinfo else s.replace(tzinfo=local.tzinfo)
            if u is not None:
                u = u if u.tzinfo else u.replace(tzinfo=local.tzinfo)
            if s <= now and (u is None or now < u):
                out.append(d)
            continue
        a, b = _minutes(start), _minutes(until) if ":" in until else 24 * 60
        inside = a <= minute < b if a <= b else (minute >= a or minute < b)
        if inside:
            out.append(d)
    return out


def duty_text(duty: list, now: datetime) -> str:
    people = on_duty(duty, now)
    if not people:
        return ""
    parts = []
    for d in people:
        extra = " ".join(x for x in (d.role, d.phone) if x)
        parts.append(f"{d.name}（{extra}）" if extra else d.name)
    return QCoreApplication.translate("Duty", "值班：{names}").format(names=" · ".join(parts))
