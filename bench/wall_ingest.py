"""ingest_events_per_s: sustained feed → store → model rate with the wall rendering; and its floor.

The real wall connects over SSE to the simulator (own process), which then publishes N new incidents made before
(appended to its log in chunks of 5,000, each streamed while the next is appended, as a backend streams what it
has; `publish_s` says how long publishing took it); the wall takes them in while its 3840×2160 window keeps
painting (qasync). Rate = N / (time from the publish until all N are in the live state and the table model
has flushed).

By default the wall is the one `commandcenter run` makes on SQLite: the feed runs in its recorder child (started
as `run` starts it, connected before the publish: its interpreter's start is the wall's, not the stream's) and
the wall follows the store, so the time runs through the child's decoding and store and the follower to the
flushed table model. `--in-process` measures the old pipeline in one process.

Floor, same run and process: the same N messages as JSON text → json.loads → a batched SQLite insert
(executemany of id, version, JSON in batches of 2,000, one transaction each, WAL). Ratio = floor rate / rate.

Where the time goes: a `StageTrace` follows every 1,000th record (read → decode → sink → store transaction →
live state; in follow mode the child's commit → live state); stderr gets each stage's p50/p99 and how much of the
run the store thread spent in transactions (`store_busy`, in-process only): well under 100 % means the store waits
on the rest of the path, not the other way round.
"""
from __future__ import annotations

import asyncio
import json
import sqlite3
import tempfile
import time
from pathlib import Path

from common import (FOLLOW_STAGES, SimProcess, add_mode_option, app, emit, flush_models, incident_wire,
                    make_incidents, mode_name, feed_live, note, parser, percentile, qasync_loop, sse_feed, start_wall, stop_wall,
                    wait_for, wall_config)


def store_busy_share(stamps: dict[str, dict[str, float]], elapsed: float) -> float:
    """Share of `elapsed` the store thread spent in transactions: the traced records' distinct
    (store_start, committed) pairs are the transactions (each holds many traced records)."""
    spans = {(m["store_start"], m["committed"]) for m in stamps.values() if "store_start" in m and "committed" in m}
    return sum(b - a for a, b in spans) / elapsed if elapsed > 0 else 0.0


def floor_rate(n: int, folder: Path) -> float:
    from commandcenter.domain import format_time
    from commandcenter.sim.log import dumps

    now = make_incidents(1)[0].updated_at
    texts = [dumps({"seq": i + 1, "type": "incident", "sent_at": format_time(now), "data": incident_wire(r)})
             for i, r in enumerate(make_incidents(n, prefix="ingest"))]
    db = sqlite3.connect(folder / "floor.db", isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("CREATE TABLE inc (id TEXT PRIMARY KEY, version INTEGER, body TEXT)")
    t0 = time.perf_counter()
    for start in range(0, n, 2000):
        rows = []
        for text in texts[start:start + 2000]:
            msg = json.loads(text)
            d = msg["data"]
            rows.append((d["id"], d["version"], json.dumps(d)))
        db.execute("BEGIN")
        db.executemany("INSERT INTO inc VALUES (?, ?, ?) ON CONFLICT(id) DO UPDATE SET version=excluded.version, "
                       "body=excluded.body WHERE excluded.version > inc.version", rows)
        db.execute("COMMIT")
    elapsed = time.perf_counter() - t0
    db.close()
    return n / elapsed


def main() -> None:
    a = parser(__doc__)
    a.add_argument("--records", type=int, default=50_000)
    add_mode_option(a)
    args = a.parse_args()
    mode = mode_name(args.in_process)
    n = args.records
    sim = SimProcess(burst=n, prefix="ingest", prebuilt=True)
    config = wall_config([sse_feed(sim.url)])
    qapp = app(config)
    loop = qasync_loop(qapp)
    tmp = tempfile.TemporaryDirectory(prefix="bench-ingest-")
    out: dict = {}

    async def run() -> None:
        from commandcenter.feeds import StageTrace

        store, live, pipeline, window, missing = await start_wall(
            config, f"sqlite:///{Path(tmp.name) / 'w.db'}", start_feeds=False, in_process=args.in_process,
            folder=Path(tmp.name))
        pipeline.trace = StageTrace(lambda rid: rid.endswith("000"))
        await pipeline.start()
        connected = (lambda: bool(pipeline.feeds and getattr(pipeline.feeds[0], "connects", 0))) if args.in_process \
            else (lambda: feed_live(live, "city"))
        if not await wait_for(connected, timeout=60):
            raise RuntimeError("the wall's feed did not connect")
        await asyncio.sleep(0.5)
        before = len(live.incidents)
        t0 = time.perf_counter()
        sim.go()
        # a count's check each 10 ms (the burst only adds incidents), the ids' once at the end
        ok = await wait_for(lambda: len(live.incidents) - before >= n, timeout=240 if not args.quick else 150,
                            step=0.01)
        flush_models(window)
        elapsed = time.perf_counter() - t0
        got = sum(1 for k in live.incidents if k.startswith("ingest-"))
        ok = ok and got >= n
        done = await loop.run_in_executor(None, sim.wait_done, 10)
        out.update(ok=ok, elapsed=elapsed, got=got, batches=pipeline.batches_applied, missing=missing,
                   trace=pipeline.trace, publish_s=done.get("seconds"))
        await stop_wall(store, pipeline, window)

    with loop:
        loop.run_until_complete(run())
    sim.close()
    rate = out["got"] / out["elapsed"]
    floor = floor_rate(n, Path(tmp.name))
    busy = store_busy_share(out["trace"].stamps, out["elapsed"]) if args.in_process else None
    note(f"ingest ({mode}): {out['got']}/{n} in {out['elapsed']:.1f} s over {out['batches']} batches; floor "
         f"{floor:,.0f}/s; " + (f"store thread in transactions {busy:.0%} of the run; " if busy is not None else "")
         + f"the simulator published them in {out['publish_s'] or 0:.2f} s")
    for pair, values in (out["trace"].deltas() if args.in_process else out["trace"].deltas(FOLLOW_STAGES)).items():
        if values:
            note(f"  {pair:<26} p50 {percentile(values, 50):8.1f} ms   p99 {percentile(values, 99):8.1f} ms")
    emit("ingest_events_per_s", rate if out["ok"] else None, "events/s", 5000.0, better="higher", floor=floor,
         records=n, batches=out["batches"], seconds=out["elapsed"], missing_tiles=out["missing"], store_busy=busy,
         mode=mode, publish_s=out["publish_s"])
    emit("ingest_floor_ratio", floor / rate if out["ok"] else None, "×", 3.0, floor_per_s=floor, records=n, mode=mode)


if __name__ == "__main__":
    main()
