"""The MQTT feed against a real broker (mosquitto on a free loopback port): wildcards, QoS 1 resume, last will,
TLS with a test certificate and credentials from the environment, a malformed payload quarantined with its reason."""
from __future__ import annotations

import asyncio
import functools
import json
import logging
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta, UTC
from pathlib import Path

import paho.mqtt.publish as publish
import pytest

from commandcenter.config.schema import FeedSection
from commandcenter.domain import FeedState
from commandcenter.domain.sensors import SensorStatus
from commandcenter.feeds import Batch
from commandcenter.feeds.mqtt import MqttFeed, new_client_id
from commandcenter.sim.broker import Broker, make_test_certificate

from tests.support.fixtures import eventually_holds

T0 = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=30)


@pytest.fixture
def broker() -> Iterator[Broker]:
    with Broker() as b:
        yield b


def reading(device: str, kind: str, k: int, value: float = 0.1, *, now: bool = False) -> tuple[str, str, int]:
    """A reading `k` steps of 10 s after T0, or (`now`) taken now, k ms apart."""
    t = datetime.now(UTC) + timedelta(milliseconds=k) if now else T0 + timedelta(seconds=10 * k)
    at = t.isoformat().replace("+00:00", "Z")
    return (f"city/sensors/{kind}/{device}", json.dumps({"at": at, "value": value, "lon": 121.4, "lat": 37.5}), 1)


def send(b: Broker, msgs: list[tuple[str, str, int]], **kw: object) -> None:
    publish.multiple([{"topic": t, "payload": p, "qos": q} for t, p, q in msgs], hostname="127.0.0.1",
                     port=b.port, **kw)  # type: ignore[arg-type]


def feed_for(url: str, client_id: str, **kw: object) -> MqttFeed:
    section = FeedSection(name="iot", kind="mqtt", url=url, client_id=client_id, timeout=5,
                          **kw)  # type: ignore[arg-type]
    feed = MqttFeed(section)
    feed.backoff_base, feed.backoff_cap = 0.1, 0.5
    return feed


class Collector:
    """A sink that keeps what it was handed. The store drops a reading it holds already; this keeps every one, so
    the tests count distinct (device, time) pairs."""

    def __init__(self) -> None:
        self.batches: list[Batch] = []

    async def __call__(self, batch: Batch) -> None:
        self.batches.append(batch)

    def readings(self) -> list[tuple[str, datetime]]:
        return [(r.sensor_id, r.at) for b in self.batches for r in b.readings]

    def sensors(self) -> dict[str, SensorStatus]:
        return {s.id: s.status for b in self.batches for s in b.sensors}


# a broker's round trips take their time on a loaded machine
until = functools.partial(eventually_holds, timeout=15.0)


async def run_until(feed: MqttFeed, sink: Collector, predicate, timeout: float = 15.0) -> bool:  # type: ignore[no-untyped-def]
    task = asyncio.create_task(feed.run(sink, None))
    try:
        return await until(predicate, timeout=timeout)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


def test_wildcards_map_topics_to_sensors_and_a_malformed_payload_is_quarantined_with_its_reason(broker: Broker) -> None:
    feed = feed_for(broker.url, new_client_id(), topics=["city/sensors/+/+", "city/sensors/+/+/status"])
    sink = Collector()

    async def main() -> None:
        task = asyncio.create_task(feed.run(sink, None))
        assert await until(lambda: feed.broker_up)
        await asyncio.to_thread(send, broker, [
            reading("W1", "water_level", 1), reading("G1", "gas", 1, 3.0),
            ("city/sensors/gas/G2", b'{"at": "2026-12-06T10:00:00Z", "value": "high"}', 1),   # type: ignore[list-item]
            ("city/sensors/gas/G3", b"\xff not json", 1),   # type: ignore[list-item]
            ("city/other/gas/X1", json.dumps({"at": "2026-12-06T10:00:00Z", "value": 1.0}), 1),
        ])
        assert await until(lambda: sum(len(b.quarantined) for b in sink.batches) == 2 and len(sink.readings()) == 2)
        await asyncio.sleep(0.5)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)

    asyncio.run(main())
    assert sorted(sink.sensors()) == ["G1", "W1"]
    kinds = {s.id: s.type.value for b in sink.batches for s in b.sensors}
    assert kinds == {"W1": "water_level", "G1": "gas"}
    reasons = {q.record_id: q.reason for b in sink.batches for q in b.quarantined}
    assert "value" in reasons["G2"] and "number" in reasons["G2"]
    assert "city/sensors/gas/G3" in reasons["G3"] and "JSON" in reasons["G3"].upper()
    assert feed.health(datetime.now(UTC)).quarantined == 2


def test_qos1_resume_a_wall_away_for_a_while_gets_every_reading_the_broker_held(broker: Broker) -> None:
    client_id = new_client_id()

    async def main() -> Collector:
        first = Collector()
        assert await run_until(feed_for(broker.url, client_id), first, lambda: False, timeout=1.5) is False
        # the wall is away: 300 readings arrive meanwhile, held by the broker for its persistent session
        await asyncio.to_thread(send, broker, [reading(f"W{d}", "water_level", k) for k in range(30)
                                               for d in range(10)])
        second = Collector()
        assert await run_until(feed_for(broker.url, client_id), second, lambda: len(set(second.readings())) >= 300)
        return second

    second = asyncio.run(main())
    assert len(set(second.readings())) == 300


