"""The operator console: a window for the operator's desk that steers the wall.

Search incidents (by id, text, grid, category; the store is read on its own thread), push any incident,
alert, grid or resource to a chosen wall window, acknowledge / shelve / escalate alerts (recorded as
OperatorActions in the store), pause / resume / pin the page rotation, start and stop drills, and see a
refused config edit's error. Everything is reachable from the keyboard; F1 lists the shortcuts.
"""
from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import Callable
from datetime import datetime, timedelta, UTC
from zoneinfo import ZoneInfo
from pathlib import Path

from PySide6.QtCore import QDate, QDateTime, Qt, QTime, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView, QComboBox, QDateTimeEdit, QFormLayout, QFrame, QGridLayout, QGroupBox, QHBoxLayout, QHeaderView,
    QLabel, QLineEdit, QMainWindow, QPlainTextEdit, QPushButton, QSizePolicy, QSpinBox, QSplitter, QTableView,
    QVBoxLayout, QWidget,
)

from ...config import SCENARIOS_DIR, Config
from ...domain import ActionKind, Category, OperatorAction, TerritoryLevel
from .. import labels, theme
from ..tiles.base import plain_label
from ...services import LiveState
from ..replay_bar import breakthrough_text
from ..wall import wall_title
from .confirm import ConfirmBar, SignIn
from .models import AlertListModel, IncidentSearchModel
from .wall_port import AlertStanding, ReplayState, WallControl

log = logging.getLogger(__name__)

SEARCH_LIMIT = 200
HISTORY_ROWS = 200


def _default_report_dir() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("commandcenter", appauthor=False)) / "reports"


def _alert_name(live: LiveState, alert_id: str) -> str | None:
    alert = live.alerts.get(alert_id)
    return f"「{alert.title}」" if alert else None


def _incident_name(live: LiveState, incident_id: str) -> str:
    inc = live.incidents.get(incident_id)
    return f"{incident_id}「{inc.title}」" if inc else incident_id


def _resource_name(live: LiveState, resource_id: str) -> str | None:
    res = live.resources.get(resource_id)
    return res.name if res else None


#: How the console names a record of each kind it pushes (None: the record is no longer in the live data).
RECORD_NAMES: dict[str, Callable[[LiveState, str], str | None]] = {
    "alert": _alert_name,
    "incident": _incident_name,
    "grid": lambda live, grid_id: labels.place_name(live.territory, grid_id),
    "resource": _resource_name,
}


class HelpOverlay(QFrame):
    """F1: every shortcut, over the console; Esc or F1 closes it."""

    def __init__(self, shortcuts: list[tuple[str, str]], parent: QWidget):
        super().__init__(parent)
        self.setObjectName("helpOverlay")
        self.setStyleSheet("QFrame#helpOverlay { background: rgba(5, 10, 20, 235); border: 2px solid #3fa7ff; }"
                           " QLabel { background: transparent; }")
        grid = QGridLayout(self)
        grid.setContentsMargins(40, 30, 40, 30)
        title = plain_label(self.tr("键盘快捷键"))
        title.setStyleSheet("font-size: 20pt; font-weight: bold; color: #3fa7ff;")
        grid.addWidget(title, 0, 0, 1, 2)
        self.rows: list[tuple[str, str]] = []
        for i, (keys, what) in enumerate(shortcuts, start=1):
            k = plain_label(QKeySequence(keys).toString(QKeySequence.SequenceFormat.NativeText) or keys)
            k.setStyleSheet("font-weight: bold; color: #ffd166; font-size: 13pt;")
            w = plain_label(what)
            w.setStyleSheet("font-size: 13pt;")
            grid.addWidget(k, i, 0)
            grid.addWidget(w, i, 1)
            self.rows.append((k.text(), what))
        grid.setRowStretch(len(shortcuts) + 1, 1)
        grid.setColumnStretch(1, 1)
        self.hide()

    def toggle(self) -> None:
        if self.isVisible():
            self.hide()
        else:
            parent = self.parentWidget()
            if parent is not None:
                self.setGeometry(parent.rect().adjusted(40, 40, -40, -40))
            self.raise_()
            self.show()


#: Lines the rotation status keeps room for (its state, and one per wall window); more are cut, never pushed.
ROTATION_STATUS_LINES = 4


def keep_place_when_hidden(widget: QWidget) -> None:
    policy = widget.sizePolicy()
    policy.setRetainSizeWhenHidden(True)
    widget.setSizePolicy(policy)


def fixed_lines(label: QLabel, lines: int) -> None:
    """A label that always takes `lines` lines of height and never widens its column."""
    label.setFixedHeight(label.fontMetrics().lineSpacing() * lines + 4)
    label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)


def video_tile_titles(config: Config) -> list[str]:
    """The titles of the config's video tiles, each once (the console pushes cameras to a tile by its title)."""
    titles = [t.title for p in config.pages for t in p.tiles if t.kind == "video" and t.title]
    return list(dict.fromkeys(titles))


