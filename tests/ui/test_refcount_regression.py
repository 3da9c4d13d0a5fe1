"""PySide6 6.12.0 on Python 3.11 under-counted True/None on signal emits, disconnects, row inserts and
`data()` returning None, until the interpreter aborted (TECH-NOTES). These drive those calls many times
and require the refcounts of True and None to be unchanged, so an upgrade cannot bring the bug back unnoticed."""
from __future__ import annotations

import gc
import sys

from PySide6.QtCore import QAbstractListModel, QModelIndex, QObject, Qt, Signal


class _Emitter(QObject):
    fired = Signal(bool)
    nothing = Signal(object)


class _Model(QAbstractListModel):
    def __init__(self):
        super().__init__()
        self.n = 0

    def rowCount(self, parent=QModelIndex()):
        return self.n

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        return None

    def append(self):
        self.beginInsertRows(QModelIndex(), self.n, self.n)
        self.n += 1
        self.endInsertRows()


# The bug moves a count by one per call (tens of thousands here); a handful is ordinary interpreter noise.
TOLERANCE = 50


def _counts() -> tuple[int, int]:
    gc.collect()
    return sys.getrefcount(True), sys.getrefcount(None)


def test_100k_signal_emits_into_a_python_slot_leave_refcounts_of_true_and_none_unchanged(qapp):
    emitter = _Emitter()
    seen = []
    emitter.fired.connect(lambda v: seen.append(v) if len(seen) < 1 else None)
    emitter.nothing.connect(lambda v: None)
    before = _counts()
    for _ in range(100_000):
        emitter.fired.emit(True)
        emitter.nothing.emit(None)
    after = _counts()
    assert abs(after[0] - before[0]) <= TOLERANCE, f"refcount(True) drifted by {after[0] - before[0]}"
    assert abs(after[1] - before[1]) <= TOLERANCE, f"refcount(None) drifted by {after[1] - before[1]}"


def test_disconnect_inserts_and_data_returning_none_leave_refcounts_unchanged(qapp):
    emitter = _Emitter()
    model = _Model()
    before = _counts()
    for _ in range(20_000):
        slot = lambda v: None  # noqa: E731
        emitter.fired.connect(slot)
        emitter.fired.disconnect(slot)
        model.append()
        model.data(model.index(0), Qt.ItemDataRole.DisplayRole)
    after = _counts()
    assert abs(after[0] - before[0]) <= TOLERANCE, f"refcount(True) drifted by {after[0] - before[0]}"
    assert abs(after[1] - before[1]) <= TOLERANCE, f"refcount(None) drifted by {after[1] - before[1]}"


def test_pyside6_is_pinned_below_the_broken_release():
    import PySide6

    major, minor = (int(x) for x in PySide6.__version__.split(".")[:2])
    assert (major, minor) < (6, 12), f"PySide6 {PySide6.__version__}: 6.12 corrupts refcounts on Python 3.11"
