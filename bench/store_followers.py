"""followers_*: what N walls following one store cost, behind one recorder at 200 events/s (issue 20, point 5).

For each N (1, 4, 16; `--quick`: 1, 4): a fresh database on the PostgreSQL test server, the simulated city in a
process of its own publishing `--rate` incidents/s over SSE (every 10th an emergency, stamped `sent_at`), one
recorder (`commandcenter record`, a real subprocess: the only client of the backend) and N followers, each a process
of its own:
- one real offscreen wall (3840×2160, the default page; `--no-wall` leaves it out): StoreFollower + LiveCommits into
  the window's live state; a probe on its incident table stamps when each emergency is first painted, so
  event→pixel = painted − the simulator's `sent_at` (both wall clocks of this machine);
- N − 1 headless followers reading exactly what a wall reads (StoreFollower + LiveCommits + LiveState, Qt-free).
  They stand in for walls on other machines, so by default they run at a lower CPU priority (`--followers-nice`,
  default +10: os.nice in each follower process): on this machine's shared cores the real wall then gets the share
  its own machine would give it, and its event→pixel is the wall's, not the 2 cores'. What the followers cost is
  still measured whatever their priority: their own CPU (per second, per commit, per event), PostgreSQL's CPU
  for their sessions, their connections and their notification lag. `--followers-nice 0` runs every process at
  the same priority (the wall then competes with 15 followers for 2 cores); the output says which.

Measured over the stream (from `go` until every follower has applied the last commit):
- backend requests/s the simulator served (`GET _control/requests`): must not depend on N;
- PostgreSQL's CPU from /proc: the backends of this database (by application_name: the recorder's, each follower's)
  and the whole server (its background processes are shared with whoever else uses the test server);
- connections (pg_stat_activity of this database, by application_name), read mid-stream;
- notification lag per follower: the commit_log row's `committed_at` (the recorder's clock when the batch was
  received, so the recorder's own transaction is inside the lag) → the follower's clock once LiveCommits has applied
  the commit (same machine, same clock);
- each follower's CPU (its process, /proc);
- completeness: every follower was handed every commit of the log exactly once and in order, and every incident
  the simulator published.

One JSON line per figure on stdout (`followers_*_n{N}`), a table on stderr.

    python bench/store_followers.py [--quick] [--followers 1,4,16] [--seconds 30] [--pg-url URL] [--no-wall]
                                    [--followers-nice 10]
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import select
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
for p in (str(HERE), str(ROOT)):
    if p not in sys.path:
        sys.path.insert(0, p)

from common import SimProcess, emit, note, percentile  # noqa: E402

from commandcenter.store.recorder_lock import APPLICATION_NAME as LOCK_APP  # noqa: E402

EMERGENCY_EVERY = 10
WALL_APP = "bench-wall"
FOLLOWER_APP = "bench-follower-{}"
RECORDER_APP = "commandcenter-record"
HARNESS_APP = "bench-harness"          # this script's own sessions: not counted
FOLLOWERS_NICE = 10                    # the headless followers' CPU priority by default (see the docstring)
_TICK = os.sysconf("SC_CLK_TCK")


# --- the processes' CPU and PostgreSQL's sessions ---------------------------------------------------------------
def cpu_s(pid: int) -> float | None:
    """CPU seconds (user + system) process `pid` has used; None once it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / _TICK


def server_pids(postmaster: int) -> list[int]:
    """The PostgreSQL server: the postmaster and every process it started."""
    pids = [postmaster]
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            if ppid == postmaster:
                pids.append(int(entry))
    return pids


def parent_of(pid: int) -> int:
    with open(f"/proc/{pid}/stat") as fh:
        return int(fh.read().rsplit(")", 1)[1].split()[1])


