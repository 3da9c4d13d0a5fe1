"""State as of a past time, drills kept apart, retention in small chunks."""
from __future__ import annotations

import dataclasses
from datetime import timedelta

from commandcenter.domain import ActionKind, AlertStatus, OperatorAction, QuarantinedRecord, ResourceStatus, Status
from commandcenter.store import Store

from tests.support.store import T0, alert, inc, res

H = timedelta(hours=1)


def test_state_at_replays_incidents_alerts_resources(store: Store) -> None:
    store.apply("f", incidents=[inc("a", 1)], resources=[res("r1")], alerts=[alert("w", expires_at=T0 + 5 * H)])
    store.apply("f", incidents=[inc("a", 2, status=Status.ACCEPTED, accepted_at=T0 + H, updated_at=T0 + H)],
                resources=[res("r1", 2, status=ResourceStatus.DISPATCHED, incident_id="a", updated_at=T0 + H)])
    store.apply("f", incidents=[inc("a", 3, status=Status.CLOSED, accepted_at=T0 + H, closed_at=T0 + 2 * H,
                                    updated_at=T0 + 2 * H), inc("b", 1, at=T0 + 3 * H)],
                alerts=[alert("w", 2, status=AlertStatus.CANCELLED, updated_at=T0 + 2 * H, expires_at=T0 + 5 * H)],
                resources=[res("r1", 3, updated_at=T0 + 2 * H)])
    before = store.state_at(T0 - H)
    assert before["incidents"] == [] and before["alerts"] == [] and before["resources"] == []
    mid = store.state_at(T0 + 90 * timedelta(minutes=1))
    (a,) = mid["incidents"]
    assert a.status is Status.ACCEPTED and a.closed_at is None and a.accepted_at == T0 + H
    assert [c.status for c in a.timeline] == [Status.REPORTED, Status.ACCEPTED]
    assert [x.id for x in mid["alerts"]] == ["w"]
    (r,) = mid["resources"]
    assert r.status is ResourceStatus.DISPATCHED and r.incident_id == "a"
    late = store.state_at(T0 + 4 * H)
    assert {i.id: i.status for i in late["incidents"]} == {"a": Status.CLOSED, "b": Status.REPORTED}
    assert late["alerts"] == []
    assert late["resources"][0].status is ResourceStatus.AVAILABLE
    # closed more than `lookback` before t: no longer shown
    assert [i.id for i in store.state_at(T0 + 40 * H)["incidents"]] == ["b"]


def test_drills_never_touch_real_data(store: Store) -> None:
    store.apply("f", incidents=[inc("real", 1), inc("d1", 1, drill_id="drill-7")],
                resources=[res("dr", drill_id="drill-7")], alerts=[alert("da", drill_id="drill-7")])
    store.record_action(OperatorAction(ActionKind.DRILL_START, "drill", "drill-7", "mgr", "c1", T0, drill_id="drill-7"))
    store.record_action(OperatorAction(ActionKind.ACKNOWLEDGE, "incident", "d1", "duty", "c1", T0, drill_id="drill-7"))
    assert [i.id for i in store.incidents()] == ["real"]
    assert store.resources() == [] and store.alerts(now=T0) == []
    assert store.kpis("", T0 - H, T0 + H)["events"].value == 1
    assert store.kpis("", T0 - H, T0 + H, include_drill=True)["events"].value == 2
    assert store.delete_drill("drill-7") == 3
    assert [i.id for i in store.incidents(drill=None)] == ["real"]
    assert [a.kind for a in store.actions_since(0)] == [ActionKind.DRILL_START]   # the drill's own record stays
    assert store.kpis("", T0 - H, T0 + H, include_drill=True)["events"].value == 1


def test_retention_prunes_raw_messages_in_chunks(store: Store) -> None:
    old = T0 - timedelta(days=100)
    for k in range(5):
        store.apply("f", incidents=[inc(f"o{k}-{j}", 1) for j in range(3)], received_at=old,
                    quarantined=[QuarantinedRecord("f", "incident", b"x%d" % k, "bad", old)])
    store.apply("f", incidents=[inc("new", 1)], quarantined=[QuarantinedRecord("f", "incident", b"y", "bad", T0)],
                received_at=T0)
    assert store.counts()["record_log"] == 16
    assert store.prune(now=T0, raw_days=90, chunk=4) == 15 + 5
    c = store.counts()
    assert c["record_log"] == 1 and c["quarantine"] == 1
    assert c["incidents"] == 16                        # current records, timelines and rollups stay
    assert store.kpis("", old - H, T0 + H)["events"].value == 16
    assert store.prune(now=T0, raw_days=90) == 0


def test_state_at_is_drill_aware(store: Store) -> None:
    store.apply("f", incidents=[inc("r", 1), inc("d", 1, drill_id="x")])
    assert {i.id for i in store.state_at(T0 + H)["incidents"]} == {"r", "d"}
    assert {i.id for i in store.state_at(T0 + H, drill=False)["incidents"]} == {"r"}
    assert dataclasses.replace(store.state_at(T0 + H, drill=True)["incidents"][0]).id == "d"


def test_every_version_of_a_resource_and_an_alert_in_one_batch_is_kept_in_their_history(store: Store) -> None:
    """A burst coalesces a team's dispatch and its arrival on scene into one batch: both stay in its status history
    (replay and the drill report need the dispatch time); the stored record is the newest."""
    store.apply("f", resources=[res("r1")])
    sent = res("r1", 2, status=ResourceStatus.DISPATCHED, incident_id="a", updated_at=T0 + H)
    there = res("r1", 3, status=ResourceStatus.ON_SCENE, incident_id="a", updated_at=T0 + 2 * H)
    issued = alert("w", 1, expires_at=T0 + 9 * H)
    cancelled = alert("w", 2, status=AlertStatus.CANCELLED, updated_at=T0 + 2 * H, expires_at=T0 + 9 * H)
    applied = store.apply("f", resources=[there, sent, sent], alerts=[cancelled, issued])
    assert [(r.id, r.version) for r in applied.resources] == [("r1", 2), ("r1", 3)]
    assert [(a.id, a.version) for a in applied.alerts] == [("w", 1), ("w", 2)]
    (stored,) = store.resources(drill=None)
    assert (stored.version, stored.status) == (3, ResourceStatus.ON_SCENE)
    assert store.alerts(live_only=False, drill=None)[0].status is AlertStatus.CANCELLED
    (during,) = store.state_at(T0 + 90 * timedelta(minutes=1))["resources"]
    assert during.status is ResourceStatus.DISPATCHED and during.incident_id == "a"
    assert [a.id for a in store.state_at(T0 + H)["alerts"]] == ["w"]
    assert store.state_at(T0 + 3 * H)["alerts"] == []
