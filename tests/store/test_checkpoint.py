"""SQLite WAL checkpoints run in a background thread, never inside a commit, and the WAL stays bounded."""
from __future__ import annotations

from itertools import pairwise
import sqlite3
import threading
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from commandcenter.store import Store
from commandcenter.store.checkpoint import WalCheckpointer

from tests.support import subprocess_env
from tests.support.store import T0, inc


def _write_batches(store: Store, batches: int, per_batch: int = 200) -> None:
    for b in range(batches):
        store.apply("f", incidents=[inc(f"b{b}-{k}", at=T0 + timedelta(seconds=k), grid=f"g{k % 7}", title="x" * 400)
                                    for k in range(per_batch)], cursor=str(b))


def _checkpoint_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("wal-checkpoint")]


def test_the_writer_connection_leaves_checkpoints_to_the_background_thread(tmp_path: Path) -> None:
    store = Store.open(f"sqlite:///{tmp_path / 's.db'}")
    try:
        with store._write() as conn:
            autocheckpoint = conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar()
            size_limit = conn.exec_driver_sql("PRAGMA journal_size_limit").scalar()
        assert autocheckpoint == 0 and size_limit == 0
    finally:
        store.close()


def test_commits_past_the_threshold_are_checkpointed_in_the_background(tmp_path: Path) -> None:
    store = Store.open(f"sqlite:///{tmp_path / 's.db'}")
    store._checkpointer = ckpt = WalCheckpointer(store._checkpointer.path, threshold_frames=50, limit_frames=400)
    try:
        _write_batches(store, 12)
        ckpt.close()   # waits for the checkpoint in flight
        assert ckpt.checkpoints > 0
    finally:
        store.close()


class _SlowCheckpointer(WalCheckpointer):
    """Checkpoints that take longer than a transaction (a big WAL on a slow disk): the next one always begins
    while a checkpoint still runs."""

    def _checkpoint(self, conn: sqlite3.Connection) -> None:
        time.sleep(0.3)
        super()._checkpoint(conn)


def _wal_lengths(path: Path, limit_frames: int) -> tuple[list[int], int]:
    """WAL length (frames) after each of 30 back-to-back transactions, and how often the writer waited."""
    store = Store.open(f"sqlite:///{path}")
    store._checkpointer = ckpt = _SlowCheckpointer(store._checkpointer.path, threshold_frames=50,
                                                   limit_frames=limit_frames)
    lengths = []
    try:
        _write_batches(store, 1)   # the WAL of the migrations, then checkpointed
        for b in range(30):
            store.apply("f", incidents=[inc(f"c{b}-{k}", at=T0, grid=f"g{k}", title="y" * 300) for k in range(40)])
            lengths.append(ckpt.wal_frames())
        return lengths, ckpt.waits
    finally:
        store.close()


def test_a_continuous_writer_waits_for_the_checkpoint_so_the_wal_restarts(tmp_path: Path) -> None:
    lengths, waits = _wal_lengths(tmp_path / "bounded.db", limit_frames=100)
    growth = max(b - a for a, b in pairwise(lengths))   # one transaction's frames
    assert waits > 0
    assert max(lengths[1:]) <= 100 + growth
    # the same writes without the wait: each transaction begins while a checkpoint runs, so the WAL never restarts
    unbounded, no_waits = _wal_lengths(tmp_path / "unbounded.db", limit_frames=10**9)
    assert no_waits == 0 and unbounded[-1] > 3 * (100 + growth)


def test_closing_the_store_stops_its_checkpoint_thread(tmp_path: Path) -> None:
    store = Store.open(f"sqlite:///{tmp_path / 's.db'}")
    store._checkpointer = WalCheckpointer(store._checkpointer.path, threshold_frames=10)
    _write_batches(store, 3)
    assert _checkpoint_threads()
    store.close()
    assert not _checkpoint_threads()


def test_everything_committed_is_in_the_database_after_close(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    store = Store.open(f"sqlite:///{path}")
    store._checkpointer = WalCheckpointer(store._checkpointer.path, threshold_frames=20)
    _write_batches(store, 5)
    store.close()
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT count(*) FROM incidents").fetchone()[0] == 5 * 200
    assert not Path(f"{path}-wal").exists() or Path(f"{path}-wal").stat().st_size == 0


def test_a_failing_checkpoint_is_retried_and_never_breaks_a_write(tmp_path: Path, caplog: Any) -> None:
    store = Store.open(f"sqlite:///{tmp_path / 's.db'}")
    ckpt = WalCheckpointer(str(tmp_path / "missing-dir" / "s.db"), threshold_frames=0)   # cannot be opened
    ckpt.wal_frames = lambda: 10   # type: ignore[method-assign] - as if its WAL had frames waiting
    store._checkpointer = ckpt
    try:
        _write_batches(store, 2)
        ckpt.close()
        assert ckpt.checkpoints == 0
        assert "WAL checkpoint" in caplog.text and "failed" in caplog.text
        assert store.counts()["incidents"] == 400
    finally:
        store.close()


_WRITER = """
import sys
from datetime import timedelta
from commandcenter.store import Store
from commandcenter.store.checkpoint import WalCheckpointer
from tests.support.store import T0, inc
store = Store.open("sqlite:///" + sys.argv[1])
store._checkpointer = WalCheckpointer(store._checkpointer.path, threshold_frames=20, limit_frames=60)
print("ready", flush=True)
for b in range(60):
    store.apply("f", incidents=[inc(f"b{b}-{k}", at=T0 + timedelta(seconds=k), grid=f"g{k % 9}", title="x" * 300)
                                for k in range(60)])
store.close()
print("done", flush=True)
"""


def test_readers_in_another_process_never_upset_a_writer_that_checkpoints(tmp_path: Path) -> None:
    # SQLite coordinates processes through POSIX locks on the -shm file; a checkpointer that opened and closed
    # that file itself dropped them, and a reader process re-initialised the shared memory: the writer got SIGBUS
    import subprocess
    import sys

    path = tmp_path / "s.db"
    proc = subprocess.Popen([sys.executable, "-c", _WRITER, str(path)], stdout=subprocess.PIPE,
                            text=True, env=subprocess_env())
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        reads = 0
        while proc.poll() is None:
            conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            try:
                conn.execute("SELECT count(*) FROM incidents").fetchone()
                reads += 1
            except sqlite3.OperationalError:
                pass
            finally:
                conn.close()
        out = proc.stdout.read()
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(30)
    assert proc.returncode == 0 and "done" in out and reads > 0
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT count(*) FROM incidents").fetchone()[0] == 60 * 60
