"""SQLite connections: one writer connection with the large page cache, pooled readers with a small one."""
from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

from commandcenter.domain import Status
from commandcenter.store import Store
from commandcenter.store.store import READER_CACHE_KIB, WRITER_CACHE_KIB

from storehelp import T0, inc


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
