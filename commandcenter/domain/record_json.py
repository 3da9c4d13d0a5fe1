"""A record's JSON text → the record, through msgspec's typed decoder when it can be vouched for.

The codec (codec.py) decodes a parsed dict field by field in Python; msgspec builds the same dataclass straight from
the text in C, several times faster, but knows neither the store's limits (limits.py) nor the codec's leniencies
(null for a field with a default, an offset time converted to UTC, the quarantine's reasons). So every record
msgspec builds is checked by a function compiled once per class (`_voucher`) that passes only what the codec would
build identically from the same text (limits kept, times in UTC, interned fields interned); anything else (a
refusal by msgspec included) is decoded again by the codec, which gives the record or the reason. The result is
the codec's either way: `tests/domain/test_record_json.py` checks it on generated records and hostile values.
"""
from __future__ import annotations

import dataclasses
import sys
import types
import typing
from collections.abc import Callable
from datetime import UTC, datetime
from enum import Enum
from functools import cache
from typing import Any, TypeVar

import msgspec

from . import limits as L
from . import wirejson
from .codec import INTERNED_FIELDS, MAX_STRING, decode, decode_stored

T = TypeVar("T")

_WHOLE_YEARS = (datetime(L.TIME_MIN.year, 1, 1, tzinfo=UTC), datetime(L.TIME_MAX.year, 1, 1, tzinfo=UTC))
assert _WHOLE_YEARS == (L.TIME_MIN, L.TIME_MAX), "the vouchers check the store's times by their years"

Text = bytes | str


def decode_json(cls: type[T], text: Text) -> T:
    """`decode(cls, json.loads(text))`: the record, or InvalidRecord with the codec's reason (BadJson, a ValueError,
    when the text is not JSON)."""
    record = decode_json_fast(cls, text)
    if record is None:
        record = decode(cls, wirejson.loads(text))
    return record


def decode_stored_json(cls: type[T], text: Text) -> T:
    """`decode_stored(cls, json.loads(text))`, for what the store wrote (no limits)."""
    record = decode_json_fast(cls, text, checked=False)
    if record is None:
        record = decode_stored(cls, wirejson.loads(text))
    return record


def decode_json_fast(cls: type[T], text: Text, *, checked: bool = True) -> T | None:
    """The record msgspec builds from `text` when the codec would build the same one (`checked`: with the store's
    limits, as `decode`; else as `decode_stored`); None when the codec must decide."""
    if len(text) > MAX_STRING or checked and _has_nul(text):
        return None         # a text field may be too long, or hold a NUL: the codec says which
    klass: type = cls   # a class is hashable whatever T is; mypy cannot see it through type[T]
    decoder, vouch = _fast(klass, checked)
    try:
        record: T = decoder.decode(text)
    except (msgspec.MsgspecError, ValueError, RecursionError):   # also a str not valid Unicode, a deep nesting
        return None
    return record if vouch(record) else None


def vouched(cls: type[T], record: T, text: Text) -> bool:
    """Whether `record`, built by msgspec from `text` or from a part of it (a message's `data`), is the one the
    codec would build: `decode_json_fast`'s checks (`checked`) without its decoding."""
    if len(text) > MAX_STRING or _has_nul(text):
        return False
    klass: type = cls
    return _fast(klass, True)[1](record)


def _has_nul(text: Text) -> bool:
    """Whether JSON text may decode to a NUL: only through the escape (msgspec refuses a raw control character)."""
    return ("\\u0000" in text) if isinstance(text, str) else (b"\\u0000" in text)


@cache
def _fast(cls: type, checked: bool) -> tuple[msgspec.json.Decoder[Any], Callable[[Any], bool]]:
    return msgspec.json.Decoder(cls), _voucher(cls, checked)


