"""What a record may hold so that every part downstream can keep it: the store (SQLite and PostgreSQL alike),
the KPI calendar and the wall. One set of checks, used by the codec (native feeds, GeoJSON) and by the adapters
that build records themselves (Open311, CAP): a value outside these limits makes the record invalid (quarantined
with the reason), instead of a store write that fails and stops its feed.

- integers: signed 64-bit (BIGINT on PostgreSQL, INTEGER on SQLite); fields kept in 32-bit columns
  (`INT32_FIELDS`) signed 32-bit;
- times: from 1971-01-01 up to (not including) 9999-01-01 UTC. Every local day and month of the rollups, in any
  zone (offsets up to ±14 h) and one month either side, stays within Python's calendar (years 1-9999) and at or
  after 1970-01-01, where the day and hour buckets count from;
- text: valid Unicode (no lone surrogate, which no UTF-8 encoder writes) without NUL (PostgreSQL text cannot hold
  it);
- ids and the other text kept in VARCHAR(n) columns (`MAX_CHARS`): at most n characters. PostgreSQL's typed array
  casts cut a longer value silently (SQLite keeps it whole), so two ids differing only after character 64 would
  collide on one engine and not on the other: a longer value is refused on both.
"""
from __future__ import annotations

import dataclasses
import hashlib
import re
from datetime import datetime, UTC
from enum import Enum
from typing import TYPE_CHECKING, Any, TypeVar

from .errors import InvalidRecord

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

INT64_MIN, INT64_MAX = -(1 << 63), (1 << 63) - 1
INT32_MIN, INT32_MAX = -(1 << 31), (1 << 31) - 1
#: Integer fields the store keeps in 32-bit columns (INTEGER on PostgreSQL).
INT32_FIELDS = frozenset({"satisfaction", "households"})

TIME_MIN = datetime(1971, 1, 1, tzinfo=UTC)
TIME_MAX = datetime(9999, 1, 1, tzinfo=UTC)      # exclusive

#: Longest text per field name, the length of the VARCHAR column that holds it (store/schema.py).
ID_CHARS = 64
MAX_CHARS: dict[str, int] = {
    "id": ID_CHARS, "grid_id": ID_CHARS, "parent_id": ID_CHARS, "drill_id": ID_CHARS, "incident_id": ID_CHARS,
    "name": 200, "grid_worker": 100, "grid_head": 100, "handler": 100, "department": 100,
}

#: A lone surrogate (U+D800-U+DFFF on its own: JSON's "\ud800" escape decodes to one) or NUL.
_BAD_CHAR = re.compile("[\x00\ud800-\udfff]")
BAD_CHAR = _BAD_CHAR.search


def text_problem(value: str) -> str | None:
    """Why `value` cannot be stored as text, or None. ASCII without NUL (most text) is decided in O(1)."""
    if value.isascii() and "\x00" not in value:
        return None
    m = _BAD_CHAR.search(value)
    if m is None:
        return None
    if m.group() == "\x00":
        return f"text contains NUL at character {m.start()}"
    return f"text is not valid Unicode: lone surrogate U+{ord(m.group()):04X} at character {m.start()}"


def check_text(value: str, field: str = "") -> str:
    """`value` if it is storable text within its field's length, else InvalidRecord."""
    problem = text_problem(value)
    if problem is not None:
        raise InvalidRecord(problem)
    most = MAX_CHARS.get(field)
    if most is not None and len(value) > most:
        raise InvalidRecord(f"longer than {most} characters ({len(value)}); the store keeps at most {most}")
    return value


def fit_id(value: str) -> str:
    """An id an adapter derives (feed name + the source's identifier, as Open311 and CAP do) within ID_CHARS: a
    longer one becomes its head, "~" and 16 hex digits of its hash, so distinct ids stay distinct and the same
    source id always maps to the same stored id. A backend's own ids (the native protocol) are never rewritten:
    an over-long one is refused."""
    if len(value) <= ID_CHARS:
        return value
    digest = hashlib.blake2b(value.encode("utf-8", "surrogatepass"), digest_size=8).hexdigest()
    return value[:ID_CHARS - 17] + "~" + digest


def int_range(field: str = "") -> tuple[int, int]:
    return (INT32_MIN, INT32_MAX) if field in INT32_FIELDS else (INT64_MIN, INT64_MAX)


def check_int(value: int, field: str = "") -> int:
    lo, hi = int_range(field)
    if not lo <= value <= hi:
        bits = 32 if field in INT32_FIELDS else 64
        digits = str(value) if abs(value) < 10 ** 30 else f"a {len(str(abs(value)))}-digit number"
        raise InvalidRecord(f"integer {digits} outside the signed {bits}-bit range the store keeps")
    return value


def check_time(value: datetime) -> datetime:
    """An aware UTC time within [TIME_MIN, TIME_MAX), else InvalidRecord."""
    if not TIME_MIN <= value < TIME_MAX:
        raise InvalidRecord(f"time {value.isoformat()} outside {TIME_MIN.date()} .. {TIME_MAX.date()} (exclusive), "
                            "the range the store's calendar keeps")
    return value


R = TypeVar("R", bound="DataclassInstance")


def check_record(record: R) -> R:
    """Every field of a built record (and of its nested records, tuples and dicts) within the limits; returns the
    record, or raises InvalidRecord naming the field. For adapters that build records themselves (Open311, CAP);
    the codec checks the same limits while it decodes."""
    for f in dataclasses.fields(record):
        try:
            _check_value(getattr(record, f.name), f.name)
        except InvalidRecord as exc:
            raise InvalidRecord(f"{f.name}: {exc.reason}", type(record).__name__.lower(),
                                _record_id(record)) from None
    return record


def _record_id(record: Any) -> str | None:
    rid = getattr(record, "id", None)
    return rid if isinstance(rid, str) else None


def _check_value(value: Any, field: str) -> None:
    if value is None or isinstance(value, bool | float):
        return
    if isinstance(value, Enum):
        return
    if isinstance(value, str):
        check_text(value, field)
    elif isinstance(value, int):
        check_int(value, field)
    elif isinstance(value, datetime):
        check_time(value if value.tzinfo is not None else value.replace(tzinfo=UTC))
    elif isinstance(value, tuple | list):
        for item in value:
            _check_value(item, field)
    elif isinstance(value, dict):
        for k, v in value.items():
            _check_value(k, "")
            _check_value(v, "")
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        check_record(value)


__all__ = [
    "ID_CHARS", "INT32_FIELDS", "INT64_MAX", "INT64_MIN", "MAX_CHARS", "TIME_MAX", "TIME_MIN", "check_int", "fit_id",
    "check_record", "check_text", "check_time", "int_range", "text_problem",
]
