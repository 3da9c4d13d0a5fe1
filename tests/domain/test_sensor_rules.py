"""Sensor readings become device alarms (告警): thresholds with hysteresis, rates of change, offline devices."""
from __future__ import annotations

from datetime import datetime, timedelta, UTC

import pytest

from commandcenter.domain import AlertLevel, AlertStatus, AlertType, InvalidRecord, SignalKind, TerritoryLevel, \
    TerritoryNode, signal_kind
from commandcenter.domain.sensors import (
    AlarmRules, GridLocator, Outcome, SensorMessage, SensorStatus, SensorType, decode_message,
)

T0 = datetime(2026, 7, 1, 8, 0, tzinfo=UTC)
GRIDS = [TerritoryNode("g1", TerritoryLevel.GRID, "G1", "m", polygon=((120.0, 37.0), (120.1, 37.0), (120.1, 37.1),
                                                                       (120.0, 37.1))),
         TerritoryNode("g2", TerritoryLevel.GRID, "G2", "m", polygon=((120.2, 37.0), (120.3, 37.0), (120.3, 37.1),
                                                                       (120.2, 37.1)))]


def feed(rules: AlarmRules, sensor: str, kind: SensorType, values: list[float], step_s: float = 10.0) -> Outcome:
    out = Outcome()
    for k, v in enumerate(values):
        rules.reading(SensorMessage(sensor, kind, T0 + timedelta(seconds=step_s * k), v, lon=120.05, lat=37.05), out)
    return out


def test_a_water_level_crossing_its_line_raises_one_alarm_that_hovering_does_not_flap_and_recovery_cancels() -> None:
    rules = AlarmRules(grids=GridLocator(GRIDS))
    # 0.15 m is level 1 with 0.03 m hysteresis: 0.16, 0.14, 0.16, 0.13 stay in one episode; 0.11 clears it
    out = feed(rules, "W1", SensorType.WATER_LEVEL, [0.05, 0.16, 0.14, 0.16, 0.13, 0.11, 0.12],
               step_s=120)
    assert [(a.status, a.level) for a in out.alerts] == [(AlertStatus.ACTIVE, AlertLevel.BLUE),
                                                         (AlertStatus.CANCELLED, AlertLevel.BLUE)]
    alarm = out.alerts[0]
    assert alarm.type is AlertType.IOT and signal_kind(alarm.type) is SignalKind.ALARM
    assert alarm.grid_ids == ("g1",) and alarm.references == ("W1",) and out.alerts[1].id == alarm.id
    assert out.alerts[1].version > alarm.version
    assert [s.status for s in out.sensors][-1] is SensorStatus.NORMAL and len(out.readings) == 7


def test_rising_levels_update_the_alarm_and_the_top_level_opens_an_incident_once() -> None:
    rules = AlarmRules(grids=GridLocator(GRIDS))
    out = feed(rules, "W2", SensorType.WATER_LEVEL, [0.2, 0.3, 0.45, 0.65, 0.7, 0.62])
    assert [int(a.level) for a in out.alerts] == [1, 2, 3, 4]
    assert len({a.id for a in out.alerts}) == 1
    assert len(out.incidents) == 1 and out.incidents[0].grid_id == "g1"
    assert out.incidents[0].source.value == "iot_sensor"


def test_a_fast_rise_raises_an_alarm_below_the_lines() -> None:
    rules = AlarmRules()
    # 1 °C of noise every 5 s is not a rise; 15 °C within a minute is, though far under the 60 °C line
    out = feed(rules, "T1", SensorType.TEMPERATURE, [30.0, 29.0] * 12, step_s=5)
    assert out.alerts == []
    out = feed(rules, "T2", SensorType.TEMPERATURE, [25.0 + 2.5 * k for k in range(7)], step_s=10)
    assert [(int(a.level), a.status.value) for a in out.alerts] == [(2, "active")]


def test_a_silent_device_goes_offline_and_its_next_reading_brings_it_back() -> None:
    rules = AlarmRules(offline_after=timedelta(seconds=60))
    feed(rules, "L1", SensorType.LAMP_POLE, [2.0])
    out = Outcome()
    rules.silent(T0 + timedelta(seconds=30), out)
    assert out.sensors == []
    rules.silent(T0 + timedelta(seconds=90), out)
    assert [s.status for s in out.sensors] == [SensorStatus.OFFLINE]
    back = Outcome()
    rules.reading(SensorMessage("L1", SensorType.LAMP_POLE, T0 + timedelta(seconds=100), 2.0), back)
    assert back.sensors[-1].status is SensorStatus.NORMAL and back.sensors[-1].version > out.sensors[0].version


def test_undo_forgets_a_batch_the_store_refused_so_its_redelivery_counts() -> None:
    rules = AlarmRules()
    out = feed(rules, "T1", SensorType.TEMPERATURE, [20.0, 90.0])
    rules.undo(out)
    again = feed(rules, "T1", SensorType.TEMPERATURE, [20.0, 90.0])
    assert len(again.readings) == 2 and len(again.alerts) == 1


def test_a_device_in_the_nearest_grid_when_outside_every_grid() -> None:
    assert GridLocator(GRIDS).locate(120.19, 37.05) == "g2"
    assert GridLocator(GRIDS).locate(120.05, 37.05) == "g1"


@pytest.mark.parametrize("payload, reason", [
    ({"id": "x", "type": "gas", "at": "2026-07-01T08:00:00Z", "value": "high"}, "value"),
    ({"id": "x", "type": "radar", "at": "2026-07-01T08:00:00Z", "value": 1}, "type"),
    ({"id": "x", "type": "gas", "at": "yesterday", "value": 1}, "ISO 8601"),
    ({"id": "x" * 41, "type": "gas", "at": "2026-07-01T08:00:00Z", "value": 1}, "id"),
    ({"id": "x", "type": "gas", "at": "2026-07-01T08:00:00Z", "value": 1, "lat": 95}, "lat"),
])
def test_a_bad_payload_is_refused_with_a_reason(payload: dict[str, object], reason: str) -> None:
    with pytest.raises(InvalidRecord, match=reason):
        decode_message(payload)