@dataclass
class Sessions:
    """This database's sessions: backend pid → application_name."""

    by_pid: dict[int, str]

    def count_by_app(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for app in self.by_pid.values():
            key = role_of(app)
            out[key] = out.get(key, 0) + 1
        return out


def role_of(app: str) -> str:
    """An application_name as the table groups it: recorder, recorder lock, wall, follower-i."""
    if app.startswith(LOCK_APP):         # first: the lock's name begins like the recorder's
        return "recorder-lock"
    if app.startswith(RECORDER_APP):
        return "recorder"
    return app or "(unnamed)"


def sessions(engine: Any, database: str) -> Sessions:
    from sqlalchemy import text

    with engine.connect() as c:
        rows = c.execute(text("SELECT pid, application_name FROM pg_stat_activity WHERE datname = :db "
                              "AND application_name NOT LIKE :harness"),
                         {"db": database, "harness": HARNESS_APP + "%"}).all()
    return Sessions({int(pid): str(app or "") for pid, app in rows})


class NotifyStamps:
    """When each commit's NOTIFY reached this process (a LISTEN of its own, on a thread): splits a follower's lag
    into commit → notified (the recorder's transaction and PostgreSQL's delivery) and notified → applied (the
    follower's wake, read, decode and apply)."""

    def __init__(self, url: str) -> None:
        import threading

        self.url = url
        self.at: dict[int, float] = {}
        self._stop = threading.Event()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name="bench-listen", daemon=True)
        self._thread.start()
        if not self._ready.wait(30):
            raise RuntimeError("the bench's LISTEN did not connect")

    def _run(self) -> None:
        import psycopg

        from commandcenter.store.commits import CHANNEL

        with psycopg.connect(self.url, autocommit=True, application_name=HARNESS_APP) as conn:
            conn.execute(f"LISTEN {CHANNEL}")
            self._ready.set()
            while not self._stop.is_set():
                for n in conn.notifies(timeout=0.2):
                    self.at.setdefault(int(n.payload), time.time())

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5)


# --- the followers (their own processes) ------------------------------------------------------------------------
def _open_store(url: str, config_path: str) -> Any:
    """The store as `commandcenter record` and the wall open it (the same calendar and limits: no rollup rebuild)."""
    from commandcenter.config import load_config
    from commandcenter.domain import kpis as DK
    from commandcenter.store import Store

    config = load_config(config_path)
    return Store.open(url, retention_days=config.store.retention_days, tz=config.store.timezone,
                      limits=DK.limits_for_hours(config.deadlines.hours))


@dataclass
class Applied:
    """What a follower process was handed: positions in the order handed on; (position, committed_at, applied at)
    per commit (in the order their stamps completed); incidents of the run."""

    delivered: list[int] = field(default_factory=list)
    commits: list[tuple[int, float, float]] = field(default_factory=list)
    incidents: int = 0

    def applied_up_to(self, position: int) -> bool:
        return bool(self.delivered) and self.delivered[-1] >= position and len(self.commits) == len(self.delivered)


def _observe(commits: Any, prefix: str, out: Applied) -> Callable[[Any], None]:
    """The follower's on_commit: stamp each commit once LiveCommits has applied it (its queue drained). One
    stamping task for the commits handed on while it waits (a wall has no such task: kept out of its cost)."""
    waiting: list[tuple[int, float]] = []
    pending: set[asyncio.Task[None]] = set()

    async def applied() -> None:
        await commits.settled()           # every commit handed on so far is in the live state
        now = time.time()
        out.commits.extend((position, committed_at, now) for position, committed_at in waiting)
        waiting.clear()

    def on_commit(d: Any) -> None:
        out.incidents += sum(1 for r in d.entry.incidents if r.id.startswith(prefix + "-"))
        out.delivered.append(d.position)
        waiting.append((d.position, d.committed_at.timestamp()))
        if len(waiting) == 1:
            task = asyncio.ensure_future(applied())
            pending.add(task)
            task.add_done_callback(pending.discard)

    return on_commit


