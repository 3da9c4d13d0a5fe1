"""Where the operator console opens: on a screen of its own, never over the wall, and where the operator last
put it (remembered between runs in QSettings).

`choose_console_screen` is a pure function of the screens present, the screens the wall covers and the
remembered screen's name, so it is tested without monitors; `place_console` applies it to a window."""
from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QEvent, QObject, QRect, QSettings
from PySide6.QtGui import QScreen
from PySide6.QtWidgets import QWidget

from ..screens import ScreenInfo, current_screens, qscreen_of

#: QSettings keys: the screen the console was last on (its name) and its geometry there.
SCREEN_KEY = "console/screen"
GEOMETRY_KEY = "console/geometry"


def settings() -> QSettings:
    return QSettings("commandcenter", "console")


def choose_console_screen(screens: list[ScreenInfo], wall: Iterable[QRect], remembered: str = "") -> ScreenInfo | None:
    """The screen for the console: the remembered one if it is present and the wall does not cover it, else the
    first screen the wall does not cover (the primary first), else None (every screen shows the wall: the
    caller keeps the console beside it)."""
    wall_rects = list(wall)
    free = [s for s in screens if not any(_covers(r, s.geometry) for r in wall_rects)]
    if remembered:
        named = next((s for s in free if s.name == remembered), None)
        if named is not None:
            return named
    free.sort(key=lambda s: (not s.primary, s.index))
    return free[0] if free else None


def _covers(wall: QRect, screen: QRect) -> bool:
    """The wall shows on this screen: it covers a quarter of the screen, or the screen holds a quarter of the wall
    (a window frame's few pixels over a neighbour's edge do not count)."""
    common = wall.intersected(screen)
    area = common.width() * common.height() if not common.isEmpty() else 0
    return area * 4 >= screen.width() * screen.height() or area * 4 >= max(1, wall.width() * wall.height())


class _Remember(QObject):
    """Writes the console's screen and geometry whenever the operator moves or resizes it."""

    def __init__(self, window: QWidget, store: QSettings):
        super().__init__(window)
        self._window = window
        self._store = store
        window.installEventFilter(self)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt naming)
        if obj is self._window and event.type() in (QEvent.Type.Move, QEvent.Type.Resize) and obj.isVisible():
            remember(self._window, self._store)
        return False


def remember(window: QWidget, store: QSettings) -> None:
    screen = window.screen()
    if screen is not None:
        store.setValue(SCREEN_KEY, screen.name())
        store.setValue(GEOMETRY_KEY, window.geometry())
        store.sync()


def place_console(window: QWidget, wall_windows: Iterable[QWidget], store: QSettings | None = None) -> bool:
    """Show the console on its own screen (remembered, else the first the wall leaves free) and follow where the
    operator moves it. False when every screen shows the wall (the console is then left for the caller)."""
    store = store if store is not None else settings()
    wall_rects = [w.frameGeometry() for w in wall_windows if w.isVisible()]
    remembered = str(store.value(SCREEN_KEY, "") or "")
    info = choose_console_screen(current_screens(), wall_rects, remembered)
    screen: QScreen | None = qscreen_of(info) if info is not None else None
    if screen is None:
        _Remember(window, store)
        return False
    area = screen.availableGeometry()
    saved = store.value(GEOMETRY_KEY)
    geometry = saved if isinstance(saved, QRect) and info is not None and info.name == remembered \
        and area.contains(saved) else area
    handle = window.windowHandle()
    if handle is not None:
        handle.setScreen(screen)
    else:
        window.setScreen(screen)
    window.setGeometry(geometry)
    window.show()
    _Remember(window, store)
    return True
