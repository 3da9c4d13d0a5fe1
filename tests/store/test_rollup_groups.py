"""Rollup rows written in column groups (Deltas.row_groups: a statement per set of changed columns) add up to the
same rollups as a rebuild from the incidents table."""
from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest
from sqlalchemy import select

from commandcenter.domain import Source, Status
from commandcenter.store import Store
from commandcenter.store import rollup as R
from commandcenter.store.schema import T

from tests.support.store import T0, inc, territory

_KEY = ("node_id", "grain", "bucket", "drill")


def _reported(n: int) -> list:
    """n reported incidents, one an hour, over the test territory's grids: non-police calls diverted from 110."""
    return [inc(f"i{k}", at=T0 + timedelta(hours=k), grid=("g1", "g2", "g3")[k % 3], source=Source.POLICE_110)
            for k in range(n)]


def _accepted(incidents: list) -> list:
    """Their next versions: accepted 2 to 9 minutes after the report (a status change: acc_n and acc_s move)."""
    return [dataclasses.replace(i, version=2, status=Status.ACCEPTED, accepted_at=i.reported_at + timedelta(
        minutes=2 + k % 8), updated_at=i.reported_at + timedelta(minutes=10)) for k, i in enumerate(incidents)]


def _chain(parents: dict[str, str | None]):
    def chain(node: str) -> list[str]:
        out, p = [node], parents.get(node)
        while p:
            out.append(p)
            p = parents.get(p)
        return out + [""]
    return chain


def test_row_groups_hold_the_rows_of_rows_with_the_frequent_column_sets_narrow() -> None:
    chain = _chain({t.id: t.parent_id for t in territory()})
    acc = R.Deltas(R.Calendar())
    reported = _reported(200)
    for old, new in zip(reported, _accepted(reported), strict=True):
        acc.add(old, -1)
        acc.add(new)
    acc.add(inc("fresh", at=T0))
    groups = acc.row_groups(chain)
    assert ("acc_n", "p110_acc_n", "acc_s", "p110_acc_s") in [cols for cols, _rows in groups]
    expanded = []
    for cols, rows in groups:
        at = [R.WRITE_COLUMNS.index(c) for c in cols]
        for r in rows:
            full = [*r[:4]] + [0] * (len(R.WRITE_COLUMNS) - 4)
            for i, v in zip(at, r[4:], strict=True):
                full[i] = v
            expanded.append(tuple(full))
    assert sorted(expanded) == sorted(acc.rows(chain))


def _rollups(store: Store) -> list[tuple]:
    tbl = T["kpi_rollup"]
    with store.engine.connect() as c:
        return [tuple(r) for r in c.execute(select(tbl).order_by(*(tbl.c[k] for k in _KEY)))]


def test_status_updates_written_in_column_groups_equal_a_rebuild(store: Store) -> None:
    store.apply("f", territory=territory())
    reported = _reported(300)
    store.apply("f", incidents=reported)
    applied = store.apply("f", incidents=_accepted(reported[:250]) + [inc("late", at=T0 + timedelta(days=3))])
    assert len(applied.incidents) == 251
    incremental = _rollups(store)
    store.rebuild_rollups()
    rebuilt = _rollups(store)
    assert [r[:4] for r in incremental] == [r[:4] for r in rebuilt]
    for a, b in zip(incremental, rebuilt, strict=True):
        assert a[4:] == pytest.approx(b[4:], abs=1e-6)
    k = store.kpis("c", T0, T0 + timedelta(days=20))
    assert k["events"].value == 301
    assert k["avg_acceptance_time"].value == pytest.approx(sum(2 + k % 8 for k in range(250)) / 250)
