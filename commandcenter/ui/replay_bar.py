"""Replay on the wall: the "回放 / REPLAY" indicator, a minimal scrubber for the console, and the wiring.

    replay = attach_replay(wall_app)      # once, after WallApp.start(); returns the ReplayController
    bar = ReplayBar(replay)               # place it in the console
    replay.play_window(t0, t1, speed=10)  # or jump / pause / resume / set_speed / go_live

While replaying, the wall's own LiveState holds the past (feeds and drills keep writing a shadow, see
services.replay.LiveDetour), the tiles' clock is the replay clock, and every window shows the
REPLAY banner; `go_live()` restores the present in one step.
"""
from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QComboBox, QFrame, QHBoxLayout, QPushButton, QSlider, QWidget

from ..services.replay import LiveDetour, ReplayController
from . import format as fmt
from . import theme
from .tiles.base import plain_label

SPEEDS = (1, 2, 5, 10, 30, 60)


def replay_banner_text() -> str:
    return "回放 / REPLAY"


class ReplayBanner(QFrame):
    """Shown across a window while the wall replays: the replay time, speed and paused state."""

    def __init__(self, replay: ReplayController | None = None, parent: QWidget | None = None, *, live: Any = None):
        super().__init__(parent)
        self.setObjectName("replayBanner")
        self._live = live
        c = theme.REPLAY
        self.setStyleSheet(
            f"QFrame#replayBanner {{ background: rgba({c.red()},{c.green()},{c.blue()},220); border: none; }}"
            "QFrame#replayBanner QLabel { background: transparent; color: #ffffff; }")
        self.replay = replay
        self.badge = plain_label(replay_banner_text())
        self.info = plain_label()
        self.info.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        row = QHBoxLayout(self)
        row.setContentsMargins(16, 4, 16, 4)
        row.addWidget(self.badge, 1)
        row.addWidget(self.info)
        for w, k in ((self.badge, 1.5), (self.info, 1.3)):
            f = QFont(w.font())
            f.setPointSize(round(theme.BASE_POINT_SIZE * k))
            f.setBold(True)
            w.setFont(f)
        self._timer = QTimer(self, interval=500)
        self._timer.timeout.connect(self.refresh)
        self._timer.start()
        self.refresh()

    def refresh(self) -> None:
        if self.replay is None and self._live is not None:
            self.replay = ReplayController.for_live(self._live)
        r = self.replay
        if r is None or not r.replaying:
            self.hide()
            return
        state = "‖ 暂停" if r.paused else "▶"
        self.info.setText(f"{state} {r.speed:g}×  ·  {fmt.date_time(r.position)}")
        self.show()

    def text(self) -> str:
        return f"{self.badge.text()} {self.info.text()}".strip()


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


def attach_replay(app: Any, *, step: timedelta = timedelta(seconds=1)) -> ReplayController:
    """Give a started WallApp a replay controller (once): state from its store, shown on its own LiveState."""
    existing = ReplayController.for_live(app.live)
    if existing is not None:
        return existing
    real_clock = app.clock
    pipeline = getattr(app, "pipeline", None)
    in_store = pipeline.in_store if pipeline is not None else None
    replay = ReplayController(app.store.state_at, clock=real_clock, step=step, in_store=in_store, target=app.live)
    detour = LiveDetour(app.live, [pipeline, getattr(app, "drills", None)])

    def on_mode(r: ReplayController, what: str) -> None:
        if what != "mode":
            return
        if r.replaying:
            detour.enter()
            app.clock = r.now
        else:
            app.clock = real_clock
            detour.leave()
        if hasattr(app, "rebuild_windows"):
            app.rebuild_windows()     # tiles and header take the replay (or real) clock
        for window in _windows(app):
            refresh_banners(window)

    replay.on_change(on_mode)
    try:
        loop = asyncio.get_event_loop_policy().get_event_loop()
    except RuntimeError:
        loop = None
    if loop is not None and loop.is_running():      # the wall's qasync loop; tests without one drive tick()
        tasks = getattr(app, "_tasks", None)
        task = loop.create_task(replay.run(), name="replay")
        if isinstance(tasks, list):
            tasks.append(task)                      # cancelled with the wall's other tasks
    return replay


def _windows(app: Any) -> list[Any]:
    wins = getattr(app, "windows", None)
    if isinstance(wins, dict):
        return list(wins.values())
    w = getattr(app, "window", None)
    return [w] if w is not None else []


def refresh_banners(window: Any) -> None:
    for b in window.findChildren(ReplayBanner):
        if b.replay is None:
            b.replay = ReplayController.for_live(window.live)
        b.refresh()
