"""The cameras near a place: on the simulated city's cameras, with distance and direction."""
from __future__ import annotations

import asyncio
import math
from datetime import datetime, UTC

from commandcenter.config.schema import FeedSection
from commandcenter.domain.cameras import CameraStatus, compass_point, distance_and_bearing
from commandcenter.feeds.cameras import CameraFeed
from commandcenter.feeds.transport import make_client
from commandcenter.services.cameras import CameraDirectory
from commandcenter.sim import run_in_thread
from commandcenter.sim.cameras import place_cameras
from commandcenter.sim.territory import generate


def test_distance_and_bearing_match_known_offsets() -> None:
    d, b = distance_and_bearing(118.5, 37.0, 118.5, 37.01)
    assert math.isclose(d, 1112, rel_tol=0.01) and round(b) == 0
    d, b = distance_and_bearing(118.5, 37.0, 118.51, 37.0)
    assert math.isclose(d, 1112 * math.cos(math.radians(37)), rel_tol=0.01) and round(b) == 90
    assert [compass_point(x) for x in (0, 44, 46, 135, 180, 225, 270, 315, 359)] == \
        ["N", "NE", "NE", "SE", "S", "SW", "W", "NW", "N"]


def test_nearest_cameras_on_the_city_profile() -> None:
    city = generate("city", 1)
    cameras = place_cameras(city, 1, datetime(2026, 12, 1, tzinfo=UTC))
    feed = CameraFeed(FeedSection(name="cams", kind="cameras", url="https://vms.example.org/api"), None)
    feed.catalogue.cameras = {c.id: c.camera for c in cameras}
    directory = CameraDirectory([feed])
    everything = [c.camera for c in cameras]
    for target in everything[::7]:
        # standing on a camera: it is the nearest, at 0 m; the rest follow by distance
        near = directory.nearest(target.lon, target.lat, 4)
        assert near[0].camera.id == target.id and near[0].distance_m < 1
        brute = sorted(everything, key=lambda c: distance_and_bearing(target.lon, target.lat, c.lon, c.lat)[0])
        assert [n.camera.id for n in near] == [c.id for c in brute[:4]]
        assert [n.distance_m for n in near] == sorted(n.distance_m for n in near)
    # the city's centre: every camera within the city's extent (≈ 88 × 111 km) and directions that point at them
    lon0, lat0, lon1, lat1 = city.profile.extent
    centre = ((lon0 + lon1) / 2, (lat0 + lat1) / 2)
    near = directory.nearest(*centre, count=len(everything))
    assert len(near) == len(everything) and near[-1].distance_m < 80_000
    for n in near:
        north = n.camera.lat > centre[1]
        assert (n.direction.startswith("N") or n.direction in ("E", "W")) == north or n.direction in ("E", "W")
    assert directory.nearest(*centre, count=3, max_distance_m=1.0) == []


def test_offline_cameras_can_be_left_out() -> None:
    city = generate("street", 1)
    cameras = place_cameras(city, 1, datetime(2026, 12, 1, tzinfo=UTC), count=6)
    cameras[0].set_online(False, datetime(2026, 12, 1, 1, tzinfo=UTC))
    feed = CameraFeed(FeedSection(name="cams", kind="cameras", url="https://vms.example.org/api"), None)
    feed.catalogue.cameras = {c.id: c.camera for c in cameras}
    directory = CameraDirectory([feed])
    at = (cameras[0].camera.lon, cameras[0].camera.lat)
    assert directory.nearest(*at, 1)[0].camera.status is CameraStatus.OFFLINE
    assert directory.nearest(*at, 1, online_only=True)[0].camera.id != cameras[0].id


def test_the_directory_follows_the_catalogue_and_tells_listeners() -> None:
    sim = run_in_thread(profile="street", seed=2, history_hours=0.2)
    try:
        async def scenario() -> None:
            async with make_client() as client:
                feed = CameraFeed(FeedSection(name="cams", kind="cameras", url=sim.url, interval=0.1), client)
                directory = CameraDirectory([feed])
                changes: list[int] = []
                directory.on_change(lambda: changes.append(len(directory.cameras)))
                directory.start()
                for _ in range(100):
                    if changes:
                        break
                    await asyncio.sleep(0.05)
                assert changes == [len(sim.server.cameras)]
                async with make_client() as control:
                    await control.post(f"{sim.url}/_control/cameras", json={"id": "CAM001", "online": False})
                for _ in range(200):
                    cam = directory.camera("CAM001")
                    if cam is not None and cam.status is CameraStatus.OFFLINE:
                        break
                    await asyncio.sleep(0.05)
                assert directory.camera("CAM001") is not None
                assert directory.camera("CAM001").status is CameraStatus.OFFLINE   # type: ignore[union-attr]
                assert len(changes) == 2
                await directory.stop()
        asyncio.run(scenario())
    finally:
        sim.stop()
