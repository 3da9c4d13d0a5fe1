"""When the store refuses a batch because of a record, the ingest pipeline splits the batch until it finds the
refused records, quarantines each with the store's reason, stores the rest and commits the cursor (services.isolation).
A store that cannot write at all (disk, database down) is not a refusal: the batch fails whole and is retried."""
from __future__ import annotations

import asyncio
import dataclasses
from datetime import UTC, datetime

import pytest
from sqlalchemy.exc import OperationalError

from commandcenter.config import config_from_dict
from commandcenter.domain import QuarantinedRecord
from commandcenter.feeds import Batch
from commandcenter.services import IngestPipeline
from commandcenter.services.isolation import bisect, units_of
from commandcenter.store import Store

from tests.support.store import T0, inc, res



# ---- the bisection on its own ------------------------------------------------------------------------------------
class FakeStore:
    """Writes that fail when they hold a record whose id is in `bad`; records every attempt."""

    def __init__(self, bad: set[str]) -> None:
        self.bad = bad
        self.attempts: list[list[str]] = []
        self.stored: list[tuple[str, int]] = []

    def write(self, items):
        ids = [r.id for _, r in items]
        self.attempts.append(ids)
        if self.bad & set(ids):
            raise ValueError("refused")
        self.stored += [(r.id, r.version) for _, r in items]
        return ids


def test_bisection_finds_each_refused_record_in_few_writes_and_stores_the_rest_in_order() -> None:
    records = [inc(f"i{k}") for k in range(1000)]
    fake = FakeStore({"i17", "i600"})
    out = bisect(units_of({"incidents": records}), fake.write, lambda e: isinstance(e, ValueError))
    assert [r.id for (_, r), _ in out.refused] == ["i17", "i600"]
    assert [rid for rid, _ in fake.stored] == [f"i{k}" for k in range(1000) if k not in (17, 600)]
    assert len(fake.attempts) <= 2 * 2 * 10 + 2      # two refusals: about 2·log2(1000) writes each


def test_bisection_keeps_one_ids_versions_together_oldest_first() -> None:
    versions = [res("r1", 3), res("r1", 1), res("r1", 2)]
    fake = FakeStore(set())
    out = bisect(units_of({"resources": versions, "incidents": [inc("i1")]}), fake.write, lambda e: True)
    assert not out.refused
    assert fake.attempts[0] == ["i1"] and fake.stored[1:] == [("r1", 1), ("r1", 2), ("r1", 3)]


def test_an_error_that_is_not_a_refusal_ends_the_bisection() -> None:
    fake = FakeStore({"i3"})
    with pytest.raises(ValueError):
        bisect(units_of({"incidents": [inc(f"i{k}") for k in range(8)]}), fake.write, lambda e: False)


# ---- the pipeline on the real store ------------------------------------------------------------------------------
def pipeline_on(store: Store) -> IngestPipeline:
    return IngestPipeline(config_from_dict({"feeds": []}), store)


@pytest.mark.parametrize("n", [30, 700])       # 700: written many rows a statement (store.dialect)
def test_records_the_store_refuses_are_quarantined_and_the_rest_of_their_batch_is_stored(store_url, n) -> None:
    """Records built past the codec's checks (what a future field or an engine's rule could let through): a
    version beyond 64 bits, a year-9999 time, a lone surrogate. The store refuses each on both engines."""
    good = [inc(f"g{k}") for k in range(n)]
    bad = [inc("b-version", 2 ** 64), inc("b-year", at=datetime(9999, 12, 31, 23, tzinfo=UTC)),
           inc("b-text", title="燃气\ud800")]
    earlier = QuarantinedRecord("f", "incident", b"{bad json", "invalid JSON", T0, None)
    third = n // 3
    batch = Batch(feed="f", incidents=good[:third] + bad[:2] + good[third:2 * third] + bad[2:] + good[2 * third:],
                  quarantined=[earlier], cursor='{"seq":42}')
    store = Store.open(store_url)
    pipeline = pipeline_on(store)

    async def scenario() -> None:
        try:
            await pipeline._sink(batch)
            await pipeline.live_settled()
            assert {i.id for i in store.incidents(limit=1000)} == {r.id for r in good}
            assert store.cursor("f") == '{"seq":42}'
            by_id = {q.record_id: q for q in store.quarantine()}
            assert set(by_id) == {None, "b-version", "b-year", "b-text"}
            assert all(by_id[r.id].reason.startswith("the store refused it: ") for r in bad)
            assert b'"version":18446744073709551616' in by_id["b-version"].raw
            assert batch.incidents == good and len(batch.quarantined) == 4     # what the feed counts
            assert set(pipeline.live.incidents) == {r.id for r in good}
            before = store.counts()
            await pipeline._sink(dataclasses.replace(batch, incidents=good + bad, quarantined=[]))
            assert store.counts() == before      # a replay of the same batch: nothing stored or quarantined twice
        finally:
            await pipeline.close()

    try:
        asyncio.run(scenario())
    finally:
        store.close()


def test_a_store_that_cannot_write_fails_the_batch_whole(store_url, monkeypatch) -> None:
    store = Store.open(store_url)
    pipeline = pipeline_on(store)
    writes = []

    def down(feed, **kw):
        writes.append(kw)
        raise OperationalError("INSERT", {}, Exception("database or disk is full"))

    monkeypatch.setattr(store, "apply", down)

    async def scenario() -> None:
        try:
            with pytest.raises(OperationalError):
                await pipeline._sink(Batch(feed="f", incidents=[inc(f"g{k}") for k in range(10)], cursor="c"))
        finally:
            await pipeline.close()

    try:
        asyncio.run(scenario())
        assert len(writes) == 1
        monkeypatch.undo()
        assert store.quarantine_count() == 0 and store.cursor("f") is None
    finally:
        store.close()
