"""The one encoder of records: a domain record → its JSON text, compiled once per record class.

Every serialised record goes through here: the simulator's wire messages and the codec's dict form
(`codec.encode` parses this text), the store's `data` columns and its record log. Each class gets a function built
from its field types (like `dataclasses` builds `__init__`): string concatenation of precomputed key and enum
texts, which is an order of magnitude cheaper than walking the fields and calling json.dumps on a dict.
Measured against msgspec in docs/benchmarks.md ("One encoder of records").

The text is what `json.dumps(value, ensure_ascii=False, separators=(",", ":"))` writes for the record's plain
form: times as ISO 8601 UTC with a Z, enums as their values, tuples as arrays, nested records as objects.
"""
from __future__ import annotations

import dataclasses
import json
import math
import types
import typing
from collections.abc import Callable
from datetime import UTC, datetime
from enum import Enum
from json.encoder import encode_basestring
from typing import Any

Encoder = Callable[[Any], str]

_UTC = UTC
#: UTC instant → its ISO 8601 text. A record's times recur in its next versions (reported, accepted, ...):
#: one isoformat() per distinct instant. Bounded: cleared when full.
_TIME_TEXT: dict[datetime, str] = {}
_TIME_TEXT_MAX = 1 << 16


def time_text(t: datetime) -> str:
    """ISO 8601 UTC with a Z ("YYYY-MM-DDTHH:MM:SS[.ffffff]Z"); naive times are taken as UTC."""
    got = _TIME_TEXT.get(t)   # aware times equal (and hash equal) when they are the same instant, whatever the zone
    if got is None:
        u = t if t.tzinfo is _UTC else t.replace(tzinfo=_UTC) if t.tzinfo is None else t.astimezone(_UTC)
        got = u.isoformat()[:-6] + "Z"
        if len(_TIME_TEXT) >= _TIME_TEXT_MAX:
            _TIME_TEXT.clear()
        _TIME_TEXT[t] = got
    return got


TIME_TEXT_GET = _TIME_TEXT.get   # the cache's lookup alone: the same dict for ever (cleared, never replaced)


def plain(value: Any) -> Any:
    """A value as JSON-ready data (the fallback for values of a type the compiled code does not expect)."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return time_text(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return json.loads(encode_json(value))
    if isinstance(value, tuple | list):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value


def _dumps(value: Any) -> str:
    return json.dumps(plain(value), ensure_ascii=False, separators=(",", ":"))


def _float_text(v: Any) -> str:
    return float.__repr__(v) if v.__class__ is float and math.isfinite(v) else _dumps(v)


def _join(enc: Encoder) -> Encoder:
    """A tuple of records → its JSON array text."""
    def array(v: Any) -> str:
        if v.__class__ is not tuple:
            return _dumps(v)
        return "[" + ",".join([enc(x) for x in v]) + "]"
    return array


def encode_json(record: Any) -> str:
    """Any domain record's JSON text (every field)."""
    cls: type = type(record)
    return encoder(cls)(record)


_ENCODERS: dict[tuple[type, tuple[str, ...], bool], Encoder] = {}


def encoder(cls: type, *, leave_out: tuple[str, ...] = (), omit_defaults: bool = False) -> Encoder:
    """The compiled `record -> JSON text` of one record class, made once.

    leave_out: fields never written (the store keeps an incident's timeline in rows of its own).
    omit_defaults: fields whose value is the field's default are not written (decoding fills them back in, so the
    decoded record is equal); a stored incident is mostly defaults and key names."""
    key = (cls, leave_out, omit_defaults)
    fn = _ENCODERS.get(key)
    if fn is None:
        fn = _ENCODERS[key] = _compile(cls, leave_out, omit_defaults)
    return fn


def _compile(cls: type, leave_out: tuple[str, ...], omit_defaults: bool) -> Encoder:
    hints = typing.get_type_hints(cls)
    lines = ["def encode(r):", "    p = []", "    a = p.append"]
    scope: dict[str, Any] = {"_tg": TIME_TEXT_GET, "_tt": time_text, "_jv": _dumps, "_jf": _float_text,
                             "_s": encode_basestring, "_int": int.__repr__}
    for f in dataclasses.fields(cls):
        if f.name in leave_out:
            continue
        h = hints[f.name]
        union = typing.get_origin(h) in (typing.Union, types.UnionType)
        args = [x for x in typing.get_args(h) if x is not type(None)]
        optional = union and type(None) in typing.get_args(h)
        base = args[0] if union and len(args) == 1 else h
        key = json.dumps(f.name, ensure_ascii=False) + ":"
        lines.append(f"    v = r.{f.name}")
        enum = isinstance(base, type) and issubclass(base, Enum)
        item = typing.get_args(base)
        if base is datetime:   # the time-text cache looked up inline: a Python call less per time
            expr = "'\"' + (_tg(v) or _tt(v)) + '\"'"
        elif enum and issubclass(base, str | int):
            # each member's JSON text precomputed: Enum.value is a slow Python-level descriptor.
            # Members hash and compare as their values, so a plain value finds the same text.
            text_of: Callable[[Any], str] = encode_basestring if issubclass(base, str) else int.__repr__
            scope[f"_e_{f.name}"] = {m: text_of(m.value) for m in base}
            other = "_s(v.value)" if issubclass(base, str) else "_int(int(v.value))"
            expr = f"(_e_{f.name}.get(v) or {other})"
        elif base is str:
            expr = "(_s(v) if isinstance(v, str) else _jv(v))"
        elif base is int:
            expr = "(_int(v) if v.__class__ is int else _jv(v))"
        elif base is float:
            expr = "_jf(v)"
        elif base is bool:
            expr = "('true' if v is True else 'false' if v is False else _jv(v))"
        elif typing.get_origin(base) is tuple and len(item) == 2 and item[1] is Ellipsis \
                and dataclasses.is_dataclass(item[0]):
            scope[f"_a_{f.name}"] = _join(encoder(typing.cast(type, item[0])))
            expr = f"_a_{f.name}(v)"
        else:
            expr = "_jv(v)"
        if optional or enum:
            expr = f"('null' if v is None else {expr})"
        has_default = f.default is not dataclasses.MISSING or f.default_factory is not dataclasses.MISSING
        if not omit_defaults or not has_default:
            lines.append(f"    a({key!r} + {expr})")
            continue
        default = f.default if f.default_factory is dataclasses.MISSING else f.default_factory()
        if default is None:
            lines.append(f"    if v is not None: a({key!r} + {expr})")
        elif not default:   # "", 0, False, (): a falsy value of the field's own type is the default
            lines.append(f"    if v: a({key!r} + {expr})")
        else:
            scope[f"_d_{f.name}"] = default
            lines.append(f"    if v != _d_{f.name}: a({key!r} + {expr})")
    lines.append("    return '{' + ','.join(p) + '}'")
    exec("\n".join(lines), scope)  # noqa: S102 - source built above from the dataclass's own fields
    fn: Encoder = scope["encode"]
    fn.__name__ = fn.__qualname__ = f"encode_{cls.__name__.lower()}"
    return fn
