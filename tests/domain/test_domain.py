"""Domain rules: the wire codec round-trips and rejects bad input with reasons; 1-10-20 and category deadlines."""
from datetime import datetime, timedelta, UTC

import pytest

from commandcenter.domain import (
    Category, DeadlineLevel, Incident, InvalidRecord, Severity, Source, Stage, Status, StatusChange,
    deadline_state, decode_incident, encode, one_ten_twenty,
)

T0 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def incident(**kw) -> Incident:
    base = dict(id="i1", version=1, updated_at=T0, reported_at=T0, title="楼道堆放杂物", category=Category.SAFETY_HAZARD,
                source=Source.GRID_APP, severity=Severity.MEDIUM, status=Status.REPORTED, grid_id="g1")
    base.update(kw)
    return Incident(**base)


def test_an_incident_round_trips_through_the_wire_codec():
    inc = incident(timeline=(StatusChange(Status.REPORTED, T0, "张三"),), departments=("城管局",))
    assert decode_incident(encode(inc)) == inc


@pytest.mark.parametrize("patch,reason", [
    ({"severity": 9}, "severity"),
    ({"reported_at": "yesterday"}, "reported_at: not an ISO 8601 time"),
    ({"version": "2"}, "version: expected an integer"),
    ({"id": ""}, "empty id"),
])
def test_bad_fields_are_rejected_with_a_reason(patch, reason):
    data = encode(incident()) | patch
    with pytest.raises(InvalidRecord) as err:
        decode_incident(data)
    assert reason in err.value.reason


def test_a_missing_required_field_is_named():
    data = encode(incident())
    del data["grid_id"]
    with pytest.raises(InvalidRecord, match="missing required field 'grid_id'"):
        decode_incident(data)


@pytest.mark.parametrize("field,value,reason", [
    ("title", 5, "title: expected a string, got int"),
    ("title", "长" * 20_001, "title: string longer than 20000 characters"),
    ("emergency", 1, "emergency: expected true/false, got int"),
    ("version", True, "version: expected an integer, got bool"),
    ("lon", float("nan"), "lon: number is not finite"),
    ("lat", "30.1", "lat: expected a number, got str"),
    ("category", "weather", "category: 'weather' is not a valid Category"),
    ("departments", "城管局", "departments: expected a list, got str"),
    ("timeline", [{"status": "closed"}], "timeline: missing required field 'at'"),
    ("timeline", [{"status": "lost", "at": "2026-11-23T08:00:00Z"}], "timeline: status: 'lost' is not a valid Status"),
])
def test_every_field_is_checked_and_the_reason_names_it_and_the_nested_field(field, value, reason):
    data = encode(incident()) | {field: value}
    with pytest.raises(InvalidRecord) as err:
        decode_incident(data)
    assert err.value.reason == reason
    assert (err.value.kind, err.value.record_id) == ("incident", "i1")


def test_an_explicit_null_takes_the_default_of_a_field_that_is_not_nullable():
    data = encode(incident()) | {"description": None, "departments": None, "lon": None}
    assert decode_incident(data) == incident()


def test_a_time_with_an_offset_is_stored_in_utc():
    data = encode(incident()) | {"reported_at": "2026-11-23T16:00:00+08:00"}
    assert decode_incident(data).reported_at == T0
    assert decode_incident(data).reported_at.tzinfo is UTC


def test_an_emergency_faces_the_one_minute_response_deadline_first():
    state = deadline_state(incident(emergency=True), T0 + timedelta(seconds=50))
    assert (state.stage, state.level) == (Stage.RESPONSE, DeadlineLevel.AMBER)
    assert state.remaining == timedelta(seconds=10)


def test_an_emergency_accepted_in_time_then_faces_arrival_within_ten_minutes():
    inc = incident(emergency=True, accepted_at=T0 + timedelta(seconds=40), status=Status.ACCEPTED)
    state = deadline_state(inc, T0 + timedelta(minutes=11))
    assert (state.stage, state.level) == (Stage.ARRIVAL, DeadlineLevel.OVERDUE)


def test_a_dispute_turns_amber_in_the_last_fifth_of_its_48_hours():
    assert deadline_state(incident(category=Category.DISPUTE), T0 + timedelta(hours=38)).level is DeadlineLevel.OK
    assert deadline_state(incident(category=Category.DISPUTE), T0 + timedelta(hours=39)).level is DeadlineLevel.AMBER


def test_a_closed_event_has_met_its_deadline():
    assert deadline_state(incident(status=Status.CLOSED), T0 + timedelta(days=9)).level is DeadlineLevel.MET


def test_one_ten_twenty_compliance():
    inc = incident(emergency=True, accepted_at=T0 + timedelta(seconds=45), arrived_at=T0 + timedelta(minutes=9),
                   assessed_at=T0 + timedelta(minutes=21))
    score = one_ten_twenty(inc)
    assert score.response_met and score.arrival_met and score.assessment_met is False
    assert not score.compliant


def test_an_explicit_null_is_accepted_for_a_nullable_required_field():
    from commandcenter.domain import TerritoryLevel, decode_territory

    node = decode_territory({"id": "city", "level": "city", "name": "东营市", "parent_id": None})
    assert node.parent_id is None and node.level is TerritoryLevel.CITY


def test_an_explicit_null_for_a_required_non_nullable_field_is_still_missing():
    data = encode(incident()) | {"grid_id": None}
    with pytest.raises(InvalidRecord, match="missing required field 'grid_id'"):
        decode_incident(data)
