"""A batch's rollups are computed together (rollup.Deltas, in numpy) and equal the rollups of its versions taken one
at a time: per version as `contributions()` gives it, and per record as a store applying one record a batch writes
them. Batches are generated: versions of one incident in the same batch, reopenings, grids the territory does not
know, drills, times before the report, naive times as SQLite's columns are read back."""
from __future__ import annotations

import dataclasses
import tempfile
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from commandcenter.domain import Category, Incident, ResolutionLevel, Source, Status
from commandcenter.domain import kpis as DK
from commandcenter.store import Store
from commandcenter.store import rollup as R
from commandcenter.store.schema import T
from commandcenter.store.territory import TerritoryTree

from tests.support.store import T0, inc, territory

GRIDS = ("g1", "g2", "g3", "unknown-1", "unknown-2")   # the last two are not in the territory
CALENDARS = (R.Calendar(), R.Calendar("Europe/London", DK.limits_for_hours({"dispute": 0.5, "fire": 30})))


def _offset() -> st.SearchStrategy[timedelta | None]:
    """A time after (or, refused by the KPI clocks, before) the report, or none."""
    return st.one_of(st.none(), st.integers(-3_600_000_000, 200 * 3_600_000_000).map(
        lambda us: timedelta(microseconds=us)))


@st.composite
def _version(draw: st.DrawFn, id: str, version: int) -> Incident:
    at = T0 + timedelta(microseconds=draw(st.integers(0, 72 * 3_600_000_000)))

    def after() -> Any:
        d = draw(_offset())
        return None if d is None else at + d

    return inc(id, version, at=at, status=draw(st.sampled_from(list(Status))), grid=draw(st.sampled_from(GRIDS)),
               category=draw(st.sampled_from(list(Category))), source=draw(st.sampled_from(list(Source))),
               emergency=draw(st.booleans()), on_the_spot=draw(st.booleans()),
               resolution_level=draw(st.one_of(st.none(), st.sampled_from(list(ResolutionLevel)))),
               satisfaction=draw(st.one_of(st.none(), st.integers(1, 5))),
               departments=tuple(draw(st.lists(st.sampled_from(["police", "fire"]), max_size=2))),
               drill_id=draw(st.sampled_from([None, "drill-1"])), accepted_at=after(), dispatched_at=after(),
               arrived_at=after(), assessed_at=after(), closed_at=after())


@st.composite
def batches(draw: st.DrawFn) -> list[Incident]:
    """Versions of a few incidents, each incident's in rising version order, interleaved; any status may follow any
    other (a closed incident reopened)."""
    out: list[Incident] = []
    versions: dict[str, int] = {}
    for _ in range(draw(st.integers(1, 30))):
        id = draw(st.sampled_from(["a", "b", "c", "d", "e", "f"]))
        versions[id] = versions.get(id, 0) + draw(st.integers(1, 2))
        out.append(draw(_version(id, versions[id])))
    return out


def _as_read_back(version: Incident) -> dict[str, Any]:
    """The version as a row of CONTRIB_COLUMNS read from SQLite: naive UTC times, `departments_n`, plain values."""
    row = {c: getattr(version, c) for c in R.CONTRIB_COLUMNS if c != "departments_n"}
    for k, v in row.items():
        if hasattr(v, "tzinfo") and v is not None:
            row[k] = v.replace(tzinfo=None)
        elif hasattr(v, "value"):
            row[k] = v.value
    row["departments_n"] = len(version.departments)
    return row


def _signed(batch: list[Incident], read_back: list[bool]) -> list[tuple[Any, int]]:
    """What a writer adds for the batch: each version, less the version of the same incident it replaces."""
    last: dict[str, Any] = {}
    out: list[tuple[Any, int]] = []
    for k, version in enumerate(batch):
        row = _as_read_back(version) if read_back[k % len(read_back)] else version
        if version.id in last:
            out.append((last[version.id], -1))
        out.append((row, +1))
        last[version.id] = row
    return out


def _chain(node: str) -> list[str]:
    parents = {t.id: t.parent_id for t in territory()}
    out, p = [node], parents.get(node)
    while p:
        out.append(p)
        p = parents.get(p)
    return [*out, ""]


@settings(max_examples=150, deadline=None)
@given(batch=batches(), read_back=st.lists(st.booleans(), min_size=1, max_size=4),
       cal=st.sampled_from(CALENDARS))
def test_a_batchs_leaf_sums_are_its_versions_contributions_added_in_turn_bit_for_bit(batch, read_back, cal) -> None:
    signed = _signed(batch, read_back)
    acc = R.Deltas(cal)
    expected: dict[tuple[str, int, int], list[float]] = {}
    for row, sign in signed:
        acc.add(row, sign)
        view = R.AttrView(row) if isinstance(row, dict) else row
        for hour, values in R.contributions(row, cal):
            sums = expected.setdefault((view.grid_id, hour, 1 if view.drill_id else 0), [0.0] * R.NCOLS)
            for i, x in enumerate(values):
                sums[i] += sign * x
    assert acc.leaf_events() == [(leaf, sums[0]) for leaf, sums in expected.items()]
    assert acc._leaf_sums().tolist() == list(expected.values())
    rows = [R.AttrView(r) if isinstance(r, dict) else r for r, _s in signed]
    signs = [s for _r, s in signed]
    for way in (R._leaf_sums_each, R._leaf_sums_together):   # a few versions, and many (R.VECTOR_MIN)
        assert way(rows, signs, cal).sums.tolist() == list(expected.values()), way.__name__
    months: dict[tuple[str, int, int], float] = {}
    for (grid, hour, drill), sums in expected.items():
        key = (grid, cal.day_month(hour)[1], drill)
        months[key] = months.get(key, 0.0) + sums[0]
    assert sorted(acc.month_events()) == sorted((k, n) for k, n in months.items() if n)


