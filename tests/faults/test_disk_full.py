"""The store's disk fills up (a 3 MB tmpfs, as root) and then gets space back: the feed's health says so,
nothing crashes, and ingest catches up with nothing lost once space returns."""
from __future__ import annotations

import asyncio
import os
import subprocess
import tempfile

import pytest

from commandcenter.services import IngestPipeline, LiveState
from commandcenter.store import Store

from tests.support.faults import fast_feeds, incident, sse_config, store_versions

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="needs root to mount a tiny tmpfs")


@pytest.fixture
def tiny_disk():
    path = tempfile.mkdtemp(prefix="cc-full-")
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", path], check=True)
    yield path
    subprocess.run(["umount", "-l", path], check=False)
    os.rmdir(path)


def test_disk_full_then_space_returns(qloop, city, tiny_disk):
    path = os.path.join(tiny_disk, "wall.db")
    store = Store.open(f"sqlite:///{path}")
    live = LiveState()
    pipeline = IngestPipeline(sse_config(city.url), store, live)
    seen: dict = {}

    async def scenario():
        await pipeline.start()
        fast_feeds(pipeline)
        feed = pipeline.feeds[0]
        city.publish([incident(i, prefix="d", big=4000) for i in range(1500)])   # ~6 MB of records
        for _ in range(100):
            await asyncio.sleep(0.1)
            if "full" in feed.last_error.lower():
                break
        seen["error"] = feed.last_error
        seen["health"] = live.health.get("city")
        subprocess.run(["mount", "-o", "remount,size=64m", tiny_disk], check=True)   # space returns
        for _ in range(300):
            await asyncio.sleep(0.1)
            if len(store_versions(path)) >= 1500:
                break
        seen["tasks_alive"] = pipeline.feeds_running
        await pipeline.close()

    qloop.run_until_complete(asyncio.wait_for(scenario(), 60))
    assert "full" in seen["error"].lower(), seen
    assert seen["tasks_alive"]
    got = store_versions(path)
    assert set(got) == {f"d-{i}" for i in range(1500)}
    store.close()
