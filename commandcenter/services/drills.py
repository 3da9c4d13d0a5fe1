"""Drills (演练), Qt-free: scenario files, the drill player, live 1-10-20 scoring and the DrillManager.

A drill is a scenario (TOML) played on the wall beside the real city. Everything it makes carries
its `drill_id`, so views badge it and the store keeps it out of real KPIs (`drill=False` reads,
`kpis(include_drill=False)`), and `store.delete_drill(id)` removes it without touching real rows.

The store's `drills` row (Store.drill_records) holds the drill's scenario document, its start and its stop: every
wall, console and CLI decides from it whether a drill runs (`sync`), so they all agree whenever they started.
When a drill ends (stopped anywhere, or its scenario played out: then it ends by itself) everything it made leaves
the live state (LiveState.end_drill) and stays in the store for the report. A backend drill runs on the backend's
clock, its speed included; a live score stays pending until data from past a stage's target has arrived.

    mgr = DrillManager(store, live, clock=clock, console="console-1", backend=DrillBackend.from_config(config))
    drill = mgr.start(SCENARIOS_DIR / "sample-drill.toml", actor="张主任", reason="月度消防演练")
    mgr.tick()                 # without a backend: play the events now due (the wall's `run()` does it)
    mgr.scores()               # per drill incident: response / arrival / first assessment vs targets
    mgr.stop(actor="张主任", reason="演练结束", seat="1号席")

The scenario format and its player are pure and shared with the simulator: commandcenter/domain/drill_scenario.py
(re-exported here). With a `DrillBackend` (the config's `[drill] backend`), the backend's scenario player plays
the drill and its records arrive through the wall's feeds; without one, this process plays it (DrillPlayer →
store → live), for a wall that has no simulator behind it.
"""
from __future__ import annotations

import dataclasses
import re
import threading
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta, UTC
from pathlib import Path
from typing import Any

from ..domain import ActionKind, Alert, Incident, OperatorAction, Resource, ResourceStatus
from ..domain.drill_scenario import (  # noqa: F401 - parse_offset, scenario_from_dict: re-exported
    RULE, DrillPlayer, Scenario, ScenarioEvent, Targets, parse_offset, parse_scenario, scenario_from_dict,
    scenario_to_dict,
)
from ..store import SCENARIO_END, STOPPED, DrillRecord
from .live_commits import LiveCommits, committed
from .live_state import Change, LiveState

DRILL_FEED = "drill"
SCENARIO_MARK = "scenario="


def utcnow() -> datetime:
    return datetime.now(UTC)


def load_scenario(path: str | Path) -> Scenario:
    """Read a scenario file (the format: commandcenter/domain/drill_scenario.py)."""
    p = Path(path)
    return parse_scenario(p.read_text(encoding="utf-8"), path=str(p))


# ---------------------------------------------------------------------------------------------- scoring
@dataclass(frozen=True, slots=True)
class StageScore:
    stage: str                 # response / arrival / assessment
    elapsed_s: float | None    # from the report; None = not reached
    rule_s: float              # 1-10-20
    target_s: float            # the scenario's own target
    running_s: float = 0.0     # time since the report as of `now` (for stages not reached)
    known_s: float | None = None   # the data is complete up to this long after the report (None: up to now)

    @property
    def reached(self) -> bool:
        return self.elapsed_s is not None

    @property
    def _horizon(self) -> float:
        return self.running_s if self.known_s is None else self.known_s

    def _met(self, limit: float) -> bool | None:
        # an unreached stage misses only once data from past its limit has arrived: before that, the record
        # that reached it in time may still be on its way (a ✗ must never turn into a ✓)
        if self.elapsed_s is None:
            return False if self._horizon > limit else None
        return self.elapsed_s <= limit

    @property
    def met_rule(self) -> bool | None:
        return self._met(self.rule_s)

    @property
    def met_target(self) -> bool | None:
        return self._met(self.target_s)

    @property
    def pending(self) -> bool:
        """Past its target on the clock, but the data that could show it reached in time has not arrived yet."""
        return self.elapsed_s is None and self.running_s > self.target_s and self.met_target is None


@dataclass(frozen=True, slots=True)
class Dispatch:
    resource_id: str
    name: str
    kind: str
    at: datetime
    after_s: float             # after the incident's report


@dataclass(frozen=True, slots=True)
class IncidentScore:
    incident_id: str
    title: str
    reported_at: datetime
    stages: tuple[StageScore, ...]
    dispatches: tuple[Dispatch, ...] = ()
    status: str = ""

    def stage(self, name: str) -> StageScore:
        return next(s for s in self.stages if s.stage == name)

    @property
    def passed_target(self) -> bool | None:
        vals = [s.met_target for s in self.stages]
        return False if False in vals else (None if None in vals else True)


def score_incident(inc: Incident, now: datetime, targets: Targets = RULE,
                   dispatches: Iterable[Dispatch] = (), known_until: datetime | None = None) -> IncidentScore:
    """Scores as of `now` (drill clock); `known_until`: the data is complete up to then (default: up to now)."""
    def el(t: datetime | None) -> float | None:
        return None if t is None else (t - inc.reported_at).total_seconds()

    running = max(0.0, (now - inc.reported_at).total_seconds())
    known = None if known_until is None else (known_until - inc.reported_at).total_seconds()
    stages = (
        StageScore("response", el(inc.accepted_at), RULE.response_s, targets.response_s, running, known),
        StageScore("arrival", el(inc.arrived_at), RULE.arrival_s, targets.arrival_s, running, known),
        StageScore("assessment", el(inc.assessed_at), RULE.assessment_s, targets.assessment_s, running, known),
    )
    return IncidentScore(inc.id, inc.title, inc.reported_at, stages,
                         tuple(sorted(dispatches, key=lambda d: d.at)), inc.status.value)


