"""GCJ-02 (火星坐标, used by Amap/Tencent basemaps) from and to WGS84: the published, widely used algorithm.

GCJ-02 is not an EPSG CRS (pyproj has no definition for it): it is WGS84 with a deterministic, non-linear offset
of a few hundred metres inside mainland China. This is the formula of the open-source converters everyone uses
(Krasovsky 1940 semi-major axis and eccentricity); the inverse is found by fixed-point iteration, accurate to
well under a centimetre. Outside China the offset is zero, as in those converters.
"""
from __future__ import annotations

import math

#: Krasovsky 1940 ellipsoid, as the algorithm has it
_A = 6378245.0
_EE = 0.00669342162296594323


def out_of_china(lon: float, lat: float) -> bool:
    """The rough box outside which GCJ-02 equals WGS84."""
    return not (73.66 < lon < 135.05 and 3.86 < lat < 53.55)


def _dlat(x: float, y: float) -> float:
    r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    r += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    r += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    r += (160.0 * math.sin(y / 12.0 * math.pi) + 320 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    return r


def _dlon(x: float, y: float) -> float:
    r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    r += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    r += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    r += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    return r


def offset(lon: float, lat: float) -> tuple[float, float]:
    """(Δlon, Δlat) in degrees that GCJ-02 adds to a WGS84 position."""
    if out_of_china(lon, lat):
        return 0.0, 0.0
    rad = math.radians(lat)
    m = 1 - _EE * math.sin(rad) ** 2
    s = math.sqrt(m)
    dlat = _dlat(lon - 105.0, lat - 35.0) * 180.0 / ((_A * (1 - _EE)) / (m * s) * math.pi)
    dlon = _dlon(lon - 105.0, lat - 35.0) * 180.0 / (_A / s * math.cos(rad) * math.pi)
    return dlon, dlat


def wgs84_to_gcj02(lon: float, lat: float) -> tuple[float, float]:
    dlon, dlat = offset(lon, lat)
    return lon + dlon, lat + dlat


def gcj02_to_wgs84(lon: float, lat: float, *, tolerance: float = 1e-10) -> tuple[float, float]:
    """The WGS84 position whose GCJ-02 image is (lon, lat): iterate p ← p − (f(p) − target)."""
    wlon, wlat = lon, lat
    for _ in range(30):
        glon, glat = wgs84_to_gcj02(wlon, wlat)
        elon, elat = glon - lon, glat - lat
        if abs(elon) < tolerance and abs(elat) < tolerance:
            break
        wlon, wlat = wlon - elon, wlat - elat
    return wlon, wlat
