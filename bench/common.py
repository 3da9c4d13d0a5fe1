"""What the wall benchmarks share: the JSON result line, an honest heartbeat, RSS, synthetic records, the wall.

Every bench script prints one JSON object per line on stdout (`emit`); `python -m bench` collects them.
Nothing here is a unit test: these are bounded scripts that stop by themselves.
"""
from __future__ import annotations

import argparse
import gc
import json
import os
import random
import sys
import time
import types
from datetime import datetime, timedelta, UTC
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

FRAME_MS = 1000.0 / 60.0


# --- results -----------------------------------------------------------------------------------
def emit(name: str, value: float | None, unit: str, target: float | None, *, better: str = "lower",
         floor: float | None = None, **extra: Any) -> dict[str, Any]:
    """Print one result line. better: "lower" (value ≤ target) or "higher" (value ≥ target)."""
    if value is None or target is None:
        ok = None if target is None else False
    else:
        ok = value <= target if better == "lower" else value >= target
    line: dict[str, Any] = {"name": name, "value": _round(value), "unit": unit, "target": target,
                            "better": better}
    if floor is not None:
        line["floor"] = _round(floor)
    line["ok"] = ok
    line.update({k: _round(v) if isinstance(v, float) else v for k, v in extra.items()})
    print(json.dumps(line, ensure_ascii=False), flush=True)
    return line


def _round(v: Any) -> Any:
    if isinstance(v, float):
        return round(v, 3 if abs(v) < 100 else 1)
    return v


def note(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def parser(doc: str) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=doc)
    p.add_argument("--quick", action="store_true", help="CI-sized run")
    return p


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    k = (len(s) - 1) * q / 100.0
    lo = int(k)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


# --- memory ------------------------------------------------------------------------------------
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def rss_mb(collect: bool = True) -> float:
    """Resident set size of this process in MB (after a gc.collect() by default)."""
    if collect:
        gc.collect()
    with open("/proc/self/statm") as fh:
        resident = int(fh.read().split()[1])
    return resident * _PAGE / 1e6


# --- the services package even while the feeds package is being written ------------------------
def import_services() -> types.ModuleType:
    """`commandcenter.services`; if its ingest half cannot import yet, the Qt-free live state alone."""
    try:
        import commandcenter.services as services
        return services
    except ImportError as exc:  # feeds not landed yet: load live_state without the package __init__
        note(f"bench: commandcenter.services incomplete ({exc}); using live_state only")
        for name in [n for n in sys.modules if n.startswith("commandcenter.services")]:
            del sys.modules[name]
        pkg = types.ModuleType("commandcenter.services")
        pkg.__path__ = [str(ROOT / "commandcenter" / "services")]  # type: ignore[attr-defined]
        sys.modules["commandcenter.services"] = pkg
        import commandcenter  # noqa: F401
        from commandcenter.services import live_state

        pkg.LiveState = live_state.LiveState  # type: ignore[attr-defined]
        pkg.Change = live_state.Change  # type: ignore[attr-defined]
        pkg.IngestPipeline = None  # type: ignore[attr-defined]
        return pkg


# --- synthetic records -------------------------------------------------------------------------
def utcnow() -> datetime:
    return datetime.now(UTC)


def make_incidents(n: int, *, start: int = 0, now: datetime | None = None, open_share: float = 1.0,
                   grids: int = 6098, seed: int = 1, prefix: str = "bench") -> list:
    """n plausible incidents (ids `{prefix}-{i}`), reported over the last day, mostly open."""
    from commandcenter.domain import Category, Incident, Severity, Source, Status

    rng = random.Random(seed + start)
    now = now or utcnow()
    cats, sources = list(Category), list(Source)
    open_statuses = [Status.REPORTED, Status.ACCEPTED, Status.DISPATCHED, Status.HANDLING]
    titles = ["道路积水", "占道经营", "楼道堆物", "井盖缺失", "噪声扰民", "路灯不亮", "垃圾满溢", "违章停车",
              "管道漏水", "邻里纠纷", "独居老人探访", "电动车违规充电"]
    out = []
    for i in range(start, start + n):
        reported = now - timedelta(seconds=rng.uniform(0, 86_400))
        is_open = rng.random() < open_share
        status = rng.choice(open_statuses) if is_open else Status.CLOSED
        out.append(Incident(
            id=f"{prefix}-{i}", version=1, updated_at=now, reported_at=reported,
            title=f"{rng.choice(titles)} #{i}", category=rng.choice(cats), source=rng.choice(sources),
            severity=Severity(rng.choices([1, 2, 3, 4], weights=[50, 30, 15, 5])[0]), status=status,
            grid_id=f"G{rng.randrange(grids):05d}", lon=120.0 + rng.random(), lat=30.0 + rng.random(),
            emergency=rng.random() < 0.01, closed_at=now if not is_open else None,
            description="模拟事件描述" * 4, reporter="网格员", handler="街道综治中心",
        ))
    return out


