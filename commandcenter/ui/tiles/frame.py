"""A pyqtgraph PlotWidget that draws its scene once and copies that frame until the scene changes.

A chart on the wall changes when its data does (the KPI tile: once per KPI refresh), but it is repainted far
more often: every full repaint of the window (a banner appearing, the layout settling, a 4K `render()`) and any
update of a widget over it. Drawing a chart is axes text, tick lines, curves and symbols through
QGraphicsView (≈2-3.5 ms each for the KPI charts at 4K, 11 ms for the five); copying its last frame is a single
image blit. The frame is dropped whenever the scene reports a change (any item's update, which is how
pyqtgraph redraws after setData, a range change, new ticks or fonts), when the view is resized and when the
owner says so (`invalidate`), so a new frame is drawn on the next paint.
"""
from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QImage, QPainter, QPaintEvent, QResizeEvent
from PySide6.QtWidgets import QGraphicsView


class FramedPlotWidget(pg.PlotWidget):
    """pg.PlotWidget whose viewport shows a cached frame of the scene; `frames_drawn` counts fresh draws."""

    def __init__(self, *args, **kwargs):
        self._frame: QImage | None = None
        self.frames_drawn = 0
        super().__init__(*args, **kwargs)
        # the frame covers the whole viewport: no background fill under it
        self.viewport().setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, True)
        self.scene().changed.connect(self._scene_changed)

    def invalidate(self) -> None:
        """Draw a new frame on the next paint (and schedule that paint)."""
        self._frame = None
        self.viewport().update()

    def _scene_changed(self, _regions) -> None:
        if self._frame is not None:
            self.invalidate()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt naming)
        self._frame = None
        super().resizeEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt naming)
        vp = self.viewport()
        dpr = vp.devicePixelRatioF()
        w, h = vp.width(), vp.height()
        if w <= 0 or h <= 0:
            return
        frame = self._frame
        if frame is None or frame.width() != round(w * dpr) or frame.height() != round(h * dpr):
            scene = self.scene()
            scene.prepareForPaint()               # pyqtgraph: view boxes settle their ranges before drawing
            frame = QImage(round(w * dpr), round(h * dpr), QImage.Format.Format_ARGB32_Premultiplied)
            frame.setDevicePixelRatio(dpr)
            frame.setDotsPerMeterX(round(vp.logicalDpiX() / 0.0254))
            frame.setDotsPerMeterY(round(vp.logicalDpiY() / 0.0254))
            frame.fill(Qt.GlobalColor.transparent)
            painter = QPainter(frame)
            QGraphicsView.render(self, painter, QRectF(0, 0, w, h), vp.rect())
            painter.end()
            self.frames_drawn += 1
            self._frame = frame
        painter = QPainter(vp)
        painter.drawImage(0, 0, frame)
        painter.end()
