"""The recorder lock: at most one recorder writes a store; any other stands by until the lock is free.

PostgreSQL: a session-level advisory lock (`pg_try_advisory_lock`) held on a connection of the lock's own. It is
freed when that session ends: at once when the holder's process dies on this or another machine whose kernel closes
the socket (kill -9, a crash), and within the server-side TCP keepalive this session sets (`KEEPALIVE_*`) when the
holder's machine or network vanishes. The lock is per schema (its key is the schema's name hashed), so test
schemas in one database do not collide.

A recorder that lost its lock may still have a write transaction on its way: the writer epoch (store/writer_epoch.py)
fences it out once a successor has claimed the store.

SQLite: an OS file lock (`flock`) on `<database>.recorder-lock` beside the database file, freed by the kernel when
the holder's process ends. It cannot be lost while the process lives.
"""
from __future__ import annotations

import fcntl
import logging
import os
import socket
from pathlib import Path
from typing import IO, Protocol

from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.pool import NullPool

from .errors import StoreError

log = logging.getLogger(__name__)

#: The advisory lock's first key ("cmrl"); the second is hashtext(current_schema()).
LOCK_CLASS = 0x636D726C
#: The server drops the lock session this long after the holder's machine stops answering: idle + count × interval.
KEEPALIVE_IDLE_S = 2
KEEPALIVE_INTERVAL_S = 1
KEEPALIVE_COUNT = 2
#: ... and a sent answer left unacknowledged this long ends it too.
USER_TIMEOUT_MS = 4000
#: How the lock's session shows in pg_stat_activity: this prefix, then `host:pid` of the recorder process.
APPLICATION_NAME = "commandcenter-recorder-lock"


def application_name() -> str:
    """The lock session's application_name: which recorder holds the lock, for an administrator and the tests."""
    return f"{APPLICATION_NAME} {socket.gethostname()}:{os.getpid()}"[:63]


class RecorderLock(Protocol):
    """What the recorder needs of a lock. Blocking calls: run them off the event loop."""

    def try_acquire(self) -> bool:
        """Take the lock if it is free; True if this process holds it now."""
        ...

    def held(self) -> bool:
        """Whether this process still holds the lock (False once its session is gone)."""
        ...

    def release(self) -> None:
        """Give the lock up (and close what holds it)."""
        ...


class PgRecorderLock:
    """The advisory lock on a dedicated PostgreSQL session (see the module docstring)."""

    def __init__(self, engine: Engine) -> None:
        # client-side keepalives too: a check on a session whose server vanished fails instead of hanging
        self._engine = create_engine(engine.url, poolclass=NullPool, isolation_level="AUTOCOMMIT",
                                     connect_args={"application_name": application_name(), "connect_timeout": 5,
                                                   "keepalives": 1, "keepalives_idle": KEEPALIVE_IDLE_S,
                                                   "keepalives_interval": KEEPALIVE_INTERVAL_S,
                                                   "keepalives_count": KEEPALIVE_COUNT,
                                                   "tcp_user_timeout": USER_TIMEOUT_MS})
        self._conn: Connection | None = None
        self._backend_pid: int | None = None

    @property
    def backend_pid(self) -> int | None:
        """The lock session's server process id while held (tests end that session to simulate its loss)."""
        return self._backend_pid

    def try_acquire(self) -> bool:
        """Take the lock if free. The session stays open while standing by (one connection, not one a second)."""
        if self._backend_pid is not None and self.held():
            return True
        if self._conn is None:
            self._conn = self._connect()
        try:
            got, pid = self._conn.execute(text("SELECT pg_try_advisory_lock(:c, hashtext(current_schema())), "
                                               "pg_backend_pid()"), {"c": LOCK_CLASS}).one()
        except BaseException:
            self._drop()
            raise
        self._backend_pid = int(pid) if got else None
        return bool(got)

    def _connect(self) -> Connection:
        conn = self._engine.connect()
        try:
            # the server ends this session (and frees the lock) soon after the holder's machine stops answering
            conn.exec_driver_sql(f"SET tcp_keepalives_idle = {KEEPALIVE_IDLE_S}")
            conn.exec_driver_sql(f"SET tcp_keepalives_interval = {KEEPALIVE_INTERVAL_S}")
            conn.exec_driver_sql(f"SET tcp_keepalives_count = {KEEPALIVE_COUNT}")
            conn.exec_driver_sql(f"SET tcp_user_timeout = {USER_TIMEOUT_MS}")
        except BaseException:
            conn.close()
            raise
        return conn

    def held(self) -> bool:
        if self._conn is None or self._backend_pid is None:
            return False
        try:
            self._conn.exec_driver_sql("SELECT 1")
        except Exception as exc:  # noqa: BLE001 - any failure of the session means the lock is gone
            log.error("the recorder lock's database session is gone (%s): this recorder no longer holds the lock",
                      " ".join(str(exc).split())[:200])
            self._drop()
            return False
        return True

    def release(self) -> None:
        if self._conn is not None and self._backend_pid is not None:
            try:
                self._conn.execute(text("SELECT pg_advisory_unlock(:c, hashtext(current_schema()))"),
                                   {"c": LOCK_CLASS})
            except Exception:  # noqa: BLE001 - closing the session frees the lock anyway
                log.debug("unlocking the recorder lock failed; closing its session frees it", exc_info=True)
        self._drop()
        self._engine.dispose()

    def _drop(self) -> None:
        conn, self._conn, self._backend_pid = self._conn, None, None
        if conn is not None:
            try:
                conn.close()
            except Exception:  # noqa: BLE001 - a dead session may fail to close; it is gone either way
                log.debug("closing the recorder lock's session failed", exc_info=True)


class FileRecorderLock:
    """An exclusive `flock` on a file beside the SQLite database (see the module docstring)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file: IO[bytes] | None = None

    def try_acquire(self) -> bool:
        if self._file is not None:
            return True
        fh = open(self.path, "a+b")  # noqa: SIM115 - held open for as long as the lock is held
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.close()
            return False
        except BaseException:
            fh.close()
            raise
        fh.seek(0)
        fh.truncate()
        fh.write(f"{os.getpid()}\n".encode())
        fh.flush()
        self._file = fh
        return True

    def held(self) -> bool:
        return self._file is not None

    def release(self) -> None:
        fh, self._file = self._file, None
        if fh is not None:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
            fh.close()


def recorder_lock(engine: Engine) -> RecorderLock:
    """The recorder lock of the store behind `engine` (its URL names the database)."""
    if engine.dialect.name == "postgresql":
        return PgRecorderLock(engine)
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database:
        raise StoreError(f"no recorder lock for a {engine.dialect.name} store")
    return FileRecorderLock(Path(database).with_name(Path(database).name + ".recorder-lock"))
