"""The live state stays bounded on a weeks-long run: ended records leave it after the retention window."""
from __future__ import annotations

from datetime import datetime, timedelta, UTC

from commandcenter.domain import (
    Alert, AlertLevel, AlertStatus, AlertType, Category, Incident, KpiValue, Severity, Source, Status,
)
from commandcenter.services import LiveState

T0 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def incident(i: int, **kw) -> Incident:
    base = dict(id=f"E{i}", version=1, updated_at=T0, reported_at=T0, title="井盖缺失", category=Category.UTILITIES,
                source=Source.GRID_APP, severity=Severity.MEDIUM, status=Status.REPORTED, grid_id="G1")
    base.update(kw)
    return Incident(**base)


def closed(i: int, at: datetime, version: int = 2) -> Incident:
    return incident(i, version=version, status=Status.CLOSED, closed_at=at, updated_at=at)


def test_closed_incidents_leave_live_state_after_the_retention_window_and_listeners_are_told():
    live = LiveState(retention=timedelta(hours=3))
    live.apply(incidents=[incident(1), closed(2, T0), closed(3, T0 + timedelta(hours=1))])
    changes = []
    live.on_change(changes.append)

    assert not live.prune(T0 + timedelta(hours=2, minutes=59))
    assert set(live.incidents) == {"E1", "E2", "E3"}

    change = live.prune(T0 + timedelta(hours=3))
    assert change.removed_incidents == ("E2",)
    assert set(live.incidents) == {"E1", "E3"}
    assert changes == [change]

    live.prune(T0 + timedelta(days=30))
    assert set(live.incidents) == {"E1"}          # an open incident stays however old


def test_an_incident_reopened_before_the_window_ends_stays():
    live = LiveState(retention=timedelta(hours=3))
    live.apply(incidents=[closed(1, T0)])
    live.apply(incidents=[incident(1, version=3, status=Status.HANDLING, updated_at=T0 + timedelta(hours=1))])
    assert not live.prune(T0 + timedelta(hours=4)).removed_incidents
    assert live.incidents["E1"].version == 3


def test_warnings_out_of_force_leave_after_the_retention_window():
    live = LiveState(retention=timedelta(hours=3))

    def alert(i: int, expires: datetime, status=AlertStatus.ACTIVE) -> Alert:
        return Alert(id=f"A{i}", version=1, updated_at=T0, level=AlertLevel.ORANGE, type=AlertType.WEATHER,
                     title="暴雨预警", status=status, issued_at=T0, expires_at=expires)

    live.apply(alerts=[alert(1, T0 + timedelta(hours=1)), alert(2, T0 + timedelta(days=2)),
                       alert(3, T0 + timedelta(days=2), AlertStatus.CANCELLED)])
    assert live.prune(T0 + timedelta(hours=3, minutes=30)).removed_alerts == ("A3",)
    assert live.prune(T0 + timedelta(hours=4)).removed_alerts == ("A1",)
    assert set(live.alerts) == {"A2"}


def test_a_weeks_long_stream_of_short_lived_incidents_keeps_the_live_state_bounded():
    live = LiveState(retention=timedelta(hours=3))
    sizes = []
    for hour in range(24 * 14):
        at = T0 + timedelta(hours=hour)
        ids = [hour * 10 + k for k in range(10)]
        live.apply(incidents=[incident(i, reported_at=at, updated_at=at) for i in ids])
        live.apply(incidents=[closed(i, at + timedelta(minutes=30)) for i in ids])
        live.prune(at + timedelta(minutes=59))
        sizes.append(len(live.incidents))
    assert max(sizes[24:]) == max(sizes[:24]) <= 40
    assert len(live._ended) <= 40


def test_source_kpis_keep_the_latest_window_per_name_and_node():
    live = LiveState()
    newer = KpiValue(name="closure_rate", value=0.9, node_id="city", window_end=T0 + timedelta(hours=1))
    older = KpiValue(name="closure_rate", value=0.5, node_id="city", window_end=T0)
    assert live.apply(kpis=[newer]).kpis == (newer,)
    assert not live.apply(kpis=[older])
    assert live.kpis[("closure_rate", "city")] is newer


def test_beyond_max_ended_the_oldest_ended_incidents_leave_first_and_open_ones_never():
    live = LiveState(retention=timedelta(hours=3), max_ended=3)
    live.apply(incidents=[incident(0)] + [closed(i, T0 + timedelta(minutes=i)) for i in range(1, 6)])
    change = live.prune(T0 + timedelta(minutes=10))
    assert change.removed_incidents == ("E1", "E2")
    assert set(live.incidents) == {"E0", "E3", "E4", "E5"}


def test_a_reopened_incident_no_longer_counts_against_max_ended():
    live = LiveState(retention=timedelta(hours=3), max_ended=2)
    live.apply(incidents=[closed(1, T0), closed(2, T0 + timedelta(minutes=1)), closed(3, T0 + timedelta(minutes=2))])
    live.apply(incidents=[incident(1, version=3, status=Status.HANDLING, updated_at=T0 + timedelta(minutes=3))])
    assert not live.prune(T0 + timedelta(minutes=5)).removed_incidents
    assert set(live.incidents) == {"E1", "E2", "E3"}


def test_a_storm_of_closures_keeps_memory_at_max_ended_not_at_the_rate():
    live = LiveState(retention=timedelta(hours=3), max_ended=500)
    for minute in range(120):                           # 1,000 incidents closed a minute for two hours
        at = T0 + timedelta(minutes=minute)
        live.apply(incidents=[closed(minute * 1000 + k, at) for k in range(1000)])
        live.prune(at)
    assert len(live.incidents) == 500
    assert len(live._ended) <= 1000


def test_replacing_the_records_also_forgets_what_ended():
    live = LiveState(max_ended=1)
    live.apply(incidents=[closed(1, T0), closed(2, T0)])
    live.replace()
    live.apply(incidents=[closed(3, T0 + timedelta(minutes=1))])
    assert not live.prune(T0 + timedelta(minutes=2)).removed_incidents
    assert set(live.incidents) == {"E3"}


def test_a_replacement_is_one_change_that_says_it_resets():
    live = LiveState()
    live.apply(incidents=[closed(1, T0), closed(2, T0)])
    seen: list = []
    live.on_change(seen.append)
    change = live.replace(incidents=[closed(3, T0)])
    assert seen == [change] and change.reset
    assert [i.id for i in change.incidents] == ["E3"] and set(live.incidents) == {"E3"}
    empty = live.replace()                    # an empty past is still told: the views must clear
    assert seen[-1] is empty and empty.reset and not live.incidents
