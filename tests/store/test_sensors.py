"""Sensors in the store: latest device state, raw readings for days, hourly summaries for months."""
from __future__ import annotations

from datetime import datetime, timedelta, UTC

from commandcenter.domain.sensors import AlarmRules, Outcome, SensorMessage, SensorStatus, SensorType
from commandcenter.store import Store

T0 = datetime(2026, 7, 1, 8, 0, tzinfo=UTC)


def outcome(values: list[float], start: datetime = T0, sensor: str = "W1") -> Outcome:
    rules, out = AlarmRules(), Outcome()
    for k, v in enumerate(values):
        rules.reading(SensorMessage(sensor, SensorType.WATER_LEVEL, start + timedelta(minutes=10 * k), v), out)
    return out


def test_devices_readings_and_alarms_commit_together_and_read_back(store_url: str) -> None:
    out = outcome([0.05, 0.1, 0.2, 0.3, 0.1, 0.05])
    with Store.open(store_url) as store:
        applied = store.apply("iot", sensors=out.sensors, readings=out.readings, alerts=out.alerts)
        assert [s.id for s in applied.sensors] == ["W1"] and applied.alerts
        (w1,) = store.sensors()
        assert w1 == out.sensors[-1] and w1.status is SensorStatus.NORMAL
        got = store.sensor_readings("W1", T0, T0 + timedelta(days=1))
        assert [r.value for r in got] == [0.05, 0.1, 0.2, 0.3, 0.1, 0.05]
        # the same batch again (a redelivery) changes nothing
        again = store.apply("iot", sensors=out.sensors, readings=out.readings)
        assert again.sensors == [] and len(store.sensor_readings("W1", T0, T0 + timedelta(days=1))) == 6


def test_raw_readings_leave_after_raw_days_and_the_chart_falls_back_to_hourly_means(store_url: str) -> None:
    old = outcome([1.0, 2.0, 3.0, 4.0, 5.0, 6.0], start=T0 - timedelta(days=10))   # one hour, six readings
    new = outcome([0.5], start=T0)
    with Store.open(store_url) as store:
        store.apply("iot", sensors=old.sensors, readings=old.readings)
        store.apply("iot", sensors=new.sensors, readings=new.readings)
        assert store.prune_sensors(raw_days=7, hourly_months=6, now=T0) == 6
        got = store.sensor_readings("W1", T0 - timedelta(days=11), T0 + timedelta(hours=1))
        assert [r.value for r in got] == [3.5, 0.5]
        assert store.prune_sensors(raw_days=7, hourly_months=1, now=T0 + timedelta(days=40)) >= 1
        assert store.sensor_readings("W1", T0 - timedelta(days=11), T0 - timedelta(days=5)) == []


def test_replay_shows_the_devices_as_they_read_at_a_past_time(store_url: str) -> None:
    out = outcome([0.05, 0.3, 0.05])        # 08:00 within the lines, 08:10 at level 2, 08:20 back within
    with Store.open(store_url) as store:
        store.apply("iot", sensors=out.sensors, readings=out.readings)
        (at_0815,) = store.state_at(T0 + timedelta(minutes=15))["sensors"]
        assert (at_0815.value, at_0815.level, at_0815.status) == (0.3, 2, SensorStatus.ALARM)
        (at_0825,) = store.state_at(T0 + timedelta(minutes=25))["sensors"]
        assert (at_0825.value, at_0825.status) == (0.05, SensorStatus.NORMAL)
        (later,) = store.state_at(T0 + timedelta(hours=2))["sensors"]
        assert later.status is SensorStatus.OFFLINE           # silent for more than ten minutes by then
        assert store.state_at(T0 - timedelta(minutes=5))["sensors"] == []    # not reporting yet


def test_a_late_or_redelivered_reading_is_stored_once_and_counted_once_in_its_hour(store_url: str) -> None:
    """MQTT keeps no order across reconnections: a reading older than the device's last one is kept, and one the
    store holds already (a redelivery) is not stored or counted again."""
    rules, first = AlarmRules(), Outcome()
    for k in (0, 1, 3):
        rules.reading(SensorMessage("W1", SensorType.WATER_LEVEL, T0 + timedelta(minutes=k), 0.1 * k), first)
    late = Outcome()
    rules.reading(SensorMessage("W1", SensorType.WATER_LEVEL, T0 + timedelta(minutes=2), 0.2), late)     # late
    rules.reading(SensorMessage("W1", SensorType.WATER_LEVEL, T0 + timedelta(minutes=1), 0.1), late)     # again
    assert late.sensors == [] and len(late.readings) == 2            # the device's state stays the newest's
    with Store.open(store_url) as store:
        store.apply("iot", sensors=first.sensors, readings=first.readings)
        store.apply("iot", sensors=late.sensors, readings=late.readings + late.readings)
        got = store.sensor_readings("W1", T0, T0 + timedelta(hours=1))
        assert [round(r.value, 2) for r in got] == [0.0, 0.1, 0.2, 0.3]
        (w1,) = store.sensors()
        assert w1.value == 0.30000000000000004 or round(w1.value or 0, 2) == 0.3
        with store.engine.connect() as conn:
            from sqlalchemy import text
            assert conn.execute(text("SELECT n FROM sensor_hours")).scalar() == 4
