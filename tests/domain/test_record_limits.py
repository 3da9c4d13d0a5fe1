"""The store's limits on a record (domain.limits), as the codec and the adapters apply them, and JSON that fails to
parse as a whole read part by part (domain.wirejson)."""
from __future__ import annotations

import dataclasses
import json
from datetime import datetime, UTC

import pytest

from commandcenter.domain import Incident, InvalidRecord, decode, decode_stored, encode
from commandcenter.domain.limits import ID_CHARS, TIME_MAX, TIME_MIN, check_record, text_problem
from commandcenter.domain.wirejson import BadJson, Unparsed, load_list, loads, salvage

T = datetime(2026, 12, 6, 8, tzinfo=UTC)
GOOD = {"id": "i1", "version": 3, "updated_at": "2026-12-06T08:00:00Z", "reported_at": "2026-12-06T07:00:00Z",
        "title": "燃气泄漏", "category": "fire", "source": "hotline_12345", "severity": 2, "status": "reported",
        "grid_id": "G1", "timeline": [{"status": "reported", "at": "2026-12-06T07:00:00Z", "handler": "王"}]}


@pytest.mark.parametrize("field, value, reason", [
    ("version", 2 ** 64, "version: integer 18446744073709551616 outside the signed 64-bit range"),
    ("version", -(2 ** 63) - 1, "outside the signed 64-bit range"),
    ("people_trapped", 10 ** 30, "people_trapped: integer a 31-digit number outside the signed 64-bit range"),
    ("satisfaction", 2 ** 31, "satisfaction: integer 2147483648 outside the signed 32-bit range"),
    ("reported_at", "9999-12-31T23:59:59Z", "reported_at: time 9999-12-31T23:59:59+00:00 outside 1971-01-01"),
    ("reported_at", "9999-12-31T23:59:59-01:00", "reported_at: time outside the calendar"),
    ("reported_at", "0001-01-01T00:00:00Z", "reported_at: time 0001-01-01T00:00:00+00:00 outside"),
    ("updated_at", "1969-12-31T12:00:00Z", "updated_at: time 1969-12-31T12:00:00+00:00 outside"),
    ("title", "燃气\ud800泄漏", "title: text is not valid Unicode: lone surrogate U+D800 at character 2"),
    ("title", "燃气\x00泄漏", "title: text contains NUL at character 2"),
    ("description", "a\udfff", "description: text is not valid Unicode: lone surrogate U+DFFF"),
    ("id", "X" * 64 + "-a", "id: longer than 64 characters (66); the store keeps at most 64"),
    ("grid_id", "G" * 65, "grid_id: longer than 64 characters"),
    ("departments", ["ok", "bad\x00"], "departments: text contains NUL"),
    ("timeline", [{"status": "reported", "at": "2026-12-06T07:00:00Z", "handler": "h" * 101}],
     "timeline: handler: longer than 100 characters"),
    ("timeline", [{"status": "reported", "at": "0001-01-01T00:00:00Z"}], "timeline: at: time 0001-01-01"),
])
def test_the_codec_refuses_what_the_store_cannot_keep_and_says_which_field(field, value, reason) -> None:
    with pytest.raises(InvalidRecord) as caught:
        decode(Incident, {**GOOD, field: value})
    assert caught.value.reason.startswith(reason) or reason in caught.value.reason
    assert caught.value.kind == "incident"


def test_values_at_the_limits_are_kept() -> None:
    edge = {**GOOD, "id": "I" * ID_CHARS, "version": 2 ** 63 - 1, "satisfaction": 2 ** 31 - 1,
            "reported_at": "1971-01-01T00:00:00Z", "updated_at": "9998-12-31T23:59:59.999999Z",
            "title": "表情 😀 and ascii", "photos": ["http://x/a.jpg"]}
    inc = decode(Incident, edge)
    assert inc.reported_at == TIME_MIN and inc.updated_at < TIME_MAX and inc.version == 2 ** 63 - 1
    assert decode(Incident, json.loads(json.dumps(encode(inc)))) == inc


def test_what_the_store_wrote_reads_back_without_the_limits() -> None:
    """A store written before the limits may hold a 1969 time or a 70-character id: it stays readable."""
    old = {**GOOD, "id": "x" * 70, "reported_at": "1969-12-31T00:00:00Z", "title": "a\x00b"}
    inc = decode_stored(Incident, old)
    assert inc.id == "x" * 70 and inc.reported_at.year == 1969 and inc.title == "a\x00b"


def test_check_record_applies_the_same_limits_to_records_built_by_adapters() -> None:
    inc = decode(Incident, GOOD)
    assert check_record(inc) is inc
    for bad, reason in [({"version": 2 ** 64}, "version: integer"), ({"title": "a\x00"}, "title: text contains NUL"),
                        ({"id": "y" * 65}, "id: longer than 64"),
                        ({"reported_at": datetime(9999, 6, 1, tzinfo=UTC)}, "reported_at: time 9999")]:
        with pytest.raises(InvalidRecord, match=reason) as caught:
            check_record(dataclasses.replace(inc, **bad))
        assert caught.value.kind == "incident"


def test_text_problem_is_none_for_storable_text() -> None:
    assert text_problem("plain") is None and text_problem("燃气泄漏 😀") is None
    assert text_problem("\x00") == "text contains NUL at character 0"


def test_json_nested_too_deeply_is_a_bad_json_value_error_not_a_recursion_error() -> None:
    with pytest.raises(BadJson, match="nested too deeply") as caught:
        loads(b"[" * 10_000 + b"]" * 10_000)
    assert isinstance(caught.value, ValueError)
    with pytest.raises(BadJson):
        loads(b'{"a": \xff}')


def test_a_page_that_does_not_parse_as_a_whole_is_read_item_by_item() -> None:
    deep = b"[" * 10_000 + b"]" * 10_000
    body = (b'{"items": [{"id": "a", "t": "x,]}\\"["}, {"id": "b", "d": ' + deep + b'}, {"id": "\xff"}, {"id": "c"}],'
            b' "cursor": 12, "more": false}')
    page, bad = load_list(body, "items")
    assert page == {"items": [{"id": "a", "t": 'x,]}"['}, {"id": "c"}], "cursor": 12, "more": False}
    assert [u.raw[:12] for u in bad] == [b'{"id": "b", ', b'{"id": "\xff"}']
    assert all(isinstance(u, Unparsed) and u.reason.startswith("invalid JSON") for u in bad)
    items, bad = load_list(b'[{"id": 1}, ' + deep + b"]", "items")
    assert items == [{"id": 1}] and len(bad) == 1


@pytest.mark.parametrize("body", [b'{"items": [1, 2', b'{"items": [1, {]}', b'{"items": "x"}', b"", b"<html>"])
def test_a_body_whose_structure_is_broken_is_not_salvaged(body) -> None:
    with pytest.raises(BadJson):
        salvage(body, "items")


def test_an_id_an_adapter_derives_is_fitted_to_the_store_keeping_distinct_ids_distinct() -> None:
    from commandcenter.domain.limits import fit_id

    short = "cap:urn:oid:2.49.0.1.156"
    a, b = "cap:" + "x" * 70 + "-a", "cap:" + "x" * 70 + "-b"
    assert fit_id(short) == short
    assert len(fit_id(a)) == len(fit_id(b)) == ID_CHARS and fit_id(a) != fit_id(b) and fit_id(a) == fit_id(a)
    assert fit_id(a).startswith("cap:xxx")
