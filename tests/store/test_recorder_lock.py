"""The recorder lock: one holder per store, freed when the holder dies, and a fence that refuses the writes of a
holder that lost it (no split brain)."""
from __future__ import annotations

import subprocess
import sys
import time

import pytest
from sqlalchemy import create_engine, text

from commandcenter.store import Store
from commandcenter.store.recorder_lock import FencedOut, PgRecorderLock, recorder_lock
from tests.support import subprocess_env
from tests.support.store import inc

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


def test_a_fenced_store_writes_while_it_holds_the_lock_and_nothing_once_it_let_go(store: Store) -> None:
    lock = recorder_lock(store.engine)
    store.set_write_fence(lock.fence)
    try:
        with pytest.raises(FencedOut):
            store.apply("city", incidents=[inc("a")], cursor="1")
        assert lock.try_acquire()
        store.apply("city", incidents=[inc("b")], cursor="2")
        lock.release()
        with pytest.raises(FencedOut):
            store.apply("city", incidents=[inc("c")], cursor="3")
    finally:
        store.set_write_fence(None)
        lock.release()
    assert [i.id for i in store.incidents(drill=None)] == ["b"] and store.cursor("city") == "2"


@pytest.mark.postgres
def test_a_holder_whose_lock_session_ends_is_fenced_out_at_once_and_another_takes_over(store_url: str) -> None:
    if not store_url.startswith("postgresql"):
        pytest.skip("the lock's own database session exists on PostgreSQL only")
    store = Store.open(store_url)
    lock, other = recorder_lock(store.engine), recorder_lock(store.engine)
    assert isinstance(lock, PgRecorderLock)
    admin = create_engine(store_url, isolation_level="AUTOCOMMIT")
    try:
        assert lock.try_acquire()
        store.set_write_fence(lock.fence)
        store.apply("city", incidents=[inc("before")], cursor="1")
        with admin.connect() as c:                  # the session dies (a network cut, an administrator)
            assert c.execute(text("SELECT pg_terminate_backend(:p)"), {"p": lock.backend_pid}).scalar()
        # even before the holder noticed, its next write is refused: the fence asks the server who holds the lock
        with pytest.raises(FencedOut):
            store.apply("city", incidents=[inc("after")], cursor="2")
        deadline = time.monotonic() + 5
        while not other.try_acquire():
            assert time.monotonic() < deadline, "the lock was not freed when its session ended"
            time.sleep(0.05)
        with pytest.raises(FencedOut):
            store.apply("city", incidents=[inc("after")], cursor="2")
        assert not lock.held()
        assert [i.id for i in store.incidents(drill=None)] == ["before"] and store.cursor("city") == "1"
    finally:
        store.set_write_fence(None)
        lock.release()
        other.release()
        admin.dispose()
        store.close()


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
        while not lock.try_acquire():
            assert time.monotonic() - killed < 5, "the killed holder's lock was not freed within 5 s"
            time.sleep(0.02)
        print(f"lock free {(time.monotonic() - killed) * 1000:.0f} ms after the holder's kill -9 ({store.dialect})")
    finally:
        if proc.poll() is None:
            proc.kill()
        lock.release()
        store.close()
