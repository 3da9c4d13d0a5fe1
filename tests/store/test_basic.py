"""The API the rest of the app codes against: apply, reads, cursors, quarantine, actions."""
from __future__ import annotations

import dataclasses
import json
from datetime import timedelta

from commandcenter.domain import (
    ActionKind, AlertStatus, OperatorAction, QuarantinedRecord, ResourceStatus, Status, StatusChange,
)
from commandcenter.store import Applied, Store

from tests.support.store import T0, alert, inc, res, territory


def test_apply_keeps_only_newer_versions(store: Store) -> None:
    a = store.apply("f", incidents=[inc("a", 1), inc("b", 1)], cursor="c1")
    assert {i.id for i in a.incidents} == {"a", "b"}
    assert store.cursor("f") == "c1"
    assert store.cursor("other") is None
    again = store.apply("f", incidents=[inc("a", 1), inc("b", 0)])
    assert not again and again == Applied()
    b = store.apply("f", incidents=[inc("a", 3, status=Status.ACCEPTED), inc("a", 2, status=Status.DISPATCHED)],
                    cursor="c2")
    assert [(i.id, i.version) for i in b.incidents] == [("a", 3)]
    assert store.incident("a").status is Status.ACCEPTED
    assert store.cursor("f") == "c2"
    older = store.apply("f", incidents=[inc("a", 2, status=Status.CLOSED)])
    assert not older.incidents
    assert store.incident("a").version == 3


def test_timeline_appended_and_synthesised(store: Store) -> None:
    tl = (StatusChange(Status.REPORTED, T0, note="app"), StatusChange(Status.ACCEPTED, T0 + timedelta(minutes=1), "Li"))
    store.apply("f", incidents=[inc("a", 1, timeline=tl[:1]), inc("b", 1)])
    store.apply("f", incidents=[inc("a", 2, status=Status.ACCEPTED, timeline=tl),
                                inc("b", 2, status=Status.CLOSED, closed_at=T0 + timedelta(hours=1))])
    a = store.incident("a")
    assert a.timeline == tl
    b = store.incident("b")
    assert [c.status for c in b.timeline] == [Status.REPORTED, Status.CLOSED]
    assert b.timeline[1].at == T0 + timedelta(hours=1)
    assert b.timeline[0].at.tzinfo is not None
    assert store.incident("nope") is None


def test_incident_queries(store: Store) -> None:
    store.apply("f", incidents=[
        inc("a", 1, updated_at=T0, title="water pipe burst"),
        inc("b", 1, updated_at=T0 + timedelta(minutes=1), status=Status.CLOSED, grid="g2"),
        inc("c", 1, updated_at=T0 + timedelta(minutes=2), drill_id="d1"),
    ])
    assert [i.id for i in store.incidents()] == ["b", "a"]
    assert [i.id for i in store.incidents(drill=True)] == ["c"]
    assert [i.id for i in store.incidents(drill=None)] == ["c", "b", "a"]
    assert [i.id for i in store.incidents(open_only=True)] == ["a"]
    assert [i.id for i in store.incidents(since=T0)] == ["b"]
    assert [i.id for i in store.incidents(grid_ids=["g2"])] == ["b"]
    assert [i.id for i in store.incidents(text="PIPE")] == ["a"]
    assert [i.id for i in store.incidents(limit=1)] == ["b"]
    assert store.incidents()[0].updated_at.tzinfo is not None


def test_resources_alerts_territory(store: Store) -> None:
    a = store.apply("f", resources=[res("r1"), res("r2", drill_id="d")],
                    alerts=[alert("x"), alert("y", status=AlertStatus.CANCELLED),
                            alert("z", expires_at=T0 + timedelta(hours=1))],
                    territory=territory())
    assert len(a.resources) == 2 and len(a.alerts) == 3 and len(a.territory) == 8
    assert [r.id for r in store.resources()] == ["r1"]
    assert [r.id for r in store.resources(drill=None)] == ["r1", "r2"]
    store.apply("f", resources=[res("r1", 2, status=ResourceStatus.DISPATCHED, incident_id="a")])
    assert store.resources()[0].status is ResourceStatus.DISPATCHED
    assert {x.id for x in store.alerts(now=T0)} == {"x", "z"}
    assert {x.id for x in store.alerts(now=T0 + timedelta(hours=2))} == {"x"}
    assert {x.id for x in store.alerts(live_only=False)} == {"x", "y", "z"}
    nodes = {n.id: n for n in store.territory()}
    assert nodes["g1"].polygon[1] == (120.1, 37.0) and nodes["g1"].households == 300 and nodes["g1"].parent_id == "m1"
    # unchanged territory is not reported again; a change is
    assert not store.apply("f", territory=territory()).territory
    moved = dataclasses.replace(territory()[-1], name="Grid 3 renamed")
    assert store.apply("f", territory=[moved]).territory == [moved]


