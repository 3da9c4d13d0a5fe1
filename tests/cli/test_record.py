"""`commandcenter record`: the feeds → the store as a service that reports its feeds' health in the store and
ends cleanly on SIGTERM and SIGINT (the batch in flight committed or not started, cursors stored, exit 0)."""
from __future__ import annotations

import json
import signal
import socket

import pytest
from sqlalchemy import text

from commandcenter.cli import main
from commandcenter.domain import FeedState
from commandcenter.domain.recorder import RecorderRole
from commandcenter.sim import run_in_thread
from commandcenter.store import Store
from commandcenter.store.recorder_lock import APPLICATION_NAME, recorder_lock
from tests.support.fixtures import holds_within
from tests.support.store import PG_URL, pg_schema_url
from tests.support.recorders import logged_versions, record_config, role_of, start_recorder, stop


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_record_reports_its_feeds_in_the_store_and_stops_cleanly_on_a_signal(tmp_path, store_url, sig) -> None:
    Store.open(store_url).close()
    with run_in_thread(profile="street", seed=6, speed=30.0, history_hours=1.0) as sim:
        cfg = record_config(tmp_path, sim.url, store_url)
        store = Store.open(store_url)
        proc = start_recorder(cfg)
        try:
            assert holds_within(lambda: role_of(store, proc.pid) is RecorderRole.ACTIVE
                            and store.cursor("city") is not None, 60), stop(proc)
            # live, and its first records counted (a commit lands up to the push feed's linger after the contact)
            assert holds_within(lambda: [(f.health.state, f.health.received > 0) for f in store.feed_status()]
                                == [(FeedState.LIVE, True)], 30)
            status = store.feed_status()[0]
            assert status.pid == proc.pid and status.health.received > 0 and status.health.last_ok_at is not None
            proc.send_signal(sig)
            _, err = proc.communicate(timeout=30)
        finally:
            stop(proc)
        assert proc.returncode == 0, err
        assert signal.Signals(sig).name in err and "batches committed" in err
        assert role_of(store, proc.pid) is RecorderRole.STOPPED
        lock = recorder_lock(store.engine)            # released: the next recorder takes it at once
        assert lock.try_acquire()
        lock.release()
        # the cursor it stored is where the next run resumes: afterwards each record version is logged once
        seq = json.loads(store.cursor("city") or "{}")["seq"]
        assert main(["record", "--config", str(cfg), "--seconds", "2", "--quiet"]) == 0
        assert json.loads(store.cursor("city") or "{}")["seq"] >= seq
        assert all(n == 1 for n in logged_versions(store_url).values())
        store.close()


def test_record_without_feeds_is_refused(tmp_path, capsys) -> None:
    cfg = tmp_path / "empty.toml"
    cfg.write_text(f'[store]\nurl = "sqlite:///{tmp_path / "s.db"}"\n', encoding="utf-8")
    assert main(["record", "--config", str(cfg)]) == 2
    assert "no [[feeds]]" in capsys.readouterr().err


@pytest.mark.postgres
def test_a_recorders_postgresql_sessions_carry_its_command_and_pid_in_pg_stat_activity(tmp_path) -> None:
    if not PG_URL:
        pytest.skip("COMMANDCENTER_TEST_PG_URL is not set (run scripts/pg-test-server and export the URL it prints)")
    for store_url in pg_schema_url():
        Store.open(store_url).close()
        with run_in_thread(profile="street", seed=6, speed=30.0, history_hours=1.0) as sim:
            store = Store.open(store_url)
            proc = start_recorder(record_config(tmp_path, sim.url, store_url))
            try:
                assert holds_within(lambda: role_of(store, proc.pid) is RecorderRole.ACTIVE, 60), stop(proc)
                with store.engine.connect() as c:
                    names = {r[0] for r in c.execute(text(
                        "SELECT application_name FROM pg_stat_activity WHERE application_name LIKE :suffix"),
                        {"suffix": f"% {socket.gethostname()}:{proc.pid}"})}
            finally:
                stop(proc)
                store.close()
        # its store's sessions by command, its lock's session by what it holds
        assert names == {f"commandcenter-record {socket.gethostname()}:{proc.pid}",
                         f"{APPLICATION_NAME} {socket.gethostname()}:{proc.pid}"}
