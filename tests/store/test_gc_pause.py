"""Store.apply and load_history run without automatic cyclic collections, and leave the collector as they found it.

Why it matters: a batch allocates ~100 acyclic objects a record, and the collections they triggered walked the
caller's whole heap (10 % of the ingest stream's time); and the wall's pipelines own the collector's enabled flag
(services.runtime.RuntimePolicy), which an apply must never change."""
from __future__ import annotations

import gc
import threading
from typing import Any
from collections.abc import Iterator

import pytest

from commandcenter.store import Store, StoreError

from tests.support.store import inc


@pytest.fixture
def gc_state() -> Iterator[None]:
    was, thresholds = gc.isenabled(), gc.get_threshold()
    yield
    gc.set_threshold(*thresholds)
    if was:
        gc.enable()
    else:
        gc.disable()


def _collections_inside_apply(store: Store) -> list[int]:
    """Wrap the store's incident writer so that collections started while it runs are counted."""
    inside, seen = [False], []

    def counter(phase: str, info: dict[str, Any]) -> None:
        if phase == "start" and inside[0]:
            seen.append(info["generation"])

    original = store.writer.incidents

    def spy(*args: Any, **kw: Any) -> Any:
        inside[0] = True
        try:
            return original(*args, **kw)
        finally:
            inside[0] = False

    store.writer.incidents = spy   # type: ignore[method-assign]
    gc.callbacks.append(counter)
    return seen


def test_a_large_batch_triggers_no_automatic_collection(store: Store, gc_state: None) -> None:
    gc.enable()
    gc.set_threshold(700, 10, 10)
    seen = _collections_inside_apply(store)
    try:
        store.apply("f", incidents=[inc(f"a{k}", 1) for k in range(1500)])
        store.load_history("f", [inc(f"b{k}", 1) for k in range(1500)])
    finally:
        gc.callbacks.pop()
    assert seen == []
    assert gc.isenabled() and gc.get_threshold() == (700, 10, 10)


def test_apply_leaves_a_disabled_collector_disabled(store: Store, gc_state: None) -> None:
    gc.disable()
    store.apply("f", incidents=[inc("a", 1), inc("b", 1)])
    store.load_history("f", [inc("c", 1)])
    assert not gc.isenabled()


def test_the_collector_is_restored_after_a_failed_batch(store: Store, gc_state: None) -> None:
    thresholds = gc.get_threshold()
    store.apply("f", incidents=[inc("a", 1)])
    with pytest.raises(StoreError):
        store.load_history("f", [inc("a", 2)])   # already stored: the batch fails and rolls back
    assert gc.get_threshold() == thresholds


def test_concurrent_applies_restore_the_collector_once_both_are_done(store_url: str, gc_state: None) -> None:
    thresholds = gc.get_threshold()
    stores = [Store.open(store_url), Store.open(store_url)]
    errors: list[BaseException] = []

    def run(s: Store, prefix: str) -> None:
        try:
            for k in range(20):
                s.apply("f", incidents=[inc(f"{prefix}{k}-{j}", 1) for j in range(50)])
        except BaseException as exc:   # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(s, p)) for s, p in zip(stores, "xy", strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for s in stores:
        s.close()
    assert not errors
    assert gc.get_threshold() == thresholds