class ConsoleWindow(QMainWindow):
    closed = Signal()

    def __init__(self, wall: WallControl, parent: QWidget | None = None):
        super().__init__(parent)
        self.wall = wall
        self._quiet = False
        self.tasks: set[asyncio.Task] = set()
        self.last_error = ""
        self.last_report: Path | None = None
        self.report_dir = _default_report_dir()
        self.resize(1600, 960)
        self._language = wall.config.wall.language
        self._build(signed_in=None)
        self._build_shortcuts()
        self._unsubs: list[Callable[[], None]] = []
        self._present_unsub: Callable[[], None] | None = None
        self._follow_present()
        self._unsubscribe_wall = wall.subscribe(self._on_wall_event)
        wall.on_alert_state(lambda _aid: self._schedule_alert_refresh())
        self._alert_timer = QTimer(self, singleShot=True, interval=250)
        self._alert_timer.timeout.connect(self.refresh_alerts)
        self._status_timer = QTimer(self, interval=1000)
        self._status_timer.timeout.connect(self.refresh_status)
        self._status_timer.start()
        self._history_last = 0
        self._history_timer = QTimer(self, interval=2000)
        self._history_timer.timeout.connect(lambda: self._spawn(self.refresh_history()) if self._can_read() else None)
        self._history_timer.start()
        self.refresh_areas()
        self.refresh_alerts()
        self.refresh_status()
        if wall.config_error is not None:
            self.show_config_error(wall.config_error)

    # ------------------------------------------------------------------ layout
    def _build(self, *, signed_in: tuple[str, str] | None) -> None:
        self.setWindowTitle(self.tr("操作台 · {title}").format(title=wall_title(self.wall.config.wall)))
        root = QWidget()
        outer = QVBoxLayout(root)
        outer.setContentsMargins(10, 10, 10, 10)

        self.error_box = QPlainTextEdit()
        self.error_box.setObjectName("configError")
        self.error_box.setReadOnly(True)
        self.error_box.setMaximumHeight(110)
        self.error_box.setStyleSheet("QPlainTextEdit#configError { background: #3a0d0d; color: #ffb4ab; "
                                     "border: 1px solid #b3261e; }")
        self.error_box.hide()
        outer.addWidget(self.error_box)
        self.wall_warning = plain_label()       # the wall is not right: backend clock off, alarm cannot sound
        self.wall_warning.setObjectName("wallWarning")
        self.wall_warning.setStyleSheet(f"color: {theme.WARNING_TEXT.name()}; font-weight: bold;")
        self.wall_warning.hide()
        outer.addWidget(self.wall_warning)
        self.sign_in_box = SignIn(list(self.wall.config.duty), self.wall.clock())
        if signed_in is not None:      # rebuilt (a new language): still signed in
            self.sign_in_box.sign_in(*signed_in)
        outer.addWidget(self.sign_in_box)
        self.confirm_bar = ConfirmBar()
        outer.addWidget(self.confirm_bar)
        # Fixed regions: a notice, a question or a refusal never moves the blocks below it (a click aimed at 搁置
        # must land on 搁置), so each keeps its place while hidden and the one-line texts never wrap.
        for notice in (self.error_box, self.wall_warning, self.confirm_bar):
            keep_place_when_hidden(notice)
        self.error_box.setFixedHeight(110)
        self.confirm_bar.setFixedHeight(self.confirm_bar.sizeHint().height())

        split = QSplitter(Qt.Orientation.Horizontal)
        outer.addWidget(split, 1)

        # --- left: search
        left = QWidget()
        lcol = QVBoxLayout(left)
        lcol.setContentsMargins(0, 0, 0, 0)
        box = QGroupBox(self.tr("事件检索"))
        form = QHBoxLayout(box)
        self.search_text = QLineEdit()
        self.search_text.setPlaceholderText(self.tr("编号或标题关键字"))
        self.search_grid = QLineEdit()
        self.search_grid.setPlaceholderText(self.tr("网格名称或编号（逗号分隔）"))
        self.search_category = QComboBox()
        self.search_category.addItem(self.tr("全部类别"), None)
        for c in Category:
            self.search_category.addItem(labels.name(c), c)
        self.search_button = QPushButton(self.tr("检索"))
        self.search_button.clicked.connect(self.start_search)
        for edit in (self.search_text, self.search_grid):
            edit.returnPressed.connect(self.start_search)
        form.addWidget(self.search_text, 3)
        form.addWidget(self.search_grid, 2)
        form.addWidget(self.search_category, 1)
        form.addWidget(self.search_button)
        lcol.addWidget(box)
        self.search_model = IncidentSearchModel(self)
        self.results = self._table(self.search_model)
        self.results.doubleClicked.connect(lambda _i: self.push_selected_incident())
        lcol.addWidget(self.results, 1)
        self.search_status = plain_label()
        self.search_status.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        lcol.addWidget(self.search_status)
        row = QHBoxLayout()
        self.push_incident_button = QPushButton(self.tr("推送事件到大屏"))
        self.push_incident_button.clicked.connect(self.push_selected_incident)
        self.push_grid_button = QPushButton(self.tr("推送网格到大屏"))
        self.push_grid_button.clicked.connect(self.push_selected_grid)
        row.addWidget(self.push_incident_button)
        row.addWidget(self.push_grid_button)
        lcol.addLayout(row)

        manual = QGroupBox(self.tr("按编号推送"))
        mrow = QHBoxLayout(manual)
        self.push_kind = QComboBox()
        for kind, text in (("incident", self.tr("事件")), ("alert", self.tr("预警/告警/督办")),
                           ("grid", self.tr("网格")), ("resource", self.tr("资源")), ("camera", self.tr("摄像头"))):
            self.push_kind.addItem(text, kind)
        self.push_id = QLineEdit()
        self.push_id.setPlaceholderText(self.tr("编号"))
        self.push_id.returnPressed.connect(self.push_manual)
        self.push_manual_button = QPushButton(self.tr("推送"))
        self.push_manual_button.clicked.connect(self.push_manual)
        mrow.addWidget(self.push_kind)
        mrow.addWidget(self.push_id, 1)
        mrow.addWidget(self.push_manual_button)
        lcol.addWidget(manual)

        video = QGroupBox(self.tr("推送视频到图块"))
        vrow = QHBoxLayout(video)
        self.video_tile = QComboBox()
        self.video_tile.addItems(video_tile_titles(self.wall.config))
        self.video_cameras = QLineEdit()
        self.video_cameras.setPlaceholderText(self.tr("摄像头编号，逗号分隔"))
        self.video_cameras.returnPressed.connect(self.push_cameras)
        self.push_cameras_button = QPushButton(self.tr("推送视频"))
        self.push_cameras_button.clicked.connect(self.push_cameras)
        vrow.addWidget(self.video_tile)
        vrow.addWidget(self.video_cameras, 1)
        vrow.addWidget(self.push_cameras_button)
        video.setVisible(self.video_tile.count() > 0)
        lcol.addWidget(video)
        split.addWidget(left)

        # --- right: alerts, wall control, drills
        right = QWidget()
        rcol = QVBoxLayout(right)
        rcol.setContentsMargins(0, 0, 0, 0)
        abox = QGroupBox(self.tr("预警 · 告警 · 督办"))
        acol = QVBoxLayout(abox)
        self.alert_model = AlertListModel(self.alert_state, self)
        self.alerts = self._table(self.alert_model)
        self.alerts.doubleClicked.connect(lambda _i: self.push_selected_alert())
        acol.addWidget(self.alerts, 1)
        arow = QHBoxLayout()
        self.ack_button = QPushButton(self.tr("确认"))
        self.ack_button.clicked.connect(lambda: self.alert_action(ActionKind.ACKNOWLEDGE))
        self.shelve_button = QPushButton(self.tr("搁置"))
        self.shelve_button.clicked.connect(lambda: self.alert_action(ActionKind.SHELVE))
        self.shelve_minutes = QSpinBox()
        self.shelve_minutes.setRange(1, 24 * 60)
        self.shelve_minutes.setValue(30)
        self.shelve_minutes.setSuffix(self.tr(" 分钟"))
        self.escalate_button = QPushButton(self.tr("升级"))
        self.escalate_button.clicked.connect(lambda: self.alert_action(ActionKind.ESCALATE))
        self.push_alert_button = QPushButton(self.tr("推送选中信号到大屏"))
        self.push_alert_button.clicked.connect(self.push_selected_alert)
        for w in (self.ack_button, self.shelve_button, self.shelve_minutes, self.escalate_button,
                  self.push_alert_button):
            arow.addWidget(w)
        acol.addLayout(arow)
        rcol.addWidget(abox, 1)

        wbox = QGroupBox(self.tr("大屏控制"))
        wform = QFormLayout(wbox)
        self.area = QComboBox()
        self.area.currentIndexChanged.connect(lambda _i: self.refresh_pages())
        wform.addRow(self.tr("推送到"), self.area)
        self.pages = QComboBox()
        wform.addRow(self.tr("页面"), self.pages)
        crow = QHBoxLayout()
        self.pause_button = QPushButton(self.tr("暂停轮播"))
        self.pause_button.clicked.connect(self.toggle_pause)
        self.next_button = QPushButton(self.tr("下一页"))
        self.next_button.clicked.connect(self.next_page)
        self.pin_button = QPushButton(self.tr("固定页面"))
        self.pin_button.clicked.connect(self.toggle_pin)
        for w in (self.pause_button, self.next_button, self.pin_button):
            crow.addWidget(w)
        wform.addRow(crow)
        self.rotation_status = plain_label()
        self.rotation_status.setWordWrap(True)
        self.rotation_status.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        fixed_lines(self.rotation_status, ROTATION_STATUS_LINES)
        wform.addRow(self.rotation_status)
        rcol.addWidget(wbox)

        self.drill_box = QGroupBox(self.tr("演练"))
        drow = QHBoxLayout(self.drill_box)
        self.drill_scenario = QComboBox()
        self.drill_scenario.setEditable(True)
        for p in sorted(SCENARIOS_DIR.glob("*.toml")) if SCENARIOS_DIR.exists() else []:
            self.drill_scenario.addItem(p.name, str(p))
        self.drill_start_button = QPushButton(self.tr("开始演练"))
        self.drill_start_button.clicked.connect(self.start_drill)
        self.drill_stop_button = QPushButton(self.tr("结束演练"))
        self.drill_stop_button.clicked.connect(self.stop_drill)
        self.drill_report_button = QPushButton(self.tr("生成报告"))
        self.drill_report_button.clicked.connect(self.make_drill_report)
        self.drill_status = plain_label()
        self.drill_status.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        drow.addWidget(self.drill_scenario, 2)
        drow.addWidget(self.drill_start_button)
        drow.addWidget(self.drill_stop_button)
        drow.addWidget(self.drill_report_button)
        drow.addWidget(self.drill_status, 1)    # its text never pushes the buttons
        rcol.addWidget(self.drill_box)
        # Capability check: the drill controls exist only when the wall runs a DrillManager.
        self.drill_box.setVisible(self.drills_available)
        self._build_replay(rcol)

        hbox = QGroupBox(self.tr("操作记录"))
        hcol = QVBoxLayout(hbox)
        self.history = QPlainTextEdit()        # plain text: names and reasons come from operators and feeds
        self.history.setReadOnly(True)
        self.history.setMaximumHeight(160)
        self._history_lines: list[str] = []
        hcol.addWidget(self.history)
        rcol.addWidget(hbox)

        self.message = plain_label()
        self.message.setObjectName("consoleMessage")
        self.message.setWordWrap(True)
        self.message.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        fixed_lines(self.message, 2)
        rcol.addWidget(self.message)
        split.addWidget(right)
        split.setSizes([900, 700])
        self.setCentralWidget(root)
        self.help = HelpOverlay(self.shortcut_list(), root)

    def _build_replay(self, rcol: QVBoxLayout) -> None:
        """Replay (回放): choose a past window, play it on the wall at 1×–60× with the scrubber, back to live."""
        from ..replay_bar import ReplayBar

        self.replay = self.wall.replay
        self.replay_box = QGroupBox(self.tr("回放"))
        col = QVBoxLayout(self.replay_box)
        row = QHBoxLayout()
        self.replay_start = QDateTimeEdit()
        self.replay_start.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.replay_start.setCalendarPopup(True)
        self.replay_minutes = QSpinBox()
        self.replay_minutes.setRange(1, 7 * 24 * 60)
        self.replay_minutes.setValue(60)
        self.replay_minutes.setSuffix(self.tr(" 分钟"))
        self.replay_button = QPushButton(self.tr("回放此时段"))
        self.replay_button.clicked.connect(self.enter_replay)
        row.addWidget(plain_label(self.tr("从")))
        row.addWidget(self.replay_start, 1)
        row.addWidget(plain_label(self.tr("时长")))
        row.addWidget(self.replay_minutes)
        row.addWidget(self.replay_button)
        col.addLayout(row)
        self.replay_bar = ReplayBar(self.replay) if self.replay is not None else None
        if self.replay_bar is not None and self.replay is not None:
            col.addWidget(self.replay_bar)
            self.set_replay_window(self.wall.present_now() - timedelta(hours=1), 60)
        rcol.addWidget(self.replay_box)
        self.replay_box.setVisible(self.replay is not None)

    def _table(self, model) -> QTableView:
        view = QTableView()
        view.setModel(model)
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        view.setAlternatingRowColors(True)
        view.verticalHeader().hide()
        view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        view.horizontalHeader().setStretchLastSection(True)
        view.setTabKeyNavigation(False)
        return view

    @property
    def drills_available(self) -> bool:
        return self.wall.drills_available

    # ------------------------------------------------------------------ keyboard
    def shortcut_list(self) -> list[tuple[str, str]]:
        return [
            ("F1", self.tr("显示/隐藏快捷键帮助")),
            ("Ctrl+F", self.tr("检索：编号或关键字")),
            ("Ctrl+G", self.tr("检索：网格")),
            ("Ctrl+L", self.tr("检索结果列表")),
            ("Ctrl+R", self.tr("预警、告警、督办列表")),
            ("Ctrl+Return", self.tr("推送选中的事件或信号到大屏")),
            ("Ctrl+Shift+G", self.tr("推送选中事件的网格到大屏")),
            ("Ctrl+1…9", self.tr("选择推送到的大屏窗口")),
            ("F5", self.tr("确认选中的信号")),
            ("F6", self.tr("搁置选中的信号")),
            ("F7", self.tr("升级选中的信号")),
            ("F8", self.tr("暂停/恢复轮播")),
            ("F9", self.tr("下一页")),
            ("F10", self.tr("固定/取消固定页面")),
            ("F11", self.tr("开始演练（需确认并填写原因）")),
            ("F12", self.tr("结束演练（需确认并填写原因）")),
            ("Ctrl+P", self.tr("回放所选时段")),
            ("Ctrl+Space", self.tr("回放：暂停/继续")),
            ("Ctrl+End", self.tr("回到实时")),
            ("Ctrl+Q", self.tr("退出")),
        ]

    def _build_shortcuts(self) -> None:
        def add(keys: str, fn) -> None:
            sc = QShortcut(QKeySequence(keys), self)
            sc.setContext(Qt.ShortcutContext.WindowShortcut)
            sc.activated.connect(fn)

        add("F1", lambda: self.help.toggle())
        add("Escape", self._escape)
        add("Ctrl+F", lambda: _focus_all(self.search_text))
        add("Ctrl+G", lambda: _focus_all(self.search_grid))
        add("Ctrl+L", lambda: self._focus_table(self.results))
        add("Ctrl+R", lambda: self._focus_table(self.alerts))
        add("Ctrl+Return", self.push_focused)
        add("Ctrl+Enter", self.push_focused)
        add("Ctrl+Shift+G", self.push_selected_grid)
        for n in range(1, 10):
            add(f"Ctrl+{n}", lambda n=n: self.area.setCurrentIndex(n - 1) if n <= self.area.count() else None)
        add("F5", lambda: self.alert_action(ActionKind.ACKNOWLEDGE))
        add("F6", lambda: self.alert_action(ActionKind.SHELVE))
        add("F7", lambda: self.alert_action(ActionKind.ESCALATE))
        add("F8", self.toggle_pause)
        add("F9", self.next_page)
        add("F10", self.toggle_pin)
        add("F11", self.start_drill)
        add("F12", self.stop_drill)
        add("Ctrl+P", self.enter_replay)
        add("Ctrl+Space", self.toggle_replay_pause)
        add("Ctrl+End", self.back_to_live)
        add("Ctrl+Q", self.close)

    def _focus_table(self, view: QTableView) -> None:
        view.setFocus()
        if not view.selectionModel().hasSelection() and view.model().rowCount() > 0:
            view.selectRow(0)

    # ------------------------------------------------------------------ helpers
    def _spawn(self, coro) -> asyncio.Task:
        task = asyncio.ensure_future(coro)
        self.tasks.add(task)
        task.add_done_callback(self._task_done)
        return task

    def _task_done(self, task: asyncio.Task) -> None:
        self.tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            exc = task.exception()
            log.error("console action failed: %s", exc)
            self.say(self.tr("操作失败：{error}").format(error=str(exc)), error=True)

    async def settle(self) -> None:
        """Wait for the console's pending store work (tests)."""
        while self.tasks:
            await asyncio.gather(*list(self.tasks), return_exceptions=True)

    def say(self, text: str, *, error: bool = False) -> None:
        self.message.setText(text)
        self.message.setStyleSheet(f"color: {'#ff8a80' if error else '#9ccc65'};")

    def actor(self) -> str:
        """The signed-in person ("" before the sign-in: no action is taken then)."""
        who = self.sign_in_box.who
        return who[0] if who else ""

    def seat(self) -> str:
        who = self.sign_in_box.who
        return who[1] if who else ""

    def sign_in(self, name: str, seat: str) -> bool:
        """The duty sign-in (the 签到 button does the same): actions are recorded under this person and seat."""
        ok = self.sign_in_box.sign_in(name, seat)
        self.say(self.sign_in_box.state.text(), error=not ok)
        return ok

    def _signed_in(self) -> bool:
        if self.sign_in_box.who is None:
            self.say(self.tr("请先签到：选择值班人员和席位"), error=True)
            self.sign_in_box.person.setFocus()
            return False
        return True

    def _recipients(self) -> list[str]:
        """Whom an escalation usually goes to: the duty roster by name and role (anyone else can be typed)."""
        return [f"{d.name}（{d.role}）" if d.role else d.name for d in self.wall.config.duty]

    def _can_read(self) -> bool:
        return self.wall.can_read

    async def refresh_history(self) -> int:
        """The console's history: every action recorded (here or on any console), newest first, by name."""
        actions = await self.wall.actions_since(self._history_last)
        for a in actions:
            self._history_last = max(self._history_last, a.id or 0)
            self._history_lines.insert(0, history_text(a))
        if actions:
            del self._history_lines[HISTORY_ROWS:]
            self.history.setPlainText("\n".join(self._history_lines))
        return len(actions)

    def current_area(self) -> str | None:
        return self.area.currentData()

    @staticmethod
    def _selected_row(view: QTableView) -> int:
        rows = view.selectionModel().selectedRows()
        if rows:
            return rows[0].row()
        idx = view.currentIndex()
        return idx.row() if idx.isValid() else -1

    # ------------------------------------------------------------------ search
    def start_search(self) -> asyncio.Task:
        return self._spawn(self.search())

    async def search(self) -> int:
        text = self.search_text.text().strip() or None
        grids = self.searched_grids() or None
        category = self.search_category.currentData()
        self.search_status.setText(self.tr("检索中…"))
        fetch = SEARCH_LIMIT * 5 if category is not None else SEARCH_LIMIT
        found = await self.wall.search_incidents(text=text, grid_ids=grids, limit=fetch)
        if category is not None:
            found = [i for i in found if i.category == category]
        found = found[:SEARCH_LIMIT]
        self.search_model.set_incidents(found, self.wall.present().territory)
        self.search_status.setText(self.tr("找到 {n} 条").format(n=self._number(len(found))))
        if found:
            self.results.selectRow(0)
        return len(found)

    def searched_grids(self) -> list[str]:
        """The grids the grid box names, comma-separated: each a grid's code, or words of its name (第3网格)
        or of its community's (幸福社区), which an operator knows rather than the code."""
        territory = self.wall.present().territory
        grids = [n for n in territory.values() if n.level is TerritoryLevel.GRID]
        out: list[str] = []
        for word in (w.strip() for w in self.search_grid.text().replace("，", ",").split(",")):
            if not word:
                continue
            named = [g.id for g in grids if word in g.name or word in labels.place_name(territory, g.id)]
            out += [word] if word in territory or not named else named    # a word naming no grid finds nothing
        return list(dict.fromkeys(out))

    @staticmethod
    def _number(n: int) -> str:
        from PySide6.QtCore import QLocale

        return QLocale().toString(n)

    # ------------------------------------------------------------------ pushing to the wall
    def push(self, kind: str, record_id: str) -> None:
        if not record_id:
            self.say(self.tr("请先选择要推送的记录"), error=True)
            return
        if not self._signed_in():
            return
        area = self.current_area()
        self.wall.push_details(kind, record_id, area=area)
        self._spawn(self._record(ActionKind.PUSH_TO_WALL, kind, record_id, reason=area or ""))
        self.say(self.tr("已推送到大屏：{kind} {id}").format(kind=self.push_kind.itemText(
            max(0, self.push_kind.findData(kind))), id=self.record_name(kind, record_id)))

    def record_name(self, kind: str, record_id: str) -> str:
        """What an operator calls a record: an alert or incident by its title, a grid or resource by its name.
        An incident's case number stays beside its title (it is what callers quote); alert ids never show."""
        name_of = RECORD_NAMES.get(kind)
        if name_of is None:
            return record_id
        name = name_of(self.wall.present(), record_id)
        return name if name is not None else self.tr("（已不在实时数据中）")

    def push_selected_incident(self) -> None:
        self.push("incident", self.search_model.id_at(self._selected_row(self.results)) or "")

    def push_selected_grid(self) -> None:
        row = self._selected_row(self.results)
        grid = self.search_model.grid_at(row) if row >= 0 else None
        if not grid:
            grids = self.searched_grids()
            grid = grids[0] if grids else ""
        self.push("grid", grid or "")

    def push_selected_alert(self) -> None:
        self.push("alert", self.alert_model.id_at(self._selected_row(self.alerts)) or "")

    def push_cameras(self) -> None:
        """A set of cameras onto the chosen video tile (every wall window showing a tile of that title)."""
        ids = [c.strip() for c in self.video_cameras.text().replace("，", ",").split(",") if c.strip()]
        title = self.video_tile.currentText()
        if not ids or not title:
            self.say(self.tr("请先填写摄像头编号"), error=True)
            return
        if not self._signed_in():
            return
        if not self.wall.push_cameras(title, ids):
            self.say(self.tr("大屏上没有此视频图块：{title}").format(title=title), error=True)
            return
        self._spawn(self._record(ActionKind.PUSH_TO_WALL, "camera", ",".join(ids)[:200], reason=title))
        self.say(self.tr("已推送视频到 {title}：{ids}").format(title=title, ids="、".join(ids)))

    def push_manual(self) -> None:
        self.push(self.push_kind.currentData(), self.push_id.text().strip())

    def push_focused(self) -> None:
        if self.alerts.hasFocus():
            self.push_selected_alert()
        elif self.push_id.hasFocus():
            self.push_manual()
        else:
            self.push_selected_incident()

    # ------------------------------------------------------------------ alerts
    def alert_state(self, alert_id: str) -> str:
        return {AlertStanding.ACKNOWLEDGED: self.tr("已确认"), AlertStanding.SHELVED: self.tr("已搁置"),
                AlertStanding.ESCALATED: self.tr("已升级"), AlertStanding.PENDING: self.tr("待确认"),
                AlertStanding.PENDING_TAKEOVER: self.tr("待确认 · 占用大屏"),
                AlertStanding.NONE: ""}[self.wall.alert_standing(alert_id)]

    def selected_alert(self) -> str | None:
        return self.alert_model.id_at(self._selected_row(self.alerts))

    def alert_action(self, kind: ActionKind, alert_id: str | None = None) -> asyncio.Task | None:
        """Acknowledge / shelve at once; escalate asks first for the recipient and the reason (ConfirmBar)."""
        alert_id = alert_id or self.selected_alert()
        if not alert_id:
            self.say(self.tr("请先选择一条预警、告警或督办"), error=True)
            return None
        if not self._signed_in():
            return None
        if kind is ActionKind.ESCALATE:
            self.confirm_bar.ask(self.tr("升级预警 {id}：报送给谁，为什么？").format(id=alert_id),
                                 lambda reason, recipient: self._spawn(
                                     self._alert_action(kind, alert_id, reason=reason, recipient=recipient)),
                                 recipients=self._recipients(), confirm_text=self.tr("确认升级"))
            return None
        return self._spawn(self._alert_action(kind, alert_id))

    async def _alert_action(self, kind: ActionKind, alert_id: str, *, reason: str = "", recipient: str = "") -> None:
        if self.sign_in_box.who is None:
            raise RuntimeError(self.tr("请先签到：选择值班人员和席位"))
        actor, seat = self.actor(), self.seat()
        if kind is ActionKind.ACKNOWLEDGE:
            await self.wall.acknowledge(alert_id, actor=actor, seat=seat)
        elif kind is ActionKind.SHELVE:
            until = self.wall.present_now() + timedelta(minutes=self.shelve_minutes.value())
            await self.wall.shelve(alert_id, until, actor=actor, seat=seat)
        else:
            await self.wall.escalate(alert_id, actor=actor, seat=seat, reason=reason, recipient=recipient)
        done = {ActionKind.ACKNOWLEDGE: self.tr("已确认 {id}"), ActionKind.SHELVE: self.tr("已搁置 {id}"),
                ActionKind.ESCALATE: self.tr("已升级 {id}")}[kind]
        self.say(done.format(id=self.record_name("alert", alert_id)))
        self.refresh_alerts()

    async def _record(self, kind: ActionKind, target_kind: str, target_id: str, *, reason: str = "",
                      expires_at=None, recipient: str = "") -> OperatorAction:
        alert = self.wall.present().alerts.get(target_id) if target_kind == "alert" else None
        action = OperatorAction(kind=kind, target_kind=target_kind, target_id=target_id, actor=self.actor(),
                                console=socket.gethostname(), at=self.wall.present_now(), reason=reason,
                                expires_at=expires_at, drill_id=alert.drill_id if alert else None, seat=self.seat(),
                                recipient=recipient)
        return await self.wall.record(action)

    def _escape(self) -> None:
        self.help.hide()
        self.confirm_bar.cancel()

    def _follow_present(self) -> None:
        """The lists follow the present: the wall's live state, or while it replays the past, the shadow the feeds
        keep writing (ui.replay_bar.present_live)."""
        self._stop_following()
        self._present_unsub = self.wall.present().on_change(self._on_live_change)

    def _stop_following(self) -> None:
        unsub, self._present_unsub = self._present_unsub, None
        if unsub is not None:
            try:
                unsub()
            except ValueError:     # that state already let its listeners go
                pass

    def _on_live_change(self, change) -> None:
        if change.alerts or change.removed_alerts:
            self._schedule_alert_refresh()
        if change.incidents and self.search_model.rowCount():
            # search results show the incidents as they are now, not as they were found
            self.search_model.update_incidents(change.incidents, self.wall.present().territory)

    def _schedule_alert_refresh(self) -> None:
        if not self._alert_timer.isActive():
            self._alert_timer.start()

    def refresh_alerts(self) -> None:
        keep = self.selected_alert()
        now = self.wall.present_now()
        self.alert_model.set_alerts([a for a in self.wall.present().alerts.values() if a.is_live(now)])
        row = self.alert_model.row_of(keep) if keep else -1
        if row >= 0:
            self.alerts.selectRow(row)

    # ------------------------------------------------------------------ rotation
    def refresh_areas(self) -> None:
        keep = self.current_area()
        self.area.blockSignals(True)
        self.area.clear()
        for n, area in enumerate(self.wall.rotation_view().areas, start=1):
            where = ", ".join(area.screens) if area.screens else self.tr("主屏")
            self.area.addItem(self.tr("窗口 {n}（屏幕 {screens}）").format(n=n, screens=where), area.key)
        idx = self.area.findData(keep)
        self.area.setCurrentIndex(idx if idx >= 0 else 0)
        self.area.blockSignals(False)
        self.refresh_pages()

    def refresh_pages(self) -> None:
        key = self.current_area()
        self.pages.clear()
        area = self.wall.rotation_view().area(key)
        if area is None or not area.pages:
            return
        for name in area.pages:
            self.pages.addItem(name, name)
        idx = self.pages.findData(area.current)
        if idx >= 0:
            self.pages.setCurrentIndex(idx)

    def toggle_pause(self) -> None:
        if self.wall.rotation_view().paused:
            self.wall.pause_rotation(False)
            self.say(self.tr("轮播已恢复"))
        else:
            self.wall.pause_rotation(True)
            self.say(self.tr("轮播已暂停"))
        self.refresh_status()

    def next_page(self) -> None:
        key = self.current_area()
        if key is not None:
            self.wall.next_page(key)
            self.refresh_status()

    def toggle_pin(self) -> None:
        key = self.current_area()
        area = self.wall.rotation_view().area(key)
        if area is None or not area.pages:
            return
        if area.pinned:
            self.wall.pin(area.key, None)
            self.say(self.tr("已取消固定"))
        else:
            page = self.pages.currentData() or area.current
            self.wall.pin(area.key, page)
            self.say(self.tr("已固定页面：{page}").format(page=page))
        self.refresh_status()

    def refresh_status(self) -> None:
        self.refresh_wall_warning()
        rot = self.wall.rotation_view()
        lines = []
        if rot.takeover_alert:
            lines.append(self.tr("红色预警 {id} 占用大屏，等待确认").format(
                id=self.record_name("alert", rot.takeover_alert)))
        if rot.paused:
            lines.append(self.tr("轮播：已暂停"))
        elif rot.holding:
            lines.append(self.tr("轮播：查看详情中，稍后继续"))
        else:
            lines.append(self.tr("轮播：运行中"))
        for n, area in enumerate((a for a in rot.areas if a.pages), start=1):
            left = area.seconds_left
            state = self.tr("固定") if area.pinned else (
                self.tr("{s} 秒后换页").format(s=int(left)) if left is not None else self.tr("不轮播"))
            lines.append(self.tr("窗口 {n}：{page}（{state}）").format(n=n, page=area.current, state=state))
        self.rotation_status.setText("\n".join(lines))
        self.pause_button.setText(self.tr("恢复轮播") if rot.paused else self.tr("暂停轮播"))
        shown = rot.area(self.current_area())
        pinned = shown is not None and shown.pinned
        self.pin_button.setText(self.tr("取消固定") if pinned else self.tr("固定页面"))
        if self.drills_available:
            running = self.wall.running_drill()
            self.drill_status.setText(self.tr("演练进行中：{id}").format(id=running.scenario.name)
                                      if running is not None else self.tr("当前无演练"))

    def refresh_wall_warning(self) -> None:
        """The wall's own warnings, as its status bar shows them: backend clock offset, alarm unavailable."""
        from ..wall import offset_text

        offsets, alarm_problem = self.wall.warnings()
        parts = [offset_text(offsets), alarm_problem]
        text = "  ·  ".join(p for p in parts if p)
        self.wall_warning.setText(f"⚠ {text}" if text else "")
        self.wall_warning.setVisible(bool(text))

    # ------------------------------------------------------------------ drills
    def start_drill(self) -> None:
        """Ask to confirm the start, with a reason (ConfirmBar): a key press alone starts nothing."""
        if not self.drills_available:
            self.say(self.tr("本系统未启用演练功能"), error=True)
            return None
        scenario = self.drill_scenario.currentData() or self.drill_scenario.currentText().strip()
        if not scenario:
            self.say(self.tr("请选择演练脚本"), error=True)
            return None
        running = self.wall.running_drill()
        if running is not None:
            self.say(self.tr("演练 {id} 正在进行，请先结束").format(id=running.scenario.name), error=True)
            return None
        if not self._signed_in():
            return None
        self.confirm_bar.ask(self.tr("开始演练「{name}」？演练内容将在大屏上以【演练】标示。").format(
            name=self.drill_scenario.currentText()), lambda reason, _r: self._spawn(self._start_drill(scenario, reason)),
            confirm_text=self.tr("确认开始演练"))
        return None

    async def _start_drill(self, scenario: str, reason: str) -> None:
        # The backend call (the simulator's scenario player) runs on a worker thread and the rows on the store
        # thread; the manager then tells its listeners (banner, drill tile) on the GUI thread.
        from ...services.drills import DrillBackendError

        try:
            d = await self.wall.start_drill(scenario, actor=self.actor(), reason=reason, seat=self.seat())
        except (DrillBackendError, OSError, ValueError, RuntimeError) as exc:
            self.say(self.tr("演练未开始：{why}").format(why=str(exc)), error=True)
            return
        self.say(self.tr("演练已开始：{id}").format(id=d.scenario.name))
        self.refresh_status()

    def stop_drill(self) -> None:
        """Ask to confirm the stop, with a reason (ConfirmBar)."""
        d = self.wall.running_drill()
        if d is None:
            return None
        if not self._signed_in():
            return None
        self.confirm_bar.ask(self.tr("结束演练「{name}」？").format(name=d.scenario.name),
                             lambda reason, _r: self._spawn(self._stop_drill(reason)),
                             confirm_text=self.tr("确认结束演练"))
        return None

    async def _stop_drill(self, reason: str) -> None:
        backend_error = await self.wall.stop_drill(actor=self.actor(), reason=reason, seat=self.seat())
        if backend_error:
            self.say(self.tr("演练已结束，但后端未确认：{why}").format(why=backend_error), error=True)
        else:
            self.say(self.tr("演练已结束"))
        self.refresh_status()

    def make_drill_report(self) -> asyncio.Task | None:
        """The after-action report (PDF + CSV) of the running or last drill, into `report_dir`."""
        drill = self.wall.reportable_drill()
        if drill is None:
            self.say(self.tr("没有可生成报告的演练"), error=True)
            return None

        async def go() -> None:
            from ..report import write_report

            data = await self.wall.drill_report(drill.id)
            # QTextDocument / QPdfWriter / QImage need no GUI thread: the PDF is typeset off it
            duty = self.wall.config.duty
            roster = frozenset(d.name for d in duty) if duty else None   # who is a person, not an account
            pdf, _csv = await asyncio.to_thread(write_report, data, self.report_dir / f"{drill.id}.pdf", roster)
            self.last_report = pdf
            self.say(self.tr("报告已生成：{path}").format(path=str(pdf)))

        return self._spawn(go())

    # ------------------------------------------------------------------ replay
    def _zone(self) -> ZoneInfo:
        return ZoneInfo(self.wall.config.wall.timezone)

    def set_replay_window(self, start: datetime, minutes: int) -> None:
        """Fill the window chooser (shown in the wall's time zone)."""
        t = start.astimezone(self._zone())
        self.replay_start.setDateTime(QDateTime(QDate(t.year, t.month, t.day), QTime(t.hour, t.minute)))
        self.replay_minutes.setValue(minutes)

    def replay_window(self) -> tuple[datetime, datetime]:
        """The chosen window in UTC; its end never later than now (the future is not replayed)."""
        d, t = self.replay_start.date(), self.replay_start.time()
        start = datetime(d.year(), d.month(), d.day(), t.hour(), t.minute(), tzinfo=self._zone()).astimezone(UTC)
        now = self.wall.present_now()
        end = min(start + timedelta(minutes=self.replay_minutes.value()), now)
        return start, end

    def enter_replay(self) -> bool:
        """Play the chosen past window on the wall at the scrubber's speed (every tile, REPLAY banner)."""
        if self.replay is None or self.replay_bar is None:
            self.say(self.tr("本系统未启用回放功能"), error=True)
            return False
        start, end = self.replay_window()
        if end <= start:
            self.say(self.tr("回放时段必须在当前时间之前"), error=True)
            return False
        speed = self.replay_bar.speed.currentData()
        self.wall.play_window(start, end, speed=speed)
        self.say(self.tr("回放 {start} 起 {minutes} 分钟，{speed}×").format(
            start=self.replay_start.dateTime().toString("yyyy-MM-dd HH:mm"),
            minutes=round((end - start).total_seconds() / 60), speed=speed))
        return True

    def toggle_replay_pause(self) -> None:
        if self.replay is None:
            return
        state = self.wall.replay_state()
        if state is ReplayState.LIVE:
            self.enter_replay()
        else:
            self.wall.pause_replay(state is ReplayState.PLAYING)

    def set_replay_speed(self, speed: float) -> None:
        """1×–60× (the scrubber's choices)."""
        if self.replay_bar is not None:
            i = self.replay_bar.speed.findData(int(speed))
            if i < 0:
                raise ValueError(f"speed {speed:g}× is not one of the scrubber's speeds")
            self.replay_bar.speed.setCurrentIndex(i)

    def back_to_live(self) -> None:
        """One action: the wall shows the present again."""
        if self.wall.back_to_live():
            self.say(self.tr("已回到实时"))

    # ------------------------------------------------------------------ wall events
    def _on_wall_event(self, what: str, arg) -> None:
        if what == "actions":          # recorded anywhere, told by the wall's store follower
            if self._can_read():
                self._spawn(self.refresh_history())
        elif what == "config_refused":
            self.show_config_error(arg)
        elif what == "config_applied":
            if arg.wall.language != self._language:      # rebuild in the new language
                self._language = arg.wall.language
                self._build(signed_in=self.sign_in_box.who)
                self._history_last = 0          # the rebuilt history list is filled again from the start
                self._history_lines = []
                self.refresh_alerts()
            self.error_box.hide()
            self.last_error = ""
            if list(arg.duty) != self.sign_in_box.duty:       # the roster changed: offer the new one
                self.sign_in_box.duty = list(arg.duty)
                self.sign_in_box.fill(self.wall.clock())
            self.refresh_areas()
            self.say(self.tr("配置已更新并生效"))
        elif what == "replay":          # the wall entered or left a replay: the lists stay on the present
            self._follow_present()
            self.refresh_alerts()
        elif what == "breakthrough":
            self.refresh_alerts()
            self.say(breakthrough_text(arg) + "  " + self.tr("（Ctrl+End 回到实时）"), error=True)
            self.raise_()
        elif what == "takeover":
            self.refresh_alerts()
            self.refresh_status()
            if arg:
                row = self.alert_model.row_of(arg)
                if row >= 0:
                    self.alerts.selectRow(row)
                    self.raise_()

    def show_config_error(self, error) -> None:
        self.last_error = str(error)
        self.error_box.setPlainText(self.tr("配置修改未生效，大屏保持原样：") + "\n" + self.last_error)
        self.error_box.show()

    # ------------------------------------------------------------------ closing
    def close_quietly(self) -> None:
        """Close without `closed` (the program is ending anyway) and delete the window on this thread."""
        self._quiet = True
        self.close()
        self.deleteLater()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        self._status_timer.stop()
        self._history_timer.stop()
        self._alert_timer.stop()
        for unsub in self._unsubs:
            try:
                unsub()
            except ValueError:
                pass
        self._unsubs.clear()
        self._stop_following()
        self._unsubscribe_wall()
        if not self._quiet:
            self.closed.emit()
        super().closeEvent(event)


