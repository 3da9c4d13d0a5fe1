"""`[store] timezone`: the calendar of the KPI days and months, validated at load and used by every command
that opens the store (opening a store in another zone than its rollups' rebuilds them, so all must agree)."""
from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from commandcenter.cli import main
from commandcenter.config import ConfigError, parse_config
from commandcenter.sim import run_in_thread
from commandcenter.store import Store


def _rollup_zone(db: Path) -> str | None:
    """The zone the store's rollups were last built in (as the store records it)."""
    with sqlite3.connect(db) as conn:
        row = conn.execute("SELECT value FROM store_settings WHERE key = 'rollup_tz'").fetchone()
    return row[0] if row else None


def _config(tmp_path: Path, zone: str, feed_url: str = "") -> tuple[Path, Path]:
    db = tmp_path / "wall.db"
    text = f'[store]\nurl = "sqlite:///{db}"\ntimezone = "{zone}"\n'
    if feed_url:
        text += f'\n[[feeds]]\nname = "city"\nkind = "native"\nurl = "{feed_url}"\nmode = "poll"\ninterval = 0.2\n'
    cfg = tmp_path / "wall.toml"
    cfg.write_text(text, encoding="utf-8")
    return cfg, db


def test_the_kpi_time_zone_defaults_to_asia_shanghai():
    assert parse_config("").store.timezone == "Asia/Shanghai"


def test_a_whole_hour_zone_with_daylight_saving_is_accepted():
    assert parse_config('[store]\ntimezone = "Europe/Berlin"\n').store.timezone == "Europe/Berlin"


def test_an_unknown_zone_names_the_file_the_key_and_what_was_expected():
    with pytest.raises(ConfigError) as err:
        parse_config('[store]\ntimezone = "Asia/Beijing"\n', "wall.toml")
    assert str(err.value) == ("wall.toml: store.timezone: expected an IANA time zone name such as Asia/Shanghai "
                              "(no such zone) (got 'Asia/Beijing')")


def test_a_zone_with_a_half_hour_offset_is_refused_with_its_offset():
    with pytest.raises(ConfigError) as err:
        parse_config('[store]\ntimezone = "Asia/Kolkata"\n', "wall.toml")
    message = str(err.value)
    assert message.startswith("wall.toml: store.timezone: expected a time zone whose UTC offset is a whole number "
                              "of hours")
    assert "UTC+05:30" in message and "(got 'Asia/Kolkata')" in message


def test_a_zone_that_is_not_a_string_is_refused():
    with pytest.raises(ConfigError, match=r"store\.timezone: Input should be a valid string"):
        parse_config("[store]\ntimezone = 8\n")


def test_collect_builds_the_kpi_rollups_in_the_configured_zone(tmp_path):
    with run_in_thread(profile="street", seed=5, speed=30.0, history_hours=1.0) as sim:
        cfg, db = _config(tmp_path, "Europe/Berlin", sim.url)
        assert main(["collect", "--config", str(cfg), "--seconds", "1.5", "--quiet"]) == 0
    assert _rollup_zone(db) == "Europe/Berlin"
    with Store.open(f"sqlite:///{db}", tz="Europe/Berlin") as store:
        assert store.counts()["incidents"] > 0 and store.counts()["kpi_rollup"] > 0


@pytest.mark.parametrize("argv", [["export", "incidents"], ["report", "--list"], ["drill", "list"]],
                         ids=["export", "report", "drill"])
def test_commands_reading_the_store_open_it_in_the_configured_zone(tmp_path, capsys, argv):
    cfg, db = _config(tmp_path, "America/New_York")
    Store.open(f"sqlite:///{db}", tz="America/New_York").close()
    assert _rollup_zone(db) == "America/New_York"
    assert main([*argv, "--config", str(cfg)]) == 0
    # opened in the default zone instead, the store would have rebuilt its rollups as Asia/Shanghai days
    assert _rollup_zone(db) == "America/New_York"
