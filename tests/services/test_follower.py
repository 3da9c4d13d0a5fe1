"""Walls and consoles that follow the store (services.follower): a recorder (the ingest pipeline against the
simulator on loopback) commits, and every follower gets every committed transaction in commit order, exactly once,
told by the store (PostgreSQL NOTIFY, SQLite data_version), catching up after a disconnection, reloading when it
fell behind the store's retention, stale while the store is out of reach; operator actions and drills recorded by
any wall reach the others the same way within a second."""
from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy.engine import make_url

from commandcenter.domain import ActionKind, FeedState, OperatorAction
from commandcenter.services import IngestPipeline
from commandcenter.services.follower import Delivered, ListenerEvents, PgListener, StoreFollower
from commandcenter.services.live_commits import LiveCommits
from commandcenter.store import DrillRecord, Store
from tests.support.faults import City, bump, fast_feeds, incident, sse_config, utcnow
from tests.support.fixtures import eventually_holds as eventually
from tests.support.store import PG_URL, pg_schema_url
from tests.support.tcp_proxy import TcpProxy


@pytest.fixture
def city():
    c = City()
    yield c
    c.stop()


def every_commit(store: Store) -> list[int]:
    return [c.position for c in store.commits_after(0, limit=1_000_000).commits]


def logged_versions(store: Store) -> Counter[tuple[str, int]]:
    """(record id, version) of every record the record log holds (a transaction logs each new version once)."""
    out: Counter[tuple[str, int]] = Counter()
    for c in store.commits_after(0, limit=1_000_000).commits:
        for kind, data in c.records:
            record = json.loads(data)
            out[(f"{kind}:{record['id']}", record["version"])] += 1
    return out


def delivered_versions(delivered: list[Delivered]) -> Counter[tuple[str, int]]:
    out: Counter[tuple[str, int]] = Counter()
    for d in delivered:
        out.update((f"incident:{r.id}", r.version) for r in d.entry.incidents)
        out.update((f"resource:{r.id}", r.version) for r in d.entry.resources)
        out.update((f"alert:{r.id}", r.version) for r in d.entry.alerts)
    return out


def shows_latest(commits: LiveCommits, latest: dict[str, int]) -> Callable[[], bool]:
    return lambda: all(commits.live.incidents.get(i) is not None and commits.live.incidents[i].version == v
                       for i, v in latest.items())


async def recorder(url: str, city: City) -> IngestPipeline:
    pipeline = IngestPipeline(sse_config(city.url), Store.open(url), runtime=None)
    await pipeline.start()
    fast_feeds(pipeline)
    return pipeline


async def close(pipeline: IngestPipeline) -> None:
    await pipeline.close()
    pipeline.store.close()


def test_two_followers_get_every_batch_the_recorder_commits_in_order_exactly_once(store_url, city):
    async def scenario() -> None:
        stores = [Store.open(store_url), Store.open(store_url)]
        got: list[list[Delivered]] = [[], []]
        commits = [LiveCommits(), LiveCommits()]
        followers = [StoreFollower(s, c, on_commit=g.append) for s, c, g in zip(stores, commits, got, strict=True)]
        for f in followers:
            await f.start(after=0)
        rec = await recorder(store_url, city)
        try:
            records = [incident(i) for i in range(120)]
            for wave in range(4):        # new incidents, then new versions of earlier ones, while followers read
                city.publish(records[wave * 30:(wave + 1) * 30])
                await asyncio.sleep(0.15)
                city.publish(bump(records[:wave * 10]))
                await asyncio.sleep(0.15)
            for c in commits:
                assert await eventually(shows_latest(c, city.latest), timeout=30)
            top = stores[0].commit_position()
            assert await eventually(lambda: all(f.position == top for f in followers), timeout=10)
        finally:
            await close(rec)
            for f in followers:
                await f.stop()
        all_positions = every_commit(stores[0])
        assert len(all_positions) > 4            # several transactions, not one
        logged = logged_versions(stores[0])
        for g in got:
            assert [d.position for d in g] == all_positions                   # every one, in order, once
            assert delivered_versions(g) == logged                            # every record version, once
        for s in stores:
            s.close()

    asyncio.run(scenario())


