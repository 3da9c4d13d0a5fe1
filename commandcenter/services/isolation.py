"""Per-record isolation of a store write: a batch the store refused is split until the refused records are found.

A record the decoder's checks (domain.limits) let through can still be refused by the store (anything they do not
foresee). One such record must not hold back the others, nor its feed: the batch is split in halves (bisection),
each half written in a transaction of its own, down to the records the store refuses on their own. They are
quarantined with the store's reason; everything else is stored, then the quarantine and the feed's cursor in a last
transaction. Only after a refusal: the normal write is the one transaction it always was.

Exactly once holds as before: the store keeps a record only when its version is newer than the stored one, so a
crash between two halves replays the batch from the old cursor and the halves already stored are no-ops. Records
are split by id (every version of one id stays in one half, oldest first), so a resource's or an alert's history
keeps its order.
"""
from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, UTC
from typing import Any

from ..domain import QuarantinedRecord, encode

log = logging.getLogger(__name__)

#: Batch list names in the order Store.apply writes them (territory first: incidents' rollups need their grids).
KINDS = ("territory", "incidents", "resources", "alerts", "sensors", "readings")
#: The quarantine's kind of a record from each list.
QUARANTINE_KIND = {"territory": "territory", "incidents": "incident", "resources": "resource", "alerts": "alert", "sensors": "sensor",
                   "readings": "sensor_reading"}

Item = tuple[str, Any]            # (batch list name, record)


@dataclass
class Isolated:
    """What a bisection stored (one result of the write per stored part) and what it set aside, with why."""

    stored: list[Any] = field(default_factory=list)
    refused: list[tuple[Item, BaseException]] = field(default_factory=list)


def units_of(lists: dict[str, list[Any]]) -> list[list[Item]]:
    """The records of a batch grouped by (list, id), in write order; each group's records oldest version first."""
    groups: dict[tuple[str, str], list[Item]] = {}
    for kind in KINDS:
        for record in lists.get(kind) or ():
            groups.setdefault((kind, getattr(record, "id", "")), []).append((kind, record))
    for items in groups.values():
        items.sort(key=lambda item: getattr(item[1], "version", 0))
    return list(groups.values())


def bisect(units: list[list[Item]], write: Callable[[list[Item]], Any],
           refused_record: Callable[[BaseException], bool], *, whole_failed: bool = True) -> Isolated:
    """Write `units` (groups of records kept together) by halves until each refusal is one record.

    `write(items)` stores items in one transaction and returns its result, or raises; an exception that
    `refused_record` does not accept (the store is down, the disk is full) ends the bisection and propagates.
    `whole_failed`: the caller already tried all of them at once (so start with the halves)."""
    out = Isolated()

    def attempt(part: list[list[Item]], known_bad: bool) -> None:
        items = [item for unit in part for item in unit]
        if not items:
            return
        if not known_bad:
            try:
                out.stored.append(write(items))
                return
            except Exception as exc:  # noqa: BLE001 - sorted below: refused record, or propagate
                if not refused_record(exc):
                    raise
                if len(items) == 1:
                    out.refused.append((items[0], exc))
                    return
        if len(items) == 1:       # known bad and alone: find out why on its own
            attempt(part, False)
            return
        if len(part) == 1:        # one id's versions: split them, still oldest first
            part = [[item] for item in part[0]]
        mid = len(part) // 2
        attempt(part[:mid], False)
        attempt(part[mid:], False)

    attempt(units, whole_failed)
    return out


def raw_of(record: Any) -> bytes:
    """A refused record as JSON bytes for the quarantine (non-ASCII escaped, so lone surrogates survive)."""
    try:
        return json.dumps(encode(record), ensure_ascii=True, separators=(",", ":"), default=str).encode()
    except (TypeError, ValueError, RecursionError):
        return repr(record).encode("utf-8", "backslashreplace")


def quarantined(feed: str, item: Item, exc: BaseException, now: datetime | None = None) -> QuarantinedRecord:
    """The quarantine entry of one record the store refused, with the store's reason."""
    kind, record = item
    reason = " ".join(f"{type(exc).__name__}: {exc}".split())[:900]
    rid = getattr(record, "id", None)
    return QuarantinedRecord(feed=feed, kind=QUARANTINE_KIND.get(kind, kind), raw=raw_of(record),
                             reason=f"the store refused it: {reason}", received_at=now or datetime.now(UTC),
                             record_id=rid if isinstance(rid, str) else None)
