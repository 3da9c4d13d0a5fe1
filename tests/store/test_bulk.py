"""load_history (the bulk path that generates big histories) leaves the database exactly as apply would."""
from __future__ import annotations

import dataclasses
import random
from datetime import timedelta

import pytest
from sqlalchemy import select

from commandcenter.domain import Category, Incident, ResolutionLevel, Status, StatusChange
from commandcenter.store import Store, StoreError
from commandcenter.store.schema import T

from tests.support.store import T0, inc, territory

STAGES = [Status.REPORTED, Status.ACCEPTED, Status.DISPATCHED, Status.HANDLING, Status.CLOSED, Status.FOLLOWED_UP]


def history(n: int) -> list[Incident]:
    """n incidents over ~40 days on the test territory: every stage, emergencies, drills, timelines."""
    rnd = random.Random(42)
    out = []
    for k in range(n):
        rep = T0 + timedelta(minutes=rnd.randrange(60 * 24 * 40))
        reach = rnd.randrange(6)
        t, tl = rep, [StatusChange(Status.REPORTED, rep)]
        for s in STAGES[1:reach + 1]:
            t += timedelta(seconds=rnd.randrange(30, 5000))
            tl.append(StatusChange(s, t, handler=f"w{rnd.randrange(9)}"))
        closed = reach >= 4
        out.append(inc(
            f"i{k}", reach + 1, at=rep, status=STAGES[reach], grid=rnd.choice(["g1", "g2", "g3", "gx"]),
            category=rnd.choice(list(Category)), updated_at=t, emergency=rnd.random() < 0.2,
            accepted_at=tl[1].at if reach >= 1 else None, arrived_at=tl[2].at + timedelta(minutes=3) if reach >= 2 else None,
            assessed_at=tl[2].at + timedelta(minutes=9) if reach >= 2 else None, closed_at=tl[4].at if closed else None,
            resolution_level=rnd.choice(list(ResolutionLevel)) if closed else None, on_the_spot=closed and k % 2 == 0,
            satisfaction=rnd.randrange(1, 6) if reach == 5 else None, timeline=tuple(tl),
            drill_id="dr" if k % 17 == 0 else None))
    return out


def dump(store: Store) -> dict[str, list[tuple]]:
    """Every row of the tables a load writes, in key order."""
    out = {}
    with store.engine.connect() as c:
        for name, key in (("incidents", "id"), ("incident_status", ("incident_id", "seq")),
                          ("kpi_rollup", ("node_id", "grain", "bucket", "drill")),
                          ("kpi_grid_month", ("node_id", "bucket", "drill", "grid_id"))):
            tbl = T[name]
            order = [tbl.c[k] for k in ((key,) if isinstance(key, str) else key)]
            out[name] = [tuple(r) for r in c.execute(select(tbl).order_by(*order))]
    return out


def test_bulk_load_equals_apply(store: Store, other_store_url: str) -> None:
    records = history(400)
    store.apply("gen", territory=territory())
    for k in range(0, len(records), 60):
        store.apply("gen", incidents=records[k:k + 60], log=False)
    with Store.open(other_store_url) as bulk:
        bulk.apply("gen", territory=territory())
        assert bulk.load_history("gen", iter(records), batch=150) == 400
        a, b = dump(store), dump(bulk)
        assert len(a["incidents"]) == 400 and len(a["incident_status"]) > 400 and len(a["kpi_rollup"]) > 100
        assert a["incidents"] == b["incidents"]
        assert a["incident_status"] == b["incident_status"]
        assert len(a["kpi_grid_month"]) > 10 and a["kpi_grid_month"] == b["kpi_grid_month"]
        assert [r[:4] for r in a["kpi_rollup"]] == [r[:4] for r in b["kpi_rollup"]]
        for ra, rb in zip(a["kpi_rollup"], b["kpi_rollup"], strict=True):
            assert ra[4:] == pytest.approx(rb[4:], abs=1e-6)      # float sums may differ in the last bit
        for node in ("", "c", "s1", "m2", "g1", "gx"):
            ka = store.kpis(node, T0 - timedelta(days=1), T0 + timedelta(days=50), include_drill=True)
            kb = bulk.kpis(node, T0 - timedelta(days=1), T0 + timedelta(days=50), include_drill=True)
            assert {k: (v.value, v.detail) for k, v in ka.items()} == {k: (v.value, v.detail) for k, v in kb.items()}
        assert bulk.counts()["record_log"] == 0


def test_bulk_load_refuses_an_incident_already_stored(store: Store) -> None:
    store.apply("gen", territory=territory(), incidents=[inc("a")])
    with pytest.raises(StoreError, match="already stored"):
        store.load_history("gen", [inc("b"), dataclasses.replace(inc("a"), version=2)])
    assert store.incident("b") is None                       # the failing batch rolled back
    assert store.kpis("c", T0 - timedelta(hours=1), T0 + timedelta(hours=1))["events"].value == 1


def test_a_grid_reads_the_same_kpis_as_its_only_parent(store: Store) -> None:
    """m2 has one grid, g3: its figures come from rollups at every grain, g3's from month rollups plus its own
    incidents for partial months; any window must give the same numbers."""
    store.apply("gen", territory=territory(), incidents=history(300))
    rnd = random.Random(8)
    for _ in range(25):
        start = T0 + timedelta(hours=rnd.randrange(-48, 24 * 45), minutes=rnd.randrange(60))
        end = start + timedelta(hours=rnd.choice([1, 5, 24, 24 * 9, 24 * 33]))
        m2 = {k: v.value for k, v in store.kpis("m2", start, end).items() if k != "events_per_subnode"}
        g3 = {k: v.value for k, v in store.kpis("g3", start, end).items() if k != "events_per_subnode"}
        assert m2 == g3
        assert store.kpis("m2", start, end)["trend_per_day"].detail == store.kpis("g3", start, end)["trend_per_day"].detail
