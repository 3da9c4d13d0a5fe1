"""The simulated city's sensors (城市生命线): thousands of devices publishing readings to an MQTT broker.

Each device sits in a grid of the simulated city and reports every `interval` seconds (phases spread so the
broker sees an even flow) on `city/sensors/<type>/<id>`, QoS 1, a JSON payload (docs/feed-protocol.md). Values
follow the day (distribution boxes warm in the afternoon, lamp poles leak a little more with the lights on at
night), drift slowly, and now and then a device faults (a cover knocked open, a box overheating, gas, water
in an underpass after rain) for some minutes, or drops out (silent, sometimes with an `offline` status, as a
gateway's last will would say) and comes back.
"""
from __future__ import annotations

import json
import math
import random
import threading
import time
from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone, UTC
from urllib.parse import urlsplit

from paho.mqtt.enums import MQTTErrorCode

from ..domain.sensors import TYPE_NAMES, SensorType
from .territory import City

#: share of devices per type (a city has many more covers and lamp poles than gas detectors)
MIX: tuple[tuple[SensorType, float], ...] = (
    (SensorType.MANHOLE, 0.30), (SensorType.WATER_LEVEL, 0.15), (SensorType.LAMP_POLE, 0.20),
    (SensorType.TEMPERATURE, 0.15), (SensorType.SMOKE, 0.10), (SensorType.GAS, 0.10),
)
PREFIX = {SensorType.MANHOLE: "MH", SensorType.WATER_LEVEL: "WL", SensorType.LAMP_POLE: "LP",
          SensorType.TEMPERATURE: "TB", SensorType.SMOKE: "SB", SensorType.GAS: "GS"}
#: a faulting device's value: beyond the alarm lines of domain.sensors.DEFAULT_RULES
FAULT_VALUE = {SensorType.MANHOLE: 32.0, SensorType.WATER_LEVEL: 0.45, SensorType.LAMP_POLE: 45.0,
               SensorType.TEMPERATURE: 92.0, SensorType.SMOKE: 9.0, SensorType.GAS: 22.0}
FAULTS_PER_DEVICE_DAY = 0.2     # so a city of 2,000 devices has a few alarms in force at any time
DROPOUTS_PER_DEVICE_DAY = 0.3
FAULTY_AT_START = 0.005         # share of devices already faulting when the simulation starts (as a city would)
SILENT_AT_START = 0.003
LOCAL = timezone(timedelta(hours=8))


@dataclass
class Device:
    id: str
    type: SensorType
    name: str
    lon: float
    lat: float
    base: float
    drift_per_day: float
    phase: float                 # its report's offset within the interval, seconds
    fault_until: float = 0.0     # monotonic seconds
    silent_until: float = 0.0

    def value(self, at: datetime, rng: random.Random, days: float) -> float:
        hour = at.astimezone(LOCAL).hour + at.minute / 60
        day = math.sin(2 * math.pi * (hour - 9) / 24)      # peaks at 15:00
        t = self.type
        if t is SensorType.TEMPERATURE:
            v = self.base + 10 * day + self.drift_per_day * days + rng.gauss(0, 0.4)
        elif t is SensorType.LAMP_POLE:
            v = self.base + (1.5 if hour < 6 or hour >= 18 else 0) + rng.gauss(0, 0.3)
        elif t is SensorType.WATER_LEVEL:
            v = self.base + 0.01 * day + rng.gauss(0, 0.004)
        else:
            v = self.base + self.drift_per_day * days + abs(rng.gauss(0, self.base * 0.1))
        return round(max(0.0, v), 3)


def fleet(city: City, count: int, seed: int = 1) -> list[Device]:
    """`count` devices spread over the city's grids, types in `MIX`'s proportions."""
    rng = random.Random(seed * 7919 + count)
    types = [t for t, share in MIX for _ in range(max(1, round(share * count)))][:count]
    while len(types) < count:
        types.append(MIX[0][0])
    rng.shuffle(types)
    base = {SensorType.MANHOLE: 1.0, SensorType.WATER_LEVEL: 0.02, SensorType.LAMP_POLE: 2.0,
            SensorType.TEMPERATURE: 28.0, SensorType.SMOKE: 0.3, SensorType.GAS: 0.6}
    out = []
    for k, t in enumerate(types):
        grid = city.grids[k % len(city.grids)]
        lon, lat = city.point_in(grid, rng)
        out.append(Device(id=f"{PREFIX[t]}-{grid.node.id}-{k:05d}"[:40], type=t,
                          name=f"{grid.node.name}{TYPE_NAMES[t]}{k % 100:02d}号", lon=lon, lat=lat,
                          base=base[t] * rng.uniform(0.7, 1.3), drift_per_day=rng.uniform(-0.05, 0.05) * base[t],
                          phase=rng.random()))
    return out


def payload(device: Device, at: datetime, value: float) -> bytes:
    return json.dumps({"at": at.isoformat(timespec="milliseconds").replace("+00:00", "Z"), "value": value,
                       "name": device.name, "lon": device.lon, "lat": device.lat},
                      ensure_ascii=False).encode()


