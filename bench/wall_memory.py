"""rss_mb_100k_open: resident memory of the wall with 100,000 open incidents.

The store is filled first, in a child process (as the feeds of an earlier run would have, through Store.apply
in 5,000-record batches); then the process does what a (re)started wall does: loads the open incidents into the live state, builds the
3840×2160 window with every tile, flushes the models and paints. RSS from /proc/self/statm after
gc.collect(); the empty wall's RSS is reported alongside.
"""
from __future__ import annotations

import asyncio
import multiprocessing
import tempfile
from pathlib import Path

from common import (app, emit, flush_models, make_incidents, note, parser, qasync_loop, rss_mb,
                    start_wall, stop_wall, wall_config)


def _fill(url: str, n: int) -> None:
    """Fill the store in a child process, as the feeds of an earlier run would have: the memory the filling
    allocated (100k records, the writer's page cache) is then not counted in the wall's RSS, which is what a
    (re)started wall has, not a filler's leftovers the allocator kept."""
    from commandcenter.store import Store

    store = Store.open(url)
    for start in range(0, n, 5000):
        store.apply("bench", incidents=make_incidents(min(5000, n - start), start=start))
    store.close()


def _sqlite_heap_mb() -> float:
    """SQLite's own heap (page caches, schemas, statements) from sqlite3_memory_used(), in MB."""
    import _sqlite3
    import ctypes

    used = ctypes.CDLL(_sqlite3.__file__).sqlite3_memory_used
    used.restype = ctypes.c_int64
    return used() / 1e6


def _connections(store) -> int:
    engines = {id(e): e for e in (store.engine, getattr(store, "_writer", store.engine))}.values()
    return sum(e.pool.checkedin() + e.pool.checkedout() for e in engines)


def main() -> None:
    a = parser(__doc__)
    a.add_argument("--open", type=int, default=100_000)
    args = a.parse_args()
    tmp = tempfile.TemporaryDirectory(prefix="bench-rss-")
    url = f"sqlite:///{Path(tmp.name) / 'w.db'}"
    config = wall_config()
    qapp = app(config)
    loop = qasync_loop(qapp)
    out: dict = {}

    async def empty() -> None:
        store, live, pipeline, window, _ = await start_wall(config, f"sqlite:///{Path(tmp.name) / 'e.db'}",
                                                            start_feeds=False)
        flush_models(window)
        await asyncio.sleep(0.5)
        out["empty"] = rss_mb()
        await stop_wall(store, pipeline, window)

    async def full() -> None:
        store, live, pipeline, window, missing = await start_wall(config, url, start_feeds=False)
        flush_models(window)
        window.repaint()
        await asyncio.sleep(1.0)
        flush_models(window)
        window.repaint()
        out.update(full=rss_mb(), open=sum(1 for i in live.incidents.values() if i.is_open), missing=missing,
                   # SQLite connections the wall holds open (each has its own page cache): pooled readers
                   # plus the writer, when the store has a separate one
                   connections=_connections(store), sqlite_mb=_sqlite_heap_mb())
        await stop_wall(store, pipeline, window)

    with loop:
        loop.run_until_complete(empty())
        child = multiprocessing.get_context("spawn").Process(target=_fill, args=(url, args.open))
        child.start()
        child.join()
        if child.exitcode != 0:
            raise SystemExit(f"filling the store failed (exit code {child.exitcode})")
        note("store filled")
        loop.run_until_complete(full())
    note(f"rss: empty wall {out['empty']:.0f} MB, with {out['open']:,} open {out['full']:.0f} MB")
    emit("rss_mb_100k_open", out["full"], "MB", 400.0, rss_empty_mb=out["empty"], n=out["open"],
         missing_tiles=out["missing"], connections=out["connections"],
         sqlite_heap_mb=round(out["sqlite_mb"], 1))


if __name__ == "__main__":
    main()