def test_a_follower_disconnected_mid_stream_catches_up_with_nothing_lost_or_doubled(store_url, city):
    async def scenario() -> None:
        store = Store.open(store_url)
        commits = LiveCommits()
        got: list[Delivered] = []
        rec = await recorder(store_url, city)
        first = StoreFollower(store, commits, on_commit=got.append)
        await first.start(after=0)
        records = [incident(i) for i in range(90)]
        try:
            city.publish(records[:30])
            assert await eventually(shows_latest(commits, city.latest), timeout=30)
            await first.stop()                                  # gone: commits go on without it
            city.publish(records[30:60])
            city.publish(bump(records[:20]))
            assert await eventually(lambda: rec.live.incidents.get("f-59") is not None, timeout=30)
            again = StoreFollower(store, commits, on_commit=got.append)
            await again.start(after=first.position)             # back: from where it was
            city.publish(records[60:])
            assert await eventually(shows_latest(commits, city.latest), timeout=30)
            top = store.commit_position()
            assert await eventually(lambda: again.position == top, timeout=10)
            await again.stop()
        finally:
            await close(rec)
        assert [d.position for d in got] == every_commit(store)
        assert delivered_versions(got) == logged_versions(store)
        store.close()

    asyncio.run(scenario())


class HeldListener:
    """A listener the test drives by hand: `events` is what a real one reports to (from its thread)."""

    events: ListenerEvents

    def start(self, events: ListenerEvents) -> None:
        self.events = events

    def stop(self) -> None:
        pass


def test_notifications_that_arrive_together_wake_the_follower_once_and_one_read_answers_them_all(store_url):
    async def scenario() -> None:
        store = Store.open(store_url)
        for i in range(40):
            store.apply("city", incidents=[incident(i)])
        reads: list[int] = []
        read_after = store.commits_after
        store.commits_after = lambda p, **kw: (reads.append(p), read_after(p, **kw))[1]   # type: ignore[method-assign]
        got: list[Delivered] = []
        listener = HeldListener()
        follower = StoreFollower(store, LiveCommits(), listener=listener, on_commit=got.append)
        await follower.start(after=0)
        try:
            listener.events.connected()
            assert await eventually(lambda: len(got) == 40)
            assert reads == [0]                                  # told once it listens: one read for all 40
            for i in range(40, 60):
                store.apply("city", incidents=[incident(i)])
            for position in range(41, 61):                      # twenty NOTIFYs before the loop takes the first
                listener.events.notified(position)
            assert await eventually(lambda: len(got) == 60)
            await asyncio.sleep(0.2)
            assert reads == [0, 40]                              # one wake-up, one read
            listener.events.notified(60)                         # one already read: no read at all
            await asyncio.sleep(0.2)
            assert reads == [0, 40]
            listener.events.notified(None)                       # a change of unknown position: read
            assert await eventually(lambda: reads == [0, 40, 60])
        finally:
            await follower.stop()
            store.close()
        assert [d.position for d in got] == list(range(1, 61))

    asyncio.run(scenario())


