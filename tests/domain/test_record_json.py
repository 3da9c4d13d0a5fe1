"""A record's JSON text decoded through msgspec (domain.record_json) is the record the codec decodes from the same
text: the same values, types, time zones and interned text, or the codec's own reason for refusing it."""
from __future__ import annotations

import dataclasses
import json
import sys
import types
import typing
from datetime import UTC, datetime, timedelta
from enum import Enum
from typing import Any

import msgspec
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from commandcenter.domain import Alert, Incident, InvalidRecord, Resource, decode, decode_stored, encode
from commandcenter.domain.codec import INTERNED_FIELDS, parse_any_time
from commandcenter.domain.record_json import decode_json, decode_json_fast, decode_stored_json
from commandcenter.sim.server import SimServer

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
T0 = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
BASE: dict[type, dict[str, Any]] = {
    Incident: {"id": "I1", "version": 3, "updated_at": "2026-12-07T10:00:00Z", "reported_at": "2026-12-07T09:00:00Z",
               "title": "燃气泄漏", "category": "fire", "source": "hotline_12345", "severity": 2, "status": "handling",
               "grid_id": "G1", "lon": 120.5, "lat": 36.1, "handler": "街道综治中心", "departments": ["应急", "消防"],
               "accepted_at": "2026-12-07T09:00:30.5Z", "satisfaction": 4,
               "timeline": [{"status": "reported", "at": "2026-12-07T09:00:00Z", "handler": "网格员"}]},
    Resource: {"id": "R1", "version": 1, "updated_at": "2026-12-07T10:00:00Z", "kind": "team", "name": "抢险救援队",
               "status": "available", "lon": 120.1, "lat": 36.2, "grid_id": "G1", "quantity": 3.0, "unit": "人"},
    Alert: {"id": "A1", "version": 2, "updated_at": "2026-12-07T10:00:00Z", "level": 2, "type": "weather",
            "title": "暴雨橙色预警", "status": "active", "issued_at": "2026-12-07T08:00:00Z",
            "expires_at": "2026-12-08T08:00:00Z", "area_desc": "全市", "grid_ids": ["G1", "G2"],
            "polygons": [[[120.0, 36.0], [120.5, 36.0], [120.5, 36.5]]], "hazard": "rainstorm"},
}


@st.composite
def time_texts(draw: st.DrawFn) -> str:
    """ISO 8601 / RFC 3339 times in the layouts backends write, and the odd ones: any fraction length, lower-case
    z, offsets, naive, years out of the store's range."""
    when = draw(st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)))
    sep = draw(st.sampled_from(["T", "t", " "]))
    fraction = draw(st.sampled_from(["", "."]))
    if fraction:
        fraction += draw(st.text(alphabet="0123456789", min_size=1, max_size=10))
    zone = draw(st.sampled_from(["Z", "z", "+00:00", "-00:00", "+08:00", "-01:00", "+0800", ""]))
    return when.strftime("%Y-%m-%d") + sep + when.strftime("%H:%M:%S") + fraction + zone


def texts(name: str) -> st.SearchStrategy[str]:
    return st.one_of(st.text(max_size=12), st.sampled_from([
        "网格员", "X" * 64, "X" * 65, "h" * 100, "h" * 101, "n" * 200, "n" * 201, "", "a\x00b", "燃气\ud800泄漏", "\udfff",
        "😀", "a\\u0000b"]))


INTS = st.one_of(st.integers(-5, 5), st.sampled_from(
    [2 ** 31 - 1, 2 ** 31, -(2 ** 31), -(2 ** 31) - 1, 2 ** 63 - 1, 2 ** 63, -(2 ** 63), -(2 ** 63) - 1, 2 ** 64, 10 ** 30]))
ANY_JSON = st.one_of(st.none(), st.booleans(), INTS, st.floats(allow_nan=False), st.text(max_size=5),
                     st.lists(st.integers(), max_size=2), st.dictionaries(st.text(max_size=3), st.integers(), max_size=2))


