"""RTSP for the simulated cameras: a small RTSP server sending RTP over the RTSP connection (RFC 2326 §10.12).

FFmpeg has no RTSP server (its RTSP muxer only pushes to one), so each camera watched over RTSP gets an FFmpeg
that sends RTP to a pair of loopback UDP ports here and writes its session description; every client that PLAYs
the camera gets those packets interleaved on its own RTSP connection. A client asking for RTP over UDP is
answered 461 (Unsupported Transport), and FFmpeg-based players then ask for TCP. An encoder runs while somebody
watches and `idle_s` after its last client left.
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import secrets
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .cameras import SimCamera
from .start_once import StartOnce
from .video import camera_env, start_as_camera

log = logging.getLogger(__name__)

START_TIMEOUT_S = 15.0
MAX_HEADER_BYTES = 16_384
MAX_CLIENT_BUFFER = 2_000_000    # a client this far behind is not reading: dropped rather than buffered forever
SESSION_TIMEOUT_S = 60
TRACK = "trackID=0"

#: Builds the FFmpeg command line for a camera sending RTP to `port` (RTCP to port + 1), its SDP in `sdp`.
EncoderCommand = Callable[[SimCamera, Path, int, Path], list[str]]
#: The camera a URL's first path segment (the preview token) grants, or None.
Authorize = Callable[[str], SimCamera | None]


class _Channel(asyncio.DatagramProtocol):
    """RTP (channel 0) or RTCP (channel 1) from the camera's encoder, relayed to its clients."""

    def __init__(self, relay: _Relay, channel: int) -> None:
        self.relay, self.channel = relay, channel

    def datagram_received(self, data: bytes, addr: tuple[str | object, int]) -> None:
        self.relay.forward(self.channel, data)


@dataclass
class _Relay:
    """One camera's encoder and the clients playing it."""

    camera_id: str
    process: subprocess.Popen[bytes] | None = None
    sdp: str = ""
    transports: list[asyncio.DatagramTransport] = field(default_factory=list)
    clients: set[asyncio.StreamWriter] = field(default_factory=set)
    last_client: float = field(default_factory=time.monotonic)
    # when each client was sent the start of its first keyframe (time.monotonic), its first decodable picture
    first_keyframe: dict[asyncio.StreamWriter, float] = field(default_factory=dict)

    def forward(self, channel: int, data: bytes) -> None:
        frame = b"$" + bytes((channel,)) + len(data).to_bytes(2, "big") + data
        keyframe = channel == 0 and starts_keyframe(data)
        for writer in list(self.clients):
            if writer.transport.get_write_buffer_size() > MAX_CLIENT_BUFFER:
                self.drop(writer)
                writer.transport.abort()
                continue
            writer.write(frame)
            if keyframe and writer not in self.first_keyframe:
                self.first_keyframe[writer] = time.monotonic()

    def drop(self, writer: asyncio.StreamWriter) -> None:
        self.clients.discard(writer)
        self.first_keyframe.pop(writer, None)

    def close(self) -> None:
        for transport in self.transports:
            transport.close()
        for writer in self.clients:
            writer.transport.abort()
        self.clients.clear()
        self.first_keyframe.clear()
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=2)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=2)


H264_IDR, H264_SPS, H264_STAP_A, H264_FU_A = 5, 7, 24, 28


def starts_keyframe(rtp: bytes) -> bool:
    """An RTP packet (RFC 3550 header, RFC 6184 H.264 payload) that begins a keyframe: its parameter sets, an IDR
    slice, or the first fragment of one."""
    if len(rtp) < 14 or rtp[0] >> 6 != 2:
        return False
    offset = 12 + 4 * (rtp[0] & 0x0F)
    if rtp[0] & 0x10:                                       # a header extension: its length in 32-bit words
        if len(rtp) < offset + 4:
            return False
        offset += 4 + 4 * int.from_bytes(rtp[offset + 2:offset + 4], "big")
    if len(rtp) < offset + 2:
        return False
    nal = rtp[offset] & 0x1F
    if nal in (H264_IDR, H264_SPS):
        return True
    if nal == H264_STAP_A:                                  # aggregated: the first unit after its 2-byte size
        return len(rtp) > offset + 3 and rtp[offset + 3] & 0x1F in (H264_IDR, H264_SPS)
    if nal == H264_FU_A:                                    # fragmented: the start bit and the unit's own type
        return bool(rtp[offset + 1] & 0x80) and rtp[offset + 1] & 0x1F == H264_IDR
    return False


