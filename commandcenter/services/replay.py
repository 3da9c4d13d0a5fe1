"""Replay (回放), Qt-free: play any past window from the store at 1×–60×, clock injected.

The controller owns its own `LiveState` (`replay.live`) that the wall's tiles bind to while in
replay; each step replaces its contents with `store.state_at(position)`, so every tile shows the
state as of the replay time (tiles rebuild from `live.*` on change). Going live is one call; the
real LiveState was never touched.

    replay = ReplayController(store.state_at, clock=clock, territory=live.territory)
    replay.jump(t)            # enter replay at t (paused or playing, as before)
    replay.resume(); replay.pause(); replay.set_speed(10)
    replay.tick()             # advance (the wall calls this a few times a second; `run()` does)
    replay.go_live()          # back to live
    replay.position           # the replay time; use as the tiles' clock while replaying
"""
from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, UTC
from typing import Any, Protocol

from ..domain import AlertLevel, Category, SignalKind, signal_kind
from ..domain.deadlines import DeadlineLevel, deadline_state
from .live_commits import LiveCommits
from .live_state import LiveState

MIN_SPEED, MAX_SPEED = 1.0, 60.0

StateAt = Callable[[datetime], dict[str, list[Any]]]
Listener = Callable[["ReplayController", str], None]


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class Window:
    start: datetime
    end: datetime


def replace_state(live: LiveState, state: dict[str, list[Any]]) -> None:
    """Make `live` hold exactly `state` (incidents/resources/alerts/sensors): one change with `reset` set."""
    live.replace(incidents=state.get("incidents", ()), resources=state.get("resources", ()),
                 alerts=state.get("alerts", ()), sensors=state.get("sensors", ()))


class ReplayController:
    def __init__(self, state_at: StateAt, *, clock: Callable[[], datetime] = utcnow,
                 territory: dict[str, Any] | None = None, step: timedelta = timedelta(seconds=1),
                 in_store: Callable[..., Awaitable[Any]] | None = None, target: LiveState | None = None) -> None:
        """`target`: the LiveState to fill with the past (default: a LiveState of its own, `self.live`)."""
        self.state_at = state_at
        self.clock = clock
        self.step = step
        self.in_store = in_store
        self.live = target if target is not None else LiveState()
        #: how a picture of the past replaces what `live` holds (the wall: its live state's one writer)
        self.show_state: Callable[[dict[str, list[Any]]], None] = lambda state: replace_state(self.live, state)
        if territory:
            self.live.territory.update(territory)
        self.replaying = False
        self.paused = True
        self.speed = 1.0
        self.window: Window | None = None
        self._anchor_pos: datetime | None = None
        self._anchor_real: datetime | None = None
        self._shown_at: datetime | None = None
        self._listeners: list[Listener] = []
        self.breakthrough: tuple[Danger, ...] = ()   # present dangers seen during this replay (BreakthroughWatch)

    # -- listeners
    def on_change(self, listener: Listener) -> Callable[[], None]:
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def _notify(self, what: str) -> None:
        for fn in list(self._listeners):
            fn(self, what)

    # -- position
    @property
    def position(self) -> datetime:
        """The replay time (or the real time when live)."""
        if not self.replaying or self._anchor_pos is None:
            return self.clock()
        if self.paused or self._anchor_real is None:
            return self._anchor_pos
        pos = self._anchor_pos + (self.clock() - self._anchor_real) * self.speed
        if self.window is not None and pos > self.window.end:
            return self.window.end
        return min(pos, self.clock())

    def now(self) -> datetime:
        """A clock for tiles: replay time in replay, real time live."""
        return self.position

    @property
    def mode(self) -> str:
        return "replay" if self.replaying else "live"

    # -- API for the console
    def set_window(self, start: datetime, end: datetime) -> None:
        if end <= start:
            raise ValueError("the replay window must end after it starts")
        self.window = Window(start, end)
        self._notify("position")

    def play_window(self, start: datetime, end: datetime, speed: float = 10.0) -> dict[str, list[Any]]:
        """Replay [start, end] from its start at `speed` (e.g. a past hour at 10×)."""
        self.set_window(start, end)
        self.set_speed(speed)
        state = self.jump(start)
        self.resume()
        return state

    def jump(self, t: datetime) -> dict[str, list[Any]]:
        """Enter replay (if live) and show the state at t. Keeps paused/playing as it was."""
        if t.tzinfo is None:
            t = t.replace(tzinfo=UTC)
        if self.window is not None:
            t = min(max(t, self.window.start), self.window.end)
        t = min(t, self.clock())
        entering = not self.replaying
        self.replaying = True
        self._anchor_pos, self._anchor_real = t, self.clock()
        if entering:
            self._notify("mode")      # listeners detour the live writers before the past lands
        state = self._show(t)
        self._notify("position")
        return state

    def pause(self) -> None:
        if self.replaying and not self.paused:
            self._anchor_pos, self._anchor_real = self.position, self.clock()
            self.paused = True
            self._notify("position")

    def resume(self) -> None:
        if self.replaying and self.paused:
            self._anchor_real = self.clock()
            self.paused = False
            self._notify("position")

    def set_speed(self, x: float) -> None:
        x = min(max(float(x), MIN_SPEED), MAX_SPEED)
        if self.replaying and not self.paused:
            self._anchor_pos, self._anchor_real = self.position, self.clock()
        self.speed = x
        self._notify("position")

    def go_live(self) -> None:
        if not self.replaying:
            return
        self.replaying = False
        self.paused = True
        self._anchor_pos = self._anchor_real = self._shown_at = None
        self.breakthrough = ()
        self._notify("mode")

    def break_through(self, dangers: list[Danger]) -> None:
        """Something in the present must not wait for the replay to end: listeners sound and show it."""
        if self.replaying and dangers:
            self.breakthrough += tuple(dangers)
            self._notify("breakthrough")

    # -- stepping
    def tick(self) -> bool:
        """Show the state at the current position if it moved by a step; True if it did."""
        if not self.replaying:
            return False
        pos = self.position
        if self._shown_at is not None and abs(pos - self._shown_at) < self.step:
            return False
        if self.window is not None and pos >= self.window.end and not self.paused:
            self._anchor_pos, self._anchor_real, self.paused = self.window.end, self.clock(), True
        self._show(pos)
        self._notify("position")
        return True

    def _show(self, t: datetime) -> dict[str, list[Any]]:
        state = self.state_at(t)
        self._shown_at = t
        self.show_state(state)
        self._notify("state")
        return state

    async def run(self, interval: float = 0.25) -> None:
        """The wall's loop: step while replaying (the store read runs on the store thread when in_store is given)."""
        import asyncio
        import logging

        while True:
            try:
                if self.replaying:
                    pos = self.position
                    if self._shown_at is None or abs(pos - self._shown_at) >= self.step:
                        if self.in_store is not None:
                            state = await self.in_store(self.state_at, pos)
                            if self.replaying:
                                self._shown_at = pos
                                self.show_state(state)
                                self._notify("state")
                                self._notify("position")
                        else:
                            self.tick()
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - replay must never take the wall down
                logging.getLogger(__name__).exception("replay loop")
            await asyncio.sleep(interval)


