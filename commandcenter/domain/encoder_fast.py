"""The one encoder's text, written by msgspec in C for the records whose text it writes byte for byte the same.

`encoder.encoder(cls, ...)` builds a record's JSON in Python, a string per field; msgspec writes it from a Struct of
the same fields in C. The two agree on a value when it is of the field's own type and plain: a str (msgspec refuses
a lone surrogate, which the one encoder would write: it falls back), an int within 64 bits, a float Python writes
in fixed notation (msgspec writes 1e16 and 1e-05 otherwise), a UTC datetime, an enum member, a tuple of str. With
`omit_defaults`, the one encoder leaves out a falsy value of a field whose default is falsy (and a value equal to a
truthy default), msgspec only the default object itself: a record is passed only when the two leave out the same
fields. `_guard` compiles those checks once per class; any other record, or one msgspec refuses, is written by the
one encoder. `tests/domain/test_encoder_fast.py` checks the texts are the same on generated hostile records.
"""
from __future__ import annotations

import dataclasses
import typing
from collections.abc import Callable
from datetime import UTC, datetime
from enum import Enum
from operator import attrgetter
from typing import Any

import msgspec

from .encoder import Encoder, encoder
from .record_json import unwrap_optional

#: Floats Python's repr writes in fixed notation (msgspec writes the same digits there; elsewhere an exponent of its
#: own form).
_FIXED = (1e-4, 1e16)


def fast_encoder(cls: type, *, leave_out: tuple[str, ...] = (), omit_defaults: bool = False) -> Encoder:
    """`encoder(cls, leave_out=…, omit_defaults=…)`, the same text, through msgspec for the records it can write."""
    slow = encoder(cls, leave_out=leave_out, omit_defaults=omit_defaults)
    guard = _guard(cls, leave_out, omit_defaults)
    if guard is None:
        return slow
    struct = _struct(cls, leave_out, omit_defaults)
    convert, encode = msgspec.convert, msgspec.json.Encoder().encode

    def fast(record: Any) -> str:
        if guard(record):
            try:
                return encode(convert(record, struct, from_attributes=True)).decode()
            except (msgspec.MsgspecError, UnicodeError, TypeError):   # a lone surrogate, a str subclass, …
                pass
        return slow(record)

    fast.__name__ = fast.__qualname__ = f"encode_{cls.__name__.lower()}_fast"
    return fast


def _fields(cls: type, leave_out: tuple[str, ...]) -> list[dataclasses.Field[Any]]:
    return [f for f in dataclasses.fields(cls) if f.name not in leave_out]


def _default(f: dataclasses.Field[Any]) -> Any:
    """The field's default value, or MISSING."""
    if f.default is not dataclasses.MISSING:
        return f.default
    if f.default_factory is not dataclasses.MISSING:
        return f.default_factory()
    return dataclasses.MISSING


def _struct(cls: type, leave_out: tuple[str, ...], omit_defaults: bool) -> type:
    """A Struct of the class's fields (in order, with their types and defaults)."""
    hints = typing.get_type_hints(cls)
    spec: list[tuple[str, Any] | tuple[str, Any, Any]] = []
    for f in _fields(cls, leave_out):
        d = _default(f)
        spec.append((f.name, hints[f.name]) if d is dataclasses.MISSING else (f.name, hints[f.name], d))
    return msgspec.defstruct(f"{cls.__name__}Text", spec, omit_defaults=omit_defaults)


def _guard(cls: type, leave_out: tuple[str, ...], omit_defaults: bool) -> Callable[[Any], bool] | None:
    """`ok(record)`: True when msgspec writes the record's text as the one encoder does, as far as msgspec's own
    conversion does not already refuse it; None when a field's type is not one this module handles (every record
    then goes to the one encoder).

    msgspec.convert checks each value's type itself (a bool for an int, a str outside an enum's values, a list of
    not-str: refused, so the one encoder writes them). Left to check: floats (an int or a non-finite value, an
    exponent), times (naive, or in another zone), and the defaults the two would leave out differently."""
    hints = typing.get_type_hints(cls)
    env: dict[str, Any] = {"UTC": UTC, "datetime": datetime, "float": float, "F_LO": _FIXED[0], "F_HI": _FIXED[1]}
    terms: list[str] = []
    names: list[str] = []   # the fields checked, fetched in one attrgetter call
    for i, f in enumerate(_fields(cls, leave_out)):
        base, optional = unwrap_optional(hints[f.name])
        v = f"x{i}_"
        test = _plain(base, v, env)
        if test is None:
            return None
        if test and optional:
            test = f"{v} is None or {test}"
        d = _default(f)
        if omit_defaults and d is not dataclasses.MISSING and d is not None:
            env[f"d{i}"] = d
            # left out by the one encoder (falsy, or equal) exactly when msgspec leaves it out (the default itself)
            same = f"{v} or {v} is d{i}" if not d else f"{v} is d{i} or {v} != d{i}"
            test = f"({test}) and ({same})" if test else same
        if test:
            names.append(f.name)
            terms.append(test.replace(v, f"v{len(names) - 1}"))
    if not terms:
        return lambda record: True
    env["get"] = attrgetter(*names) if len(names) > 1 else (lambda r, g=attrgetter(names[0]): (g(r),))
    body = " and ".join(f"({t})" for t in terms)
    exec(f"def ok(r):\n    {', '.join(f'v{k}' for k in range(len(names)))}, = get(r)\n    return {body}", env)  # noqa: S102
    fn: Callable[[Any], bool] = env["ok"]
    return fn


def _plain(base: Any, v: str, env: dict[str, Any]) -> str | None:
    """An expression true when value `v` of a field of type `base` is one msgspec writes as the one encoder does
    ("" when msgspec's conversion checks it enough); None for a type this module does not handle."""
    if base is float:
        return f"{v}.__class__ is float and (F_LO <= abs({v}) < F_HI or {v} == 0.0)"
    if base is datetime:
        return f"{v}.__class__ is datetime and {v}.tzinfo is UTC"
    if base in (str, bool, int):
        return ""
    if isinstance(base, type) and issubclass(base, Enum) and issubclass(base, str | int):
        return ""
    if typing.get_origin(base) is tuple and typing.get_args(base) == (str, Ellipsis):
        return ""
    return None


__all__ = ["fast_encoder"]
