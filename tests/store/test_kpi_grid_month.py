"""kpi_grid_month (events per grid per local month, kept under the grid's parent and grandparent) always equals a
recount of the incidents: after creates, new versions that move an incident to another grid or month or turn
it into a drill, a drill deleted, grids and communities moved in the territory, and a rollup rebuild. The KPI
engine reads a street's and a community's events per grid from it, so these are the counts the wall shows."""
from __future__ import annotations

import dataclasses
import random
from collections import Counter
from datetime import datetime, timedelta, UTC
from zoneinfo import ZoneInfo

from sqlalchemy import select, text

from commandcenter.domain import Incident, Status, TerritoryLevel, TerritoryNode
from commandcenter.store import Store
from commandcenter.store.schema import T

from tests.support.store import inc, territory, undo_migrations_after_0007

SHANGHAI = ZoneInfo("Asia/Shanghai")
START = datetime(2024, 1, 1, tzinfo=UTC)
GRIDS = ["g1", "g2", "g3"]


def stored_counts(store: Store) -> Counter:
    """The table's non-zero rows as {(holder, month, drill, grid): n}."""
    tbl = T["kpi_grid_month"]
    with store.engine.connect() as c:
        rows = c.execute(select(tbl.c.node_id, tbl.c.bucket, tbl.c.drill, tbl.c.grid_id, tbl.c.n)).all()
    return Counter({(h, b, d, g): n for h, b, d, g, n in rows if n})


def recount(store: Store, incidents: dict[str, Incident]) -> Counter:
    """What the table must hold, from the incidents one by one and the territory as it is now."""
    parents = {t.id: t.parent_id for t in store.territory()}
    out: Counter = Counter()
    for i in incidents.values():
        local = i.reported_at.astimezone(SHANGHAI)
        month = local.year * 12 + local.month - 1
        p = parents.get(i.grid_id)
        for holder in [p, parents.get(p) if p else None]:
            if holder:
                out[(holder, month, 1 if i.drill_id else 0, i.grid_id)] += 1
    return out


def random_incidents(rnd: random.Random, n: int, prefix: str) -> list[Incident]:
    """Incidents over 14 months (some at a local month's first hours: UTC the month before), one in six a drill."""
    out = []
    for k in range(n):
        at = START + timedelta(hours=rnd.randrange(24 * 425), minutes=rnd.randrange(60))
        drill = rnd.choice(["dr1", "dr2"]) if rnd.random() < 1 / 6 else None
        out.append(inc(f"{prefix}{k}", at=at, grid=rnd.choice(GRIDS), status=rnd.choice(list(Status)),
                       drill_id=drill))
    return out


def test_counts_equal_a_recount_after_creates_moves_and_drill_deletes(store: Store) -> None:
    rnd = random.Random(5)
    live: dict[str, Incident] = {}
    store.apply("f", territory=territory())
    for batch in range(4):
        fresh = random_incidents(rnd, 80, f"b{batch}-")
        store.apply("f", incidents=fresh)
        live.update({i.id: i for i in fresh})
        # new versions of stored incidents: another status only (no count moves), another grid, another month,
        # a real incident turned into a drill and back
        changed = []
        for i in rnd.sample(sorted(live.values(), key=lambda x: x.id), 40):
            kind = rnd.randrange(4)
            new = dataclasses.replace(i, version=i.version + 1, status=rnd.choice(list(Status)))
            if kind == 1:
                new = dataclasses.replace(new, grid_id=rnd.choice(GRIDS))
            elif kind == 2:
                new = dataclasses.replace(new, reported_at=i.reported_at + timedelta(days=rnd.randrange(-40, 40)))
            elif kind == 3:
                new = dataclasses.replace(new, drill_id=None if i.drill_id else "dr1")
            changed.append(new)
        store.apply("f", incidents=changed)
        live.update({i.id: i for i in changed})
        assert stored_counts(store) == recount(store, live), f"after batch {batch}"
    assert any(k[2] == 1 for k in stored_counts(store))      # drills were counted (under their own flag)

    store.delete_drill("dr1")
    live = {k: i for k, i in live.items() if i.drill_id != "dr1"}
    assert stored_counts(store) == recount(store, live)
    with store.engine.connect() as c:     # and left no zero rows behind
        tbl = T["kpi_grid_month"]
        assert c.execute(select(tbl.c.n).where(tbl.c.drill == 1, tbl.c.n == 0)).all() == []


