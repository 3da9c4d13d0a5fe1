"""Migrations: run on open, match the schema, refuse a database newer than the code."""
from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text

from commandcenter.store import Store, StoreError
from commandcenter.store.migrate import current_revision, head_revision
from commandcenter.store.schema import Base


def test_open_migrates_to_head_and_matches_the_models(store_url: str) -> None:
    store = Store.open(store_url)
    try:
        assert current_revision(store.engine) == head_revision() != ""
        with store.engine.connect() as conn:
            diffs = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        assert diffs == []
    finally:
        store.close()
    Store.open(store_url).close()      # opening again is a no-op


def test_a_newer_database_is_refused_with_a_clear_message(store_url: str) -> None:
    store = Store.open(store_url)
    with store.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_from_the_future'"))
    store.close()
    with pytest.raises(StoreError, match="newer than this commandcenter"):
        Store.open(store_url)


def test_bad_urls() -> None:
    with pytest.raises(StoreError, match="unsupported store URL"):
        Store.open("mysql://x")
    with pytest.raises(StoreError, match="in-memory"):
        Store.open("sqlite://")


def test_the_quick_head_read_from_the_migration_files_is_alembics_head():
    from commandcenter.store.migrate import quick_head

    assert quick_head() == head_revision()


def test_opening_a_store_already_at_head_does_not_import_alembic(tmp_path) -> None:
    import subprocess
    import sys

    url = f"sqlite:///{tmp_path / 'wall.db'}"
    Store.open(url).close()
    probe = ("import sys; from commandcenter.store import Store; Store.open(sys.argv[1]).close(); "
             "print('alembic' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", probe, url], capture_output=True, text=True, timeout=120, check=True)
    assert out.stdout.strip() == "False"


def test_processes_opening_one_new_store_at_once_all_succeed(store_url: str) -> None:
    """A wall and `collect` started together on a new store: one migrates, the others wait and find the head
    (on SQLite the migration raced table by table: 'table alerts already exists')."""
    import subprocess
    import sys

    probe = "import sys; from commandcenter.store import Store; Store.open(sys.argv[1]).close()"
    procs = [subprocess.Popen([sys.executable, "-c", probe, store_url], stderr=subprocess.PIPE, text=True)
             for _ in range(4)]
    errors = [p.communicate(timeout=120)[1] for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0, 0], errors
    store = Store.open(store_url)
    try:
        assert current_revision(store.engine) == head_revision()
    finally:
        store.close()


def test_a_migration_says_in_the_log_what_it_migrates(tmp_path, caplog) -> None:
    """A big store's migration takes minutes on start: the log says so before it begins, not after."""
    import logging

    from alembic import command

    from commandcenter.store.migrate import alembic_config
    from commandcenter.store.engine import make_engine

    url = f"sqlite:///{tmp_path / 'old.db'}"
    Store.open(url).close()
    engine = make_engine(url)
    command.downgrade(alembic_config(engine), "0004")
    engine.dispose()
    with caplog.at_level(logging.WARNING, logger="commandcenter.store.migrate"):
        Store.open(url).close()
    assert [r.getMessage().split(": ", 1)[1] for r in caplog.records] == [
        f"migrating schema 0004 → {head_revision()} (minutes on a store of millions of incidents)"]


def test_0007_fills_the_kpi_columns_from_the_stored_records_and_rebuilds_the_rollups(store_url: str) -> None:
    """A store of revision 0006_iso (no source, dispatched_at, departments_n, no clock sums) reads the same KPIs after
    the migration as a store written by this code."""
    import importlib
    from datetime import timedelta

    from commandcenter.domain import Source, Status

    from tests.support.store import T0, inc, territory, undo_migrations_after_0007

    m = timedelta(minutes=1)
    incidents = [inc(f"p{k}", at=T0 + k * m, source=Source.POLICE_110, status=Status.CLOSED,
                     accepted_at=T0 + (k + 3) * m, dispatched_at=T0 + (k + 4) * m, arrived_at=T0 + (k + 10) * m,
                     closed_at=T0 + (k + 60) * m, departments=("市水务局",) if k % 2 else ())
                 for k in range(230)]   # enough calls for a mean acceptance time (domain.kpis min_sample)
    window = (T0 - timedelta(hours=1), T0 + timedelta(days=3))
    with Store.open(store_url) as store:
        store.apply("f", territory=territory(), incidents=incidents)
        want = {k: (v.value, v.detail) for k, v in store.kpis("c", *window).items()}
        assert want["avg_acceptance_time"][0] == 3.0 and want["whistle"][0] == 115
        mig = importlib.import_module("commandcenter.store.migrations.versions.0007_kpi_clocks")
        with store.engine.begin() as c:
            for col in mig.COUNTS + mig.SECONDS:
                c.execute(text(f"ALTER TABLE kpi_rollup DROP COLUMN {col}"))
            for col in ("departments_n", "dispatched_at", "source"):
                c.execute(text(f"ALTER TABLE incidents DROP COLUMN {col}"))
            undo_migrations_after_0007(c)
            c.execute(text("UPDATE alembic_version SET version_num = '0006_iso'"))
    with Store.open(store_url) as store:
        assert current_revision(store.engine) == head_revision()
        assert {k: (v.value, v.detail) for k, v in store.kpis("c", *window).items()} == want
