"""A new emergency skips the incident table's coalescing: ordinary changes wait for the next flush (at most one
per `flush_ms`), a new emergency is flushed a frame after the last flush, so it reaches the wall first."""
from __future__ import annotations

from dataclasses import replace

from commandcenter.services import LiveState
from commandcenter.ui.models.incidents import IncidentTableModel

from bench.common import make_incidents


def _shown(model: IncidentTableModel) -> set[str]:
    return {model.incident_at(r).id for r in range(model.rowCount())}


def test_a_new_emergency_is_flushed_at_once_while_ordinary_changes_wait_for_the_coalescing_interval(qapp, qtbot):
    live = LiveState()
    model = IncidentTableModel(live, flush_ms=60_000)   # flushed when built; then at most one flush a minute
    ordinary, urgent = make_incidents(2, prefix="u")
    ordinary, urgent = replace(ordinary, emergency=False), replace(urgent, emergency=True)

    live.apply(incidents=[ordinary])
    qtbot.wait(300)
    assert model.rowCount() == 0           # coalesced: waits for the minute to pass

    live.apply(incidents=[urgent])
    qtbot.waitUntil(lambda: "u-1" in _shown(model), timeout=5_000)
    assert model.incident_at(0).id == "u-1"                    # emergencies sort to the top
    assert "u-0" in _shown(model)                              # the flush takes what was waiting along


def test_an_update_of_an_emergency_already_shown_waits_like_any_other_change(qapp, qtbot):
    live = LiveState()
    model = IncidentTableModel(live, flush_ms=60_000)
    urgent = replace(make_incidents(1, prefix="e")[0], emergency=True)
    live.apply(incidents=[urgent])         # new: flushed within a frame
    qtbot.waitUntil(lambda: "e-0" in _shown(model), timeout=5_000)

    live.apply(incidents=[replace(urgent, version=2, title="紧急 更新")])
    qtbot.wait(300)
    assert model.incident_at(0).version == 1
