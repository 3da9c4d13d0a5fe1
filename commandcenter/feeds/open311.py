"""Open311 GeoReport v2: service requests → incidents.

`url` is the endpoint base (the folder holding `requests.json`). JSON is asked for first; when the
endpoint offers only XML (404/400/406/415/501 on .json, or an XML body) the feed switches to
`requests.xml` for good. Polling windows:
- new requests: `start_date` = newest `requested_datetime` seen minus an overlap;
- changed requests: `updated_after` = newest `updated_datetime` seen minus an overlap (a common
  GeoReport extension). When a server evidently ignores it (returns older updates), the feed falls
  back to a periodic sweep `start_date = now - SWEEP_DAYS` every `SWEEP_EVERY` polls.
The record version is the `updated_datetime` in epoch seconds (GeoReport has no version field), so
re-fetched unchanged requests dedupe. Record ids are `<feed name>:<service_request_id>`.
"""
from __future__ import annotations

import json
import math
from datetime import datetime, timedelta
from typing import Any
from xml.etree.ElementTree import Element

import httpx

from ..config.schema import FeedSection
from ..domain import (
    Category, Incident, InvalidRecord, Severity, Source, Status, StatusChange, format_time, parse_time,
)
from ..domain import wirejson
from ..domain.limits import MAX_CHARS, check_record, fit_id
from .base import BatchBuilder, FeedBase, FeedError, Sink, looks_like_html, snippet, utcnow
from .xmlsafe import local, parse_xml, to_bytes

OVERLAP = timedelta(minutes=10)
SWEEP_DAYS = 7
SWEEP_EVERY = 30
MAX_TEXT = 4000
FIELDS = (
    "service_request_id", "status", "status_notes", "service_name", "service_code", "description",
    "agency_responsible", "service_notice", "requested_datetime", "updated_datetime", "expected_datetime",
    "address", "address_id", "zipcode", "lat", "long", "media_url", "token",
)


def parse_requests(body: bytes, content_type: str = "") -> list[tuple[Any, bytes]]:
    """A GET requests response (JSON array or XML <service_requests>) → [(record, raw bytes)].

    Whole-response problems (HTML, bad JSON/XML, an Open311 error list, wrong shape) raise FeedError."""
    if looks_like_html(body, content_type):
        raise FeedError(f"HTML instead of service requests: {snippet(body)}")
    head = body.lstrip()[:1]
    if head == b"<" or "xml" in content_type.lower():
        return _parse_xml(body, content_type)
    try:
        data, unparsed = wirejson.load_list(body, "service_requests")
    except wirejson.BadJson as exc:
        raise FeedError(f"invalid JSON ({exc}): {snippet(body)}") from None
    if isinstance(data, dict) and isinstance(data.get("service_requests"), list):
        data = data["service_requests"]      # some servers wrap the array
    if not isinstance(data, list):
        raise FeedError(f"expected a JSON array of service requests: {snippet(body)}")
    if data and all(isinstance(d, dict) and "code" in d and "description" in d and "service_request_id" not in d
                    for d in data):
        raise FeedError("Open311 error: " + "; ".join(f"{d.get('code')} {str(d.get('description'))[:100]}" for d in data[:3]))
    out: list[tuple[Any, bytes]] = [(item, wirejson.dumps_raw(item)) for item in data]
    return out + [(item, item.raw) for item in unparsed]     # to_incident quarantines these with their reason


def _parse_xml(body: bytes, content_type: str) -> list[tuple[Any, bytes]]:
    root = parse_xml(body, content_type)
    name = local(root.tag)
    if name == "errors":
        msgs = [" ".join((e.findtext(k) or "") for k in ("code", "description")) for e in root]
        raise FeedError("Open311 error: " + "; ".join(m.strip()[:100] for m in msgs[:3]))
    if name == "request":
        reqs = [root]
    elif name == "service_requests":
        reqs = [el for el in root if local(el.tag) == "request"]
    else:
        raise FeedError(f"expected <service_requests>, got <{name[:40]}>")
    return [(_xml_fields(el), to_bytes(el)) for el in reqs]


