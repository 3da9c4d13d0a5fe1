"""One camera connection on a thread of its own: its QMediaPlayer, its QVideoSink, and the frame conversion.

The GUI thread never touches a media player. Each connection's player and sink live on their own QThread, where
each new frame is converted to an image the size it is painted at (conversion and scaling are the costly part of
showing video without a GPU; ui/video_convert.py does both without holding the GIL), and only that image crosses
to the GUI thread, one at a time: while the GUI has not taken the last one, newer frames are skipped rather than
queued. The connection's thread, and the decoder threads its player starts, run at a lower priority than the GUI
thread: when the cores are short, a frame waits rather than the wall's paint. Ending a connection destroys its player on
its thread too: a player's destructor waits for its demuxer, which may sit in a read from a server that went
silent, and that wait must never be the GUI thread's (the wall would freeze with the stream).
"""
from __future__ import annotations

import ctypes
import functools
import logging
import os
import sys
import threading
import time
from pathlib import Path

import shiboken6
from PySide6.QtCore import QCoreApplication, QMetaObject, QObject, QSize, Qt, QThread, QUrl, Signal, Slot
from PySide6.QtGui import QImage
from PySide6.QtMultimedia import QMediaPlayer, QPlaybackOptions, QVideoFrame, QVideoSink

from .video_convert import frame_to_image, scaled_to_fit

log = logging.getLogger("commandcenter.ui.video")

NETWORK_TIMEOUT_MS = 3000  # a read from a silent server gives up after this
# FFmpeg's stream probe stops once it has read this much: a live camera's first keyframe already tells the decoder
# all it needs, and the default (5 MB or 5 s of stream) makes the player wait for a second of live packets
PROBE_BYTES = 4096
QUIT_WAIT_MS = 2 * NETWORK_TIMEOUT_MS
AV_LOG_ERROR = 16
MEDIA_NICE_STEP = 10       # how much lower than the GUI thread a connection's threads are scheduled (Linux nice)
# One player created at a time: the first one starts Qt's media backend, and a thread waiting for that start inside
# Qt holds the GIL, which the starting thread needs if a Python Qt message handler (pytest-qt's) takes its log line
_CREATING = threading.Lock()


@functools.cache
def quiet_ffmpeg_log() -> None:
    """FFmpeg prints every segment it opens to stderr at its default level: errors only (once the backend loaded
    libavutil, which the first QMediaPlayer does)."""
    import PySide6

    libs = sorted((Path(PySide6.__file__).parent / "Qt" / "lib").glob("libavutil.so.*"))
    try:
        ctypes.CDLL(str(libs[0])).av_log_set_level(AV_LOG_ERROR)
    except (IndexError, OSError, AttributeError):
        log.info("FFmpeg's log level left as it is (no libavutil beside Qt)")


def yield_to_the_gui() -> None:
    """The calling thread, and every thread it starts from now on (they inherit it), runs only on a core nothing else
    wants (SCHED_IDLE): when cores are short a frame waits, never the wall's paint. Where that is refused,
    `MEDIA_NICE_STEP` nice levels lower. Linux only: there a policy and a nice value belong to one thread; elsewhere
    they would lower the whole process."""
    if sys.platform != "linux":
        return
    tid = threading.get_native_id()
    try:
        os.sched_setscheduler(tid, os.SCHED_IDLE, os.sched_param(0))
        return
    except OSError as exc:
        log.info("camera stream not on idle cores only: %s", exc)
    try:
        os.setpriority(os.PRIO_PROCESS, tid, min(19, os.getpriority(os.PRIO_PROCESS, tid) + MEDIA_NICE_STEP))
    except OSError as exc:
        log.info("camera stream left at the GUI's priority: %s", exc)


def playback_options() -> QPlaybackOptions:
    """Live previews: a short stream probe, and network reads that give up instead of waiting forever. The intent
    stays Playback: LowLatencyStreaming drops the packets the probe read (FFmpeg's `nobuffer`), so the first frame
    waited for the stream's next keyframe, a whole keyframe interval, and the small probe leaves nothing to buffer."""
    options = QPlaybackOptions()
    options.setProbeSize(PROBE_BYTES)
    options.setNetworkTimeout(NETWORK_TIMEOUT_MS)
    return options