def test_a_batch_not_committed_is_not_acknowledged_so_the_broker_sends_it_again(broker: Broker) -> None:
    """The wall dies between receiving and committing (the sink never returns): nothing is lost."""
    client_id = new_client_id()

    async def main() -> Collector:
        hung: list[Batch] = []

        async def never_commits(batch: Batch) -> None:
            hung.append(batch)
            await asyncio.Event().wait()

        first = feed_for(broker.url, client_id)
        task = asyncio.create_task(first.run(never_commits, None))
        assert await until(lambda: first.broker_up)
        await asyncio.to_thread(send, broker, [reading("M1", "manhole", k) for k in range(50)])
        assert await until(lambda: sum(len(b.readings) for b in hung) >= 1)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        second = Collector()
        assert await run_until(feed_for(broker.url, client_id), second, lambda: len(set(second.readings())) >= 50)
        return second

    assert len(set(asyncio.run(main()).readings())) == 50


def test_a_broker_restart_loses_nothing_it_held_and_the_health_shows_it_down_meanwhile(broker: Broker) -> None:
    client_id = new_client_id()
    feed = feed_for(broker.url, client_id)
    sink = Collector()

    async def main() -> list[FeedState]:
        states = []
        task = asyncio.create_task(feed.run(sink, None))
        assert await until(lambda: feed.broker_up)
        await asyncio.to_thread(send, broker, [reading("T1", "temperature", k, 40.0) for k in range(20)])
        assert await until(lambda: len(set(sink.readings())) == 20)
        await asyncio.to_thread(broker.stop)
        assert await until(lambda: feed.state(datetime.now(UTC)) is FeedState.DOWN, timeout=20)
        states.append(feed.state(datetime.now(UTC)))
        await asyncio.to_thread(broker.start)
        await asyncio.to_thread(send, broker, [reading("T1", "temperature", k, 40.0, now=True)
                                               for k in range(20, 40)])
        assert await until(lambda: len(set(sink.readings())) == 40, timeout=20)
        assert await until(lambda: feed.state(datetime.now(UTC)) is FeedState.LIVE)
        states.append(feed.state(datetime.now(UTC)))
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        return states

    assert asyncio.run(main()) == [FeedState.DOWN, FeedState.LIVE]
    assert len(set(sink.readings())) == 40


DEVICE = """
import sys, time
import paho.mqtt.client as mqtt
port, topic, payload = int(sys.argv[1]), sys.argv[2], sys.argv[3]
c = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="device-S7")
c.will_set(topic + "/status", "offline", qos=1)
c.connect("127.0.0.1", port)
c.loop_start()
c.publish(topic, payload, qos=1).wait_for_publish()
time.sleep(120)
"""


def test_a_devices_last_will_shows_it_offline(broker: Broker) -> None:
    feed = feed_for(broker.url, new_client_id())
    sink = Collector()

    async def main() -> None:
        task = asyncio.create_task(feed.run(sink, None))
        assert await until(lambda: feed.broker_up)
        topic = "city/sensors/smoke/S7"
        first = reading("S7", "smoke", 1, 0.5, now=True)[1]
        device = subprocess.Popen([sys.executable, "-c", DEVICE, str(broker.port), topic, first])
        try:
            assert await until(lambda: sink.sensors().get("S7") is SensorStatus.NORMAL)
        finally:
            device.kill()      # the device loses power: the broker publishes its will
            device.wait()
        assert await until(lambda: sink.sensors().get("S7") is SensorStatus.OFFLINE)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)

    asyncio.run(main())


def test_tls_on_loopback_with_credentials_from_the_environment_never_logged(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    cert, key = make_test_certificate(tmp_path)
    secret = "pw-Zq8-never-in-a-log"
    with Broker(tls=(cert, key), users={"wall": secret}) as b:
        monkeypatch.setenv("CC_MQTT_USER", "wall")
        monkeypatch.setenv("CC_MQTT_PASSWORD", secret)
        good = feed_for(b.url, new_client_id(), username_env="CC_MQTT_USER", password_env="CC_MQTT_PASSWORD",
                        ca_file=str(cert))
        sink = Collector()

        async def main() -> None:
            task = asyncio.create_task(good.run(sink, None))
            assert await until(lambda: good.broker_up)
            await asyncio.to_thread(send, b, [reading("L1", "lamp_pole", 1, 3.0)],
                                    auth={"username": "wall", "password": secret},
                                    tls={"ca_certs": str(cert)})
            assert await until(lambda: len(sink.readings()) == 1)
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

        asyncio.run(main())
        # a wrong password and an untrusted certificate are feed errors that name neither secret
        monkeypatch.setenv("CC_MQTT_PASSWORD", "wrong-" + secret)
        caplog.set_level(logging.DEBUG)
        for feed in (feed_for(b.url, new_client_id(), username_env="CC_MQTT_USER", password_env="CC_MQTT_PASSWORD",
                              ca_file=str(cert)),
                     feed_for(b.url, new_client_id(), username_env="CC_MQTT_USER", password_env="CC_MQTT_PASSWORD")):
            assert asyncio.run(run_until(feed, Collector(), lambda f=feed: f.consecutive_failures >= 2)) is True
            assert not feed.broker_up and feed.last_error
            assert secret not in feed.last_error
    assert secret not in caplog.text


def test_an_unset_password_variable_is_an_error_naming_only_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CC_MQTT_NOPE", raising=False)
    feed = feed_for("mqtt://127.0.0.1:1", new_client_id(), password_env="CC_MQTT_NOPE")
    assert asyncio.run(run_until(feed, Collector(), lambda: feed.consecutive_failures >= 1, 5))
    assert "CC_MQTT_NOPE" in feed.last_error
