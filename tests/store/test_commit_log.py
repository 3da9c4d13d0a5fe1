"""The commit log (store/commits.py): every transaction a wall shows gets the next position, in commit order, with
exactly what it wrote; PostgreSQL announces the position with NOTIFY at commit and never for a rolled-back one."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest

from commandcenter.domain import ActionKind, OperatorAction, QuarantinedRecord
from commandcenter.store import Store, refuses_record
from commandcenter.store.commits import CHANNEL
from tests.support.fixtures import holds_within
from tests.support.store import T0, alert, inc, res, territory


def test_each_shown_transaction_gets_the_next_position_with_exactly_what_it_wrote(store: Store) -> None:
    assert store.commit_position() == 0
    store.apply("f", territory=territory())
    store.apply("f", incidents=[inc("a"), inc("b")], resources=[res("r")], alerts=[alert("w")], cursor="1")
    store.apply("f", incidents=[inc("a")], cursor="2")                    # nothing newer: nothing to show
    store.apply("f", quarantined=[QuarantinedRecord("f", "incident", b"x", "bad", T0)], cursor="3")
    store.apply("f", incidents=[inc("a", 2)])
    action = store.record_action(OperatorAction(kind=ActionKind.ACKNOWLEDGE, target_kind="alert", target_id="w",
                                                actor="张三", console="c", at=T0))
    got = store.commits_after(0)
    assert [c.position for c in got.commits] == [1, 2, 3, 4] and store.commit_position() == 4
    moved, first, second, acked = got.commits
    assert moved.territory and not moved.records and got.territory is not None and len(got.territory) == 8
    assert sorted((k, json.loads(d)["id"], json.loads(d)["version"]) for k, d in first.records) == [
        ("alert", "w", 1), ("incident", "a", 1), ("incident", "b", 1), ("resource", "r", 1)]
    assert [(k, json.loads(d)["id"], json.loads(d)["version"]) for k, d in second.records] == [("incident", "a", 2)]
    assert acked.actions == [action] and not acked.records
    assert [c.position for c in store.commits_after(2).commits] == [3, 4]
    assert [c.position for c in store.commits_after(0, limit=2).commits] == [1, 2]


def test_retention_removes_old_commits_and_says_a_follower_before_them_is_behind(store: Store) -> None:
    store.apply("f", incidents=[inc("a")])
    store.apply("f", incidents=[inc("b")])
    store.prune(now=T0 + timedelta(days=10_000))
    assert store.commits_after(0).behind
    assert store.commit_position() == 2                # a follower reloading goes on from here
    store.apply("f", incidents=[inc("c")])
    after = store.commits_after(2)
    assert not after.behind and [c.position for c in after.commits] == [3]   # never taken again


@pytest.mark.postgres
def test_postgres_announces_the_position_at_commit_and_nothing_for_a_rolled_back_transaction(store_url: str) -> None:
    if not store_url.startswith("postgresql"):
        pytest.skip("NOTIFY is PostgreSQL's")
    import psycopg
    from sqlalchemy.engine import make_url

    store = Store.open(store_url)
    conninfo = make_url(store_url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True) as listener:
        listener.execute(f"LISTEN {CHANNEL}")
        store.apply("f", incidents=[inc("a")])
        with pytest.raises(Exception) as refused:                                 # noqa: B017 - checked below
            store.apply("f", incidents=[inc("bad", title="nul\x00in text")])    # PostgreSQL refuses NUL
        assert refuses_record(refused.value)
        store.apply("f", incidents=[inc("b")])
        got = [n.payload for n in listener.notifies(timeout=2.0, stop_after=3)]
    assert got == [str(p) for p in [c.position for c in store.commits_after(0).commits]]
    assert len(got) == 2
    store.close()


@pytest.mark.postgres
def test_postgres_follower_reads_hold_one_session_and_a_lost_one_is_replaced_at_the_next_read(
        store_url: str) -> None:
    if not store_url.startswith("postgresql"):
        pytest.skip("the held reading session is PostgreSQL's")
    import uuid

    from sqlalchemy import create_engine, text

    app = f"cc-test-follow-{uuid.uuid4().hex[:8]}"
    store = Store.open(f"{store_url}&application_name={app}")
    admin = create_engine(store_url, isolation_level="AUTOCOMMIT")

    def sessions() -> list[int]:
        with admin.connect() as c:
            return [int(p) for (p,) in c.execute(
                text("SELECT pid FROM pg_stat_activity WHERE application_name = :a"), {"a": app})]

    try:
        store.apply("f", incidents=[inc("a")])
        store.apply("f", incidents=[inc("b")])
        reads = [[c.position for c in store.commits_after(p).commits] for p in (0, 1, 2, 0, 1)]
        assert reads == [[1, 2], [2], [], [1, 2], [2]] and store.feed_status() == []
        store.engine.dispose()                          # only the held reading session is left open
        held = sessions()
        assert len(held) == 1
        with admin.connect() as c:                      # the session dies (a restart, a network cut)
            c.execute(text("SELECT pg_terminate_backend(:p)"), {"p": held[0]})
        with pytest.raises(Exception) as lost:          # noqa: B017 - the driver's error, whatever its class
            store.commits_after(0)
        assert "terminat" in str(lost.value).lower() or "closed" in str(lost.value).lower()
        store.apply("f", incidents=[inc("c")])
        assert [c.position for c in store.commits_after(1).commits] == [2, 3]      # a new session, nothing lost
        assert held[0] not in sessions()
        store.close()
        assert holds_within(lambda: sessions() == [], timeout=5)       # closing the store closes it
    finally:
        store.close()
        admin.dispose()
