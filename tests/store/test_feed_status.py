"""The recorder's status in the store: each feed's health and every recorder's role and heartbeat, read back by
walls and consoles (Store.feed_status, Store.recorders)."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from commandcenter.domain import FeedHealth, FeedState
from commandcenter.domain.recorder import RecorderRole, RecorderStatus
from commandcenter.store import Store

T = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)


def recorder(role: RecorderRole, at: datetime, pid: int = 4242) -> RecorderStatus:
    return RecorderStatus(host="rec-a", pid=pid, role=role, started_at=T, heartbeat_at=at)


def test_the_active_recorders_feed_health_reads_back_with_its_identity_and_heartbeat(store: Store) -> None:
    assert store.feed_status() == [] and store.recorders() == []
    city = FeedHealth("city", FeedState.LIVE, last_ok_at=T, received=120, quarantined=2, lag_s=0.4)
    weather = FeedHealth("weather", FeedState.DOWN, last_error="connection refused", last_error_at=T)
    store.write_feed_status([weather, city], recorder(RecorderRole.ACTIVE, T))

    got = store.feed_status()
    assert [s.health for s in got] == [city, weather]             # by feed name, every field as written
    assert {(s.host, s.pid, s.heartbeat_at) for s in got} == {("rec-a", 4242, T)}
    assert store.recorders() == [recorder(RecorderRole.ACTIVE, T)]

    # a second later: the rows are replaced, not added
    later = T + timedelta(seconds=1)
    city2 = FeedHealth("city", FeedState.LAGGING, last_ok_at=T, received=130, lag_s=3.5)
    store.write_feed_status([city2], recorder(RecorderRole.ACTIVE, later))
    by_feed = {s.health.feed: s for s in store.feed_status()}
    assert by_feed["city"].health == city2 and by_feed["city"].heartbeat_at == later
    assert by_feed["weather"].heartbeat_at == T                   # not rewritten: its heartbeat ages
    assert by_feed["weather"].is_stale(later + timedelta(seconds=6)) and not by_feed["city"].is_stale(later)
    assert len(store.recorders()) == 1 and store.recorders()[0].heartbeat_at == later


def test_a_standby_recorder_shows_beside_the_active_one(store: Store) -> None:
    store.write_recorder(recorder(RecorderRole.ACTIVE, T, pid=1))
    store.write_recorder(recorder(RecorderRole.STANDBY, T + timedelta(seconds=1), pid=2))
    assert [(r.pid, r.role) for r in store.recorders()] == [(2, RecorderRole.STANDBY), (1, RecorderRole.ACTIVE)]
    store.write_recorder(recorder(RecorderRole.STOPPED, T + timedelta(seconds=2), pid=1))
    assert [(r.pid, r.role, r.name) for r in store.recorders()] == [
        (1, RecorderRole.STOPPED, "rec-a:1"), (2, RecorderRole.STANDBY, "rec-a:2")]


def test_recorders_not_heard_from_for_long_are_forgotten(store: Store) -> None:
    store.write_recorder(recorder(RecorderRole.STOPPED, T - timedelta(days=8), pid=1))
    store.write_recorder(recorder(RecorderRole.ACTIVE, T - timedelta(days=8), pid=2))     # killed long ago
    store.write_recorder(recorder(RecorderRole.STOPPED, T - timedelta(days=1), pid=3))
    assert store.forget_recorders(T - timedelta(days=7)) == 2
    assert [r.pid for r in store.recorders()] == [3]
