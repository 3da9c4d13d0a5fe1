"""The incident feed tile: a table view over IncidentTableModel; a click opens the incident's details."""
from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from ...services import LiveState
from ..models.incidents import ID_ROLE, IncidentTableModel
from .base import Tile, fit_columns_on_resize, plain_label


class IncidentTile(Tile):
    kind = "incidents"
    incident_activated = Signal(str)

    def __init__(self, live: LiveState, model: IncidentTableModel, *, title: str = "", feeds: list[str] | None = None,
                 parent: QWidget | None = None):
        super().__init__(live, title or self.tr("事件实时动态"), feeds=feeds, parent=parent)
        self.model = model
        self.view = QTableView()
        self.view.setModel(model)
        self.view.setAlternatingRowColors(True)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setWordWrap(False)
        self.view.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.view.verticalHeader().hide()
        self.view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        self.view.clicked.connect(self._on_activated)
        self.view.activated.connect(self._on_activated)
        # refit when the table itself is resized (the tile's resizeEvent runs before the layout moved the table)
        self._fitter = fit_columns_on_resize(self.view, (0.16, 0.10, 0.10, 0.28, 0.12, 0.09, 0.08, 0.07))
        self._count = plain_label()
        self.body.addWidget(self.view, 1)
        self.body.addWidget(self._count)
        model.incident_count_changed.connect(self._on_count)
        self._on_count(model.rowCount())

    def set_filter(self, flt) -> None:
        """Territory node / category / status / source (models.incidents.IncidentFilter), e.g. from the console."""
        self.model.set_filter(flt)

    def _on_count(self, n: int) -> None:
        self._count.setText(self.tr("在办及近两小时办结：%n 件", "", n).replace("%n", f"{n:,}"))

    def _on_activated(self, index: QModelIndex) -> None:
        if index.isValid():
            self.incident_activated.emit(self.model.data(index, ID_ROLE))

    def apply_font_size(self, points: int) -> None:
        super().apply_font_size(points)
        font = QFont(self.view.font())
        font.setPointSize(points)
        self.view.setFont(font)
        self.view.horizontalHeader().setFont(font)
        self._count.setFont(font)
        self.view.verticalHeader().setDefaultSectionSize(round(points * 2.2))
        self._fit_columns()

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt naming)
        super().resizeEvent(event)
        self._fit_columns()

    def _fit_columns(self) -> None:
        """Give the title the room left over after the fixed-width columns; no horizontal scrolling on a wall."""
        self._fitter.fit()
