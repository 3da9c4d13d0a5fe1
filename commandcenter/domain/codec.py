"""The wire format: domain records to and from JSON-ready dicts.

One codec for the simulator (which encodes) and the feeds (which decode), so the
protocol cannot drift between them. Decoding validates: anything that does not fit
raises InvalidRecord with a reason fit for the quarantine, including values outside what the store and the
calendar keep (`limits`: 64-bit integers, years 1971-9998, valid Unicode without NUL, ids of at most 64
characters). What the store itself wrote is read back with `decode_stored`, without those limits: a store
written before them must stay readable.
"""
from __future__ import annotations

import dataclasses
import json
import re
import sys
import types
import typing
from datetime import datetime, timedelta, UTC
from enum import Enum
from collections.abc import Callable
from functools import cache
from typing import Any, TypeVar

from . import limits as L
from .encoder import encode_json, time_text
from .errors import InvalidRecord
from .models import Alert, Incident, Resource, StatusChange, TerritoryNode

T = TypeVar("T")

KINDS: dict[str, type] = {
    "incident": Incident,
    "resource": Resource,
    "alert": Alert,
    "territory": TerritoryNode,
}

MAX_STRING = 20_000

#: String fields with few distinct values (grids, people, units): decoded values are interned, so 100,000
#: incidents in a grid share one "G03868" and one "街道综治中心" instead of holding a copy each.
INTERNED_FIELDS = frozenset({"grid_id", "reporter", "grid_worker", "handler", "department", "unit", "source",
                             "area_desc", "drill_id", "parent_id", "grid_head", "incident_id"})


def parse_time(value: Any) -> datetime:
    """ISO 8601 to an aware UTC datetime within the store's range (limits.check_time); naive times are UTC."""
    dt = parse_any_time(value)
    return dt if _TIME_MIN <= dt < _TIME_MAX else L.check_time(dt)


_TIME_MIN, _TIME_MAX = L.TIME_MIN, L.TIME_MAX


#: A fraction of seconds of seven digits or more, where RFC 3339's layout puts it ("YYYY-MM-DDTHH:MM:SS.f...").
_LONG_FRACTION = re.compile(r"[.,][0-9]{7,}")
_ONE_MICROSECOND = timedelta(microseconds=1)


def parse_any_time(value: Any) -> datetime:
    """ISO 8601 to an aware UTC datetime, any year Python's calendar has; naive times are taken as UTC.

    As RFC 3339 allows, a lower-case "z" means UTC like "Z", and a fraction of more than six digits is rounded to
    the microsecond on its seventh digit (half up): what msgspec's typed decoder makes of the same text
    (domain/record_json.py), so a record decodes to the same times whichever of the two reads it."""
    if isinstance(value, datetime):
        dt = value
    elif isinstance(value, str):
        text = value[:-1] + "Z" if value[-1:] == "z" else value
        round_up = False
        long = _LONG_FRACTION.match(text, 19) if len(text) > 26 else None
        if long is not None:      # cut to the microsecond, rounded half up on the seventh digit
            round_up = text[26] >= "5"
            text = text[:26] + text[long.end():]
        try:
            dt = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError as exc:
            raise InvalidRecord(f"not an ISO 8601 time: {value[:40]!r}") from exc
        if round_up:
            try:
                dt += _ONE_MICROSECOND
            except OverflowError:       # 9999-12-31T23:59:59.9999995: past the last microsecond Python has
                raise InvalidRecord(f"time outside the calendar: {value[:40]!r}") from None
    else:
        raise InvalidRecord(f"expected an ISO 8601 time, got {type(value).__name__}")
    tz = dt.tzinfo
    if tz is UTC:          # the wire's own "Z": already what we want, no conversion
        return dt
    if tz is None:
        return dt.replace(tzinfo=UTC)
    try:
        return dt.astimezone(UTC)
    except OverflowError:           # 9999-12-31T23:59-01:00 is in year 10000 in UTC
        raise InvalidRecord(f"time outside the calendar: {str(value)[:40]!r}") from None


def format_time(value: datetime) -> str:
    """ISO 8601 UTC with a Z; naive times are taken as UTC."""
    return time_text(value)


def encode(record: Any) -> dict[str, Any]:
    """A domain record as a JSON-ready dict (times as ISO 8601 UTC, enums as their values): the one encoder's
    text (encoder.py) parsed, so the dict and the text can never disagree."""
    return json.loads(encode_json(record))  # type: ignore[no-any-return]


def decode(cls: type[T], data: Any) -> T:
    """Build `cls` from a dict, checking every field; unknown keys are ignored (forward compatible).

    Each class gets a decoder compiled once from its type hints (`_decoder`): walking the hints with
    `typing.get_origin` for every field of every record would take a fast feed's whole budget; the compiled one
    does the same checks with the same reasons in a fraction of it."""
    klass: type = cls   # a class is hashable whatever T is; mypy cannot see it through type[T]
    record: T = _decoder(klass, True)(data)
    return record


