"""The incident table takes a big batch without holding the GUI thread: the timer-driven flush works in slices
that let other events run, and ends with the same rows as one synchronous flush; countdowns are refreshed for
the rows a view asks for, not for every row each second."""
from __future__ import annotations


from PySide6.QtCore import Qt, QTimer

from commandcenter.services import LiveState
from commandcenter.ui.models.incidents import IncidentTableModel

from bench.common import make_incidents


def _ids(model: IncidentTableModel) -> list[str]:
    return [model.incident_at(r).id for r in range(model.rowCount())]


def test_a_big_batch_is_flushed_in_slices_that_let_other_events_run_and_ends_in_the_right_order(qapp, qtbot):
    live = LiveState()
    live.apply(incidents=make_incidents(5_000, prefix="old"))
    model = IncidentTableModel(live, flush_ms=0)
    staged_seen_by_other_events: list[int] = []    # sort keys computed by a slice, not merged yet
    timer = QTimer()
    timer.setInterval(1)
    timer.timeout.connect(lambda: staged_seen_by_other_events.append(len(model._staged)))
    timer.start()

    live.apply(incidents=make_incidents(20_000, prefix="new"))
    qtbot.waitUntil(lambda: len(model._order) == 25_000, timeout=30_000)
    timer.stop()

    assert any(0 < n < 20_000 for n in staged_seen_by_other_events)     # another timer ran mid-flush
    reference = IncidentTableModel(live)           # one synchronous flush from scratch
    assert _ids(model) == _ids(reference)
    assert model.rowCount() == 2_000


def test_the_tick_refreshes_countdowns_of_the_rows_shown(qapp):
    from datetime import timedelta

    from commandcenter.domain import Category, Status

    live = LiveState()
    now = [make_incidents(1)[0].updated_at]
    incs = [i for i in make_incidents(50, open_share=1.0) if i.category is not Category.OTHER]
    live.apply(incidents=incs)
    model = IncidentTableModel(live, clock=lambda: now[0])
    first = model.data(model.index(0, model.DEADLINE), Qt.ItemDataRole.DisplayRole)
    now[0] += timedelta(minutes=7)
    model.tick()
    later = model.data(model.index(0, model.DEADLINE), Qt.ItemDataRole.DisplayRole)
    assert model.incident_at(0).status is not Status.CLOSED
    assert first != later
    assert later == model.data(model.index(0, model.DEADLINE), Qt.ItemDataRole.DisplayRole)