def session_description(ffmpeg_sdp: str, camera_id: str) -> str:
    """FFmpeg's SDP (which names its UDP destination) as an RTSP server describes it: no address, port 0, controls."""
    lines = [line for line in ffmpeg_sdp.splitlines() if line.strip()]
    out: list[str] = []
    for line in lines:
        if line.startswith("s="):
            line = f"s={camera_id}"
        elif line.startswith("c="):
            line = "c=IN IP4 0.0.0.0"
        elif line.startswith("m="):
            out.append("a=control:*")
            line = re.sub(r"^m=(\w+) \d+", r"m=\1 0", line)
        out.append(line)
    out.append(f"a=control:{TRACK}")
    return "\r\n".join(out) + "\r\n"


class RtspServer:
    """Serves `rtsp://host:port/TOKEN` for every token `authorize` grants."""

    def __init__(self, host: str, root: Path, command: EncoderCommand, authorize: Authorize,
                 idle_s: float = 20.0) -> None:
        self.host = host
        self.port = 0
        self.root = root
        self.command = command
        self.authorize = authorize
        self.idle_s = idle_s
        self._server: asyncio.Server | None = None
        self._relays: dict[str, _Relay] = {}
        self._starts: StartOnce[_Relay] = StartOnce()
        self._connections: set[asyncio.StreamWriter] = set()

    async def start(self) -> int:
        self._server = await asyncio.start_server(self._serve, self.host, 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self.port

    def url(self, token: str) -> str:
        return f"rtsp://{self.host}:{self.port}/{token}"

    def running(self) -> list[str]:
        return [cid for cid, r in self._relays.items() if r.process is not None and r.process.poll() is None]

    # --- encoders ------------------------------------------------------------------------------
    async def relay(self, camera: SimCamera) -> _Relay:
        """The camera's running relay, its encoder started (and its SDP written) if needed."""
        return await self._starts.get(camera.id, lambda: self._running_relay(camera.id), lambda: self._start(camera))

    def _running_relay(self, camera_id: str) -> _Relay | None:
        relay = self._relays.get(camera_id)
        if relay is None or relay.process is None or relay.process.poll() is not None:
            return None
        return relay

    async def _start(self, camera: SimCamera) -> _Relay:
        self.stop(camera.id)
        relay = _Relay(camera.id)
        loop = asyncio.get_running_loop()
        rtp, rtcp = await _port_pair(loop, relay)
        relay.transports = [rtp, rtcp]
        port = rtp.get_extra_info("sockname")[1]
        directory = self.root / f"{camera.id}-rtsp-{time.monotonic_ns()}"
        directory.mkdir(parents=True)
        sdp = directory / "stream.sdp"
        relay.process = subprocess.Popen(self.command(camera, directory, port, sdp), stdin=subprocess.DEVNULL,
                                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                         env=camera_env(), preexec_fn=start_as_camera)
        self._relays[camera.id] = relay
        deadline = time.monotonic() + START_TIMEOUT_S
        while not sdp.exists() or not sdp.read_text(encoding="utf-8").strip():
            relay.last_client = time.monotonic()      # starting is not idle: the reaper leaves it alone
            if relay.process.poll() is not None or time.monotonic() > deadline:
                self.stop(camera.id)
                raise RuntimeError(f"ffmpeg for {camera.id} wrote no RTP session description")
            await asyncio.sleep(0.02)
        relay.sdp = session_description(sdp.read_text(encoding="utf-8"), camera.id)
        return relay

    def first_keyframes_sent(self, camera_id: str) -> list[float]:
        """When each client playing the camera was sent its first keyframe (time.monotonic): where its player's
        first picture left the server, for measuring how far behind the live edge it plays."""
        relay = self._relays.get(camera_id)
        return sorted(relay.first_keyframe.values()) if relay is not None else []

    def stop(self, camera_id: str) -> None:
        relay = self._relays.pop(camera_id, None)
        if relay is not None:
            relay.close()

    def reap_idle(self) -> list[str]:
        """Stop the encoders nobody has played for `idle_s` (or that ended); their ids."""
        now = time.monotonic()
        idle = [cid for cid, r in self._relays.items()
                if (not r.clients and now - r.last_client > self.idle_s)
                or (r.process is not None and r.process.poll() is not None)]
        for cid in idle:
            self.stop(cid)
        return idle

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
        for cid in list(self._relays):
            self.stop(cid)
        for writer in list(self._connections):
            writer.transport.abort()              # each handler then ends on its next read
        await asyncio.sleep(0)

    # --- one client connection -----------------------------------------------------------------
    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._connections.add(writer)
        session = secrets.token_hex(8)
        playing: _Relay | None = None
        try:
            while True:
                first = await reader.readexactly(1)
                if first == b"$":                       # the client's RTCP receiver reports: read past them
                    header = await reader.readexactly(3)
                    await reader.readexactly(int.from_bytes(header[1:3], "big"))
                    continue
                head = first + await reader.readuntil(b"\r\n\r\n")
                if len(head) > MAX_HEADER_BYTES:
                    return
                method, url, headers = _parse(head)
                length = int(headers.get("content-length", "0") or 0)
                if length:
                    await reader.readexactly(min(length, MAX_HEADER_BYTES))
                cseq = headers.get("cseq", "0")
                camera = self.authorize(_token(url))
                if camera is None or not camera.online:
                    writer.write(_reply(404 if camera is None else 410, cseq))
                    return
                if method == "OPTIONS":
                    writer.write(_reply(200, cseq, {"Public": "OPTIONS, DESCRIBE, SETUP, PLAY, TEARDOWN, "
                                                              "GET_PARAMETER"}))
                elif method == "DESCRIBE":
                    try:
                        relay = await self.relay(camera)
                    except RuntimeError as exc:
                        log.warning("rtsp %s: %s", camera.id, exc)
                        writer.write(_reply(503, cseq))
                        return
                    body = relay.sdp.encode()
                    writer.write(_reply(200, cseq, {"Content-Type": "application/sdp",
                                                    "Content-Base": f"{url.rstrip('/')}/"}, body))
                elif method == "SETUP":
                    transport = headers.get("transport", "")
                    if "RTP/AVP/TCP" not in transport.upper():
                        writer.write(_reply(461, cseq))
                    else:
                        writer.write(_reply(200, cseq, {
                            "Transport": "RTP/AVP/TCP;unicast;interleaved=0-1",
                            "Session": f"{session};timeout={SESSION_TIMEOUT_S}"}))
                elif method == "PLAY":
                    try:
                        playing = await self.relay(camera)
                    except RuntimeError:
                        writer.write(_reply(503, cseq))
                        return
                    writer.write(_reply(200, cseq, {"Session": session, "Range": "npt=0.000-"}))
                    await writer.drain()
                    playing.clients.add(writer)
                elif method == "TEARDOWN":
                    writer.write(_reply(200, cseq, {"Session": session}))
                    return
                elif method in ("GET_PARAMETER", "SET_PARAMETER"):     # players' keep-alives
                    writer.write(_reply(200, cseq, {"Session": session}))
                else:
                    writer.write(_reply(405, cseq))
                await writer.drain()
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError, ValueError):
            pass
        except asyncio.CancelledError:
            pass          # the loop is ending: a connection handler has nothing to hand on (asyncio logs it otherwise)
        finally:
            self._connections.discard(writer)
            if playing is not None:
                playing.drop(writer)
                playing.last_client = time.monotonic()
            writer.transport.abort()