def incident_wire(inc) -> dict[str, Any]:
    from commandcenter.domain import encode

    return encode(inc)


# --- Qt ----------------------------------------------------------------------------------------
def wall_config(feeds: list[dict] | None = None):
    """The default config with `feeds` (default none: benches attach their own)."""
    from commandcenter.config import DEFAULT_CONFIG, FeedSection, load_config

    cfg = load_config(DEFAULT_CONFIG)
    return cfg.model_copy(update={"feeds": [FeedSection(**f) for f in feeds or []]})


def sse_feed(url: str, name: str = "city", **kw: Any) -> dict:
    return {"name": name, "kind": "native", "url": url, "mode": "sse", "interval": 1.0, **kw}


def qasync_loop(qapp):
    import asyncio

    import qasync

    loop = qasync.QEventLoop(qapp)
    asyncio.set_event_loop(loop)
    return loop


def app(config=None):
    from commandcenter.ui.app import make_app

    return make_app(config or wall_config(), ["bench"])


def live_page(config):
    """The config's first page. Tile kinds this build cannot make yet (issue work in progress) become
    empty placeholder tiles, so the layout stays the real one. Returns (page, missing kinds)."""
    from commandcenter.ui.tiles import TILE_BUILDERS

    page = config.pages[0]
    missing = [t.kind for t in page.tiles if t.kind not in TILE_BUILDERS]
    return page, missing


def build_wall(live, config=None, *, width: int = 3840, height: int = 2160, show: bool = True, cameras=None):
    """The real WallWindow (as WallApp.build_window makes it) over `live`, sized and shown offscreen; its video
    tiles play from `cameras` (a CameraDirectory). Returns (window, tile kinds missing from this build)."""
    from commandcenter.ui.tiles import TILE_BUILDERS, TileContext
    from commandcenter.ui.wall import WallWindow

    config = config or wall_config()
    page, missing = live_page(config)
    wall_clock = utcnow
    ctx = TileContext(live, config, wall_clock, cameras=cameras)

    def build(section):
        builder = TILE_BUILDERS.get(section.kind)
        if builder is None:
            from commandcenter.ui.tiles import Tile
            return Tile(live, f"({section.kind})")
        return builder(ctx, section)

    window = WallWindow(config.wall.title, live, page, build, clock=wall_clock)
    window.resize(width, height)
    if show:
        window.show()
    return window, missing


def incident_views(window) -> list:
    return [t.view for t in window.tiles() if getattr(t, "kind", "") == "incidents" and hasattr(t, "view")]


def flush_models(window) -> None:
    for tile in window.tiles():
        model = getattr(tile, "model", None)
        if model is not None and hasattr(model, "flush"):
            model.flush()


def process(app_, ms: float = 0.0) -> None:
    """Process events for `ms` milliseconds (at least once)."""
    from PySide6.QtCore import QEventLoop

    end = time.perf_counter() + ms / 1000.0
    while True:
        app_.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 5)
        if time.perf_counter() >= end:
            break


class Heartbeat:
    """A single-shot Qt.PreciseTimer re-armed every `interval_ms`; records how late each beat fired (ms)."""

    def __init__(self, interval_ms: int = 5):
        from PySide6.QtCore import QTimer, Qt

        self.interval_ms = interval_ms
        self.lateness: list[float] = []
        self._timer = QTimer()
        self._timer.setSingleShot(True)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self._beat)
        self._due = 0.0
        self.running = False

    def start(self) -> None:
        self.lateness.clear()
        self.running = True
        self._arm()

    def stop(self) -> None:
        self.running = False
        self._timer.stop()

    def _arm(self) -> None:
        self._due = time.perf_counter() + self.interval_ms / 1000.0
        self._timer.start(self.interval_ms)

    def _beat(self) -> None:
        self.lateness.append(max(0.0, (time.perf_counter() - self._due) * 1000.0))
        if self.running:
            self._arm()

    @property
    def worst(self) -> float:
        return max(self.lateness, default=0.0)


