"""Records as the store's columns hold them: times as the engine's column values, enums as their values, record
JSON from the domain's one encoder, and text any engine keeps."""
from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime
from typing import Any, overload

from ..domain import Alert, Category, Incident, QuarantinedRecord, ResolutionLevel, Resource, Source, Status
from ..domain.encoder_fast import fast_encoder
from ..domain.limits import text_problem

_UTC = UTC
BAD_CHAR_SUB = re.compile("[\x00\ud800-\udfff]").sub

#: Record → the JSON text of its `data` column. An incident's timeline is kept in incident_status; its fields at
#: their default are left out (decoding fills them back in). The one encoder's text, msgspec writing it where it
#: writes it the same (domain/encoder_fast.py).
encode_incident = fast_encoder(Incident, leave_out=("timeline",), omit_defaults=True)
encode_resource = fast_encoder(Resource)
encode_alert = fast_encoder(Alert)

#: A StrEnum member → its value as a plain str (what the columns hold), without the Python-level `.value`
#: descriptor. Members hash and compare as their values, so one table serves every enum of the incident row
#: (equal values map to the same text), and a plain str value finds itself.
VALUE: dict[Any, str] = {m: m.value for E in (Status, Category, ResolutionLevel, Source) for m in E}
IS_OPEN: dict[Any, bool] = {m: m.is_open for m in Status}


@overload
def utc(t: datetime) -> datetime: ...
@overload
def utc(t: None) -> None: ...
@overload
def utc(t: datetime | None) -> datetime | None: ...
def utc(t: datetime | None) -> datetime | None:
    """Aware UTC (naive times are taken as UTC)."""
    if t is None:
        return None
    return t.replace(tzinfo=_UTC) if t.tzinfo is None else t.astimezone(_UTC)


def aware(t: Any) -> datetime:
    """A time column as the driver returns it (SQLite text, naive or aware datetime) → aware UTC."""
    if isinstance(t, str):
        return datetime.fromisoformat(t).replace(tzinfo=_UTC)
    when: datetime = t
    return when if when.tzinfo is not None else when.replace(tzinfo=_UTC)


#: UTC time → the SQLite column text ("YYYY-MM-DD HH:MM:SS.ffffff"), cached per instant (most recur in a
#: record's next versions). Bounded: cleared when full.
_SQLITE_TEXT: dict[datetime, str] = {}
_SQLITE_TEXT_MAX = 1 << 16
_SQLITE_GET = _SQLITE_TEXT.get


def _sqlite_text(t: datetime) -> str:
    u = t if t.tzinfo is _UTC else t.replace(tzinfo=_UTC) if t.tzinfo is None else t.astimezone(_UTC)
    s = u.isoformat(" ", "microseconds")[:-6]   # SQLAlchemy's DateTime always writes the microseconds
    if len(_SQLITE_TEXT) >= _SQLITE_TEXT_MAX:
        _SQLITE_TEXT.clear()
    _SQLITE_TEXT[t] = s
    return s


def sqlite_time(t: datetime | None) -> str | None:
    """The text SQLAlchemy's SQLite DateTime writes (naive UTC, always with microseconds): same order, same parse."""
    if t is None:
        return None
    return _SQLITE_GET(t) or _sqlite_text(t)


def quarantine_digest(kind: str, raw: bytes) -> str:
    """What identifies one quarantined input of a feed: blake2b-128 (hex) of kind + NUL + raw (migration 0006)."""
    return hashlib.blake2b(kind.encode("utf-8", "replace") + b"\0" + bytes(raw), digest_size=16).hexdigest()


def storable(text: str | None, most: int | None = None) -> str | None:
    """Text any engine keeps: NUL and lone surrogates replaced (U+FFFD), cut to `most` characters."""
    if text is None:
        return None
    if text_problem(text) is not None:
        text = BAD_CHAR_SUB("\ufffd", text)
    return text if most is None else text[:most]


def quarantine_row(q: QuarantinedRecord) -> dict[str, Any]:
    """A quarantine row for `q`: its columns within their lengths and storable whatever the feed sent."""
    kind = storable(q.kind, 32) or ""
    raw = bytes(q.raw)
    return {"feed": storable(q.feed, 64), "kind": kind, "raw": raw, "reason": storable(q.reason),
            "received_at": utc(q.received_at), "record_id": storable(q.record_id, 64),
            "digest": quarantine_digest(kind, raw)}


