"""The incident feed's table model: overdue first, then emergencies, then newest.

Updates from the live state are coalesced (one model reset per flush, at most a few per
second) and every cell's text and colour is computed once per flush or clock tick, so
`data()` is a tuple lookup: painting dominates, and Python `data()` calls dominate painting.

The order is kept incrementally (bisect into a sorted key list) so a flush costs O(changed
records), not O(every incident in the live state): with 100,000 open incidents a full rebuild
took seconds. Time-driven moves (a deadline passing, a closed event leaving the feed) come off
two heaps on the clock tick. Display rows are built only for the shown top `max_rows`, once per
record version. A flush is leading-edge: the first change after a quiet spell is flushed at once,
later ones are coalesced to at most one flush per `flush_ms`, except that a new emergency (it sorts to the top,
and a duty officer must see it first) waits at most `URGENT_FLUSH_MS` after the last flush.

Nothing here may hold the GUI thread long (a burst or the countdown refresh of thousands of rows would, in
one go; figures in docs/benchmarks.md): the timer-driven flush computes the new
sort keys in time-boxed slices (`SLICE_S`), yielding to the event loop between them, then merges them
into the order in bulk (one filter and one sort of nearly sorted runs instead of an insort each); a row's
texts are built when a view first asks for them, and the tick only marks countdowns stale, so the work
follows the rows on screen, not the rows in the model.
"""
from __future__ import annotations

import bisect
import heapq
import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, UTC

from PySide6.QtCore import QCoreApplication, QModelIndex, QObject, QPersistentModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QFont

from .table import WallTableModel
from ..noop import QT_TRANSLATE_NOOP
from ...domain import (Category, DeadlineLevel, DeadlineState, Incident, Severity, Source, Status, TerritoryLevel,
                      deadline_state)
from ...services import Change, LiveState
from .. import format as fmt
from .. import labels, theme
from .roles import ELIDE_ROLE, KEEP_TEXT_ROLE

ID_ROLE = Qt.ItemDataRole.UserRole + 1
FLASH_SECONDS = 3.0
SLICE_S = 0.008          # longest a timer-driven flush holds the GUI thread before yielding
URGENT_FLUSH_MS = 16     # a new emergency's flush follows the last one after a frame at most (flush_ms otherwise)
BULK_MERGE = 64          # more changed records than this: filter + sort the order once, not one insort each

Clock = Callable[[], datetime]


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(slots=True)
class _Row:
    incident: Incident
    deadline: DeadlineState
    texts: list[str]
    fg: list[QBrush | None]
    stamp: int = 0           # the model's tick stamp the countdown was computed for
    serial: int = 0          # unique per built row: its texts and colours (the countdown's aside) never change


@dataclass
class IncidentFilter:
    """What the tile shows; empty sets mean everything."""

    grid_ids: frozenset[str] | None = None
    territory_node: str = ""            # a node of the hierarchy: only incidents in grids under it
    categories: frozenset[Category] = frozenset()
    statuses: frozenset[Status] = frozenset()
    sources: frozenset[Source] = frozenset()
    include_closed_hours: float = 2.0   # closed events stay visible this long, then leave the feed
    emergencies_only: bool = False      # only open emergencies (the tile's "not shown" bar lists them this way)

    def accepts(self, inc: Incident, now: datetime) -> bool:
        if self.emergencies_only and not (inc.emergency and inc.is_open):
            return False
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