def values_for(hint: Any, name: str) -> st.SearchStrategy[Any]:
    """Values for a field of type `hint`: mostly of its type (valid or just outside the limits), sometimes anything."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in args if a is not type(None)][0]
        return st.one_of(st.none(), values_for(inner, name))
    if hint is str:
        own = texts(name)
    elif hint is int:
        own = INTS
    elif hint is float:
        own = st.one_of(st.floats(allow_nan=False, allow_infinity=False), st.integers(-10 ** 20, 10 ** 20))
    elif hint is bool:
        own = st.booleans()
    elif hint is datetime:
        own = time_texts()
    elif isinstance(hint, type) and issubclass(hint, Enum):
        own = st.one_of(st.sampled_from([m.value for m in hint]), st.sampled_from(["bogus", 2.0, True]))
    elif origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        item = args[0]
        if dataclasses.is_dataclass(item):
            own = st.lists(records(item), max_size=3)
        else:
            own = st.lists(values_for(item, name), max_size=3)
    elif origin is tuple:
        own = st.tuples(*(values_for(a, name) for a in args)).map(list)
    else:
        own = ANY_JSON
    return st.one_of(own, own, own, ANY_JSON)


@st.composite
def records(draw: st.DrawFn, cls: type) -> dict[str, Any]:
    """A record of `cls` as JSON data: BASE's fields, a few of them (or many) left out or drawn from values_for
    their type, and the other fields sometimes drawn too."""
    hints = typing.get_type_hints(cls)
    base = BASE.get(cls, {})
    rate = draw(st.sampled_from([0, 1, 4, 12]))      # in twentieths

    def hit() -> bool:
        return rate > 0 and draw(st.sampled_from(range(20))) < rate

    out: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        required = f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
        if f.name in base and not hit():
            out[f.name] = base[f.name]
        elif hit():
            if draw(st.booleans()):             # else left out
                out[f.name] = draw(values_for(hints[f.name], f.name))
        elif required:
            out[f.name] = draw(values_for(hints[f.name], f.name))
    return out


def as_text(data: dict[str, Any], ascii_only: bool, as_bytes: bool) -> str | bytes:
    text = json.dumps(data, ensure_ascii=ascii_only)
    if as_bytes:
        try:
            return text.encode()
        except UnicodeEncodeError:      # a lone surrogate written as itself: only a str holds it
            return text
    return text


def outcome(fn: typing.Callable[[], Any]) -> tuple[str, Any]:
    try:
        return "ok", fn()
    except InvalidRecord as exc:
        return "refused", exc.reason
    except ValueError:                  # not JSON (json's error, wirejson.BadJson)
        return "not json", None


def same(a: Any, b: Any) -> bool:
    """Equal, and equal the strict way: the same types, the same time zone objects, field by field."""
    if dataclasses.is_dataclass(a):
        return type(a) is type(b) and all(same(getattr(a, f.name), getattr(b, f.name)) for f in dataclasses.fields(a))
    if isinstance(a, tuple):
        return type(b) is tuple and len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, datetime):
        return type(b) is datetime and a == b and a.tzinfo is b.tzinfo
    return type(a) is type(b) and a == b


def interned(record: Any) -> bool:
    """The interned fields hold interned text, in the record and in the records it holds (its timeline)."""
    texts = [getattr(record, f) for f in INTERNED_FIELDS if type(getattr(record, f, None)) is str]
    inner = [x for f in dataclasses.fields(record) if type(v := getattr(record, f.name)) is tuple
             for x in v if dataclasses.is_dataclass(x)]
    return all(t is sys.intern(t) for t in texts) and all(interned(x) for x in inner)


@SETTINGS
@given(data=st.data(), cls=st.sampled_from([Incident, Resource, Alert]), ascii_only=st.booleans(),
       as_bytes=st.booleans())
def test_a_record_decodes_from_its_text_as_the_codec_decodes_it_or_is_refused_with_the_codecs_reason(
        data, cls, ascii_only, as_bytes) -> None:
    text = as_text(data.draw(records(cls)), ascii_only, as_bytes)
    codec = outcome(lambda: decode(cls, json.loads(text)))
    fast = decode_json_fast(cls, text)
    event("fast path" if fast is not None else f"codec: {codec[0]}")
    if fast is not None:
        assert codec[0] == "ok" and same(fast, codec[1]) and interned(fast)
    got = outcome(lambda: decode_json(cls, text))
    assert got[0] == codec[0]
    assert same(got[1], codec[1]) if got[0] == "ok" else got[1] == codec[1]


@SETTINGS
@given(data=st.data(), cls=st.sampled_from([Incident, Resource, Alert]), as_bytes=st.booleans())
def test_what_the_store_wrote_decodes_as_decode_stored_reads_it(data, cls, as_bytes) -> None:
    text = as_text(data.draw(records(cls)), False, as_bytes)
    codec = outcome(lambda: decode_stored(cls, json.loads(text)))
    fast = decode_json_fast(cls, text, checked=False)
    if fast is not None:
        assert codec[0] == "ok" and same(fast, codec[1]) and interned(fast)
    got = outcome(lambda: decode_stored_json(cls, text))
    assert got[0] == codec[0]
    assert same(got[1], codec[1]) if got[0] == "ok" else got[1] == codec[1]


@settings(max_examples=500, deadline=None)
@given(text=time_texts())
def test_the_codecs_time_parser_reads_every_utc_time_msgspec_reads_to_the_same_instant(text) -> None:
    """Lower-case z and fractions past the microsecond (rounded on the seventh digit) included: a record's times
    do not depend on which of the two decoded it."""
    try:
        theirs = msgspec.json.decode(json.dumps(text), type=datetime)
    except msgspec.MsgspecError:
        return
    if theirs.tzinfo is not UTC:
        return          # an offset or a naive time: the codec decodes the record (and converts it)
    ours = parse_any_time(text)
    assert ours == theirs and ours.tzinfo is UTC


def test_long_fractions_round_on_the_seventh_digit_and_a_lower_case_z_is_utc() -> None:
    assert parse_any_time("2026-12-07T10:00:00.1234565Z") == datetime(2026, 12, 7, 10, 0, 0, 123457, tzinfo=UTC)
    assert parse_any_time("2026-12-07T10:00:00.12345649z") == datetime(2026, 12, 7, 10, 0, 0, 123456, tzinfo=UTC)
    assert parse_any_time("2026-12-31T23:59:59.9999995Z") == datetime(2027, 1, 1, tzinfo=UTC)
    assert parse_any_time("2026-12-07T18:00:00.00000051+08:00") == datetime(2026, 12, 7, 10, 0, 0, 1, tzinfo=UTC)
    assert parse_any_time("2026-12-07t10:00:00z") == T0


def test_the_simulators_records_take_the_fast_path() -> None:
    """What a native backend sends in the usual shape needs no second decode (the recorder's hot path)."""
    srv = SimServer(profile="city", seed=7, history_hours=6)
    srv.build()
    kinds = {"incident": Incident, "resource": Resource, "alert": Alert}
    messages = [m for m in srv.log.messages if m.type in kinds]
    assert {m.type for m in messages} == set(kinds)
    for m in messages:
        text = json.dumps(m.data, ensure_ascii=False).encode()
        fast = decode_json_fast(kinds[m.type], text)
        assert fast is not None and same(fast, decode(kinds[m.type], m.data))


def test_a_stored_record_text_takes_the_fast_path_too() -> None:
    from commandcenter.store.encoding import encode_incident

    inc = decode(Incident, BASE[Incident])
    stored = decode_json_fast(Incident, encode_incident(inc), checked=False)    # the store keeps its timeline apart
    assert stored is not None and same(stored, dataclasses.replace(inc, timeline=()))
    wire = decode_json_fast(Incident, json.dumps(encode(inc)))
    assert wire is not None and same(wire, inc)


def test_what_only_the_codec_reads_still_decodes_the_codecs_way() -> None:
    """An offset time is converted to UTC, a null for a field with a default gives the default, a refused record
    keeps the codec's reason."""
    data = {**BASE[Incident], "reported_at": "2026-12-07T17:00:00+08:00", "description": None}
    assert decode_json_fast(Incident, json.dumps(data)) is None
    inc = decode_json(Incident, json.dumps(data))
    assert inc.reported_at == T0 - timedelta(hours=1) and inc.reported_at.tzinfo is UTC and inc.description == ""
    bad = {**BASE[Incident], "grid_id": "G" * 65}
    try:
        decode_json(Incident, json.dumps(bad).encode())
    except InvalidRecord as exc:
        assert exc.reason.startswith("grid_id: longer than 64 characters")
    else:
        raise AssertionError("a 65-character grid id was kept")
