"""Engines for a store URL: SQLite (a writer connection with a large page cache, a pool of readers with small
ones, WAL) or PostgreSQL."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event

from .errors import StoreError
from .memory import bound_sqlite_heap

# SQLite page cache per connection, in KiB. The writer's batch touches index, timeline and rollup pages spread
# over the whole file, so it keeps the large cache; a reader's queries are index range scans of a few pages each
# (KPI rollup ranges, open incidents by status), and every pooled reader connection holding 64 MB was a large part
# of the wall's resident memory once the open incidents had been read. Together they are bounded once more by
# SQLite's process-wide soft heap limit (memory.SQLITE_SOFT_HEAP_LIMIT_KIB): writer + the pooled readers' caches
# fit under it, and an overflow reader beyond them recycles its pages instead of growing the heap.
# Measured in docs/benchmarks.md, Store and Soak.
WRITER_CACHE_KIB = 24_576
READER_CACHE_KIB = 4_096
# Reader connections: the wall reads from its store thread and its history thread (two at a time); the pool is
# LIFO, so a lone reader keeps reusing the connection whose cache is warm rather than warming them all in turn,
# and an overflow connection (bursts from CLI or tests) is closed when given back, its cache freed with it.
READER_POOL_SIZE = 2
READER_MAX_OVERFLOW = 4


def make_engine(url: str, *, writer: bool = False) -> Engine:
    """An engine for `url`. SQLite: `writer` gives a single-connection pool with the writer's page cache (the
    store serialises writes anyway), otherwise a pool of reader connections with a small cache."""
    if url.startswith("sqlite"):
        if url in ("sqlite://", "sqlite:///:memory:"):
            raise StoreError("an in-memory SQLite store is not supported; give a file path")
        path = url.split(":///", 1)[1] if ":///" in url else ""
        if path:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        cache_kib = WRITER_CACHE_KIB if writer else READER_CACHE_KIB
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30},
                               pool_size=1 if writer else READER_POOL_SIZE,
                               max_overflow=0 if writer else READER_MAX_OVERFLOW, pool_use_lifo=True)

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn: Any, _rec: Any) -> None:
            dbapi_conn.isolation_level = None   # we issue BEGIN [IMMEDIATE] ourselves
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.execute(f"PRAGMA cache_size=-{cache_kib}")
            bound_sqlite_heap(dbapi_conn)   # process-wide: the sum of all caches stays under one bound
            if writer:   # the Store checkpoints from a background thread (checkpoint.py), never inside a commit;
                cur.execute("PRAGMA wal_autocheckpoint=0")   # a restarted WAL is cut to what its first commit
                cur.execute("PRAGMA journal_size_limit=0")   # wrote, so its file size is its length
            else:
                cur.execute("PRAGMA wal_autocheckpoint=8192")
            cur.close()

        return engine
    if url.startswith("postgresql"):
        if url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url[len("postgresql://"):]
        return create_engine(url, pool_size=4, max_overflow=8, pool_pre_ping=True)
    raise StoreError(f"unsupported store URL {url!r}: expected sqlite:///path or postgresql+psycopg://...")
