"""Playing one camera: QtMultimedia's FFmpeg backend decodes on its own threads, the frame is converted and scaled
on the stream's own thread (ui/video_stream.py), and the wall keeps the newest image and paints it (so a grab, a
snapshot or the offscreen renderer shows what is playing).

A `CameraPlayer` asks the camera directory for a preview URL, plays it, and watches it: no new frame for
`STALL_S` seconds is a stall; a stall or an error reconnects by itself (asking for the URL again, so an expired
URL or a camera switched off is found out), with a growing pause between attempts. A camera the catalogue or
the platform says is offline shows as offline and is retried all the same.
"""
from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import Callable
from datetime import datetime
from enum import StrEnum

os.environ.setdefault("QT_MEDIA_BACKEND", "ffmpeg")     # before QtMultimedia loads: the backend the wall is built on
# A playlist names its segments: FFmpeg may follow them over the network only, never to a local file
os.environ.setdefault("QT_FFMPEG_PROTOCOL_WHITELIST", "http,https,tls,tcp,crypto,rtsp,rtp,udp")

from PySide6.QtCore import QObject, QRectF, QSize, Qt, QTimer, Signal  # noqa: E402
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPaintEvent, QResizeEvent  # noqa: E402
from PySide6.QtWidgets import QSizePolicy, QWidget  # noqa: E402

from ..domain.cameras import Camera, CameraStatus  # noqa: E402
from ..feeds.base import FeedError  # noqa: E402
from ..services.cameras import CameraDirectory, UnknownCamera  # noqa: E402
from . import format as fmt  # noqa: E402
from . import theme  # noqa: E402
from .noop import QT_TRANSLATE_NOOP  # noqa: E402
from .video_stream import Stream, end_all  # noqa: E402

log = logging.getLogger("commandcenter.ui.video")

STALL_S = 1.5              # no frame for this long: stalled (shown, and a reconnect starts)
OPEN_S = 12.0              # a stream's first frame may take this long (its encoder may start on demand)
WATCH_INTERVAL_MS = 500
RETRY_FIRST_S = 1.0
RETRY_CAP_S = 10.0


class PlayState(StrEnum):
    IDLE = "idle"
    CONNECTING = "connecting"
    PLAYING = "playing"
    STALLED = "stalled"
    OFFLINE = "offline"
    FAILED = "failed"


STATE_LABELS: dict[PlayState, str] = {
    PlayState.IDLE: QT_TRANSLATE_NOOP("CameraView", "未分配"),
    PlayState.CONNECTING: QT_TRANSLATE_NOOP("CameraView", "连接中"),
    PlayState.PLAYING: QT_TRANSLATE_NOOP("CameraView", "直播"),
    PlayState.STALLED: QT_TRANSLATE_NOOP("CameraView", "画面中断 · 重连中"),
    PlayState.OFFLINE: QT_TRANSLATE_NOOP("CameraView", "离线"),
    PlayState.FAILED: QT_TRANSLATE_NOOP("CameraView", "无法播放 · 重试中"),
}


