"""Cameras: the catalogue's record, its wire form, short-lived preview URLs and the nearest-camera rule.

A video platform lists its cameras (id, name, position, grid, status, the protocols it can stream) and hands out
a preview URL per camera and protocol on request, valid for a short while. No IO here: the feed fetches, the
wall plays; this module says what a camera is and which cameras are near a place.
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from .codec import format_time, parse_time

#: The stream protocols a wall can play; a preview is asked for one of them.
PROTOCOLS: tuple[str, ...] = ("hls", "rtsp")
EARTH_RADIUS_M = 6_371_000.0
MAX_ID = 64
MAX_NAME = 200


class CameraStatus(StrEnum):
    ONLINE = "online"
    OFFLINE = "offline"


@dataclass(frozen=True)
class Camera:
    id: str
    name: str
    lon: float
    lat: float
    grid_id: str
    status: CameraStatus
    protocols: tuple[str, ...]
    version: int = 1
    updated_at: datetime | None = None


@dataclass(frozen=True)
class Preview:
    """A stream URL for one camera and protocol, good for `expires_in` seconds from when it was handed out."""

    camera_id: str
    protocol: str
    url: str
    expires_in: float


@dataclass(frozen=True)
class NearCamera:
    camera: Camera
    distance_m: float
    bearing_deg: float      # from the place to the camera, clockwise from north

    @property
    def direction(self) -> str:
        """The compass point (N, NE, … NW) from the place towards the camera."""
        return compass_point(self.bearing_deg)


class CameraError(ValueError):
    """A catalogue entry or preview that cannot be used; the message says which field and why."""


_POINTS = ("N", "NE", "E", "SE", "S", "SW", "W", "NW")


def compass_point(bearing_deg: float) -> str:
    return _POINTS[round((bearing_deg % 360) / 45) % 8]


def _text(obj: Mapping[str, Any], key: str, limit: int, required: bool = True) -> str:
    value = obj.get(key, "" if not required else None)
    if not isinstance(value, str) or (required and not value.strip()):
        raise CameraError(f"{key}: expected a non-empty string, got {type(value).__name__}")
    if len(value) > limit:
        raise CameraError(f"{key}: longer than {limit} characters")
    return value


def _coordinate(obj: Mapping[str, Any], key: str, bound: float) -> float:
    value = obj.get(key)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
            or abs(value) > bound:
        raise CameraError(f"{key}: expected a number within ±{bound:g}, got {value!r}"[:200])
    return float(value)


def decode_camera(obj: Any) -> Camera:
    """One catalogue entry as a Camera; CameraError names the first field that is wrong."""
    if not isinstance(obj, Mapping):
        raise CameraError(f"expected a JSON object, got {type(obj).__name__}")
    status_raw = obj.get("status")
    if not isinstance(status_raw, str):
        status_raw = repr(status_raw)
    try:
        status = CameraStatus(str(status_raw))
    except ValueError:
        raise CameraError(f"status: expected one of {', '.join(s.value for s in CameraStatus)}, "
                          f"got {status_raw!r}"[:200]) from None
    protocols = obj.get("protocols", [])
    if not isinstance(protocols, list) or not all(isinstance(p, str) for p in protocols):
        raise CameraError("protocols: expected a list of strings")
    version = obj.get("version", 1)
    if isinstance(version, bool) or not isinstance(version, int) or not 0 <= version < 2 ** 63:
        raise CameraError(f"version: expected a non-negative integer, got {version!r}"[:200])
    updated = obj.get("updated_at")
    try:
        updated_at = parse_time(updated) if updated is not None else None
    except (TypeError, ValueError) as exc:
        raise CameraError(f"updated_at: {exc}") from None
    return Camera(id=_text(obj, "id", MAX_ID), name=_text(obj, "name", MAX_NAME),
                  lon=_coordinate(obj, "lon", 180.0), lat=_coordinate(obj, "lat", 90.0),
                  grid_id=_text(obj, "grid_id", MAX_ID, required=False), status=status,
                  protocols=tuple(p for p in protocols if p in PROTOCOLS), version=version, updated_at=updated_at)


def encode_camera(camera: Camera) -> dict[str, Any]:
    out: dict[str, Any] = {"id": camera.id, "name": camera.name, "lon": camera.lon, "lat": camera.lat,
                           "grid_id": camera.grid_id, "status": camera.status.value,
                           "protocols": list(camera.protocols), "version": camera.version}
    if camera.updated_at is not None:
        out["updated_at"] = format_time(camera.updated_at)
    return out


def decode_preview(obj: Any, camera_id: str, protocol: str) -> Preview:
    """A preview answer for the camera and protocol asked for (an answer for another one is refused)."""
    if not isinstance(obj, Mapping):
        raise CameraError(f"preview: expected a JSON object, got {type(obj).__name__}")
    if obj.get("camera_id") != camera_id or obj.get("protocol") != protocol:
        raise CameraError(f"preview: answer is for {obj.get('camera_id')!r}/{obj.get('protocol')!r}, "
                          f"not {camera_id!r}/{protocol!r}"[:200])
    url = _text(obj, "url", 2048)
    expires_in = obj.get("expires_in")
    if isinstance(expires_in, bool) or not isinstance(expires_in, (int, float)) or not 0 < expires_in <= 86_400:
        raise CameraError(f"preview.expires_in: expected seconds in (0, 86400], got {expires_in!r}"[:200])
    return Preview(camera_id, protocol, url, float(expires_in))


def distance_and_bearing(lon0: float, lat0: float, lon1: float, lat1: float) -> tuple[float, float]:
    """Great-circle distance in metres and initial bearing in degrees from (lon0, lat0) to (lon1, lat1)."""
    p0, p1 = math.radians(lat0), math.radians(lat1)
    dp, dl = p1 - p0, math.radians(lon1 - lon0)
    a = math.sin(dp / 2) ** 2 + math.cos(p0) * math.cos(p1) * math.sin(dl / 2) ** 2
    distance = 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))
    y = math.sin(dl) * math.cos(p1)
    x = math.cos(p0) * math.sin(p1) - math.sin(p0) * math.cos(p1) * math.cos(dl)
    return distance, math.degrees(math.atan2(y, x)) % 360


def nearest_cameras(cameras: Iterable[Camera], lon: float, lat: float, count: int = 4, *,
                    online_only: bool = False, max_distance_m: float | None = None) -> list[NearCamera]:
    """The `count` cameras closest to (lon, lat), nearest first (ties by id, so the order is stable)."""
    near: list[NearCamera] = []
    for camera in cameras:
        if online_only and camera.status is not CameraStatus.ONLINE:
            continue
        distance, bearing = distance_and_bearing(lon, lat, camera.lon, camera.lat)
        if max_distance_m is None or distance <= max_distance_m:
            near.append(NearCamera(camera, distance, bearing))
    near.sort(key=lambda n: (n.distance_m, n.camera.id))
    return near[:max(0, count)]