def is_dispatch(res: Resource) -> bool:
    """The resource is committed to an incident (sent, or already there)."""
    return bool(res.incident_id) and res.status in (ResourceStatus.DISPATCHED, ResourceStatus.ON_SCENE)


def dispatch_of(res: Resource, inc: Incident) -> Dispatch:
    return Dispatch(res.id, res.name, res.kind.value, res.updated_at, (res.updated_at - inc.reported_at).total_seconds())


# ---------------------------------------------------------------------------------------------- manager
@dataclass(frozen=True, slots=True)
class Drill:
    id: str
    scenario: Scenario
    started_at: datetime        # on the drill's clock (the backend's for a backend drill)
    actor: str = ""
    reason: str = ""
    console: str = ""
    speed: float = 1.0          # drill seconds per second of the clock `wall_started_at` is on
    local: bool = True          # played by this process; False = played by a backend or started elsewhere
    stopped_at: datetime | None = None
    wall_started_at: datetime | None = None     # the starting process's clock at the start (None = started_at)
    ends_at: datetime | None = None             # drill clock: it ends by itself then; None = until stopped
    played_by: str = ""                         # the backend's control URL, "" = a wall or the CLI
    seat: str = ""


def new_drill_id(scenario: Scenario, at: datetime) -> str:
    return f"drill-{at.astimezone(UTC):%Y%m%d-%H%M%S}-{scenario.slug}"[:64]


END_GRACE_S = 5.0     # drill seconds after the scenario's last event before a drill nobody stopped ends itself
AUTO_ACTOR = "系统 / system"
OBSERVED_ACTOR = "后端 / backend"   # "started" a drill first seen through a feed (its scenario unknown here)


def scenario_document(sc: Scenario) -> dict[str, Any]:
    """What the store keeps of a scenario: its whole document (events, targets, description) and where it came
    from, so a wall or report anywhere reads it back without the file."""
    return {**scenario_to_dict(sc), "path": sc.path}


def scenario_of(doc: dict[str, Any], fallback_name: str) -> Scenario:
    """The scenario a drill row holds (a stub named `fallback_name` if the document cannot be read)."""
    try:
        sc = scenario_from_dict(doc, path=str(doc.get("path", "")))
        head = doc.get("scenario") or {}
        return sc if head.get("name") else dataclasses.replace(sc, name=fallback_name)
    except (ValueError, TypeError, KeyError):
        return Scenario(name=fallback_name, path=str(doc.get("path", "")) if isinstance(doc, dict) else "")


def drill_of(rec: DrillRecord) -> Drill:
    return Drill(rec.id, scenario_of(rec.scenario, rec.name), rec.started_at, rec.started_by, rec.reason,
                 speed=rec.speed, local=False, stopped_at=rec.stopped_at, wall_started_at=rec.wall_started_at,
                 ends_at=rec.ends_at, played_by=rec.played_by, seat=rec.seat)


def ended_drill_ids(store: Any) -> set[str]:
    """Drills whose stop is recorded: their records are never shown live (install before the first load)."""
    return {r.id for r in store.drill_records() if not r.running}


def action_reason(reason: str, scenario: Scenario) -> str:
    """The DRILL_START action's reason: the operator's words, then the scenario file (so a report finds it)."""
    return f"{reason}\n{SCENARIO_MARK}{scenario.path or scenario.name}" if (scenario.path or scenario.name) else reason


def split_reason(text: str) -> tuple[str, str]:
    why, _, rest = (text or "").partition("\n" + SCENARIO_MARK)
    if not rest and text.startswith(SCENARIO_MARK):
        return "", text[len(SCENARIO_MARK):]
    return why, rest


# ---------------------------------------------------------------------------------------------- backend
class DrillBackendError(RuntimeError):
    """The drill backend refused the drill or could not be reached. Raised before anything is recorded."""


