"""`run` and `demo` give the wall a recorder child only when the wall follows the store on one machine (SQLite,
`[store] follow = true`); a wall that does not follow ingests in its own process; on PostgreSQL the recorder is a
service of its own."""
from __future__ import annotations

import sys

from commandcenter.cli import common
from commandcenter.config import parse_config
from commandcenter.services.recorder_child import RECORDER_COMMAND


def test_a_wall_that_does_not_follow_ingests_in_its_own_process(tmp_path):
    config = parse_config("")
    assert not common.wall_follows_store(config)
    assert common.wall_recorder(config, f"sqlite:///{tmp_path / 'w.db'}", tmp_path / "wall.toml") is None


def test_a_following_wall_on_sqlite_gets_a_recorder_child_and_on_postgresql_none(tmp_path):
    config = parse_config("[store]\nfollow = true\n")
    assert common.wall_follows_store(config)
    store = f"sqlite:///{tmp_path / 'w.db'}"
    recorder = common.wall_recorder(config, store, tmp_path / "wall.toml")
    assert recorder is not None
    assert recorder.argv == [sys.executable, "-m", "commandcenter", RECORDER_COMMAND,
                             "--config", str(tmp_path / "wall.toml"), "--store", store]
    assert common.wall_recorder(config, "postgresql+psycopg://u@db/cc", tmp_path / "wall.toml") is None
