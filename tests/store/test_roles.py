"""Least privilege on a shared PostgreSQL store (`commandcenter store grant`): the recorder's role ingests; a
wall's role reads everything a wall reads and writes operator actions and drill rows, never a real record."""
from __future__ import annotations

import asyncio
import dataclasses
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, ProgrammingError

from commandcenter.cli import main
from commandcenter.domain import ActionKind, FeedHealth, FeedState, OperatorAction, Status
from commandcenter.domain.recorder import RecorderRole, RecorderStatus
from commandcenter.services.initial_load import read_first_screen, read_rest
from commandcenter.store import CalendarMismatch, DrillRecord, Store
from commandcenter.store.encoding import encode_incident
from commandcenter.store.recorder_lock import recorder_lock
from tests.support.store import PG_URL, T0, alert, inc, pg_schema_url, res, territory

pytestmark = pytest.mark.postgres


@pytest.fixture
def roles() -> Iterator[tuple[str, str, str]]:
    """A fresh store schema and two fresh login roles on it: (owner URL, recorder role, wall role)."""
    if not PG_URL:
        pytest.skip("COMMANDCENTER_TEST_PG_URL is not set")
    suffix = uuid.uuid4().hex[:8]
    recorder, wall = f"cc_rec_{suffix}", f"cc_wall_{suffix}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        for role in (recorder, wall):
            c.execute(text(f'CREATE ROLE "{role}" LOGIN'))
    try:
        yield from ((url, recorder, wall) for url in pg_schema_url())
    finally:
        with admin.connect() as c:
            for role in (recorder, wall):
                c.execute(text(f'DROP OWNED BY "{role}"'))
                c.execute(text(f'DROP ROLE "{role}"'))
        admin.dispose()


def as_role(url: str, role: str) -> str:
    return make_url(url).set(username=role).render_as_string(hide_password=False)


def action(kind: ActionKind = ActionKind.ACKNOWLEDGE, target: str = "r1") -> OperatorAction:
    return OperatorAction(kind=kind, target_kind="incident", target_id=target, actor="王", console="wall-2",
                          at=datetime.now(UTC))