class CameraPlayer(QObject):
    """One camera's stream (ui/video_stream.py); `frame_changed` for each new image, `state_changed` on each state."""

    frame_changed = Signal()
    state_changed = Signal(str)

    def __init__(self, directory: CameraDirectory | None, parent: QObject | None = None,
                 protocol: str = "hls") -> None:
        super().__init__(parent)
        self.directory = directory
        self.protocol = protocol
        self.camera_id = ""
        self.state = PlayState.IDLE
        self.reason = ""
        self.frames = 0
        self.first_frame_s: float | None = None     # from `play` to the first frame (the bench reads it)
        self.first_pts_us = -1                       # the stream times of the first and newest frames
        self.last_pts_us = -1
        self._image: QImage | None = None            # the newest frame, converted on the stream's thread
        self._size = QSize()                         # the size it is painted at
        self._last_frame_at = 0.0
        self._opened_at = 0.0                        # when the current stream was given its URL
        self._flowing = False                        # the current stream has delivered a frame
        self._asked_at = 0.0
        self._retry_s = RETRY_FIRST_S
        self._next_try = 0.0
        self._stream: Stream | None = None
        self._held: list[Stream] = []                # the current stream, for the end at this object's destruction
        self._connecting: asyncio.Future[None] | None = None
        self._watch = QTimer(self, interval=WATCH_INTERVAL_MS)
        self._watch.timeout.connect(self._check)
        held = self._held
        self.destroyed.connect(lambda *_: end_all(held))

    # --- what the wall asks ----------------------------------------------------------------------
    def play(self, camera_id: str) -> None:
        """Play `camera_id` (from scratch, even if it is the one playing)."""
        self.stop()
        self.camera_id = camera_id
        self._asked_at = time.monotonic()
        self.first_frame_s = None
        self._retry_s = RETRY_FIRST_S
        self._watch.start()
        self._connect_soon()

    def stop(self) -> None:
        self._watch.stop()
        if self._connecting is not None:
            self._connecting.cancel()
            self._connecting = None
        self._drop_stream()
        self.camera_id = ""
        self._image = None
        self._set_state(PlayState.IDLE)

    @property
    def camera(self) -> Camera | None:
        return self.directory.camera(self.camera_id) if self.directory is not None and self.camera_id else None

    def image(self) -> QImage | None:
        """The newest frame, as large as it is painted (or as the stream sends it before the first paint)."""
        return self._image

    def set_view_size(self, size: QSize) -> None:
        """Frames are converted to this size (on the stream's thread), so painting them is a copy."""
        self._size = QSize(size)
        if self._stream is not None:
            self._stream.resize(self._size)

    @property
    def opened(self) -> bool:
        """A media player has been given the camera's stream (frames may not have come yet)."""
        return self._stream is not None

    @property
    def seconds_since_frame(self) -> float | None:
        return time.monotonic() - self._last_frame_at if self._last_frame_at else None

    # --- the stream -----------------------------------------------------------------------------
    def _connect_soon(self) -> None:
        if self.directory is None:
            self._fail(PlayState.FAILED, "no camera feed configured")
            return
        if self._connecting is None or self._connecting.done():
            self._connecting = asyncio.ensure_future(self._connect())

    async def _connect(self) -> None:
        camera_id = self.camera_id
        if self.state not in (PlayState.STALLED, PlayState.OFFLINE, PlayState.FAILED):
            self._set_state(PlayState.CONNECTING)
        if self.directory is None:
            self._fail(PlayState.FAILED, "no camera feed configured")
            return
        protocol = self.protocol
        camera = self.camera
        if camera is not None and protocol not in camera.protocols and camera.protocols:
            protocol = camera.protocols[0]            # the camera does not offer the wall's choice
        self.directory.forget_preview(camera_id, protocol)      # a new attempt asks for a fresh URL
        try:
            preview = await self.directory.preview(camera_id, protocol)
        except UnknownCamera:
            self._fail(PlayState.FAILED, f"camera {camera_id} is not in the catalogue")
            return
        except FeedError as exc:
            offline = "409" in str(exc) or (self.camera is not None and self.camera.status is CameraStatus.OFFLINE)
            self._fail(PlayState.OFFLINE if offline else PlayState.FAILED, str(exc))
            return
        if camera_id != self.camera_id:
            return
        self._drop_stream()
        stream = Stream(preview.url, camera_id)
        stream.resize(self._size)
        stream.image_ready.connect(self._on_image)
        stream.failed.connect(self._on_error)
        self._stream = stream
        self._held.append(stream)
        self._opened_at = time.monotonic()
        self._flowing = False
        stream.start()

    def _drop_stream(self) -> None:
        stream, self._stream = self._stream, None
        if stream is not None:
            self._held.remove(stream)
            stream.end()                  # on its own thread: a silent server holds that thread, never this one

    def _on_image(self, image: QImage, start_us: int) -> None:
        stream = self._stream
        if stream is None or self.sender() is not stream.connection:
            return                        # a late image of a stream already dropped
        stream.took_image()
        self._image = image
        self._flowing = True
        self._last_frame_at = time.monotonic()
        self.frames += 1
        self.last_pts_us = start_us
        if self.first_frame_s is None:
            self.first_frame_s = self._last_frame_at - self._asked_at
            self.first_pts_us = start_us
        self._retry_s = RETRY_FIRST_S
        if self.state is not PlayState.PLAYING:
            self.reason = ""
            self._set_state(PlayState.PLAYING)
        self.frame_changed.emit()

    def _on_error(self, message: str) -> None:
        self._fail(PlayState.FAILED, message)

    def _fail(self, state: PlayState, reason: str) -> None:
        self.reason = reason
        self._drop_stream()
        self._next_try = time.monotonic() + self._retry_s
        self._retry_s = min(RETRY_CAP_S, self._retry_s * 2)
        self._set_state(state)

    def _check(self) -> None:
        """Every half second: a stall found, a retry due started."""
        if not self.camera_id:
            return
        now = time.monotonic()
        silent = now - self._last_frame_at > STALL_S if self._flowing else now - self._opened_at > OPEN_S
        if self._stream is not None and silent:
            camera = self.camera
            offline = camera is not None and camera.status is CameraStatus.OFFLINE
            self._fail(PlayState.OFFLINE if offline else PlayState.STALLED, "no frame")
            self._next_try = now            # the first reconnect of a stall is at once
        elif self._stream is None and (self._connecting is None or self._connecting.done()) \
                and now >= self._next_try:
            self._connect_soon()

    def _set_state(self, state: PlayState) -> None:
        if state is not self.state:
            self.state = state
            self.state_changed.emit(state.value)


