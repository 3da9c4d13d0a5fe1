"""The resources tile: counts per kind and status (symbol + word + number) above the list; supplies under
their threshold first and marked; a click on a row opens the resource's details."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QAbstractItemView, QGridLayout, QLabel, QWidget

from ...services import LiveState
from .. import format as fmt
from .. import labels, theme
from ..models.resources import ID_ROLE, KIND_ORDER, STATUS_ORDER, low_stock, ResourceTableModel, status_text
from .base import TablePager, Tile, WallTable, plain_label


class ResourceTile(Tile):
    kind = "resources"
    resource_activated = Signal(str)

    def __init__(self, live: LiveState, model: ResourceTableModel, *, title: str = "", feeds: list[str] | None = None,
                 parent: QWidget | None = None):
        super().__init__(live, title or self.tr("应急资源"), feeds=feeds, parent=parent)
        self.model = model
        grid = QGridLayout()
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(2)
        self._count_labels: dict[tuple[int, int], QLabel] = {}
        self._all_labels: list[QLabel] = []
        corner = plain_label("")
        corner.setStyleSheet("background: transparent;")
        grid.addWidget(corner, 0, 0)
        for c, status in enumerate(STATUS_ORDER, start=1):
            h = plain_label(status_text(status))
            h.setStyleSheet(f"color: {theme.RESOURCE_COLOURS[status].name()}; background: transparent;")
            h.setAlignment(Qt.AlignmentFlag.AlignRight)
            grid.addWidget(h, 0, c)
            self._all_labels.append(h)
        for r, kind in enumerate(KIND_ORDER, start=1):
            k = plain_label(labels.name(kind))
            grid.addWidget(k, r, 0)
            self._all_labels.append(k)
            for c in range(1, len(STATUS_ORDER) + 1):
                n = plain_label("0")
                n.setAlignment(Qt.AlignmentFlag.AlignRight)
                grid.addWidget(n, r, c)
                self._count_labels[(r - 1, c - 1)] = n
                self._all_labels.append(n)
        self.low_label = plain_label()
        self.low_label.setStyleSheet(f"color: {theme.ALARM_TEXT.name()}; background: transparent;")
        # a narrow tile drops the kind, then the place; name, status and quantity/threshold stay
        self.view = WallTable(model, (0.12, 0.27, 0.16, 0.17, 0.28), self.resource_activated.emit, ID_ROLE,
                              priorities=(2, 0, 0, 3, 1))
        for label in self._all_labels:
            if not label.styleSheet():
                label.setStyleSheet("background: transparent;")
        # More rows than fit: the table pages at a readable pace rather than hiding the rest (supplies under
        # their threshold sort first, so the first page always has them), with its page number beside the title.
        self.view.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerItem)
        self.page_label = plain_label()
        self.page_label.setStyleSheet(f"color: {theme.TEXT_DIM.name()}; background: transparent;")
        self.pager = TablePager(self.view, self.page_label, theme.TABLE_PAGE_SECONDS)
        self.body.addLayout(grid)
        self.body.addWidget(self.low_label)
        self.body.addWidget(self.view, 1)
        self.body.addWidget(self.page_label, 0, Qt.AlignmentFlag.AlignRight)
        model.counts_changed.connect(self._refresh_counts)
        self._refresh_counts()

    def flush(self) -> None:
        self.model.flush()

    def _refresh_counts(self) -> None:
        for (ki, si), label in self._count_labels.items():
            n = self.model.counts.get(KIND_ORDER[ki], {}).get(STATUS_ORDER[si], 0)
            label.setText(fmt.number(n))
        low = self.model.low_stock
        if low:
            names = "、".join(r.name for r in low[:3]) + ("…" if len(low) > 3 else "")
            self.low_label.setText(self.tr("{low}：{n} 项（{names}）").format(low=low_stock(), n=fmt.number(len(low)),
                                                                          names=names))
            self.low_label.show()
        else:
            self.low_label.hide()

    def count_text(self, kind, status) -> str:
        return self._count_labels[(KIND_ORDER.index(kind), STATUS_ORDER.index(status))].text()

    def apply_font_size(self, points: int) -> None:
        super().apply_font_size(points)
        font = self.view.scale(points)
        for label in self._all_labels:
            label.setFont(font)
        bold = QFont(font)
        bold.setBold(True)
        self.low_label.setFont(bold)
        self.page_label.setFont(font)