class PaintProbe:
    """Records when each incident id is first painted in an incident table view.

    Wraps the view's paintEvent (the view paints its viewport there): after Qt has painted, the rows
    inside the viewport are the ones on screen; each new id gets the perf_counter time of that paint.
    """

    def __init__(self, view, wanted=None):
        self.view = view
        self.first_painted: dict[str, float] = {}
        self.wanted = wanted  # a callable(id) -> bool, or None for every id
        self.paints = 0
        self.paint_ms: list[float] = []
        self.first_painted_wall: dict[str, float] = {}
        self.last_wall = 0.0
        original = type(view).paintEvent   # the view's own paint (the wall's tables paint their cells themselves)

        def paint_event(event, _view=view):
            t0 = time.perf_counter()
            original(_view, event)
            t1 = time.perf_counter()
            self.last_wall = time.time()
            self.paints += 1
            self.paint_ms.append((t1 - t0) * 1000.0)
            self._record(t1)

        view.paintEvent = paint_event

    def _record(self, t: float) -> None:
        view = self.view
        model = view.model()
        if model is None or model.rowCount() == 0:
            return
        top = view.rowAt(0)
        bottom = view.rowAt(view.viewport().height() - 1)
        if top < 0:
            return
        if bottom < 0:
            bottom = model.rowCount() - 1
        for r in range(top, bottom + 1):
            rid = model.incident_at(r).id
            if rid not in self.first_painted and (self.wanted is None or self.wanted(rid)):
                self.first_painted[rid] = t
                self.first_painted_wall[rid] = self.last_wall


# --- the wall as `commandcenter run` makes it: a recorder child, the wall following the store ------------------
#: The stages of a record's path in follow mode that this process sees (the child's own stages are its own).
FOLLOW_STAGES = ("committed", "live")


def add_mode_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--in-process", action="store_true",
                   help="the old in-process pipeline (feeds → store → live state in the wall's process) instead of "
                        "the wall as `commandcenter run` makes it on SQLite (a recorder child, the wall following)")


def mode_name(in_process: bool) -> str:
    return "in_process" if in_process else "follow"


class FollowingPipeline:
    """The wall's side of `commandcenter run` on SQLite: its recorder child (`commandcenter record` on the config,
    written to `folder`, started by `RecorderSupervisor` exactly as `run` starts it) and the `StoreFollower` that
    brings the child's commits into the live state. Stands in for IngestPipeline where the benches use one:
    start(), close(), load_initial_state(), `trace` (stamped here with the commit's time and when the live state
    has it: FOLLOW_STAGES), `batches_applied` (commits with records delivered), `feeds` (none: the child's)."""

    def __init__(self, config, store, live, folder: Path) -> None:
        from commandcenter.cli.common import with_follow, write_config
        from commandcenter.services.live_commits import LiveCommits
        from commandcenter.services.recorder_child import RecorderSupervisor, recorder_argv

        url = store.engine.url.render_as_string(hide_password=False)
        path = write_config(with_follow(config, True), url, Path(folder) / "wall.toml",
                            "The bench's wall config, recorded by its recorder child.")
        self.store = store
        self.commits = LiveCommits(live)
        self.recorder = RecorderSupervisor(recorder_argv(path, url))
        self.follower = None
        self.trace = None
        self.batches_applied = 0
        self.feeds: list = []

    async def load_initial_state(self) -> None:
        """The bench's store starts empty: the follower reads everything from the first commit."""

    async def start(self) -> None:
        from commandcenter.services.follower import StoreFollower

        self.follower = StoreFollower(self.store, self.commits, on_commit=self._delivered)
        await self.follower.start(after=0)
        await self.recorder.start()

    def _delivered(self, d) -> None:
        now = time.perf_counter()
        entry = d.entry
        if not entry.records:
            return
        self.batches_applied += 1
        if self.trace is not None:
            ids = [r.id for r in entry.incidents]
            self.trace.mark("committed", ids, now - (time.time() - d.committed_at.timestamp()))
            self.trace.mark("live", ids, now)

    async def close(self) -> None:
        await self.recorder.stop()
        if self.follower is not None:
            await self.follower.stop()


def feed_live(live, name: str) -> bool:
    """Whether the live state shows feed `name` live (in follow mode: as the recorder child reported it)."""
    from commandcenter.domain import FeedState

    h = live.health.get(name)
    return h is not None and h.state is FeedState.LIVE


async def start_wall(config, store_url: str, *, width: int = 3840, height: int = 2160, start_feeds: bool = True,
                     in_process: bool = False, folder: Path | None = None):
    """What WallApp.start does, with the bench's window builder: store on its thread, initial state, window,
    feeds. Follow mode (the default; `folder` holds the child's config): the feeds run in a recorder child and the
    wall follows the store, as `commandcenter run` on SQLite. Returns (store, live, pipeline, window, missing tile
    kinds)."""
    import asyncio

    services = import_services()
    from commandcenter.store import Store

    loop = asyncio.get_running_loop()
    store = await loop.run_in_executor(None, Store.open, store_url)
    live = services.LiveState()
    if in_process:
        pipeline = services.IngestPipeline(config, store, live)
    else:
        assert folder is not None, "follow mode writes its recorder's config to a folder"
        pipeline = FollowingPipeline(config, store, live, folder)
    await pipeline.load_initial_state()
    window, missing = build_wall(live, config, width=width, height=height)
    if start_feeds:
        await pipeline.start()
    return store, live, pipeline, window, missing


