"""The simulator's cameras: a catalogue, short-lived preview URLs, live HLS from FFmpeg, a camera switched off."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import httpx
import pytest

from commandcenter.domain.cameras import CameraStatus, decode_camera
from commandcenter.sim.video import ffmpeg_path

needs_ffmpeg = pytest.mark.skipif(ffmpeg_path() is None, reason="Debian package ffmpeg not installed")


def test_the_catalogue_lists_a_few_dozen_cameras_inside_the_city(street) -> None:
    with httpx.Client(base_url=street.url) as c:
        body = c.get("/cameras").json()
        territory = {n["id"] for n in c.get("/territory").json()["items"]}
    cameras = [decode_camera(item) for item in body["items"]]
    assert 24 <= len(cameras) <= 60
    assert len({cam.id for cam in cameras}) == len(cameras)
    lon0, lat0, lon1, lat1 = street.server.city.profile.extent
    for cam in cameras:
        assert lon0 <= cam.lon <= lon1 and lat0 <= cam.lat <= lat1
        assert cam.grid_id in territory
        assert cam.status is CameraStatus.ONLINE
        assert set(cam.protocols) == {"hls", "rtsp"}
        assert cam.name.strip()


def test_preview_answers_for_unknown_cameras_and_protocols(street) -> None:
    with httpx.Client(base_url=street.url) as c:
        assert c.get("/cameras/NOPE/preview").status_code == 404
        assert c.get("/cameras/CAM001/preview", params={"protocol": "flv"}).status_code == 400
        assert c.get("/cameras/CAM001").json()["id"] == "CAM001"


def test_an_unknown_preview_token_is_refused(street) -> None:
    with httpx.Client() as c:
        base = street.url.rsplit("/api/v1", 1)[0]
        assert c.get(f"{base}/video/not-a-token/index.m3u8").status_code == 403


@needs_ffmpeg
def test_a_preview_url_serves_live_hls_that_moves_on(fresh) -> None:
    sim = fresh(preview_ttl_s=60)
    with httpx.Client(base_url=sim.url, timeout=20) as c:
        preview = c.get("/cameras/CAM002/preview").json()
        assert preview["camera_id"] == "CAM002" and preview["protocol"] == "hls" and preview["expires_in"] == 60
        first = c.get(preview["url"])
        assert first.status_code == 200 and first.text.startswith("#EXTM3U")
        assert "#EXT-X-TARGETDURATION:1\n" in first.text, "sub-second segments, a valid whole-second target"
        durations = [float(line[8:].rstrip(",")) for line in first.text.splitlines() if line.startswith("#EXTINF:")]
        assert durations and durations[0] <= 0.25, "a stream just started sends a short first segment"
        segment = next(line for line in first.text.splitlines() if line.endswith(".ts"))
        ts = c.get(preview["url"].rsplit("/", 1)[0] + "/" + segment)
        assert ts.status_code == 200 and ts.content[:1] == b"\x47"     # MPEG-TS sync byte
        assert c.get("/_control/cameras").json()["streaming"] == ["CAM002"]
        deadline = time.monotonic() + 10
        later = first.text
        while later == first.text and time.monotonic() < deadline:
            time.sleep(0.3)
            later = c.get(preview["url"]).text
        assert later != first.text, "a live playlist gains segments"


@needs_ffmpeg
def test_a_camera_switched_off_stops_streaming_and_comes_back(fresh) -> None:
    sim = fresh()
    with httpx.Client(base_url=sim.url, timeout=20) as c:
        url = c.get("/cameras/CAM003/preview").json()["url"]
        assert c.get(url).status_code == 200
        off = c.post("/_control/cameras", json={"id": "CAM003", "online": False}).json()
        assert off["status"] == "offline" and off["version"] == 2
        assert c.get(url).status_code == 404
        assert c.get("/cameras/CAM003/preview").status_code == 409
        assert "CAM003" not in c.get("/_control/cameras").json()["streaming"]
        assert c.get("/_control/cameras").json()["offline"] == ["CAM003"]
        on = c.post("/_control/cameras", json={"id": "CAM003", "online": True}).json()
        assert on["status"] == "online" and on["version"] == 3
        assert c.get(url).status_code == 200, "an unexpired preview URL plays again"
        assert c.post("/_control/cameras", json={"id": "CAM003"}).status_code == 400
        assert c.post("/_control/cameras", json={"id": "NOPE", "online": True}).status_code == 404


@needs_ffmpeg
def test_streams_nobody_watches_are_stopped(fresh) -> None:
    sim = fresh(video_idle_s=1.0)
    with httpx.Client(base_url=sim.url, timeout=20) as c:
        url = c.get("/cameras/CAM004/preview").json()["url"]
        assert c.get(url).status_code == 200
        deadline = time.monotonic() + 10
        while c.get("/_control/cameras").json()["streaming"] and time.monotonic() < deadline:
            time.sleep(0.2)
        assert c.get("/_control/cameras").json()["streaming"] == []


@needs_ffmpeg
def test_an_expired_preview_url_is_refused_unless_it_is_being_played(fresh) -> None:
    sim = fresh(preview_ttl_s=0.5)
    with httpx.Client(base_url=sim.url, timeout=20) as c:
        unused = c.get("/cameras/CAM005/preview").json()["url"]
        playing = c.get("/cameras/CAM006/preview").json()["url"]
        assert c.get(playing).status_code == 200
        time.sleep(1.0)
        assert c.get(unused).status_code == 403
        assert c.get(playing).status_code == 200


@needs_ffmpeg
def test_rtsp_serves_the_camera_to_several_players_at_once(fresh) -> None:
    sim = fresh()
    with httpx.Client(base_url=sim.url, timeout=20) as c:
        urls = [c.get("/cameras/CAM007/preview", params={"protocol": "rtsp"}).json()["url"] for _ in range(2)]
    assert all(u.startswith("rtsp://127.0.0.1:") for u in urls) and urls[0] != urls[1]
    # FFmpeg as two independent players: each asks for UDP first, is told 461, and plays RTP over the connection
    players = [subprocess.run([str(ffmpeg_path()), "-hide_banner", "-loglevel", "error", "-i", url,
                               "-frames:v", "5", "-f", "framemd5", "-"], capture_output=True, timeout=60, text=True)
               for url in urls]
    for player in players:
        assert player.returncode == 0, player.stderr
        frames = [line for line in player.stdout.splitlines() if not line.startswith("#")]
        assert len(frames) == 5 and len({line.rsplit(",", 1)[1] for line in frames}) == 5, "five different frames"
        shape = sim.server.cameras["CAM007"].shape
        assert all(int(line.split(",")[4]) == shape.width * shape.height * 3 // 2 for line in frames), "its size"
    with httpx.Client(base_url=sim.url, timeout=20) as c:
        assert c.get("/_control/cameras").json()["streaming_rtsp"] == ["CAM007"]


@needs_ffmpeg
def test_rtsp_notes_when_each_player_was_sent_its_first_keyframe(fresh) -> None:
    sim = fresh()
    with httpx.Client(base_url=sim.url, timeout=20) as c:
        url = c.get("/cameras/CAM008/preview", params={"protocol": "rtsp"}).json()["url"]
    asked = time.monotonic()
    player = subprocess.Popen([str(ffmpeg_path()), "-hide_banner", "-loglevel", "error", "-i", url,
                               "-frames:v", "40", "-f", "framemd5", "-"], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30
        sent: list[float] = []
        while not sent and player.poll() is None and time.monotonic() < deadline:
            sent = sim.server.rtsp.first_keyframes_sent("CAM008")
            time.sleep(0.05)
        out, err = player.communicate(timeout=60)
    finally:
        player.kill()
    assert player.returncode == 0, err
    assert len(sent) == 1 and asked < sent[0] <= time.monotonic(), "one player, sent its keyframe after it asked"
    assert len([line for line in out.splitlines() if not line.startswith("#")]) == 40
    deadline = time.monotonic() + 10
    while sim.server.rtsp.first_keyframes_sent("CAM008") and time.monotonic() < deadline:
        time.sleep(0.05)
    assert sim.server.rtsp.first_keyframes_sent("CAM008") == [], "a player that left is forgotten"


def test_rtsp_refuses_an_unknown_token(fresh) -> None:
    sim = fresh()
    assert sim.server.rtsp is not None
    with socket.create_connection(("127.0.0.1", sim.server.rtsp.port), timeout=10) as sock:
        sock.sendall(b"OPTIONS rtsp://127.0.0.1/not-a-token RTSP/1.0\r\nCSeq: 1\r\n\r\n")
        assert sock.recv(200).startswith(b"RTSP/1.0 404")


@needs_ffmpeg
def test_the_cameras_kept_running_stream_before_anybody_asks(fresh) -> None:
    sim = fresh(video_always_on=2, video_idle_s=0.5)
    with httpx.Client(base_url=sim.url, timeout=20) as c:
        deadline = time.monotonic() + 20
        while sorted(c.get("/_control/cameras").json()["streaming"]) != ["CAM001", "CAM002"] \
                and time.monotonic() < deadline:
            time.sleep(0.2)
        assert sorted(c.get("/_control/cameras").json()["streaming"]) == ["CAM001", "CAM002"]
        time.sleep(1.5)
        assert sorted(c.get("/_control/cameras").json()["streaming"]) == ["CAM001", "CAM002"], "never idle-stopped"
        url = c.get("/cameras/CAM001/preview").json()["url"]
        started = time.monotonic()
        assert c.get(url).status_code == 200
        assert time.monotonic() - started < 1.0, "the playlist is there at once: no encoder to wait for"


@needs_ffmpeg
@pytest.mark.skipif(sys.platform != "linux", reason="a process's scheduling policy is Linux's")
def test_a_cameras_encoder_yields_the_cores_to_the_wall_beside_it(fresh) -> None:
    """A real camera encodes on a machine of its own; a simulated one shares the wall's and runs only on idle cores."""
    sim = fresh()
    with httpx.Client(base_url=sim.url, timeout=20) as c:
        assert c.get(c.get("/cameras/CAM003/preview").json()["url"]).status_code == 200
    encoder = sim.server.video._streams["CAM003"].process
    assert os.sched_getscheduler(encoder.pid) == os.SCHED_IDLE


KILLED_SIM = """
import os, time
from commandcenter.sim import run_in_thread
sim = run_in_thread(profile="street", seed=1, history_hours=0.1, video_always_on=2)
deadline = time.monotonic() + 30
while len(sim.server.video.running()) < 2 and time.monotonic() < deadline:
    time.sleep(0.1)
print(" ".join(str(s.process.pid) for s in sim.server.video._streams.values()), flush=True)
os._exit(0)     # killed, as a test's timeout or a crash would: no stop()
"""


@needs_ffmpeg
def test_a_simulator_that_dies_leaves_no_encoder_running() -> None:
    from tests.support import pid_alive, subprocess_env

    out = subprocess.run([sys.executable, "-c", KILLED_SIM], capture_output=True, text=True, timeout=90,
                         env=subprocess_env())
    pids = [int(p) for p in out.stdout.split()]
    assert len(pids) == 2, out.stderr
    deadline = time.monotonic() + 10
    while any(pid_alive(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(pid_alive(p) for p in pids), "the encoders ended with the simulator's process"

