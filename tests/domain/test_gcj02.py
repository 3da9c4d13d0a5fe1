"""GCJ-02 against coordinate pairs published with the widely used converters (eviltransform's and coordtransform's
test vectors), and the inverse against the forward transform."""
from __future__ import annotations

import pytest

from commandcenter.domain.gcj02 import gcj02_to_wgs84, out_of_china, wgs84_to_gcj02

#: (WGS84 lon, lat) → (GCJ-02 lon, lat)
KNOWN = [
    ((121.5272106, 31.1774276), (121.531541859215, 31.17530398364597)),      # Shanghai
    ((113.912316, 22.543847), (113.9171764808363, 22.540796131694766)),      # Shenzhen
    ((116.377817, 39.911954), (116.38404722455657, 39.91334545536069)),      # Beijing
    ((116.404, 39.915), (116.41024449916938, 39.91640428150164)),            # Beijing, Tiananmen
]


@pytest.mark.parametrize(("wgs", "gcj"), KNOWN)
def test_forward_matches_published_pairs(wgs, gcj):
    lon, lat = wgs84_to_gcj02(*wgs)
    assert lon == pytest.approx(gcj[0], abs=1e-9) and lat == pytest.approx(gcj[1], abs=1e-9)


@pytest.mark.parametrize(("wgs", "gcj"), KNOWN)
def test_inverse_returns_the_wgs84_position(wgs, gcj):
    lon, lat = gcj02_to_wgs84(*gcj)
    assert lon == pytest.approx(wgs[0], abs=1e-8) and lat == pytest.approx(wgs[1], abs=1e-8)   # ≈1 mm


def test_published_inverse_pair():
    # gcoord's test: GCJ-02 (123, 45) is WGS84 (122.99395597, 44.99804071) to 5 decimals (its own precision)
    lon, lat = gcj02_to_wgs84(123.0, 45.0)
    assert lon == pytest.approx(122.99395597, abs=5e-6) and lat == pytest.approx(44.99804071, abs=5e-6)


def test_outside_china_unchanged():
    assert out_of_china(2.35, 48.85)
    assert wgs84_to_gcj02(2.35, 48.85) == (2.35, 48.85)
    assert gcj02_to_wgs84(2.35, 48.85) == (2.35, 48.85)
