"""The wall-wide drill banner: "演练" ("DRILL" on an English wall), the scenario and the drill clock, in the drill
colour.

Hidden when no drill runs. Bound to a `DrillManager`; the clock ticks on its own timer so it
moves even between scenario events.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, Qt, QTimer
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QBoxLayout, QFrame, QHBoxLayout, QWidget

from ..services.drills import DrillManager
from ..services.replay import ReplayController
from ..services.drill_report import fmt_secs
from . import format as fmt
from . import theme
from .elided_label import ElidedLabel
from .tiles.base import plain_label

if TYPE_CHECKING:
    from .replay_bar import ReplayBanner


def drill_banner_text() -> str:
    return QCoreApplication.translate("DrillBanner", "演练")


class DrillBanner(QFrame):
    """`drills` None: a wall without drills; the banner stays hidden."""

    def __init__(self, drills: DrillManager | None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("drillBanner")
        self.drills = drills
        self._unsubscribe = lambda: None
        c = theme.DRILL
        self.setStyleSheet(
            f"QFrame#drillBanner {{ background: rgba({c.red()},{c.green()},{c.blue()},210); border: none; }}"
            "QFrame#drillBanner QLabel { background: transparent; color: #ffffff; }")
        self.badge = plain_label(drill_banner_text())
        self.scenario = ElidedLabel()     # a long scenario name or reason must not widen the wall's window
        self.clock = plain_label()
        self.clock.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.score = plain_label()
        row = QHBoxLayout(self)
        row.setContentsMargins(16, 4, 16, 4)
        row.setSpacing(24)
        row.addWidget(self.badge)
        row.addWidget(self.scenario, 1)
        row.addWidget(self.score)
        row.addWidget(self.clock)
        self._timer = QTimer(self, interval=1000)
        self._timer.timeout.connect(self.refresh)
        self._timer.start()
        if drills is not None:
            self._bind(drills)
        self.destroyed.connect(lambda *_: self._unsubscribe())
        self.scale(theme.BASE_POINT_SIZE)
        self.refresh()

    def _bind(self, drills: DrillManager) -> None:
        self._unsubscribe()
        self.drills = drills
        self._unsubscribe = drills.on_change(lambda _m: self.refresh())

    def refresh(self) -> None:
        if self.drills is None:
            self.hide()
            return
        d = self.drills.current
        if d is None:
            self.hide()
            return
        who = f"{d.actor} · {d.seat}" if d.seat else d.actor
        self.scenario.set_full_text(f"{d.scenario.name}  ·  {self.tr('发起')} {who or '—'}"
                                    + (f"  ·  {d.reason}" if d.reason else ""))
        scores = self.drills.scores()
        ok = sum(1 for s in scores if s.passed_target)
        bad = sum(1 for s in scores if s.passed_target is False)
        pending = sum(1 for s in scores if any(st.pending for st in s.stages) and s.passed_target is None)
        self.score.setText((f"{self.tr('事件')} {len(scores)}  ✓{ok}  ✗{bad}"
                            + (f"  {self.tr('待定')} {pending}" if pending else "")) if scores else "")
        self.clock.setText(f"{self.tr('演练时钟')} {fmt_secs(self.drills.elapsed().total_seconds())}  ·  "
                           f"{fmt.hhmmss(self.drills.drill_now())}")
        self.show()

    def text(self) -> str:
        shown = (self.badge.text(), self.scenario.full_text, self.score.text(), self.clock.text())
        return " | ".join(t for t in shown if t)

    def scale(self, points: int) -> None:
        for w, k in ((self.badge, 1.5), (self.scenario, 1.1), (self.score, 1.1), (self.clock, 1.3)):
            f = QFont(w.font())
            f.setPointSize(round(points * k))
            f.setBold(w is self.badge or w is self.clock)
            w.setFont(f)


def attach_banners(layout: QBoxLayout, drills: DrillManager | None,
                   replay_controller: ReplayController | None) -> tuple[DrillBanner, ReplayBanner]:
    """The wall window's banners under its header, added to its `layout`: drill and replay."""
    from .replay_bar import ReplayBanner

    drill = DrillBanner(drills)
    replay = ReplayBanner(replay_controller)
    for b in (drill, replay):
        layout.addWidget(b)
    return drill, replay
