"""City sensors (物联感知): devices, their readings, and the rules that turn readings into device alarms (告警).

Pure: a reading is decoded from a JSON payload through the codec (so bad payloads are quarantined with the codec's
reason like any record), and `AlarmRules` decides, per device, when a reading crosses a threshold (with hysteresis,
so a value hovering on a line does not flap) or changes too fast, producing versions of one `Alert` per episode.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from .codec import decode
from .enums import AlertLevel, AlertStatus, AlertType, Category, Severity, Source, Status, TerritoryLevel
from .errors import InvalidRecord
from .models import Alert, Incident, StatusChange, TerritoryNode


class SensorType(StrEnum):
    """The urban-lifeline devices a centre watches (城市生命线)."""

    WATER_LEVEL = "water_level"    # 积水/水位: underpasses and rivers, metres
    MANHOLE = "manhole"            # 井盖: tilt of the cover, degrees
    SMOKE = "smoke"                # 烟感 in distribution boxes: obscuration, %/m
    TEMPERATURE = "temperature"    # 温度 in distribution boxes, °C
    GAS = "gas"                    # 燃气: concentration, % of the lower explosive limit
    LAMP_POLE = "lamp_pole"        # 智慧灯杆: leakage current, mA


class SensorStatus(StrEnum):
    NORMAL = "normal"
    ALARM = "alarm"
    OFFLINE = "offline"


#: decimals a reading is shown with
DIGITS: dict[SensorType, int] = {
    SensorType.WATER_LEVEL: 2, SensorType.MANHOLE: 1, SensorType.SMOKE: 1, SensorType.TEMPERATURE: 1,
    SensorType.GAS: 1, SensorType.LAMP_POLE: 1,
}


def value_text(kind: SensorType, value: float | None) -> str:
    """A reading as the wall shows it: "0.27 m", "32.6 °C"."""
    return "—" if value is None else f"{value:.{DIGITS[kind]}f} {UNITS[kind]}"


UNITS: dict[SensorType, str] = {
    SensorType.WATER_LEVEL: "m", SensorType.MANHOLE: "°", SensorType.SMOKE: "%/m",
    SensorType.TEMPERATURE: "°C", SensorType.GAS: "%LEL", SensorType.LAMP_POLE: "mA",
}


MAX_SENSOR_ID = 40
RATE_WINDOW_S = 60.0     # a rate of change is measured over at least this long


@dataclass(frozen=True, slots=True)
class SensorMessage:
    """One reading as it travels on the wire (the MQTT payload, docs/feed-protocol.md)."""

    id: str
    type: SensorType
    at: datetime
    value: float
    name: str = ""
    lon: float | None = None
    lat: float | None = None
    grid_id: str = ""


@dataclass(frozen=True, slots=True)
class SensorReading:
    sensor_id: str
    at: datetime
    value: float


@dataclass(frozen=True, slots=True)
class Sensor:
    """A device as the wall shows it: where it is, its last reading and its status. A new version per change."""

    id: str
    version: int
    updated_at: datetime
    type: SensorType
    status: SensorStatus
    name: str = ""
    lon: float | None = None
    lat: float | None = None
    grid_id: str = ""
    value: float | None = None
    reading_at: datetime | None = None
    level: int = 0                 # the alarm level it is at (0 = none, 1-4 = Ⅳ-Ⅰ)

    @property
    def unit(self) -> str:
        return UNITS[self.type]


def decode_message(data: Any) -> SensorMessage:
    """A payload's JSON object as a reading; InvalidRecord (the quarantine's reason) if it does not fit."""
    msg = decode(SensorMessage, data)
    if not 0 < len(msg.id) <= MAX_SENSOR_ID:
        raise InvalidRecord(f"id: expected 1 to {MAX_SENSOR_ID} characters (an alarm's id adds to it)")
    if not math.isfinite(msg.value):
        raise InvalidRecord("value: expected a finite number")
    for name, v, lo, hi in (("lon", msg.lon, -180.0, 180.0), ("lat", msg.lat, -90.0, 90.0)):
        if v is not None and not (lo <= v <= hi and math.isfinite(v)):
            raise InvalidRecord(f"{name}: expected a number in [{lo:g}, {hi:g}]")
    return msg


# ---- rules --------------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class SensorRule:
    """When a device of one type raises an alarm.

    `levels`: (threshold, level) pairs, least severe first; a reading at or beyond a threshold (above it, or below
    it when `below`) is at that level. A level is left only once the value is `hysteresis` back inside its line.
    `rate`: a change of more than this many units per minute between two readings raises at least `rate_level`.
    `incident_level`: an alarm reaching this level opens an incident (0: never)."""

    levels: tuple[tuple[float, int], ...]
    hysteresis: float
    below: bool = False
    rate: float | None = None
    rate_level: int = 2
    incident_level: int = 4
    category: Category = Category.SAFETY_HAZARD
    title: str = ""

    def level_of(self, value: float, current: int) -> int:
        """The level `value` is at, given the level the device is at now (hysteresis keeps it there)."""
        sign = -1.0 if self.below else 1.0
        level = 0
        for threshold, lvl in self.levels:
            line = threshold if lvl > current else threshold - sign * self.hysteresis
            if sign * (value - line) >= 0:
                level = max(level, lvl)
        return level


#: The centre's default lines per type; `[sensors.rules.<type>]` in the config overrides them.
DEFAULT_RULES: dict[SensorType, SensorRule] = {
    SensorType.WATER_LEVEL: SensorRule(((0.15, 1), (0.27, 2), (0.4, 3), (0.6, 4)), 0.03, rate=0.1,
                                       category=Category.FLOOD, title="积水水位超限"),
    SensorType.MANHOLE: SensorRule(((10.0, 2), (25.0, 3)), 2.0, rate=20.0, rate_level=3, incident_level=3,
                                   category=Category.UTILITIES, title="井盖倾斜/位移"),
    SensorType.SMOKE: SensorRule(((3.0, 2), (8.0, 3), (15.0, 4)), 0.5, category=Category.FIRE, title="配电箱烟雾"),
    SensorType.TEMPERATURE: SensorRule(((60.0, 1), (70.0, 2), (85.0, 3), (100.0, 4)), 2.0, rate=10.0,
                                       category=Category.FIRE, title="配电箱温度过高"),
    SensorType.GAS: SensorRule(((10.0, 2), (20.0, 3), (25.0, 4)), 1.0, rate=10.0, rate_level=3,
                               category=Category.SAFETY_HAZARD, title="燃气浓度超限"),
    SensorType.LAMP_POLE: SensorRule(((30.0, 2), (100.0, 4)), 5.0, category=Category.SAFETY_HAZARD,
                                     title="灯杆漏电"),
}

TYPE_NAMES: dict[SensorType, str] = {
    SensorType.WATER_LEVEL: "积水水位", SensorType.MANHOLE: "井盖", SensorType.SMOKE: "烟感",
    SensorType.TEMPERATURE: "配电箱温度", SensorType.GAS: "燃气", SensorType.LAMP_POLE: "智慧灯杆",
}


@dataclass
class _DeviceState:
    sensor: Sensor
    level: int = 0
    alarm: Alert | None = None
    last: SensorReading | None = None
    incident_opened: bool = False
    anchor: SensorReading | None = None    # the start of the rate's current window
    rate_level: int = 0                    # the level the last window's rate of change set


@dataclass
class Outcome:
    """What one step of the rules produced: records for one batch."""

    sensors: list[Sensor] = field(default_factory=list)
    readings: list[SensorReading] = field(default_factory=list)
    alerts: list[Alert] = field(default_factory=list)
    incidents: list[Incident] = field(default_factory=list)
    #: each touched device's state before this step (None: new), so a batch the store refused can be undone
    undo: dict[str, _DeviceState | None] = field(default_factory=dict)


class GridLocator:
    """The grid a position lies in, else the nearest grid by centre (a device on a road between two grids)."""

    def __init__(self, nodes: list[TerritoryNode] = []) -> None:   # noqa: B006 - read only
        self._grids: list[tuple[str, tuple[tuple[float, float], ...], float, float]] = []
        self.update(nodes)

    def update(self, nodes: list[TerritoryNode]) -> None:
        known = {g[0] for g in self._grids}
        for n in nodes:
            if n.level is not TerritoryLevel.GRID or not n.polygon or n.id in known:
                continue
            xs = [p[0] for p in n.polygon]
            ys = [p[1] for p in n.polygon]
            self._grids.append((n.id, n.polygon, sum(xs) / len(xs), sum(ys) / len(ys)))

    def __len__(self) -> int:
        return len(self._grids)

    def locate(self, lon: float | None, lat: float | None) -> str:
        if lon is None or lat is None or not self._grids:
            return ""
        for gid, ring, _, _ in self._grids:
            if _inside(lon, lat, ring):
                return gid
        return min(self._grids, key=lambda g: (g[2] - lon) ** 2 + (g[3] - lat) ** 2)[0]


def _inside(x: float, y: float, ring: tuple[tuple[float, float], ...]) -> bool:
    inside = False
    j = len(ring) - 1
    for i in range(len(ring)):
        xi, yi = ring[i]
        xj, yj = ring[j]
        if (yi > y) != (yj > y) and x < (xj - xi) * (y - yi) / (yj - yi) + xi:
            inside = not inside
        j = i
    return inside


class AlarmRules:
    """Per-device state, fed readings in arrival order: device versions, alarms and the incidents they open.

    Not thread-safe: one feed owns one. Alarm ids are `<sensor id>:alarm:<epoch seconds>`,
    the time of the reading that raised it, so an episode keeps its id and a restart never makes a second one."""

    def __init__(self, rules: dict[SensorType, SensorRule] | None = None, source: str = "",
                 offline_after: timedelta = timedelta(seconds=60), grids: GridLocator | None = None) -> None:
        self.rules = {**DEFAULT_RULES, **(rules or {})}
        self.source = source
        self.offline_after = offline_after
        self.grids = grids if grids is not None else GridLocator()
        self._devices: dict[str, _DeviceState] = {}
        self._version = 0

    def __len__(self) -> int:
        return len(self._devices)

    def sensor(self, sensor_id: str) -> Sensor | None:
        state = self._devices.get(sensor_id)
        return state.sensor if state is not None else None

    def _next_version(self, at: datetime) -> int:
        """Versions grow with time and within one instant: microseconds since the epoch, never repeated."""
        v = max(int(at.timestamp() * 1_000_000), self._version + 1)
        self._version = v
        return v

    def reading(self, msg: SensorMessage, out: Outcome) -> None:
        """One decoded reading: the device's new version, the reading, and an alarm's raise, change or clear."""
        state = self._devices.get(msg.id)
        if msg.id not in out.undo:
            out.undo[msg.id] = replace(state) if state is not None else None
        grid = msg.grid_id or (state.sensor.grid_id if state is not None and state.sensor.grid_id else "")
        if not grid:
            grid = self.grids.locate(msg.lon, msg.lat)
        if state is None:
            base = Sensor(id=msg.id, version=0, updated_at=msg.at, type=msg.type, status=SensorStatus.NORMAL,
                          name=msg.name, lon=msg.lon, lat=msg.lat, grid_id=grid)
            state = self._devices[msg.id] = _DeviceState(base)
        if state.last is not None and msg.at <= state.last.at:
            # MQTT keeps no order across reconnections: an older reading is kept for the record (the store skips
            # one it holds already) but moves neither the device's state nor its alarms, which newer ones set
            if msg.at < state.last.at or msg.value != state.last.value:
                out.readings.append(SensorReading(msg.id, msg.at, msg.value))
            return
        reading = SensorReading(msg.id, msg.at, msg.value)
        rule = self.rules[msg.type]
        level = rule.level_of(msg.value, state.level)
        if rule.rate is not None:
            # over windows of at least RATE_WINDOW: a noisy reading every few seconds is not a fast rise
            anchor = state.anchor
            if anchor is None or (msg.at - anchor.at).total_seconds() > 10 * RATE_WINDOW_S:
                state.anchor, state.rate_level = reading, 0
            elif (msg.at - anchor.at).total_seconds() >= RATE_WINDOW_S:
                minutes = (msg.at - anchor.at).total_seconds() / 60
                fast = abs(msg.value - anchor.value) / minutes > rule.rate
                state.anchor, state.rate_level = reading, rule.rate_level if fast else 0
            level = max(level, state.rate_level)
        state.last = reading
        out.readings.append(reading)
        old = state.sensor
        status = SensorStatus.ALARM if level else SensorStatus.NORMAL
        state.sensor = replace(old, version=self._next_version(msg.at), updated_at=msg.at, type=msg.type,
                               name=msg.name or old.name, lon=msg.lon if msg.lon is not None else old.lon,
                               lat=msg.lat if msg.lat is not None else old.lat, grid_id=grid, value=msg.value,
                               reading_at=msg.at, status=status, level=level)
        out.sensors.append(state.sensor)
        if level != state.level:
            self._alarm_step(state, rule, level, msg, out)
        state.level = level

    def _alarm_step(self, state: _DeviceState, rule: SensorRule, level: int, msg: SensorMessage,
                    out: Outcome) -> None:
        s = state.sensor
        where = s.name or s.id
        if level and state.alarm is None:
            stamp = int(msg.at.timestamp())
            alarm = Alert(
                id=f"{s.id}:alarm:{stamp}", version=self._next_version(msg.at), updated_at=msg.at,
                level=AlertLevel(level), type=AlertType.IOT, title=f"{rule.title or TYPE_NAMES[s.type]} · {where}",
                status=AlertStatus.ACTIVE, issued_at=msg.at, description=value_text(s.type, msg.value),
                area_desc=where, grid_ids=(s.grid_id,) if s.grid_id else (), source=self.source or s.id,
                references=(s.id,))
            state.incident_opened = False
        elif level and state.alarm is not None:
            alarm = replace(state.alarm, version=self._next_version(msg.at), updated_at=msg.at,
                            level=AlertLevel(max(level, 1)), description=value_text(s.type, msg.value))
        elif state.alarm is not None:
            alarm = replace(state.alarm, version=self._next_version(msg.at), updated_at=msg.at,
                            status=AlertStatus.CANCELLED, description=f"{value_text(s.type, msg.value)}（已恢复）")
        else:
            return
        state.alarm = alarm if alarm.status is AlertStatus.ACTIVE else None
        out.alerts.append(alarm)
        if level and rule.incident_level and level >= rule.incident_level and not state.incident_opened:
            state.incident_opened = True
            out.incidents.append(self._incident(alarm, rule, s, msg.at))

    def _incident(self, alarm: Alert, rule: SensorRule, s: Sensor, at: datetime) -> Incident:
        return Incident(
            id=f"{alarm.id}:incident", version=1, updated_at=at, reported_at=at, title=alarm.title,
            category=rule.category, source=Source.IOT_SENSOR, severity=Severity(min(4, max(1, int(alarm.level)))),
            status=Status.REPORTED, grid_id=s.grid_id, lon=s.lon, lat=s.lat, description=alarm.description,
            timeline=(StatusChange(Status.REPORTED, at, note=alarm.id),))

    def undo(self, out: Outcome) -> None:
        """Forget what `out` did (its batch was not stored): the broker delivers its readings again."""
        for sensor_id, before in out.undo.items():
            if before is None:
                self._devices.pop(sensor_id, None)
            else:
                self._devices[sensor_id] = before

    def prime(self, sensors: list[Sensor], alerts: list[Alert]) -> None:
        """What the store holds (a restarted wall): each device's last state and its alarm still in force, so an
        alarm goes on under its id and a device silent since before the restart still goes offline."""
        open_alarms = {a.references[0]: a for a in alerts
                       if a.type is AlertType.IOT and a.status is AlertStatus.ACTIVE and a.references}
        for s in sensors:
            if s.id in self._devices:
                continue
            last = SensorReading(s.id, s.reading_at, s.value) if s.reading_at and s.value is not None else None
            alarm = open_alarms.get(s.id)
            self._devices[s.id] = _DeviceState(s, level=s.level if alarm is not None else 0, alarm=alarm, last=last,
                                               incident_opened=True)
            self._version = max(self._version, s.version)

    def presence(self, sensor_id: str, online: bool, at: datetime, out: Outcome) -> None:
        """A device's own word (its last will, or its birth message): offline or back online."""
        state = self._devices.get(sensor_id)
        if state is None:
            return
        self._set_offline(state, not online, at, out)

    def silent(self, now: datetime, out: Outcome) -> None:
        """Devices not heard from within `offline_after` are offline."""
        for state in self._devices.values():
            last = state.last.at if state.last is not None else state.sensor.updated_at
            if state.sensor.status is not SensorStatus.OFFLINE and now - last > self.offline_after:
                self._set_offline(state, True, now, out)

    def _set_offline(self, state: _DeviceState, offline: bool, at: datetime, out: Outcome) -> None:
        s = state.sensor
        if offline == (s.status is SensorStatus.OFFLINE):
            return
        if s.id not in out.undo:
            out.undo[s.id] = replace(state)
        status = SensorStatus.OFFLINE if offline else (SensorStatus.ALARM if state.level else SensorStatus.NORMAL)
        state.sensor = replace(s, version=self._next_version(at), updated_at=max(at, s.updated_at), status=status)
        out.sensors.append(state.sensor)
