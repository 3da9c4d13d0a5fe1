"""Resources on the wall: teams, vehicles, supplies and people on duty.

`ResourceTableModel` (the list) and `counts` (per kind × status) are rebuilt together on a coalesced
flush; supplies under their threshold sort first and are marked with colour and a ⚠ word.
"""
from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QModelIndex, QObject, QPersistentModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QFont

from .table import WallTableModel
from ..noop import QT_TRANSLATE_NOOP
from ...domain import Resource, ResourceKind, ResourceStatus
from ...services import Change, LiveState
from .. import format as fmt
from .. import labels, theme

ID_ROLE = Qt.ItemDataRole.UserRole + 1

STATUS_SYMBOLS: dict[ResourceStatus, str] = {
    ResourceStatus.AVAILABLE: "●", ResourceStatus.DISPATCHED: "➤",
    ResourceStatus.ON_SCENE: "◆", ResourceStatus.OUT_OF_SERVICE: "✕",
}
KIND_ORDER = list(ResourceKind)
STATUS_ORDER = list(ResourceStatus)
LOW_STOCK = QT_TRANSLATE_NOOP("ResourceTableModel", "⚠ 低于阈值")
LOW_COLOUR = QColor("#ff3b3b")


def low_stock() -> str:
    return QCoreApplication.translate("ResourceTableModel", LOW_STOCK)


def status_text(status: ResourceStatus) -> str:
    return f"{STATUS_SYMBOLS[status]} {labels.name(status)}"


def quantity_text(r: Resource) -> str:
    if r.quantity is None:
        return ""
    unit = f" {r.unit}" if r.unit else ""
    text = f"{fmt.number(r.quantity)}{unit}"
    if r.threshold is not None:
        text += f" / {fmt.number(r.threshold)}"
    if r.below_threshold:
        text = f"{low_stock()} {text}"
    return text


class ResourceTableModel(WallTableModel):
    counts_changed = Signal()

    # Chinese source text, translated when shown (headerData): a language switch applies at once.
    COLUMNS = (QT_TRANSLATE_NOOP("ResourceTableModel", "类型"), QT_TRANSLATE_NOOP("ResourceTableModel", "名称"),
               QT_TRANSLATE_NOOP("ResourceTableModel", "状态"), QT_TRANSLATE_NOOP("ResourceTableModel", "位置"),
               QT_TRANSLATE_NOOP("ResourceTableModel", "数量/阈值"))
    KIND, NAME, STATUS, PLACE, QUANTITY = range(5)

    def __init__(self, live: LiveState, *, flush_ms: int = 250, include_drill: bool = True,
                 parent: QObject | None = None):
        super().__init__(parent)
        self.live = live
        self.include_drill = include_drill
        self.counts: dict[ResourceKind, dict[ResourceStatus, int]] = {}
        self.low_stock: list[Resource] = []
        self._rows: list[tuple[Resource, list[str]]] = []
        self._status_fg = {s: QBrush(c) for s, c in theme.RESOURCE_COLOURS.items()}
        self._low_fg = QBrush(LOW_COLOUR)
        self._low_bg = QBrush(QColor(255, 59, 59, 50))
        self._drill_bg = QBrush(QColor(theme.DRILL.red(), theme.DRILL.green(), theme.DRILL.blue(), 50))
        self._bold = QFont()
        self._bold.setBold(True)
        self._timer = QTimer(self, singleShot=True, interval=flush_ms)
        self._timer.timeout.connect(self.flush)
        self._unsubscribe = live.on_change(self._on_change)
        self.destroyed.connect(lambda *_: self._unsubscribe())
        self.flush()

    def _on_change(self, change: Change) -> None:
        if (change.reset or change.resources or change.territory or change.removed_resources) and not self._timer.isActive():
            self._timer.start()

    def flush(self) -> None:
        chosen = [r for r in self.live.resources.values() if self.include_drill or r.drill_id is None]
        counts = {k: {s: 0 for s in STATUS_ORDER} for k in KIND_ORDER}
        for r in chosen:
            counts[r.kind][r.status] += 1
        chosen.sort(key=lambda r: (not r.below_threshold, KIND_ORDER.index(r.kind), STATUS_ORDER.index(r.status),
                                   r.name, r.id))
        rows = []
        for r in chosen:
            name = r.name if r.drill_id is None else f"【{labels.drill_badge()}】{r.name}"
            place = (labels.place_name(self.live.territory, r.grid_id, with_parent=False) if r.grid_id
                     else QCoreApplication.translate("ResourceTableModel", "驻地") if r.lon is not None else "—")
            rows.append((r, fmt.feed_texts([labels.name(r.kind), name, status_text(r.status), place,
                                            quantity_text(r)])))
        self.beginResetModel()
        self._rows = rows
        self.endResetModel()
        self.counts = counts
        self.low_stock = [r for r in chosen if r.below_threshold]
        self.counts_changed.emit()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return QCoreApplication.translate("ResourceTableModel", self.COLUMNS[section])
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        r, texts = self._rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return texts[col]
        if role == Qt.ItemDataRole.ForegroundRole:
            if col == self.STATUS:
                return self._status_fg[r.status]
            if col == self.QUANTITY and r.below_threshold:
                return self._low_fg
            return None
        if role == Qt.ItemDataRole.BackgroundRole:
            if r.below_threshold:
                return self._low_bg
            return self._drill_bg if r.drill_id else None
        if role == Qt.ItemDataRole.FontRole and col == self.QUANTITY and r.below_threshold:
            return self._bold
        if role == ID_ROLE:
            return r.id
        return None

    def row_key(self, row: int) -> tuple:
        """Everything row `row` shows, as a hashable value (equal keys, equal cells): the views keep a drawn image
        of each row by it. Its texts, status (colour), below threshold (red, bold) and drill (background)."""
        r, texts = self._rows[row]
        return (tuple(texts), r.status, r.below_threshold, r.drill_id is not None)

    def resource_at(self, row: int) -> Resource:
        return self._rows[row][0]

    def texts_at(self, row: int) -> list[str]:
        return list(self._rows[row][1])

    def row_of(self, resource_id: str) -> int:
        return next((i for i, (r, _) in enumerate(self._rows) if r.id == resource_id), -1)
