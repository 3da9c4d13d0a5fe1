"""Live alerts: the board every alert view shares, and the alert tile's table model.

`AlertBoard` is the one truth of "which alerts are on the wall now": live (`Alert.is_live(now)` on a
clock tick, so expired and cancelled alerts leave), in order (public warnings before device alarms before
supervision, then most severe first, unacknowledged before acknowledged, shelved last, then newest), with the
operators' state from `AlertActions`. It says when a red public warning appears that the wall had not seen (the
alarm sound listens), and what the banner shows: public warnings only. Each kind of signal (domain.SignalKind)
has its own table (`AlertTableModel(kind=…)`), in its own words.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, UTC

from PySide6.QtCore import QCoreApplication, QModelIndex, QObject, QPersistentModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QFont

from .table import WallTableModel
from ..noop import QT_TRANSLATE_NOOP
from ...domain import HAZARDS, Alert, AlertLevel, AlertType, HazardSpec, SignalKind, signal_kind
from ...services import Change, LiveState
from .. import format as fmt
from .. import labels, theme
from ..alert_actions import AlertActions
from .roles import KEEP_TEXT_ROLE

ID_ROLE = Qt.ItemDataRole.UserRole + 1
Clock = Callable[[], datetime]


def _utcnow() -> datetime:
    return datetime.now(UTC)


def level_text(level: AlertLevel) -> str:
    """A public warning's level, symbol and words, never colour alone: `Ⅰ 红色预警`."""
    return f"{theme.ALERT_SYMBOLS[level]} {labels.warning_level(level)}"


def _tr(text: str) -> str:
    return QCoreApplication.translate("AlertBoard", text)


#: Where each kind of signal sorts in a list holding several: public warnings first, they must never be lost.
KIND_RANK = {SignalKind.WARNING: 0, SignalKind.ALARM: 1, SignalKind.SUPERVISION: 2}


@dataclass(frozen=True, slots=True)
class BoardEntry:
    alert: Alert
    acknowledged: bool
    shelved_until: datetime | None
    escalated: bool

    @property
    def shelved(self) -> bool:
        return self.shelved_until is not None

    @property
    def kind(self) -> SignalKind:
        return signal_kind(self.alert.type)

    @property
    def state_text(self) -> str:
        if self.shelved_until is not None:
            return _tr("‖ 搁置至 {time}").format(time=fmt.hhmm(self.shelved_until))
        parts = [_tr("✓ 已确认") if self.acknowledged else _tr("● 未确认")]
        if self.escalated:
            parts.append(_tr("⇪ 已升级"))
        return " ".join(parts)


class AlertBoard(QObject):
    changed = Signal()
    new_red = Signal(str)            # a red alert the wall had not seen before

    def __init__(self, live: LiveState, actions: AlertActions, *, clock: Clock = _utcnow, flush_ms: int = 150,
                 tick_ms: int = 1000, parent: QObject | None = None):
        super().__init__(parent)
        self.live = live
        self.actions = actions
        self.clock = clock
        self.entries: list[BoardEntry] = []
        self._seen: set[str] = set()
        self._flush_timer = QTimer(self, singleShot=True, interval=flush_ms)
        self._flush_timer.timeout.connect(self.flush)
        self._tick = QTimer(self, interval=tick_ms)
        self._tick.timeout.connect(self.tick)
        self._tick.start()
        self._unsubscribe = live.on_change(self._on_change)
        self.destroyed.connect(lambda *_: self._unsubscribe())
        actions.changed.connect(lambda _id: self.flush())
        self.flush()

    def _on_change(self, change: Change) -> None:
        if (change.reset or change.alerts or change.removed_alerts) and not self._flush_timer.isActive():
            self._flush_timer.start()

    def tick(self) -> None:
        """Expiry and shelving run out with time, not with feed messages."""
        now = self.clock()
        stale = any(not e.alert.is_live(now) or (e.shelved and not self.actions.is_shelved(e.alert.id, now))
                    for e in self.entries)
        if stale:
            self.flush()

    def flush(self) -> None:
        now = self.clock()
        a = self.actions
        entries = [BoardEntry(al, a.is_acknowledged(al.id), a.shelved_until(al.id, now), a.is_escalated(al.id))
                   for al in self.live.alerts.values() if al.is_live(now)]
        entries.sort(key=lambda e: (e.shelved, KIND_RANK[e.kind], -int(e.alert.level), e.acknowledged,
                                    -e.alert.issued_at.timestamp(), e.alert.id))
        fresh_red = [e.alert.id for e in entries if e.alert.id not in self._seen and _is_red_warning(e.alert)]
        self._seen.update(e.alert.id for e in entries)
        self.entries = entries
        self.changed.emit()
        for aid in fresh_red:
            self.new_red.emit(aid)

    # --- what the views ask ---------------------------------------------------------------
    def alerts(self) -> list[Alert]:
        return [e.alert for e in self.entries]

    def entry(self, alert_id: str) -> BoardEntry | None:
        return next((e for e in self.entries if e.alert.id == alert_id), None)

    def entries_of(self, kind: SignalKind) -> list[BoardEntry]:
        """The board's entries of one kind of signal, in board order."""
        return [e for e in self.entries if e.kind is kind]

    def banner_entries(self) -> list[BoardEntry]:
        """Orange and red public warnings not shelved: they run across the whole wall. Device alarms and
        supervision notices never do, so a red public warning is never crowded out by them."""
        return [e for e in self.entries
                if e.kind is SignalKind.WARNING and e.alert.level >= AlertLevel.ORANGE and not e.shelved]

    def unacknowledged_red(self) -> list[BoardEntry]:
        """What keeps the alarm sounding: red public warnings only."""
        return [e for e in self.entries if _is_red_warning(e.alert) and not e.acknowledged and not e.shelved]


