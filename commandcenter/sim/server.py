"""The HTTP side: REST polling, SSE and WebSocket push, fault switches, the live tick.

One asyncio loop owns everything: the tick task advances the world to the simulated "now"
every 100 ms and wakes the push connections; handlers only read the log.
"""
from __future__ import annotations

import asyncio
import json
import logging
import re
import secrets
import time
import uuid
from collections import Counter
from datetime import datetime, UTC
from email.utils import format_datetime
from pathlib import Path
from typing import Any

from aiohttp import WSMsgType, web

from commandcenter.domain import TerritoryLevel, encode, format_time
from commandcenter.domain import kpis as DK
from commandcenter.domain.cameras import PROTOCOLS, encode_camera

from .cameras import DEFAULT_COUNT, DEFAULT_HD, SimCamera, place_cameras

from .clock import SimClock
from .faults import Faults
from .log import Message, MessageLog, dumps
from .territory import City, PROFILES, generate
from .rtsp import RtspServer
from .video import VideoFarm, rtp_command, served_playlist
from .world import Settings, World

log = logging.getLogger(__name__)

API = "/api/v1"
MAX_LIMIT = 5000
DEFAULT_LIMIT = 500
TICK_S = 0.1
PUSH_BATCH = 2000
VIDEO = "/video"
VIDEO_FILE = re.compile(r"index\.m3u8|seg\d{6}\.ts")
PREVIEW_IN_USE_S = 15.0     # a preview URL being played stays good past its expiry, as platforms' sessions do