def _xml_fields(el: Element) -> dict[str, Any]:
    return {local(c.tag): (c.text or "").strip() for c in el if local(c.tag)}


def _str(rec: dict[str, Any], key: str) -> str:
    v = rec.get(key)
    if v is None:
        return ""
    if isinstance(v, bool | dict | list):
        raise InvalidRecord(f"{key}: expected a string")
    return str(v).strip()[:MAX_TEXT]


def _num(rec: dict[str, Any], key: str) -> float | None:
    v = rec.get(key)
    if v is None or v == "":
        return None
    if isinstance(v, bool):
        raise InvalidRecord(f"{key}: expected a number")
    try:
        f = float(v)
    except (TypeError, ValueError, OverflowError):
        raise InvalidRecord(f"{key}: not a number: {str(v)[:40]!r}") from None
    if not math.isfinite(f):
        raise InvalidRecord(f"{key}: not finite")
    return f


def to_incident(rec: Any, feed_name: str, categories: dict[str, Category]) -> Incident:
    """One GeoReport service request → an Incident, or InvalidRecord(reason)."""
    if isinstance(rec, wirejson.Unparsed):
        raise InvalidRecord(rec.reason, "incident")
    if not isinstance(rec, dict):
        raise InvalidRecord(f"expected a service request object, got {type(rec).__name__}", "incident")
    rid = _str(rec, "service_request_id")
    if not rid:
        token = _str(rec, "token")
        raise InvalidRecord("service request without service_request_id" + (" (token only: not yet accepted)" if token else ""),
                            "incident")
    record_id = fit_id(f"{feed_name}:{rid}")     # within the store's id length on both engines
    try:
        requested = rec.get("requested_datetime")
        if requested in (None, ""):
            raise InvalidRecord("missing requested_datetime")
        reported_at = parse_time(requested)
        updated_raw = rec.get("updated_datetime")
        updated_at = parse_time(updated_raw) if updated_raw not in (None, "") else reported_at
        status_text = _str(rec, "status").lower()
        if status_text not in ("open", "closed"):
            raise InvalidRecord(f"status must be open or closed, got {status_text[:20]!r}")
        status = Status.CLOSED if status_text == "closed" else Status.REPORTED
        lat, lon = _num(rec, "lat"), _num(rec, "long")
        if lat is not None and not -90 <= lat <= 90 or lon is not None and not -180 <= lon <= 180:
            raise InvalidRecord("lat/long out of range")
        service_name = _str(rec, "service_name")
        service_code = _str(rec, "service_code")
        category = categories.get(service_name) or categories.get(service_code) or Category.OTHER
        notes = _str(rec, "status_notes")
        agency = _str(rec, "agency_responsible")[:MAX_CHARS["handler"]]   # kept as handler and department
        description = _str(rec, "description")
        address = _str(rec, "address")
        media = _str(rec, "media_url")
        title = service_name or service_code or description[:40] or f"Open311 {rid}"
        if address:
            title = f"{title} · {address}"
        version = int(updated_at.timestamp())
        if version < 0:
            raise InvalidRecord("updated_datetime before 1970")
        return check_record(Incident(
            id=record_id, version=version, updated_at=updated_at, reported_at=reported_at, title=title[:200],
            category=category, source=Source.OPEN311, severity=Severity.LOW, status=status, grid_id="",
            lon=lon, lat=lat, description=description, handler=agency, departments=(agency,) if agency else (),
            closed_at=updated_at if status is Status.CLOSED else None,
            photos=(media,) if media.startswith(("http://", "https://")) else (),
            timeline=(StatusChange(status=status, at=updated_at, department=agency, note=notes),),
        ))
    except InvalidRecord as exc:
        raise InvalidRecord(exc.reason, "incident", record_id) from None
    except (OverflowError, ValueError, OSError) as exc:
        raise InvalidRecord(f"{type(exc).__name__}: {exc}"[:200], "incident", record_id) from None