async def _follow_until_told(store: Any, follower: Any, out: Applied, extra: Callable[[], dict[str, Any]],
                             settle_s: float = 0.0) -> None:
    """Follow from the log's start; READY once caught up; on `stop P` wait until P is applied, print the result."""
    loop = asyncio.get_running_loop()
    await follower.start(after=0)
    start = await loop.run_in_executor(None, store.commit_position)
    while follower.position < start:
        await asyncio.sleep(0.05)
    print(f"READY {start}", flush=True)
    line = await loop.run_in_executor(None, sys.stdin.readline)
    final = int(line.split()[1]) if line.startswith("stop ") else 0
    end = time.monotonic() + 60
    while not out.applied_up_to(final) and time.monotonic() < end:
        await asyncio.sleep(0.02)
    await asyncio.sleep(settle_s)           # a wall: the last rows flushed to the model and painted
    print("RESULT " + json.dumps({"delivered": out.delivered, "commits": out.commits, "incidents": out.incidents,
                                  **extra()}), flush=True)
    await loop.run_in_executor(None, sys.stdin.readline)        # the bench reads CPU while we are still alive
    await follower.stop()


def headless(url: str, config_path: str, prefix: str, nice: str = "0") -> None:
    """A follower without a screen: what a wall reads and applies, nothing painted (at CPU priority `nice`)."""
    if int(nice):
        os.nice(int(nice))
    from commandcenter.services.follower import StoreFollower
    from commandcenter.services.live_commits import LiveCommits

    async def main() -> None:
        loop = asyncio.get_running_loop()
        store = await loop.run_in_executor(None, _open_store, url, config_path)
        commits = LiveCommits()
        out = Applied()
        follower = StoreFollower(store, commits, on_commit=_observe(commits, prefix, out))
        try:
            await _follow_until_told(store, follower, out, dict)
        finally:
            store.close()

    asyncio.run(main())


def wall(url: str, config_path: str, prefix: str) -> None:
    """The real offscreen wall (3840×2160) following the store; reports when each emergency was first painted."""
    from common import PaintProbe, app, build_wall, incident_views, qasync_loop, wall_config

    from commandcenter.services.follower import StoreFollower
    from commandcenter.services.live_commits import LiveCommits

    config = wall_config()
    qapp = app(config)
    loop = qasync_loop(qapp)

    def wanted(rid: str) -> bool:
        return rid.startswith(prefix + "-") and int(rid.rsplit("-", 1)[1]) % EMERGENCY_EVERY == 0

    async def main() -> None:
        store = await loop.run_in_executor(None, _open_store, url, config_path)
        commits = LiveCommits()
        window, _missing = build_wall(commits.live, config)
        probe = PaintProbe(incident_views(window)[0], wanted=wanted)
        out = Applied()
        follower = StoreFollower(store, commits, on_commit=_observe(commits, prefix, out))
        try:
            await _follow_until_told(store, follower, out, lambda: {"painted": probe.first_painted_wall,
                                                                    "paints": probe.paints}, settle_s=1.0)
        finally:
            window.close()
            store.close()

    with loop:
        loop.run_until_complete(main())


