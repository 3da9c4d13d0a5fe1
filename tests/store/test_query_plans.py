"""Every read of the incidents table is an index search, on SQLite's own plans (EXPLAIN QUERY PLAN).

Why: the ingest keeps as few indexes on `incidents` as the reads need (each one is rewritten by every new
incident, and those naming updated_at by every new version: migration 0005 dropped two). A read that lost its
index would scan the 10 M-incident history; this catches it on a small store."""
from __future__ import annotations

import random
from datetime import timedelta
from typing import Any
from collections.abc import Iterator

import pytest
from sqlalchemy import event

from commandcenter.domain import Status
from commandcenter.store import Store

from tests.support.store import T0, inc, territory


@pytest.fixture
def planned(tmp_path: Any) -> Iterator[tuple[Store, list[tuple[str, list[str]]]]]:
    """A SQLite store holding open, closed and drill incidents, and the plan of every SELECT on incidents its
    reads run: (statement, plan lines)."""
    store = Store.open(f"sqlite:///{tmp_path / 'plans.db'}")
    rnd = random.Random(5)
    records = []
    for k in range(400):
        status = rnd.choice([Status.REPORTED, Status.DISPATCHED, Status.CLOSED, Status.FOLLOWED_UP])
        at = T0 + timedelta(minutes=7 * k)
        records.append(inc(f"i{k}", status=status, at=at, grid=rnd.choice(["g1", "g2", "g3"]),
                           closed_at=at + timedelta(hours=1) if not status.is_open else None,
                           drill_id="d1" if k % 50 == 0 else None))
    store.apply("f", territory=territory(), incidents=records)
    plans: list[tuple[str, list[str]]] = []

    @event.listens_for(store.engine, "before_cursor_execute")
    def explain(conn: Any, _cursor: Any, statement: str, params: Any, _ctx: Any, many: bool) -> None:
        if many or not statement.lstrip().upper().startswith("SELECT") or " incidents" not in statement:
            return
        cur = conn.connection.dbapi_connection.cursor()
        try:
            rows = cur.execute("EXPLAIN QUERY PLAN " + statement, params).fetchall()
        finally:
            cur.close()
        plans.append((statement, [r[-1] for r in rows]))

    yield store, plans
    store.close()


def _scans(plans: list[tuple[str, list[str]]]) -> list[tuple[str, str]]:
    return [(sql, line) for sql, lines in plans for line in lines if line.startswith("SCAN incidents")]


def test_the_newest_incidents_are_read_from_the_open_updated_index(planned) -> None:
    store, plans = planned
    newest = store.incidents(open_only=False, limit=50, drill=None)
    open_ = store.incidents(open_only=True, limit=50, drill=None)
    assert len(newest) == 50 and len(open_) == 50
    assert plans and not _scans(plans)
    assert all(any("ix_incidents_open_updated" in line for line in lines) for _sql, lines in plans)


def test_the_incidents_updated_since_a_time_are_index_ranges(planned) -> None:
    store, plans = planned
    assert store.incidents(since=T0 + timedelta(hours=40), drill=None)
    assert store.incidents(since=T0 + timedelta(hours=1), drill=True)
    assert plans and not _scans(plans)
    assert all(any("updated_at>?" in line for line in lines) for _sql, lines in plans)


def test_the_history_and_kpi_reads_of_incidents_are_index_searches(planned) -> None:
    store, plans = planned
    assert store.state_at(T0 + timedelta(hours=20))["incidents"]
    store.kpis("", T0, T0 + timedelta(hours=30))
    store.kpis("g1", T0 + timedelta(minutes=30), T0 + timedelta(hours=30, minutes=30))
    assert store.incident("i3") is not None
    assert plans and not _scans(plans)


def test_the_merged_newest_list_is_the_newest_of_all_incidents(planned) -> None:
    """The two ranges merged give what one ORDER BY over the whole table gives, ties on updated_at by id."""
    store, _plans = planned
    store.apply("f", incidents=[inc("tie-b", at=T0 + timedelta(days=30), status=Status.CLOSED),
                                inc("tie-a", at=T0 + timedelta(days=30))])
    with store.engine.connect() as conn:
        want = [r[0] for r in conn.exec_driver_sql(
            "SELECT id FROM incidents ORDER BY updated_at DESC, id LIMIT 120")]
    assert [i.id for i in store.incidents(open_only=False, limit=120, drill=None)] == want
    assert want[:2] == ["tie-a", "tie-b"]