def _is_red_warning(alert: Alert) -> bool:
    return alert.level is AlertLevel.RED and signal_kind(alert.type) is SignalKind.WARNING


class AlertTableModel(WallTableModel):
    """One row per signal of one kind on the board; every cell precomputed at flush
    (data() is a lookup). Each kind has its own columns, in its own words; the level is always column 0."""

    # Chinese source text, translated when shown (headerData): a language switch applies at once.
    COLUMNS_OF: dict[SignalKind, tuple[str, ...]] = {
        SignalKind.WARNING: (
            QT_TRANSLATE_NOOP("AlertTableModel", "级别"), QT_TRANSLATE_NOOP("AlertTableModel", "类型"),
            QT_TRANSLATE_NOOP("AlertTableModel", "预警"), QT_TRANSLATE_NOOP("AlertTableModel", "区域"),
            QT_TRANSLATE_NOOP("AlertTableModel", "发布"), QT_TRANSLATE_NOOP("AlertTableModel", "有效至"),
            QT_TRANSLATE_NOOP("AlertTableModel", "处置")),
        SignalKind.ALARM: (
            QT_TRANSLATE_NOOP("AlertTableModel", "级别"), QT_TRANSLATE_NOOP("AlertTableModel", "类型"),
            QT_TRANSLATE_NOOP("AlertTableModel", "告警"), QT_TRANSLATE_NOOP("AlertTableModel", "区域"),
            QT_TRANSLATE_NOOP("AlertTableModel", "发生"), QT_TRANSLATE_NOOP("AlertTableModel", "处置")),
        SignalKind.SUPERVISION: (
            QT_TRANSLATE_NOOP("AlertTableModel", "督办等级"), QT_TRANSLATE_NOOP("AlertTableModel", "督办事项"),
            QT_TRANSLATE_NOOP("AlertTableModel", "区域"), QT_TRANSLATE_NOOP("AlertTableModel", "督办时间"),
            QT_TRANSLATE_NOOP("AlertTableModel", "处置")),
    }
    COLUMNS = COLUMNS_OF[SignalKind.WARNING]
    LEVEL, TYPE, TITLE, AREA, ISSUED, EXPIRES, STATE = range(7)     # the public warnings' columns

    def __init__(self, board: AlertBoard, parent: QObject | None = None, *,
                 kind: SignalKind = SignalKind.WARNING):
        super().__init__(parent)
        self.board = board
        self.kind = kind
        self.columns = self.COLUMNS_OF[kind]
        self._rows: list[tuple[BoardEntry, list[str]]] = []
        self._levels: set[str] = set()       # the level texts shown: the level column fits the longest
        self._bold = QFont()
        self._bold.setBold(True)
        self._level_fg = {lv: QBrush(c) for lv, c in theme.ALERT_COLOURS.items()}
        self._level_bg = {lv: QBrush(QColor(c.red(), c.green(), c.blue(), 48)) for lv, c in theme.ALERT_COLOURS.items()}
        self._dim = QBrush(theme.TEXT_DIM)
        board.changed.connect(self.refresh)
        self.refresh()

    def row_texts(self, e: BoardEntry) -> list[str]:
        a = e.alert
        title = a.title if a.drill_id is None else f"【{labels.drill_badge()}】{a.title}"
        level = labels.signal_level(a)
        if self.kind is SignalKind.WARNING:
            return [level, labels.signal_type(a), title, a.area_desc, fmt.hhmm(a.issued_at),
                    fmt.hhmm(a.expires_at) if a.expires_at else "—", e.state_text]
        if self.kind is SignalKind.ALARM:
            return [level, labels.name(a.type), title, a.area_desc, fmt.hhmm(a.issued_at), e.state_text]
        return [level, title, a.area_desc, fmt.hhmm(a.issued_at), e.state_text]

    def refresh(self) -> None:
        rows = [(e, fmt.feed_texts(self.row_texts(e))) for e in self.board.entries_of(self.kind)]
        self.beginResetModel()
        self._rows = rows
        self.endResetModel()
        levels = {texts[0] for _, texts in rows}
        if levels != self._levels:
            self._levels = levels
            self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, 0)   # the view refits the level column

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return QCoreApplication.translate("AlertTableModel", self.columns[section])
        if role == KEEP_TEXT_ROLE and section == 0:
            return sorted(self._levels)      # a signal's level always reads whole
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        entry, texts = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return texts[index.column()]
        if role == Qt.ItemDataRole.ForegroundRole:
            if entry.shelved:
                return self._dim
            return self._level_fg[labels.signal_colour_level(entry.alert)] if index.column() == self.LEVEL else None
        if role == Qt.ItemDataRole.BackgroundRole:
            return None if entry.shelved else self._level_bg[labels.signal_colour_level(entry.alert)]
        if role == Qt.ItemDataRole.FontRole:
            return self._bold if index.column() == self.LEVEL or not entry.acknowledged else None
        if role == ID_ROLE:
            return entry.alert.id
        return None

    def row_key(self, row: int) -> tuple:
        """Everything row `row` shows, as a hashable value (equal keys, equal cells): the views keep a drawn image
        of each row by it. Its texts, the alert's level (colours), shelved (dimmed) and acknowledged (bold)."""
        entry, texts = self._rows[row]
        return (tuple(texts), labels.signal_colour_level(entry.alert), entry.shelved, entry.acknowledged)

    def entry_at(self, row: int) -> BoardEntry:
        return self._rows[row][0]

    def texts_at(self, row: int) -> list[str]:
        return list(self._rows[row][1])

    def row_of(self, alert_id: str) -> int:
        return next((i for i, (e, _) in enumerate(self._rows) if e.alert.id == alert_id), -1)