class Open311Feed(FeedBase):
    def __init__(self, section: FeedSection, client: httpx.AsyncClient) -> None:
        super().__init__(section, client)
        base = section.url.rstrip("/")
        for suffix in ("/requests.json", "/requests.xml"):
            if base.endswith(suffix):
                base = base[: -len(suffix)]
        self.base = base
        self.format = "json"
        self.updated_supported = True
        self.polls = 0

    # cursor: {"requested": iso, "updated": iso}
    def _cursor(self) -> dict[str, str]:
        try:
            data = json.loads(self.cursor) if self.cursor else {}
        except ValueError:
            return {}
        return {k: v for k, v in data.items() if k in ("requested", "updated") and isinstance(v, str)} \
            if isinstance(data, dict) else {}

    async def _get(self, params: dict[str, str]) -> list[tuple[Any, bytes]]:
        url = f"{self.base}/requests.{self.format}"
        try:
            body, ctype = await self.get_bytes(url, params=params, accept="application/json, application/xml;q=0.9")
        except FeedError as exc:
            if self.format == "json" and any(f"HTTP {c}" in str(exc) for c in (400, 404, 406, 415, 501)):
                self.format = "xml"        # this endpoint offers XML only
                body, ctype = await self.get_bytes(f"{self.base}/requests.xml", params=params,
                                                   accept="application/xml, text/xml")
            else:
                raise
        return parse_requests(body, ctype)

    async def _run_once(self, sink: Sink) -> None:
        cur = self._cursor()
        self.polls += 1
        windows: list[tuple[str, dict[str, str]]] = []
        if "requested" in cur:
            windows.append(("requested", {"start_date": _back(cur["requested"])}))
        else:
            windows.append(("requested", {}))     # the server's default window (spec: 90 days)
        if "updated" in cur and self.updated_supported:
            windows.append(("updated", {"updated_after": _back(cur["updated"])}))
        if not self.updated_supported and self.polls % SWEEP_EVERY == 0:
            windows.append(("sweep", {"start_date": format_time(utcnow() - timedelta(days=SWEEP_DAYS))}))
        for which, params in windows:
            records = await self._get(params)
            self.mark_ok()
            builder = BatchBuilder(self)
            newest_req = cur.get("requested")
            newest_upd = cur.get("updated")
            for rec, raw in records:
                try:
                    inc = to_incident(rec, self.name, self.section.categories)
                except InvalidRecord as exc:
                    builder.quarantine("incident", raw, exc.reason, exc.record_id)
                    continue
                except Exception as exc:  # noqa: BLE001 - whatever decoding raises is this record's fault
                    builder.quarantine("incident", raw, f"{type(exc).__name__}: {exc}"[:300])
                    continue
                if which == "updated" and "updated" in cur and inc.updated_at < parse_time(cur["updated"]) - 2 * OVERLAP:
                    self.updated_supported = False    # the server ignores updated_after: sweep instead
                builder.add("incident", inc)
                newest_req = _max_time(newest_req, inc.reported_at)
                newest_upd = _max_time(newest_upd, inc.updated_at)
            if newest_req:
                cur["requested"] = newest_req
            if newest_upd:
                cur["updated"] = newest_upd
            await self.deliver(sink, builder, json.dumps(cur, sort_keys=True) if cur else self.cursor)


def _back(iso: str) -> str:
    try:
        return format_time(parse_time(iso) - OVERLAP)
    except InvalidRecord:
        return iso


def _max_time(current: str | None, t: datetime) -> str:
    t = min(t, utcnow() + timedelta(minutes=5))   # a request dated in the future must not move the window past now
    if current is None:
        return format_time(t)
    try:
        return format_time(max(parse_time(current), t))
    except InvalidRecord:
        return format_time(t)
