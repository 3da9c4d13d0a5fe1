"""The wall's own recorder runs as a child process (services/recorder_child.py): it starts and writes the
simulator's records to the store, a crash is restarted and shown, and it never outlives the wall — not when the
wall is killed with kill -9, and not when the wall stops on SIGTERM (then it stops cleanly, its batch committed)."""
from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from commandcenter.services.recorder_child import (
    RECORDER_COMMAND, RecorderState, RecorderStatus, RecorderSupervisor, recorder_argv,
)
from tests.support.fixtures import holds_within
from tests.support.recorder_child import gone, incidents_in, sim_feed_config

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def recorder_config(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    with sim_feed_config(tmp_path) as paths:
        yield paths


def test_the_child_runs_this_interpreter_on_the_walls_config_and_store():
    assert recorder_argv("/etc/wall.toml", "sqlite:////var/w.db", python="/py") == [
        "/py", "-m", "commandcenter", RECORDER_COMMAND, "--config", "/etc/wall.toml", "--store", "sqlite:////var/w.db"]


def test_the_recorder_writes_to_the_store_and_a_crash_is_restarted_and_shown(recorder_config, eventually):
    config_path, store_url = recorder_config
    supervisor = RecorderSupervisor(recorder_argv(config_path, store_url), first_pause_s=0.2)
    seen: list[RecorderStatus] = []
    supervisor.on_status(seen.append)

    async def scenario() -> None:
        await supervisor.start()
        try:
            first = supervisor.pid
            assert first is not None and supervisor.status.state is RecorderState.RUNNING
            assert await eventually(lambda: incidents_in(store_url) > 0, timeout=60)

            os.kill(first, signal.SIGKILL)
            assert await eventually(lambda: supervisor.status.restarts == 1
                                    and supervisor.status.state is RecorderState.RUNNING, timeout=20)
            assert supervisor.pid not in (None, first)
            assert supervisor.status.last_exit_code == -signal.SIGKILL
            assert [s.state for s in seen if s.state is RecorderState.RESTARTING] == [RecorderState.RESTARTING]
            before = incidents_in(store_url)
            assert await eventually(lambda: incidents_in(store_url) > before, timeout=60)   # the new one writes
        finally:
            code = await supervisor.stop()
        assert code == 0                                     # SIGTERM: a clean stop
        assert supervisor.status.state is RecorderState.STOPPED and supervisor.pid is None

    asyncio.run(scenario())


def test_a_recorder_that_refuses_its_config_is_failed_not_restarted(tmp_path, eventually):
    bad = tmp_path / "bad.toml"
    bad.write_text("[wall]\nkeep_ended_minutes = 0\n", encoding="utf-8")
    supervisor = RecorderSupervisor(recorder_argv(bad, f"sqlite:///{tmp_path / 'w.db'}"), first_pause_s=0.1)

    async def scenario() -> None:
        await supervisor.start()
        assert await eventually(lambda: supervisor.status.state is RecorderState.FAILED, timeout=30)
        await asyncio.sleep(0.5)
        assert supervisor.status.restarts == 0 and supervisor.status.last_exit_code == 2
        assert "refused its config or store" in supervisor.status.reason
        await supervisor.stop()

    asyncio.run(scenario())


def _wall_with_recorder(config_path: Path, store_url: str) -> tuple[subprocess.Popen[str], int]:
    """A real wall process with its recorder child; returns once the recorder runs, with the child's pid."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
    wall = subprocess.Popen([sys.executable, "-m", "tests.support.recorder_wall", str(config_path), store_url],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert wall.stdout is not None
    for line in wall.stdout:
        if line.startswith("recorder running "):
            return wall, int(line.split()[2])
    wall.kill()
    raise AssertionError(f"the wall ended before its recorder ran: {wall.communicate(timeout=10)[1][-2000:]}")


def test_the_recorder_exits_when_the_wall_is_killed(recorder_config):
    config_path, store_url = recorder_config
    wall, child = _wall_with_recorder(config_path, store_url)
    try:
        assert holds_within(lambda: incidents_in(store_url) > 0, timeout=60)
        wall.send_signal(signal.SIGKILL)
        wall.wait(timeout=10)
        assert holds_within(lambda: gone(child), timeout=5), "the recorder outlived its wall"
        err = wall.communicate(timeout=10)[1]       # the child wrote to the wall's stderr until it ended
        assert "parent gone: stopping" in err and "record: stopped (SIGTERM)" in err
    finally:
        if not gone(child):
            os.kill(child, signal.SIGKILL)


def test_sigterm_of_the_wall_stops_its_recorder_cleanly(recorder_config):
    config_path, store_url = recorder_config
    wall, child = _wall_with_recorder(config_path, store_url)
    try:
        assert holds_within(lambda: incidents_in(store_url) > 0, timeout=60)
        wall.send_signal(signal.SIGTERM)
        out, err = wall.communicate(timeout=60)
        assert wall.returncode == 0, err[-2000:]
        assert "recorder stopped None 0" in out              # the child's exit status: 0, a clean stop
        assert "record: stopped (SIGTERM)" in err
        assert gone(child)
    finally:
        if not gone(child):
            os.kill(child, signal.SIGKILL)
