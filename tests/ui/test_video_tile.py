"""Video tiles play the simulator's cameras through the real media stack (QtMultimedia, FFmpeg), offscreen."""
from __future__ import annotations

import asyncio
from datetime import datetime, UTC

import httpx
import pytest
from PySide6.QtGui import QImage

from commandcenter.config.schema import FeedSection
from commandcenter.feeds.cameras import CameraFeed
from commandcenter.feeds.transport import make_client
from commandcenter.services import LiveState
from commandcenter.services.cameras import CameraDirectory
from commandcenter.sim import run_in_thread
from commandcenter.sim.video import ffmpeg_path
from commandcenter.ui.tiles.video import VideoTile
from commandcenter.ui.video import PlayState

pytestmark = [pytest.mark.skipif(ffmpeg_path() is None, reason="Debian package ffmpeg not installed"),
              pytest.mark.usefixtures("gc_on_the_loop_thread")]  # players, walls and simulators share this process


@pytest.fixture
def sim():
    running = run_in_thread(profile="street", seed=5, history_hours=0.2, video_idle_s=5.0)
    yield running
    running.stop()


def clock() -> datetime:
    return datetime.now(UTC)


def _grab(view) -> QImage:
    return view.grab().toImage()


BROKEN_STREAMS = pytest.mark.qt_log_ignore("Could not open media")   # what FFmpeg says of a stream cut under it


@BROKEN_STREAMS
def test_four_cameras_play_frames_that_change_and_an_offline_camera_comes_back(qloop, qtbot, sim, eventually):
    async def scenario() -> None:
        async with make_client() as client:
            feed = CameraFeed(FeedSection(name="cams", kind="cameras", url=sim.url, interval=0.2,
                                          media_allow_networks=["127.0.0.1/32"]), client)
            directory = CameraDirectory([feed])
            await directory.refresh()
            tile = VideoTile(LiveState(), directory, clock, slots=4, cameras=["CAM001", "CAM002"])
            qtbot.addWidget(tile)
            tile.resize(960, 600)
            tile.show()
            assert tile.showing() == ["CAM001", "CAM002", "CAM003", "CAM004"], "spare slots take the catalogue's"
            assert await eventually(lambda: all(p.state is PlayState.PLAYING for p in tile.players), 30)
            before = [p.frames for p in tile.players]
            first = tile.players[0].image()
            assert first is not None and first.width() > 0
            shot = _grab(tile.views[0])
            assert await eventually(lambda: all(p.frames > b + 5 for p, b in zip(tile.players, before, strict=True)),
                                    15)
            assert tile.players[0].image() != first, "the picture moves (the burnt-in clock, the pattern)"
            assert _grab(tile.views[0]) != shot, "a grab shows the current frame"

            directory.start()                      # the catalogue follows the platform while we watch
            async with httpx.AsyncClient() as control:
                await control.post(f"{sim.url}/_control/cameras", json={"id": "CAM002", "online": False})
                switched = asyncio.get_running_loop().time()
                assert await eventually(lambda: tile.players[1].state is PlayState.OFFLINE, 10)
                assert asyncio.get_running_loop().time() - switched <= 5.0, "offline shown within 5 s"
                assert tile.views[1].state_text() == "离线"
                assert all(p.state is PlayState.PLAYING for i, p in enumerate(tile.players) if i != 1)
                await control.post(f"{sim.url}/_control/cameras", json={"id": "CAM002", "online": True})
                assert await eventually(lambda: tile.players[1].state is PlayState.PLAYING, 30), \
                    "it reconnects by itself"
            await directory.stop()
            tile.stop_all()
    qloop.run_until_complete(scenario())


@BROKEN_STREAMS
def test_a_stalled_stream_is_shown_within_five_seconds_and_recovers(qloop, qtbot, sim, eventually):
    async def scenario() -> None:
        async with make_client() as client:
            feed = CameraFeed(FeedSection(name="cams", kind="cameras", url=sim.url,
                                          media_allow_networks=["127.0.0.1/32"]), client)
            directory = CameraDirectory([feed])
            await directory.refresh()
            tile = VideoTile(LiveState(), directory, clock, slots=1, cameras=["CAM005"])
            qtbot.addWidget(tile)
            tile.resize(640, 400)
            tile.show()
            player = tile.players[0]
            assert await eventually(lambda: player.state is PlayState.PLAYING, 30)
            assert player.first_frame_s is not None and player.first_frame_s > 0
            async with httpx.AsyncClient() as control:
                await control.post(f"{sim.url}/_control/faults", json={"stall": True})
                stalled_at = asyncio.get_running_loop().time()
                assert await eventually(lambda: player.state is not PlayState.PLAYING, 10)
                assert asyncio.get_running_loop().time() - stalled_at <= 5.0
                assert player.state in (PlayState.STALLED, PlayState.FAILED)
                await control.post(f"{sim.url}/_control/faults", json={"reset": True})
            assert await eventually(lambda: player.state is PlayState.PLAYING, 30)
            tile.stop_all()
    qloop.run_until_complete(scenario())


def test_a_camera_plays_over_rtsp(qloop, qtbot, sim, eventually):
    async def scenario() -> None:
        async with make_client() as client:
            feed = CameraFeed(FeedSection(name="cams", kind="cameras", url=sim.url,
                                          media_allow_networks=["127.0.0.1/32"]), client)
            directory = CameraDirectory([feed])
            await directory.refresh()
            tile = VideoTile(LiveState(), directory, clock, slots=1, cameras=["CAM001"], protocol="rtsp")
            qtbot.addWidget(tile)
            tile.resize(640, 400)
            tile.show()
            player = tile.players[0]
            assert await eventually(lambda: player.state is PlayState.PLAYING, 40), player.reason
            assert sim.server.rtsp is not None and sim.server.rtsp.running() == ["CAM001"], "over RTSP, not HLS"
            assert sim.server.video is not None and sim.server.video.running() == []
            first, frames = player.image(), player.frames
            assert first is not None and not first.isNull()
            assert await eventually(lambda: player.frames > frames + 10, 15)
            assert player.image() != first, "the picture moves"
            shot = _grab(tile.views[0])
            assert await eventually(lambda: _grab(tile.views[0]) != shot, 5), "a grab shows the current frame"
            tile.stop_all()
    qloop.run_until_complete(scenario())


def test_a_video_tile_without_a_camera_feed_says_so(qtbot):
    tile = VideoTile(LiveState(), None, clock, slots=9, cameras=["X"])
    qtbot.addWidget(tile)
    assert len(tile.views) == 9 and tile.showing() == ["X"]
    assert tile.players[0].state is PlayState.FAILED and tile.views[0].state_text() == "无法播放 · 重试中"
    with pytest.raises(ValueError):
        VideoTile(LiveState(), None, clock, slots=3)