def guidance_for(guidance: dict[str, str], alert: Alert) -> str:
    """What to do for a public warning. Guidance belongs to the hazard (heat is not a flood): the warning's hazard
    (`Alert.hazard`, or a hazard the title names, 暴雨…, for feeds that do not say) takes the config's guidance
    for it (`heat` or `高温`), else the hazard's own 防御指南 (domain.warning_signals). Without a known hazard: a
    config key found in the title (the longest), else the config's guidance for the type (weather, flood…).
    Device alarms and supervision notices carry none."""
    if signal_kind(alert.type) is not SignalKind.WARNING:
        return ""
    spec = HAZARDS.get(alert.hazard) if alert.hazard is not None else _hazard_in(alert.title)
    if spec is not None:
        return guidance.get(spec.hazard.value) or guidance.get(spec.name_cn) or spec.guidance
    named = sorted((k for k in guidance if k not in _TYPE_KEYS and k and k in alert.title), key=len, reverse=True)
    return guidance[named[0]] if named else guidance.get(alert.type.value, "")


def _hazard_in(title: str) -> HazardSpec | None:
    """The hazard a warning's title names (the longest name found: 道路结冰 before 冰), or None."""
    found = [s for s in HAZARDS.values() if s.name_cn in title]
    return max(found, key=lambda s: len(s.name_cn)) if found else None


_TYPE_KEYS = frozenset(t.value for t in AlertType)
