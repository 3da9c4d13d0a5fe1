"""The mqtt feed's and the sensors' config: the example loads; a bad value names the file, the key and what was
expected."""
from __future__ import annotations

from pathlib import Path

import pytest

from commandcenter.config import ConfigError, load_config

ROOT = Path(__file__).resolve().parents[2]


def test_the_sensors_example_loads_with_its_rules() -> None:
    config = load_config(str(ROOT / "commandcenter" / "config" / "examples" / "sensors.toml"))
    mqtt = next(f for f in config.feeds if f.kind == "mqtt")
    assert mqtt.url.startswith("mqtts://") and mqtt.password_env == "CC_MQTT_PASSWORD"
    assert config.sensors.rules["water_level"].levels[0] == (0.1, 1)
    from commandcenter.domain.sensors import SensorType
    from commandcenter.feeds.mqtt import rules_from_config

    assert rules_from_config(config.sensors)[SensorType.WATER_LEVEL].incident_level == 3


@pytest.mark.parametrize("text, expected", [
    ('[[feeds]]\nname = "s"\nkind = "mqtt"\nurl = "http://x"\n', "feeds[0]: url: expected mqtt://HOST:PORT"),
    ('[[feeds]]\nname = "s"\nkind = "native"\nurl = "mqtt://x:1"\n', "feeds[0]: url: expected mqtt://HOST:PORT"),
    ('[[feeds]]\nname = "s"\nkind = "mqtt"\nurl = "mqtt://x:1"\ntopics = ["a/#/b"]\n', "feeds[0].topics: [0]"),
    ('[sensors.rules.radar]\nlevels = [[1, 1]]\nhysteresis = 0\n', "sensors.rules: no sensor type radar"),
    ('[sensors.rules.gas]\nlevels = [[1, 5]]\nhysteresis = 0\n', "expected levels 1"),
    ('[sensors]\noffline_after = -1\n', "sensors.offline_after"),
])
def test_a_bad_value_names_the_file_the_key_and_the_expectation(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "wall.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_config(str(path))
    assert str(path) in str(err.value) and expected in str(err.value)
