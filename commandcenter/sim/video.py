"""Live video for the simulated cameras: one FFmpeg per watched camera, kept running or started on demand.

Each stream is FFmpeg's test pattern with the camera's name and a running clock burnt in, encoded as H.264 and
written as a live HLS playlist of 0.6 s segments (0.2 s while its first playlist fills) into a temporary directory
the HTTP server serves. The cameras a simulator is told to keep running (`keep_running`: a platform's cameras
stream whether or not anybody watches, and a click should not wait for an encoder) start with it; any other stream
starts when a client first asks for it and stops after `idle_s` without a request, so only the cameras somebody
watches cost CPU. RTSP is served by sim/rtsp.py from an encoder of its own (`rtp_command`).
"""
from __future__ import annotations

import asyncio
import logging
import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from .cameras import SimCamera
from .lifetime import die_with_parent
from .start_once import StartOnce

log = logging.getLogger(__name__)

SEGMENT_S = 0.6             # short segments (a player joins, and sits behind, the live edge sooner), over 0.5 s so the
                            # playlist's whole-second target duration rounds to 1, not to an invalid 0
PLAYLIST_SEGMENTS = 6
FIRST_SEGMENT_S = 0.2       # the first playlist's segments: a stream started by a click has its first one out sooner
START_TIMEOUT_S = 15.0
CAMERA_TZ = "Asia/Shanghai"  # the simulated city is in Shandong
# the wall's packaged font (read as a file: the simulator imports nothing of the UI), else Debian's
FONT_CANDIDATES = (Path(__file__).resolve().parents[1] / "ui" / "assets" / "fonts" / "wqy-microhei.ttc",
                   Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"))


def ffmpeg_path() -> str | None:
    return shutil.which("ffmpeg")


def font_file() -> Path | None:
    return next((p for p in FONT_CANDIDATES if p.is_file()), None)


ENCODER_NICE = 10          # where SCHED_IDLE is refused, an encoder runs this many nice levels below its starter


def start_as_camera() -> None:
    """In the encoder's process before exec: it dies with its starter, and yields the cores. A real camera encodes on
    a machine of its own; a simulated one shares the wall's machine (the demo, the tests, the benches), where the
    wall, not the camera, must come first: it runs only on a core nothing else wants (SCHED_IDLE), or
    `ENCODER_NICE` levels lower where that is refused."""
    die_with_parent()
    try:
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
    except (AttributeError, OSError):       # no SCHED_IDLE (not Linux) or refused
        os.nice(ENCODER_NICE)


def camera_env() -> dict[str, str]:
    """The encoder's environment: the burnt-in clock is the city's local time, as a camera's own clock is."""
    return {**os.environ, "TZ": CAMERA_TZ}


def _overlay(directory: Path, camera: SimCamera) -> str:
    """drawtext filters for the name and clock, read from files so no text needs filter-graph escaping."""
    (directory / "name.txt").write_text(f"{camera.camera.name}  {camera.id}", encoding="utf-8")
    (directory / "clock.txt").write_text("%{localtime:%Y-%m-%d %H\\:%M\\:%S}", encoding="utf-8")
    font = font_file()
    font_opt = f"fontfile={font}:" if font is not None else ""
    box = "fontcolor=white:box=1:boxcolor=black@0.6:boxborderw=6"
    return (f"drawtext={font_opt}textfile={directory / 'name.txt'}:x=10:y=10:fontsize=h/14:{box},"
            f"drawtext={font_opt}textfile={directory / 'clock.txt'}:x=10:y=h-th-12:fontsize=h/14:{box}")


def rtp_command(camera: SimCamera, directory: Path, port: int, sdp: Path) -> list[str]:
    """FFmpeg sending the camera as RTP to loopback `port` (RTCP to port + 1), its session description in `sdp`."""
    binary = ffmpeg_path()
    if binary is None:
        raise RuntimeError("ffmpeg is not installed (Debian package ffmpeg)")
    # the parameter sets in the SDP and before every keyframe: a player joining mid-stream decodes at the next one
    return [binary, *encoder_args(camera, directory), "-flags", "+global_header", "-bsf:v", "dump_extra=freq=keyframe",
            "-f", "rtp", "-sdp_file", str(sdp),
            f"rtp://127.0.0.1:{port}?rtcpport={port + 1}&pkt_size=1400"]


def keyframe_interval(camera: SimCamera) -> int:
    """Frames from one keyframe to the next: about SEGMENT_S."""
    return max(1, round(camera.shape.fps * SEGMENT_S))


def first_keyframe_interval(camera: SimCamera) -> int:
    """Frames from one keyframe to the next while the first playlist fills: about FIRST_SEGMENT_S."""
    return max(1, round(camera.shape.fps * FIRST_SEGMENT_S))


def segment_seconds(camera: SimCamera) -> float:
    """An HLS segment is exactly one keyframe interval (the muxer cuts only at keyframes: a longer nominal
    duration would make every segment two intervals long)."""
    return keyframe_interval(camera) / camera.shape.fps


def first_segment_seconds(camera: SimCamera) -> float:
    return first_keyframe_interval(camera) / camera.shape.fps


def served_playlist(body: bytes) -> bytes:
    """The playlist as served: FFmpeg rounds the short first segments' target duration down to 0, and a target
    duration is a whole number of seconds a player paces its reloads by, so it is served as 1."""
    return body.replace(b"#EXT-X-TARGETDURATION:0\n", b"#EXT-X-TARGETDURATION:1\n")


def encoder_args(camera: SimCamera, directory: Path) -> list[str]:
    """FFmpeg's input, overlay and H.264 encoder options for one camera: a keyframe every segment, and every
    short first segment while the first playlist fills (a player joining a stream just started, over HLS or
    RTSP, decodes from the next keyframe)."""
    s = camera.shape
    gop = str(keyframe_interval(camera))
    first = first_keyframe_interval(camera)
    early_keyframes = f"expr:lt(n,{first * PLAYLIST_SEGMENTS})*not(mod(n,{first}))"
    return ["-hide_banner", "-loglevel", "error", "-nostdin", "-re",
            "-f", "lavfi", "-i", f"testsrc2=size={s.width}x{s.height}:rate={s.fps}",
            "-vf", _overlay(directory, camera),
            "-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-pix_fmt", "yuv420p",
            "-g", gop, "-keyint_min", gop, "-sc_threshold", "0", "-force_key_frames", early_keyframes,
            "-threads", "1"]


@dataclass
class _Stream:
    process: subprocess.Popen[bytes]
    directory: Path
    last_request: float = field(default_factory=time.monotonic)
    started_at: float = field(default_factory=time.monotonic)


class VideoFarm:
    """The HLS encoders of the cameras kept running and of those being watched."""

    def __init__(self, idle_s: float = 20.0) -> None:
        self.idle_s = idle_s
        self.root = Path(tempfile.mkdtemp(prefix="commandcenter-sim-video-"))
        self.pinned: set[str] = set()        # kept running whether watched or not (`keep_running`)
        self._streams: dict[str, _Stream] = {}
        self._starts: StartOnce[Path] = StartOnce()

    @property
    def available(self) -> bool:
        return ffmpeg_path() is not None

    def running(self) -> list[str]:
        return [cid for cid, s in self._streams.items() if s.process.poll() is None]

    async def hls_dir(self, camera: SimCamera) -> Path:
        """The directory of the camera's live playlist, its encoder started (and a first segment out) if needed."""
        return await self._starts.get(camera.id, lambda: self._running_dir(camera.id), lambda: self._start(camera))

    def _running_dir(self, camera_id: str) -> Path | None:
        stream = self._streams.get(camera_id)
        if stream is None or stream.process.poll() is not None:
            return None
        stream.last_request = time.monotonic()
        return stream.directory

    async def _start(self, camera: SimCamera) -> Path:
        binary = ffmpeg_path()
        if binary is None:
            raise RuntimeError("ffmpeg is not installed (Debian package ffmpeg)")
        self.stop(camera.id)
        directory = self.root / f"{camera.id}-{time.monotonic_ns()}"
        directory.mkdir(parents=True)
        playlist = directory / "index.m3u8"
        args = [binary, *encoder_args(camera, directory),
                "-f", "hls", "-hls_time", f"{segment_seconds(camera):g}",
                "-hls_init_time", f"{first_segment_seconds(camera):g}", "-hls_list_size", str(PLAYLIST_SEGMENTS),
                "-hls_flags", "delete_segments+omit_endlist+independent_segments",
                "-hls_segment_filename", str(directory / "seg%06d.ts"), str(playlist)]
        process = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.PIPE, env=camera_env(), preexec_fn=start_as_camera)
        self._streams[camera.id] = _Stream(process, directory)
        deadline = time.monotonic() + START_TIMEOUT_S
        stream = self._streams[camera.id]
        while not playlist.exists():
            stream.last_request = time.monotonic()        # starting is not idle: the reaper leaves it alone
            if process.poll() is not None:
                try:
                    err = process.stderr.read().decode(errors="replace")[-500:] if process.stderr else ""
                except ValueError:
                    err = "stopped while starting"
                self.stop(camera.id)
                raise RuntimeError(f"ffmpeg for {camera.id} ended with {process.returncode}: {err}")
            if time.monotonic() > deadline:
                self.stop(camera.id)
                raise RuntimeError(f"ffmpeg for {camera.id} wrote no playlist in {START_TIMEOUT_S:g} s")
            await asyncio.sleep(0.05)
        return directory

    def touch(self, camera_id: str) -> bool:
        """A request for the camera's stream: keeps it running. False if it is not running."""
        stream = self._streams.get(camera_id)
        if stream is None or stream.process.poll() is not None:
            return False
        stream.last_request = time.monotonic()
        return True

    def started_at(self, camera_id: str) -> float | None:
        """When the camera's encoder started (time.monotonic), None if it is not running."""
        stream = self._streams.get(camera_id)
        return stream.started_at if stream is not None else None

    def directory(self, camera_id: str) -> Path | None:
        stream = self._streams.get(camera_id)
        return stream.directory if stream is not None else None

    def keep_running(self, camera_ids: set[str]) -> None:
        """These cameras' encoders are not stopped for want of viewers (the caller starts them: `hls_dir`)."""
        self.pinned = set(camera_ids)

    def reap_idle(self) -> list[str]:
        """Stop the streams nobody asked for within `idle_s` (kept-running ones excepted) and those that ended."""
        now = time.monotonic()
        idle = [cid for cid, s in self._streams.items()
                if (cid not in self.pinned and now - s.last_request > self.idle_s) or s.process.poll() is not None]
        for cid in idle:
            self.stop(cid)
        return idle

    def stop(self, camera_id: str) -> None:
        stream = self._streams.pop(camera_id, None)
        if stream is None:
            return
        _end(stream.process)
        shutil.rmtree(stream.directory, ignore_errors=True)

    def close(self) -> None:
        for cid in list(self._streams):
            self.stop(cid)
        shutil.rmtree(self.root, ignore_errors=True)


def _end(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=2)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=2)
    if process.stderr is not None:
        process.stderr.close()