class _Connection(QObject):
    """Lives on the connection's thread: plays `url` into a sink and hands each frame on as an image."""

    image_ready = Signal(QImage, int)       # the frame as painted, its stream time (µs)
    failed = Signal(str)

    def __init__(self, url: str) -> None:
        super().__init__()
        self.url = url
        self.size = QSize()                 # the size the image is painted at (set from the GUI thread)
        self.in_flight = False              # an image the GUI thread has not taken yet
        self._player: QMediaPlayer | None = None

    @Slot()
    def open(self) -> None:
        yield_to_the_gui()                  # before the player starts its demuxer and decoder threads
        with _CREATING:                     # waits without the GIL
            quiet_ffmpeg_log()
            player = QMediaPlayer(self)
        player.setPlaybackOptions(playback_options())
        sink = QVideoSink(player)
        sink.videoFrameChanged.connect(self._on_frame)
        player.setVideoSink(sink)
        player.errorOccurred.connect(self._on_error)
        self._player = player
        player.setSource(QUrl(self.url))
        player.play()

    @Slot()
    def close(self) -> None:
        player, self._player = self._player, None
        if player is not None:
            shiboken6.delete(player)        # here, on this thread: it may wait for its demuxer's read
        thread = self.thread()
        thread.quit()

    def _on_frame(self, frame: QVideoFrame) -> None:
        if self.in_flight or self._player is None or not frame.isValid():
            return
        image = frame_to_image(frame)
        if image.isNull():
            return
        size = self.size
        if size.width() > 0 and size.height() > 0 and image.size() != size:
            image = scaled_to_fit(image, size)
        self.in_flight = True
        self.image_ready.emit(image, frame.startTime())

    def _on_error(self, error: QMediaPlayer.Error, message: str) -> None:
        if error != QMediaPlayer.Error.NoError:
            self.failed.emit(message or str(error))


class Stream:
    """A handle the GUI thread holds on one connection: start it, size its images, end it (never waits)."""

    def __init__(self, url: str, name: str) -> None:
        self.thread = QThread()
        self.thread.setObjectName(f"camera {name}")
        self.connection = _Connection(url)
        self.connection.moveToThread(self.thread)
        self.thread.started.connect(self.connection.open)
        self.image_ready = self.connection.image_ready
        self.failed = self.connection.failed

    def start(self) -> None:
        _janitor()
        _LIVE.add(self)                 # held until ended: a running QThread must never be collected
        self.thread.start()

    def resize(self, size: QSize) -> None:
        self.connection.size = QSize(size)

    def took_image(self) -> None:
        """The GUI thread has the last image: the next frame may be converted."""
        self.connection.in_flight = False

    def end(self) -> None:
        """Stop delivering and end the connection on its thread; returns at once."""
        for signal in (self.image_ready, self.failed):
            try:
                signal.disconnect()
            except (RuntimeError, TypeError):
                pass
        if self not in _LIVE:
            return
        _LIVE.discard(self)
        _ENDING.add(self)
        self.thread.finished.connect(_janitor().collect)
        QMetaObject.invokeMethod(self.connection, "close", Qt.ConnectionType.QueuedConnection)


_LIVE: set[Stream] = set()         # started and not ended
_ENDING: set[Stream] = set()       # ended streams whose thread has not finished yet (their objects must live)


class _Janitor(QObject):
    """On the GUI thread: lets go of ended streams once their threads have finished; at quit, waits for them."""

    @Slot()
    def collect(self) -> None:
        for stream in [s for s in _ENDING if s.thread.isFinished()]:
            stream.thread.wait()
            _ENDING.discard(stream)

    @Slot()
    def at_quit(self) -> None:
        for stream in list(_LIVE):
            stream.end()
        deadline = time.monotonic() + QUIT_WAIT_MS / 1000    # one budget for all: they end in parallel
        for stream in list(_ENDING):
            left_ms = max(0, int((deadline - time.monotonic()) * 1000))
            if not stream.thread.wait(left_ms):
                # destroying a running QThread aborts the process: this one is left to the process's exit
                log.warning("camera stream %s did not end within %d ms", stream.thread.objectName(), QUIT_WAIT_MS)
                ctypes.pythonapi.Py_IncRef(ctypes.py_object(stream.thread))
        self.collect()


@functools.cache
def _janitor() -> _Janitor:
    janitor = _Janitor()
    app = QCoreApplication.instance()
    if app is not None:
        app.aboutToQuit.connect(janitor.at_quit)
    return janitor


def end_all(streams: list[Stream]) -> None:
    for stream in streams:
        stream.end()


def ending() -> int:
    """How many ended streams are still letting go of their connection (tests, the bench)."""
    _janitor().collect()
    return len(_ENDING)
