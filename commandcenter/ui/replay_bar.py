"""Replay on the wall: the "回放" ("REPLAY") indicator, a minimal scrubber for the console, and the wiring.

    replay = attach_replay(wall_app)      # once, by the composition root (WallApp.start); the ReplayController
    bar = ReplayBar(replay)               # place it in the console
    replay.play_window(t0, t1, speed=10)  # or jump / pause / resume / set_speed / go_live

While replaying, the wall's own LiveState holds the past (feeds and drills keep writing a shadow, see
services.replay.LiveDetour), the tiles' clock is the replay clock, and every window shows the
REPLAY banner; `go_live()` restores the present in one step. The present is never hidden: the console's
lists follow it (`present_live`, `present_now`), and a new red public warning or an emergency going overdue
breaks through the replay (services.replay.BreakthroughWatch): the banner says what and offers 回到实时, and the
alarm sounds.
"""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any, Protocol

from PySide6.QtCore import QCoreApplication, QObject, Qt, QTimer
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QComboBox, QFrame, QGridLayout, QHBoxLayout, QPushButton, QSlider, QWidget

from ..domain import AlertLevel, Category
from ..services.drills import DrillManager
from ..services.live_commits import LiveCommits
from ..services.live_state import LiveState
from ..services.replay import BreakthroughWatch, Danger, LiveDetour, ReplayController
from . import format as fmt
from . import theme
from ..store import Store
from .tiles.base import plain_label

InStore = Callable[..., Awaitable[Any]]

SPEEDS = (1, 2, 5, 10, 30, 60)


def replay_banner_text() -> str:
    return QCoreApplication.translate("ReplayBanner", "回放")


