"""A stuck stream never blocks the wall: a camera whose stream server accepts the connection and never answers
(HLS or RTSP) is torn down, its tile closed and deleted, while the GUI thread keeps its beat."""
from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, UTC

import httpx
import pytest
from aiohttp import web

from commandcenter.config.schema import FeedSection
from commandcenter.feeds.cameras import CameraFeed
from commandcenter.feeds.transport import make_client
from commandcenter.services import LiveState
from commandcenter.services.cameras import CameraDirectory
from commandcenter.sim import run_in_thread
from commandcenter.sim.video import ffmpeg_path
from commandcenter.ui.tiles.video import VideoTile
from commandcenter.ui.video import STALL_S, PlayState
from commandcenter.ui.video_stream import NETWORK_TIMEOUT_MS, ending
from tests.support.feeds import serve

pytestmark = pytest.mark.usefixtures("gc_on_the_loop_thread")  # players and the loop share this process

#: Closing must come back well inside the time the media stack itself would give a silent server.
PROMPT_S = NETWORK_TIMEOUT_MS / 1000 / 3


@asynccontextmanager
async def silent_server() -> AsyncIterator[int]:
    """A TCP server on 127.0.0.1 that accepts every connection and never sends a byte; yields its port."""
    held: list[asyncio.StreamWriter] = []

    async def hold(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        held.append(writer)

    server = await asyncio.start_server(hold, "127.0.0.1", 0)
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        server.close()
        for writer in held:
            writer.transport.abort()


def platform(stream_url: str) -> web.Application:
    """A video platform listing one camera whose preview URL is `stream_url`."""
    camera = {"id": "STUCK1", "name": "卡住的摄像机", "lon": 121.4, "lat": 37.5, "grid_id": "G1", "status": "online",
              "protocols": ["hls", "rtsp"], "version": 1, "updated_at": "2026-12-07T00:00:00Z"}
    app = web.Application()

    async def cameras(_request: web.Request) -> web.Response:
        return web.json_response({"items": [camera]})

    async def preview(request: web.Request) -> web.Response:
        return web.json_response({"camera_id": "STUCK1", "protocol": request.query.get("protocol", "hls"),
                                  "url": stream_url, "expires_in": 300})

    app.router.add_get("/api/v1/cameras", cameras)
    app.router.add_get("/api/v1/cameras/{id}/preview", preview)
    return app


async def gui_beat(seconds: float) -> float:
    """The longest gap between 10 ms ticks of the GUI thread's loop over `seconds`."""
    worst, last, end = 0.0, time.monotonic(), time.monotonic() + seconds
    while time.monotonic() < end:
        await asyncio.sleep(0.01)
        now = time.monotonic()
        worst, last = max(worst, now - last), now
    return worst


QUIET = pytest.mark.qt_log_ignore("Could not open media")    # what FFmpeg says of a server that never answers


@QUIET
@pytest.mark.parametrize("scheme", ["http", "rtsp"])
def test_closing_a_tile_whose_stream_server_never_answers_returns_at_once(qloop, qtbot, eventually, scheme):
    async def scenario() -> None:
        async with silent_server() as port:
            url = f"http://127.0.0.1:{port}/live/index.m3u8" if scheme == "http" else f"rtsp://127.0.0.1:{port}/live"
            async with serve(platform(url)) as base, make_client() as client:
                directory = CameraDirectory([CameraFeed(FeedSection(
                    name="cams", kind="cameras", url=f"{base}/api/v1", media_origins=[f"http://127.0.0.1:{port}"],
                    media_allow_networks=["127.0.0.1/32"]), client)])
                await directory.refresh()
                tile = VideoTile(LiveState(), directory, lambda: datetime.now(UTC), slots=1, cameras=["STUCK1"])
                tile.resize(640, 400)
                tile.show()
                player = tile.players[0]
                assert await eventually(lambda: player.opened, 10), f"not given the stream: {player.state} {player.reason}"
                await asyncio.sleep(0.5)                  # its demuxer is now waiting in a read
                assert player.state is PlayState.CONNECTING and player.frames == 0

                gone: list[float] = []
                tile.destroyed.connect(lambda *_: gone.append(time.monotonic()))
                started = time.monotonic()
                tile.stop()
                tile.hide()
                tile.deleteLater()                        # as a retired page's tiles are
                assert time.monotonic() - started < PROMPT_S, "stopping the tile waited on the stream"
                worst = await gui_beat(NETWORK_TIMEOUT_MS / 1000 + 1.0)
                assert gone and gone[0] - started < PROMPT_S, "the tile was not deleted at once"
                assert worst < PROMPT_S, "the GUI thread was held while the stuck player ended"
                assert await eventually(lambda: ending() == 0, 20), "the stream's own thread lets go in the end"
    qloop.run_until_complete(scenario())


@QUIET
def test_a_camera_whose_server_never_answers_shows_as_stalled_and_keeps_trying(qloop, qtbot, eventually):
    async def scenario() -> None:
        async with silent_server() as port, \
                serve(platform(f"http://127.0.0.1:{port}/live/index.m3u8")) as base, make_client() as client:
            directory = CameraDirectory([CameraFeed(FeedSection(
                name="cams", kind="cameras", url=f"{base}/api/v1", media_origins=[f"http://127.0.0.1:{port}"],
                media_allow_networks=["127.0.0.1/32"]), client)])
            await directory.refresh()
            tile = VideoTile(LiveState(), directory, lambda: datetime.now(UTC), slots=1, cameras=["STUCK1"])
            qtbot.addWidget(tile)
            tile.show()
            player = tile.players[0]
            assert await eventually(lambda: player.state in (PlayState.STALLED, PlayState.FAILED), 20)
            worst = await gui_beat(3.0)
            assert worst < PROMPT_S, "the wall kept its beat while the camera was retried"
            tile.stop()
    qloop.run_until_complete(scenario())


@pytest.mark.skipif(ffmpeg_path() is None, reason="Debian package ffmpeg not installed")
def test_closing_a_tile_whose_playing_stream_went_silent_returns_at_once(qloop, qtbot, eventually):
    sim = run_in_thread(profile="street", seed=3, history_hours=0.1, video_always_on=1)

    async def scenario() -> None:
        async with make_client() as client:
            directory = CameraDirectory([CameraFeed(FeedSection(
                name="cams", kind="cameras", url=sim.url, media_allow_networks=["127.0.0.1/32"]), client)])
            await directory.refresh()
            tile = VideoTile(LiveState(), directory, lambda: datetime.now(UTC), slots=1, cameras=["CAM001"])
            tile.resize(640, 400)
            tile.show()
            player = tile.players[0]
            assert await eventually(lambda: player.state is PlayState.PLAYING, 30)
            async with httpx.AsyncClient() as control:
                await control.post(f"{sim.url}/_control/faults", json={"stall": True})
                await asyncio.sleep(STALL_S / 2)          # its reads now wait on the silent server; no stall seen yet
                assert player.state is PlayState.PLAYING
                gone: list[float] = []
                tile.destroyed.connect(lambda *_: gone.append(time.monotonic()))
                started = time.monotonic()
                tile.stop()
                tile.hide()
                tile.deleteLater()
                assert time.monotonic() - started < PROMPT_S, "stopping the tile waited on the stream"
                worst = await gui_beat(NETWORK_TIMEOUT_MS / 1000 + 1.0)
                assert gone and gone[0] - started < PROMPT_S, "the tile was not deleted at once"
                assert worst < PROMPT_S, "the GUI thread was held while the stuck player ended"
                assert await eventually(lambda: ending() == 0, 20), "the stream's own thread lets go in the end"
                await control.post(f"{sim.url}/_control/faults", json={"reset": True})
    try:
        qloop.run_until_complete(scenario())
    finally:
        sim.stop()