def decode_stored(cls: type[T], data: Any) -> T:
    """`decode` for what the store wrote: the same types, without the `limits` (a store written before them may
    hold, say, a 1969 time or an id of 70 characters, and must stay readable)."""
    klass: type = cls
    record: T = _decoder(klass, False)(data)
    return record


_ABSENT = object()


@cache
def _decoder(cls: type[Any], checked: bool = True) -> Callable[[Any], Any]:
    """The decoding function of one dataclass, generated once from its type hints.

    Like `dataclasses` does for `__init__`, the per-field steps are unrolled into one function's source:
    strings, integers and booleans are checked inline, everything else calls a converter made once per
    hint (`_converter`); the record is then built positionally. Same checks, same reasons as walking the
    hints, at a fraction of the cost.

    `checked`: also the store's limits (limits.py). The fast paths test them inline (an ASCII string is decided
    by `str.isascii`, O(1)); anything else goes to the field's converter, which gives the reason."""
    hints = typing.get_type_hints(cls)
    fields = dataclasses.fields(cls)
    name = cls.__name__
    env: dict[str, Any] = {
        "cls": cls, "InvalidRecord": InvalidRecord, "ABSENT": _ABSENT, "MAX_STRING": MAX_STRING,
        "NAME": name, "KIND": name.lower(), "str": str, "int": int, "dict": dict, "isinstance": isinstance,
        "type": type, "len": len, "getattr": getattr, "intern": sys.intern, "BAD_CHAR": L.BAD_CHAR,
    }
    lines = [
        "def decode_one(data):",
        "    if not isinstance(data, dict):",
        "        raise InvalidRecord(f'expected a JSON object for {NAME}, got {type(data).__name__}')",
        "    get = data.get",
        "    rid = get('id')",
        "    record_id = rid if type(rid) is str or isinstance(rid, str) else None",
        "    fname = ''",
        "    try:",
    ]
    args = []
    for i, f in enumerate(fields):
        if not f.init:
            raise TypeError(f"{name}.{f.name}: fields outside __init__ are not supported by the codec")
        hint = hints[f.name]
        var = f"f{i}"
        args.append(var)
        env[f"conv{i}"] = _converter(hint, f.name if checked else None)
        if f.default is not dataclasses.MISSING:
            env[f"default{i}"] = f.default
            when_absent = f"{var} = default{i}"
        elif f.default_factory is not dataclasses.MISSING:
            env[f"factory{i}"] = f.default_factory
            when_absent = f"{var} = factory{i}()"
        else:
            when_absent = (f"fname = ''\n            "
                           f"raise InvalidRecord(\"missing required field {f.name!r}\", KIND, record_id)")
        if hint is str or (f.name in INTERNED_FIELDS and hint == (str | None)):
            keep = "intern(v)" if f.name in INTERNED_FIELDS else "v"
            most = min(MAX_STRING, L.MAX_CHARS.get(f.name, MAX_STRING)) if checked else MAX_STRING
            # storable text: ASCII without NUL decided in O(1), other text by one regex search (limits.BAD_CHAR)
            text_ok = " and (v.isascii() and '\\x00' not in v or BAD_CHAR(v) is None)" if checked else ""
            fast = (f"if type(v) is str and len(v) <= {most}{text_ok}:\n            {var} = {keep}\n"
                    f"        else:\n            fname = {f.name!r}\n            {var} = conv{i}(v)")
        elif hint is int:
            lo, hi = L.int_range(f.name)
            in_range = f" and {lo} <= v <= {hi}" if checked else ""
            fast = (f"if type(v) is int{in_range}:\n            {var} = v\n"
                    f"        else:\n            fname = {f.name!r}\n            {var} = conv{i}(v)")
        elif hint is bool:
            fast = (f"if v is True or v is False:\n            {var} = v\n"
                    f"        else:\n            fname = {f.name!r}\n            {var} = conv{i}(v)")
        else:
            fast = f"fname = {f.name!r}\n        {var} = conv{i}(v)"
        lines += [
            f"        v = get({f.name!r}, ABSENT)",
            "        if v is not None and v is not ABSENT:",
            f"            {fast}".replace("\n        ", "\n            "),
        ]
        if _optional(hint):
            lines += ["        elif v is None:", f"            {var} = None"]
        lines += ["        else:", f"            {when_absent}"]
    lines += [
        "    except InvalidRecord as exc:",
        "        if not fname:             # missing field: already says so",
        "            raise",
        "        raise InvalidRecord(f'{fname}: {exc.reason}', KIND, record_id) from None",
        f"    record = cls({', '.join(args)})",
        "    if not getattr(record, 'id', 'x'):",
        "        raise InvalidRecord('empty id', KIND, record_id)",
        "    if getattr(record, 'version', 1) < 0:",
        "        raise InvalidRecord('negative version', KIND, record_id)",
        "    return record",
    ]
    exec("\n".join(lines), env)  # noqa: S102 - source built above from the dataclass's own fields
    fn: Callable[[Any], Any] = env["decode_one"]
    fn.__name__ = f"decode_{name.lower()}"
    fn.__qualname__ = fn.__name__
    return fn


