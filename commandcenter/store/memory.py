"""SQLite's memory in this process: one stated bound over every connection's page cache together.

Each SQLite connection keeps its own page cache, bounded by its `cache_size`; a wall holds a writer connection
and a pool of readers (and a CLI command may open a second store beside it), so without a process-wide bound
SQLite's heap is the sum of those caches, reached only after hours as queries touch new pages: a 30-min soak
saw SQLite's heap grow 40 MB and still climbing towards a 256 MB sum of bounds.

SQLite's soft heap limit is process-wide (set by `PRAGMA soft_heap_limit` on any connection; Python's sqlite3
module has no other handle on it). Once SQLite's heap reaches it, every page cache reuses its own least
recently used page instead of allocating a new one, so the heap stays near the limit whatever the number of
connections and their cache_size. It is soft on purpose: an allocation above it still succeeds, where a hard
limit would turn into SQLITE_NOMEM in the middle of a write transaction.
"""
from __future__ import annotations

from typing import Any

# SQLite's heap in this process, in KiB: the writer's page cache, the readers' caches, statements and schema.
# The writer's cache (store.WRITER_CACHE_KIB) fits under it with room for the readers' working sets.
SQLITE_SOFT_HEAP_LIMIT_KIB = 32_768


def bound_sqlite_heap(dbapi_conn: Any) -> int:
    """Set the process-wide soft heap limit through `dbapi_conn` (a sqlite3 connection); returns the limit in
    bytes SQLite reports back. Idempotent: every new connection calls it, so the bound holds from the first."""
    cur = dbapi_conn.cursor()
    try:
        return int(cur.execute(f"PRAGMA soft_heap_limit={SQLITE_SOFT_HEAP_LIMIT_KIB * 1024}").fetchone()[0])
    finally:
        cur.close()


def sqlite_heap_bytes() -> int | None:
    """Bytes SQLite has allocated in this process (`sqlite3_memory_used()`), for the soak bench and the tests
    that check the bound. None when the libsqlite3 ctypes finds is not the one Python's sqlite3 module uses
    (a statically linked build): the two are told apart by a change of the soft heap limit made through the
    sqlite3 module (one up, then back) showing through ctypes."""
    import ctypes
    import ctypes.util
    import sqlite3

    try:
        lib = ctypes.CDLL(ctypes.util.find_library("sqlite3") or "libsqlite3.so.0")
        lib.sqlite3_memory_used.restype = ctypes.c_int64
        lib.sqlite3_soft_heap_limit64.restype = ctypes.c_int64
        lib.sqlite3_soft_heap_limit64.argtypes = [ctypes.c_int64]
    except (OSError, AttributeError):
        return None
    conn = sqlite3.connect(":memory:")
    try:
        limit = int(conn.execute("PRAGMA soft_heap_limit").fetchone()[0])
        conn.execute(f"PRAGMA soft_heap_limit={limit + 1}")
        same = lib.sqlite3_soft_heap_limit64(-1) == limit + 1
        conn.execute(f"PRAGMA soft_heap_limit={limit}")
    finally:
        conn.close()
    if not same:
        return None
    return int(lib.sqlite3_memory_used())