@settings(max_examples=60, deadline=None)
@given(batch=batches(), cal=st.sampled_from(CALENDARS))
def test_a_batchs_rollup_rows_are_the_sum_of_its_versions_rows(batch, cal) -> None:
    signed = _signed(batch, [False])
    together = R.Deltas(cal)
    for row, sign in signed:
        together.add(row, sign)
    apart: dict[tuple[Any, ...], list[float]] = {}
    for row, sign in signed:
        one = R.Deltas(cal)
        one.add(row, sign)
        for r in one.rows(_chain):
            sums = apart.setdefault(r[:4], [0.0] * (len(r) - 4))
            for i, x in enumerate(r[4:]):
                sums[i] += x
    rows = together.rows(_chain)
    expected = {k: v for k, v in apart.items() if any(abs(x) > 1e-6 for x in v)}
    assert [r[:4] for r in rows] == sorted(expected)
    for r in rows:
        assert list(r[4:]) == pytest.approx(expected[r[:4]], abs=1e-6)
    index = TerritoryTree()
    index.parents = {t.id: t.parent_id for t in territory()}
    grouped = together.row_groups(_chain, index.chain_index(together.grids()))
    assert sorted(_expand(grouped)) == sorted(rows)


def _expand(groups: list[tuple[tuple[str, ...], list[tuple[Any, ...]]]]) -> list[tuple[Any, ...]]:
    """row_groups' rows as rows() gives them (every column)."""
    out = []
    for cols, rows in groups:
        at = [R.WRITE_COLUMNS.index(c) for c in cols]
        for r in rows:
            full: list[Any] = [*r[:4]] + [0] * (len(R.WRITE_COLUMNS) - 4)
            for i, v in zip(at, r[4:], strict=True):
                full[i] = v
            out.append(tuple(full))
    return out


def _tables(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    out = {}
    for name, key in (("kpi_rollup", ("node_id", "grain", "bucket", "drill")),
                      ("kpi_grid_month", ("node_id", "bucket", "drill", "grid_id"))):
        tbl = T[name]
        with store.engine.connect() as c:
            # a float sum added and taken away in separate transactions can keep a rounding residue
            out[name] = [tuple(r) for r in c.execute(select(tbl).order_by(*(tbl.c[k] for k in key)))
                         if any(abs(x) > 1e-6 for x in tuple(r)[len(key):])]
    return out


def _same_tables(a: dict[str, list[tuple[Any, ...]]], b: dict[str, list[tuple[Any, ...]]]) -> None:
    for name in a:
        assert [r[:4] for r in a[name]] == [r[:4] for r in b[name]], name
        for x, y in zip(a[name], b[name], strict=True):
            assert x == pytest.approx(y, abs=1e-6), name


@pytest.fixture(scope="module")
def folder() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="rollup-batch-") as d:
        yield Path(d)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(batch=batches())
def test_a_store_writes_the_same_rollups_for_a_batch_as_for_its_records_one_apply_each(batch, folder) -> None:
    stores = []
    for way in ("together", "apart"):
        s = Store.open(f"sqlite:///{folder / f'{way}-{len(list(folder.iterdir()))}.db'}")
        s.apply("f", territory=territory())
        stores.append(s)
    together, apart = stores
    try:
        together.apply("f", incidents=batch)
        for version in batch:
            apart.apply("f", incidents=[version])
        _same_tables(_tables(together), _tables(apart))
    finally:
        together.close()
        apart.close()


def test_a_batch_with_repeat_versions_a_reopening_and_unknown_grids_writes_what_a_rebuild_does(store: Store) -> None:
    store.apply("f", territory=territory())
    first = [inc("a", 1, grid="g1"), inc("b", 1, grid="unknown-1", source=Source.POLICE_110),
             inc("c", 1, grid="g3", drill_id="drill-1")]
    closed = dataclasses.replace(first[0], version=2, status=Status.CLOSED, closed_at=T0 + timedelta(hours=3),
                                 accepted_at=T0 + timedelta(minutes=4), resolution_level=ResolutionLevel.GRID,
                                 satisfaction=5)
    reopened = dataclasses.replace(closed, version=3, status=Status.REPORTED, closed_at=None, grid_id="unknown-2")
    moved = dataclasses.replace(first[1], version=2, status=Status.ACCEPTED, accepted_at=T0 + timedelta(minutes=9),
                                grid_id="g2", reported_at=T0 + timedelta(hours=1))
    store.apply("f", incidents=first)
    store.apply("f", incidents=[closed, moved, reopened, inc("d", 1, grid="unknown-1")])
    incremental = _tables(store)
    assert any(r[0] == "unknown-2" for r in incremental["kpi_rollup"])
    store.rebuild_rollups()
    _same_tables(incremental, _tables(store))


def test_unknown_grids_chains_are_kept_in_the_trees_index_until_the_tree_changes(store: Store) -> None:
    store.apply("f", territory=territory())
    tree = store.tree
    known = tree.chain_index()
    wider = tree.chain_index(["unknown-1", "g1"])
    assert wider is not known and "g1" in known.row_of and "unknown-1" not in known.row_of
    assert tree.chain_index() is wider, "the grids' chains are remembered"
    assert tree.chain_index(["unknown-1"]) is wider
    fresh = R.ChainIndex(tree.chain, [*known.row_of, "unknown-1"])
    assert wider.names == fresh.names
    assert wider.row_of == fresh.row_of
    assert wider.table.tolist() == fresh.table.tolist()
    store.apply("f", territory=[dataclasses.replace(territory()[-1], name="Grid 3, renamed")])
    assert "unknown-1" not in tree.chain_index().row_of, "a new tree starts from its own nodes"