def test_the_wall_role_reads_and_acts_but_cannot_change_a_record(roles, tmp_path) -> None:
    owner, recorder_role, wall_role = roles
    cfg = tmp_path / "admin.toml"
    cfg.write_text(f'[store]\nurl = "{owner}"\n', encoding="utf-8")
    for _ in range(2):              # granting again changes nothing (an upgrade re-runs it)
        assert main(["store", "grant", "--config", str(cfg), "--recorder", recorder_role, "--wall", wall_role]) == 0

    # the recorder's role ingests, keeps its cursor, reports its status and takes the recorder lock
    with Store.open(as_role(owner, recorder_role)) as rec:
        lock = recorder_lock(rec.engine)
        assert lock.try_acquire()
        rec.claim_writes()
        rec.apply("city", territory=territory(), incidents=[inc("r1"), inc("r2")], resources=[res("t1")],
                  alerts=[alert("a1")], cursor="7")
        rec.apply("city", incidents=[inc("r1", 2)], cursor="8")
        rec.write_feed_status([FeedHealth("city", FeedState.LIVE, last_ok_at=T0)], RecorderStatus(
            host="h", pid=1, role=RecorderRole.ACTIVE, started_at=T0, heartbeat_at=T0))
        rec.prune(now=T0 + timedelta(days=400))
        lock.release()

    wall_url = as_role(owner, wall_role)
    with pytest.raises(CalendarMismatch, match=r'\[store\] timezone = "Asia/Tokyo" here, "Asia/Shanghai" in'):
        Store.open(wall_url, tz="Asia/Tokyo", calendar="require")    # a following wall: refused, not rebuilding
    with Store.open(wall_url, calendar="require") as wall:
        # everything a starting wall reads
        first = read_first_screen(wall)
        assert {i.id for i in first.incidents} == {"r1", "r2"} and first.territory and first.resources
        rest = read_rest(wall, datetime.now(UTC))
        assert rest
        assert wall.kpis("c", T0 - timedelta(days=1), T0 + timedelta(days=1))
        assert wall.state_at(T0 + timedelta(minutes=1))["incidents"]
        assert wall.incident("r1") is not None and wall.cursor("city") == "8"
        assert [f.health.feed for f in wall.feed_status()] == ["city"] and wall.recorders()
        assert wall.drill_records() == [] and wall.quarantine() == [] and wall.sensors() == []

        # an operator action: yes; changing or deleting one: no
        recorded = wall.record_action(action())
        assert wall.actions_since(0) == [recorded]
        with wall.engine.begin() as c, pytest.raises(ProgrammingError, match="permission denied"):
            c.execute(text("UPDATE operator_actions SET reason = 'x'"))
        with wall.engine.begin() as c, pytest.raises(ProgrammingError, match="permission denied"):
            c.execute(text("DELETE FROM operator_actions"))

        # a real incident: no DELETE, an UPDATE finds nothing to change, a newer version through the store fails
        with wall.engine.begin() as c, pytest.raises(ProgrammingError, match="permission denied"):
            c.execute(text("DELETE FROM incidents WHERE id = 'r1'"))
        with wall.engine.begin() as c:
            assert c.execute(text("UPDATE incidents SET title = 'forged' WHERE id = 'r1'")).rowcount == 0
        with pytest.raises(DBAPIError, match="row-level security policy for table \"record_log\""):
            wall.apply("city", incidents=[inc("r2", 5, title="forged")])   # the followers would show it
        forged = encode_incident(inc("r2", 7, title="forged"))
        for data in (forged, forged[:-1] + ',"drill_id":null}', '{"drill_id":"x","drill_id":null}', "not json"):
            with wall.engine.begin() as c, pytest.raises(DBAPIError, match="row-level security|invalid input"):
                c.execute(text("INSERT INTO record_log (feed, kind, record_id, version, received_at, data) "
                               "VALUES ('city', 'incident', 'r2', 7, now(), :d)"), {"d": data})
        with wall.engine.begin() as c, pytest.raises(ProgrammingError, match="permission denied"):
            c.execute(text("UPDATE record_log SET data = :d"), {"d": forged})
        wall.apply("city", incidents=[inc("r2", 5, title="forged")], log=False)   # the update finds no row
        assert wall.incident("r2").version == 1
        with pytest.raises(DBAPIError, match="row-level security"):
            wall.apply("city", incidents=[inc("r2", 6, status=Status.ACCEPTED)], log=False)   # its timeline row
        with pytest.raises(DBAPIError, match="row-level security|permission denied"):
            wall.apply("city", incidents=[inc("forged-new")], log=False)
        with pytest.raises(DBAPIError, match="permission denied"):
            wall.apply("city", cursor="999")
        with pytest.raises(DBAPIError, match="permission denied"):
            wall.write_feed_status([FeedHealth("city", FeedState.DOWN)], RecorderStatus(
                host="h", pid=2, role=RecorderRole.ACTIVE, started_at=T0, heartbeat_at=T0))

        # a drill the wall runs: its row, its start and stop actions and its played records (drill rows only)
        now = datetime.now(UTC)
        wall.record_drill_start(DrillRecord(id="drill-1", name="演练", scenario={}, started_at=now,
                                            wall_started_at=now), action(ActionKind.DRILL_START, "drill-1"))
        drill = [dataclasses.replace(inc("d-1"), drill_id="drill-1"), dataclasses.replace(inc("d-2"), drill_id="drill-1")]
        wall.apply("drill", incidents=drill)          # logged: the other walls follow them from the record log
        wall.apply("drill", incidents=[dataclasses.replace(drill[0], version=2)])
        assert wall.incident("d-1").version == 2
        assert wall.record_drill_stop("drill-1", now + timedelta(minutes=5), action=action(ActionKind.DRILL_STOP,
                                                                                           "drill-1"))
        assert [d.stop_kind for d in wall.drill_records()] == ["stopped"]

    with Store.open(owner) as s:
        assert s.incident("r1").version == 2 and s.incident("r1").title == inc("r1").title
        assert s.incident("r2").version == 1 and s.incident("forged-new") is None
        assert s.cursor("city") == "8"
        assert [f.health.state for f in s.feed_status()] == [FeedState.LIVE]


def test_a_drill_played_on_a_wall_with_the_wall_role_reaches_another_walls_follower_within_a_second(roles) -> None:
    """Wall A and wall B both run as the walls' role: A plays a drill (its records go through the record log like
    a feed's); B, following the store, gets its start within a second, then every record A played, then its stop."""
    from tests.support.drills import a_drill_reaches_a_follower

    owner, recorder_role, wall_role = roles
    assert main(["store", "grant", "--store", owner, "--recorder", recorder_role, "--wall", wall_role]) == 0

    async def scenario() -> None:
        # as following walls open it: no recorder has run, so the store keeps no calendar yet and none is built
        wall_a, wall_b = (Store.open(as_role(owner, wall_role), calendar="require") for _ in range(2))
        try:
            assert await a_drill_reaches_a_follower(wall_a, wall_b) == 0
        finally:
            wall_a.close()
            wall_b.close()

    asyncio.run(scenario())


def test_grant_refuses_role_names_it_cannot_quote_safely(capsys) -> None:
    assert main(["store", "grant", "--recorder", 'x"; DROP TABLE incidents; --', "--wall", "w", "--print"]) == 2
    assert "expected a plain lower-case PostgreSQL role name" in capsys.readouterr().err
    assert main(["store", "grant", "--recorder", "cc_recorder", "--wall", "cc_wall", "--print"]) == 0
    sql = capsys.readouterr().out
    assert 'GRANT INSERT ON "public".operator_actions TO "cc_wall"' in sql
    assert "CREATE POLICY wall_drill_update" in sql
    # the record log: a wall appends a drill's record (checked on the record itself), never changes one
    assert 'GRANT INSERT ON "public".record_log TO "cc_wall"' in sql
    assert ("CREATE POLICY wall_drill_insert ON \"public\".record_log FOR INSERT TO \"cc_wall\" "
            "WITH CHECK ((data::jsonb ->> 'drill_id') IS NOT NULL)") in sql
    assert "wall_drill_update ON \"public\".record_log FOR" not in sql
