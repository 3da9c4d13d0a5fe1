"""The public warning-signal table: China's hazard/colour pairs, guidance per hazard, and `Alert.hazard` on the wire."""
from __future__ import annotations

from datetime import datetime, UTC

import pytest

from commandcenter.domain import (
    HAZARDS, Alert, AlertLevel, AlertStatus, AlertType, Hazard, InvalidRecord, SignalKind, check_signal, decode_alert,
    encode, signal_kind,
)
from commandcenter.domain.warning_signals import hazard_named

B, Y, O, R = AlertLevel.BLUE, AlertLevel.YELLOW, AlertLevel.ORANGE, AlertLevel.RED  # noqa: E741 -- the levels' initials

#: China Meteorological Administration Order No. 16 (haze as revised in 2013), plus the flood and forest-fire signals.
EXPECTED = {
    "台风": {B, Y, O, R}, "暴雨": {B, Y, O, R}, "暴雪": {B, Y, O, R}, "寒潮": {B, Y, O, R}, "大风": {B, Y, O, R},
    "沙尘暴": {Y, O, R}, "高温": {Y, O, R}, "雷电": {Y, O, R}, "大雾": {Y, O, R}, "霾": {Y, O, R}, "道路结冰": {Y, O, R},
    "干旱": {O, R}, "冰雹": {O, R}, "霜冻": {B, Y, O},
    "洪水": {B, Y, O, R}, "风暴潮": {B, Y, O, R}, "森林火险": {B, Y, O, R},
}


def test_each_hazard_has_exactly_its_official_colours() -> None:
    assert {s.name_cn: set(s.levels) for s in HAZARDS.values()} == EXPECTED
    for s in HAZARDS.values():
        assert list(s.levels) == sorted(s.levels)          # mildest first


def test_only_real_signals_have_names() -> None:
    assert HAZARDS[Hazard.RAINSTORM].signal_name(Y) == "暴雨黄色预警信号"
    for hazard, level in ((Hazard.HEAT, B), (Hazard.FOG, B), (Hazard.HAIL, Y), (Hazard.FROST, R)):
        with pytest.raises(ValueError):
            HAZARDS[hazard].signal_name(level)
    assert check_signal(Hazard.HEAT, B) == "高温预警信号只有黄色、橙色、红色，没有蓝色"
    assert check_signal(Hazard.HEAT, O, AlertType.WEATHER) is None
    assert check_signal(Hazard.RIVER_FLOOD, R, AlertType.WEATHER) is not None     # a flood warning is type `flood`


def test_public_warnings_are_warnings_and_guidance_belongs_to_the_hazard() -> None:
    assert {signal_kind(s.alert_type) for s in HAZARDS.values()} == {SignalKind.WARNING}
    guidance = [s.guidance for s in HAZARDS.values()]
    assert len(set(guidance)) == len(guidance)
    assert [s.name_cn for s in HAZARDS.values() if "防汛" in s.guidance] == ["洪水"]
    assert "防暑降温" in HAZARDS[Hazard.HEAT].guidance and "驾驶" in HAZARDS[Hazard.FOG].guidance
    assert hazard_named(" 暴雨 ").hazard is Hazard.RAINSTORM and hazard_named("海啸") is None


def _alert(**kw) -> Alert:
    at = datetime(2026, 7, 1, 2, 0, tzinfo=UTC)
    return Alert("AL1", 1, at, R, AlertType.WEATHER, "滨海区暴雨红色预警信号", AlertStatus.ACTIVE, at, **kw)


def test_hazard_travels_on_the_wire_and_is_optional() -> None:
    data = encode(_alert(hazard=Hazard.RAINSTORM))
    assert data["hazard"] == "rainstorm"
    assert decode_alert(data).hazard is Hazard.RAINSTORM
    old = {k: v for k, v in data.items() if k != "hazard"}          # a feed that predates the field
    assert decode_alert(old).hazard is None
    assert decode_alert({**data, "hazard": None}).hazard is None
    with pytest.raises(InvalidRecord, match="hazard"):
        decode_alert({**data, "hazard": "tsunami"})
