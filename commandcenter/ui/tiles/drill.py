"""The drill tile (kind "drill"): each drill incident scored live against 1-10-20 and the scenario's targets.

One row per drill emergency: response / arrival / first assessment (elapsed, target, ✓ / ✗ / running
countdown) and the resources dispatched with when. Few rows, so a QTableWidget of plain items.
"""
from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QTimer
from PySide6.QtGui import QBrush, QColor, QFontMetricsF
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QWidget

from ..noop import QT_TRANSLATE_NOOP
from ...services import LiveState
from ...services.drill_report import fmt_secs
from ...services.drills import DrillManager, IncidentScore, StageScore
from .. import format as fmt
from .. import labels, theme
from .base import Tile, cell_text, plain_label, table_cell, table_font

OK_COLOUR = theme.DRILL_STAGE_MET
BAD_COLOUR = theme.DRILL_STAGE_MISSED
RUN_COLOUR = theme.DRILL_STAGE_RUNNING


def stage_text(s: StageScore) -> tuple[str, QColor | None]:
    """"0:45 ✓ (≤1:00)" when reached; "计时 3:10 / 8:00" while running; "待定" past the target while the data that
    could show it met is still on its way; "✗ 超时" once it is in and the stage was not reached."""

    target = fmt_secs(s.target_s)
    if s.pending:
        return (f"{QCoreApplication.translate('DrillTile', '待定')} {fmt_secs(s.running_s)} / {target}", RUN_COLOUR)
    if s.reached:
        ok = s.met_target
        rule = "" if s.target_s == s.rule_s else f" · 1-10-20 {'✓' if s.met_rule else '✗'}"
        return f"{fmt_secs(s.elapsed_s)} {'✓' if ok else '✗'} (≤{target}){rule}", OK_COLOUR if ok else BAD_COLOUR
    if s.met_target is False:
        return f"✗ {fmt_secs(s.running_s)} > {target}", BAD_COLOUR
    running = QCoreApplication.translate("DrillTile", "计时 {elapsed} / {target}")
    return running.format(elapsed=fmt_secs(s.running_s), target=target), RUN_COLOUR


class DrillTile(Tile):
    kind = "drill"
    COLUMNS = (QT_TRANSLATE_NOOP("DrillTile", "事件"), QT_TRANSLATE_NOOP("DrillTile", "响应 (1)"),
               QT_TRANSLATE_NOOP("DrillTile", "到场 (10)"), QT_TRANSLATE_NOOP("DrillTile", "初情研判 (20)"),
               QT_TRANSLATE_NOOP("DrillTile", "派遣资源"))

    def __init__(self, live: LiveState, drills: DrillManager | None, *, title: str = "", parent: QWidget | None = None):
        super().__init__(live, title or self.tr("演练 · 实时评分"), feeds=[], parent=parent)
        self.drills = drills
        self.status = plain_label()
        self.table = QTableWidget(0, len(self.COLUMNS))
        self.table.setHorizontalHeaderLabels([self.tr(c) for c in self.COLUMNS])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setWordWrap(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.body.addWidget(self.status)
        self.body.addWidget(self.table, 1)
        self._timer = QTimer(self, interval=1000)
        self._timer.timeout.connect(self.refresh)
        self._timer.start()
        if drills is not None:
            self._unsubscribe = drills.on_change(lambda _m: self.refresh())
            self.destroyed.connect(lambda *_: self._unsubscribe())
        self.refresh()

    def refresh(self) -> None:
        d = self.drills
        if d is None:
            self.status.setText(self.tr("演练功能未启用"))
            self.table.setRowCount(0)
            return
        drill = d.current or d.last
        if drill is None:
            self.status.setText(self.tr("当前无演练"))
            self.table.setRowCount(0)
            return
        if d.current is None:       # ended: its records left the wall; the scores are in its report
            self.status.setText(f"{self.tr('当前无演练')} · {self.tr('上次演练')} {drill.scenario.name} "
                                f"{self.tr('已结束')}")
            self.table.setRowCount(0)
            return
        self.status.setText(f"【{labels.drill_badge()}】{drill.scenario.name} · {self.tr('进行中')} · "
                            f"{self.tr('演练时钟')} {fmt_secs(d.elapsed().total_seconds())}")
        self.show_scores(d.scores())

    def show_scores(self, scores: list[IncidentScore]) -> None:
        self.table.setRowCount(len(scores))
        for r, s in enumerate(scores):
            verdict = {True: " ✓", False: " ✗", None: ""}[s.passed_target]
            self._set(r, 0, f"【{labels.drill_badge()}】{s.title}{verdict}", None)
            for c, name in enumerate(("response", "arrival", "assessment"), start=1):
                self._set(r, c, *stage_text(s.stage(name)))
            disp = "、".join(f"{x.name} +{fmt_secs(x.after_s)}" for x in s.dispatches) or "—"
            self._set(r, 4, disp, None)
        self.table.resizeRowsToContents()

    def _set(self, row: int, col: int, text: str, colour: QColor | None) -> None:
        item = table_cell(self.table, row, col)
        item.setText(fmt.feed_text(text))
        if colour is not None:
            item.setForeground(QBrush(colour))
        elif col == 0:
            item.setForeground(QBrush(theme.DRILL.lighter(150)))

    def cell_text(self, row: int, col: int) -> str:
        return cell_text(self.table, row, col)

    def apply_font_size(self, points: int) -> None:
        super().apply_font_size(points)
        f = table_font(self.table, points)
        self.table.verticalHeader().setDefaultSectionSize(round(QFontMetricsF(f).height() * theme.TABLE_ROW_SCALE))
        self.status.setFont(f)
