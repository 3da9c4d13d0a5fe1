"""Two recorders on one store: one active, one standing by. kill -9 of the active one, or the loss of its lock's
database session, hands the feeds to the other within 5 s, resumed from the stored cursor: every record version
the city published is in the store's record log exactly once, and the one that lost its lock writes nothing more."""
from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import create_engine, text

from commandcenter.domain.recorder import RecorderRole
from commandcenter.store import Store
from commandcenter.store.recorder_lock import APPLICATION_NAME
from tests.support.faults import incident
from tests.support.fixtures import holds_within
from tests.support.recorders import logged_versions, record_config, role_of, start_recorder, stop

TAKEOVER_S = 5.0


class Stream:
    """Publishes new incidents (each id once, version 1) into the city every 50 ms until stopped."""

    def __init__(self, city, per_tick: int = 10) -> None:
        self.city, self.per_tick = city, per_tick
        self.published: set[tuple[str, int]] = set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        n = 0
        while not self._stop.is_set():
            batch = [incident(n + i, prefix="s") for i in range(self.per_tick)]
            n += self.per_tick
            self.city.publish(batch)
            self.published |= {(r.id, r.version) for r in batch}
            time.sleep(0.05)

    def stop(self) -> set[tuple[str, int]]:
        self._stop.set()
        self._thread.join(10)
        return self.published


def assert_exactly_once(store_url: str, published: set[tuple[str, int]]) -> None:
    assert holds_within(lambda: published <= set(logged_versions(store_url)), 30), "the store never caught up"
    logged = logged_versions(store_url)
    twice = {k: n for k, n in logged.items() if n > 1}
    assert not twice, f"record versions stored more than once: {list(twice.items())[:5]}"
    assert set(logged) == published


def test_kill9_of_the_active_recorder_hands_over_within_5s_exactly_once(city, tmp_path, store_url) -> None:
    Store.open(store_url).close()                    # migrated once, before two processes race to do it
    cfg = record_config(tmp_path, city.url, store_url)
    store = Store.open(store_url)
    first = start_recorder(cfg)
    second = None
    try:
        assert holds_within(lambda: role_of(store, first.pid) is RecorderRole.ACTIVE, 30), stop(first)
        second = start_recorder(cfg)
        assert holds_within(lambda: role_of(store, second.pid) is RecorderRole.STANDBY, 30), stop(second)
        stream = Stream(city)
        assert holds_within(lambda: len(logged_versions(store_url)) >= 100, 30)
        first.kill()                                 # SIGKILL mid-stream
        killed = time.monotonic()
        first.wait(10)
        assert holds_within(lambda: role_of(store, second.pid) is RecorderRole.ACTIVE, 10, step=0.02)
        takeover = time.monotonic() - killed
        print(f"takeover {takeover:.2f} s after kill -9 ({store.dialect})")
        assert takeover <= TAKEOVER_S
        feeds = store.feed_status()
        assert [(f.health.feed, f.pid) for f in feeds] == [("city", second.pid)]
        time.sleep(1.0)                              # the new active one records the stream a while
        published = stream.stop()
        assert_exactly_once(store_url, published)
        assert second.poll() is None, stop(second)
    finally:
        stop(first)
        if second is not None:
            stop(second)
        store.close()


@pytest.mark.postgres
def test_an_active_recorder_that_loses_its_lock_session_stops_writing(city, tmp_path, store_url) -> None:
    if not store_url.startswith("postgresql"):
        pytest.skip("a lock session to lose exists on PostgreSQL only (SQLite's is a file lock held by the process)")
    Store.open(store_url).close()
    cfg = record_config(tmp_path, city.url, store_url)
    store = Store.open(store_url)
    admin = create_engine(store_url, isolation_level="AUTOCOMMIT")
    first = start_recorder(cfg)
    second = None
    try:
        assert holds_within(lambda: role_of(store, first.pid) is RecorderRole.ACTIVE, 30), stop(first)
        second = start_recorder(cfg)
        assert holds_within(lambda: role_of(store, second.pid) is RecorderRole.STANDBY, 30), stop(second)
        stream = Stream(city)
        assert holds_within(lambda: len(logged_versions(store_url)) >= 100, 30)
        with admin.connect() as c:                   # the first one's lock session ends; its process lives on
            ended = c.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                   "WHERE application_name LIKE :name"),
                              {"name": f"{APPLICATION_NAME} %:{first.pid}"}).scalars().all()
        assert ended == [True]
        cut = time.monotonic()
        assert holds_within(lambda: role_of(store, second.pid) is RecorderRole.ACTIVE, 10, step=0.02)
        print(f"takeover {time.monotonic() - cut:.2f} s after the active one's lock session ended")
        assert time.monotonic() - cut <= TAKEOVER_S
        assert holds_within(lambda: role_of(store, first.pid) is RecorderRole.STANDBY, 10)
        time.sleep(1.0)
        published = stream.stop()
        assert_exactly_once(store_url, published)
        assert first.poll() is None and second.poll() is None
        assert [(f.health.feed, f.pid) for f in store.feed_status()] == [("city", second.pid)]
    finally:
        err = stop(first)
        if second is not None:
            stop(second)
        admin.dispose()
        store.close()
    assert "lost the store's recorder lock" in err
