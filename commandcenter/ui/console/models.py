"""The console's table models: incident search results and the live alerts. Display strings are precomputed
once per refresh (painting calls data() far more often than the data changes)."""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime

from PySide6.QtCore import QAbstractTableModel, QCoreApplication, QDate, QDateTime, QLocale, QModelIndex, QPersistentModelIndex, Qt, QTime
from PySide6.QtGui import QColor

from ...domain import Alert, Incident, signal_kind
from ...domain.models import TerritoryNode
from .. import format as fmt
from .. import labels, theme
from ..models.alerts import KIND_RANK

_DISPLAY = Qt.ItemDataRole.DisplayRole
_TOOLTIP = Qt.ItemDataRole.ToolTipRole
_FG = Qt.ItemDataRole.ForegroundRole


def locale_time(dt: datetime | None) -> str:
    """A date-time in the UI language's short format (2026/11/23 17:03 · 11/23/26 5:03 PM)."""
    if dt is None:
        return ""
    t = fmt.local(dt)
    qdt = QDateTime(QDate(t.year, t.month, t.day), QTime(t.hour, t.minute, t.second))
    return QLocale().toString(qdt, QLocale.FormatType.ShortFormat)


class _RowsModel(QAbstractTableModel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self._rows: list[tuple[str, ...]] = []
        self._ids: list[str] = []
        self._colours: list[QColor | None] = []

    def headers(self) -> list[str]:  # pragma: no cover - subclasses
        raise NotImplementedError

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.headers())

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = _DISPLAY):  # noqa: N802
        if role == _DISPLAY and orientation == Qt.Orientation.Horizontal:
            return self.headers()[section]
        return super().headerData(section, orientation, role)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = _DISPLAY):
        if role in (_DISPLAY, _TOOLTIP):
            return self._rows[index.row()][index.column()]
        if role == _FG:
            colour = self._colours[index.row()]
            if colour is not None:
                return colour
        return None

    def id_at(self, row: int) -> str | None:
        return self._ids[row] if 0 <= row < len(self._ids) else None

    def row_of(self, record_id: str) -> int:
        return self._ids.index(record_id) if record_id in self._ids else -1

    def _reset(self, ids, rows, colours) -> None:
        self.beginResetModel()
        self._ids, self._colours = ids, colours
        self._rows = [tuple(fmt.feed_texts(list(row))) for row in rows]     # feed text, shown safely
        self.endResetModel()


class IncidentSearchModel(_RowsModel):
    """Search results: case number, title, category, grid (its name and community, never its code), status,
    reported at."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._grids: list[str] = []

    def headers(self) -> list[str]:
        return [QCoreApplication.translate("IncidentSearchModel", "编号"),
                QCoreApplication.translate("IncidentSearchModel", "标题"),
                QCoreApplication.translate("IncidentSearchModel", "类别"),
                QCoreApplication.translate("IncidentSearchModel", "网格"),
                QCoreApplication.translate("IncidentSearchModel", "状态"),
                QCoreApplication.translate("IncidentSearchModel", "上报时间")]

    @staticmethod
    def _row_texts(inc: Incident, territory: Mapping[str, TerritoryNode] | None) -> tuple[str, ...]:
        title = inc.title + (f" [{labels.drill_badge()}]" if inc.drill_id else "")
        return (inc.id, title, labels.name(inc.category), labels.place_name(territory or {}, inc.grid_id),
                labels.name(inc.status), locale_time(inc.reported_at))

    def set_incidents(self, incidents: Sequence[Incident],
                      territory: Mapping[str, TerritoryNode] | None = None) -> None:
        rows = [self._row_texts(inc, territory) for inc in incidents]
        self._grids = [inc.grid_id for inc in incidents]
        colours: list[QColor | None] = [None] * len(rows)
        self._reset([i.id for i in incidents], rows, colours)

    def update_incidents(self, incidents: Sequence[Incident],
                         territory: Mapping[str, TerritoryNode] | None = None) -> int:
        """Results stay live: a found incident that changed (its status, its title) shows its new state in its
        row, in place. Returns how many rows changed."""
        changed = 0
        where = {rid: row for row, rid in enumerate(self._ids)}
        for inc in incidents:
            row = where.get(inc.id, -1)
            if row < 0:
                continue
            texts = tuple(fmt.feed_texts(list(self._row_texts(inc, territory))))
            if texts != self._rows[row]:
                self._rows[row] = texts
                self._grids[row] = inc.grid_id
                changed += 1
                self.dataChanged.emit(self.index(row, 0), self.index(row, self.columnCount() - 1))
        return changed

    def grid_at(self, row: int) -> str | None:
        """The grid (its id, for pushing it to the wall) of result `row`."""
        return self._grids[row] if 0 <= row < len(self._grids) else None


class AlertListModel(_RowsModel):
    """Live signals, public warnings first (a red public warning never sinks under alarms or supervision), then
    device alarms, then supervision; the most severe first within each, with the kind and operator state."""

    def __init__(self, state_of: Callable[[str], str], parent=None):
        super().__init__(parent)
        self._state_of = state_of

    def headers(self) -> list[str]:
        return [QCoreApplication.translate("AlertListModel", "类别"),
                QCoreApplication.translate("AlertListModel", "级别"),
                QCoreApplication.translate("AlertListModel", "标题"),
                QCoreApplication.translate("AlertListModel", "类型"),
                QCoreApplication.translate("AlertListModel", "处理"),
                QCoreApplication.translate("AlertListModel", "发布时间")]

    def set_alerts(self, alerts: Sequence[Alert]) -> None:
        ordered = sorted(alerts, key=lambda a: (KIND_RANK[signal_kind(a.type)], -int(a.level),
                                                -a.issued_at.timestamp(), a.id))
        rows, colours = [], []
        for a in ordered:
            title = a.title + (f" [{labels.drill_badge()}]" if a.drill_id else "")
            rows.append((labels.name(signal_kind(a.type)), labels.signal_level(a), title, labels.signal_type(a),
                         self._state_of(a.id), locale_time(a.issued_at)))
            colours.append(QColor(theme.ALERT_COLOURS[labels.signal_colour_level(a)]))
        self._reset([a.id for a in ordered], rows, colours)
