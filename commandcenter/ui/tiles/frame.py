"""A pyqtgraph PlotWidget that draws its scene once and copies that frame until the scene changes.

A chart on the wall changes when its data does (the KPI tile: once per KPI refresh), but it is repainted far
more often: every full repaint of the window (a banner appearing, the layout settling, a 4K `render()`) and any
update of a widget over it. Drawing a chart is axes text, tick lines, curves and symbols through
QGraphicsView, milliseconds a chart; copying its last frame is a single
image blit. The frame is dropped whenever the scene reports a change (any item's update, which is how
pyqtgraph redraws after setData, a range change, new ticks or fonts), when the view is resized and when the
owner says so (`invalidate`).

The first paint after a change draws the scene straight onto the viewport, as a plain PlotWidget does: a view
that changes on every paint (the map recolouring during a burst) pays nothing extra. Only a second paint with
nothing changed in between draws the frame (the scene into an image, then the copy), and later ones copy it.
"""
from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QCoreApplication, QEvent, QRectF, Qt
from PySide6.QtGui import QImage, QPainter, QPaintEvent, QResizeEvent
from PySide6.QtWidgets import QGraphicsView

from .base import viewport_image


class FramedPlotWidget(pg.PlotWidget):
    """pg.PlotWidget whose viewport shows a cached frame of the scene; `frames_drawn` counts fresh draws."""

    def __init__(self, *args, **kwargs):
        self._frame: QImage | None = None
        self._painted = False            # painted (straight) since the last change
        self.frames_drawn = 0
        super().__init__(*args, **kwargs)
        # the frame covers the whole viewport: no background fill under it
        self.viewport().setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, True)
        self.scene().changed.connect(self._scene_changed)

    def invalidate(self) -> None:
        """Drop the frame (the next paint draws the scene) and schedule a paint."""
        self._frame = None
        self._painted = False
        self.viewport().update()

    def _scene_changed(self, _regions) -> None:
        if self._frame is not None or self._painted:
            self.invalidate()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt naming)
        self._frame = None
        self._painted = False
        super().resizeEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt naming)
        vp = self.viewport()
        dpr = vp.devicePixelRatioF()
        w, h = vp.width(), vp.height()
        if w <= 0 or h <= 0:
            return
        # the scene reports item updates through queued calls: take them now, so a paint straight after a change
        # (a synchronous repaint, grab or render) does not show the frame from before it
        QCoreApplication.sendPostedEvents(self.scene(), QEvent.Type.MetaCall)
        frame = self._frame
        if frame is not None and (frame.width() != round(w * dpr) or frame.height() != round(h * dpr)):
            frame = self._frame = None
        if frame is None and not self._painted:
            self._painted = True
            super().paintEvent(event)             # the first paint since a change: straight onto the viewport
            return
        if frame is None:
            scene = self.scene()
            scene.prepareForPaint()               # pyqtgraph: view boxes settle their ranges before drawing
            frame = viewport_image(vp, w, h)
            frame.fill(Qt.GlobalColor.transparent)
            painter = QPainter(frame)
            QGraphicsView.render(self, painter, QRectF(0, 0, w, h), vp.rect())
            painter.end()
            self.frames_drawn += 1
            self._frame = frame
        painter = QPainter(vp)
        painter.drawImage(0, 0, frame)
        painter.end()
