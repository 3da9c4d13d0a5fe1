"""The simulator's sensor publisher against a real broker: what it counts as accepted is what the broker
acknowledged and a subscriber receives, readings only (a silent device publishes none, a dropout's `offline`
status is not a reading); a faulting device reports beyond its alarm line."""
from __future__ import annotations

import asyncio
import json

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from commandcenter.sim import sensors as S
from commandcenter.sim.broker import Broker
from commandcenter.sim.territory import generate

from tests.support.fixtures import eventually_holds

INTERVAL = 0.5


def test_accepted_counts_the_readings_the_broker_acknowledged_and_nothing_else(monkeypatch: pytest.MonkeyPatch) -> None:
    # a city whose devices drop out often, so a few seconds hold dropouts and their statuses
    monkeypatch.setattr(S, "DROPOUTS_PER_DEVICE_DAY", 0.02 * 86400 / INTERVAL)
    devices = S.fleet(generate("street", 3), 100, 3)
    silent, faulty = devices[0], devices[1]
    readings: dict[str, list[float]] = {}
    statuses: list[str] = []
    subscribed: list[int] = []

    def on_message(_c: object, _u: object, msg: mqtt.MQTTMessage) -> None:
        if msg.topic.endswith("/status"):
            statuses.append(msg.payload.decode())
        else:
            readings.setdefault(msg.topic.rsplit("/", 1)[1], []).append(json.loads(msg.payload)["value"])

    with Broker() as broker:
        listener = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="test-listener")
        listener.on_message = on_message
        listener.on_subscribe = lambda _c, _u, mid, _codes, _p: subscribed.append(mid)
        listener.connect("127.0.0.1", broker.port)
        listener.subscribe("city/sensors/#", qos=1)
        listener.loop_start()
        assert asyncio.run(eventually_holds(lambda: subscribed, 10))
        publisher = S.SensorPublisher(broker.url, devices, interval=INTERVAL, seed=3)
        silent.silent_until = faulty.fault_until = float("inf")
        publisher.start()
        try:
            asyncio.run(eventually_holds(lambda: publisher.published >= 6 * len(devices) and statuses, 20))
        finally:
            publisher.stop()
        def received() -> int:
            return sum(len(v) for v in readings.values())

        asyncio.run(eventually_holds(lambda: received() >= publisher.accepted, 10))
        listener.loop_stop()
        listener.disconnect()

    assert publisher.accepted == publisher.published == received()
    assert statuses and set(statuses) == {"offline"}
    assert publisher.dropouts_begun >= len(statuses)
    assert silent.id not in readings
    assert min(readings[faulty.id]) >= S.FAULT_VALUE[faulty.type]
