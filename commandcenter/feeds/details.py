"""Reads for the detail views, on demand rather than as a stream: one incident's full record from its backend
(`GET {feed}/incidents/{id}`) and a photo's bytes, each bounded in size and answering what went wrong instead of
raising."""
from __future__ import annotations

import enum
import logging
from dataclasses import dataclass
from urllib.parse import quote

import httpx

from ..domain import Incident, decode_incident

log = logging.getLogger(__name__)

INCIDENT_MAX_BYTES = 2 * 1024 * 1024


class BackendProblem(enum.Enum):
    """Why the backend gave no incident."""

    UNREACHABLE = "unreachable"
    STATUS = "status"             # an HTTP status other than 200, or a body over the size limit
    BAD_BODY = "bad_body"


@dataclass(frozen=True)
class BackendIncident:
    """The backend's answer: the incident, or the problem (and the HTTP status, for STATUS)."""

    incident: Incident | None
    problem: BackendProblem | None = None
    status: int = 0


async def fetch_incident(client: httpx.AsyncClient, feed_url: str, record_id: str, *,
                         timeout: float = 5.0) -> BackendIncident:
    """One incident from a native backend (`{"incident": {...}}` or the record itself)."""
    url = f"{feed_url.rstrip('/')}/incidents/{quote(record_id, safe='')}"
    try:
        resp = await client.get(url, timeout=timeout)
    except httpx.HTTPError as exc:
        log.info("detail endpoint %s: %s", url, exc)
        return BackendIncident(None, BackendProblem.UNREACHABLE)
    if resp.status_code != 200 or len(resp.content) > INCIDENT_MAX_BYTES:
        return BackendIncident(None, BackendProblem.STATUS, resp.status_code)
    try:
        data = resp.json()
        if isinstance(data, dict) and isinstance(data.get("incident"), dict):
            data = data["incident"]
        return BackendIncident(decode_incident(data))
    except Exception as exc:  # noqa: BLE001 - any refusal of the body is one answer: not usable
        log.info("detail endpoint %s: bad body: %s", url, exc)
        return BackendIncident(None, BackendProblem.BAD_BODY)


@dataclass(frozen=True)
class Fetched:
    """A photo's bytes, or None with why (`refusal`: worth telling; "" when the answer was just not a photo)."""

    data: bytes | None
    refusal: str = ""


async def fetch_bytes(client: httpx.AsyncClient, url: str, *, max_bytes: int, timeout: float = 10.0) -> Fetched:
    """At most `max_bytes` of `url` (nothing when the body is larger or the status is not 200)."""
    try:
        async with client.stream("GET", url, timeout=timeout) as resp:
            if resp.status_code != 200:
                return Fetched(None)
            declared = resp.headers.get("content-length")
            if declared and declared.isdigit() and int(declared) > max_bytes:
                return Fetched(None)
            buf = bytearray()
            async for chunk in resp.aiter_bytes():
                buf += chunk
                if len(buf) > max_bytes:
                    return Fetched(None)
    except (httpx.HTTPError, OSError) as exc:
        return Fetched(None, str(exc) or type(exc).__name__)
    return Fetched(bytes(buf))