async def stop_wall(store, pipeline, window) -> None:
    await pipeline.close()
    window.close()
    window.deleteLater()
    store.close()


async def wait_for(predicate, timeout: float, step: float = 0.02) -> bool:
    import asyncio

    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        await asyncio.sleep(step)
    return bool(predicate())


# --- the simulator as a separate process (a real backend on loopback) ---------------------------
class SimProcess:
    """`python bench/common.py simhost ...`: a SimServer (quiet city) in its own process that publishes
    bench incidents through its real message log, SSE and REST, each stamped `sent_at` = publish time.

    Publishing starts when `go()` is called and stops after `duration` s (or when we close stdin).
    """

    def __init__(self, *, rate: float = 0.0, duration: float = 0.0, preload: int = 0, emergency_every: int = 0,
                 prefix: str = "ev", seed: int = 1, profile: str = "street", port: int = 0, burst: int = 0,
                 soak: bool = False, prebuilt: bool = False):
        """`prebuilt`: the burst's records are made and encoded before serving, so on `go()` the simulator only
        appends them to its log (the publish then costs the sim as little as a preload does)."""
        import subprocess

        cmd = [sys.executable, str(Path(__file__).resolve()), "simhost", "--rate", str(rate), "--duration",
               str(duration), "--preload", str(preload), "--emergency-every", str(emergency_every),
               "--prefix", prefix, "--seed", str(seed), "--profile", profile, "--port", str(port),
               "--burst", str(burst)] + (["--soak", "1"] if soak else []) + (["--prebuilt", "1"] if prebuilt else [])
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)
        self.url = ""
        self.preloaded_seq = 0
        while True:
            line = self.proc.stdout.readline()
            if not line:
                raise RuntimeError("simhost exited before serving")
            if line.startswith("URL "):
                _, self.url, seq = line.split()
                self.preloaded_seq = int(seq)
                break

    def go(self) -> None:
        self.proc.stdin.write("go\n")
        self.proc.stdin.flush()

    def wait_done(self, timeout: float) -> dict[str, Any]:
        """Block until the publisher reports it finished; returns its summary."""
        import select

        end = time.monotonic() + timeout
        while time.monotonic() < end:
            r, _, _ = select.select([self.proc.stdout], [], [], 0.1)
            if r:
                line = self.proc.stdout.readline()
                if line.startswith("DONE "):
                    return json.loads(line[5:])
                if not line:
                    break
        return {}

    def close(self) -> None:
        try:
            self.proc.stdin.close()
        except OSError:
            pass
        try:
            self.proc.wait(timeout=10)
        except Exception:
            self.proc.kill()
            self.proc.wait()


