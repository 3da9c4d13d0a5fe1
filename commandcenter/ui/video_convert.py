"""A camera frame to the image the wall paints, without holding Python's GIL.

PySide6 keeps the GIL through `QVideoFrame.toImage()` and `QImage.scaled()`: a stream thread converting its frames
held it for most of each frame's conversion, and the GUI thread, which needs the GIL for every Python paint
override, waited for it in the middle of painting the wall. Calling the same two Qt functions through ctypes
releases the GIL for the call (ctypes.CDLL does), so the conversion runs beside the GUI thread instead of
blocking it.

The direct calls follow the Itanium C++ ABI on x86-64 Linux (an object returned by value is written to a buffer
whose address is passed before `this`); elsewhere, or if Qt's libraries are not where PySide6 keeps them, the
PySide6 calls are used as before. The seam is named in tests/test_private_seams.py.
"""
from __future__ import annotations

import ctypes
import functools
import logging
import platform
import sys
from pathlib import Path
from typing import cast

import shiboken6
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QImage
from PySide6.QtMultimedia import QVideoFrame

log = logging.getLogger("commandcenter.ui.video")

IMAGE_BUFFER_BYTES = 64             # room for a QImage (32 bytes in Qt 6 on 64-bit)
TO_IMAGE = "_ZNK11QVideoFrame7toImageEv"                                                      # QVideoFrame::toImage() const
SCALED = "_ZNK6QImage6scaledERK5QSizeN2Qt15AspectRatioModeENS3_18TransformationModeE"         # QImage::scaled(...) const
IMAGE_DESTRUCTOR = "_ZN6QImageD1Ev"                                                           # QImage::~QImage()


class _QtCalls:
    """The three Qt functions, called with the GIL released."""

    def __init__(self, lib: Path) -> None:
        multimedia = ctypes.CDLL(str(lib / "libQt6Multimedia.so.6"))
        gui = ctypes.CDLL(str(lib / "libQt6Gui.so.6"))
        pointer = ctypes.c_void_p
        self.to_image = multimedia[TO_IMAGE]
        self.to_image.argtypes, self.to_image.restype = [pointer, pointer], None
        self.scaled = gui[SCALED]
        self.scaled.argtypes, self.scaled.restype = [pointer, pointer, pointer, ctypes.c_int, ctypes.c_int], None
        self.destroy = gui[IMAGE_DESTRUCTOR]
        self.destroy.argtypes, self.destroy.restype = [pointer], None


@functools.cache
def _qt_calls() -> _QtCalls | None:
    if sys.platform != "linux" or platform.machine() != "x86_64":
        return None
    import PySide6

    try:
        return _QtCalls(Path(PySide6.__file__).parent / "Qt" / "lib")
    except (OSError, AttributeError) as exc:
        log.info("frames converted through PySide6 (Qt's libraries not callable directly: %s)", exc)
        return None


def _adopt(calls: _QtCalls, buffer: ctypes.Array[ctypes.c_char]) -> QImage:
    """A Python QImage sharing the pixels of the QImage Qt wrote into `buffer`, which is then destroyed."""
    address = ctypes.addressof(buffer)
    view = cast(QImage, shiboken6.wrapInstance(address, QImage))
    image = QImage(view)            # shares the pixels (Qt's implicit sharing), owned by Python
    shiboken6.invalidate(view)
    calls.destroy(address)
    return image


def frame_to_image(frame: QVideoFrame) -> QImage:
    """`frame.toImage()`, the GIL released while Qt converts."""
    calls = _qt_calls()
    if calls is None:
        return frame.toImage()
    buffer = ctypes.create_string_buffer(IMAGE_BUFFER_BYTES)
    calls.to_image(ctypes.addressof(buffer), shiboken6.getCppPointer(frame)[0])
    return _adopt(calls, buffer)


def scaled_to_fit(image: QImage, size: QSize) -> QImage:
    """`image` scaled smoothly to fit `size` (its aspect kept), the GIL released while Qt scales."""
    calls = _qt_calls()
    if calls is None:
        return image.scaled(size, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation)
    buffer = ctypes.create_string_buffer(IMAGE_BUFFER_BYTES)
    calls.scaled(ctypes.addressof(buffer), shiboken6.getCppPointer(image)[0], shiboken6.getCppPointer(size)[0],
                 Qt.AspectRatioMode.KeepAspectRatio.value, Qt.TransformationMode.SmoothTransformation.value)
    return _adopt(calls, buffer)
