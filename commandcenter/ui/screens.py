"""Mapping the wall's config onto the machine's screens, and noticing when screens come and go.

`plan_windows` is a pure function of the config and the screens present (index, name, geometry), so
per-screen layouts and hot-plugging are testable without real monitors.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field

from PySide6.QtCore import QObject, QRect, QTimer, Signal
from PySide6.QtGui import QGuiApplication, QScreen

from ..config import Config, PageSection

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ScreenInfo:
    index: int
    name: str
    geometry: QRect
    primary: bool = False


@dataclass
class WindowPlan:
    key: str                     # stable across reloads and hot-plugs: "screen0", "span1+2", "HDMI-1"
    section_index: int | None    # which [[screens]] entry (None: the implicit single window)
    targets: list[int | str]
    pages: list[PageSection]
    rotate_seconds: float
    screens: list[ScreenInfo] = field(default_factory=list)   # those present now; empty = not placeable
    pin: str = ""

    @property
    def placed(self) -> bool:
        return bool(self.screens) and len(self.screens) == max(1, len(self.targets))

    @property
    def geometry(self) -> QRect:
        rect = QRect()
        for s in self.screens:
            rect = rect.united(s.geometry)
        return rect


def current_screens() -> list[ScreenInfo]:
    primary = QGuiApplication.primaryScreen()
    return [ScreenInfo(i, s.name(), s.geometry(), s is primary) for i, s in enumerate(QGuiApplication.screens())]


def qscreen_of(info: ScreenInfo) -> QScreen | None:
    for s in QGuiApplication.screens():
        if s.name() == info.name and s.geometry() == info.geometry:
            return s
    return None


def _key(section_index: int, targets: list[int | str]) -> str:
    if not targets:
        return f"screen{section_index}"
    parts = [f"{t}" for t in targets]
    return ("span" if len(targets) > 1 else "screen" if isinstance(targets[0], int) else "") + "+".join(parts)


def _find(target: int | str, screens: list[ScreenInfo]) -> ScreenInfo | None:
    for s in screens:
        if (isinstance(target, int) and s.index == target) or (isinstance(target, str) and s.name == target):
            return s
    return None


def plan_windows(config: Config, screens: list[ScreenInfo], fallback_pages: list[PageSection]) -> list[WindowPlan]:
    """One plan per [[screens]] entry (or one on the primary screen when there is none)."""
    pages_by_name = {p.name: p for p in config.pages}
    all_pages = list(config.pages) or fallback_pages
    primary = next((s for s in screens if s.primary), screens[0] if screens else None)
    if not config.screens:
        return [WindowPlan("primary", None, [], all_pages, config.wall.rotate_seconds,
                           [primary] if primary else [])]
    plans: list[WindowPlan] = []
    for i, section in enumerate(config.screens):
        targets = section.targets()
        found = [_find(t, screens) for t in targets] if targets else [primary]
        present = [s for s in found if s is not None]
        pages = [pages_by_name[n] for n in section.pages] if section.pages else all_pages
        seconds = section.rotate_seconds if section.rotate_seconds is not None else config.wall.rotate_seconds
        key = _key(i, targets)
        if any(p.key == key for p in plans):
            key = f"{key}#{i}"
        plan = WindowPlan(key, i, targets, pages, seconds, present if len(present) == len(found) else [],
                          pin=section.pin)
        if not plan.placed:
            log.warning("wall window %s: screen(s) %s not present; window parked until plugged in", key, targets)
        plans.append(plan)
    return plans


class ScreenWatcher(QObject):
    """Emits `changed` (debounced) when a screen is added, removed or changes geometry."""

    changed = Signal()

    def __init__(self, debounce_ms: int = 400, parent: QObject | None = None):
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(debounce_ms)
        self._timer.timeout.connect(self.changed)
        app = _gui_app()
        app.screenAdded.connect(self._on_added)
        app.screenRemoved.connect(self._on_removed)
        app.primaryScreenChanged.connect(self._poke)
        for s in QGuiApplication.screens():
            s.geometryChanged.connect(self._poke)

    def _on_added(self, screen: QScreen) -> None:
        log.info("screen added: %s %s", screen.name(), screen.geometry())
        screen.geometryChanged.connect(self._poke)
        self._poke()

    def _on_removed(self, screen: QScreen) -> None:
        log.info("screen removed: %s", screen.name())
        self._poke()

    def _poke(self, *_args: object) -> None:
        self._timer.start()

    def stop(self) -> None:
        app = _gui_app()
        for sig, slot in ((app.screenAdded, self._on_added), (app.screenRemoved, self._on_removed),
                          (app.primaryScreenChanged, self._poke)):
            try:
                sig.disconnect(slot)
            except (RuntimeError, TypeError):
                pass
        self._timer.stop()


def _gui_app() -> QGuiApplication:
    app = QGuiApplication.instance()
    if not isinstance(app, QGuiApplication):
        raise RuntimeError("screens need the QGuiApplication")
    return app
