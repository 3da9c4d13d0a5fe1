"""A sensor's readings over 24 hours (pyqtgraph), with its type's alarm lines: the chart in the device's details."""
from __future__ import annotations

from datetime import datetime

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from ..domain import AlertLevel
from ..domain.sensors import DEFAULT_RULES, SensorReading, SensorType
from . import theme


class SensorChart(pg.PlotWidget):
    """x: hours before `end` (−24 … 0); y: the readings. Width-1 pens, no antialiasing (TECH-NOTES)."""

    def __init__(self, readings: list[SensorReading], kind: SensorType | None, end: datetime,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent=parent, background=theme.PANEL)
        self.setMinimumHeight(220)
        self.setMenuEnabled(False)
        self.setMouseEnabled(False, False)
        self.hideButtons()
        self.getPlotItem().showGrid(x=True, y=True, alpha=0.2)
        self.getPlotItem().setXRange(-24, 0, padding=0.01)
        x = np.array([(r.at - end).total_seconds() / 3600 for r in readings], dtype=float)
        y = np.array([r.value for r in readings], dtype=float)
        self.curve = self.plot(x, y, pen=pg.mkPen(theme.ACCENT, width=1))
        self.curve.setClipToView(True)
        self.curve.setDownsampling(auto=True, method="peak")
        self.points = len(readings)
        if kind is not None:
            for threshold, level in DEFAULT_RULES[kind].levels:
                line = pg.InfiniteLine(pos=threshold, angle=0,
                                       pen=pg.mkPen(theme.ALERT_COLOURS[AlertLevel(level)], width=1,
                                                    style=Qt.PenStyle.DashLine))
                self.addItem(line)
