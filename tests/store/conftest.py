"""Store fixtures: every `store` test runs on SQLite and, when COMMANDCENTER_TEST_PG_URL is set, on PostgreSQL."""
from __future__ import annotations

import os
import sys
import uuid
from typing import Any
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text

from commandcenter.store import Store

sys.path.insert(0, os.path.dirname(__file__))   # importlib mode: tests import storehelp from here

PG_URL = os.environ.get("COMMANDCENTER_TEST_PG_URL", "")


def _pg_schema_url() -> Iterator[str]:
    """A fresh PostgreSQL schema per test (search_path via libpq options), dropped afterwards."""
    schema = "t_" + uuid.uuid4().hex[:12]
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f"CREATE SCHEMA {schema}"))
    sep = "&" if "?" in PG_URL else "?"
    try:
        yield f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.connect() as c:
            c.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.db'}"
        return
    if not PG_URL:
        pytest.skip("COMMANDCENTER_TEST_PG_URL is not set (run scripts/pg-test-server and export the URL it prints)")
    yield from _pg_schema_url()


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    s = Store.open(store_url)
    yield s
    s.close()


@pytest.fixture
def other_store_url(store_url: str, tmp_path: Any) -> Iterator[str]:
    """A second, empty database on the same engine as `store_url` (to compare two ways of filling a store)."""
    if store_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'other.db'}"
        return
    yield from _pg_schema_url()