class FollowerProcess:
    """One follower process: started, READY once caught up with the log, told where to stop, its RESULT."""

    def __init__(self, kind: str, index: int, url: str, config_path: Path, prefix: str, nice: int = 0) -> None:
        self.kind = kind
        self.app = WALL_APP if kind == "wall" else FOLLOWER_APP.format(index)
        env = dict(os.environ, PGAPPNAME=self.app, QT_QPA_PLATFORM="offscreen",
                   PYTHONPATH=os.pathsep.join([str(HERE), str(ROOT)]))
        self.proc = subprocess.Popen([sys.executable, str(Path(__file__).resolve()), kind, url, str(config_path),
                                      prefix, *([str(nice)] if kind == "follow" else [])], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1,
                                     env=env)
        self.result: dict[str, Any] = {}

    def wait_line(self, head: str, timeout: float) -> str:
        assert self.proc.stdout is not None
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            ready, _, _ = select.select([self.proc.stdout], [], [], 0.2)
            if ready:
                line = self.proc.stdout.readline()
                if not line:
                    break
                if line.startswith(head):
                    return line[len(head):].strip()
        raise RuntimeError(f"{self.app}: no {head.strip()} within {timeout:.0f} s (exit {self.proc.poll()})")

    def tell(self, line: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()

    def close(self) -> None:
        try:
            self.tell("bye")
            self.proc.wait(timeout=20)
        except (OSError, subprocess.TimeoutExpired):
            self.proc.kill()
            self.proc.wait()


# --- one run: N followers ---------------------------------------------------------------------------------------
@dataclass
class RunResult:
    n: int
    figures: dict[str, Any]


def pg_server_url(given: str) -> str:
    if given:
        return given
    env = os.environ.get("COMMANDCENTER_TEST_PG_URL", "")
    if env:
        return env
    out = subprocess.run([str(ROOT / "scripts" / "pg-test-server")], capture_output=True, text=True, check=True)
    return out.stdout.strip().splitlines()[-1]


def sim_requests(url: str) -> dict[str, Any]:
    import httpx

    got: dict[str, Any] = httpx.get(f"{url}/_control/requests", timeout=10).json()
    return got


def run_n(n: int, *, server_url: str, seconds: float, rate: float, with_wall: bool, nice: int = 0) -> RunResult:
    """One store, one simulator, one recorder and `n` followers (the first the wall when `with_wall`; the headless
    ones at CPU priority `nice`)."""
    from sqlalchemy import create_engine, make_url, text

    admin_url = make_url(server_url).set(query={})
    database = f"cc_followers_{os.getpid()}_{n}_{uuid.uuid4().hex[:6]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{database}"'))
    url = admin_url.set(database=database).render_as_string(hide_password=False)
    prefix = f"n{n}"
    tmp = tempfile.TemporaryDirectory(prefix="bench-followers-")
    sim: SimProcess | None = None
    recorder: subprocess.Popen[str] | None = None
    followers: list[FollowerProcess] = []
    store = None
    try:
        sim = SimProcess(rate=rate, duration=seconds, emergency_every=EMERGENCY_EVERY, prefix=prefix)
        config_path = Path(tmp.name) / "record.toml"
        config_path.write_text(f'[store]\nurl = "{url}"\n\n[[feeds]]\nname = "city"\nkind = "native"\n'
                               f'url = "{sim.url}"\nmode = "sse"\n', encoding="utf-8")
        store = _open_store(url, str(config_path))       # creates the schema before anyone else opens it
        recorder = subprocess.Popen([sys.executable, "-m", "commandcenter", "record", "--config", str(config_path),
                                     "--quiet"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                                    env=dict(os.environ, PYTHONPATH=str(ROOT)), cwd=str(ROOT))
        until(lambda: store.cursor("city") is not None, 60, f"the recorder's first commit (n={n})")
        kinds = (["wall"] if with_wall else []) + ["follow"] * (n - (1 if with_wall else 0))
        followers = [FollowerProcess(kind, i, url, config_path, prefix, nice) for i, kind in enumerate(kinds)]
        for f in followers:
            f.wait_line("READY ", 180)
        time.sleep(1.0)
        stamps = NotifyStamps(make_url(url).set(drivername="postgresql").render_as_string(hide_password=False))
        engine = store.engine
        with engine.connect() as c:
            backend = int(c.execute(text("SELECT pg_backend_pid()")).scalar_one())
        postmaster = parent_of(backend)
        before = sessions(engine, database)
        server = server_pids(postmaster)
        cpu0 = {pid: cpu_s(pid) for pid in [*before.by_pid, *server]}
        proc0 = {f.app: cpu_s(f.proc.pid) for f in followers} | {"recorder": cpu_s(recorder.pid)}
        req0 = sim_requests(sim.url)
        t0 = time.time()
        sim.go()
        time.sleep(min(seconds / 2, 5.0))
        during = sessions(engine, database)
        streams = sim_requests(sim.url)["in_flight"]
        done = sim.wait_done(seconds + 60)
        sent = int(done.get("sent", 0))
        until(lambda: logged(engine, prefix) >= sent, 60, f"the recorder storing all {sent} incidents")
        final = store.commit_position()
        for f in followers:
            f.tell(f"stop {final}")
        for f in followers:
            f.result = json.loads(f.wait_line("RESULT ", 90))
        t1 = time.time()
        stamps.close()
        req1 = sim_requests(sim.url)
        after = sessions(engine, database)
        cpu1 = {pid: cpu_s(pid) for pid in [*after.by_pid, *server]}
        proc1 = {f.app: cpu_s(f.proc.pid) for f in followers} | {"recorder": cpu_s(recorder.pid)}
        with engine.connect() as c:
            log_positions = [int(r[0]) for r in c.execute(text("SELECT id FROM commit_log WHERE id <= :p ORDER BY id"),
                                                          {"p": final})]
        span = t1 - t0
        figures = summarise(n, span=span, sent=sent, sent_at=done.get("sent_at", {}), t0=t0, followers=followers,
                            log_positions=log_positions, req=(req0, req1), streams=streams,
                            notified=stamps.at, sessions_during=during,
                            sessions_all=Sessions({**before.by_pid, **after.by_pid}), server=server,
                            cpu=(cpu0, cpu1), proc=(proc0, proc1))
        return RunResult(n, figures)
    finally:
        for f in followers:
            f.close()
        if recorder is not None:
            recorder.terminate()
            try:
                recorder.wait(timeout=30)
            except subprocess.TimeoutExpired:
                recorder.kill()
                recorder.wait()
        if sim is not None:
            sim.close()
        if store is not None:
            store.close()
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        admin.dispose()
        tmp.cleanup()


def logged(engine: Any, prefix: str) -> int:
    from sqlalchemy import text

    with engine.connect() as c:
        return int(c.execute(text("SELECT count(*) FROM record_log WHERE kind = 'incident' AND record_id LIKE :p"),
                             {"p": f"{prefix}-%"}).scalar_one())


def until(predicate: Callable[[], bool], timeout: float, what: str) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return
        time.sleep(0.1)
    raise RuntimeError(f"timed out waiting for {what}")


def delta(before: dict[Any, float | None], after: dict[Any, float | None], key: Any) -> float:
    a, b = before.get(key), after.get(key)
    return (b - a) if a is not None and b is not None else 0.0


def summarise(n: int, *, span: float, sent: int, sent_at: dict[str, float], t0: float,
              followers: list[FollowerProcess], log_positions: list[int], req: tuple[dict[str, Any], dict[str, Any]],
              streams: dict[str, int], notified: dict[int, float],
              sessions_during: Sessions, sessions_all: Sessions, server: list[int],
              cpu: tuple[dict[int, float | None], dict[int, float | None]],
              proc: tuple[dict[str, float | None], dict[str, float | None]]) -> dict[str, Any]:
    """The run's figures (ms of CPU per second of the stream; lags in ms)."""
    requests = (req[1]["total"] - req[0]["total"]) / span
    by_route = {k: v - req[0]["by_route"].get(k, 0) for k, v in req[1]["by_route"].items()
                if v - req[0]["by_route"].get(k, 0)}
    pg_by_role: dict[str, float] = {}
    for pid, app in sessions_all.by_pid.items():
        pg_by_role[role_of(app)] = pg_by_role.get(role_of(app), 0.0) + delta(cpu[0], cpu[1], pid) * 1000 / span
    server_ms = sum(delta(cpu[0], cpu[1], pid) for pid in server) * 1000 / span
    per_follower: dict[str, dict[str, Any]] = {}
    all_lags: list[float] = []
    after_notify: list[float] = []
    complete = 0
    for f in followers:
        commits = f.result.get("commits", [])
        positions = f.result.get("delivered", [])
        in_order = positions == log_positions
        got_all = f.result.get("incidents") == sent
        complete += int(in_order and got_all)
        lags = [(applied - committed) * 1000 for _, committed, applied in commits if committed >= t0]
        all_lags += lags
        from_notify = [(applied - notified[p]) * 1000 for p, committed, applied in commits
                       if committed >= t0 and p in notified]
        after_notify += from_notify
        per_follower[f.app] = {
            "kind": f.kind, "commits": len(positions), "in_order_exactly_once": in_order, "incidents": f.result.get(
                "incidents"), "lag_p50_ms": round(percentile(lags, 50), 1), "lag_p99_ms": round(percentile(lags, 99), 1),
            "from_notify_p99_ms": round(percentile(from_notify, 99), 1),
            "cpu_ms_per_s": round(delta(proc[0], proc[1], f.app) * 1000 / span, 1),
            "pg_cpu_ms_per_s": round(pg_by_role.get(f.app, 0.0), 1)}
        if not in_order:
            missing = sorted(set(log_positions) - set(positions))
            dup = len(positions) - len(set(positions))
            per_follower[f.app].update(missing=missing[:10], missing_n=len(missing), duplicates=dup)
    committed_at = {p: c for f in followers for p, c, _ in f.result.get("commits", [])}
    to_notify = [(notified[p] - c) * 1000 for p, c in committed_at.items() if c >= t0 and p in notified]
    wall_f = next((f for f in followers if f.kind == "wall"), None)
    e2p: list[float] = []
    missed = 0
    if wall_f is not None:
        painted = wall_f.result.get("painted", {})
        e2p = [(painted[i] - t) * 1000 for i, t in sent_at.items() if i in painted]
        missed = len(sent_at) - len(e2p)
    heads = [f for f in followers if f.kind == "follow"]
    follower_cpu = (sum(per_follower[f.app]["cpu_ms_per_s"] for f in heads) / len(heads)) if heads else None
    commits_per_s = sum(1 for c in committed_at.values() if c >= t0) / span if span else 0.0
    return {
        "n": n, "span_s": span, "sent": sent, "events_per_s": sent / span if span else 0.0,
        "commits": len(log_positions),
        "commits_per_s": commits_per_s,
        "requests_per_s": requests, "requests_by_route": by_route, "requests_run_total": req[1]["total"],
        "requests_run_by_route": req[1]["by_route"],
        "streams_open": streams,
        "to_notify_p50_ms": percentile(to_notify, 50), "to_notify_p99_ms": percentile(to_notify, 99),
        "from_notify_p50_ms": percentile(after_notify, 50), "from_notify_p99_ms": percentile(after_notify, 99),
        "pg_backends_cpu_ms_per_s": sum(pg_by_role.values()), "pg_cpu_by_role_ms_per_s": {
            k: round(v, 1) for k, v in sorted(pg_by_role.items())},
        "pg_server_cpu_ms_per_s": server_ms,
        "connections": len(sessions_during.by_pid), "connections_by_role": sessions_during.count_by_app(),
        "lag_p50_ms": percentile(all_lags, 50), "lag_p99_ms": percentile(all_lags, 99),
        "followers": per_follower, "complete": complete,
        "recorder_cpu_ms_per_s": delta(proc[0], proc[1], "recorder") * 1000 / span,
        "follower_cpu_ms_per_s": follower_cpu,
        "follower_cpu_per_commit_ms": follower_cpu / commits_per_s if follower_cpu and commits_per_s else None,
        "follower_cpu_per_event_us": follower_cpu * 1000 * span / sent if follower_cpu and sent else None,
        "follower_pg_cpu_ms_per_s": (sum(per_follower[f.app]["pg_cpu_ms_per_s"] for f in heads) / len(heads)
                                     if heads else None),
        "wall_cpu_ms_per_s": per_follower[wall_f.app]["cpu_ms_per_s"] if wall_f else None,
        "e2p_p50_ms": percentile(e2p, 50) if e2p else None, "e2p_p99_ms": percentile(e2p, 99) if e2p else None,
        "e2p_tracked": len(sent_at) if wall_f else 0, "e2p_missed": missed,
    }


# --- the report -------------------------------------------------------------------------------------------------
def report(results: list[RunResult], load: tuple[float, float, float], nice: int = 0) -> None:
    """One JSON line per figure per N, then the verdict across N, then the table on stderr."""
    for r in results:
        f, n = r.figures, r.n
        common = {"n": n, "seconds": round(f["span_s"], 1), "events_per_s": round(f["events_per_s"], 1),
                  "commits_per_s": round(f["commits_per_s"], 1), "load_avg_1m": load[0], "followers_nice": nice}
        emit(f"followers_backend_requests_per_s_n{n}", f["requests_per_s"], "req/s", None,
             by_route=f["requests_by_route"], run_total=f["requests_run_total"],
             run_by_route=f["requests_run_by_route"], streams_open=f["streams_open"],
             **common)
        emit(f"followers_pg_cpu_ms_per_s_n{n}", f["pg_backends_cpu_ms_per_s"], "ms/s", None,
             by_role=f["pg_cpu_by_role_ms_per_s"], per_follower=f["follower_pg_cpu_ms_per_s"],
             server_total=f["pg_server_cpu_ms_per_s"], **common)
        emit(f"followers_pg_connections_n{n}", f["connections"], "", None, by_role=f["connections_by_role"], **common)
        emit(f"followers_notify_lag_p50_ms_n{n}", f["lag_p50_ms"], "ms", None,
             commit_to_notify_ms=f["to_notify_p50_ms"], notify_to_applied_ms=f["from_notify_p50_ms"], **common)
        emit(f"followers_notify_lag_p99_ms_n{n}", f["lag_p99_ms"], "ms", None,
             commit_to_notify_ms=f["to_notify_p99_ms"], notify_to_applied_ms=f["from_notify_p99_ms"],
             per_follower={k: v["lag_p99_ms"] for k, v in f["followers"].items()}, **common)
        emit(f"followers_cpu_ms_per_s_n{n}", f["follower_cpu_ms_per_s"], "ms/s", None,
             per_commit_ms=f["follower_cpu_per_commit_ms"], per_event_us=f["follower_cpu_per_event_us"],
             wall=f["wall_cpu_ms_per_s"], recorder=f["recorder_cpu_ms_per_s"],
             per_follower={k: v["cpu_ms_per_s"] for k, v in f["followers"].items()}, **common)
        emit(f"followers_complete_n{n}", f["complete"], "followers", n, better="higher", commits=f["commits"],
             sent=f["sent"], followers={k: {kk: vv for kk, vv in v.items() if kk in (
                 "commits", "in_order_exactly_once", "incidents", "missing_n", "duplicates")}
                 for k, v in f["followers"].items()}, **common)
        if f["e2p_tracked"]:
            emit(f"followers_event_to_pixel_p50_ms_n{n}", f["e2p_p50_ms"], "ms", 150.0,
                 tracked=f["e2p_tracked"], missed=f["e2p_missed"], **common)
            emit(f"followers_event_to_pixel_p99_ms_n{n}", f["e2p_p99_ms"] if not f["e2p_missed"] else None, "ms",
                 150.0, tracked=f["e2p_tracked"], missed=f["e2p_missed"], **common)
    rates = [r.figures["requests_per_s"] for r in results]
    spread = (max(rates) - min(rates)) if rates else 0.0
    emit("followers_backend_requests_spread_per_s", spread, "req/s", None,
         by_n={r.n: round(r.figures["requests_per_s"], 2) for r in results})
    note(table(results, load, nice))


def table(results: list[RunResult], load: tuple[float, float, float], nice: int = 0) -> str:
    rows = [("followers N", lambda f: f"{f['n']}"),
            ("events/s, commits/s over the measured span",
             lambda f: f"{f['events_per_s']:.0f}, {f['commits_per_s']:.1f}"),
            ("backend requests/s (whole run; streams open)",
             lambda f: f"{f['requests_per_s']:.2f} ({f['requests_run_total']}; {sum(f['streams_open'].values())})"),
            ("PostgreSQL CPU, this DB's backends (ms/s)", lambda f: f"{f['pg_backends_cpu_ms_per_s']:.0f}"),
            ("  of it the recorder's", lambda f: f"{f['pg_cpu_by_role_ms_per_s'].get('recorder', 0):.0f}"),
            ("  per headless follower", lambda f: _num(f["follower_pg_cpu_ms_per_s"])),
            ("PostgreSQL server total (shared) (ms/s)", lambda f: f"{f['pg_server_cpu_ms_per_s']:.0f}"),
            ("connections", lambda f: f"{f['connections']}"),
            ("commit → applied p50 / p99 (ms)", lambda f: f"{f['lag_p50_ms']:.0f} / {f['lag_p99_ms']:.0f}"),
            ("  commit → NOTIFY received", lambda f: f"{f['to_notify_p50_ms']:.0f} / {f['to_notify_p99_ms']:.0f}"),
            ("  NOTIFY → applied", lambda f: f"{f['from_notify_p50_ms']:.0f} / {f['from_notify_p99_ms']:.0f}"),
            ("headless follower CPU (ms/s)", lambda f: _num(f["follower_cpu_ms_per_s"])),
            ("  per commit (ms) / per event (µs)",
             lambda f: f"{_num(f['follower_cpu_per_commit_ms'])} / {_num(f['follower_cpu_per_event_us'])}"),
            ("wall CPU (ms/s)", lambda f: _num(f["wall_cpu_ms_per_s"])),
            ("recorder CPU (ms/s)", lambda f: f"{f['recorder_cpu_ms_per_s']:.0f}"),
            ("event→pixel p50 / p99 (ms)", lambda f: f"{_num(f['e2p_p50_ms'])} / {_num(f['e2p_p99_ms'])}"),
            ("followers complete, in order", lambda f: f"{f['complete']}/{f['n']}")]
    head = "| figure | " + " | ".join(f"N={r.n}" for r in results) + " |"
    lines = [f"load average at the end: {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}"
             + (f"; headless followers at nice +{nice}" if nice else ""), head,
             "|---|" + "---:|" * len(results)]
    for label, fn in rows:
        lines.append(f"| {label} | " + " | ".join(fn(r.figures) for r in results) + " |")
    return "\n".join(lines)


def _num(v: float | None) -> str:
    return "—" if v is None else f"{v:.0f}" if abs(v) >= 10 else f"{v:.1f}"


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "follow":
        headless(*argv[1:5])
        return 0
    if argv and argv[0] == "wall":
        wall(*argv[1:4])
        return 0
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="CI sizes: 1 and 4 followers, 10 s each")
    ap.add_argument("--followers", default="", help="comma-separated N (default 1,4,16; --quick 1,4)")
    ap.add_argument("--seconds", type=float, default=None, help="seconds of stream per N (default 30; --quick 10)")
    ap.add_argument("--rate", type=float, default=200.0, help="incidents/s the simulator publishes")
    ap.add_argument("--pg-url", default="", help="the PostgreSQL server (default: COMMANDCENTER_TEST_PG_URL, else "
                                                 "scripts/pg-test-server's)")
    ap.add_argument("--no-wall", action="store_true", help="headless followers only (no offscreen wall)")
    ap.add_argument("--followers-nice", type=int, default=FOLLOWERS_NICE,
                    help="the headless followers' CPU priority (os.nice; default +%(default)s): they stand in for "
                         "walls on other machines, so the real wall gets the share of the cores its own machine "
                         "would give it; 0: every process at the same priority")
    a = ap.parse_args(argv)
    sizes = [int(x) for x in (a.followers or ("1,4" if a.quick else "1,4,16")).split(",")]
    seconds = a.seconds or (10.0 if a.quick else 30.0)
    server_url = pg_server_url(a.pg_url)
    os.environ["PGAPPNAME"] = HARNESS_APP        # this process's sessions, told apart from the measured ones
    results = []
    if a.followers_nice:
        note(f"# the headless followers run at nice +{a.followers_nice} (walls on other machines): the real "
             "wall's event→pixel is what it would be on its own machine; their CPU, PostgreSQL CPU, connections "
             "and lag are still what they cost (--followers-nice 0: all at one priority)")
    else:
        note("# every process at the same CPU priority: the real wall shares the cores with every follower")
    for n in sizes:
        note(f"# {n} follower(s), {seconds:g} s at {a.rate:g} events/s …")
        results.append(run_n(n, server_url=server_url, seconds=seconds, rate=a.rate, with_wall=not a.no_wall,
                             nice=a.followers_nice))
    report(results, os.getloadavg(), a.followers_nice)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
