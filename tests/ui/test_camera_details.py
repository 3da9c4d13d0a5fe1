"""One click to the cameras near a case: the incident's details list the nearest cameras and play the nearest."""
from __future__ import annotations

from datetime import datetime, UTC

import pytest

from tests.support import wall_data as W
from commandcenter.config.schema import FeedSection
from commandcenter.feeds.cameras import CameraFeed
from commandcenter.feeds.transport import make_client
from commandcenter.services import LiveState
from commandcenter.services.cameras import CameraDirectory
from commandcenter.sim import run_in_thread
from commandcenter.sim.video import ffmpeg_path
from commandcenter.ui.camera_details import near_text
from commandcenter.ui.details import DetailController
from commandcenter.ui.video import CameraView, PlayState

pytestmark = [pytest.mark.skipif(ffmpeg_path() is None, reason="Debian package ffmpeg not installed"),
              pytest.mark.usefixtures("gc_on_the_loop_thread")]  # players, walls and simulators share this process


def test_an_incidents_details_list_the_nearest_cameras_and_play_the_nearest(qloop, qtbot, eventually):
    sim = run_in_thread(profile="street", seed=4, history_hours=0.2)
    try:
        async def scenario() -> None:
            async with make_client() as client:
                directory = CameraDirectory([CameraFeed(FeedSection(
                    name="cams", kind="cameras", url=sim.url, media_allow_networks=["127.0.0.1/32"]), client)])
                await directory.refresh()
                target = directory.camera("CAM007")
                assert target is not None
                live = LiveState()
                live.apply(territory=W.territory(),
                           incidents=[W.incident("I1", lon=target.lon + 0.0005, lat=target.lat)])
                shown: list = []
                details = DetailController(live, shown.append, cameras=directory,
                                           clock=lambda: datetime.now(UTC))
                panel = details.open("incident", "I1")
                qtbot.addWidget(panel)
                texts = panel.texts()
                assert "附近视频" in texts
                rows = [t for t in texts if t.startswith("➤ ")]
                assert rows[0] == f"➤ {near_text(directory.nearest(target.lon + 0.0005, target.lat, 1)[0])}"
                assert rows[0].startswith(f"➤ {target.name} · ") and rows[0].endswith(" · 西"), \
                    "the camera stands ≈44 m west of the case"
                assert len(rows) == 4
                views = panel.findChildren(CameraView)
                assert len(views) == 1 and views[0].player.camera_id == "CAM007"
                assert await eventually(lambda: views[0].player.state is PlayState.PLAYING, 30)
                live.apply(incidents=[W.incident("I1", lon=target.lon + 0.0005, lat=target.lat, version=2,
                                                 title="更新")])
                assert panel.findChildren(CameraView) == views, "a new version keeps the video playing"
                camera_panel = details.open("camera", "CAM002")
                qtbot.addWidget(camera_panel)
                assert views[0].player.state is PlayState.IDLE, "one camera plays in the details at a time"
                assert camera_panel.findChildren(CameraView)[0].player.camera_id == "CAM002"
                assert camera_panel.title.text() == "监控视频", "the camera panel has a title of its own"
                camera_panel.findChildren(CameraView)[0].player.stop()
        qloop.run_until_complete(scenario())
    finally:
        sim.stop()


def test_a_sensors_details_list_the_cameras_near_it_and_play_the_nearest_in_the_city(qloop, qtbot, eventually):
    """The demo's city profile: its devices (the simulator's fleet) and its cameras. The details of the device
    nearest a camera list the four cameras nearest the device, with distance and direction, and play the nearest."""
    from commandcenter.domain.sensors import AlarmRules, Outcome, SensorMessage
    from commandcenter.sim.sensors import fleet

    sim = run_in_thread(profile="city", seed=4, history_hours=0.1)
    try:
        city = sim.server.city
        devices = fleet(city, 2000, seed=4)

        async def scenario() -> None:
            async with make_client() as client:
                directory = CameraDirectory([CameraFeed(FeedSection(
                    name="cams", kind="cameras", url=sim.url, media_allow_networks=["127.0.0.1/32"]), client)])
                await directory.refresh()
                # the device with an online camera nearest to it: a street corner with video
                device = min(devices, key=lambda d: directory.nearest(d.lon, d.lat, 1, online_only=True)[0].distance_m)
                rules, out = AlarmRules(), Outcome()
                rules.reading(SensorMessage(device.id, device.type, datetime.now(UTC), device.base, name=device.name,
                                            lon=device.lon, lat=device.lat), out)
                live = LiveState()
                live.apply(territory=list(city.nodes.values()), sensors=out.sensors)
                details = DetailController(live, [].append, cameras=directory, clock=lambda: datetime.now(UTC))
                panel = details.open("sensor", device.id)
                qtbot.addWidget(panel)
                texts = panel.texts()
                assert device.name in panel.title.text()
                assert "附近视频" in texts
                near = directory.nearest(device.lon, device.lat, 4)
                rows = [t for t in texts if t.startswith("➤ ")]
                assert rows == [f"➤ {near_text(n)}" for n in near]          # nearest first, distance, direction
                assert all(" 米 · " in r or " 公里 · " in r for r in rows)
                playing = directory.nearest(device.lon, device.lat, 1, online_only=True)[0].camera
                views = panel.findChildren(CameraView)
                assert len(views) == 1 and views[0].player.camera_id == playing.id
                assert await eventually(lambda: views[0].player.state is PlayState.PLAYING, 30)
                views[0].player.stop()
        qloop.run_until_complete(scenario())
    finally:
        sim.stop()
