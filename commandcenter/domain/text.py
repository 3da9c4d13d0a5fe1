"""Feed text made safe to show and to export: pure functions, no Qt, no IO.

`display_text` is what every feed string goes through before it reaches the screen:
- bidi controls (U+202A–U+202E, U+2066–U+2069, U+200E/U+200F, U+061C) and zero-width characters
  (U+200B–U+200D, U+2060, U+FEFF) are replaced by a visible mark (`INVISIBLE_MARK`): a U+202E can no longer
  reverse what follows it, and two titles that differ only by invisible characters look different;
- other control characters (C0 and C1, DEL; tab, line feed and carriage return kept) are removed;
- lone surrogates (which Qt cannot show) become U+FFFD.

`csv_cell` is what every exported CSV cell goes through (OWASP "CSV injection"): a text cell that starts
with `=`, `+`, `-`, `@`, a tab or a carriage return, after its control characters are removed, gets a
leading `'`, which spreadsheet tools show as text instead of running it as a formula. Numbers stay
numbers: an int or float value, or a text cell that is just a decimal number (`-12.5`), is written as it is
(a plain number cannot be a formula), so a numeric column keeps its negative values usable.
"""
from __future__ import annotations

import re

INVISIBLE_MARK = "◌"      # U+25CC DOTTED CIRCLE: Unicode's own placeholder for a character one cannot see

BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"

_INVISIBLE = re.compile(f"[{BIDI_CONTROLS}{ZERO_WIDTH}]")
# C0 except tab, LF, CR; DEL; C1
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_NEEDS_WORK = re.compile(f"[{BIDI_CONTROLS}{ZERO_WIDTH}\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def display_text(value: str | None) -> str:
    """`value` fit for the screen (see the module docstring); "" for None. Text without anything to
    neutralise comes back as the same object (the common case costs one regex scan)."""
    if not value:
        return ""
    if _NEEDS_WORK.search(value) is None:
        return value
    value = _CONTROL.sub("", value)
    value = _SURROGATE.sub("\ufffd", value)
    return _INVISIBLE.sub(INVISIBLE_MARK, value)


def strip_controls(value: str) -> str:
    """`value` without C0/C1 control characters (tab, line feed, carriage return kept)."""
    return _CONTROL.sub("", value)


def csv_cell(value: object) -> object:
    """One CSV cell that no spreadsheet runs as a formula; numbers are returned unchanged."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return value
    text = strip_controls(str(value))
    if _PLAIN_NUMBER.fullmatch(text):
        return text
    # a leading space or invisible character does not hide a formula from every tool
    head = text.lstrip(" " + BIDI_CONTROLS + ZERO_WIDTH)
    if text.startswith(FORMULA_START) or head.startswith(FORMULA_START):
        return "'" + text
    return text