def test_an_action_or_a_drill_recorded_on_one_wall_reaches_another_follower_within_a_second(store_url):
    async def scenario() -> None:
        wall_a, wall_b = Store.open(store_url), Store.open(store_url)
        loop = asyncio.get_running_loop()
        actions: asyncio.Queue[OperatorAction] = asyncio.Queue()
        drills: asyncio.Queue[str] = asyncio.Queue()
        follower = StoreFollower(wall_b, LiveCommits(), on_actions=lambda a: [actions.put_nowait(x) for x in a],
                                 on_drill=drills.put_nowait)
        await follower.start()
        assert await eventually(lambda: follower.health(utcnow()).state is FeedState.LIVE, timeout=10)
        try:
            for kind in (ActionKind.ACKNOWLEDGE, ActionKind.SHELVE, ActionKind.ESCALATE, ActionKind.PUSH_TO_WALL):
                recorded = await loop.run_in_executor(None, wall_a.record_action, OperatorAction(
                    kind=kind, target_kind="alert", target_id="A-1", actor="张三", console="wall-a", at=utcnow(),
                    expires_at=utcnow() + timedelta(hours=1) if kind is ActionKind.SHELVE else None))
                seen = await asyncio.wait_for(actions.get(), 1.0)
                assert seen == recorded
            drill = DrillRecord("D-1", "演练", {}, utcnow(), utcnow())
            start = OperatorAction(kind=ActionKind.DRILL_START, target_kind="drill", target_id="D-1", actor="张三",
                                   console="wall-a", at=utcnow(), drill_id="D-1")
            await loop.run_in_executor(None, wall_a.record_drill_start, drill, start)
            assert await asyncio.wait_for(drills.get(), 1.0) == "D-1"
            assert (await asyncio.wait_for(actions.get(), 1.0)).kind is ActionKind.DRILL_START
            await loop.run_in_executor(None, lambda: wall_a.record_drill_stop("D-1", utcnow()))
            assert await asyncio.wait_for(drills.get(), 1.0) == "D-1"
        finally:
            await follower.stop()
            wall_a.close()
            wall_b.close()

    asyncio.run(scenario())


def test_a_drill_one_wall_plays_reaches_another_follower_start_records_and_stop(store_url):
    """The playing wall writes the drill's records to the store like a feed's: a following wall gets its start,
    every record it played, and its stop."""
    from tests.support.drills import a_drill_reaches_a_follower

    async def scenario() -> None:
        wall_a, wall_b = Store.open(store_url), Store.open(store_url)
        try:
            await a_drill_reaches_a_follower(wall_a, wall_b)
        finally:
            wall_a.close()
            wall_b.close()

    asyncio.run(scenario())


def test_a_follower_behind_the_stores_retention_reloads_the_whole_state_and_goes_on(store_url):
    async def scenario() -> None:
        writer, reader = Store.open(store_url), Store.open(store_url)
        writer.apply("city", incidents=[incident(i) for i in range(10)])
        assert writer.prune(now=utcnow() + timedelta(days=writer.retention_days + 1)) > 0   # its log is gone
        commits = LiveCommits()
        follower = StoreFollower(reader, commits)
        await follower.start(after=0)
        try:
            assert await eventually(lambda: len(commits.live.incidents) == 10, timeout=10)
            assert follower.reloads == 1
            writer.apply("city", incidents=[incident(10)])
            assert await eventually(lambda: "f-10" in commits.live.incidents, timeout=10)
            assert follower.reloads == 1
        finally:
            await follower.stop()
            writer.close()
            reader.close()

    asyncio.run(scenario())


@pytest.mark.postgres
def test_a_follower_shows_stale_while_the_store_is_out_of_reach_and_recovers_with_nothing_lost():
    if not PG_URL:
        pytest.skip("COMMANDCENTER_TEST_PG_URL is not set")
    schema = pg_schema_url()
    url = next(schema)
    target = make_url(url)
    proxy = TcpProxy(target.host or "127.0.0.1", target.port or 5432)
    proxied = target.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)

    async def scenario() -> None:
        writer = Store.open(url)
        reader = Store.open(proxied)
        commits = LiveCommits()
        got: list[Delivered] = []
        follower = StoreFollower(reader, commits, on_commit=got.append)
        assert isinstance(follower.listener, PgListener)
        await follower.start(after=0)
        try:
            writer.apply("city", incidents=[incident(i) for i in range(5)])
            assert await eventually(lambda: len(commits.live.incidents) == 5, timeout=10)
            assert follower.health(utcnow()).state is FeedState.LIVE
            proxy.cut()
            assert await eventually(lambda: follower.health(utcnow()).state is FeedState.STALE, timeout=10)
            assert await eventually(lambda: commits.live.health.get("store") is not None
                                    and commits.live.health["store"].state is FeedState.STALE, timeout=5)
            for i in range(5, 25):               # committed while the follower cannot hear or read
                writer.apply("city", incidents=[incident(i)])
            await asyncio.sleep(0.5)
            assert len(commits.live.incidents) == 5
            proxy.restore()
            assert await eventually(lambda: len(commits.live.incidents) == 25, timeout=20)
            assert await eventually(lambda: follower.health(utcnow()).state is FeedState.LIVE, timeout=10)
        finally:
            await follower.stop()
        assert [d.position for d in got] == every_commit(writer)
        assert delivered_versions(got) == logged_versions(writer)
        writer.close()
        reader.close()

    try:
        asyncio.run(scenario())
    finally:
        proxy.close()
        next(schema, None)


