"""SQLite connections: one writer connection with the large page cache, pooled readers with a small one, and
one process-wide bound on SQLite's heap over all of them."""
from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest

from commandcenter.domain import Status
from commandcenter.store import Store
from commandcenter.store import memory
from commandcenter.store.engine import READER_CACHE_KIB, READER_POOL_SIZE, WRITER_CACHE_KIB

from tests.support.store import T0, inc


def _cache_kib(conn: Any) -> int:
    return -conn.exec_driver_sql("PRAGMA cache_size").scalar()


def test_sqlite_readers_keep_a_smaller_page_cache_than_the_writer(tmp_path: Any) -> None:
    store = Store.open(f"sqlite:///{tmp_path / 's.db'}")
    try:
        with store._read() as conn:
            reader = _cache_kib(conn)
        with store._write() as conn:
            writer = _cache_kib(conn)
        assert reader == READER_CACHE_KIB and writer == WRITER_CACHE_KIB and reader < writer
    finally:
        store.close()


def test_writes_from_several_threads_all_land_through_the_single_writer_connection(tmp_path: Any) -> None:
    store = Store.open(f"sqlite:///{tmp_path / 's.db'}")
    errors: list[BaseException] = []

    def feed(t: int) -> None:
        try:
            for k in range(10):
                store.apply(f"feed-{t}", incidents=[inc(f"t{t}-{k}-{j}", at=T0 + timedelta(minutes=j), grid=f"g{j % 3}")
                                                    for j in range(20)], cursor=str(k))
                assert store.incidents(limit=5)   # a read between writes takes a reader, never the writer
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)

    threads = [threading.Thread(target=feed, args=(t,)) for t in range(4)]
    try:
        for th in threads:
            th.start()
        for th in threads:
            th.join(60)
        assert errors == []
        got = store.incidents(limit=10_000)
        assert len(got) == 4 * 10 * 20 and all(i.status is Status.REPORTED for i in got)
        assert all(store.cursor(f"feed-{t}") == "9" for t in range(4))
        assert store.kpis("", T0 - timedelta(hours=1), T0 + timedelta(days=1))["events"].value == 800
    finally:
        store.close()


def test_every_sqlite_connection_carries_the_process_wide_soft_heap_limit(tmp_path: Any) -> None:
    store = Store.open(f"sqlite:///{tmp_path / 's.db'}")
    try:
        with store._read() as conn:
            limit = conn.exec_driver_sql("PRAGMA soft_heap_limit").scalar()
        assert limit == memory.SQLITE_SOFT_HEAP_LIMIT_KIB * 1024
    finally:
        store.close()


def test_the_writer_and_pooled_readers_page_caches_fit_under_the_heap_limit() -> None:
    assert WRITER_CACHE_KIB + READER_POOL_SIZE * READER_CACHE_KIB <= memory.SQLITE_SOFT_HEAP_LIMIT_KIB


def test_a_reader_pool_used_one_thread_at_a_time_keeps_reusing_one_connection(tmp_path: Any) -> None:
    store = Store.open(f"sqlite:///{tmp_path / 's.db'}")
    try:
        seen = set()
        for _ in range(READER_POOL_SIZE + 3):
            with store._read() as conn:
                seen.add(id(conn.connection.dbapi_connection))
        assert len(seen) == 1   # LIFO: the warm cache is the one used, the others are never opened
    finally:
        store.close()


def test_scanning_more_pages_than_the_heap_limit_through_every_connection_keeps_sqlite_heap_under_it(
        tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """The caches' own bounds (tens of MB each) would hold the whole table several times over; the soft heap
    limit makes them recycle pages instead. Scaled down: a limit 4 MB above what SQLite holds already, 16 MB
    of table pages read through the writer and three readers at once."""
    used = memory.sqlite_heap_bytes()
    if used is None:
        pytest.skip("the sqlite3 module's SQLite is not reachable through ctypes (statically linked)")
    import sqlite3

    probe = sqlite3.connect(":memory:")
    old_limit = probe.execute("PRAGMA soft_heap_limit").fetchone()[0]
    limit_kib = used // 1024 + 4096
    monkeypatch.setattr(memory, "SQLITE_SOFT_HEAP_LIMIT_KIB", limit_kib)
    store = Store.open(f"sqlite:///{tmp_path / 's.db'}")
    try:
        with store._write() as conn:
            conn.exec_driver_sql("CREATE TABLE filler (b BLOB)")
            conn.exec_driver_sql("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 4096) "
                                 "INSERT INTO filler SELECT randomblob(3900) FROM n")
        with store._write() as conn:
            assert conn.exec_driver_sql("SELECT count(*) FROM filler").scalar() == 4096   # ≈ 16 MB of pages
        readers = [store._engine.connect() for _ in range(3)]
        try:
            for conn in readers:
                assert conn.exec_driver_sql("SELECT sum(length(b)) FROM filler").scalar() == 4096 * 3900
            peak = memory.sqlite_heap_bytes()
        finally:
            for conn in readers:
                conn.close()
        assert peak is not None and peak <= limit_kib * 1024 + 1_048_576   # the limit, plus one MB of slack
    finally:
        store.close()
        probe.execute(f"PRAGMA soft_heap_limit={old_limit}")
        probe.close()