def test_quarantine(store: Store) -> None:
    q = QuarantinedRecord("f", "incident", b"\xff{not json", "not JSON", T0, None)
    store.apply("f", quarantined=[q, dataclasses.replace(q, raw=b'{"id":"i9"}', record_id="i9", reason="bad status")])
    assert store.quarantine_count() == 2
    got = store.quarantine()
    assert got[0].record_id == "i9" and got[1].raw == b"\xff{not json" and got[1].received_at == T0
    assert len(store.quarantine(limit=1)) == 1


def test_the_same_bad_input_of_a_feed_is_quarantined_once_across_reopens(store_url: str) -> None:
    """A feed that reads the same bad record again (after a restart, or on every poll of a CAP index) does not
    grow the quarantine; another feed's identical input, or other input, is an entry of its own."""
    q = QuarantinedRecord("f", "incident", b'{"id":"x","version":"no"}', "version: expected an integer", T0, "x")
    with Store.open(store_url) as store:
        store.apply("f", quarantined=[q, q])
        store.apply("f", quarantined=[dataclasses.replace(q, reason="said differently", received_at=T0 + timedelta(1))])
    with Store.open(store_url) as store:
        store.apply("f", quarantined=[q])
        store.apply("g", quarantined=[dataclasses.replace(q, feed="g")])
        store.apply("f", quarantined=[dataclasses.replace(q, raw=b'{"id":"y"}')])
        got = store.quarantine()
    assert sorted((r.feed, r.raw) for r in got) == [("f", b'{"id":"x","version":"no"}'), ("f", b'{"id":"y"}'),
                                                    ("g", b'{"id":"x","version":"no"}')]
    assert [r.reason for r in got if r.feed == "f" and r.raw == q.raw] == ["version: expected an integer"]


def test_a_quarantine_entry_is_stored_whatever_text_it_carries(store: Store) -> None:
    """Reason and record id come from hostile input: NUL, lone surrogates and over-long ids are made storable."""
    q = QuarantinedRecord("f", "incident", b"\x00raw", "title: bad \x00 and \ud800", T0, "i" * 80 + "\ud800")
    store.apply("f", quarantined=[q])
    (got,) = store.quarantine()
    assert got.raw == b"\x00raw" and got.reason == "title: bad \ufffd and \ufffd" and got.record_id == "i" * 64


def test_actions(store: Store) -> None:
    act = OperatorAction(ActionKind.SHELVE, "alert", "x", "duty-1", "console-A", T0, reason="known",
                         expires_at=T0 + timedelta(hours=1))
    saved = store.record_action(act)
    assert saved.id is not None and saved == dataclasses.replace(act, id=saved.id)
    second = store.record_action(dataclasses.replace(act, kind=ActionKind.ACKNOWLEDGE))
    assert [a.id for a in store.actions_since(0)] == [saved.id, second.id]
    assert [a.kind for a in store.actions_since(saved.id)] == [ActionKind.ACKNOWLEDGE]
    assert store.actions_since(second.id) == []


def test_compiled_encoders_match_the_codec() -> None:
    from commandcenter.domain import Incident, decode, encode
    from commandcenter.store.encoding import encode_alert, encode_incident, encode_resource

    from tests.support.store import territory  # noqa: F401

    i = inc("a", 2, status=Status.CLOSED, closed_at=T0, departments=("fire", "police"), lon=1.5, lat=2.0,
            timeline=(StatusChange(Status.REPORTED, T0),), satisfaction=4)
    stored = json.loads(encode_incident(i))
    full = encode(i)
    # the stored incident leaves out its timeline (incident_status) and every field at its default value ...
    assert stored == {k: v for k, v in full.items() if k in stored}
    assert "timeline" not in stored and "description" not in stored and "people_trapped" not in stored
    assert stored["departments"] == ["fire", "police"] and stored["satisfaction"] == 4 and stored["lon"] == 1.5
    # ... and decodes to the same record
    assert decode(Incident, stored) == dataclasses.replace(i, timeline=())
    r = res("r", quantity=3.0, threshold=5.0)
    assert json.loads(encode_resource(r)) == encode(r)
    a = alert("w", expires_at=T0, polygons=(((1.0, 2.0), (3.0, 4.0)),), grid_ids=("g1",))
    assert json.loads(encode_alert(a)) == encode(a)