@dataclass(frozen=True, slots=True)
class Danger:
    """A present danger that breaks through a replay: a new red public warning, or an emergency gone overdue."""

    kind: str          # "alert" | "incident"
    id: str
    title: str
    stage: str = ""    # the 1-10-20 stage (or close deadline) an emergency went overdue on


class BreakthroughWatch:
    """While the wall replays the past, watches the present: what was already there when the replay began is
    known to the operator; a red public warning issued since, or an emergency whose deadline passes since, is
    not, and must break through. Drill records never do (they are exercises, shown as such when live)."""

    def __init__(self, clock: Callable[[], datetime],
                 limits: Callable[[], dict[Category, timedelta]] | None = None) -> None:
        self.clock = clock         # present time, never the replay's
        self.limits = limits or (lambda: {})
        self._known: set[tuple[str, str, str]] = set()

    def begin(self, present: LiveState) -> None:
        self._known = {(d.kind, d.id, d.stage) for d in self._dangers(present)}

    def check(self, present: LiveState) -> list[Danger]:
        new = [d for d in self._dangers(present) if (d.kind, d.id, d.stage) not in self._known]
        self._known.update((d.kind, d.id, d.stage) for d in new)
        return new

    def _dangers(self, present: LiveState) -> list[Danger]:
        now = self.clock()
        out = [Danger("alert", a.id, a.title) for a in present.alerts.values()
               if a.level is AlertLevel.RED and a.drill_id is None and a.is_live(now)
               and signal_kind(a.type) is SignalKind.WARNING]
        limits = self.limits()
        for inc in present.incidents.values():
            if inc.emergency and inc.drill_id is None and inc.is_open:
                state = deadline_state(inc, now, limits)
                if state.level is DeadlineLevel.OVERDUE:
                    out.append(Danger("incident", inc.id, inc.title, state.stage.value))
        return out


class FollowsLive(Protocol):
    """What follows the present into a replay's shadow: the live state's writer, the drill manager."""

    live: LiveState


class LiveDetour:
    """Replay on the wall's own LiveState: while replaying, the live state's writer (`commits`) and those reading
    the present (the drill manager) work on a shadow LiveState, so nothing real is lost; the shown LiveState holds
    the past. `leave()` puts the shadow's (current) contents back and everyone home."""

    def __init__(self, commits: LiveCommits, readers: Sequence[FollowsLive | None]) -> None:
        self.commits = commits
        self.shown = commits.shown
        self.writers: list[FollowsLive] = [commits, *(r for r in readers if r is not None)]
        self.shadow: LiveState | None = None

    @property
    def active(self) -> bool:
        return self.shadow is not None

    def enter(self) -> None:
        if self.shadow is not None:
            return
        shadow = LiveState()
        for name in ("incidents", "resources", "alerts", "territory", "health", "sensors"):
            getattr(shadow, name).update(getattr(self.shown, name))
        self.shadow = shadow
        # the present's finished drills stay off the present (the shadow); the past shows them as they were
        shadow.ended_drills, self.shown.ended_drills = self.shown.ended_drills, set()
        self._move_writers(self.shown, shadow)

    def leave(self) -> None:
        shadow = self.shadow
        if shadow is None:
            return
        self.shadow = None
        self._move_writers(shadow, self.shown)
        self.shown.ended_drills = shadow.ended_drills
        self.shown.health.clear()
        self.shown.health.update(shadow.health)
        self.commits.replace(shadow.incidents.values(), shadow.resources.values(), shadow.alerts.values(),
                             shadow.sensors.values())

    def _move_writers(self, src: LiveState, dst: LiveState) -> None:
        for w in self.writers:
            if w.live is src:
                w.live = dst
