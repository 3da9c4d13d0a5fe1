"""rss_mb_100k_open: resident memory of the wall with 100,000 open incidents.

The store is filled first (as the feeds would have, through Store.apply in 5,000-record batches); then the
process does what a (re)started wall does: loads the open incidents into the live state, builds the
3840×2160 window with every tile, flushes the models and paints. RSS from /proc/self/statm after
gc.collect(); the empty wall's RSS is reported alongside.
"""
from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

from common import (app, emit, flush_models, make_incidents, note, parser, process, qasync_loop, rss_mb,
                    start_wall, stop_wall, wall_config)


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
        out.update(full=rss_mb(), open=sum(1 for i in live.incidents.values() if i.is_open), missing=missing)
        await stop_wall(store, pipeline, window)

    with loop:
        loop.run_until_complete(empty())
        from commandcenter.store import Store
        store = Store.open(url)
        for start in range(0, args.open, 5000):
            store.apply("bench", incidents=make_incidents(min(5000, args.open - start), start=start))
        store.close()
        note("store filled")
        loop.run_until_complete(full())
    note(f"rss: empty wall {out['empty']:.0f} MB, with {out['open']:,} open {out['full']:.0f} MB")
    emit("rss_mb_100k_open", out["full"], "MB", 400.0, rss_empty_mb=out["empty"], n=out["open"],
         missing_tiles=out["missing"])


if __name__ == "__main__":
    main()