class SimServer:
    """The simulated city behind a real HTTP server on loopback."""

    def __init__(self, *, profile: str = "street", seed: int = 1, rate: float = 1.0, speed: float = 1.0,
                 scenario: str | Path | None = None, random_city: bool = True, host: str = "127.0.0.1",
                 port: int = 0, faults: Faults | None = None, history_hours: float = 6.0,
                 start_time: datetime | None = None, min_live_rate: float = 0.5, log_cap: int = 500_000,
                 heartbeat_s: float = 5.0, retry_ms: int = 2000, hold_clock: bool = False,
                 demo_extra_events_per_s: float | None = None, backfill_days: float = 0.0,
                 cameras: int = DEFAULT_COUNT, hd_cameras: int = DEFAULT_HD, preview_ttl_s: float = 300.0,
                 video_idle_s: float = 20.0, video_always_on: int = 0) -> None:
        """`backfill_days`: that much more past before the `history_hours`, served once as each record's latest
        version (World), so a demo's KPIs have their 24 hours and 30 days at once. `hold_clock`: sim time stays at
        `start_time` until advanced (`clock.advance`, POST /_control/clock),
        for tests that script exact timings. `demo_extra_events_per_s` (older name `min_live_rate`): extra live
        events per real second on top of the profile's natural rate, for demos. `cameras` (`hd_cameras` of them
        at 640×360@25) stream live video on demand; preview URLs are good for `preview_ttl_s`; the first
        `video_always_on` cameras stream from the start, watched or not, as a platform's cameras do."""
        if demo_extra_events_per_s is not None:
            min_live_rate = demo_extra_events_per_s
        if profile not in PROFILES:
            raise ValueError(f"unknown profile {profile!r}; choose one of {', '.join(PROFILES)}")
        if start_time is None:
            start_time = datetime.now(UTC)     # to the microsecond: the wall compares its clock with it
        elif start_time.tzinfo is None:
            start_time = start_time.replace(tzinfo=UTC)
        self.profile = profile
        self.seed = seed
        self.settings = Settings(seed=seed, rate=rate, speed=speed, random_city=random_city, min_live_rate=min_live_rate)
        self.scenario_path = Path(scenario) if scenario else None
        self.host = host
        self.port = port
        self.faults = faults or Faults()
        self.history_hours = history_hours
        self.backfill_days = backfill_days
        self.start_time = start_time
        self.heartbeat_s = heartbeat_s
        self.retry_ms = retry_ms
        self.clock = SimClock(start_time, speed)
        self.hold_clock = hold_clock
        self.log = MessageLog(log_cap)
        self.log_id = uuid.uuid4().hex     # names this log: a backend restarted with another log has another id
        self.city: City | None = None
        self.world: World | None = None
        self.scenario: Any = None
        self.drills: Any = None          # sim.drills.SimDrills, made with the world
        self.url = ""
        self._runner: web.AppRunner | None = None
        self._tick_task: asyncio.Task[None] | None = None
        self._new: asyncio.Event | None = None   # created on the server's loop in start()
        self._cache: dict[str, bytes] = {}
        self._conns: set[Any] = set()
        self.stopped = False
        #: requests served by route, control routes apart: what the clients cost this backend (the scale bench)
        self.requests: Counter[str] = Counter()
        self.in_flight: Counter[str] = Counter()     # requests being served now: the open streams among them
        self.camera_count, self.hd_cameras = cameras, hd_cameras
        self.preview_ttl_s = preview_ttl_s
        self.cameras: dict[str, SimCamera] = {}
        self._previews: dict[str, list[Any]] = {}     # token → [camera id, expires (monotonic), last used]
        self._video_idle_s = video_idle_s
        self.video_always_on = video_always_on       # the first N cameras stream from the start, watched or not
        self.video: VideoFarm | None = None           # made in start()
        self.rtsp: RtspServer | None = None
        self._video_task: asyncio.Task[None] | None = None
        self._stream_starts: dict[str, asyncio.Future[None]] = {}

    # --- lifecycle --------------------------------------------------------------------------
    def build(self) -> None:
        """Generate the city and its history (synchronous; no server needed, handy for tests)."""
        if self.world is not None:
            return
        self.city = generate(self.profile, self.seed)
        self.world = World(self.city, self.log, self.settings, self.start_time, self.history_hours,
                           self.backfill_days)
        from .drills import SimDrills

        self.drills = SimDrills(self.world)
        self.cameras = {c.id: c for c in place_cameras(self.city, self.seed, self.start_time, self.camera_count,
                                                       self.hd_cameras)}
        if self.scenario_path is not None:
            from commandcenter.domain.drill_scenario import parse_scenario

            try:
                text = self.scenario_path.read_text(encoding="utf-8")
            except OSError as exc:
                raise ValueError(f"{self.scenario_path}: {exc.strerror or exc}") from None
            self.scenario = parse_scenario(text, path=str(self.scenario_path))
            self.drills.start(self.scenario, self.scenario.drill_id or f"DRILL-{self.scenario.slug}"[:64],
                              self.world.start_ts)
        self.world.prepare()

    async def start(self) -> str:
        self.build()
        self._new = asyncio.Event()
        app = web.Application(middlewares=[self._fault_middleware])
        app.on_response_prepare.append(self._date_header)
        r = app.router
        r.add_get(f"{API}", self.h_status)
        r.add_get(f"{API}/status", self.h_status)
        r.add_get(f"{API}/incidents", self.h_list("incident"))
        r.add_get(f"{API}/incidents/{{id}}", self.h_detail("incident"))
        r.add_get(f"{API}/resources", self.h_list("resource"))
        r.add_get(f"{API}/resources/{{id}}", self.h_detail("resource"))
        r.add_get(f"{API}/alerts", self.h_list("alert"))
        r.add_get(f"{API}/alerts/{{id}}", self.h_detail("alert"))
        r.add_get(f"{API}/kpis", self.h_kpis)
        r.add_get(f"{API}/grids", self.h_grids)
        r.add_get(f"{API}/territory", self.h_territory)
        r.add_get(f"{API}/stream", self.h_stream)
        r.add_get(f"{API}/ws", self.h_ws)
        r.add_get(f"{API}/_control/faults", self.h_faults)
        r.add_post(f"{API}/_control/faults", self.h_faults)
        r.add_get(f"{API}/_control/drills", self.h_drills)
        r.add_post(f"{API}/_control/drills", self.h_drills)
        r.add_delete(f"{API}/_control/drills/{{id}}", self.h_drill_stop)
        r.add_get(f"{API}/_control/clock", self.h_clock)
        r.add_get(f"{API}/_control/requests", self.h_requests)
        r.add_post(f"{API}/_control/clock", self.h_clock)
        r.add_get(f"{API}/cameras", self.h_cameras)
        r.add_get(f"{API}/cameras/{{id}}", self.h_camera)
        r.add_get(f"{API}/cameras/{{id}}/preview", self.h_preview)
        r.add_get(f"{API}/_control/cameras", self.h_camera_control)
        r.add_post(f"{API}/_control/cameras", self.h_camera_control)
        r.add_get(f"{VIDEO}/{{token}}/{{file}}", self.h_video)
        self.video = VideoFarm(idle_s=self._video_idle_s)
        self.video.keep_running(set(list(self.cameras)[:self.video_always_on]))
        self.rtsp = RtspServer(self.host, self.video.root, rtp_command, self._rtsp_grant, idle_s=self._video_idle_s)
        await self.rtsp.start()
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        self.port = port = self._runner.addresses[0][1]
        self.url = f"http://{self.host}:{port}{API}"
        self.clock.go_live(self.start_time)
        if self.hold_clock:
            self.clock.hold(self.start_time)
        self._tick_task = asyncio.create_task(self._tick())
        self._video_task = asyncio.create_task(self._reap_video())
        return self.url

    async def stop(self) -> None:
        self.stopped = True
        if self._tick_task is not None:
            self._tick_task.cancel()
            try:
                await self._tick_task
            except (asyncio.CancelledError, Exception):
                pass
        if self._video_task is not None:
            self._video_task.cancel()
            try:
                await self._video_task
            except (asyncio.CancelledError, Exception):
                pass
        for starting in list(self._stream_starts.values()):
            starting.cancel()
        if self.rtsp is not None:
            await self.rtsp.close()
        if self.video is not None:
            self.video.close()
        self._wake()
        for ws in list(self._conns):
            try:
                await ws.close()
            except Exception:
                pass
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _tick(self) -> None:
        assert self.world is not None
        while True:
            before = self.log.last_seq
            self.world.run_until(self.clock.now())
            if self.log.last_seq != before:
                self._wake()
            await asyncio.sleep(TICK_S)

    def _wake(self) -> None:
        if self._new is not None:
            self._new.set()
            self._new = asyncio.Event()

    async def wait_new(self, cursor: int, timeout: float) -> bool:
        if self.log.last_seq > cursor:
            return True
        event = self._new
        assert event is not None
        try:
            await asyncio.wait_for(event.wait(), timeout)
        except TimeoutError:
            return False
        return self.log.last_seq > cursor

    # --- faults -----------------------------------------------------------------------------
    @web.middleware
    async def _fault_middleware(self, request: web.Request, handler):
        if "/_control/" in request.path:
            return await handler(request)
        resource = request.match_info.route.resource
        route = resource.canonical if resource is not None else request.path
        self.requests[route] += 1
        self.in_flight[route] += 1
        try:
            f = self.faults
            while f.stall and not self.stopped:
                await asyncio.sleep(0.05)
            if f.latency_ms > 0:
                await asyncio.sleep(f.latency_ms / 1000.0)
            if f.hit(f.error_rate):
                return web.json_response({"error": "injected fault: service unavailable"}, status=503)
            return await handler(request)
        finally:
            self.in_flight[route] -= 1

    def _mangle_items(self, items: list[Any]) -> list[Any]:
        """Duplicate, reorder and break items of a REST page as the switches say."""
        f = self.faults
        if not (f.duplicate_rate or f.reorder_rate or f.malformed_rate):
            return items
        out: list[Any] = []
        for item in items:
            if f.hit(f.malformed_rate):
                item = {"id": item.get("id"), "version": "not-a-number", "updated_at": 12}
            out.append(item)
            if f.hit(f.duplicate_rate):
                out.append(item)
        for i in range(len(out) - 1):
            if f.hit(f.reorder_rate):
                out[i], out[i + 1] = out[i + 1], out[i]
        return out

    def _push_frames(self, msgs: list[Message], sse: bool, state: dict[str, Any]) -> tuple[list[Any], bool]:
        """Frames for a batch with faults applied; returns (frames, drop_now)."""
        f = self.faults
        out: list[Any] = []
        held: Message | None = state.get("held")
        for msg in msgs:
            payload: Any = msg.frame if sse else msg.text
            if f.hit(f.malformed_rate):
                broken = msg.text[: max(10, len(msg.text) // 2)].replace("\n", " ")
                payload = f"id: {msg.seq}\nevent: {msg.type}\ndata: {broken}\n\n".encode() if sse else broken
            if held is None and f.hit(f.reorder_rate):
                held = msg
                state["held_payload"] = payload
                continue
            out.append(payload)
            if f.hit(f.duplicate_rate):
                out.append(payload)
            if held is not None:
                out.append(state.pop("held_payload"))
                held = None
            state["count"] = state.get("count", 0) + 1
            if f.drop_every and state["count"] % f.drop_every == 0:
                state["held"] = None
                return out, True
        if held is not None:
            out.append(state.pop("held_payload"))   # never carry a held message past the batch: no gaps
        state["held"] = None
        return out, False

    # --- REST -------------------------------------------------------------------------------
    @staticmethod
    def _int(request: web.Request, name: str, default: int | None) -> int | None:
        raw = request.query.get(name)
        if raw is None or raw == "":
            return default
        try:
            return int(raw)
        except ValueError:
            raise web.HTTPBadRequest(text=json.dumps({"error": f"{name} must be an integer"}),
                                     content_type="application/json") from None

    def _json(self, obj: Any, status: int = 200) -> web.Response:
        return web.Response(text=dumps(obj), status=status, content_type="application/json")

    async def h_status(self, request: web.Request) -> web.Response:
        assert self.world is not None and self.city is not None
        return self._json({
            "name": "commandcenter sim", "profile": self.profile, "seed": self.seed, "grids": len(self.city.grids),
            "sim_time": format_time(self.clock.now()), "speed": self.clock.speed, "rate": self.settings.rate,
            "demo_extra_events_per_s": self.settings.min_live_rate,
            "natural_rates": self._natural_rates(),
            "first_seq": self.log.first_seq, "last_seq": self.log.last_seq, "log_id": self.log_id,
            "scenario": getattr(self.scenario, "name", None), "faults": self.faults.as_dict(),
            "drills": [d["drill_id"] for d in self.drills.describe()] if self.drills is not None else [],
        })

    async def h_requests(self, request: web.Request) -> web.Response:
        """Requests since start, in total and by route, and those being served now (the open SSE and WebSocket
        streams among them); control routes not counted."""
        return self._json({"total": sum(self.requests.values()), "by_route": dict(self.requests),
                           "in_flight": {route: n for route, n in self.in_flight.items() if n}})

    def _natural_rates(self) -> dict[str, Any]:
        """The profile's own daily rates from the seeds (before `--rate`), so a client can tell them from a demo's."""
        assert self.city is not None
        r = self.city.profile.rates
        return {"events_per_day": round(r.events_per_day, 2), "first_petitions_per_day": round(r.first_petitions_per_day, 4),
                "emergencies_per_day": round(r.emergencies_per_day, 4), "basis": r.basis}

    def h_list(self, type_: str):
        async def handler(request: web.Request) -> web.Response:
            since = self._int(request, "since", 0) or 0
            limit = self._int(request, "limit", DEFAULT_LIMIT)
            if limit is None or limit < 1 or limit > MAX_LIMIT:
                return self._json({"error": f"limit must be between 1 and {MAX_LIMIT}"}, 400)
            index = self.log.index.get(type_)
            found, more = index.since(since, limit) if index else ([], False)
            items = [rec for _, rec in found]
            cursor = found[-1][0] if found else max(since, 0)
            return self._json({"items": self._mangle_items(items), "cursor": cursor, "more": more,
                               "last_seq": self.log.last_seq})
        return handler

    def h_detail(self, type_: str):
        async def handler(request: web.Request) -> web.Response:
            index = self.log.index.get(type_)
            rec = index.get(request.match_info["id"]) if index else None
            if rec is None:
                return self._json({"error": f"no {type_} with id {request.match_info['id']!r}"}, 404)
            return self._json(rec)
        return handler

    async def h_kpis(self, request: web.Request) -> web.Response:
        assert self.world is not None
        period = request.query.get("period", "today")
        if period not in DK.PERIODS:
            return self._json({"error": f"period must be one of {', '.join(DK.PERIODS)}, not {period!r}"}, 400)
        return self._json(self.world.kpis.snapshot(period))

    def _cached(self, key: str, build) -> web.Response:
        body = self._cache.get(key)
        if body is None:
            body = dumps(build()).encode()
            self._cache[key] = body
        return web.Response(body=body, content_type="application/json")

    async def h_grids(self, request: web.Request) -> web.Response:
        def build() -> dict[str, Any]:
            assert self.city is not None
            feats = []
            for g in self.city.grids:
                n = g.node
                props = {"id": n.id, "level": n.level.value, "name": n.name, "parent_id": n.parent_id,
                         "households": n.households, "grid_worker": n.grid_worker, "grid_head": n.grid_head,
                         "district_id": g.district_id, "street_id": g.street_id, "community_id": g.community_id}
                feats.append({"type": "Feature", "id": n.id, "properties": props,
                              "geometry": {"type": "Polygon", "coordinates": [[list(p) for p in n.polygon]]}})
            return {"type": "FeatureCollection", "features": feats}
        return self._cached("grids", build)

    async def h_territory(self, request: web.Request) -> web.Response:
        def build() -> dict[str, Any]:
            assert self.city is not None
            order = list(TerritoryLevel)
            nodes = sorted(self.city.nodes.values(), key=lambda n: (order.index(n.level), n.id))
            updated = format_time(self.start_time)
            return {"items": [{**encode(n), "version": 1, "updated_at": updated} for n in nodes],
                    "departments": self.city.departments, "mediation_centers": self.city.mediation_centers}
        return self._cached("territory", build)

    async def h_faults(self, request: web.Request) -> web.Response:
        if request.method == "POST":
            try:
                body = await request.json()
                if not isinstance(body, dict):
                    raise ValueError("expected a JSON object")
                if body.pop("reset", False):
                    self.faults.reset()
                self.faults.update(body)
            except (ValueError, json.JSONDecodeError) as exc:
                return self._json({"error": str(exc)}, 400)
            if not self.faults.stall:
                self._wake()
        return self._json(self.faults.as_dict())

    # --- drills -----------------------------------------------------------------------------
    def _catch_up(self) -> None:
        """Run the world to the clock's now (the tick does it every 100 ms; control calls need it exact)."""
        assert self.world is not None
        before = self.log.last_seq
        self.world.run_until(self.clock.now())
        if self.log.last_seq != before:
            self._wake()

    async def h_drills(self, request: web.Request) -> web.Response:
        """GET: the running drills. POST {"drill_id", "scenario": {...} | "toml": "..."}: play a drill from now."""
        from commandcenter.domain.drill_scenario import parse_scenario, scenario_from_dict

        assert self.drills is not None
        if request.method == "GET":
            return self._json({"drills": self.drills.describe()})
        try:
            body = await request.json()
            if not isinstance(body, dict):
                raise ValueError("expected a JSON object with drill_id and scenario (or toml)")
            drill_id = str(body.get("drill_id") or "")
            if isinstance(body.get("toml"), str):
                scenario = parse_scenario(body["toml"], path=str(body.get("path", "")))
            elif isinstance(body.get("scenario"), dict):
                scenario = scenario_from_dict(body["scenario"], path=str(body.get("path", "")))
            else:
                raise ValueError("give the scenario as `scenario` (its JSON form) or `toml` (its text)")
            if not scenario.events:
                raise ValueError("the scenario has no events")
            drill_id = drill_id or scenario.drill_id
            if drill_id in self.drills.running:
                return self._json({"error": f"drill {drill_id} is already running"}, 409)
            self._catch_up()
            run = self.drills.start(scenario, drill_id)
        except (ValueError, TypeError, json.JSONDecodeError) as exc:
            return self._json({"error": str(exc)}, 400)
        self._catch_up()       # events at offset 0 go out now
        return self._json(run.describe(), 201)

    async def h_drill_stop(self, request: web.Request) -> web.Response:
        assert self.drills is not None
        drill_id = request.match_info["id"]
        self._catch_up()
        try:
            run = self.drills.stop(drill_id)
        except KeyError:
            return self._json({"error": f"no running drill {drill_id!r}"}, 404)
        self._wake()
        return self._json({**run.describe(), "stopped_at": format_time(self.clock.now())})

    async def _date_header(self, request: web.Request, response: web.StreamResponse) -> None:
        """Every answer's `Date` is sim time, as a real backend's is its own clock's (the wall estimates it)."""
        response.headers["Date"] = format_datetime(self.clock.now(), usegmt=True)

    async def h_clock(self, request: web.Request) -> web.Response:
        """GET: sim time. POST {"hold": true|false, "advance_s": N, "speed": X}: drive the clock (tests, demos)."""
        if request.method == "POST":
            try:
                body = await request.json()
                if not isinstance(body, dict):
                    raise ValueError("expected a JSON object")
                if body.get("hold") is True:
                    self.clock.hold()
                elif body.get("hold") is False:
                    self.clock.release()
                if "speed" in body:
                    speed = float(body["speed"])
                    if not 0 < speed <= 10_000:
                        raise ValueError("speed must be in (0, 10000]")
                    self.clock.set_speed(speed)
                if "advance_s" in body:
                    self.clock.advance(float(body["advance_s"]))
            except (ValueError, TypeError, json.JSONDecodeError) as exc:
                return self._json({"error": str(exc)}, 400)
            self._catch_up()
        return self._json({"sim_time": format_time(self.clock.now()), "held": self.clock.held,
                           "speed": self.clock.speed})

    # --- cameras ----------------------------------------------------------------------------
    async def _reap_video(self) -> None:
        """Keep the always-on cameras streaming, stop the encoders nobody watches, forget preview URLs past use."""
        while True:
            if self.video is not None and self.video.available:
                self.video.reap_idle()
                for camera_id in self.video.pinned:
                    camera = self.cameras.get(camera_id)
                    if camera is not None and camera.online and camera_id not in self.video.running():
                        self._start_stream(camera)
            if self.rtsp is not None:
                self.rtsp.reap_idle()
            now = time.monotonic()
            for token, (_, expires, used) in list(self._previews.items()):
                if now > expires and now - used > PREVIEW_IN_USE_S:
                    del self._previews[token]
            await asyncio.sleep(1.0)

    def _start_stream(self, camera: SimCamera, *, rtsp: bool = False) -> None:
        """Start the camera's HLS (or RTSP) encoder without waiting for it, so it runs by the time the player
        asks (a failure is logged; the player's own request tries again)."""
        key = f"{camera.id}/{'rtsp' if rtsp else 'hls'}"
        if self.video is None or key in self._stream_starts:
            return

        async def start() -> None:
            try:
                if rtsp and self.rtsp is not None:
                    await self.rtsp.relay(camera)
                elif self.video is not None:
                    await self.video.hls_dir(camera)
            except RuntimeError as exc:
                log.warning("camera %s: %s", camera.id, exc)
            finally:
                self._stream_starts.pop(key, None)
        self._stream_starts[key] = asyncio.ensure_future(start())

    def _rtsp_grant(self, token: str) -> SimCamera | None:
        """The camera an RTSP URL's token was handed out for, while it is good (as for HLS, see h_video)."""
        grant = self._previews.get(token)
        now = time.monotonic()
        if grant is None or (now > grant[1] and now - grant[2] > PREVIEW_IN_USE_S):
            return None
        grant[2] = now
        return self.cameras.get(grant[0])

    def _camera_or_404(self, request: web.Request) -> SimCamera:
        camera = self.cameras.get(request.match_info["id"])
        if camera is None:
            raise web.HTTPNotFound(text=dumps({"error": f"no camera with id {request.match_info['id']!r}"}),
                                   content_type="application/json")
        return camera

    async def h_cameras(self, request: web.Request) -> web.Response:
        """The camera catalogue: every camera with its position, grid, status and protocols."""
        return self._json({"items": [encode_camera(c.camera) for c in self.cameras.values()],
                           "protocols": list(PROTOCOLS)})

    async def h_camera(self, request: web.Request) -> web.Response:
        return self._json(encode_camera(self._camera_or_404(request).camera))

    async def h_preview(self, request: web.Request) -> web.Response:
        """A short-lived stream URL for one camera: `?protocol=hls` (default) or `rtsp`."""
        camera = self._camera_or_404(request)
        protocol = request.query.get("protocol", "hls")
        if protocol not in PROTOCOLS:
            return self._json({"error": f"protocol must be one of {', '.join(PROTOCOLS)}"}, 400)
        if not camera.online:
            return self._json({"error": f"camera {camera.id} is offline"}, 409)
        if self.video is None or not self.video.available:
            return self._json({"error": "this simulator has no ffmpeg: no video"}, 503)
        token = secrets.token_urlsafe(16)
        now = time.monotonic()
        self._previews[token] = [camera.id, now + self.preview_ttl_s, 0.0]
        if protocol == "rtsp" and self.rtsp is not None:
            url = self.rtsp.url(token)
            self._start_stream(camera, rtsp=True)
        else:
            url = f"http://{self.host}:{self.port}{VIDEO}/{token}/index.m3u8"
            self._start_stream(camera)       # the encoder starts while the player is still being set up
        return self._json({"camera_id": camera.id, "protocol": protocol, "url": url,
                           "expires_in": self.preview_ttl_s})

    async def h_video(self, request: web.Request) -> web.StreamResponse:
        """A preview's HLS playlist or segment; the camera's encoder starts with the first playlist request."""
        name = request.match_info["file"]
        grant = self._previews.get(request.match_info["token"])
        now = time.monotonic()
        if grant is None or (now > grant[1] and now - grant[2] > PREVIEW_IN_USE_S):
            return self._json({"error": "preview URL unknown or expired: ask /cameras/{id}/preview again"}, 403)
        camera = self.cameras.get(grant[0])
        if camera is None or not camera.online or self.video is None or not VIDEO_FILE.fullmatch(name):
            return self._json({"error": "no such stream"}, 404)
        grant[2] = now
        if name == "index.m3u8":
            try:
                directory = await self.video.hls_dir(camera)
            except RuntimeError as exc:
                return self._json({"error": str(exc)}, 503)
            try:
                body = served_playlist((directory / name).read_bytes())
            except OSError:
                return self._json({"error": "stream restarting"}, 503)
            return web.Response(body=body, content_type="application/vnd.apple.mpegurl",
                                headers={"Cache-Control": "no-cache"})
        self.video.touch(camera.id)
        folder = self.video.directory(camera.id)
        path = folder / name if folder is not None else None
        if path is None or not path.is_file():
            return self._json({"error": "segment gone"}, 404)
        try:
            body = path.read_bytes()
        except OSError:
            return self._json({"error": "segment gone"}, 404)
        return web.Response(body=body, content_type="video/mp2t")

    async def h_camera_control(self, request: web.Request) -> web.Response:
        """GET: which cameras are on and streaming. POST {"id": ..., "online": bool}: switch a camera."""
        if request.method == "POST":
            try:
                body = await request.json()
                if not isinstance(body, dict) or not isinstance(body.get("online"), bool):
                    raise ValueError('expected {"id": CAMERA_ID, "online": true|false}')
                camera = self.cameras.get(str(body.get("id")))
                if camera is None:
                    return self._json({"error": f"no camera with id {body.get('id')!r}"}, 404)
            except (ValueError, json.JSONDecodeError) as exc:
                return self._json({"error": str(exc)}, 400)
            camera.set_online(body["online"], self.clock.now())
            if not camera.online and self.video is not None:
                self.video.stop(camera.id)
            if not camera.online and self.rtsp is not None:
                self.rtsp.stop(camera.id)
            return self._json(encode_camera(camera.camera))
        return self._json({"offline": [c.id for c in self.cameras.values() if not c.online],
                           "streaming": self.video.running() if self.video is not None else [],
                           "streaming_rtsp": self.rtsp.running() if self.rtsp is not None else []})

    # --- push -------------------------------------------------------------------------------
    def _cursor(self, request: web.Request) -> int:
        raw = request.headers.get("Last-Event-ID") or request.query.get("since") or request.query.get("cursor")
        if raw in (None, ""):
            return 0
        try:
            return int(raw)
        except ValueError:
            raise web.HTTPBadRequest(text=json.dumps({"error": "cursor must be an integer"}),
                                     content_type="application/json") from None

    def _gone(self, cursor: int) -> web.Response:
        return self._json({"error": f"cursor {cursor} is older than the retained window "
                                    f"(first retained seq {self.log.first_seq}); re-sync by polling "
                                    f"the REST endpoints, then resume from their last_seq",
                           "first_seq": self.log.first_seq, "last_seq": self.log.last_seq}, 410)

    async def h_stream(self, request: web.Request) -> web.StreamResponse:
        cursor = self._cursor(request)
        if not self.log.resumable(cursor):
            return self._gone(cursor)
        resp = web.StreamResponse(headers={"Content-Type": "text/event-stream; charset=utf-8",
                                           "Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
        state: dict[str, Any] = {}
        f = self.faults
        try:
            await resp.prepare(request)
            await resp.write(f"retry: {self.retry_ms}\n: commandcenter sim, resuming after {cursor}\n\n".encode())
            while not self.stopped:
                if f.stall:
                    await asyncio.sleep(0.05)
                    continue
                if not await self.wait_new(cursor, self.heartbeat_s):
                    if not f.stall and not self.stopped:
                        await resp.write(b": heartbeat\n\n")
                    continue
                if f.stall:
                    continue
                if not self.log.resumable(cursor):
                    await resp.write(b"event: error\ndata: {\"error\": \"client fell behind the retained window\"}\n\n")
                    break
                batch = self.log.after(cursor, PUSH_BATCH)
                if not batch:
                    continue
                frames, drop = self._push_frames(batch, True, state)
                if f.latency_ms > 0:
                    await asyncio.sleep(f.latency_ms / 1000.0)
                if drop:
                    cursor = batch[min(len(batch), len(frames)) - 1].seq
                    await resp.write(b"".join(frames))
                    self._abort(request)
                    return resp
                cursor = batch[-1].seq
                if frames:
                    await resp.write(b"".join(frames))
        except (ConnectionError, asyncio.CancelledError):
            pass   # the client went away
        return resp

    @staticmethod
    def _abort(request: web.Request) -> None:
        transport = request.transport
        if transport is not None:
            transport.close()

    async def h_ws(self, request: web.Request) -> web.StreamResponse:
        cursor = self._cursor(request)
        if not self.log.resumable(cursor):
            return self._gone(cursor)
        ws = web.WebSocketResponse(autoping=True, max_msg_size=1 << 20)
        await ws.prepare(request)
        self._conns.add(ws)
        # one pending receive() at a time, awaited alongside "new messages": it sees the client's close
        recv: asyncio.Future[Any] = asyncio.ensure_future(ws.receive())
        state: dict[str, Any] = {}
        f = self.faults
        try:
            while not self.stopped and not ws.closed:
                if recv.done():
                    if recv.result().type in (WSMsgType.CLOSE, WSMsgType.CLOSING, WSMsgType.CLOSED, WSMsgType.ERROR):
                        break
                    recv = asyncio.ensure_future(ws.receive())   # clients may send pings/text; ignored
                    continue
                if f.stall:
                    await asyncio.wait({recv}, timeout=0.05)
                    continue
                if self.log.last_seq <= cursor:
                    waiter = asyncio.ensure_future(self.wait_new(cursor, self.heartbeat_s))
                    done, _ = await asyncio.wait({recv, waiter}, return_when=asyncio.FIRST_COMPLETED)
                    if waiter not in done:
                        waiter.cancel()
                        continue
                    if not waiter.result():
                        if not f.stall:
                            await ws.send_str(dumps({"seq": cursor, "type": "heartbeat",
                                                     "sent_at": format_time(self.clock.now()),
                                                     "data": {"last_seq": self.log.last_seq}}))
                        continue
                if f.stall:
                    continue
                if not self.log.resumable(cursor):
                    await ws.close(code=4410, message=b"cursor older than the retained window")
                    break
                batch = self.log.after(cursor, PUSH_BATCH)
                if not batch:
                    continue
                frames, drop = self._push_frames(batch, False, state)
                if f.latency_ms > 0:
                    await asyncio.sleep(f.latency_ms / 1000.0)
                for text in frames:
                    await ws.send_str(text)
                if drop:
                    self._abort(request)
                    break
                cursor = batch[-1].seq
                await asyncio.sleep(0)
        except (ConnectionResetError, asyncio.CancelledError):
            pass
        finally:
            recv.cancel()
            self._conns.discard(ws)
        if not ws.closed:
            try:
                await ws.close()
            except Exception:
                pass
        return ws
