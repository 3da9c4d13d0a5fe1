"""`run` and `demo` on one machine: with a SQLite store the wall follows the store and its own recorder child runs
the feeds unless the config says `[store] follow = false`; on PostgreSQL a wall follows only when told to, and the
recorder is a service of its own (no child). A config without record feeds always follows and records nothing."""
from __future__ import annotations

import sys

from commandcenter.cli import common
from commandcenter.config import load_config, parse_config
from commandcenter.services.recorder_child import RECORDER_COMMAND

PG = "postgresql+psycopg://u@db/cc"
FEED = '[[feeds]]\nname = "city"\nurl = "http://127.0.0.1:9/api/v1"\n'


def test_by_default_a_wall_on_sqlite_follows_the_store_and_gets_a_recorder_child(tmp_path):
    config = parse_config(FEED)
    store = f"sqlite:///{tmp_path / 'w.db'}"
    assert config.store.follow is None
    wall_config, recorder = common.wall_setup(config, store, tmp_path / "wall.toml")
    assert wall_config.store.follow is True
    assert recorder is not None
    assert recorder.argv == [sys.executable, "-m", "commandcenter", RECORDER_COMMAND,
                             "--config", str(tmp_path / "wall.toml"), "--store", store]


def test_follow_false_keeps_the_in_process_pipeline_on_sqlite(tmp_path):
    config = parse_config("[store]\nfollow = false\n" + FEED)
    wall_config, recorder = common.wall_setup(config, f"sqlite:///{tmp_path / 'w.db'}", tmp_path / "wall.toml")
    assert wall_config.store.follow is False
    assert recorder is None


def test_on_postgresql_a_wall_follows_only_when_told_and_never_starts_a_recorder(tmp_path):
    unset, _ = common.wall_setup(parse_config(FEED), PG, tmp_path / "wall.toml")
    assert unset.store.follow is False
    told, recorder = common.wall_setup(parse_config("[store]\nfollow = true\n" + FEED), PG, tmp_path / "wall.toml")
    assert told.store.follow is True
    assert recorder is None


def test_a_config_without_record_feeds_follows_and_has_nothing_to_record(tmp_path):
    wall_config, recorder = common.wall_setup(parse_config(""), f"sqlite:///{tmp_path / 'w.db'}", tmp_path / "w.toml")
    assert wall_config.store.follow is True
    assert recorder is None


def test_an_in_memory_sqlite_store_cannot_be_shared_with_a_child_so_the_wall_ingests_itself(tmp_path):
    wall_config, recorder = common.wall_setup(parse_config(FEED), "sqlite://", tmp_path / "wall.toml")
    assert wall_config.store.follow is False
    assert recorder is None


def test_the_demos_recorder_records_exactly_the_config_its_wall_shows(tmp_path):
    config = parse_config(FEED + '[[feeds]]\nname = "sensors"\nkind = "mqtt"\nurl = "mqtt://127.0.0.1:1883"\n'
                          'client_id = "demo-1"\n')
    store = f"sqlite:///{tmp_path / 'demo.db'}"
    with common.demo_recorder_config(config, store) as path:
        recorded = load_config(path)
        assert recorded.feeds == config.feeds
        assert recorded.map == config.map
        assert recorded.store.url == store
        _, recorder = common.wall_setup(config, store, path)
        assert recorder is not None and recorder.argv[-4:] == ["--config", str(path), "--store", store]
    assert not path.exists()                # removed with the demo
