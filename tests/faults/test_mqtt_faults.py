"""City sensors under faults: a recorder (`commandcenter collect`) or the wall itself (`commandcenter run`, offscreen)
killed with kill -9 mid-stream and restarted, and the broker restarted mid-stream, lose no reading the broker held,
and store none twice."""
from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta, UTC
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest

from commandcenter.sim.broker import Broker

from tests.support.fixtures import holds_within

ROOT = Path(__file__).resolve().parents[2]
DEVICES = 200


def readings(path: Path) -> int:
    if not path.exists():
        return 0
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return int(db.execute("SELECT count(*) FROM sensor_readings").fetchone()[0])
    except sqlite3.OperationalError:
        return 0
    finally:
        db.close()


class Stream:
    """`total` readings, DEVICES devices in turn, each with its own time (so every one is a distinct row),
    published QoS 1 at `rate` a second from a thread; paho keeps what it could not send yet and resends it."""

    def __init__(self, broker: Broker, total: int, rate: float) -> None:
        self.broker, self.total, self.rate = broker, total, rate
        self.sent = 0
        self.infos: list[mqtt.MQTTMessageInfo] = []
        self.acked: set[int] = set()            # message ids the broker acknowledged (PUBACK)
        self.t0 = datetime.now(UTC) - timedelta(minutes=1)
        self.client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="fault-stream", clean_session=False)
        self.client.max_inflight_messages_set(1000)
        self.client.max_queued_messages_set(0)
        self.client.on_publish = lambda _c, _u, mid, _rc, _p: self.acked.add(mid)
        self.client.connect("127.0.0.1", broker.port)
        self.client.loop_start()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        start = time.monotonic()
        for k in range(self.total):
            delay = start + k / self.rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            at = (self.t0 + timedelta(milliseconds=k)).isoformat().replace("+00:00", "Z")
            self.infos.append(self.client.publish(f"city/sensors/gas/GS{k % DEVICES:04d}",
                                                  json.dumps({"at": at, "value": 0.5}), qos=1))
            self.sent += 1

    def start(self) -> Stream:
        self.thread.start()
        return self

    def finish(self) -> None:
        """Once the broker acknowledged every message (paho resends what a broker restart cut off after it
        reconnects): only then does the broker hold all of them."""
        self.thread.join()
        mids = {info.mid for info in self.infos}
        assert holds_within(lambda: mids <= self.acked, 60), f"the broker acknowledged {len(mids & self.acked)} of {len(mids)}"
        self.client.loop_stop()
        self.client.disconnect()


def subscribed(broker: Broker, db: Path, timeout: float = 30) -> bool:
    """Once one probe reading (the same one, resent until it is stored) is in the store, the recorder's session
    is subscribed: from then on the broker holds whatever it misses."""
    probe = json.dumps({"at": datetime.now(UTC).isoformat().replace("+00:00", "Z"), "value": 0.1})
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="fault-probe")
    client.connect("127.0.0.1", broker.port)
    client.loop_start()
    try:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            client.publish("city/sensors/gas/PROBE", probe, qos=1)
            if holds_within(lambda: readings(db) >= 1, 0.5):
                return True
        return False
    finally:
        client.loop_stop()
        client.disconnect()


#: the processes that hold an mqtt feed: the headless recorder, and the wall (its windows offscreen)
COMMANDS = {"collect": ["collect", "--quiet"], "wall": ["run", "--windowed"]}


def recorder(cfg: Path, kind: str = "collect") -> subprocess.Popen[bytes]:
    env = dict(os.environ, PYTHONPATH=str(ROOT), QT_QPA_PLATFORM="offscreen")
    return subprocess.Popen([sys.executable, "-m", "commandcenter", *COMMANDS[kind], "--config", str(cfg)],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def config(tmp_path: Path, broker: Broker) -> tuple[Path, Path]:
    db = tmp_path / "rec.db"
    cfg = tmp_path / "rec.toml"
    cfg.write_text(f'[store]\nurl = "sqlite:///{db}"\n\n[[feeds]]\nname = "iot"\nkind = "mqtt"\n'
                   f'url = "{broker.url}"\nclient_id = "fault-recorder"\n', encoding="utf-8")
    return cfg, db


@pytest.mark.parametrize("kind", ["collect", "wall"])
def test_kill9_mid_stream_then_a_restart_loses_nothing(tmp_path: Path, kind: str) -> None:
    total = 6000
    with Broker() as broker:
        cfg, db = config(tmp_path, broker)
        rec = recorder(cfg, kind)
        try:
            assert subscribed(broker, db)
            stream = Stream(broker, total, rate=1000).start()
            assert holds_within(lambda: readings(db) >= 1500, 30), readings(db)
            rec.send_signal(signal.SIGKILL)
            rec.wait()
            killed_at = readings(db)
            time.sleep(1.0)                                 # away for a while: the broker holds what comes
            rec = recorder(cfg, kind)
            stream.finish()
            assert holds_within(lambda: readings(db) >= total + 1, 60), (killed_at, readings(db))
            time.sleep(0.5)
            assert readings(db) == total + 1
        finally:
            rec.send_signal(signal.SIGTERM)
            rec.wait(30)


def test_a_broker_restart_mid_stream_loses_nothing_it_held(tmp_path: Path) -> None:
    total = 5000
    with Broker() as broker:
        cfg, db = config(tmp_path, broker)
        rec = recorder(cfg)
        try:
            assert subscribed(broker, db)
            stream = Stream(broker, total, rate=1000).start()
            assert holds_within(lambda: readings(db) >= 1500, 30), readings(db)
            broker.restart()                                # SIGTERM: mosquitto saves sessions and queues
            stream.finish()
            assert holds_within(lambda: readings(db) >= total + 1, 60), readings(db)
            time.sleep(0.5)
            assert readings(db) == total + 1
        finally:
            rec.send_signal(signal.SIGTERM)
            rec.wait(30)