_ACTION_NAMES = {ActionKind.ACKNOWLEDGE: "确认", ActionKind.SHELVE: "搁置", ActionKind.ESCALATE: "升级",
                 ActionKind.PUSH_TO_WALL: "推送", ActionKind.DRILL_START: "开始演练", ActionKind.DRILL_STOP: "结束演练"}


def history_text(a: OperatorAction) -> str:
    """One line of the console's history: when, who (by name) at which seat, what, on what, to whom and why."""
    from PySide6.QtCore import QCoreApplication

    from ...services.drills import split_reason
    from .. import format as fmt

    what = QCoreApplication.translate("ConsoleWindow", _ACTION_NAMES.get(a.kind, a.kind.value))
    why = split_reason(a.reason)[0] if a.kind is ActionKind.DRILL_START else a.reason
    where = a.seat or a.console
    text = f"{fmt.hhmmss(a.at)}  {a.actor}{' · ' + where if where else ''}  {what} {a.target_kind} {a.target_id}"
    if a.recipient:
        text += f" → {a.recipient}"
    return text + (f"：{why}" if why else "")


__all__ = ["ConsoleWindow", "HelpOverlay", "history_text"]


def _focus_all(edit: QLineEdit) -> None:
    edit.setFocus()
    edit.selectAll()
