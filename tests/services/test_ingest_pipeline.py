"""The ingest pipeline keeps the GUI thread free: feeds decode on their own thread, a batch with nothing for
the store makes no store transaction, and a big committed batch enters the live state in slices."""
from __future__ import annotations

import asyncio
import threading

import pytest

from commandcenter.config import config_from_dict
from commandcenter.feeds import native
from commandcenter.services import IngestPipeline, LiveState
from commandcenter.store import Store
from datetime import UTC

from tests.support.feeds import spy_record_decoding


@pytest.fixture
def quiet_city():
    """The simulated city with an hour of history and no demo floor of live events: after the catch-up,
    a poll cycle mostly brings nothing but the source's KPIs."""
    from commandcenter.sim import run_in_thread

    sim = run_in_thread(profile="street", seed=7, min_live_rate=0.0, history_hours=1.0)
    yield sim
    sim.stop()


def _config(url: str, mode: str, interval: float = 0.2):
    return config_from_dict({"feeds": [{"name": "city", "kind": "native", "url": url, "mode": mode,
                                        "interval": interval}]})


class StoreSpy:
    """The real store, with a record of every transaction `apply` made (what it carried, the cursor before)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.calls: list[tuple[int, str | None, str | None]] = []
        original = store.apply

        def apply(feed, **kw):
            records = sum(len(list(kw.get(k) or ())) for k in ("incidents", "resources", "alerts", "territory",
                                                                "quarantined"))
            before = store.cursor(feed)
            self.calls.append((records, kw.get("cursor"), before))
            return original(feed, **kw)

        store.apply = apply


@pytest.fixture
def city():
    from commandcenter.sim import run_in_thread

    sim = run_in_thread(profile="street", seed=7)
    yield sim
    sim.stop()


@pytest.mark.parametrize("mode", ["sse", "poll"])
def test_records_are_read_and_decoded_on_the_feed_thread_never_on_the_gui_thread(
        qapp, qloop, city, sqlite_url, eventually, monkeypatch, mode):
    """Pages and pushed messages, long catch-up runs and the one-message trickle alike, decode on the feed
    thread: a GUI thread busy painting holds no record on its way in."""
    threads: set[str] = set()
    runs: list[tuple[str, int]] = []
    original_run = native.handle_messages

    def run_spy(feed, builder, frames, tracker):
        runs.append((threading.current_thread().name, len(frames)))
        return original_run(feed, builder, frames, tracker)

    spy_record_decoding(monkeypatch, lambda: threads.add(threading.current_thread().name))
    monkeypatch.setattr(native, "handle_messages", run_spy)
    store = Store.open(sqlite_url)
    live = LiveState()
    pipeline = IngestPipeline(_config(city.url, mode), store, live)

    async def scenario() -> bool:
        await pipeline.start()
        try:
            return await eventually(lambda: len(live.incidents) >= 5, timeout=30)
        finally:
            await pipeline.close()

    assert qloop.run_until_complete(scenario())
    store.close()
    assert threads == {"feeds"}
    if mode == "sse":
        assert runs and {name for name, _ in runs} == {"feeds"}
        assert any(n > 16 for _, n in runs)      # the catch-up came in long runs, not a frame at a time


def test_a_poll_cycle_with_only_kpis_makes_no_store_transaction_and_its_kpis_reach_the_live_state(
        qapp, qloop, quiet_city, sqlite_url, eventually):
    store = Store.open(sqlite_url)
    spy = StoreSpy(store)
    live = LiveState()
    pipeline = IngestPipeline(_config(quiet_city.url, "poll", interval=0.1), store, live)
    kpi_changes: list[int] = []
    live.on_change(lambda change: change.kpis and kpi_changes.append(len(change.kpis)))

    async def scenario() -> int:
        await pipeline.start()
        try:
            assert await eventually(lambda: bool(live.kpis), timeout=30)
            cycles = pipeline.feeds[0].batches
            await asyncio.sleep(1.5)                  # ≈10 more poll cycles, each with the source's KPIs
            return pipeline.feeds[0].batches - cycles
        finally:
            await pipeline.close()

    batches_after_catch_up = qloop.run_until_complete(scenario())
    store.close()
    assert batches_after_catch_up >= 5            # the KPI batches kept coming...
    assert all(records or cursor != before for records, cursor, before in spy.calls)   # ...and none hit the store
    assert kpi_changes and live.kpis


def test_a_big_committed_batch_enters_the_live_state_in_slices_that_let_the_event_loop_run(
        qapp, qloop, sqlite_url):
    from bench.common import make_incidents

    store = Store.open(sqlite_url)
    live = LiveState()
    pipeline = IngestPipeline(config_from_dict({"feeds": []}), store, live)
    seen_between: list[int] = []
    slices: list[int] = []
    live.on_change(lambda change: slices.append(len(change.incidents)))

    async def other_work() -> None:
        while True:
            seen_between.append(len(live.incidents))
            await asyncio.sleep(0)

    async def scenario() -> None:
        from commandcenter.feeds import Batch

        await pipeline.start()
        ticker = asyncio.create_task(other_work())
        await pipeline._sink(Batch(feed="city", incidents=make_incidents(20_000), cursor='{"seq":20000}'))
        await pipeline.live_settled()
        ticker.cancel()
        await pipeline.close()

    qloop.run_until_complete(scenario())
    store.close()
    assert len(live.incidents) == 20_000 and sum(slices) == 20_000
    assert len(slices) > 1
    assert any(0 < n < 20_000 for n in seen_between)      # other tasks ran between the slices


def test_a_traced_pipeline_stamps_the_chosen_records_at_every_stage_in_path_order(
        qapp, qloop, city, sqlite_url, eventually):
    from commandcenter.feeds import StageTrace
    from commandcenter.feeds.trace import STAGES

    store = Store.open(sqlite_url)
    live = LiveState()
    pipeline = IngestPipeline(_config(city.url, "sse"), store, live)
    chosen = lambda rid: hash(rid) % 2 == 0  # noqa: E731
    pipeline.trace = StageTrace(chosen)

    async def scenario() -> bool:
        await pipeline.start()
        try:
            return await eventually(lambda: sum(1 for rid in live.incidents if chosen(rid)) >= 5, timeout=30)
        finally:
            await pipeline.close()

    assert qloop.run_until_complete(scenario())
    store.close()
    stamps = pipeline.trace.stamps
    in_live = [rid for rid in live.incidents if chosen(rid)]
    assert stamps and all(chosen(rid) for rid in stamps)
    for rid in in_live:
        times = [stamps[rid][stage] for stage in STAGES]
        assert times == sorted(times), (rid, stamps[rid])
    deltas = pipeline.trace.deltas()
    assert all(len(values) >= len(in_live) for values in deltas.values())


def test_while_a_pipeline_runs_threads_take_the_gil_in_short_slices_and_the_startup_heap_is_frozen(
        qapp, qloop, sqlite_url):
    import gc
    import sys

    from commandcenter.services.runtime import SWITCH_INTERVAL_S

    store = Store.open(sqlite_url)
    before = sys.getswitchinterval()
    seen: dict[str, float] = {}

    async def scenario() -> None:
        pipeline = IngestPipeline(config_from_dict({"feeds": []}), store, LiveState())
        await pipeline.start()
        seen["interval"] = sys.getswitchinterval()
        seen["frozen"] = gc.get_freeze_count()
        seen["gc_enabled"] = gc.isenabled()
        await pipeline.close()

    qloop.run_until_complete(scenario())
    store.close()
    assert seen["interval"] == min(before, SWITCH_INTERVAL_S) < 0.005
    assert seen["frozen"] > 10_000 and not seen["gc_enabled"]
    assert sys.getswitchinterval() == before                  # restored once the last pipeline stopped
    assert gc.get_freeze_count() == 0


def test_the_next_transaction_runs_while_a_big_committed_batch_enters_the_live_state_and_order_is_kept(
        qapp, qloop, sqlite_url):
    from commandcenter.feeds import StageTrace

    from bench.common import make_incidents

    store = Store.open(sqlite_url)
    live = LiveState()
    pipeline = IngestPipeline(config_from_dict({"feeds": []}), store, live)
    pipeline.trace = StageTrace()
    held_after_first_sink: list[int] = []

    async def scenario() -> None:
        from commandcenter.feeds import Batch

        await pipeline.start()
        await pipeline._sink(Batch(feed="city", incidents=make_incidents(20_000, prefix="big"), cursor='{"seq":1}'))
        held_after_first_sink.append(len(live.incidents))
        await pipeline._sink(Batch(feed="city", incidents=make_incidents(10, prefix="next"), cursor='{"seq":2}'))
        await pipeline.live_settled()
        await pipeline.close()

    qloop.run_until_complete(scenario())
    store.close()
    stamps = pipeline.trace.stamps
    big_live = [m["live"] for rid, m in stamps.items() if rid.startswith("big-")]
    next_marks = [m for rid, m in stamps.items() if rid.startswith("next-")]
    assert held_after_first_sink[0] < 20_000                     # the sink returned once committed...
    assert len(live.incidents) == 20_010                         # ...and everything got there in the end
    assert min(m["store_start"] for m in next_marks) < max(big_live)   # the next commit overlapped the slices
    assert min(m["live"] for m in next_marks) >= max(big_live)         # shown in commit order


def test_a_store_read_through_in_store_runs_beside_a_write_holding_the_store_thread(qapp, qloop, sqlite_url):
    """A KPI refresh (or any of the store's own reads) does not queue behind, or ahead of, an ingest commit:
    it runs on a reader thread while the store thread is busy; writes stay on the store thread, in order."""
    from datetime import datetime, timedelta

    store = Store.open(sqlite_url)
    pipeline = IngestPipeline(config_from_dict({"feeds": []}), store, LiveState())
    release = threading.Event()
    write_threads: list[str] = []

    def long_write() -> str:
        write_threads.append(threading.current_thread().name)
        release.wait(10)
        return threading.current_thread().name

    async def scenario() -> tuple[bool, dict, list, bool]:
        held = asyncio.ensure_future(pipeline.in_store(long_write))
        await asyncio.sleep(0.05)
        now = datetime.now(UTC)
        kpis = await asyncio.wait_for(pipeline.in_store(store.kpis, "", now - timedelta(hours=1), now), 5)
        actions = await asyncio.wait_for(pipeline.in_store(store.actions_since, 0), 5)
        still_held = not held.done()
        release.set()
        await held
        await pipeline.in_store(store.apply, "city", cursor='{"seq":1}')     # a write: the store thread
        await pipeline.close()
        return still_held, kpis, actions, write_threads[0].startswith("store")

    still_held, kpis, actions, on_store_thread = qloop.run_until_complete(scenario())
    assert still_held                 # both reads answered while the write still held the store thread
    assert isinstance(kpis, dict) and actions == []
    assert on_store_thread
    assert store.cursor("city") == '{"seq":1}'
    store.close()


def test_small_committed_batches_are_shown_in_the_wake_up_callback_in_commit_order_without_a_drain_task(
        qapp, qloop, sqlite_url):
    from bench.common import make_incidents

    store = Store.open(sqlite_url)
    live = LiveState()
    pipeline = IngestPipeline(config_from_dict({"feeds": []}), store, live)
    shown: list[list[str]] = []
    live.on_change(lambda change: change.incidents and shown.append([r.id for r in change.incidents]))

    async def scenario() -> None:
        from commandcenter.feeds import Batch

        await pipeline.start()
        for k in range(3):
            await pipeline._sink(Batch(feed="city", incidents=make_incidents(5, start=5 * k, prefix="small"),
                                       cursor=f'{{"seq":{k + 1}}}'))
        await pipeline.live_settled()
        await pipeline.close()

    qloop.run_until_complete(scenario())
    store.close()
    assert [r for ids in shown for r in ids] == [f"small-{i}" for i in range(15)]
    commits = pipeline.commits
    assert commits._drain_task is None               # shown right in the callback `_enqueue` scheduled
    assert commits._unshown_records == 0 and not commits._draining