def test_moving_a_grid_and_a_community_moves_their_counts_to_the_new_holders(store: Store) -> None:
    rnd = random.Random(9)
    incidents = {i.id: i for i in random_incidents(rnd, 150, "i")}
    store.apply("f", territory=territory(), incidents=list(incidents.values()))
    store.apply("f", territory=[
        TerritoryNode("s2", TerritoryLevel.STREET, "Street 2", "d1"),
        TerritoryNode("m2", TerritoryLevel.COMMUNITY, "Community 2", "s2"),   # m2 (with g3) to the new street
        TerritoryNode("g2", TerritoryLevel.GRID, "Grid 2", "m2"),             # g2 from m1 to m2
    ])
    counts = stored_counts(store)
    assert counts == recount(store, incidents)
    holders = {(h, g) for h, _b, _d, g in counts}
    assert ("s1", "g3") not in holders and ("s2", "g3") in holders and ("m1", "g2") not in holders
    with store.engine.connect() as c:     # the former holders' rows are gone, not left as zeros
        tbl = T["kpi_grid_month"]
        assert c.execute(select(tbl.c.n).where(tbl.c.n == 0)).all() == []


def test_a_rebuild_of_the_rollups_rebuilds_the_counts(store: Store) -> None:
    incidents = {i.id: i for i in random_incidents(random.Random(2), 120, "i")}
    store.apply("f", territory=territory(), incidents=list(incidents.values()))
    with store.engine.begin() as c:
        c.execute(T["kpi_grid_month"].delete())
    store.rebuild_rollups()
    assert stored_counts(store) == recount(store, incidents)


def test_a_street_reads_its_grids_whole_months_from_the_counts(store: Store) -> None:
    """The street's and the community's events per grid over whole local months come from the table (a count
    changed behind the store's back shows in both); the grid's own KPIs come from its month rollups."""
    store.apply("f", territory=territory(), incidents=[inc("a", at=datetime(2024, 5, 10, tzinfo=UTC))])
    w0, w1 = datetime(2024, 3, 31, 16, tzinfo=UTC), datetime(2024, 6, 30, 16, tzinfo=UTC)
    assert store.kpis("s1", w0, w1)["events_per_grid"].detail["g1"] == 1.0
    with store.engine.begin() as c:
        tbl = T["kpi_grid_month"]
        c.execute(tbl.update().where(tbl.c.grid_id == "g1").values(n=tbl.c.n + 4))
    assert store.kpis("s1", w0, w1)["events_per_grid"].detail["g1"] == 5.0
    assert store.kpis("m1", w0, w1)["events_per_grid"].detail["g1"] == 5.0
    assert store.kpis("g1", w0, w1)["events"].value == 1.0


def undo_0007(conn) -> None:
    """Take away what migration 0007 added (its columns), so that an older revision can be faked."""
    import importlib

    m = importlib.import_module("commandcenter.store.migrations.versions.0007_kpi_clocks")
    for c in m.COUNTS + m.SECONDS:
        conn.execute(text(f"ALTER TABLE kpi_rollup DROP COLUMN {c}"))
    for c in ("departments_n", "dispatched_at", "source"):
        conn.execute(text(f"ALTER TABLE incidents DROP COLUMN {c}"))


def test_the_migration_fills_the_counts_from_the_grid_month_rollups(store_url: str) -> None:
    """A database of revision 0003 (rollups, no kpi_grid_month) gets the same counts the write path keeps."""
    incidents = {i.id: i for i in random_incidents(random.Random(4), 200, "i")}
    with Store.open(store_url) as store:
        store.apply("f", territory=territory(), incidents=list(incidents.values()))
        want = stored_counts(store)
        with store.engine.begin() as c:
            c.execute(text("DROP TABLE kpi_grid_month"))
            c.execute(text("CREATE INDEX ix_incidents_updated ON incidents (updated_at)"))   # 0005 drops them
            c.execute(text("CREATE INDEX ix_incidents_closed ON incidents (closed_at)"))
            undo_0007(c)
            c.execute(text("DROP INDEX uq_quarantine_feed_digest"))     # 0006_iso adds them
            c.execute(text("ALTER TABLE quarantine DROP COLUMN digest"))
            undo_migrations_after_0007(c)
            c.execute(text("UPDATE alembic_version SET version_num = '0003'"))
    with Store.open(store_url) as store:
        assert want and stored_counts(store) == want == recount(store, incidents)