class DrillBackend:
    """A backend whose scenario player runs drills (the simulator's `/_control/drills`, docs/feed-protocol.md).

    The drill's events then come back through the wall's normal feeds, tagged with the drill id, so the
    wall scores what the backend published rather than what it injected itself."""

    def __init__(self, control_url: str, *, token: str = "", timeout: float = 10.0, transport: Any = None) -> None:
        self.url = control_url.rstrip("/")
        self.timeout = timeout
        self._headers = {"Authorization": f"Bearer {token}"} if token else {}
        self._transport = transport

    @classmethod
    def from_config(cls, config: Any) -> DrillBackend | None:
        """The backend `[drill] backend` names (None when the config names none: this process plays drills)."""
        import logging
        import os

        from ..config import drill_backend_feed

        feed = drill_backend_feed(config)
        if feed is None:
            return None
        from ..feeds.redact import register_secret
        from ..feeds.transport import TokenError, token_from_env

        token = ""
        if feed.token_env and os.environ.get(feed.token_env, "").strip():
            register_secret(os.environ[feed.token_env])
            try:    # the feeds' own rule: a token that cannot be a header is refused, naming only the variable
                token = token_from_env(feed.token_env, os.environ)
            except TokenError as exc:
                logging.getLogger(__name__).error("drill backend: %s; drills are posted without it", exc)
        return cls(feed.url.rstrip("/") + "/_control/drills", token=token, timeout=feed.timeout)

    def _call(self, method: str, path: str = "", body: Any = None, *, url: str = "") -> Any:
        import httpx

        try:
            with httpx.Client(timeout=self.timeout, headers=self._headers, transport=self._transport) as client:
                resp = client.request(method, (url or self.url) + path, json=body)
        except httpx.HTTPError as exc:
            raise DrillBackendError(f"drill backend {self.url} is unreachable: {exc or type(exc).__name__}") from None
        try:
            data = resp.json()
        except ValueError:
            data = {"error": resp.text[:200]}
        if resp.status_code >= 400:
            why = data.get("error") if isinstance(data, dict) else None
            raise DrillBackendError(f"drill backend {self.url} refused ({resp.status_code}): {why or resp.reason_phrase}")
        return data

    def start(self, scenario: Scenario, drill_id: str) -> datetime:
        """Hand the scenario to the backend; returns the drill's start on the backend's clock."""
        from ..domain import parse_time

        data = self._call("POST", "", {"drill_id": drill_id, "scenario": scenario_to_dict(scenario)})
        try:
            return parse_time(data["started_at"])
        except (KeyError, TypeError, ValueError):
            raise DrillBackendError(f"drill backend {self.url} answered without a valid started_at: {data!r}") from None

    def stop(self, drill_id: str) -> None:
        """Stop the backend playing it; a drill the backend no longer has (finished, restarted) is not an error."""
        try:
            self._call("DELETE", f"/{drill_id}")
        except DrillBackendError as exc:
            if "(404)" not in str(exc):
                raise

    def running(self) -> list[dict[str, Any]]:
        return list(self._call("GET").get("drills", []))

    def clock(self) -> tuple[datetime, float]:
        """The backend's clock now and its speed (its `/_control/clock`): a drill there runs on that clock."""
        from ..domain import parse_time

        base, _, _ = self.url.rpartition("/")
        data = self._call("GET", url=base + "/clock")
        try:
            return parse_time(data["sim_time"]), float(data.get("speed", 1.0))
        except (KeyError, TypeError, ValueError):
            raise DrillBackendError(f"drill backend {base}/clock answered without a valid sim_time: {data!r}") from None


Listener = Callable[["DrillManager"], None]
InStore = Callable[..., Awaitable[Any]]


