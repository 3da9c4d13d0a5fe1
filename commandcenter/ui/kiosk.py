"""Kiosk behaviour: windows full screen and frameless on their screens, the cursor hidden when idle,
screen blanking inhibited where the desktop allows it; and the ways out: Ctrl+Q in a window, a guarded exit on a
kiosk wall (Ctrl+Alt+Q, then type "quit"), Ctrl+C and SIGTERM from the terminal."""
from __future__ import annotations

import logging
import signal
import socket
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QRect, QSocketNotifier, Qt, QTimer
from PySide6.QtGui import QFont, QFontMetrics, QKeySequence, QScreen, QShortcut
from PySide6.QtWidgets import QApplication, QFrame, QLineEdit, QVBoxLayout, QWidget

from . import theme
from .tiles.base import plain_label

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


def side_by_side(wall: QWidget, console: QWidget, wall_share: float = 0.62) -> None:
    """A windowed wall and its console on one screen: the wall on the left, the console beside it."""
    area = wall.screen().availableGeometry()
    console_width = max(int(area.width() * (1 - wall_share)), console.minimumSizeHint().width())
    split = max(area.width() // 3, area.width() - console_width)
    wall.showNormal()
    wall.setGeometry(area.x(), area.y(), split, area.height())
    console.setGeometry(area.x() + split, area.y(), area.width() - split, area.height())


# ---------------------------------------------------------------- ways out
QUIT_KEY = "Ctrl+Q"                 # a windowed wall: quits at once
KIOSK_QUIT_KEY = "Ctrl+Alt+Q"       # a kiosk wall: asks for "quit" to be typed first
CONFIRM_WORDS = frozenset({"quit", "退出"})


class ExitPrompt(QFrame):
    """A kiosk wall's guarded way out, over the window: type quit (or 退出) and Enter; Esc or 20 s cancel.

    Non-modal (a modal dialog would run a nested event loop inside the wall's qasync loop)."""

    TIMEOUT_MS = 20_000

    def __init__(self, on_quit: Callable[[], None], parent: QWidget):
        super().__init__(parent)
        self.setObjectName("exitPrompt")
        self.setStyleSheet("QFrame#exitPrompt { background: rgba(5, 10, 20, 240); border: 2px solid #ffb020; }"
                           " QLabel { background: transparent; }")
        self._on_quit = on_quit
        self.text = plain_label(self.tr("退出大屏：输入 quit 并按回车（Esc 取消）"))
        self.entry = QLineEdit()
        self.entry.returnPressed.connect(self._confirm)
        col = QVBoxLayout(self)
        col.setContentsMargins(30, 20, 30, 20)
        col.addWidget(self.text)
        col.addWidget(self.entry)
        cancel = QShortcut(QKeySequence("Escape"), self)
        cancel.activated.connect(self.cancel)
        self._timer = QTimer(self, singleShot=True, interval=self.TIMEOUT_MS)
        self._timer.timeout.connect(self.cancel)
        self.hide()

    def ask(self) -> None:
        parent = self.parentWidget()
        if parent is None:
            return
        font = QFont(self.font())             # on the wall, so sized for the room like every other text there
        font.setPixelSize(theme.text_pixel_size(parent, theme.TEXT_MIN_ARCMIN))
        self.text.setFont(font)
        self.entry.setFont(font)
        line = QFontMetrics(font).height()
        width = min(max(900, QFontMetrics(font).horizontalAdvance(self.text.text()) + 80), parent.width() - 40)
        self.setGeometry((parent.width() - width) // 2, parent.height() // 3, width, 3 * line + 60)
        self.entry.clear()
        self.show()
        self.raise_()
        self.entry.setFocus()
        self._timer.start()

    def cancel(self) -> None:
        self._timer.stop()
        self.entry.clear()
        self.hide()

    def _confirm(self) -> None:
        if self.entry.text().strip().lower() in CONFIRM_WORDS:
            self.cancel()
            self._on_quit()
        else:
            self.entry.clear()


def install_quit_keys(window: QWidget, on_quit: Callable[[], None], *, kiosk: bool) -> ExitPrompt | None:
    """Ctrl+Q quits a windowed wall. A kiosk wall is for looking at, not for a stray key: Ctrl+Alt+Q asks for
    "quit" to be typed before it ends (README, "Quitting")."""
    if not kiosk:
        QShortcut(QKeySequence(QUIT_KEY), window).activated.connect(on_quit)
        return None
    prompt = ExitPrompt(on_quit, window)
    QShortcut(QKeySequence(KIOSK_QUIT_KEY), window).activated.connect(prompt.ask)
    return prompt


class SignalQuit(QObject):
    """Ctrl+C (SIGINT) and SIGTERM end the wall cleanly. Python runs a signal handler only when it next executes
    bytecode, and while Qt waits in C++ it does not: the signal's wake-up byte on a socket pair, watched by a
    QSocketNotifier, brings the loop back into Python at once, and the handler asks the wall to quit."""

    SIGNALS = (signal.SIGINT, signal.SIGTERM)

    def __init__(self, on_quit: Callable[[], None], parent: QObject | None = None):
        super().__init__(parent)
        self._on_quit = on_quit
        self._read, self._write = socket.socketpair()
        for sock in (self._read, self._write):
            sock.setblocking(False)
        self._previous_fd = signal.set_wakeup_fd(self._write.fileno())
        self._previous = {s: signal.signal(s, self._handle) for s in self.SIGNALS}
        self._notifier = QSocketNotifier(self._read.fileno(), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._drain)
        self.received: list[int] = []

    def _handle(self, signum: int, _frame) -> None:
        self.received.append(signum)
        log.info("signal %s: quitting", signal.Signals(signum).name)
        self._on_quit()

    def _drain(self) -> None:
        try:
            while self._read.recv(64):
                pass
        except (BlockingIOError, InterruptedError):
            pass

    def stop(self) -> None:
        """Give the signals back to whoever had them (the terminal's Ctrl+C works as before)."""
        for s, handler in self._previous.items():
            signal.signal(s, handler)
        self._previous.clear()
        signal.set_wakeup_fd(self._previous_fd)
        self._notifier.deleteLater()
        for sock in (self._read, self._write):
            sock.close()