class SensorPublisher:
    """Publishes `devices` to the broker at `url` from a thread of its own until `stop()`."""

    def __init__(self, url: str, devices: list[Device], interval: float = 10.0, seed: int = 1,
                 prefix: str = "city/sensors", faults: bool = True) -> None:
        import paho.mqtt.client as mqtt
        from paho.mqtt.enums import CallbackAPIVersion

        u = urlsplit(url)
        self.host, self.port = u.hostname or "127.0.0.1", u.port or 1883
        self.devices = devices
        self.interval = interval
        self.prefix = prefix
        self.faults = faults
        self.rng = random.Random(seed)
        self.published = 0          # readings handed to the client
        self.accepted = 0           # readings the broker acknowledged (PUBACK): held for its subscribers from then on
        self.faults_begun = 0       # devices that began a fault (from the start or during the run)
        self.dropouts_begun = 0     # devices that fell silent
        self._unacked: set[int] = set()         # message ids of readings not yet acknowledged
        self._acks: deque[int] = deque()        # acknowledged ids, handed from the network thread
        self._stop = threading.Event()
        self._client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"cc-sim-sensors-{seed}")
        self._client.on_publish = self._on_publish
        self._client.max_inflight_messages_set(10_000)
        self._client.max_queued_messages_set(0)
        self._thread = threading.Thread(target=self._run, name="sim-sensors", daemon=True)
        self._started = time.monotonic()
        if faults:
            for d in devices:
                r = self.rng.random()
                if r < FAULTY_AT_START:
                    d.fault_until = self._started + self.rng.uniform(120, 900)
                    self.faults_begun += 1
                elif r < FAULTY_AT_START + SILENT_AT_START:
                    d.silent_until = self._started + self.rng.uniform(120, 600)
                    self.dropouts_begun += 1

    def topic(self, d: Device) -> str:
        return f"{self.prefix}/{d.type.value}/{d.id}"

    def start(self) -> SensorPublisher:
        self._client.connect_async(self.host, self.port, keepalive=30)
        self._client.loop_start()
        self._thread.start()
        return self

    def stop(self, drain_s: float = 10.0) -> None:
        """Stop publishing; wait up to `drain_s` for the broker to acknowledge the readings still in flight (so
        `accepted` is final), then disconnect."""
        self._stop.set()
        self._thread.join(10)
        until = time.monotonic() + drain_s
        while self._count_acks() and time.monotonic() < until:
            time.sleep(0.05)
        self._client.disconnect()
        self._client.loop_stop()

    def _on_publish(self, _client: object, _userdata: object, mid: int, _reason: object, _props: object) -> None:
        # on the network thread, inside the client's locks: only handed over, counted on the publisher's thread
        self._acks.append(mid)

    def _count_acks(self) -> int:
        """Count the readings acknowledged since the last call; returns how many are still unacknowledged."""
        acks, unacked = self._acks, self._unacked
        while acks:
            mid = acks.popleft()
            if mid in unacked:          # a reading's (a status message's id is never in the set)
                unacked.discard(mid)
                self.accepted += 1
        return len(unacked)

    def publish_once(self, d: Device, now: datetime, mono: float) -> None:
        """One device's report (or its silence)."""
        rng = self.rng
        per_report = self.interval / 86400
        if self.faults and mono >= d.fault_until and mono >= d.silent_until:
            if rng.random() < FAULTS_PER_DEVICE_DAY * per_report:
                d.fault_until = mono + rng.uniform(120, 900)
                self.faults_begun += 1
            elif rng.random() < DROPOUTS_PER_DEVICE_DAY * per_report:
                d.silent_until = mono + rng.uniform(120, 600)
                self.dropouts_begun += 1
                if rng.random() < 0.5:
                    self._client.publish(self.topic(d) + "/status", b"offline", qos=1)
        if mono < d.silent_until:
            return
        value = d.value(now, rng, (mono - self._started) / 86400)
        if mono < d.fault_until:
            value = round(FAULT_VALUE[d.type] * rng.uniform(1.0, 1.15), 3)
        info = self._client.publish(self.topic(d), payload(d, now, value), qos=1)
        if info.rc == MQTTErrorCode.MQTT_ERR_QUEUE_SIZE:    # refused by the client itself: never sent
            return
        # the id is noted after publish returns; its acknowledgement may already be queued, counted after this
        self._unacked.add(info.mid)
        self.published += 1

    def _run(self) -> None:
        """Every device once per interval, each at its phase; ticks of 50 ms."""
        tick = 0.05
        order = sorted(self.devices, key=lambda d: d.phase)
        start = time.monotonic()
        cycle = 0
        i = 0
        while not self._stop.is_set():
            elapsed = time.monotonic() - start
            now = datetime.now(UTC)
            mono = time.monotonic()
            while i < len(order) and cycle * self.interval + order[i].phase * self.interval <= elapsed:
                self.publish_once(order[i], now, mono)
                i += 1
            if i >= len(order):
                i, cycle = 0, cycle + 1
            self._count_acks()
            self._stop.wait(tick)