def test_a_wall_follows_when_its_config_says_so_or_names_no_feed_of_records():
    from commandcenter.config import config_from_dict
    from commandcenter.services.follower import follows

    feed = {"name": "city", "kind": "native", "url": "http://127.0.0.1:1/api"}
    cameras = {"name": "cams", "kind": "cameras", "url": "http://127.0.0.1:1/cameras"}
    assert not follows(config_from_dict({"feeds": [feed]}))
    assert follows(config_from_dict({"feeds": [feed], "store": {"follow": True}}))
    assert follows(config_from_dict({}))
    assert follows(config_from_dict({"feeds": [cameras]}))        # a catalogue brings no records


def test_follow_must_be_true_or_false_and_the_error_names_the_file_and_key(tmp_path):
    from commandcenter.config import ConfigError, load_config

    path = tmp_path / "wall.toml"
    path.write_text('[store]\nfollow = "yes"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_config(str(path))
    assert str(path) in str(err.value) and "store.follow" in str(err.value) and "boolean" in str(err.value)


def test_a_following_wall_shows_the_recorders_feeds_and_marks_them_stale_when_the_recorder_falls_silent(store_url):
    from commandcenter.domain import FeedHealth
    from commandcenter.domain.recorder import RecorderRole, RecorderStatus
    from commandcenter.services.follower import RECORDER_SILENT

    async def scenario() -> None:
        recorder_store, wall_store = Store.open(store_url), Store.open(store_url)
        now = utcnow()
        me = RecorderStatus("host-a", 4242, RecorderRole.ACTIVE, now, now)
        await asyncio.get_running_loop().run_in_executor(None, lambda: recorder_store.write_feed_status(
            [FeedHealth(feed="city", state=FeedState.LIVE, last_ok_at=now, lag_s=0.4, received=12)], me))
        commits = LiveCommits()
        clock = [now]
        follower = StoreFollower(wall_store, commits, clock=lambda: clock[0])
        await follower.start()
        try:
            assert await eventually(lambda: "city" in commits.live.health, timeout=10)
            city = commits.live.health["city"]
            assert city.state is FeedState.LIVE and city.lag_s == 0.4 and city.received == 12
            assert "store" in commits.live.health            # beside the follower's own entry
            clock[0] = now + timedelta(seconds=30)            # the recorder has not written for 30 s
            assert await eventually(lambda: commits.live.health["city"].state is FeedState.STALE, timeout=10)
            assert commits.live.health["city"].last_error == RECORDER_SILENT
            clock[0] = now                                    # the recorder writes again, but the store is cut off

            def unreachable() -> list:
                raise ConnectionError("connection refused")

            wall_store.feed_status = unreachable             # type: ignore[method-assign]
            assert await eventually(lambda: "store unreachable" in commits.live.health["city"].last_error,
                                    timeout=10)
            assert commits.live.health["city"].state is FeedState.STALE
        finally:
            await follower.stop()
            recorder_store.close()
            wall_store.close()

    asyncio.run(scenario())
