"""The recorder lock: one holder per store, freed when the holder dies; and the writer epoch that refuses the writes
of a holder that lost it once its successor claimed the store (no split brain)."""
from __future__ import annotations

import subprocess
import sys
import time

import pytest
from sqlalchemy import create_engine, text

from commandcenter.domain.recorder import RecorderRole, RecorderStatus
from commandcenter.store import FencedOut, Store
from commandcenter.store.recorder_lock import PgRecorderLock, recorder_lock
from tests.support import subprocess_env
from tests.support.fixtures import holds_within
from tests.support.store import T0, inc

HOLDER = """
import sys, time
from commandcenter.store.engine import make_engine
from commandcenter.store.recorder_lock import recorder_lock
lock = recorder_lock(make_engine(sys.argv[1]))
assert lock.try_acquire()
print("held", flush=True)
time.sleep(600)
"""


def test_one_holder_at_a_time_and_the_lock_passes_on_release(store: Store) -> None:
    a, b = recorder_lock(store.engine), recorder_lock(store.engine)
    try:
        assert a.try_acquire() and a.held()
        assert a.try_acquire()                 # taking it again while held is a no-op
        assert not b.try_acquire() and not b.held()
        a.release()
        assert not a.held()
        assert b.try_acquire() and b.held()
        assert not a.try_acquire()
    finally:
        a.release()
        b.release()


def test_once_a_successor_claimed_the_store_the_previous_writer_writes_nothing(store_url: str) -> None:
    first, second = Store.open(store_url), Store.open(store_url)      # two recorder processes, as the store sees them
    try:
        e1 = first.claim_writes()
        first.apply("city", incidents=[inc("a")], cursor="1")
        assert second.claim_writes() == e1 + 1       # the successor (it took the lock the first one lost)
        with pytest.raises(FencedOut, match="another recorder took over"):
            first.apply("city", incidents=[inc("b")], cursor="2")
        with pytest.raises(FencedOut):
            first.write_feed_status([], RecorderStatus(host="h", pid=1, role=RecorderRole.ACTIVE,
                                                       started_at=T0, heartbeat_at=T0))
        second.apply("city", incidents=[inc("c")], cursor="3")
        second.refuse_writes()                       # it lost the lock in turn: nothing, even with no successor
        with pytest.raises(FencedOut, match="lost the store's recorder lock"):
            second.apply("city", incidents=[inc("d")], cursor="4")
        first.write_recorder(RecorderStatus(host="h", pid=1, role=RecorderRole.STANDBY, started_at=T0,
                                            heartbeat_at=T0))    # a heartbeat is not fenced
        assert {i.id for i in second.incidents(drill=None)} == {"a", "c"} and second.cursor("city") == "3"
    finally:
        first.close()
        second.close()


@pytest.mark.postgres
def test_a_holder_whose_lock_session_ends_loses_the_lock_and_its_successor_fences_it_out(store_url: str) -> None:
    if not store_url.startswith("postgresql"):
        pytest.skip("the lock's own database session exists on PostgreSQL only")
    store, successor = Store.open(store_url), Store.open(store_url)
    lock, other = recorder_lock(store.engine), recorder_lock(successor.engine)
    assert isinstance(lock, PgRecorderLock)
    admin = create_engine(store_url, isolation_level="AUTOCOMMIT")
    try:
        assert lock.try_acquire()
        store.claim_writes()
        store.apply("city", incidents=[inc("before")], cursor="1")
        with admin.connect() as c:                  # the session dies (a network cut, an administrator)
            assert c.execute(text("SELECT pg_terminate_backend(:p)"), {"p": lock.backend_pid}).scalar()
        assert holds_within(other.try_acquire, 5), "the lock was not freed when its session ended"
        successor.claim_writes()
        # the first holder has not noticed yet: its write is refused all the same
        with pytest.raises(FencedOut):
            store.apply("city", incidents=[inc("after")], cursor="2")
        assert not lock.held() and other.held()
        successor.apply("city", incidents=[inc("successor")], cursor="3")
        assert {i.id for i in store.incidents(drill=None)} == {"before", "successor"}
    finally:
        lock.release()
        other.release()
        admin.dispose()
        store.close()
        successor.close()


def test_the_lock_of_a_killed_holder_is_free_at_once(store_url: str, tmp_path) -> None:
    Store.open(store_url).close()
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, store_url], stdout=subprocess.PIPE, text=True,
                            env=subprocess_env())
    store = Store.open(store_url)
    lock = recorder_lock(store.engine)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
        assert not lock.try_acquire()
        proc.kill()                                  # SIGKILL: no clean-up in the holder
        proc.wait(10)
        killed = time.monotonic()
        assert holds_within(lock.try_acquire, 5, step=0.02), "the killed holder's lock was not freed within 5 s"
        print(f"lock free {(time.monotonic() - killed) * 1000:.0f} ms after the holder's kill -9 ({store.dialect})")
    finally:
        if proc.poll() is None:
            proc.kill()
        lock.release()
        store.close()
