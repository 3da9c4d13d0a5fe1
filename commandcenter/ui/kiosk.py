"""Kiosk behaviour: windows full screen and frameless on their screens, the cursor hidden when idle,
screen blanking inhibited where the desktop allows it."""
from __future__ import annotations

import logging

from PySide6.QtCore import QEvent, QObject, QRect, Qt, QTimer
from PySide6.QtGui import QGuiApplication, QScreen
from PySide6.QtWidgets import QApplication, QWidget

log = logging.getLogger(__name__)


def place_window(window: QWidget, screens: list[QScreen], geometry: QRect, *, kiosk: bool) -> None:
    """Put a window on its screen(s). One screen in kiosk: full screen there. Several: frameless over their union
    (showFullScreen only ever covers one screen). Wayland ignores positions, so setScreen comes right before show."""
    if kiosk:
        window.setWindowFlag(Qt.WindowType.FramelessWindowHint, True)
    if screens:
        handle = window.windowHandle()
        if handle is not None:
            handle.setScreen(screens[0])
        else:
            window.setScreen(screens[0])
    window.setGeometry(geometry)
    if kiosk and len(screens) == 1:
        window.showFullScreen()
    else:
        window.showNormal()
        window.setGeometry(geometry)


class CursorHider(QObject):
    """Blanks the cursor after `idle_s` without mouse movement; any movement brings it back."""

    def __init__(self, idle_s: float, parent: QObject | None = None):
        super().__init__(parent)
        self._hidden = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(max(1, int(idle_s * 1000)))
        self._timer.timeout.connect(self.hide_cursor)

    @property
    def hidden(self) -> bool:
        return self._hidden

    def start(self) -> None:
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)
        self._timer.start()

    def stop(self) -> None:
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
        self._timer.stop()
        self.show_cursor()

    def set_idle_seconds(self, idle_s: float) -> None:
        self._timer.setInterval(max(1, int(idle_s * 1000)))

    def hide_cursor(self) -> None:
        if not self._hidden:
            QApplication.setOverrideCursor(Qt.CursorShape.BlankCursor)
            self._hidden = True

    def show_cursor(self) -> None:
        if self._hidden:
            QApplication.restoreOverrideCursor()
            self._hidden = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() in (QEvent.Type.MouseMove, QEvent.Type.MouseButtonPress, QEvent.Type.HoverMove):
            self.show_cursor()
            self._timer.start()
        return False


class ScreenSaverInhibitor:
    """org.freedesktop.ScreenSaver.Inhibit over the session D-Bus (KDE, GNOME, most X11 desktops).

    Without QtDBus or a session bus this is a no-op that says so once in the log."""

    SERVICE = "org.freedesktop.ScreenSaver"
    PATH = "/org/freedesktop/ScreenSaver"

    def __init__(self) -> None:
        self.cookie: int | None = None
        self.reason = ""

    def inhibit(self, why: str = "video wall") -> bool:
        try:
            from PySide6.QtDBus import QDBusConnection, QDBusInterface, QDBusMessage
        except ImportError:
            self.reason = "QtDBus is not available"
            log.info("screen blanking not inhibited: %s", self.reason)
            return False
        bus = QDBusConnection.sessionBus()
        if not bus.isConnected():
            self.reason = "no D-Bus session bus"
            log.info("screen blanking not inhibited: %s", self.reason)
            return False
        iface = QDBusInterface(self.SERVICE, self.PATH, self.SERVICE, bus)
        if not iface.isValid():
            self.reason = f"{self.SERVICE} is not on the session bus"
            log.info("screen blanking not inhibited: %s", self.reason)
            return False
        reply = iface.call("Inhibit", "commandcenter", why)
        if reply.type() == QDBusMessage.MessageType.ReplyMessage and reply.arguments():
            self.cookie = int(reply.arguments()[0])
            log.info("screen blanking inhibited (cookie %s)", self.cookie)
            return True
        self.reason = reply.errorMessage() or "Inhibit failed"
        log.info("screen blanking not inhibited: %s", self.reason)
        return False

    def release(self) -> None:
        if self.cookie is None:
            return
        try:
            from PySide6.QtDBus import QDBusConnection, QDBusInterface

            iface = QDBusInterface(self.SERVICE, self.PATH, self.SERVICE, QDBusConnection.sessionBus())
            iface.call("UnInhibit", self.cookie)
        finally:
            self.cookie = None


def primary_screen() -> QScreen | None:
    return QGuiApplication.primaryScreen()


class GuiThreadGc(QObject):
    """Python's cyclic garbage collector, run on the GUI thread only.

    Left automatic, a collection runs in whatever thread happens to allocate (the store's worker, qasync's
    executor); a Qt object in a reference cycle is then destroyed off its thread, its timers cannot be
    unregistered ("QObject::~QObject: Timers cannot be stopped from another thread") and the next one to fire
    crashes the wall. The usual PySide remedy: disable automatic collection, collect from a GUI-thread timer."""

    def __init__(self, interval_ms: int = 1000, parent: QObject | None = None):
        super().__init__(parent)
        import gc

        self._gc = gc
        self._was_enabled = False
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.collect)

    def start(self) -> None:
        self._was_enabled = self._gc.isenabled()
        self._gc.disable()
        self._timer.start()

    def collect(self) -> None:
        c0, c1, c2 = self._gc.get_count()
        t0, t1, t2 = self._gc.get_threshold()
        if c0 > t0:
            self._gc.collect(2 if c2 > t2 else 1 if c1 > t1 else 0)

    def stop(self) -> None:
        self._timer.stop()
        self._gc.collect()
        if self._was_enabled:
            self._gc.enable()