def _optional(hint: Any) -> bool:
    return typing.get_origin(hint) in (typing.Union, types.UnionType) and type(None) in typing.get_args(hint)


def _converter(hint: Any, field: str | None = "") -> Callable[[Any], Any]:
    """A function checking and converting one JSON value to `hint`; raises InvalidRecord with the reason.

    `field`: the field's name, for its limits (limits.py: text length, 32-bit integers); None: no limits (what
    the store wrote, read back)."""
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    checked = field is not None
    if origin in (typing.Union, types.UnionType):
        inner = _converter([a for a in args if a is not type(None)][0], field)
        return lambda value: None if value is None else inner(value)
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            item = _converter(args[0], field)

            def homogeneous(value: Any) -> tuple[Any, ...]:
                if not isinstance(value, list | tuple):
                    raise InvalidRecord(f"expected a list, got {type(value).__name__}")
                return tuple([item(v) for v in value]) if value else ()
            return homogeneous
        items = tuple(_converter(a, field) for a in args)

        def fixed(value: Any) -> tuple[Any, ...]:
            if not isinstance(value, list | tuple):
                raise InvalidRecord(f"expected a list, got {type(value).__name__}")
            if len(value) != len(items):
                raise InvalidRecord(f"expected {len(items)} items, got {len(value)}")
            return tuple([c(v) for c, v in zip(items, value, strict=True)])
        return fixed
    if origin is dict:
        val = _converter(args[1], "" if checked else None)
        key_text = L.check_text if checked else str

        def mapping(value: Any) -> dict[str, Any]:
            if not isinstance(value, dict):
                raise InvalidRecord("expected an object")
            return {key_text(str(k)): val(v) for k, v in value.items()}
        return mapping
    if hint is datetime:
        return parse_time if checked else parse_any_time
    if isinstance(hint, type) and issubclass(hint, Enum):
        return _enum_converter(hint)
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return lambda value: _decoder(hint, checked)(value)
    if hint is bool:
        def boolean(value: Any) -> bool:
            if value is True or value is False:
                return value
            raise InvalidRecord(f"expected true/false, got {type(value).__name__}")
        return boolean
    if hint is int:
        def integer(value: Any) -> int:
            if type(value) is int or (isinstance(value, int) and not isinstance(value, bool)):
                return L.check_int(value, field) if field is not None else value
            raise InvalidRecord(f"expected an integer, got {type(value).__name__}")
        return integer
    if hint is float:
        def number(value: Any) -> float:
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise InvalidRecord(f"expected a number, got {type(value).__name__}")
            if value != value or value in (_INF, _NINF):
                raise InvalidRecord("number is not finite")
            return float(value)
        return number
    if hint is str:
        def string(value: Any) -> str:
            if not isinstance(value, str):
                raise InvalidRecord(f"expected a string, got {type(value).__name__}")
            if len(value) > MAX_STRING:
                raise InvalidRecord(f"string longer than {MAX_STRING} characters")
            return L.check_text(value, field) if field is not None else value
        return string
    if hint is typing.Any:
        return lambda value: value

    def unsupported(value: Any) -> Any:
        raise InvalidRecord(f"unsupported field type {hint!r}")
    return unsupported


_INF = float("inf")
_NINF = float("-inf")


def _enum_converter(enum: type[Enum]) -> Callable[[Any], Enum]:
    """Value → member through a map of the enum's values (what `enum(value)` looks up first), without the call."""
    members: dict[Any, Enum] = {m.value: m for m in enum}

    def member(value: Any) -> Enum:
        try:
            found = members.get(value)
        except TypeError:          # unhashable (a list, an object): never a member
            found = None
        if found is not None and type(value) is not bool:
            return found
        try:
            return enum(value)
        except ValueError:
            raise InvalidRecord(f"{value!r} is not a valid {enum.__name__}") from None
    return member


def decode_incident(data: Any) -> Incident:
    return decode(Incident, data)


def decode_resource(data: Any) -> Resource:
    return decode(Resource, data)


def decode_alert(data: Any) -> Alert:
    return decode(Alert, data)


def decode_territory(data: Any) -> TerritoryNode:
    return decode(TerritoryNode, data)


__all__ = [
    "KINDS", "StatusChange", "decode", "decode_alert", "decode_stored", "parse_any_time", "decode_incident", "decode_resource",
    "decode_territory", "encode", "encode_json", "format_time", "parse_time",
]
