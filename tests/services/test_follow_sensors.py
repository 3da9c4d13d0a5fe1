"""A wall that follows the store shows the city's sensors as a wall that ingests them itself: every device with its
last reading, its status (alarm, offline) and its device alarms, through the recorder's commits (issue 20's default
on one machine, issue 22's sensors). The devices publish through a real mosquitto on loopback."""
from __future__ import annotations

import asyncio
from pathlib import Path

import paho.mqtt.publish as mqtt_publish

from commandcenter.config import config_from_dict
from commandcenter.domain import AlertType
from commandcenter.domain.sensors import SensorStatus
from commandcenter.services import IngestPipeline, LiveState
from commandcenter.services.follower import StoreFollower
from commandcenter.services.live_commits import LiveCommits
from commandcenter.sim.broker import Broker
from commandcenter.sim.sensors import SensorPublisher, fleet
from commandcenter.sim.territory import generate
from commandcenter.store import Store
from tests.support.fixtures import eventually_holds as eventually


def sensors_seen(live: LiveState) -> dict[str, tuple[object, ...]]:
    """What a wall shows of each device: status, last reading and its time, alarm level."""
    return {s.id: (s.status, s.value, s.reading_at, s.level) for s in live.sensors.values()}


def device_alarms(live: LiveState) -> dict[str, tuple[object, ...]]:
    return {a.id: (a.version, a.status, a.level, a.references) for a in live.alerts.values()
            if a.type is AlertType.IOT}


def test_a_following_wall_shows_readings_device_status_and_device_alarms_as_an_ingesting_one(tmp_path: Path) -> None:
    city = generate("street", 3)
    devices = fleet(city, 120, 3)
    faulty, silenced = devices[:4], devices[4:6]
    for d in faulty:
        d.fault_until = float("inf")        # beyond the alarm lines from the start: device alarms
    url = f"sqlite:///{tmp_path / 'wall.db'}"
    with Store.open(url) as store:           # the city's grids, as a native feed would have brought them
        store.apply("city", territory=list(city.nodes.values()))

    async def scenario(broker: Broker) -> None:
        config = config_from_dict({"feeds": [{"name": "iot", "kind": "mqtt", "url": broker.url,
                                              "client_id": "cc-test-follow-sensors"}]})
        ingesting = IngestPipeline(config, Store.open(url), runtime=None)    # the recorder, and a wall of its own
        follower_store = Store.open(url)
        following = LiveCommits()
        follower = StoreFollower(follower_store, following)
        await follower.start(after=0)
        await ingesting.start()
        publisher = SensorPublisher(broker.url, devices, interval=1.0, seed=3, faults=False).start()
        recorded = ingesting.commits.live
        try:
            assert await eventually(lambda: len(recorded.sensors) == len(devices), timeout=30)
            for d in silenced:               # they stop reporting and say so (their last will's topic)
                d.silent_until = float("inf")
                mqtt_publish.single(publisher.topic(d) + "/status", b"offline", qos=1,
                                    hostname=publisher.host, port=publisher.port)
            assert await eventually(lambda: all(recorded.sensors[d.id].status is SensorStatus.OFFLINE
                                                for d in silenced), timeout=30)
            publisher.stop()
            publisher = None
            assert await eventually(lambda: sensors_seen(following.live) == sensors_seen(recorded), timeout=30)
            assert await eventually(lambda: device_alarms(following.live) == device_alarms(recorded), timeout=30)
        finally:
            if publisher is not None:
                publisher.stop()
            await ingesting.close()
            ingesting.store.close()
            await follower.stop()
            follower_store.close()
        shown = following.live
        assert {d.id for d in faulty} <= {k for k, s in shown.sensors.items() if s.status is SensorStatus.ALARM}
        assert {shown.sensors[d.id].status for d in silenced} == {SensorStatus.OFFLINE}
        assert all(shown.sensors[d.id].value is not None for d in devices)
        assert {a[3][0] for a in device_alarms(shown).values()} >= {d.id for d in faulty}

    with Broker() as broker:
        asyncio.run(scenario(broker))
