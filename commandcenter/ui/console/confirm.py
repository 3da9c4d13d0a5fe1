"""Non-modal confirmation and sign-in for the console (no nested event loop: see TECH-NOTES on qasync).

`ConfirmBar` is an inline bar that asks "are you sure, and why" (and, for an escalation, to whom): a key press
opens it, only its confirm button (or Enter in a filled reason) carries the action out. `SignIn` is the duty
sign-in: who of the `[[duty]]` roster sits at this console, and at which seat (席位); every action is recorded
under that person and seat.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QFrame, QGroupBox, QHBoxLayout, QLineEdit, QPushButton, QWidget

from ...config.schema import DutySection
from ..tiles.base import plain_label

Confirmed = Callable[[str, str], Any]     # (reason, recipient) → what the action returns (a task)


class ConfirmBar(QFrame):
    """Ask for confirmation and a reason (and a recipient when asked) without a modal dialog."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("confirmBar")
        self.setStyleSheet("QFrame#confirmBar { border: 2px solid #ffb300; background: #2a2110; }")
        row = QHBoxLayout(self)
        row.setContentsMargins(8, 4, 8, 4)
        self.question = plain_label()
        self.question.setWordWrap(True)
        self.recipient = QComboBox()
        self.recipient.setEditable(True)
        _line_edit(self.recipient).setPlaceholderText(self.tr("接收人（必填）"))
        self.reason = QLineEdit()
        self.reason.setPlaceholderText(self.tr("原因（必填）"))
        self.confirm_button = QPushButton(self.tr("确认"))
        self.cancel_button = QPushButton(self.tr("取消"))
        row.addWidget(self.question, 2)
        row.addWidget(self.recipient, 1)
        row.addWidget(self.reason, 2)
        row.addWidget(self.confirm_button)
        row.addWidget(self.cancel_button)
        self.confirm_button.clicked.connect(self.confirm)
        self.cancel_button.clicked.connect(self.cancel)
        self.reason.returnPressed.connect(self.confirm)
        self.reason.textChanged.connect(lambda _t: self._update())
        self.recipient.currentTextChanged.connect(lambda _t: self._update())
        self._action: Confirmed | None = None
        self.hide()

    @property
    def asking(self) -> bool:
        return self._action is not None

    def ask(self, question: str, action: Confirmed, *, recipients: list[str] | None = None,
            confirm_text: str = "") -> None:
        """Show the question; `action(reason, recipient)` runs only on confirm. `recipients` (a list, maybe
        empty) asks for a recipient too."""
        self._action = action
        self.question.setText(question)
        self.confirm_button.setText(confirm_text or self.tr("确认"))
        self.reason.clear()
        self.recipient.clear()
        self.recipient.setVisible(recipients is not None)
        if recipients is not None:
            self.recipient.addItems(recipients)
            self.recipient.setCurrentIndex(-1)
            self.recipient.setEditText("")
        self._update()
        self.show()
        (self.recipient if recipients is not None else self.reason).setFocus()

    def _ready(self) -> bool:
        return bool(self.reason.text().strip()) and (
            not self.recipient.isVisibleTo(self) or bool(self.recipient.currentText().strip()))

    def _update(self) -> None:
        self.confirm_button.setEnabled(self._ready())

    def confirm(self) -> Any:
        """Carry the action out (None when the reason or recipient is missing: nothing happens)."""
        if self._action is None or not self._ready():
            return None
        action, self._action = self._action, None
        recipient = self.recipient.currentText().strip() if self.recipient.isVisibleTo(self) else ""
        reason = self.reason.text().strip()
        self.hide()
        return action(reason, recipient)

    def cancel(self) -> None:
        self._action = None
        self.hide()


class SignIn(QGroupBox):
    """Who is at this console: a person of the duty roster (those on duty now first) and the seat."""

    signed_in = Signal(str, str)         # name, seat

    def __init__(self, duty: list[DutySection], now: datetime, parent: QWidget | None = None):
        super().__init__(parent)
        self.setTitle(self.tr("值班签到"))
        self.duty = list(duty)
        row = QHBoxLayout(self)
        self.person = QComboBox()
        self.seat = QLineEdit()
        self.seat.setPlaceholderText(self.tr("席位，如 1号席"))
        self.button = QPushButton(self.tr("签到"))
        self.state = plain_label(self.tr("未签到：操作前请先签到"))
        row.addWidget(plain_label(self.tr("值班人员")))
        row.addWidget(self.person, 2)
        row.addWidget(plain_label(self.tr("席位")))
        row.addWidget(self.seat, 1)
        row.addWidget(self.button)
        row.addWidget(self.state, 2)
        self.button.clicked.connect(lambda: self.sign_in(self.person.currentText(), self.seat.text()))
        self.person.currentIndexChanged.connect(self._seat_of_person)
        self.name = ""
        self.seat_name = ""
        self.fill(now)

    def fill(self, now: datetime) -> None:
        """The roster, those on duty at `now` first; without a roster the name is typed."""
        from ..pages import on_duty

        on = on_duty(self.duty, now)
        rest = [d for d in self.duty if d not in on]
        self.person.clear()
        for d in on + rest:
            self.person.addItem(d.name, d)
        self.person.setEditable(not self.duty)
        if not self.duty:
            _line_edit(self.person).setPlaceholderText(self.tr("姓名"))
        self._seat_of_person()

    def _seat_of_person(self) -> None:
        d = self.person.currentData()
        if isinstance(d, DutySection) and d.seat and not self.seat.text().strip():
            self.seat.setText(d.seat)

    def sign_in(self, name: str, seat: str) -> bool:
        """Sign `name` in at `seat`; a roster, if there is one, must name them. False (and why, shown) if not."""
        name, seat = name.strip(), seat.strip()
        if not name or not seat:
            self.state.setText(self.tr("签到需要姓名和席位"))
            return False
        if self.duty and name not in {d.name for d in self.duty}:
            self.state.setText(self.tr("{name} 不在值班表中").format(name=name))
            return False
        self.name, self.seat_name = name, seat
        i = self.person.findText(name)
        if i >= 0:
            self.person.setCurrentIndex(i)
        elif self.person.isEditable():
            self.person.setEditText(name)
        self.seat.setText(seat)
        self.state.setText(self.tr("已签到：{name} · {seat}").format(name=name, seat=seat))
        self.signed_in.emit(name, seat)
        return True

    @property
    def who(self) -> tuple[str, str] | None:
        return (self.name, self.seat_name) if self.name else None


def _line_edit(box: QComboBox) -> QLineEdit:
    """An editable combo box's line edit (Qt gives one as soon as it is editable)."""
    edit = box.lineEdit()
    if edit is None:
        raise RuntimeError("the combo box is not editable")
    return edit
