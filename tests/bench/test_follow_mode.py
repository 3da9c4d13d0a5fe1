"""The benches' follow mode (bench/common.py `FollowingPipeline`) is the wall as `commandcenter run` makes it on
SQLite: the feed runs in a recorder child started as `run` starts it, the records reach the live state through
the store and the follower, the trace stamps the child's commit and the live state in order, and the child stops
cleanly with the bench."""
from __future__ import annotations

import asyncio
from pathlib import Path

from bench.common import FOLLOW_STAGES, FollowingPipeline, SimProcess, feed_live, sse_feed, wait_for, wall_config
from commandcenter.feeds import StageTrace
from commandcenter.services import LiveState
from commandcenter.services.recorder_child import RECORDER_COMMAND, RecorderState
from commandcenter.store import Store


def test_a_burst_reaches_the_following_wall_through_the_recorder_child(tmp_path: Path) -> None:
    sim = SimProcess(burst=600, prefix="fm", prebuilt=True)
    config = wall_config([sse_feed(sim.url)])

    async def scenario() -> None:
        store = Store.open(f"sqlite:///{tmp_path / 'wall.db'}")
        live = LiveState()
        pipeline = FollowingPipeline(config, store, live, tmp_path)
        pipeline.trace = StageTrace(lambda rid: rid.endswith("0"))
        assert pipeline.recorder.argv[3] == RECORDER_COMMAND
        await pipeline.start()
        try:
            assert await wait_for(lambda: feed_live(live, "city"), timeout=60)   # as the child reports it
            sim.go()
            assert await wait_for(lambda: sum(k.startswith("fm-") for k in live.incidents) == 600, timeout=60)
            assert pipeline.recorder.status.state is RecorderState.RUNNING
        finally:
            await pipeline.close()
            store.close()
        assert pipeline.recorder.status.last_exit_code == 0          # stopped cleanly, not killed
        assert pipeline.batches_applied >= 1
        stamps = pipeline.trace.stamps
        assert len(stamps) == 60
        assert all(m[FOLLOW_STAGES[0]] <= m[FOLLOW_STAGES[1]] for m in stamps.values())

    try:
        asyncio.run(scenario())
    finally:
        sim.close()