class ReplayBanner(QFrame):
    """Shown across a window while the wall replays: the replay time, speed and paused state; under it, in red,
    any present danger that broke through the replay, with 回到实时 (back to live) one click away."""

    def __init__(self, replay: ReplayController | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("replayBanner")
        c = theme.REPLAY
        self.setStyleSheet(
            f"QFrame#replayBanner {{ background: rgba({c.red()},{c.green()},{c.blue()},220); border: none; }}"
            "QFrame#replayBanner QLabel { background: transparent; color: #ffffff; }")
        self.replay = replay
        self.badge = plain_label(replay_banner_text())
        self.info = plain_label()
        self.info.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.danger = plain_label()
        self.danger.setObjectName("replayBreakthrough")
        self.danger.setStyleSheet(f"background: {theme.ALERT_COLOURS[AlertLevel.RED].name()}; color: #ffffff; padding: 4px 8px;")
        self.danger.setWordWrap(True)
        self.back = QPushButton(self.tr("回到实时"))
        self.back.clicked.connect(self._go_live)
        grid = QGridLayout(self)
        grid.setContentsMargins(16, 4, 16, 4)
        grid.addWidget(self.badge, 0, 0)
        grid.addWidget(self.info, 0, 1, 1, 2)
        grid.addWidget(self.danger, 1, 0, 1, 2)
        grid.addWidget(self.back, 1, 2)
        grid.setColumnStretch(0, 1)
        self.scale(theme.BASE_POINT_SIZE)
        self._timer = QTimer(self, interval=500)
        self._timer.timeout.connect(self.refresh)
        self._timer.start()
        self.refresh()

    def refresh(self) -> None:
        r = self.replay
        if r is None or not r.replaying:
            self.hide()
            return
        state = self.tr("‖ 暂停") if r.paused else "▶"
        self.info.setText(f"{state} {r.speed:g}×  ·  {fmt.date_time(r.position)}")
        danger = breakthrough_text(r.breakthrough)
        self.danger.setText(danger)
        self.danger.setVisible(bool(danger))
        self.back.setVisible(bool(danger))
        self.show()

    def scale(self, points: int) -> None:
        """Text size with the window (WallWindow.resizeEvent): a breakthrough is read from across the room."""
        for w, k in ((self.badge, 1.5), (self.info, 1.3), (self.danger, 1.5), (self.back, 1.2)):
            f = QFont(w.font())
            f.setPointSize(round(points * k))
            f.setBold(True)
            w.setFont(f)

    def _go_live(self) -> None:
        if self.replay is not None:
            self.replay.go_live()

    def text(self) -> str:
        return " ".join(t for t in (self.badge.text(), self.info.text(), self.danger.text()) if t).strip()


def breakthrough_text(dangers: tuple[Danger, ...]) -> str:
    """实时：红色预警 暴雨红色预警 · 应急事件超时 居民楼火灾 — the present behind the replay ("" if nothing)."""
    parts = []
    for d in dangers[-3:]:       # the newest few: a banner, not a list
        if d.kind == "alert":
            parts.append(QCoreApplication.translate("ReplayBanner", "红色预警 {title}").format(title=d.title))
        else:
            parts.append(QCoreApplication.translate("ReplayBanner", "应急事件超时 {title}").format(title=d.title))
    if not parts:
        return ""
    return QCoreApplication.translate("ReplayBanner", "实时：{what}").format(what="  ·  ".join(parts))


class ReplayBar(QFrame):
    """A minimal scrubber: window slider, play/pause, speed, and 回到实时 (back to live)."""

    def __init__(self, replay: ReplayController, *, window: timedelta = timedelta(hours=1),
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.replay = replay
        self.default_window = window
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(0, 1000)
        self.slider.setMinimumWidth(240)       # the scrubber stays usable in the console's narrow column
        self.play = QPushButton("▶")
        self.speed = QComboBox()
        for s in SPEEDS:
            self.speed.addItem(f"{s}×", s)
        self.speed.setCurrentIndex(SPEEDS.index(10))
        self.live_button = QPushButton(self.tr("回到实时"))
        self.label = plain_label()
        row = QHBoxLayout(self)
        row.addWidget(self.play)
        row.addWidget(self.slider, 1)
        row.addWidget(self.speed)
        row.addWidget(self.label)
        row.addWidget(self.live_button)
        self.play.clicked.connect(self._toggle)
        self.slider.sliderReleased.connect(self._scrubbed)
        self.speed.currentIndexChanged.connect(lambda _i: replay.set_speed(self.speed.currentData()))
        self.live_button.clicked.connect(replay.go_live)
        self._unsub = replay.on_change(lambda _r, _w: self.refresh())
        self.destroyed.connect(lambda *_: self._unsub())
        self._timer = QTimer(self, interval=500)
        self._timer.timeout.connect(self.refresh)
        self._timer.start()
        self.refresh()

    def _bounds(self) -> tuple[datetime, datetime]:
        w = self.replay.window
        if w is not None:
            return w.start, w.end
        end = self.replay.clock()
        return end - self.default_window, end

    def _toggle(self) -> None:
        r = self.replay
        if not r.replaying:
            start, end = self._bounds()
            r.play_window(start, end, self.speed.currentData())
        elif r.paused:
            r.resume()
        else:
            r.pause()

    def _scrubbed(self) -> None:
        start, end = self._bounds()
        if self.replay.window is None:
            self.replay.set_window(start, end)
        self.replay.jump(start + (end - start) * (self.slider.value() / 1000))

    def refresh(self) -> None:
        r = self.replay
        self.play.setText("‖" if r.replaying and not r.paused else "▶")
        self.live_button.setEnabled(r.replaying)
        if r.replaying and not self.slider.isSliderDown():
            start, end = self._bounds()
            span = (end - start).total_seconds() or 1.0
            self.slider.setValue(round(1000 * (r.position - start).total_seconds() / span))
        self.label.setText(f"{replay_banner_text()} {fmt.hhmmss(r.position)}" if r.replaying else self.tr("实时"))


class PresentSource(Protocol):
    """Where the present is, also while the wall replays the past."""

    live: LiveState
    replay: ReplayController | None
    replay_detour: LiveDetour | None
    clock: Callable[[], datetime]


class ReplayHost(Protocol):
    """What the replay wiring needs of a wall (ui.app.WallApp; tests give a small one)."""

    live: LiveState
    commits: LiveCommits
    store: Store | None
    clock: Callable[[], datetime]
    drills: DrillManager | None
    replay: ReplayController | None
    replay_detour: LiveDetour | None

    def rebuild_windows(self) -> None: ...
    def wall_windows(self) -> list[QWidget]: ...
    def notify(self, what: str, arg: object = None) -> None: ...
    def set_breakthrough_alarm(self, on: bool) -> None: ...
    def category_limits(self) -> dict[Category, timedelta]: ...


def attach_replay(app: ReplayHost, *, in_store: InStore | None = None, step: timedelta = timedelta(seconds=1),
                  parent: QObject | None = None) -> ReplayController:
    """Give a wall its replay controller (once; the composition root calls this): state from its store, shown
    on its own LiveState through its one writer. The breakthrough guard is a child of `parent`."""
    if app.replay is not None:
        return app.replay
    if app.store is None:
        raise RuntimeError("a replay reads the wall's store: attach it once the store is open")
    real_clock = app.clock
    replay = ReplayController(app.store.state_at, clock=real_clock, step=step, in_store=in_store, target=app.live)
    commits = app.commits
    replay.show_state = lambda state: commits.replace(state.get("incidents", ()), state.get("resources", ()),
                                                      state.get("alerts", ()), state.get("sensors", ()))
    detour = LiveDetour(commits, [app.drills])
    app.replay, app.replay_detour = replay, detour
    watch = BreakthroughWatch(real_clock, app.category_limits)
    ReplayGuard(replay, detour, watch, parent=parent)

    def on_mode(r: ReplayController, what: str) -> None:
        if what == "breakthrough":
            app.set_breakthrough_alarm(True)
            for window in app.wall_windows():
                refresh_banners(window)
            app.notify("breakthrough", r.breakthrough)
            return
        if what != "mode":
            return
        if r.replaying:
            detour.enter()
            if detour.shadow is not None:
                watch.begin(detour.shadow)
            app.clock = r.now
        else:
            app.set_breakthrough_alarm(False)
            app.clock = real_clock
            detour.leave()
        app.rebuild_windows()     # tiles and header take the replay (or real) clock
        for window in app.wall_windows():
            refresh_banners(window)
        app.notify("replay", r.replaying)

    replay.on_change(on_mode)
    return replay


class ReplayGuard(QObject):
    """Once a second while replaying: the present (the detour's shadow) is checked for dangers that break through."""

    INTERVAL_MS = 1000

    def __init__(self, replay: ReplayController, detour: LiveDetour, watch: BreakthroughWatch,
                 parent: QObject | None = None):
        super().__init__(parent)
        self.replay, self.detour, self.watch = replay, detour, watch
        self._timer = QTimer(self, interval=self.INTERVAL_MS)
        self._timer.timeout.connect(self.check)
        self._timer.start()

    def check(self) -> list[Danger]:
        present = self.detour.shadow
        if not self.replay.replaying or present is None:
            return []
        new = self.watch.check(present)
        self.replay.break_through(new)
        return new

    def stop(self) -> None:
        self._timer.stop()


def present_live(app: PresentSource) -> LiveState:
    """The present, also while the wall replays the past (the console's lists follow it)."""
    detour = app.replay_detour
    shadow = detour.shadow if detour is not None else None
    return shadow if shadow is not None else app.live


def present_now(app: PresentSource) -> datetime:
    """Present time, also while the wall's clock is the replay's (actions are recorded at it)."""
    return app.replay.clock() if app.replay is not None else app.clock()


def refresh_banners(window: Any) -> None:
    for b in window.findChildren(ReplayBanner):
        b.refresh()
