"""The recorder service: it stands by while another process holds the store's recorder lock (writing nothing but
its heartbeat), records once the lock is free, reports its feeds' health in the store, and stops cleanly."""
from __future__ import annotations

import asyncio

import pytest

from commandcenter.domain import FeedState
from commandcenter.domain.recorder import RecorderRole
from commandcenter.services.recorder import Recorder
from commandcenter.store import Store
from commandcenter.store.recorder_lock import recorder_lock
from tests.support.faults import City, incident, sse_config
from tests.support.fixtures import eventually_holds

pytestmark = pytest.mark.usefixtures("gc_on_the_loop_thread")


@pytest.fixture
def city():
    c = City()
    yield c
    c.stop()


def test_standby_until_the_lock_is_free_then_records_reports_and_stops(city, tmp_path) -> None:
    store = Store.open(f"sqlite:///{tmp_path / 'rec.db'}")
    other = recorder_lock(store.engine)          # another recorder process, as far as this one can tell
    assert other.try_acquire()
    city.publish([incident(i) for i in range(50)])
    recorder = Recorder(sse_config(city.url), store, recorder_lock(store.engine))

    def role() -> RecorderRole | None:
        return next((r.role for r in store.recorders() if r.pid == recorder.pid), None)

    async def scenario() -> None:
        task = asyncio.create_task(recorder.run())
        assert await eventually_holds(lambda: role() is RecorderRole.STANDBY, 10)
        await asyncio.sleep(1.5)
        assert store.incidents(drill=None) == [] and store.feed_status() == []    # standing by writes nothing
        other.release()
        assert await eventually_holds(lambda: role() is RecorderRole.ACTIVE and len(store.incidents(drill=None)) == 50, 15)
        assert await eventually_holds(lambda: [f.health.state for f in store.feed_status()] == [FeedState.LIVE], 10)

        # the backend fails: the feed's new state and its error reach the store
        city.faults(error_rate=1.0)            # every reconnect answered 503
        city.restart()
        assert await eventually_holds(lambda: store.feed_status()[0].health.state is not FeedState.LIVE, 30)
        assert await eventually_holds(lambda: "503" in store.feed_status()[0].health.last_error, 10), store.feed_status()

        recorder.stop()
        await asyncio.wait_for(task, 30)

    try:
        asyncio.run(scenario())
        assert role() is RecorderRole.STOPPED and recorder.takeovers == 1
        assert store.cursor("city") is not None
        assert other.try_acquire()               # released on stop
    finally:
        other.release()
        store.close()