@cache
def _voucher(cls: type, checked: bool) -> Callable[[Any], bool]:
    """`vouch(record)`: True when the codec would have built this record from the text msgspec built it from
    (interning the interned fields on the way, as the codec does); False when it must decide itself.

    msgspec already refuses what has the wrong type, an unknown enum value, a missing field, a number out of a
    float's range, a lone surrogate, a raw control character and malformed JSON; decode_json_fast refuses a text
    that could hold a NUL or a string longer than MAX_STRING. What is left, per field type, is what the codec
    refuses or reads otherwise: text longer than its column (limits.MAX_CHARS), integers (64-bit, or 32 for some
    fields), times (UTC only: the codec converts an offset or a naive time; within the store's years), an empty id,
    a negative version. Generated as one function per class, like the codec's decoder."""
    hints = typing.get_type_hints(cls)
    env: dict[str, Any] = {"UTC": UTC, "intern": sys.intern, "put": object.__setattr__}
    lines = ["def vouch(r):"]
    names = set()
    for i, f in enumerate(dataclasses.fields(cls)):
        names.add(f.name)
        hint = hints[f.name]
        base, optional = unwrap_optional(hint)
        var = f"v{i}"
        body = _checks(base, f.name, var, checked, env)
        if body is None:
            return _never      # a field type this module does not vouch for: the codec decodes every record
        if f.name in INTERNED_FIELDS and base is str:
            body.append(f"put(r, {f.name!r}, intern({var}))")
        if not body:
            continue
        lines.append(f"    {var} = r.{f.name}")
        if optional:
            lines.append(f"    if {var} is not None:")
            lines += [f"        {line}" for line in body]
        else:
            lines += [f"    {line}" for line in body]
    if "id" in names:
        lines.append("    if not r.id: return False")
    if "version" in names:
        lines.append("    if r.version < 0: return False")
    lines.append("    return True")
    exec("\n".join(lines), env)  # noqa: S102 - source built above from the dataclass's own fields
    fn: Callable[[Any], bool] = env["vouch"]
    fn.__name__ = fn.__qualname__ = f"vouch_{cls.__name__.lower()}{'' if checked else '_stored'}"
    return fn


def _never(record: Any) -> bool:
    return False


def unwrap_optional(hint: Any) -> tuple[Any, bool]:
    """(the type inside an optional hint, whether it was optional)."""
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        if len(args) == 1:
            return args[0], len(args) < len(typing.get_args(hint))
    return hint, False


def _checks(base: Any, name: str, var: str, checked: bool, env: dict[str, Any]) -> list[str] | None:
    """Lines (at the function's level of indent, `return False` on doubt) checking `var`, a value of type `base`
    in field `name`; [] when msgspec's value needs no check; None when this type is not vouched for."""
    if base is str:     # NUL and longer than MAX_STRING: decode_json_fast; lone surrogates: msgspec
        most = L.MAX_CHARS.get(name) if checked else None
        return [f"if len({var}) > {most}: return False"] if most is not None else []
    if base is int:
        if not checked:
            return []
        lo, hi = L.int_range(name)
        return [f"if not {lo} <= {var} <= {hi}: return False"]
    if base is datetime:
        # in UTC, limits' [1971-01-01, 9999-01-01) is a range of years
        in_range = f" or not {L.TIME_MIN.year} <= {var}.year < {L.TIME_MAX.year}" if checked else ""
        return [f"if {var}.tzinfo is not UTC{in_range}: return False"]
    if base is float or base is bool:
        return []       # msgspec refuses what is not finite (JSON has no NaN; 1e400 is out of range)
    if isinstance(base, type) and issubclass(base, Enum):
        return []
    if isinstance(base, type) and dataclasses.is_dataclass(base):
        fn = f"vouch_{len(env)}"
        env[fn] = _voucher(base, checked)
        return [f"if not {fn}({var}): return False"]
    if typing.get_origin(base) is tuple:
        args = typing.get_args(base)
        if len(args) == 2 and args[1] is Ellipsis:        # tuple[X, ...]: every item
            item = f"{var}_i"
            body = _item_checks(args[0], name, item, checked, env)
            return body if not body else [f"for {item} in {var}:", *(f"    {line}" for line in body)]
        out: list[str] = []
        for k, arg in enumerate(args):                    # tuple[X, Y]: each position
            item = f"{var}_{k}"
            body = _item_checks(arg, name, item, checked, env)
            if body is None:
                return None
            if body:
                out += [f"{item} = {var}[{k}]", *body]
        return out
    return None


def _item_checks(hint: Any, name: str, var: str, checked: bool, env: dict[str, Any]) -> list[str] | None:
    """_checks of an item of a tuple, which may be optional."""
    base, optional = unwrap_optional(hint)
    body = _checks(base, name, var, checked, env)
    if body and optional:
        return [f"if {var} is not None:", *(f"    {line}" for line in body)]
    return body


__all__ = ["decode_json", "decode_json_fast", "decode_stored_json"]
