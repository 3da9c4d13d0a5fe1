"""A camera frame becomes the image the wall paints off the GIL, pixel for pixel what PySide6's own calls make; a
camera's stream threads run below the GUI thread's priority; a new frame repaints its own cell and nothing else."""
from __future__ import annotations

import os
import platform
import sys
import threading
from datetime import datetime, UTC

import pytest
from PySide6.QtCore import QEvent, QObject, QSize, Qt
from PySide6.QtMultimedia import QVideoFrame, QVideoFrameFormat
from PySide6.QtWidgets import QWidget

from commandcenter.services import LiveState
from commandcenter.ui import video_convert
from commandcenter.ui.tiles.video import VideoTile
from commandcenter.ui.video_convert import frame_to_image, scaled_to_fit
from commandcenter.ui.video_stream import yield_to_the_gui


def yuv_frame(width: int, height: int, seed: int) -> QVideoFrame:
    """A YUV 4:2:0 frame (what the cameras' H.264 decodes to) with a different pattern in each plane."""
    frame = QVideoFrame(QVideoFrameFormat(QSize(width, height), QVideoFrameFormat.PixelFormat.Format_YUV420P))
    assert frame.map(QVideoFrame.MapMode.WriteOnly)
    for plane in range(frame.planeCount()):
        bits = frame.bits(plane)
        bits[:] = bytes((i * (plane + 3) + seed) % 256 for i in range(len(bits)))
    frame.unmap()
    return frame


def test_a_frame_is_converted_and_scaled_as_pyside_would(qapp) -> None:
    if sys.platform == "linux" and platform.machine() == "x86_64":
        assert video_convert._qt_calls() is not None, "on x86-64 Linux the conversion runs off the GIL"
    image = frame_to_image(yuv_frame(64, 36, seed=1))
    assert image == yuv_frame(64, 36, seed=1).toImage() and image.size() == QSize(64, 36)
    assert frame_to_image(yuv_frame(64, 36, seed=2)) != image, "each frame its own pixels"
    for size in (QSize(96, 54), QSize(40, 40), QSize(64, 36)):
        painted = scaled_to_fit(image, size)
        assert painted == image.scaled(size, Qt.AspectRatioMode.KeepAspectRatio,
                                       Qt.TransformationMode.SmoothTransformation)
        assert painted.width() <= size.width() and painted.height() <= size.height()
    del image
    assert not painted.isNull(), "the image owns its pixels once Qt's copy is gone"


@pytest.mark.skipif(sys.platform != "linux", reason="a thread's own scheduling policy is Linux's")
def test_a_stream_thread_and_the_threads_it_starts_run_only_on_idle_cores() -> None:
    gui = os.sched_getscheduler(threading.get_native_id())
    seen: dict[str, int] = {}

    def decoder() -> None:
        seen["decoder"] = os.sched_getscheduler(threading.get_native_id())

    def stream() -> None:
        yield_to_the_gui()
        seen["stream"] = os.sched_getscheduler(threading.get_native_id())
        started = threading.Thread(target=decoder)
        started.start()
        started.join()

    thread = threading.Thread(target=stream)
    thread.start()
    thread.join()
    assert seen == {"stream": os.SCHED_IDLE, "decoder": os.SCHED_IDLE}
    assert os.sched_getscheduler(threading.get_native_id()) == gui != os.SCHED_IDLE, "the GUI thread keeps its own"


class PaintCounter(QObject):
    """Counts the paint events each watched widget receives."""

    def __init__(self, widgets: list[QWidget]) -> None:
        super().__init__()
        self.painted: dict[int, int] = {id(w): 0 for w in widgets}
        for widget in widgets:
            widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt naming)
        if event.type() == QEvent.Type.Paint and id(watched) in self.painted:
            self.painted[id(watched)] += 1
        return False


def test_a_new_frame_repaints_its_own_camera_view_only(qtbot) -> None:
    tile = VideoTile(LiveState(), None, lambda: datetime.now(UTC), slots=4)
    qtbot.addWidget(tile)
    tile.resize(960, 600)
    tile.show()
    qtbot.waitExposed(tile)
    qtbot.wait(50)
    counter = PaintCounter([tile, *tile.views])
    tile.players[1].frame_changed.emit()            # what a player does when its stream hands it a new image
    qtbot.waitUntil(lambda: counter.painted[id(tile.views[1])] > 0)
    assert counter.painted[id(tile)] == 0, "the tile under the views is not repainted"
    assert [counter.painted[id(v)] for i, v in enumerate(tile.views) if i != 1] == [0, 0, 0]
