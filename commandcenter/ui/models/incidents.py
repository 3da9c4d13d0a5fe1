"""The incident feed's table model: overdue first, then emergencies, then newest.

Updates from the live state are coalesced (one model reset per flush, at most a few per
second) and every cell's text and colour is computed once per flush or clock tick, so
`data()` is a tuple lookup: painting dominates, and Python `data()` calls dominate painting.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QFont

from ...domain import Category, DeadlineLevel, DeadlineState, Incident, Severity, Source, Status, deadline_state
from ...services import Change, LiveState
from .. import format as fmt
from .. import labels, theme

ID_ROLE = Qt.ItemDataRole.UserRole + 1
FLASH_SECONDS = 3.0

Clock = Callable[[], datetime]


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(slots=True)
class _Row:
    incident: Incident
    deadline: DeadlineState
    texts: list[str]
    fg: list[QBrush | None]


@dataclass
class IncidentFilter:
    """What the tile shows; empty sets mean everything."""

    grid_ids: frozenset[str] | None = None
    territory_node: str = ""            # a node of the hierarchy: only incidents in grids under it
    categories: frozenset[Category] = frozenset()
    statuses: frozenset[Status] = frozenset()
    sources: frozenset[Source] = frozenset()
    include_closed_hours: float = 2.0   # closed events stay visible this long, then leave the feed

    def accepts(self, inc: Incident, now: datetime) -> bool:
        if self.grid_ids is not None and inc.grid_id not in self.grid_ids:
            return False
        if self.categories and inc.category not in self.categories:
            return False
        if self.statuses and inc.status not in self.statuses:
            return False
        if self.sources and inc.source not in self.sources:
            return False
        if not inc.is_open:
            closed = inc.closed_at or inc.updated_at
            return now - closed <= timedelta(hours=self.include_closed_hours)
        return True


class IncidentTableModel(QAbstractTableModel):
    incident_count_changed = Signal(int)

    COLUMNS = ("时限", "级别", "类别", "事件", "网格", "来源", "状态", "上报")
    DEADLINE, SEVERITY, CATEGORY, TITLE, GRID, SOURCE, STATUS, REPORTED = range(8)

    def __init__(
        self,
        live: LiveState,
        *,
        clock: Clock = _utcnow,
        limits: dict[Category, timedelta] | None = None,
        max_rows: int = 2_000,
        flush_ms: int = 200,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._live = live
        self._clock = clock
        self._limits = limits
        self._max_rows = max_rows
        self.filter = IncidentFilter()
        self._rows: list[_Row] = []
        self._first_seen: dict[str, float] = {}
        self._dirty = True
        self._flush_timer = QTimer(self, singleShot=True, interval=flush_ms)
        self._flush_timer.timeout.connect(self.flush)
        self._tick_timer = QTimer(self, interval=1000)
        self._tick_timer.timeout.connect(self.tick)
        self._tick_timer.start()
        self._bold = QFont()
        self._bold.setBold(True)
        self._flash = QBrush(theme.FLASH)
        self._drill_bg = QBrush(QColor(theme.DRILL.red(), theme.DRILL.green(), theme.DRILL.blue(), 60))
        self._overdue_bg = QBrush(QColor(255, 59, 59, 45))
        self._unsubscribe = live.on_change(self._on_change)
        self.destroyed.connect(lambda *_: self._unsubscribe())
        self._headers = [self.tr(c) for c in self.COLUMNS]
        self.flush()

    # --- updates ---------------------------------------------------------------------------
    def _on_change(self, change: Change) -> None:
        if not change.incidents and not change.territory:
            return
        now = time.monotonic()
        for inc in change.incidents:
            self._first_seen.setdefault(inc.id, now)
        self._dirty = True
        if not self._flush_timer.isActive():
            self._flush_timer.start()

    def set_filter(self, flt: IncidentFilter) -> None:
        """From config (TileSection.territory_node) or the console; applies at once."""
        self.filter = flt
        self.flush()

    def _effective_filter(self) -> IncidentFilter:
        flt = self.filter
        if not flt.territory_node:
            return flt
        key = (flt.territory_node, len(self._live.territory))
        if getattr(self, "_node_cache", (None,))[0] != key:
            self._node_cache = (key, nodes_under(self._live.territory, flt.territory_node))
        ids = self._node_cache[1]
        if flt.grid_ids is not None:
            ids = ids & flt.grid_ids
        return replace(flt, grid_ids=ids)

    def flush(self) -> None:
        """Rebuild the visible rows: order, deadlines and display data, in one reset."""
        now = self._clock()
        flt = self._effective_filter()
        chosen = [i for i in self._live.incidents.values() if flt.accepts(i, now)]
        rows = [self._make_row(i, now) for i in chosen]
        rows.sort(key=_order_key)
        self.beginResetModel()
        self._rows = rows[: self._max_rows]
        self.endResetModel()
        self._dirty = False
        self.incident_count_changed.emit(len(chosen))

    def tick(self) -> None:
        """Once a second: countdowns move; a row that turned overdue jumps to the top."""
        if not self._rows:
            return
        now = self._clock()
        order_changed = False
        for row in self._rows:
            old = row.deadline.level
            self._fill_deadline(row, now)
            order_changed |= old != row.deadline.level and row.deadline.level is DeadlineLevel.OVERDUE
        if order_changed or self._dirty:
            self.flush()
        else:
            last = len(self._rows) - 1
            self.dataChanged.emit(self.index(0, 0), self.index(last, self.columnCount() - 1))

    # --- display data ----------------------------------------------------------------------
    def _make_row(self, inc: Incident, now: datetime) -> _Row:
        grid = self._live.territory.get(inc.grid_id)
        title = inc.title if inc.drill_id is None else f"【{labels.drill_badge()}】{inc.title}"
        if inc.emergency:
            title = "‼ " + title
        texts = [
            "",
            f"{theme.SEVERITY_SYMBOLS[inc.severity]} {labels.name(inc.severity)}",
            labels.name(inc.category),
            title,
            grid.name if grid else inc.grid_id,
            labels.name(inc.source),
            labels.name(inc.status),
            fmt.hhmm(inc.reported_at),
        ]
        fg: list[QBrush | None] = [None] * len(texts)
        fg[self.SEVERITY] = QBrush(theme.SEVERITY_COLOURS[inc.severity])
        row = _Row(inc, deadline_state(inc, now, self._limits), texts, fg)
        self._fill_deadline(row, now)
        return row

    def _fill_deadline(self, row: _Row, now: datetime) -> None:
        row.deadline = d = deadline_state(row.incident, now, self._limits)
        symbol = theme.DEADLINE_SYMBOLS[d.level]
        if d.remaining is None:
            row.texts[self.DEADLINE] = f"{symbol} {labels.name(d.level)}"
        else:
            row.texts[self.DEADLINE] = f"{symbol} {labels.name(d.stage)} {fmt.countdown(d.remaining)}".strip()
        row.fg[self.DEADLINE] = QBrush(theme.DEADLINE_COLOURS[d.level])

    # --- Qt model interface ----------------------------------------------------------------
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self._headers[section]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        row = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return row.texts[index.column()]
        if role == Qt.ItemDataRole.ForegroundRole:
            return row.fg[index.column()]
        if role == Qt.ItemDataRole.BackgroundRole:
            return self._background(row)
        if role == ID_ROLE:
            return row.incident.id
        if role == Qt.ItemDataRole.FontRole and index.column() in (self.DEADLINE, self.SEVERITY):
            return self._bold if row.incident.severity >= Severity.HIGH or row.deadline.level is DeadlineLevel.OVERDUE else None
        return None

    def _background(self, row: _Row) -> QBrush | None:
        seen = self._first_seen.get(row.incident.id)
        if seen is not None and time.monotonic() - seen < FLASH_SECONDS:
            return self._flash
        if row.deadline.level is DeadlineLevel.OVERDUE:
            return self._overdue_bg
        if row.incident.drill_id is not None:
            return self._drill_bg
        return None

    # --- queries for tests and the console -------------------------------------------------
    def incident_at(self, row: int) -> Incident:
        return self._rows[row].incident

    def deadline_at(self, row: int) -> DeadlineState:
        return self._rows[row].deadline

    def row_of(self, incident_id: str) -> int:
        for i, r in enumerate(self._rows):
            if r.incident.id == incident_id:
                return i
        return -1


def nodes_under(territory: dict, node_id: str) -> frozenset[str]:
    """The node and every node below it (via parent links): the grid ids an incident filter accepts."""
    children: dict[str, list[str]] = {}
    for n in territory.values():
        if n.parent_id:
            children.setdefault(n.parent_id, []).append(n.id)
    out = {node_id}
    stack = [node_id]
    while stack:
        for c in children.get(stack.pop(), ()):
            if c not in out:
                out.add(c)
                stack.append(c)
    return frozenset(out)


def _order_key(row: _Row) -> tuple:
    inc = row.incident
    overdue = row.deadline.level is DeadlineLevel.OVERDUE and inc.is_open
    return (not overdue, not (inc.emergency and inc.is_open), not inc.is_open, -inc.reported_at.timestamp())
