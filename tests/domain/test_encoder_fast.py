"""msgspec writes a record's text only where it writes what the one encoder writes: byte for byte the same text for
every record, whatever its values (generated: every type, wrong types, non-finite and exponent floats, naive and
offset times, lone surrogates, plain values in enum fields, values equal to a default but not it)."""
from __future__ import annotations

import dataclasses
import json
import types
import typing
from datetime import UTC, datetime, timedelta, timezone
from enum import Enum
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from commandcenter.domain import Alert, Incident, Resource
from commandcenter.domain.encoder import encoder
from commandcenter.domain.encoder_fast import _guard, fast_encoder
from commandcenter.domain.record_json import decode_json
from commandcenter.sim.server import SimServer

LEAVE_OUT = {Incident: ("timeline",)}


class Text(str):
    """A str subclass (equal to its value, not of the field's exact type)."""


ODD = st.sampled_from([None, True, False, 0, 1, 0.0, -0.0, 1.0, 2.5, "", Text(""), Text("x"), (), [], "\ud800", 2 ** 70, "bogus"])
FLOATS = st.one_of(st.floats(-180, 180), st.floats(-180, 180), st.floats(), st.floats(1e-5, 1e-3), st.floats(1e15, 1e17), st.sampled_from(
    [1e-4, 1e16, 9999999999999998.0, 0.0, -0.0, 120.0]), st.integers(-10 ** 20, 10 ** 20))
ZONES = st.one_of(st.just(UTC), st.just(UTC), st.just(UTC), st.just(UTC), st.just(UTC), st.just(UTC), st.just(UTC),
                  st.sampled_from([None, timezone(timedelta(hours=8)), timezone(timedelta(0))]))
TEXTS = st.one_of(st.text(max_size=8), st.text(st.characters(codec=None, categories=None), max_size=4),
                  st.sampled_from(["\x00", "\x7f", "\u2028", "\"\\", "\ud83d", "模拟"]))


def value_for(hint: Any) -> st.SearchStrategy[Any]:
    """Values of a field of type `hint`, of that type more often than not, any odd value otherwise."""
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        return st.one_of(*(value_for(a) for a in typing.get_args(hint) if a is not type(None)), st.none())
    if hint is str:
        own: st.SearchStrategy[Any] = TEXTS
    elif hint is bool:
        own = st.booleans()
    elif hint is int:
        own = st.one_of(st.integers(-10, 10), st.integers(-2 ** 64, 2 ** 64))
    elif hint is float:
        own = FLOATS
    elif hint is datetime:
        own = st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=ZONES)
    elif isinstance(hint, type) and issubclass(hint, Enum):
        own = st.one_of(st.sampled_from(list(hint)), st.sampled_from([m.value for m in hint]))
    elif typing.get_origin(hint) is tuple:
        item = typing.get_args(hint)[0]
        own = st.one_of(st.lists(value_for(item), max_size=3).map(tuple), st.lists(TEXTS, max_size=2))
    else:
        own = st.nothing()
    return own


@st.composite
def records(draw: st.DrawFn, cls: type) -> Any:
    """A record of `cls`: each field left at its default or drawn, odd values in a few of them."""
    hints = typing.get_type_hints(cls)
    rate = draw(st.sampled_from([0, 1, 3]))      # in twentieths
    values = {}
    for f in dataclasses.fields(cls):
        if f.name in LEAVE_OUT.get(cls, ()):
            continue
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING or draw(st.booleans()):
            odd = rate > 0 and draw(st.integers(0, 19)) < rate
            values[f.name] = draw(ODD if odd else value_for(hints[f.name]))
    return cls(**values)


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), cls=st.sampled_from([Incident, Incident, Resource, Alert]), omit=st.booleans())
def test_the_fast_encoder_writes_the_one_encoders_text_for_every_record(data, cls, omit) -> None:
    record = data.draw(records(cls))
    leave_out = LEAVE_OUT.get(cls, ())
    slow = encoder(cls, leave_out=leave_out, omit_defaults=omit)
    fast = fast_encoder(cls, leave_out=leave_out, omit_defaults=omit)
    try:
        expected = slow(record)
    except Exception as exc:   # a value the one encoder cannot write (None for a time): the same error
        event(f"refused by the one encoder: {type(exc).__name__}")
        with pytest.raises(type(exc)):
            fast(record)
        return
    guard = _guard(cls, leave_out, omit)
    event(f"{cls.__name__}: {'msgspec' if guard is not None and guard(record) else 'one encoder'}")
    assert fast(record) == expected


def test_the_simulators_records_take_msgspecs_path() -> None:
    """What the recorder stores from a native backend is written by msgspec (the store's hot path); an alert, with
    its polygons of float pairs, always by the one encoder."""
    srv = SimServer(profile="city", seed=7, history_hours=6)
    srv.build()
    for kind, cls in (("incident", Incident), ("resource", Resource)):
        records = [decode_json(cls, json.dumps(m.data)) for m in srv.log.messages if m.type == kind]
        assert records, kind
        leave_out = LEAVE_OUT.get(cls, ())
        guard = _guard(cls, leave_out, cls is Incident)
        assert guard is not None and all(guard(r) for r in records), kind
        fast = fast_encoder(cls, leave_out=leave_out, omit_defaults=cls is Incident)
        slow = encoder(cls, leave_out=leave_out, omit_defaults=cls is Incident)
        assert [fast(r) for r in records] == [slow(r) for r in records]
    assert _guard(Alert, (), False) is None and fast_encoder(Alert) is encoder(Alert)
