"""Several walls on one database: idempotent, race-safe upserts and actions seen by the other console."""
from __future__ import annotations

import dataclasses
import multiprocessing as mp
import random
import time
from datetime import timedelta

from commandcenter.domain import ActionKind, OperatorAction, Status
from commandcenter.store import Store

from tests.support.store import T0, inc

STATUSES = [Status.REPORTED, Status.ACCEPTED, Status.DISPATCHED, Status.HANDLING, Status.CLOSED, Status.FOLLOWED_UP]


def _versions(n: int) -> list:
    out = []
    for k in range(n):
        for v in range(1, 7):
            out.append(inc(f"i{k}", v, at=T0 + timedelta(minutes=k), status=STATUSES[v - 1],
                           grid=f"g{k % 7}", updated_at=T0 + timedelta(minutes=k, seconds=v)))
    return out


def _wall(url: str, seed: int, n: int) -> None:
    store = Store.open(url)
    recs = _versions(n)
    random.Random(seed).shuffle(recs)
    for k in range(0, len(recs), 150):
        store.apply(f"wall-{seed}", incidents=recs[k:k + 150])
    store.close()


def test_two_processes_ingest_the_same_feed_without_duplicates(store_url: str) -> None:
    Store.open(store_url).close()               # migrate once; the walls open an existing store
    n = 300
    ctx = mp.get_context("spawn")
    procs = [ctx.Process(target=_wall, args=(store_url, seed, n)) for seed in (1, 2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
        assert p.exitcode == 0
    store = Store.open(store_url)
    try:
        got = store.incidents(limit=10_000)
        assert len(got) == n and all(i.version == 6 and i.status is Status.FOLLOWED_UP for i in got)
        k = store.kpis("", T0 - timedelta(hours=1), T0 + timedelta(days=1))
        assert k["events"].value == n
        # every follow-up visit was due by 40 days later (the loop clock: deadline + a day)
        assert store.kpis("", T0 - timedelta(hours=1), T0 + timedelta(days=40))["closed_loop_rate"].value == 100.0
        before = {name: v.detail for name, v in k.items()}
        store.rebuild_rollups()
        after = {name: v.detail for name, v in store.kpis("", T0 - timedelta(hours=1), T0 + timedelta(days=1)).items()}
        assert before == after
    finally:
        store.close()


def test_ack_on_one_console_shows_on_the_other_within_2s(store_url: str) -> None:
    a, b = Store.open(store_url), Store.open(store_url)
    try:
        last = max([x.id for x in b.actions_since(0)], default=0)
        sent = a.record_action(OperatorAction(ActionKind.ACKNOWLEDGE, "incident", "i1", "duty-1", "console-A", T0))
        t0 = time.monotonic()
        seen = []
        while time.monotonic() - t0 < 2.0 and not seen:
            seen = b.actions_since(last)
            time.sleep(0.05)
        assert [x.id for x in seen] == [sent.id]
        assert seen[0] == sent and time.monotonic() - t0 < 2.0
    finally:
        a.close()
        b.close()


def test_same_batch_twice_from_two_stores_is_idempotent(store_url: str) -> None:
    a, b = Store.open(store_url), Store.open(store_url)
    try:
        batch = [inc("x", 2), inc("y", 1)]
        assert len(a.apply("f", incidents=batch).incidents) == 2
        assert not b.apply("f", incidents=batch)
        assert len(b.apply("f", incidents=[dataclasses.replace(batch[0], version=3)]).incidents) == 1
        assert a.incident("x").version == 3
        assert a.kpis("", T0 - timedelta(hours=1), T0 + timedelta(hours=1))["events"].value == 2
    finally:
        a.close()
        b.close()
