"""JSON from untrusted backends: every way a text can fail to parse is one error, and a list can be read item by item.

`json.loads` raises `RecursionError` (not a `ValueError`) for deeply nested input (10,000 `[`): code that guards
decoding with `except ValueError` let it through, so one such message stopped its feed for good (a poll page
failed every cycle, a stream reconnected at the same message forever). `loads` turns it, and any other failure,
into `BadJson`, a `ValueError`.

`salvage` is for a response that does not parse as a whole: it splits the text into the members of the top-level
object (or the items of a top-level array) and the items of the list member named `list_key`, by scanning strings
and brackets only, without building anything, so depth costs nothing. Each part is then parsed on its own: the good
items of a page arrive, the bad one is quarantined with its raw bytes, and the page's cursor is still read.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any


class BadJson(ValueError):
    """Text that is not JSON this program can read; the message says why."""


def loads(data: bytes | str) -> Any:
    """json.loads, with every failure (syntax, encoding, nesting too deep for the parser) as BadJson."""
    try:
        return json.loads(data)
    except RecursionError:
        raise BadJson("JSON nested too deeply to parse") from None
    except (ValueError, TypeError) as exc:     # JSONDecodeError, UnicodeDecodeError
        raise BadJson(str(exc)) from None


def dumps_raw(value: Any) -> bytes:
    """JSON bytes of a parsed value for the quarantine; something that still says what it was if it cannot be."""
    try:
        return json.dumps(value, ensure_ascii=False, default=str).encode("utf-8", "backslashreplace")
    except (TypeError, ValueError, RecursionError):
        try:
            return repr(value).encode("utf-8", "backslashreplace")
        except RecursionError:
            return f"<{type(value).__name__} nested too deeply to copy>".encode()


#: A JSON string (with its escapes) or a structural character; everything else (numbers, literals, space) is skipped.
_TOKEN = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{},:]')
_OPEN = frozenset(b"[{")
_CLOSE = frozenset(b"]}")
_QUOTE, _COMMA, _COLON = ord('"'), ord(","), ord(":")


@dataclass
class Salvaged:
    """A response split into parts: the top-level object's other members (those that parse) and the raw items of
    its list (or of a top-level array)."""

    members: dict[str, Any] = field(default_factory=dict)
    items: list[bytes] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)     # members that did not parse, by name


def _container(body: bytes, start: int, end: int) -> tuple[int, int]:
    """(index of the opening bracket, index one past the closing one) of the container spanning body[start:end],
    surrounding white space excluded."""
    while start < end and body[start] in b" \t\r\n":
        start += 1
    while end > start and body[end - 1] in b" \t\r\n":
        end -= 1
    if end - start < 2 or (body[start], body[end - 1]) not in ((ord("["), ord("]")), (ord("{"), ord("}"))):
        raise BadJson("not a complete JSON object or array")
    return start, end


def _parts(body: bytes, start: int, end: int) -> list[tuple[int, int]]:
    """Spans of the comma-separated parts directly inside the container body[start:end] (brackets included)."""
    parts: list[tuple[int, int]] = []
    depth = 0
    part_start = start + 1
    for m in _TOKEN.finditer(body, start + 1, end - 1):
        c = body[m.start()]
        if c == _QUOTE:
            continue
        if c in _OPEN:
            depth += 1
        elif c in _CLOSE:
            depth -= 1
            if depth < 0:
                raise BadJson(f"unbalanced brackets at byte {m.start()}")
        elif c == _COMMA and depth == 0:
            parts.append((part_start, m.start()))
            part_start = m.end()
    if depth != 0:
        raise BadJson("unbalanced brackets (truncated?)")
    if body[part_start:end - 1].strip():
        parts.append((part_start, end - 1))
    elif parts:
        raise BadJson("trailing comma")
    return parts


def salvage(body: bytes, list_key: str) -> Salvaged:
    """Split `body` (a JSON object with a list under `list_key`, or a JSON array) into parts; BadJson when even its
    structure is broken (unbalanced brackets, an unterminated string: a truncated body)."""
    start, end = _container(body, 0, len(body))
    out = Salvaged()
    if body[start] == ord("["):
        out.items = [body[s:e].strip() for s, e in _parts(body, start, end)]
        return out
    for s, e in _parts(body, start, end):
        m = _TOKEN.search(body, s, e)
        colon = _TOKEN.search(body, m.end(), e) if m is not None else None
        if m is None or body[m.start()] != _QUOTE or colon is None or body[colon.start()] != _COLON:
            raise BadJson(f"an object member without a key at byte {s}")
        key = loads(m.group())
        if key == list_key:
            vs, ve = _container(body, colon.end(), e)
            if body[vs] != ord("["):
                raise BadJson(f"{list_key!r} is not a list")
            out.items = [body[ps:pe].strip() for ps, pe in _parts(body, vs, ve)]
            continue
        try:
            out.members[key] = loads(body[colon.end():e])
        except BadJson:
            out.unreadable.append(str(key)[:40])
    return out


@dataclass(frozen=True)
class Unparsed:
    """An item of a salvaged list that does not parse on its own: its raw bytes and why, for the quarantine."""

    raw: bytes
    reason: str


def load_list(body: bytes, list_key: str) -> tuple[Any, list[Unparsed]]:
    """`loads(body)`; when that fails, the salvaged response instead: `members` plus `list_key` holding the items
    that parse (or the list of them, for a top-level array), and the items that do not. BadJson when the body's
    structure is broken (then the first error's reason)."""
    try:
        return loads(body), []
    except BadJson as whole:
        try:
            parts = salvage(body, list_key)
        except BadJson:
            raise whole from None
    good: list[Any] = []
    bad: list[Unparsed] = []
    for raw in parts.items:
        try:
            good.append(loads(raw))
        except BadJson as exc:
            bad.append(Unparsed(raw, f"invalid JSON: {exc}"[:300]))
    top_array = body.lstrip()[:1] == b"["
    return (good if top_array else {**parts.members, list_key: good}), bad


__all__ = ["BadJson", "Salvaged", "Unparsed", "dumps_raw", "load_list", "loads", "salvage"]
