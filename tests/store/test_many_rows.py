"""SQLite INSERTs of many rows go `SQLITE_ROWS_PER_STATEMENT` rows a statement and the rest one at a time: the
database ends exactly as with one row a statement, and the record log keeps the batch's order."""
from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, event

from commandcenter.domain import Category, Status
from commandcenter.store import Store, dialect
from commandcenter.store.dialect import SQLITE_MAX_PARAMS, Dialect

from tests.support.store import T0, alert, inc, res, territory

TABLES = {"incidents": "id", "incident_status": "incident_id, seq", "record_log": "id", "kpi_rollup": "1, 2, 3, 4",
          "kpi_grid_month": "1, 2, 3, 4", "resources": "id", "resource_status": "id", "alerts": "id",
          "alert_updates": "id"}


def batches() -> list[dict[str, list]]:
    """Two batches over more rows than three statements' worth: new incidents, then new versions of half of them
    (their rollup rows added to those stored) beside new ones; resources and alerts, upserted and appended."""
    grids, cats = ["g1", "g2", "g3", "gx"], list(Category)
    first = [inc(f"i{k}", at=T0 + timedelta(minutes=k), grid=grids[k % 4], category=cats[k % len(cats)],
                 emergency=k % 7 == 0) for k in range(2 * 256 + 7)]
    second = [inc(f"i{k}", 2, at=T0 + timedelta(minutes=k), status=Status.ACCEPTED, grid=grids[k % 4],
                  category=cats[k % len(cats)], accepted_at=T0 + timedelta(minutes=k + 3)) for k in range(0, 519, 2)]
    second += [inc(f"n{k}", at=T0 + timedelta(hours=30, minutes=k), grid=grids[k % 3]) for k in range(300)]
    return [{"incidents": first, "resources": [res(f"r{k}") for k in range(600)],
             "alerts": [alert(f"a{k}") for k in range(260)]},
            {"incidents": second, "resources": [res(f"r{k}", 2) for k in range(0, 600, 3)]}]


def written(folder: Path, name: str, statements: list[str]) -> dict[str, list[tuple]]:
    """Every table the batches write, as SQLite holds it; `statements` gets each INSERT run."""
    def seen(_conn: object, _cursor: object, sql: str, *_: object) -> None:
        if sql.startswith("INSERT"):
            statements.append(sql)

    event.listen(Engine, "before_cursor_execute", seen)
    try:
        store = Store.open(f"sqlite:///{folder / name}")
        store.apply("city", territory=territory(), received_at=T0)
        for batch in batches():
            store.apply("city", received_at=T0, **batch)
        store.close()
    finally:
        event.remove(Engine, "before_cursor_execute", seen)
    db = sqlite3.connect(folder / name)
    try:
        return {t: db.execute(f"SELECT * FROM {t} ORDER BY {key}").fetchall() for t, key in TABLES.items()}
    finally:
        db.close()


def test_many_rows_a_statement_write_what_one_row_a_statement_writes(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    many_sql: list[str] = []
    one_sql: list[str] = []
    many = written(tmp_path, "many.db", many_sql)
    monkeypatch.setattr(dialect, "SQLITE_ROWS_PER_STATEMENT", 1)
    one = written(tmp_path, "one.db", one_sql)
    assert max(sql.count("), (") + 1 for sql in many_sql) == 256
    assert max(sql.count("), (") + 1 for sql in one_sql) == 1
    assert {t: len(rows) for t, rows in many.items()} == {t: len(rows) for t, rows in one.items()}
    assert many == one
    assert len(many["incidents"]) == 519 + 300 and len(many["resources"]) == 600
    logged = [(kind, rid, version) for _id, _feed, kind, rid, version, *_ in many["record_log"]]
    assert logged == [(kind, r.id, r.version) for batch in batches()
                      for kind in ("incident", "resource", "alert") for r in batch.get(kind + "s", [])]


def test_a_statement_of_many_rows_stays_within_sqlites_parameters() -> None:
    d = Dialect("sqlite")
    for width in (1, 25, 200, 2000):
        sql = d.insert_sql("wide", [f"c{i}" for i in range(width)])
        d.run_many(_Recorder(), sql, [tuple(range(width))] * 700)       # type: ignore[arg-type]
    assert all(n <= SQLITE_MAX_PARAMS for n in _Recorder.params)
    assert max(_Recorder.params) > 25 * 200     # wide enough to matter, yet within the bound


class _Recorder:
    """A connection that records how many parameters each statement binds."""

    params: list[int] = []

    def exec_driver_sql(self, sql: str, rows: list[tuple]) -> None:
        assert all(len(r) == sql.count("?") for r in rows)
        _Recorder.params.extend(len(r) for r in rows)
