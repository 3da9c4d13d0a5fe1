"""Shared bits for the drill tests: a controllable clock and the scripted scenario."""
from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from commandcenter.store import Store

SCENARIO = Path(__file__).resolve().parent / "data" / "scripted-drill.toml"
T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


class FakeClock:
    def __init__(self, start: datetime = T0) -> None:
        self.t = start

    def __call__(self) -> datetime:
        return self.t

    def advance(self, seconds: float) -> datetime:
        self.t += timedelta(seconds=seconds)
        return self.t


async def a_drill_reaches_a_follower(player: Store, follower_store: Store) -> int:
    """A wall on `player` plays the scripted drill; a follower on `follower_store` gets its start within a second,
    then every record the player played, then its stop (asserted). Returns the records the follower could not
    decode."""
    from commandcenter.services import LiveState
    from commandcenter.services.drills import DrillManager
    from commandcenter.services.follower import StoreFollower
    from commandcenter.services.live_commits import LiveCommits
    from tests.support.fixtures import eventually_holds

    drills: asyncio.Queue[str] = asyncio.Queue()
    commits = LiveCommits()
    follower = StoreFollower(follower_store, commits, on_drill=drills.put_nowait)
    await follower.start()
    clock = FakeClock()
    manager = DrillManager(player, LiveState(), clock=clock, console="wall-a")
    try:
        drill = manager.start(SCENARIO, actor="李科长", reason="夜间演练")
        assert await asyncio.wait_for(drills.get(), 1.0) == drill.id
        while (clock.t - drill.started_at).total_seconds() < 120:
            clock.advance(5)
            manager.tick()
        played = {i.id: i.version for i in manager.live.incidents.values() if i.drill_id == drill.id}
        assert played
        assert await eventually_holds(lambda: {i.id: i.version for i in commits.live.incidents.values()
                                               if i.drill_id == drill.id} == played, timeout=5)
        manager.stop(actor="李科长")
        assert await asyncio.wait_for(drills.get(), 1.0) == drill.id
        return follower.undecodable
    finally:
        await follower.stop()
