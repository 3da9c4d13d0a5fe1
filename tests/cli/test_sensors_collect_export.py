"""City sensors end to end: the simulator's devices through mosquitto and `collect` (the real pipeline) into the
store, then `export sensors` and the device alarms in `export alerts`."""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from commandcenter.cli import main
from commandcenter.sim.broker import Broker
from commandcenter.sim.sensors import FAULT_VALUE, SensorPublisher, fleet
from commandcenter.sim.territory import generate
from commandcenter.store import Store


def test_collect_stores_the_simulated_sensors_and_exports_them_with_their_alarms(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    city = generate("street", 3)
    devices = fleet(city, 300, 3)
    faulty = devices[:6]            # these fault from the start: their readings are beyond the alarm lines
    db = f"sqlite:///{tmp_path / 'wall.db'}"
    cfg = tmp_path / "wall.toml"
    with Store.open(db) as store:      # the city's grids, as a native feed would have brought them
        store.apply("city", territory=list(city.nodes.values()))
    with Broker() as broker:
        cfg.write_text(f'[store]\nurl = "{db}"\n\n[[feeds]]\nname = "iot"\nkind = "mqtt"\nurl = "{broker.url}"\n'
                       f'client_id = "cc-test-collect"\n', encoding="utf-8")
        publisher = SensorPublisher(broker.url, devices, interval=1.0, seed=3, faults=False)
        for d in faulty:
            d.fault_until = float("inf")
        publisher.start()
        try:
            assert main(["collect", "--config", str(cfg), "--seconds", "4", "--quiet"]) == 0
        finally:
            publisher.stop()
    capsys.readouterr()
    with Store.open(db) as store:
        sensors = {s.id: s for s in store.sensors()}
    assert set(sensors) == {d.id for d in devices}
    assert {d.id for d in faulty} <= {k for k, s in sensors.items() if s.status.value == "alarm"}

    assert main(["export", "sensors", "--config", str(cfg), "--format", "csv"]) == 0
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(capsys.readouterr().out))}
    assert set(rows) == set(sensors)
    one = rows[faulty[0].id]
    assert one["type"] == faulty[0].type.value and float(one["lon"]) == faulty[0].lon and one["status"] == "alarm"
    assert float(one["value"]) >= FAULT_VALUE[faulty[0].type] and one["unit"]
    assert one["grid_id"] and f"-{one['grid_id']}-" in one["id"]      # linked to the grid it stands in

    assert main(["export", "alerts", "--config", str(cfg)]) == 0
    alerts = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    alarms = [a for a in alerts if a["signal"] == "alarm" and a["type"] == "iot"]
    assert {a["references"][0] for a in alarms} >= {d.id for d in faulty}
