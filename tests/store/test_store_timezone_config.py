"""`[store] timezone`: the calendar of the KPI days and months, validated at load and used by every command
that opens the store (opening a store in another zone than its rollups' rebuilds them, so all must agree)."""
from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from commandcenter.cli import main
from commandcenter.config import ConfigError, parse_config
from commandcenter.sim import run_in_thread
from commandcenter.domain import kpis as DK
from commandcenter.store import CalendarMismatch, Store


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


def test_a_wall_following_the_store_refuses_a_calendar_other_than_the_stores_naming_each_key(tmp_path):
    """The recorder (the first writer) leaves its calendar in the store; a follower must agree with it."""
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    recorders = DK.limits_for_hours({"dispute": 72})
    Store.open(url, tz="Asia/Shanghai", limits=recorders).close()
    with pytest.raises(CalendarMismatch) as err:
        Store.open(url, tz="Europe/Berlin", limits=DK.limits_for_hours({"fire": 4}), calendar="require")
    assert err.value.differences == [("[store] timezone", '"Europe/Berlin"', '"Asia/Shanghai"'),
                                     ("[deadlines.hours] dispute", "48", "72"),
                                     ("[deadlines.hours] fire", "4", "2")]
    message = err.value.explain("wall-2.toml")
    assert message.startswith('wall-2.toml: [store] timezone = "Europe/Berlin" here, "Asia/Shanghai" in the '
                              'store; [deadlines.hours] dispute = 48 here, 72 in the store; ')
    assert str(tmp_path / "shared.db") in message
    assert _rollup_zone(tmp_path / "shared.db") == "Asia/Shanghai dispute=259200s"   # the store was left as it was
    # the same calendar opens; so does a store no recorder has built rollups in yet (nothing to disagree with)
    Store.open(url, tz="Asia/Shanghai", limits=recorders, calendar="require").close()
    fresh = tmp_path / "fresh.db"
    Store.open(f"sqlite:///{fresh}", tz="Europe/Berlin", calendar="require").close()
    assert _rollup_zone(fresh) is None


def test_administration_leaves_the_stores_calendar_alone_and_a_writer_adopts_its_own(tmp_path):
    db = tmp_path / "shared.db"
    Store.open(f"sqlite:///{db}", tz="Europe/Berlin").close()
    Store.open(f"sqlite:///{db}", calendar="keep").close()
    assert _rollup_zone(db) == "Europe/Berlin"
    Store.open(f"sqlite:///{db}", tz="Asia/Tokyo").close()       # the recorder restarted on a new config
    assert _rollup_zone(db) == "Asia/Tokyo"
