"""The wire format: domain records to and from JSON-ready dicts.

One codec for the simulator (which encodes) and the feeds (which decode), so the
protocol cannot drift between them. Decoding validates: anything that does not fit
raises InvalidRecord with a reason fit for the quarantine.
"""
from __future__ import annotations

import dataclasses
import sys
import types
import typing
from datetime import datetime, timezone
from enum import Enum
from collections.abc import Callable
from functools import cache
from typing import Any, TypeVar

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
    """ISO 8601 to an aware UTC datetime; naive times are taken as UTC."""
    if isinstance(value, datetime):
        dt = value
    elif isinstance(value, str):
        try:
            dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError as exc:
            raise InvalidRecord(f"not an ISO 8601 time: {value[:40]!r}") from exc
    else:
        raise InvalidRecord(f"expected an ISO 8601 time, got {type(value).__name__}")
    tz = dt.tzinfo
    if tz is timezone.utc:          # the wire's own "Z": already what we want, no conversion
        return dt
    if tz is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.astimezone(timezone.utc)


def format_time(value: datetime) -> str:
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


def encode(record: Any) -> dict[str, Any]:
    """A domain record as a JSON-ready dict (times as ISO 8601 UTC, enums as their values)."""
    return {f.name: _encode_value(getattr(record, f.name)) for f in dataclasses.fields(record)}


def _encode_value(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return format_time(value)
    if dataclasses.is_dataclass(value):
        return encode(value)
    if isinstance(value, tuple | list):
        return [_encode_value(v) for v in value]
    if isinstance(value, dict):
        return {k: _encode_value(v) for k, v in value.items()}
    return value


def decode(cls: type[T], data: Any) -> T:
    """Build `cls` from a dict, checking every field; unknown keys are ignored (forward compatible).

    Each class gets a decoder compiled once from its type hints (`_decoder`): walking the hints with
    `typing.get_origin` for every field of every record cost ~250 µs an incident, the whole budget of a
    5,000 events/s feed; the compiled one does the same checks with the same reasons in a fraction."""
    return _decoder(cls)(data)


_ABSENT = object()


@cache
def _decoder(cls: type[T]) -> Callable[[Any], T]:
    """The decoding function of one dataclass, generated once from its type hints.

    Like `dataclasses` does for `__init__`, the per-field steps are unrolled into one function's source:
    strings, integers and booleans are checked inline, everything else calls a converter made once per
    hint (`_converter`); the record is then built positionally. Same checks, same reasons as walking the
    hints, at a fraction of the cost."""
    hints = typing.get_type_hints(cls)
    fields = dataclasses.fields(cls)  # type: ignore[arg-type]
    name = cls.__name__
    env: dict[str, Any] = {
        "cls": cls, "InvalidRecord": InvalidRecord, "ABSENT": _ABSENT, "MAX_STRING": MAX_STRING,
        "NAME": name, "KIND": name.lower(), "str": str, "int": int, "dict": dict, "isinstance": isinstance,
        "type": type, "len": len, "getattr": getattr, "intern": sys.intern,
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
        env[f"conv{i}"] = _converter(hint)
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
            fast = (f"if type(v) is str and len(v) <= MAX_STRING:\n            {var} = {keep}\n"
                    f"        else:\n            fname = {f.name!r}\n            {var} = conv{i}(v)")
        elif hint is int:
            fast = (f"if type(v) is int:\n            {var} = v\n"
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
    fn = env["decode_one"]
    fn.__name__ = f"decode_{name.lower()}"
    fn.__qualname__ = fn.__name__
    return fn


def _optional(hint: Any) -> bool:
    return typing.get_origin(hint) in (typing.Union, types.UnionType) and type(None) in typing.get_args(hint)


def _converter(hint: Any) -> Callable[[Any], Any]:
    """A function checking and converting one JSON value to `hint`; raises InvalidRecord with the reason."""
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        inner = _converter([a for a in args if a is not type(None)][0])
        return lambda value: None if value is None else inner(value)
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            item = _converter(args[0])

            def homogeneous(value: Any) -> tuple:
                if not isinstance(value, list | tuple):
                    raise InvalidRecord(f"expected a list, got {type(value).__name__}")
                return tuple([item(v) for v in value]) if value else ()
            return homogeneous
        items = tuple(_converter(a) for a in args)

        def fixed(value: Any) -> tuple:
            if not isinstance(value, list | tuple):
                raise InvalidRecord(f"expected a list, got {type(value).__name__}")
            if len(value) != len(items):
                raise InvalidRecord(f"expected {len(items)} items, got {len(value)}")
            return tuple([c(v) for c, v in zip(items, value)])
        return fixed
    if origin is dict:
        val = _converter(args[1])

        def mapping(value: Any) -> dict:
            if not isinstance(value, dict):
                raise InvalidRecord("expected an object")
            return {str(k): val(v) for k, v in value.items()}
        return mapping
    if hint is datetime:
        return parse_time
    if isinstance(hint, type) and issubclass(hint, Enum):
        return _enum_converter(hint)
    if dataclasses.is_dataclass(hint):
        return lambda value: _decoder(hint)(value)
    if hint is bool:
        def boolean(value: Any) -> bool:
            if value is True or value is False:
                return value
            raise InvalidRecord(f"expected true/false, got {type(value).__name__}")
        return boolean
    if hint is int:
        def integer(value: Any) -> int:
            if type(value) is int or (isinstance(value, int) and not isinstance(value, bool)):
                return value
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
            return value
        return string
    if hint is typing.Any:
        return lambda value: value

    def unsupported(value: Any) -> Any:
        raise InvalidRecord(f"unsupported field type {hint!r}")
    return unsupported


_INF = float("inf")
_NINF = float("-inf")


def _enum_converter(enum: type[Enum]) -> Callable[[Any], Enum]:
    """Value → member through the enum's own value map (what `enum(value)` looks up first), without the call."""
    members = enum._value2member_map_

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
    "KINDS", "StatusChange", "decode", "decode_alert", "decode_incident", "decode_resource",
    "decode_territory", "encode", "format_time", "parse_time",
]