class DrillManager:
    """Start, play, score and stop drills. Qt-free; sync methods for the CLI, `run()` for the wall's loop.

    Whether a drill runs is the store's `drills` rows (Store.drill_records): `sync()` follows them, so every wall
    and console agrees, whenever it started. A drill that ends (stopped here or anywhere, or its scenario played
    out: then this manager records the end itself) leaves the live state at once (LiveState.end_drill).

    Store writes in the sync methods run on the caller's thread; in the wall pass `in_store`
    (IngestPipeline.in_store) and use `run()`, which applies records on the store thread.
    """

    BACKEND_CLOCK_EVERY_S = 2.0

    def __init__(self, store: Any, live: LiveState, *, clock: Callable[[], datetime] = utcnow,
                 console: str = "wall", in_store: InStore | None = None,
                 backend: DrillBackend | None = None, commits: LiveCommits | None = None) -> None:
        """`commits`: the live state's one writer (the wall's); by default one of its own for `live`."""
        self.store = store
        self.live = live
        self.commits = commits if commits is not None else LiveCommits(live)
        self._home = live
        self.clock = clock
        self.console = console
        self.in_store = in_store
        self.current: Drill | None = None
        self.last: Drill | None = None
        self.player: DrillPlayer | None = None
        self._dispatches: dict[str, dict[str, Dispatch]] = {}   # incident id → resource id → first dispatch
        # a dispatch seen before its incident (a big batch enters the live state resources first): incident id →
        # resource id → the first dispatched record, scored when the incident arrives
        self._early: dict[str, dict[str, Resource]] = {}
        self._listeners: list[Listener] = []
        self._follow_since: datetime | None = None
        self._lock = threading.RLock()
        self._unrecorded: Drill | None = None     # a drill first seen through a feed, its row not yet written
        # a backend drill's clock: the last good sample (backend time, our clock's time) and the backend's rate
        # against our clock, measured between samples (1 where our clock already follows the backend's, as the
        # wall's and the CLI's do; the simulator's speed against a plain UTC clock)
        self._anchor: tuple[datetime, datetime] | None = None
        self._rate: float | None = None
        self._clock_sampled: float | None = None  # time.monotonic() of the last sample
        self._data_until: datetime | None = None  # the feed's data is complete up to here (backend drills)
        self._backend_done = False                # the backend has played out a drill first seen through a feed
        self._checked_at: float | None = None     # time.monotonic() of the last such check
        self.backend = backend
        self.backend_error = ""              # what went wrong telling the backend to stop, if anything
        self._posted: dict[str, DrillBackend] = {}   # drills this manager handed to a backend, and to which
        self._unsub = live.on_change(self._on_live)

    # -- listeners
    def on_change(self, listener: Listener) -> Callable[[], None]:
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def _notify(self) -> None:
        for fn in list(self._listeners):
            fn(self)

    def close(self) -> None:
        self._unsub()

    # -- clock
    def drill_now(self) -> datetime:
        """The drill's own clock: start + elapsed × speed; a backend drill: the backend's clock (its speed
        included) as its samples give it."""
        d = self.current
        now = self.clock()
        if d is None:
            return now
        anchor = self._anchor
        if d.local or anchor is None:
            return self._model_now(d, now)
        return anchor[0] + (now - anchor[1]) * (d.speed if self._rate is None else self._rate)

    @staticmethod
    def _model_now(d: Drill, now: datetime) -> datetime:
        return d.started_at + (now - (d.wall_started_at or d.started_at)) * d.speed

    def elapsed(self) -> timedelta:
        d = self.current
        return timedelta(0) if d is None else max(timedelta(0), self.drill_now() - d.started_at)

    def _clock_backend(self) -> DrillBackend | None:
        d = self.current
        if d is None or d.local:
            return None
        return self._posted.get(d.id) or self.backend

    def sample_backend_clock(self, force: bool = False) -> None:
        """Read the backend's clock (blocking: a worker thread in the wall) and correct the drill clock by it."""

        backend = self._clock_backend()
        if backend is None or (not force and self._clock_sampled is not None
                               and time.monotonic() - self._clock_sampled < self.BACKEND_CLOCK_EVERY_S):
            return
        self._clock_sampled = time.monotonic()
        d = self.current
        if d is None or d.local:
            return
        before, real0 = self.clock(), time.monotonic()
        try:
            backend_now, _speed = backend.clock()
        except DrillBackendError:
            return          # a backend without a clock endpoint: the model alone
        after, real = self.clock(), time.monotonic() - real0
        if self.current is d:
            self._take_sample(backend_now, before, after, real)

    def _take_sample(self, backend_at: datetime, before: datetime, after: datetime, real_s: float) -> None:
        """The backend read `backend_at` while our clock went from `before` to `after` (`real_s` seconds)."""
        if (after - before).total_seconds() > 1.0 + 100 * real_s:
            return          # our clock jumped while asking (set, or a test's): this sample says nothing
        ours = before + (after - before) / 2
        previous = self._anchor
        if previous is not None and (ours - previous[1]).total_seconds() >= 1.0:
            self._rate = max(0.0, (backend_at - previous[0]) / (ours - previous[1]))
        if previous is None or (ours - previous[1]).total_seconds() >= 1.0 or self._rate is None:
            self._anchor = (backend_at, ours)

    @property
    def active(self) -> bool:
        return self.current is not None

    # -- start / stop
    def start(self, scenario: Scenario | str | Path, *, actor: str, reason: str = "", speed: float = 1.0,
              drill_id: str | None = None, seat: str = "", keep: bool = False,
              grace_s: float = END_GRACE_S) -> Drill:
        """Start a drill: with a backend, its scenario player plays it (posted first: a refusal or an unreachable
        backend raises DrillBackendError and nothing is recorded); without one, this process plays it. Then the
        drill's row (its scenario document) and DRILL_START (who, where, why) are recorded. `keep`: it does not
        end by itself after the last event. Blocks on the backend call: the wall uses start_async."""
        sc, drill = self._new_drill(scenario, actor, reason, speed, drill_id, seat)
        if self.backend is not None:
            before, real0 = self.clock(), time.monotonic()
            started = self.backend.start(sc, drill.id)
            drill = self._on_backend(drill, started, before, self.clock(), time.monotonic() - real0)
        drill = self._with_end(drill, keep, grace_s)
        try:
            self.store.record_drill_start(self._record_of(drill), self._start_action(drill))
        except Exception:
            self._withdraw(drill)
            raise
        self._started(drill)
        return drill

    async def start_async(self, scenario: Scenario | str | Path, *, actor: str, reason: str = "",
                          speed: float = 1.0, drill_id: str | None = None, seat: str = "", keep: bool = False,
                          grace_s: float = END_GRACE_S) -> Drill:
        """start() for the wall: the backend call on a worker thread, the rows on the store thread, the
        listeners (banner, drill tile) on the loop's thread."""
        import asyncio

        sc, drill = self._new_drill(scenario, actor, reason, speed, drill_id, seat)
        if self.backend is not None:
            before, real0 = self.clock(), time.monotonic()
            started = await asyncio.to_thread(self.backend.start, sc, drill.id)
            drill = self._on_backend(drill, started, before, self.clock(), time.monotonic() - real0)
        drill = self._with_end(drill, keep, grace_s)
        try:
            args = (self._record_of(drill), self._start_action(drill))
            if self.in_store is not None:
                await self.in_store(self.store.record_drill_start, *args)
            else:
                self.store.record_drill_start(*args)
        except Exception:
            await asyncio.to_thread(self._withdraw, drill)
            raise
        self._started(drill)
        return drill

    def _on_backend(self, drill: Drill, started: datetime, before: datetime, after: datetime,
                    real_s: float) -> Drill:
        """The backend started it at `started` (its clock) while ours went from `before` to `after`: the drill's
        clock runs from there at 1× ours until samples of the backend's clock measure its rate."""
        return dataclasses.replace(drill, started_at=started, wall_started_at=before + (after - before) / 2,
                                   speed=1.0, local=False, played_by=self.backend.url if self.backend else "")

    @staticmethod
    def _with_end(drill: Drill, keep: bool, grace_s: float) -> Drill:
        if keep:
            return drill
        return dataclasses.replace(drill, ends_at=drill.started_at + timedelta(
            seconds=drill.scenario.duration_s + grace_s))

    def _record_of(self, d: Drill) -> DrillRecord:
        return DrillRecord(d.id, d.scenario.name, scenario_document(d.scenario), d.started_at,
                           d.wall_started_at or d.started_at, d.speed, d.ends_at, d.played_by,
                           started_by=d.actor, seat=d.seat, reason=d.reason)

    def _new_drill(self, scenario: Scenario | str | Path, actor: str, reason: str, speed: float,
                   drill_id: str | None, seat: str = "") -> tuple[Scenario, Drill]:
        if self.current is not None:
            raise RuntimeError(f"drill {self.current.id} is already running; stop it first")
        if not actor.strip():
            raise ValueError("a drill is started by someone: give the actor")
        if self.backend is not None and speed != 1.0:
            raise ValueError("a drill played by the backend runs on the backend's clock: speed must be 1")
        sc = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
        now = self.clock()
        did = drill_id or sc.drill_id or new_drill_id(sc, now)
        return sc, Drill(did, sc, now, actor.strip(), reason, self.console, float(speed), wall_started_at=now,
                         seat=seat)

    def _start_action(self, drill: Drill) -> OperatorAction:
        return OperatorAction(ActionKind.DRILL_START, "drill", drill.id, drill.actor, self.console, drill.started_at,
                              reason=action_reason(drill.reason, drill.scenario), drill_id=drill.id, seat=drill.seat)

    def _withdraw(self, drill: Drill) -> None:
        """The start could not be recorded: take the drill back from the backend (no half-started drill)."""
        if self.backend is not None and not drill.local:
            try:
                self.backend.stop(drill.id)
            except DrillBackendError:
                import logging

                logging.getLogger(__name__).exception("could not withdraw drill %s from the backend", drill.id)

    def _started(self, drill: Drill) -> None:
        if not drill.local and self.backend is not None:
            self._posted[drill.id] = self.backend
        self._begin(drill)

    def _begin(self, drill: Drill) -> None:
        with self._lock:
            self.current = drill
            self.player = (DrillPlayer(drill.scenario, drill.id, drill.started_at, dict(self.live.territory))
                           if drill.local else None)
            self._dispatches = {}
            self._early = {}
            self._anchor = None if drill.local else (drill.started_at, drill.wall_started_at or drill.started_at)
            self._rate = None
            self._clock_sampled = None
            self._data_until = None
            self._backend_done = False
            self._checked_at = None
            self._follow_since = drill.started_at - timedelta(seconds=1)
        if not drill.local:         # what the wall already holds of it (loaded from the store before it followed)
            live = self.live
            self._on_live(Change(
                incidents=tuple(i for i in live.incidents.values() if i.drill_id == drill.id),
                resources=tuple(r for r in live.resources.values() if r.drill_id == drill.id)))
        self._notify()

    def stop(self, *, actor: str, reason: str = "", seat: str = "") -> Drill | None:
        """Stop the running drill: the backend stops playing it (it cancels the drill's warnings), the stop and
        DRILL_STOP are recorded, and everything the drill made leaves the live state. An unreachable backend does
        not keep the wall in the drill: `backend_error` says what failed."""
        self._record_observed_sync()
        d = self.current
        if d is None:
            return None
        now = self.drill_now()   # = the wall clock at speed 1; in drill time when the drill runs on another clock
        if self.player is not None:
            self._apply_sync([], [], self.player.stop_records(now))
        self._stop_backend(d.id)
        self.store.record_drill_stop(d.id, now, kind=STOPPED, action=self._stop_action(d, actor, reason, now, seat))
        self._end(now)
        return self.last

    async def stop_async(self, *, actor: str, reason: str = "", seat: str = "") -> Drill | None:
        """stop() for the wall: backend call on a worker thread, store writes on the store thread."""
        import asyncio

        if self.current is None or self.in_store is None:
            return self.stop(actor=actor, reason=reason, seat=seat)
        if self._unrecorded is not None:
            observed, self._unrecorded = self._unrecorded, None
            plays = await asyncio.to_thread(self.backend_plays, observed.id)
            if not await self.in_store(self._record_observed, observed, plays):
                self._end(self.drill_now())
        d = self.current
        if d is None:
            return None
        now = self.drill_now()
        if self.player is not None:
            recs = self.player.stop_records(now)
            await self.in_store(self.store.apply, DRILL_FEED, incidents=[], resources=[], alerts=recs)
        await asyncio.to_thread(self._stop_backend, d.id)
        await self.in_store(self.store.record_drill_stop, d.id, now, kind=STOPPED,
                            action=self._stop_action(d, actor, reason, now, seat))
        self._end(now)
        return self.last

    def _stop_action(self, d: Drill, actor: str, reason: str, now: datetime, seat: str = "") -> OperatorAction:
        return OperatorAction(ActionKind.DRILL_STOP, "drill", d.id, actor, self.console, now, reason=reason,
                              drill_id=d.id, seat=seat)

    def _stop_backend(self, drill_id: str) -> None:
        self.backend_error = ""
        backend = self._posted.pop(drill_id, None)     # the backend that plays it, even if the config changed since
        if backend is None:
            return
        try:
            backend.stop(drill_id)
        except DrillBackendError as exc:
            import logging

            self.backend_error = str(exc)
            logging.getLogger(__name__).warning("drill %s: %s", drill_id, exc)

    def _end(self, at: datetime) -> None:
        """The drill ended (here or anywhere): the banner hides, and its records leave the live tiles and map."""
        with self._lock:
            d = self.current
            if d is not None:
                self.last = dataclasses.replace(d, stopped_at=at)
            self.current = None
            self.player = None
        if d is not None:       # the live state the feeds write to (during a replay: the present's shadow)
            self.commits.end_drill(d.id)
        self._notify()

    # -- playing
    def due(self) -> tuple[list[Incident], list[Resource], list[Alert]]:
        with self._lock:
            if self.player is None or self.current is None:
                return [], [], []
            offset = (self.drill_now() - self.current.started_at).total_seconds()
            return self.player.due(offset)

    def tick(self) -> int:
        """Play what is due (sync store write); returns the number of records applied."""
        inc, res, al = self.due()
        if not (inc or res or al):
            return 0
        return self._apply_sync(inc, res, al)

    def _apply_sync(self, inc: list[Incident], res: list[Resource], al: list[Alert]) -> int:
        applied = self.store.apply(DRILL_FEED, incidents=inc, resources=res, alerts=al)
        self.commits.publish(applied)
        return len(applied.incidents) + len(applied.resources) + len(applied.alerts)

    async def tick_async(self) -> int:
        inc, res, al = self.due()
        if not (inc or res or al):
            return 0
        if self.in_store is None:
            return self._apply_sync(inc, res, al)
        applied = await self.in_store(self.store.apply, DRILL_FEED, incidents=inc, resources=res, alerts=al)
        self.commits.publish(applied)
        return len(applied.incidents) + len(applied.resources) + len(applied.alerts)

    def mark(self, incident_id: str, stage: str, *, actor: str, note: str = "") -> Incident:
        """The console records a stage of a drill incident as it happens (the people being drilled report in):
        stage = accepted | dispatched | arrived | assessed | closed. Locally played drills only."""
        p = self.player
        if p is None or self.current is None:
            raise RuntimeError("no drill played by this console is running")
        ref = next((k for k, v in p.incidents.items() if v.id == incident_id or k == incident_id), None)
        if ref is None:
            raise KeyError(f"{incident_id!r} is not an incident of drill {self.current.id}")
        if stage not in ("accepted", "dispatched", "arrived", "assessed", "closed"):
            raise ValueError(f"unknown stage {stage!r}")
        offset = (self.drill_now() - self.current.started_at).total_seconds()
        [rec] = p._incident_step(ScenarioEvent(offset, stage, ref, {"handler": actor, "note": note}), self.drill_now())
        self._apply_sync([rec], [], [])
        self._notify()
        return rec  # type: ignore[no-any-return]  # the scenario player's steps are records of any kind

    def dispatch(self, incident_id: str, name: str, *, actor: str, kind: str = "team") -> Resource:
        """The console dispatches a (drill) unit to a drill incident; it is scored as dispatched now."""
        p = self.player
        if p is None or self.current is None:
            raise RuntimeError("no drill played by this console is running")
        ref = next((k for k, v in p.incidents.items() if v.id == incident_id or k == incident_id), None)
        if ref is None:
            raise KeyError(f"{incident_id!r} is not an incident of drill {self.current.id}")
        offset = (self.drill_now() - self.current.started_at).total_seconds()
        key = "unit-" + re.sub(r"\W+", "-", name).strip("-").lower()
        recs = p._resource_step(ScenarioEvent(offset, "dispatch", ref, {"resource": key, "name": name,
                                                                        "resource_kind": kind}), self.drill_now())
        self._apply_sync([r for r in recs if isinstance(r, Incident)], [r for r in recs if isinstance(r, Resource)], [])
        self._notify()
        return next(r for r in recs if isinstance(r, Resource))

    @property
    def scenario_finished(self) -> bool:
        """Every scripted event played: by this process, or (a backend drill) by the backend's clock."""
        if self.player is not None:
            return self.player.finished
        d = self.current
        return d is not None and self.elapsed().total_seconds() >= d.scenario.duration_s

    # -- following the store's record of drills
    def sync(self) -> bool:
        """Follow the store's drill rows (a start or stop anywhere begins / ends following; a drill whose scenario
        has played out and that nobody stopped is ended and recorded so). True if something changed."""
        self._record_observed_sync()
        changed = self._follow(self.store.drill_records(running_only=True))
        if self.current is not None and not self.current.local:
            self.sample_backend_clock()
            self._pull_remote()
            if self._observed_running() and self.backend_plays(self.current.id) is False:
                self._backend_done = True
        if self._past_end():
            self._auto_end_sync()
            changed = True
        return changed

    async def sync_async(self) -> bool:
        """sync() for the wall: store reads and writes on the store thread, the backend's clock on a worker
        thread, state changes and listeners on the loop thread."""
        import asyncio

        if self.in_store is None:
            return self.sync()
        if self._unrecorded is not None:
            seen = self._unrecorded
            self._unrecorded = None
            plays = await asyncio.to_thread(self.backend_plays, seen.id)
            if not await self.in_store(self._record_observed, seen, plays):
                self._end(self.drill_now())
        changed = self._follow(await self.in_store(self.store.drill_records, running_only=True))
        d = self.current
        if d is not None and not d.local:
            await asyncio.to_thread(self.sample_backend_clock)
            self._apply_remote(d.id, await self.in_store(self._read_remote, d.id, self._follow_since))
            if self._observed_running() and await asyncio.to_thread(self.backend_plays, d.id) is False:
                self._backend_done = True
        ended = self.current
        if self._past_end() and ended is not None:
            now = self.drill_now()
            if self.player is not None:
                recs = self.player.stop_records(now)
                await self.in_store(self.store.apply, DRILL_FEED, incidents=[], resources=[], alerts=recs)
            await asyncio.to_thread(self._stop_ended_backend, ended)
            await self.in_store(self.store.record_drill_stop, ended.id, now, kind=SCENARIO_END,
                                action=self._auto_stop_action(ended, now))
            self._end(now)
            changed = True
        return changed

    def _follow(self, running: list[DrillRecord]) -> bool:
        """Begin / end following by the rows (running ones, newest first)."""
        d = self.current
        ids = {r.id for r in running}
        if d is not None and d.id not in ids and self._unrecorded is None:
            if self.player is not None:         # played here, stopped from another console
                self._apply_sync([], [], self.player.stop_records(self.drill_now()))
            self._posted.pop(d.id, None)
            self._end(self.drill_now())
            d = None
            changed = True
        else:
            changed = False
        rec = next((r for r in running if d is not None and r.id == d.id), None)
        if rec is not None and d is not None and not d.local and not d.scenario.events and rec.scenario.get("events"):
            # first seen through a feed, under its id only: now the scenario as the store keeps it
            with self._lock:
                self.current = drill_of(rec)
            self._notify()
            changed = True
        if d is None and running:
            rec = running[0]
            if rec.id not in self.live.ended_drills:
                self._begin(drill_of(rec))
                changed = True
        return changed

    def _past_end(self) -> bool:
        d = self.current
        if d is None or self._unrecorded is not None:
            return False
        return self._backend_done or (d.ends_at is not None and self.drill_now() >= d.ends_at)

    def _observed_running(self) -> bool:
        """A drill first seen through a feed (no scenario end known here): it ends when its backend has played
        it out, asked every few seconds."""
        d = self.current
        if d is None or d.ends_at is not None or d.actor != OBSERVED_ACTOR or self.backend is None:
            return False
        if self._checked_at is not None and time.monotonic() - self._checked_at < self.BACKEND_CLOCK_EVERY_S:
            return False
        self._checked_at = time.monotonic()
        return True

    def _auto_stop_action(self, d: Drill, now: datetime) -> OperatorAction:
        return OperatorAction(ActionKind.DRILL_STOP, "drill", d.id, AUTO_ACTOR, self.console, now,
                              reason="演练脚本已结束，自动结束 / the scenario had ended: ended by itself", drill_id=d.id)

    def _stop_ended_backend(self, d: Drill) -> None:
        """Its scenario has played out on the backend too; the stop there cancels any warning it left active."""
        backend = self._posted.pop(d.id, None) or (self.backend if d.played_by else None)
        if backend is not None:
            try:
                backend.stop(d.id)
            except DrillBackendError as exc:
                import logging

                logging.getLogger(__name__).warning("drill %s: %s", d.id, exc)

    def _auto_end_sync(self) -> None:
        d = self.current
        if d is None:
            return
        now = self.drill_now()
        if self.player is not None:
            self._apply_sync([], [], self.player.stop_records(now))
        self._stop_ended_backend(d)
        self.store.record_drill_stop(d.id, now, kind=SCENARIO_END, action=self._auto_stop_action(d, now))
        self._end(now)

    def backend_plays(self, drill_id: str) -> bool | None:
        """Whether the drill backend still plays this drill (listed and not finished); None when there is no
        backend or it cannot say. Blocking: a worker thread in the wall."""
        if self.backend is None:
            return None
        try:
            listed = {d.get("drill_id"): d for d in self.backend.running()}
        except DrillBackendError:
            return None
        return bool(drill_id in listed and not listed[drill_id].get("finished"))

    def _record_observed(self, d: Drill, plays: bool | None = None) -> bool:
        """A drill first seen through a feed gets its row (every wall then agrees it runs). False when the store
        already has it stopped, or the backend no longer plays it (late records of a finished drill): then its
        row says it ended."""
        rows = self.store.drill_records(drill_id=d.id)
        if rows:
            return bool(rows[0].running)
        try:
            self.store.record_drill_start(self._record_of(d), OperatorAction(
                ActionKind.DRILL_START, "drill", d.id, d.actor, self.console, d.started_at,
                reason="演练记录经数据源到达 / drill records arrived through a feed", drill_id=d.id))
        except Exception:  # noqa: BLE001 - another wall recorded it at the same moment
            rows = self.store.drill_records(drill_id=d.id)
            return bool(rows) and rows[0].running
        if plays is False:
            self.store.record_drill_stop(d.id, d.started_at, kind=SCENARIO_END)
            return False
        return True

    def _record_observed_sync(self) -> None:
        if self._unrecorded is not None:
            d = self._unrecorded
            self._unrecorded = None
            if not self._record_observed(d, self.backend_plays(d.id)):
                self._end(self.drill_now())

    def _pull_remote(self) -> None:
        d = self.current
        if d is not None:
            self._apply_remote(d.id, self._read_remote(d.id, self._follow_since))

    def _read_remote(self, drill_id: str, since: datetime | None
                     ) -> tuple[list[Incident], list[Resource], list[Alert], datetime | None]:
        """Store reads only (safe on the store thread): the drill's records, and how far the store's data goes."""
        inc = [i for i in self.store.incidents(drill=True, since=since, limit=10_000) if i.drill_id == drill_id]
        res = [r for r in self.store.resources(drill=True) if r.drill_id == drill_id]
        al = [a for a in self.store.alerts(drill=True, live_only=False) if a.drill_id == drill_id]
        newest = self.store.incidents(limit=1, drill=None)
        return inc, res, al, (newest[0].updated_at if newest else None)

    def _apply_remote(self, drill_id: str,
                      rows: tuple[list[Incident], list[Resource], list[Alert], datetime | None]) -> None:
        """Live-state updates (on the thread the views live on)."""
        inc, res, al, data_until = rows
        if self.current is None or self.current.id != drill_id:
            return
        if inc:
            self._follow_since = max(i.updated_at for i in inc) - timedelta(microseconds=1)
        self._saw_data(data_until)
        self.commits.publish(committed(inc, res, al))

    def _saw_data(self, t: datetime | None) -> None:
        if t is not None and (self._data_until is None or t > self._data_until):
            self._data_until = t

    async def run(self, interval: float = 0.5, sync_every: float = 1.0) -> None:
        """The wall's loop: play due events twice a second and follow the store's drill rows."""
        import asyncio

        waited = sync_every
        while True:
            try:
                if self.current is not None and self.current.local:
                    await self.tick_async()
                waited += interval
                if waited >= sync_every:
                    waited = 0.0
                    await self.sync_async()
                if self.current is not None:
                    self._notify()          # the drill clock moved
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - a drill must never take the wall down
                import logging

                logging.getLogger(__name__).exception("drill loop")
            await asyncio.sleep(interval)

    # -- scoring
    def _on_live(self, change: Change) -> None:
        if self.live is not self._home:
            return      # the wall is replaying the past into its LiveState (services.replay.LiveDetour)
        d = self.current
        for recs in (change.incidents, change.resources, change.alerts):
            if recs:
                self._saw_data(max(r.updated_at for r in recs))
        if d is None:
            # drill records arriving through a feed (the simulator's scenario player, a backend's drill channel)
            ids = {i.drill_id for i in change.incidents if i.drill_id} | {a.drill_id for a in change.alerts if a.drill_id}
            ids -= self.live.ended_drills
            if not ids:
                return
            first = min((r for r in change.incidents if r.drill_id in ids), key=lambda r: r.reported_at, default=None)
            did = first.drill_id if first is not None and first.drill_id else sorted(ids)[0]
            at = first.reported_at if first else self.clock()
            drill = Drill(did, Scenario(name=did), at, OBSERVED_ACTOR, local=False, wall_started_at=self.clock(),
                          played_by=self.backend.url if self.backend is not None else "")
            self._begin(drill)
            self._unrecorded = d = drill
        incidents = self.live.incidents
        for r in change.resources:
            if r.drill_id != d.id or not is_dispatch(r):
                continue
            inc_id = r.incident_id or ""
            if r.id in self._dispatches.get(inc_id, {}):
                continue
            if inc_id in incidents:
                self._dispatches.setdefault(inc_id, {})[r.id] = dispatch_of(r, incidents[inc_id])
            else:
                self._early.setdefault(inc_id, {}).setdefault(r.id, r)
        for inc in change.incidents:
            for r in self._early.pop(inc.id, {}).values():
                self._dispatches.setdefault(inc.id, {}).setdefault(r.id, dispatch_of(r, inc))

    def incidents(self, drill_id: str | None = None) -> list[Incident]:
        did = drill_id or (self.current.id if self.current else None)
        if did is None:
            return []
        return sorted((i for i in self.live.incidents.values() if i.drill_id == did), key=lambda i: i.reported_at)

    def data_until(self) -> datetime | None:
        """How far the drill's data is known: now for a drill played here; the newest record a feed brought
        (on the backend's clock) for one played elsewhere."""
        d = self.current
        if d is None or d.local:
            return None
        return self._data_until

    def scores(self) -> list[IncidentScore]:
        """Live scores of the running drill (a finished drill's are in its report: its records left the wall).
        A stage not reached is pending until data from past its target has arrived."""
        d = self.current
        if d is None:
            return []
        now = self.drill_now()
        known = self.data_until()
        if known is None and not d.local:
            known = d.started_at       # nothing has arrived yet
        return [score_incident(i, now, d.scenario.targets, self._dispatches.get(i.id, {}).values(), known)
                for i in self.incidents(d.id) if i.emergency]


def _scenario_or_stub(path: str) -> Scenario:
    if path and Path(path).exists():
        try:
            return load_scenario(path)
        except (OSError, ValueError):
            pass
    return Scenario(name=Path(path).stem if path else "演练", path=path)
