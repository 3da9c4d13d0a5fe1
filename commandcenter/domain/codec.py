"""The wire format: domain records to and from JSON-ready dicts.

One codec for the simulator (which encodes) and the feeds (which decode), so the
protocol cannot drift between them. Decoding validates: anything that does not fit
raises InvalidRecord with a reason fit for the quarantine.
"""
from __future__ import annotations

import dataclasses
import types
import typing
from datetime import datetime, timezone
from enum import Enum
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
    if dt.tzinfo is None:
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
    """Build `cls` from a dict, checking every field; unknown keys are ignored (forward compatible)."""
    if not isinstance(data, dict):
        raise InvalidRecord(f"expected a JSON object for {cls.__name__}, got {type(data).__name__}")
    record_id = data.get("id") if isinstance(data.get("id"), str) else None
    kwargs: dict[str, Any] = {}
    for f in dataclasses.fields(cls):  # type: ignore[arg-type]
        if f.name in data and data[f.name] is not None:
            try:
                kwargs[f.name] = _decode_value(_hints(cls)[f.name], data[f.name])
            except InvalidRecord as exc:
                raise InvalidRecord(f"{f.name}: {exc.reason}", cls.__name__.lower(), record_id) from None
        elif f.name in data and _optional(_hints(cls)[f.name]):
            kwargs[f.name] = None          # an explicit null for a nullable field, e.g. the city's parent_id
        elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            raise InvalidRecord(f"missing required field {f.name!r}", cls.__name__.lower(), record_id)
    record = cls(**kwargs)
    version = getattr(record, "version", 1)
    if not getattr(record, "id", "x"):
        raise InvalidRecord("empty id", cls.__name__.lower(), record_id)
    if version < 0:
        raise InvalidRecord("negative version", cls.__name__.lower(), record_id)
    return record


def _optional(hint: Any) -> bool:
    return typing.get_origin(hint) in (typing.Union, types.UnionType) and type(None) in typing.get_args(hint)


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _decode_value(hint: Any, value: Any) -> Any:
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in args if a is not type(None)]
        if value is None:
            return None
        return _decode_value(inner[0], value)
    if origin is tuple:
        if not isinstance(value, list | tuple):
            raise InvalidRecord(f"expected a list, got {type(value).__name__}")
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_decode_value(args[0], v) for v in value)
        if len(value) != len(args):
            raise InvalidRecord(f"expected {len(args)} items, got {len(value)}")
        return tuple(_decode_value(a, v) for a, v in zip(args, value))
    if origin is dict:
        if not isinstance(value, dict):
            raise InvalidRecord("expected an object")
        return {str(k): _decode_value(args[1], v) for k, v in value.items()}
    if hint is datetime:
        return parse_time(value)
    if isinstance(hint, type) and issubclass(hint, Enum):
        try:
            return hint(value)
        except ValueError:
            raise InvalidRecord(f"{value!r} is not a valid {hint.__name__}") from None
    if dataclasses.is_dataclass(hint):
        return decode(hint, value)
    if hint is bool:
        if not isinstance(value, bool):
            raise InvalidRecord(f"expected true/false, got {type(value).__name__}")
        return value
    if hint is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise InvalidRecord(f"expected an integer, got {type(value).__name__}")
        return value
    if hint is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise InvalidRecord(f"expected a number, got {type(value).__name__}")
        if value != value or value in (float("inf"), float("-inf")):
            raise InvalidRecord("number is not finite")
        return float(value)
    if hint is str:
        if not isinstance(value, str):
            raise InvalidRecord(f"expected a string, got {type(value).__name__}")
        if len(value) > MAX_STRING:
            raise InvalidRecord(f"string longer than {MAX_STRING} characters")
        return value
    if hint is typing.Any:
        return value
    raise InvalidRecord(f"unsupported field type {hint!r}")


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