class IncidentTableModel(WallTableModel):
    incident_count_changed = Signal(int)

    # Chinese source text, translated when shown (headerData): a language switch applies at once.
    COLUMNS = (QT_TRANSLATE_NOOP("IncidentTableModel", "时限"), QT_TRANSLATE_NOOP("IncidentTableModel", "级别"),
               QT_TRANSLATE_NOOP("IncidentTableModel", "类别"), QT_TRANSLATE_NOOP("IncidentTableModel", "事件"),
               QT_TRANSLATE_NOOP("IncidentTableModel", "网格"), QT_TRANSLATE_NOOP("IncidentTableModel", "来源"),
               QT_TRANSLATE_NOOP("IncidentTableModel", "状态"), QT_TRANSLATE_NOOP("IncidentTableModel", "上报"))
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
        self._grid_name_for: tuple[int, str] | None = None   # (territory size, its longest grid name)
        self._clock = clock
        self._limits = limits
        self._max_rows = max_rows
        self.filter = IncidentFilter()
        self._incs: list[Incident] = []          # the shown rows' records, in order
        self._rows: list[_Row | None] = []       # their display rows, built on first use (None until then)
        self._stamp = 0                          # bumped by the tick: countdowns older than this are stale
        self._staged: dict[str, tuple | None] = {}   # new sort keys computed by flush slices, not merged yet
        self._first_seen: dict[str, float] = {}
        self._dirty = True
        self._flush_timer = QTimer(self, singleShot=True, interval=flush_ms)
        self._flush_timer.timeout.connect(self._flush_step)
        self._tick_timer = QTimer(self, interval=1000)
        self._tick_timer.timeout.connect(self.tick)
        self._tick_timer.start()
        self._bold = QFont()
        self._bold.setBold(True)
        self._flash = QBrush(theme.FLASH)
        self._drill_bg = QBrush(QColor(theme.DRILL.red(), theme.DRILL.green(), theme.DRILL.blue(), 60))
        self._overdue_bg = QBrush(QColor(255, 59, 59, 45))
        self._backgrounds = (None, self._flash, self._overdue_bg, self._drill_bg)
        self._flush_ms = flush_ms
        self._last_flush = -1e9
        # incremental order: id -> key, sorted keys, pending ids, time-driven heaps, display-row cache
        self._keys: dict[str, tuple] = {}
        self._order: list[tuple] = []
        self._pending: set[str] = set()
        self._node_cache: tuple[tuple[str, int], frozenset[str]] | None = None   # (node, territory size) → ids
        self._due_heap: list[tuple[float, str, int]] = []      # (overdue at, id, version) of open incidents
        self._expire_heap: list[tuple[float, str, int]] = []   # (leaves the feed at, id, version) of closed ones
        self._row_cache: dict[str, _Row] = {}
        self._serials = itertools.count(1)
        self._built_for: tuple | None = None                   # (filter, territory size) of the last full build
        self._last_now: datetime | None = None
        self._unsubscribe = live.on_change(self._on_change)
        self.destroyed.connect(lambda *_: self._unsubscribe())
        self.flush()

    # --- updates ---------------------------------------------------------------------------
    def _on_change(self, change: Change) -> None:
        if change.reset:
            self._built_for = None      # the records were replaced wholesale: every row from the live state
        elif not change.incidents and not change.territory and not change.removed_incidents:
            return
        now = time.monotonic()
        urgent = False
        for inc in change.incidents:
            urgent = urgent or (inc.emergency and inc.is_open and inc.id not in self._keys)
            self._first_seen.setdefault(inc.id, now)
            self._pending.add(inc.id)
        if change.removed_incidents:
            self._pending.update(change.removed_incidents)    # gone from the live state: out of the order
        if change.territory:
            self._built_for = None      # grid names and territory filters may have changed
            self._row_cache.clear()
            before, self._grid_name_for = self._grid_name_for, None
            if before is None or before[1] != self._longest_grid_name():
                # the grid column's width depends on its longest name: the view refits its columns
                self.headerDataChanged.emit(Qt.Orientation.Horizontal, self.GRID, self.GRID)
        self._dirty = True
        # a new emergency goes to the top of the table: it waits at most a frame after the last flush, not flush_ms
        interval = URGENT_FLUSH_MS if urgent else self._flush_ms
        wait = max(0, int(interval - (now - self._last_flush) * 1000.0))
        if not self._flush_timer.isActive() or (urgent and self._flush_timer.remainingTime() > wait):
            self._flush_timer.start(wait)

    def set_filter(self, flt: IncidentFilter) -> None:
        """From config (TileSection.territory_node) or the console; applies at once."""
        self.filter = flt
        self.flush()

    def _effective_filter(self) -> IncidentFilter:
        flt = self.filter
        if not flt.territory_node:
            return flt
        key = (flt.territory_node, len(self._live.territory))
        if self._node_cache is None or self._node_cache[0] != key:
            self._node_cache = (key, nodes_under(self._live.territory, flt.territory_node))
        ids = self._node_cache[1]
        if flt.grid_ids is not None:
            ids = ids & flt.grid_ids
        return replace(flt, grid_ids=ids)

    def _flush_step(self) -> None:
        """The timer's flush: sort keys of the changed records in slices of at most SLICE_S, yielding to the
        event loop between slices (a 0 ms timer), then the merge and the reset (`flush`), in a turn of its own
        when the last slice took more than half of SLICE_S."""
        if self._pending:
            deadline = time.perf_counter() + SLICE_S
            flt = self._effective_filter()
            now = self._clock()
            pending, staged, key = self._pending, self._staged, self._key
            live = self._live.incidents
            n = 0
            while pending:
                rid = pending.pop()
                inc = live.get(rid)
                staged[rid] = None if inc is None else key(inc, flt, now)
                n += 1
                if n % 32 == 0 and time.perf_counter() >= deadline:
                    break
            # the merge gets a turn of its own unless this slice left most of its time: together they overrun a slice
            if pending or time.perf_counter() >= deadline - SLICE_S / 2:
                self._flush_timer.start(0)
                return
        self.flush()

    def flush(self) -> None:
        """Bring the order up to date with the changed records and the clock; show the top rows, in one reset."""
        now = self._clock()
        self._flush_timer.stop()
        self._last_flush = time.monotonic()
        flt = self._effective_filter()
        built_for = (replace(self.filter), id(flt.grid_ids), len(self._live.territory))
        # the clock went back (a corrected wall clock): the time-driven order only moves forward, so it starts over
        clock_back = self._last_now is not None and now < self._last_now - timedelta(seconds=1)
        rebuilt = built_for != self._built_for or clock_back    # new names, filter, a reset or the clock: every row
        if rebuilt:
            self._rebuild(flt, now)
            self._built_for = built_for
        else:
            live = self._live.incidents
            for rid in self._pending:
                inc = live.get(rid)
                self._staged[rid] = None if inc is None else self._key(inc, flt, now)
            self._pending.clear()
            self._merge_staged()
            self._advance(flt, now)
            if len(self._due_heap) + len(self._expire_heap) > 2 * len(self._keys) + 1000:
                self._compact_heaps()
        self._last_now = now
        get = self._live.incidents.get
        incs = [inc for inc in (get(key[-1]) for key in self._order[: self._max_rows]) if inc is not None]
        cache = self._row_cache
        if len(cache) > 4 * self._max_rows:
            keep = {inc.id for inc in incs}
            self._row_cache = {k: v for k, v in cache.items() if k in keep}
        self._publish(incs, every_row=rebuilt)
        self._dirty = bool(self._pending)
        self.incident_count_changed.emit(len(self._order))

    def _publish(self, incs: list[Incident], *, every_row: bool = False) -> None:
        """Show the new top rows. Not a model reset: that also resets the views' header (a reset or a layout change
        repaints it, and with it the tile, page and window behind it, on every flush: ~20 a second at 200 events/s).
        Rows added or taken at the end, then a change of the rows whose incident is not the one they showed (a new
        record on top shifts them all; a changed record deep down is its row alone). Where a view holds an index
        (its current row, a selected one), the index moves with its incident. A row showing the same record keeps
        its display row (the tick repaints it whole if its deadline level changed); the others are built when a
        view asks (a pass over every shown record here cost more than the rows a view paints). `every_row`: the
        order was rebuilt (new grid names, filter, records replaced): every row is built afresh and changed."""
        old, old_rows, old_n, new_n = self._incs, self._rows, len(self._incs), len(incs)
        n = min(old_n, new_n)
        first = 0
        while first < n and old[first] is incs[first] and not every_row:
            first += 1
        last = n - 1
        while last > first and old[last] is incs[last] and not every_row:
            last -= 1
        rows = old_rows[:first] + [None] * (last + 1 - first) + old_rows[last + 1:n] if first < n else old_rows[:n]
        rows += [None] * (new_n - n)
        if old_n == 0 or new_n == 0:
            self.beginResetModel()
            self._incs, self._rows = incs, rows
            self.endResetModel()
            return
        if new_n < old_n:
            self.beginRemoveRows(QModelIndex(), new_n, old_n - 1)
            self._incs, self._rows = old[:new_n], old_rows[:new_n]
            self.endRemoveRows()
        elif new_n > old_n:
            self.beginInsertRows(QModelIndex(), old_n, new_n - 1)
            self._incs, self._rows = old + incs[old_n:], old_rows + rows[old_n:]
            self.endInsertRows()
        # the views' indexes (the current row, a selected one) follow their incident
        moved = [i for i in self.persistentIndexList() if not (i.row() < new_n and incs[i.row()] is old[i.row()])]
        if moved:
            where = {inc.id: r for r, inc in enumerate(incs)}
            rows_at = [where.get(old[i.row()].id, -1) if i.row() < old_n else -1 for i in moved]
            self.changePersistentIndexList(moved, [self.index(r, i.column()) if r >= 0 else QModelIndex()
                                                   for i, r in zip(moved, rows_at, strict=True)])
        self._incs, self._rows = incs, rows
        if first < n:
            self.dataChanged.emit(self.index(first, 0), self.index(last, self.columnCount() - 1))

    def _merge_staged(self) -> None:
        """Move the staged records to their new keys: a bisect each when few, else one filter and one sort
        (timsort merges the old order and the sorted newcomers as two runs)."""
        staged = self._staged
        if not staged:
            return
        self._staged = {}
        if len(staged) <= BULK_MERGE:
            order = self._order
            for rid, key in staged.items():
                old = self._keys.pop(rid, None)
                if old is not None:
                    i = bisect.bisect_left(order, old)
                    if i < len(order) and order[i] == old:
                        del order[i]
                if key is not None:
                    self._keys[rid] = key
                    bisect.insort(order, key)
            return
        keys = self._keys
        removed = set()
        added = []
        for rid, key in staged.items():
            old = keys.pop(rid, None)
            if old is not None:
                removed.add(old)
            if key is not None:
                keys[rid] = key
                added.append(key)
        order = [k for k in self._order if k not in removed] if removed else self._order
        added.sort()
        order.extend(added)
        order.sort()
        self._order = order

    def _rebuild(self, flt: IncidentFilter, now: datetime) -> None:
        self._keys.clear()
        self._staged.clear()
        self._order = []
        self._due_heap = []
        self._expire_heap = []
        self._pending.clear()
        keys = []
        for inc in self._live.incidents.values():
            key = self._key(inc, flt, now)
            if key is not None:
                self._keys[inc.id] = key
                keys.append(key)
        keys.sort()
        self._order = keys

    def _place(self, rid: str, flt: IncidentFilter, now: datetime) -> None:
        """Re-sort one record: out with its old key, in with its new one (if the filter still takes it)."""
        old = self._keys.pop(rid, None)
        if old is not None:
            i = bisect.bisect_left(self._order, old)
            if i < len(self._order) and self._order[i] == old:
                del self._order[i]
        inc = self._live.incidents.get(rid)
        key = None if inc is None else self._key(inc, flt, now)
        if key is not None:
            self._keys[rid] = key
            bisect.insort(self._order, key)

    def _key(self, inc: Incident, flt: IncidentFilter, now: datetime) -> tuple | None:
        """The sort key (overdue, open emergencies, open, newest first, id), or None if not shown; and the
        instants the key or the filter's answer change with time go on the heaps."""
        if not flt.accepts(inc, now):
            return None
        overdue = False
        if inc.is_open:
            due = deadline_state(inc, now, self._limits).due_at
            if due is not None:
                if due <= now:
                    overdue = True
                else:
                    heapq.heappush(self._due_heap, (due.timestamp(), inc.id, inc.version))
        else:
            closed = inc.closed_at or inc.updated_at
            leave = closed + timedelta(hours=flt.include_closed_hours)
            heapq.heappush(self._expire_heap, (leave.timestamp(), inc.id, inc.version))
        return (not overdue, not (inc.emergency and inc.is_open), not inc.is_open, -inc.reported_at.timestamp(),
                inc.id)

    def _advance(self, flt: IncidentFilter, now: datetime) -> bool:
        """Apply what the clock did: deadlines passed, closed events aged out. True if the order changed."""
        ts = now.timestamp()
        changed = False
        for heap in (self._due_heap, self._expire_heap):
            while heap and heap[0][0] <= ts:
                _, rid, version = heapq.heappop(heap)
                inc = self._live.incidents.get(rid)
                if inc is not None and inc.version == version and rid in self._keys:
                    self._place(rid, flt, now)
                    changed = True
        return changed

    def _compact_heaps(self) -> None:
        """Drop heap entries of superseded versions (records updated since they were pushed)."""
        incs = self._live.incidents

        def current(heap: list[tuple[float, str, int]]) -> list[tuple[float, str, int]]:
            kept = [e for e in heap
                    if e[1] in self._keys and (inc := incs.get(e[1])) is not None and inc.version == e[2]]
            heapq.heapify(kept)
            return kept

        self._due_heap = current(self._due_heap)
        self._expire_heap = current(self._expire_heap)

    def tick(self) -> None:
        """Once a second: countdowns move; a row that turned overdue jumps to the top."""
        now = self._clock()
        cutoff = time.monotonic() - FLASH_SECONDS
        if len(self._first_seen) > 1000:
            self._first_seen = {k: v for k, v in self._first_seen.items() if v >= cutoff - 1.0}
        if not self._rows and not self._dirty:
            return
        jumped = self._last_now is not None and abs((now - self._last_now).total_seconds()) > 300
        if jumped or self._advance(self._effective_filter(), now):
            self.flush()          # reuses cached rows: their countdowns are refreshed as they are shown
        elif self._dirty and not self._flush_timer.isActive():
            self._flush_timer.start(0)     # changes the timer has not taken yet: in slices, not here at once
        self._last_now = now
        # Only the countdown column changes every second: the views repaint that column, not the table. A row
        # whose deadline level changed (bold, overdue background) or whose new-row flash ends is repainted whole.
        # Countdowns are refreshed here only for the rows a view asked for since the last tick (the rows on
        # screen); the others are marked stale and refreshed by data() when asked.
        shown = self._stamp
        self._stamp += 1
        mono = time.monotonic()
        whole = []
        for i, row in enumerate(self._rows):
            if row is None or row.stamp != shown:
                continue
            level = row.deadline.level
            self._fill_deadline(row, now)
            row.stamp = self._stamp
            seen = self._first_seen.get(row.incident.id)
            if row.deadline.level is not level or (seen is not None and mono - seen < FLASH_SECONDS + 2.0):
                whole.append(i)
        if self._rows:
            last = len(self._rows) - 1
            self.dataChanged.emit(self.index(0, self.DEADLINE), self.index(last, self.DEADLINE))
            start = 0
            for k, i in enumerate(whole):          # one signal per run of consecutive rows
                if k + 1 == len(whole) or whole[k + 1] != i + 1:
                    self.dataChanged.emit(self.index(whole[start], 0), self.index(i, self.columnCount() - 1))
                    start = k + 1

    # --- display data ----------------------------------------------------------------------
    def _make_row(self, inc: Incident, now: datetime) -> _Row:
        title = inc.title if inc.drill_id is None else f"【{labels.drill_badge()}】{inc.title}"
        if inc.emergency:
            title = "‼ " + title
        texts = [
            "",
            f"{theme.SEVERITY_SYMBOLS[inc.severity]} {labels.name(inc.severity)}",
            labels.name(inc.category),
            title,
            labels.place_name(self._live.territory, inc.grid_id, with_parent=False),
            labels.name(inc.source),
            labels.name(inc.status),
            fmt.hhmm(inc.reported_at),
        ]
        texts = fmt.feed_texts(texts)
        fg: list[QBrush | None] = [None] * len(texts)
        fg[self.SEVERITY] = QBrush(theme.SEVERITY_COLOURS[inc.severity])
        row = _Row(inc, deadline_state(inc, now, self._limits), texts, fg, serial=next(self._serials))
        self._fill_deadline(row, now)
        return row

    def _row(self, i: int) -> _Row:
        """Display row `i`, built (or its countdown refreshed) on first use since the last flush or tick."""
        row = self._rows[i]
        if row is not None and row.stamp == self._stamp:
            return row
        now = self._last_now or self._clock()
        if row is None:
            inc = self._incs[i]
            row = self._row_cache.get(inc.id)
            if row is None or row.incident is not inc:
                row = self._row_cache[inc.id] = self._make_row(inc, now)
            elif row.stamp != self._stamp:
                self._fill_deadline(row, now)
        else:
            self._fill_deadline(row, now)
        row.stamp = self._stamp
        self._rows[i] = row
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

    #: Column priorities for a narrow table (tiles.base.WallTable): higher goes first; 0 always stays.
    PRIORITIES = (0, 3, 4, 0, 1, 2, 0, 5)
    #: A grid name longer than this many characters is cut in its middle (its number is at its end).
    GRID_KEEP_CHARS = 10
    #: The title column is never narrower than this many characters: lower-priority columns go first.
    TITLE_KEEP_SAMPLE = "国" * 8

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return QCoreApplication.translate("IncidentTableModel", self.COLUMNS[section])
        if role == KEEP_TEXT_ROLE:
            if section == self.DEADLINE:
                return f"{theme.DEADLINE_SYMBOLS[DeadlineLevel.OVERDUE]} {labels.name(Status.CLOSED)} -23:59:59"
            if section == self.SEVERITY:
                return [f"{theme.SEVERITY_SYMBOLS[s]} {labels.name(s)}" for s in Severity]
            if section == self.TITLE:
                return self.TITLE_KEEP_SAMPLE
            if section == self.SOURCE:
                return [labels.name(s) for s in Source]
            if section == self.GRID:
                return [self._longest_grid_name(), labels.place_name({}, "?")]   # or "未知网格"
            if section == self.STATUS:
                return [labels.name(s) for s in Status]
        if role == ELIDE_ROLE and section == self.GRID:
            return Qt.TextElideMode.ElideMiddle
        return None

    def _longest_grid_name(self) -> str:
        """The longest grid name the territory has (up to GRID_KEEP_CHARS): the grid column shows it whole."""
        territory = self._live.territory
        cached = self._grid_name_for
        if cached is not None and cached[0] == len(territory):
            return cached[1]    # forgotten whenever the territory changes (on_change)
        names = (n.name for n in territory.values() if n.level is TerritoryLevel.GRID)
        longest = max(names, key=len, default="")[: self.GRID_KEEP_CHARS]
        self._grid_name_for = (len(territory), longest)
        return longest

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        row = self._rows[index.row()]
        if row is None or row.stamp != self._stamp:
            row = self._row(index.row())
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
        return self._backgrounds[self._background_kind(row)]

    def _background_kind(self, row: _Row) -> int:
        """Which background the row has: 0 none, 1 the new-row flash, 2 overdue, 3 drill."""
        seen = self._first_seen.get(row.incident.id)
        if seen is not None and time.monotonic() - seen < FLASH_SECONDS:
            return 1
        if row.deadline.level is DeadlineLevel.OVERDUE:
            return 2
        if row.incident.drill_id is not None:
            return 3
        return 0

    #: columns that change on their own (the countdown ticks every second): views draw them on every paint,
    #: everything else in a row is keyed by `row_key`
    live_columns = (DEADLINE,)

    def row_key(self, i: int) -> tuple:
        """What row `i` shows outside `live_columns`, as a hashable value: equal keys, equal texts, colours and fonts
        (views keep a drawn image of each row by it). The row's serial (a new one whenever the row's texts are
        rebuilt: a new version of the incident, new territory names) and whether it is overdue (the severity cell
        turns bold). Its background (flash, overdue, drill) is one brush per row, as the views need it."""
        row = self._rows[i]
        if row is None or row.stamp != self._stamp:
            row = self._row(i)
        return (row.serial, row.deadline.level is DeadlineLevel.OVERDUE)

    def paint_row(self, i: int) -> tuple:
        """What a view paints of row `i`, in one call (WallTable, 30 rows a paint, 20 paints a second at 200 events/s):
        its row_key, its background (as data() gives it) and, per live column, the cell's (text, font, foreground)."""
        row = self._rows[i]
        if row is None or row.stamp != self._stamp:
            row = self._row(i)
        overdue = row.deadline.level is DeadlineLevel.OVERDUE
        bold = self._bold if row.incident.severity >= Severity.HIGH or overdue else None
        return ((row.serial, overdue), self._backgrounds[self._background_kind(row)],
                ((row.texts[self.DEADLINE], bold, row.fg[self.DEADLINE]),))

    # --- queries for tests and the console -------------------------------------------------
    # -- open emergencies: a block at the top of the order, after the overdue ones (the key's first two fields) ----
    def emergency_spans(self) -> tuple[tuple[int, int], tuple[int, int]]:
        """Where the open emergencies are in the order: (overdue ones), (the others), as [start, end) spans. The
        key sorts overdue first, then open emergencies, so each span is found by bisection, not a walk."""
        order = self._order
        not_overdue = bisect.bisect_left(order, (True,))
        overdue_end = bisect.bisect_left(order, (False, True), 0, not_overdue)
        rest_end = bisect.bisect_left(order, (True, True), not_overdue)
        return (0, overdue_end), (not_overdue, rest_end)

    def open_emergencies(self) -> int:
        """How many open emergencies the tile's filter takes (shown or not)."""
        return sum(end - start for start, end in self.emergency_spans())

    def emergencies_outside(self, first: int, last: int) -> list[str]:
        """The ids of the open emergencies not in rows [first, last) (the rows a view shows whole), in order."""
        order = self._order
        return [order[i][-1] for start, end in self.emergency_spans() for i in range(start, end)
                if not first <= i < last]

    def incident_at(self, row: int) -> Incident:
        return self._incs[row]

    def deadline_at(self, row: int) -> DeadlineState:
        return self._row(row).deadline

    def row_of(self, incident_id: str) -> int:
        for i, inc in enumerate(self._incs):
            if inc.id == incident_id:
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