def _simhost(argv: list[str]) -> None:
    import asyncio

    p = argparse.ArgumentParser()
    for name, typ in [("rate", float), ("duration", float), ("preload", int), ("emergency-every", int),
                      ("seed", int), ("port", int), ("burst", int), ("soak", int), ("prebuilt", int)]:
        p.add_argument(f"--{name}", type=typ, default=0)
    p.add_argument("--prefix", default="ev")
    p.add_argument("--profile", default="street")
    a = p.parse_args(argv)

    from commandcenter.domain import encode
    from commandcenter.sim import SimServer
    from commandcenter.sim.log import dumps

    server = SimServer(profile=a.profile, seed=a.seed or 1, random_city=False, min_live_rate=0.0,
                       history_hours=0.0, port=a.port, log_cap=2_000_000, heartbeat_s=1.0)
    server.build()
    n = 0
    tracked: dict[str, float] = {}

    def publish(count: int, now: datetime) -> None:
        nonlocal n
        recs = make_incidents(count, start=n, now=now, prefix=a.prefix, seed=a.seed)
        for rec in recs:
            if a.emergency_every and int(rec.id.rsplit("-", 1)[1]) % a.emergency_every == 0:
                from dataclasses import replace
                rec = replace(rec, emergency=True, reported_at=now, title="紧急 " + rec.title)
                tracked[rec.id] = now.timestamp()
            else:
                from dataclasses import replace
                rec = replace(rec, reported_at=now - timedelta(seconds=5))
            server.log.append("incident", rec.id, encode(rec), now)
        n += count

    for start in range(0, a.preload, 5000):
        publish(min(5000, a.preload - start), utcnow())
    prebuilt = [(r.id, data, dumps(data)) for r in make_incidents(a.burst, prefix=a.prefix, seed=a.seed)
                for data in (encode(r),)] if a.prebuilt else []

    async def main() -> None:
        await server.start()
        print(f"URL {server.url} {server.log.last_seq}", flush=True)
        loop = asyncio.get_running_loop()
        line = await loop.run_in_executor(None, sys.stdin.readline)
        if line.strip() == "go" and a.burst > 0:
            t0 = time.perf_counter()
            for start in range(0, a.burst, 5000):
                if prebuilt:
                    now = utcnow()
                    for rid, data, text in prebuilt[start:start + 5000]:
                        server.log.append("incident", rid, data, now, data_text=text)
                else:
                    publish(min(5000, a.burst - start), utcnow())
                server._wake()
                await asyncio.sleep(0)     # what is published is streamed while the rest is (as a backend does)
            server._wake()
            print("DONE " + json.dumps({"sent": a.burst, "seconds": time.perf_counter() - t0,
                                        "last_seq": server.log.last_seq}), flush=True)
            await loop.run_in_executor(None, sys.stdin.readline)
        elif line.strip() == "go" and a.soak:
            await _soak(server, a, loop)
        elif line.strip() == "go" and a.rate > 0:
            t0 = time.perf_counter()
            sent = 0
            while True:
                elapsed = time.perf_counter() - t0
                if elapsed >= a.duration:
                    break
                due = int(elapsed * a.rate) + 1 - sent
                if due > 0:
                    publish(due, utcnow())
                    sent += due
                    server._wake()
                await asyncio.sleep(0.002)
            print("DONE " + json.dumps({"sent": sent, "seconds": time.perf_counter() - t0, "sent_at": tracked}),
                  flush=True)
            await loop.run_in_executor(None, sys.stdin.readline)
        await server.stop()

    asyncio.run(main())


async def _soak(server, a, loop) -> None:
    """a.rate messages/s for a.duration s: 1 in 5 a new incident, the rest the next status of an open one
    (reported → accepted → dispatched → handling → closed), so the open set stays about constant; an alert
    every 5 s. Prints DONE when finished."""
    import asyncio
    from dataclasses import replace

    from commandcenter.domain import (Alert, AlertLevel, AlertStatus, AlertType, Status, encode)

    chain = [Status.REPORTED, Status.ACCEPTED, Status.DISPATCHED, Status.HANDLING, Status.CLOSED]
    open_: list = []
    n_new = 0
    n_alert = 0
    sent = 0
    t0 = time.perf_counter()
    next_alert = 0.0
    while True:
        elapsed = time.perf_counter() - t0
        if elapsed >= a.duration:
            break
        due = int(elapsed * a.rate) + 1 - sent
        now = utcnow()
        for _ in range(max(0, due)):
            if sent % 5 == 0 or not open_:
                rec = make_incidents(1, start=n_new, now=now, prefix="soak", seed=a.seed)[0]
                rec = replace(rec, status=Status.REPORTED, reported_at=now)
                n_new += 1
                open_.append(rec)
            else:
                old = open_.pop(0)
                nxt = chain[chain.index(old.status) + 1]
                rec = replace(old, version=old.version + 1, status=nxt, updated_at=now,
                              closed_at=now if nxt is Status.CLOSED else None)
                if nxt is not Status.CLOSED:
                    open_.append(rec)
            server.log.append("incident", rec.id, encode(rec), now)
            sent += 1
        if elapsed >= next_alert:
            next_alert += 5.0
            alert = Alert(id=f"soak-alert-{n_alert}", version=1, updated_at=now, level=AlertLevel((n_alert % 4) + 1),
                          type=AlertType.WEATHER, title=f"暴雨预警 {n_alert}", status=AlertStatus.ACTIVE,
                          issued_at=now, expires_at=now + timedelta(minutes=2), area_desc="全市")
            server.log.append("alert", alert.id, encode(alert), now)
            n_alert += 1
        if due > 0:
            server._wake()
        await asyncio.sleep(0.01)
    print("DONE " + json.dumps({"sent": sent, "new": n_new, "alerts": n_alert, "open": len(open_),
                                "seconds": time.perf_counter() - t0}), flush=True)
    await loop.run_in_executor(None, sys.stdin.readline)


if __name__ == "__main__" and len(sys.argv) > 1 and sys.argv[1] == "simhost":
    _simhost(sys.argv[2:])
