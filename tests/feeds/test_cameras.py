"""The camera catalogue feed against the simulator and against a platform that lies."""
from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest

from commandcenter.config.schema import FeedSection
from commandcenter.domain.cameras import CameraStatus
from commandcenter.feeds.base import FeedError
from commandcenter.feeds.cameras import CameraFeed, StreamRefused
from commandcenter.feeds.transport import make_client
from commandcenter.sim import run_in_thread
from commandcenter.sim.video import ffmpeg_path


@pytest.fixture(scope="module")
def sim():
    running = run_in_thread(profile="street", seed=3, history_hours=0.5)
    yield running
    running.stop()


def section(url: str, **kw: Any) -> FeedSection:
    return FeedSection(name="cameras", kind="cameras", url=url, **kw)


def test_the_catalogue_decodes_every_simulated_camera(sim) -> None:
    async def scenario() -> None:
        async with make_client() as client:
            feed = CameraFeed(section(sim.url), client)
            catalogue = await feed.refresh()
            assert len(catalogue.cameras) == len(sim.server.cameras)
            assert not catalogue.rejected
            assert all(c.status is CameraStatus.ONLINE for c in catalogue.cameras.values())
            assert feed.last_ok_at is not None
    asyncio.run(scenario())


def _answer(doc: Any) -> httpx.Response:
    """A streamed JSON answer, as the feeds read them (capped, piece by piece)."""
    return httpx.Response(200, stream=httpx.ByteStream(json.dumps(doc).encode()),
                          headers={"content-type": "application/json"})


def _platform(entries: list[Any], preview: dict[str, Any] | None = None) -> httpx.AsyncClient:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/cameras"):
            return _answer({"items": entries})
        if request.url.path.endswith("/preview"):
            return _answer(preview)
        return httpx.Response(404)
    return httpx.AsyncClient(transport=httpx.MockTransport(handler))


GOOD = {"id": "C1", "name": "东门", "lon": 118.5, "lat": 37.4, "grid_id": "G1", "status": "online",
        "protocols": ["hls", "rtsp", "flv"], "version": 1}


def test_bad_entries_are_set_aside_with_their_reason_and_the_rest_kept() -> None:
    entries = [GOOD, {**GOOD, "id": "C2", "lat": 123.0}, {**GOOD, "id": "C3", "status": "broken"}, "junk",
               {**GOOD, "id": ""}]

    async def scenario() -> None:
        async with _platform(entries) as client:
            feed = CameraFeed(section("https://vms.example.org/api"), client)
            catalogue = await feed.refresh()
            assert list(catalogue.cameras) == ["C1"]
            assert catalogue.cameras["C1"].protocols == ("hls", "rtsp")    # flv is not played here
            reasons = [r.reason for r in catalogue.rejected]
            assert len(reasons) == 4
            assert reasons[0].startswith("lat:") and reasons[1].startswith("status:")
            assert reasons[2].startswith("expected a JSON object") and reasons[3].startswith("id:")
    asyncio.run(scenario())


def test_a_catalogue_that_is_not_a_list_is_a_feed_error() -> None:
    async def scenario() -> None:
        def handler(request: httpx.Request) -> httpx.Response:
            return _answer({"cameras": []})
        async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
            feed = CameraFeed(section("https://vms.example.org/api"), client)
            with pytest.raises(FeedError, match="items"):
                await feed.refresh()
            assert feed.last_error
    asyncio.run(scenario())


@pytest.mark.parametrize("url, allowed", [
    ("https://vms.example.org/live/C1.m3u8?token=x", True),
    ("https://elsewhere.example.net/live/C1.m3u8", False),
    ("file:///etc/passwd", False),
    ("rtsp://vms.example.org:554/C1", True),
    ("rtsp://10.0.0.9:554/C1", False),
])
def test_preview_urls_pass_the_feeds_media_policy(url: str, allowed: bool, monkeypatch) -> None:
    async def public(host: str, port: int) -> list[str]:
        return ["10.0.0.9"] if host == "10.0.0.9" else ["93.184.216.34"]
    monkeypatch.setattr("commandcenter.feeds.transport.resolve", public)
    monkeypatch.setattr("commandcenter.feeds.cameras.resolve", public)
    preview = {"camera_id": "C1", "protocol": url.split(":")[0] if url.startswith("rtsp") else "hls",
               "url": url, "expires_in": 300}

    async def scenario() -> None:
        async with _platform([GOOD], preview) as client:
            feed = CameraFeed(section("https://vms.example.org/api"), client)
            await feed.refresh()
            if allowed:
                got = await feed.preview("C1", preview["protocol"])
                assert got.url == url
            else:
                with pytest.raises((StreamRefused, FeedError)):
                    await feed.preview("C1", preview["protocol"])
    asyncio.run(scenario())


def test_a_preview_for_another_camera_is_refused() -> None:
    async def scenario() -> None:
        preview = {"camera_id": "C9", "protocol": "hls", "url": "https://vms.example.org/x.m3u8", "expires_in": 60}
        async with _platform([GOOD], preview) as client:
            feed = CameraFeed(section("https://vms.example.org/api"), client)
            await feed.refresh()
            with pytest.raises(FeedError, match="C9"):
                await feed.preview("C1")
    asyncio.run(scenario())


@pytest.mark.skipif(ffmpeg_path() is None, reason="Debian package ffmpeg not installed")
def test_preview_urls_are_cached_and_fetched_anew_before_they_expire() -> None:
    sim = run_in_thread(profile="street", seed=3, history_hours=0.2, preview_ttl_s=1.0)
    try:
        async def scenario() -> None:
            async with make_client() as client:
                feed = CameraFeed(section(sim.url, media_allow_networks=["127.0.0.1/32"]), client)
                await feed.refresh()
                first = await feed.preview("CAM001")
                assert (await feed.preview("CAM001")).url == first.url, "cached while it has life left"
                await asyncio.sleep(0.85)     # past 80 % of its second of life
                second = await feed.preview("CAM001")
                assert second.url != first.url
                feed.forget_preview("CAM001")
                assert (await feed.preview("CAM001")).url != second.url
        asyncio.run(scenario())
    finally:
        sim.stop()


def test_loopback_preview_urls_need_media_allow_networks(sim) -> None:
    async def scenario() -> None:
        async with make_client() as client:
            feed = CameraFeed(section(sim.url), client)
            await feed.refresh()
            with pytest.raises(StreamRefused, match="loopback"):
                await feed.preview("CAM001")
    if ffmpeg_path() is not None:
        asyncio.run(scenario())