class CameraView(QWidget):
    """One camera on the wall: its newest frame, and over it its name, its state and the time."""

    clicked = Signal(str)

    def __init__(self, player: CameraPlayer, clock: Callable[[], datetime], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.player = player
        self.clock = clock
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, True)
        player.frame_changed.connect(self.update)
        player.state_changed.connect(lambda _s: self.update())
        self._tick = QTimer(self, interval=1000)       # the time on the cell moves even when the picture stops
        self._tick.timeout.connect(self.update)
        self._tick.start()

    def state_text(self) -> str:
        return self.tr(STATE_LABELS[self.player.state])

    def name_text(self) -> str:
        camera = self.player.camera
        if camera is not None:
            return fmt.feed_text(camera.name)
        return fmt.feed_text(self.player.camera_id) or self.tr("未分配")

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt naming)
        super().resizeEvent(event)
        self.player.set_view_size(event.size() * self.devicePixelRatio())

    def mousePressEvent(self, event: object) -> None:  # noqa: N802 (Qt naming)
        if self.player.camera_id:
            self.clicked.emit(self.player.camera_id)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt naming)
        painter = QPainter(self)
        rect = QRectF(self.rect())
        painter.fillRect(rect, theme.VIDEO_BACKGROUND)
        image = self.player.image() if self.player.state in (PlayState.PLAYING, PlayState.STALLED) else None
        if image is not None:
            # the stream's thread scaled it to this view already; until then (or after a resize) a quick scale
            scaled = image.size().scaled(self.size(), Qt.AspectRatioMode.KeepAspectRatio)
            target = QRectF((rect.width() - scaled.width()) / 2, (rect.height() - scaled.height()) / 2,
                            scaled.width(), scaled.height())
            painter.drawImage(target, image)
        font = QFont(self.font())
        font.setPointSizeF(max(6.0, min(rect.height() / 14, rect.width() / 24) * 0.75))
        painter.setFont(font)
        band = painter.fontMetrics().height() + 8
        state = self.player.state
        colour = {PlayState.PLAYING: theme.VIDEO_LIVE, PlayState.OFFLINE: theme.VIDEO_OFFLINE,
                  PlayState.STALLED: theme.VIDEO_STALLED, PlayState.FAILED: theme.VIDEO_STALLED
                  }.get(state, theme.TEXT_DIM)
        top = QRectF(rect.left(), rect.top(), rect.width(), band)
        bottom = QRectF(rect.left(), rect.bottom() - band, rect.width(), band)
        painter.fillRect(top, theme.VIDEO_CAPTION)
        painter.fillRect(bottom, theme.VIDEO_CAPTION)
        painter.setPen(theme.TEXT)
        inner = top.adjusted(8, 0, -8, 0)
        painter.drawText(inner, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, self.name_text())
        painter.setPen(colour)
        painter.drawText(bottom.adjusted(8, 0, -8, 0), Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                         f"● {self.state_text()}")
        painter.setPen(theme.TEXT)
        painter.drawText(bottom.adjusted(8, 0, -8, 0), Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight,
                         fmt.hhmmss(self.clock()))
        if image is None and state is not PlayState.IDLE:
            painter.setPen(QColor(colour))
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, self.state_text())
        painter.setPen(theme.PANEL_BORDER)
        painter.drawRect(rect.adjusted(0, 0, -1, -1))
        painter.end()
