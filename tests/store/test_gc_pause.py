"""Store.apply and load_history run with Python's automatic cyclic collection paused, and leave it as they found it.

Why it matters: a batch allocates ~100 acyclic objects a record, and the collections they triggered walked the
caller's whole heap (10 % of the ingest stream's time); but the wall turns automatic collection off itself
(services.ingest.LoopThreadGc) and must find it off after every apply."""
from __future__ import annotations

import gc
import threading
from typing import Iterator

import pytest

from commandcenter.store import Store

from storehelp import inc


@pytest.fixture
def gc_state() -> Iterator[None]:
    was = gc.isenabled()
    yield
    if was:
        gc.enable()
    else:
        gc.disable()


def test_apply_runs_without_automatic_collection(store: Store, gc_state: None) -> None:
    gc.enable()
    seen: list[bool] = []

    # read the collector's flag from inside the transaction, where the batch's rows are built
    original = store._apply_incidents

    def spy(*args, **kw):
        seen.append(gc.isenabled())
        return original(*args, **kw)

    store._apply_incidents = spy   # type: ignore[method-assign]
    store.apply("f", incidents=[inc("a", 1)])
    assert seen == [False]
    assert gc.isenabled()


def test_apply_leaves_a_disabled_collector_disabled(store: Store, gc_state: None) -> None:
    gc.disable()
    store.apply("f", incidents=[inc("a", 1), inc("b", 1)])
    store.load_history("f", [inc("c", 1)])
    assert not gc.isenabled()


def test_apply_reenables_the_collector_after_a_failed_batch(store: Store, gc_state: None) -> None:
    gc.enable()
    store.apply("f", incidents=[inc("a", 1)])
    with pytest.raises(Exception):
        store.load_history("f", [inc("a", 2)])   # already stored: the batch fails and rolls back
    assert gc.isenabled()


def test_concurrent_applies_reenable_the_collector_once_both_are_done(store_url: str, gc_state: None) -> None:
    gc.enable()
    stores = [Store.open(store_url), Store.open(store_url)]
    errors: list[BaseException] = []

    def run(s: Store, prefix: str) -> None:
        try:
            for k in range(20):
                s.apply("f", incidents=[inc(f"{prefix}{k}-{j}", 1) for j in range(50)])
        except BaseException as exc:   # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(s, p)) for s, p in zip(stores, "xy")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for s in stores:
        s.close()
    assert not errors
    assert gc.isenabled()