async def _port_pair(loop: asyncio.AbstractEventLoop,
                     relay: _Relay) -> tuple[asyncio.DatagramTransport, asyncio.DatagramTransport]:
    """Two loopback UDP sockets on ports N and N + 1 (RTP and its RTCP), as FFmpeg's RTP muxer sends them."""
    for _ in range(50):
        rtp, _proto = await loop.create_datagram_endpoint(lambda: _Channel(relay, 0), local_addr=("127.0.0.1", 0))
        port = rtp.get_extra_info("sockname")[1]
        if port < 65535:
            with contextlib.suppress(OSError):
                rtcp, _p = await loop.create_datagram_endpoint(lambda: _Channel(relay, 1),
                                                               local_addr=("127.0.0.1", port + 1))
                return rtp, rtcp
        rtp.close()
    raise RuntimeError("no free pair of loopback UDP ports for RTP")


def _parse(head: bytes) -> tuple[str, str, dict[str, str]]:
    lines = head.decode("utf-8", errors="replace").split("\r\n")
    parts = lines[0].split(" ")
    if len(parts) != 3 or not parts[2].startswith("RTSP/"):
        raise ValueError(f"not an RTSP request: {lines[0][:80]!r}")
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if sep:
            headers[name.strip().lower()] = value.strip()
    return parts[0].upper(), parts[1], headers


def _token(url: str) -> str:
    """The first path segment of an rtsp:// URL (SETUP names the track after it)."""
    path = re.sub(r"^rtsp://[^/]*", "", url)
    return path.lstrip("/").split("/", 1)[0].split("?", 1)[0]


_REASONS = {200: "OK", 404: "Not Found", 405: "Method Not Allowed", 410: "Gone", 461: "Unsupported Transport",
            503: "Service Unavailable"}


def _reply(status: int, cseq: str, headers: dict[str, str] | None = None, body: bytes = b"") -> bytes:
    lines = [f"RTSP/1.0 {status} {_REASONS[status]}", f"CSeq: {cseq}", "Server: commandcenter-sim"]
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    if body:
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body
