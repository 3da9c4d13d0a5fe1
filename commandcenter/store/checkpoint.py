"""WAL checkpoints of an SQLite store from a background thread, so that no commit pays for one.

With SQLite's automatic checkpoint, the commit that takes the WAL past `wal_autocheckpoint` pages copies the
whole WAL into the database file and fsyncs both, inside the writer's transaction: on the ingest stream one
commit in three took 350–550 ms instead of 50–100 ms (docs/benchmarks.md, Store). The writer connection runs
with `wal_autocheckpoint=0` instead; after each commit it looks at the WAL's length and, once `threshold_frames`
more frames were written since the last checkpoint it asked for, wakes this thread, which runs
`PRAGMA wal_checkpoint(PASSIVE)` on its own connection. A passive checkpoint takes no lock that a writer or a
reader waits for, and the sqlite3 module releases the GIL while it runs.

The WAL restarts from its beginning only when a write transaction *begins* after a checkpoint copied every
frame. A writer that starts its next transaction while the checkpoint still runs (a continuous ingest stream)
keeps appending, so the WAL would grow without end: once it is `limit_frames` long, `before_write` makes the
writer wait for the checkpoint in progress (or one it asks for) before it begins, and that transaction restarts
the WAL. Durability is unchanged (synchronous=NORMAL: the WAL is fsynced before each checkpoint, as before).

The WAL's length is its file size: the writer runs with `journal_size_limit=0`, so the first commit after a
restart cuts the file to what it wrote. Never open the `-wal` or `-shm` file here to read SQLite's own
counters: closing any descriptor of a file drops every POSIX lock the process holds on it, SQLite's included,
and another process then re-initialises the shared memory under this one's feet (it died of SIGBUS).
"""
from __future__ import annotations

import logging
import os
import sqlite3
import threading
import time

log = logging.getLogger(__name__)

#: Frames written to the WAL before the background checkpoint runs: 16 MiB of 4 KiB pages. A checkpoint costs two
#: fsyncs whatever its size; a small WAL stays in the OS page cache (measured in docs/benchmarks.md, Store).
CHECKPOINT_FRAMES = 4096
#: WAL length at which the writer waits for a checkpoint before its next transaction (128 MiB of 4 KiB pages).
LIMIT_FRAMES = 32768
_WAL_HEADER, _FRAME_HEADER = 32, 24


class WalCheckpointer:
    """Checkpoints the WAL of the SQLite database at `path` in a daemon thread, `threshold_frames` at a time."""

    def __init__(self, path: str, *, page_size: int = 4096, threshold_frames: int = CHECKPOINT_FRAMES,
                 limit_frames: int = LIMIT_FRAMES) -> None:
        self.path = path
        self.wal_path = path + "-wal"
        self.frame_bytes = page_size + _FRAME_HEADER
        self.threshold_frames = threshold_frames
        self.limit_frames = max(limit_frames, threshold_frames)
        self.checkpoints = 0              # completed checkpoint runs (for tests and benchmarks)
        self.waits = 0                    # times a writer waited for one (WAL at limit_frames)
        self._asked_at = 0                # WAL length when the last checkpoint was asked for
        self._wake = threading.Event()
        self._idle = threading.Event()    # set while no checkpoint is asked for or running
        self._idle.set()
        self._stop = False
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._failed_at = -1e9

    def wal_frames(self) -> int:
        """Frames in the WAL since it last restarted (0 without a WAL file). A stat, no descriptor opened."""
        try:
            size = os.stat(self.wal_path).st_size
        except OSError:
            return 0
        return max(0, size - _WAL_HEADER) // self.frame_bytes

    def after_commit(self) -> None:
        """Called by the writer after each commit: ask for a checkpoint every `threshold_frames` frames."""
        frames = self.wal_frames()
        if frames < self._asked_at:   # the WAL restarted
            self._asked_at = 0
        if frames - self._asked_at >= self.threshold_frames:
            self._asked_at = frames
            self._request()

    def before_write(self, timeout: float = 30.0) -> None:
        """Called by the writer before it begins a transaction: with a WAL `limit_frames` long, wait for a
        checkpoint to finish first, so that this transaction restarts the WAL instead of growing it."""
        if self.wal_frames() < self.limit_frames:
            return
        if self._idle.is_set() and not self._request():
            return
        self.waits += 1
        self._idle.wait(timeout)

    def close(self, timeout: float = 30.0) -> None:
        """Stop the thread (after the checkpoint in progress, if any)."""
        with self._lock:
            self._stop = True
            thread, self._thread = self._thread, None
        self._wake.set()
        if thread is not None:
            thread.join(timeout)
        self._idle.set()

    def _request(self) -> bool:
        """Ask the thread for a checkpoint (starting the thread if needed); False once closed."""
        with self._lock:
            if self._stop:
                return False
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name=f"wal-checkpoint {os.path.basename(self.path)}",
                                                daemon=True)
                self._thread.start()
            self._idle.clear()
            self._wake.set()
        return True

    def _checkpoint(self, conn: sqlite3.Connection) -> None:
        """One passive checkpoint: copies what no reader still needs, never waits for a lock."""
        conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()

    def _run(self) -> None:
        conn: sqlite3.Connection | None = None
        try:
            while True:
                self._wake.wait()
                with self._lock:
                    self._wake.clear()
                if self._stop:
                    return
                try:
                    if conn is None:
                        conn = sqlite3.connect(self.path, timeout=0, isolation_level=None, check_same_thread=False)
                    self._checkpoint(conn)
                    self.checkpoints += 1
                except sqlite3.Error as exc:   # e.g. disk full: the next request retries
                    now = time.monotonic()
                    if now - self._failed_at > 60:
                        log.warning("WAL checkpoint of %s failed: %s (retried at the next request)", self.path, exc)
                        self._failed_at = now
                with self._lock:
                    if not self._wake.is_set():   # no request arrived while this one ran
                        self._idle.set()
        finally:
            self._idle.set()
            if conn is not None:
                conn.close()
