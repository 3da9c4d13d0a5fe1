"""The drills table: a drill's scenario document, start and stop, set once; a store from before it is carried
over from its drill actions when it migrates."""
from __future__ import annotations

from datetime import datetime, timedelta, UTC

from sqlalchemy import text

from commandcenter.domain import ActionKind, AlertLevel, OperatorAction, ResourceStatus
from commandcenter.store import DrillRecord, Store

from tests.support.store import alert, res

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def start_action(drill_id: str, at: datetime) -> OperatorAction:
    return OperatorAction(ActionKind.DRILL_START, "drill", drill_id, "张主任", "console-1", at, reason="月度演练",
                          drill_id=drill_id, seat="1号席")


def test_a_drill_is_started_once_and_stopped_once(store_url: str) -> None:
    store = Store.open(store_url)
    try:
        doc = {"scenario": {"name": "火灾演练", "targets": {"arrival_s": 480}}, "events": [], "path": "a/b.toml"}
        rec = DrillRecord("d1", "火灾演练", doc, T0, T0 + timedelta(seconds=38), 30.0, T0 + timedelta(minutes=45),
                          "http://sim/_control/drills", started_by="张主任", seat="1号席", reason="月度演练")
        saved = store.record_drill_start(rec, start_action("d1", T0))
        assert saved.id is not None and saved.seat == "1号席"
        [row] = store.drill_records(running_only=True)
        assert (row.id, row.name, row.scenario, row.speed, row.started_by, row.seat) == (
            "d1", "火灾演练", doc, 30.0, "张主任", "1号席")
        assert row.running and row.wall_started_at == T0 + timedelta(seconds=38)
        stop = OperatorAction(ActionKind.DRILL_STOP, "drill", "d1", "李科长", "cli", T0 + timedelta(minutes=9),
                              drill_id="d1", seat="2号席")
        assert store.record_drill_stop("d1", T0 + timedelta(minutes=9), action=stop) is True
        # a second stop (another console, or the scenario's end seen late) changes nothing and records nothing
        assert store.record_drill_stop("d1", T0 + timedelta(minutes=45), kind="scenario_end", action=stop) is False
        assert store.drill_records(running_only=True) == []
        [row] = store.drill_records(drill_id="d1")
        assert (row.stopped_at, row.stop_kind) == (T0 + timedelta(minutes=9), "stopped")
        assert [(a.kind, a.actor, a.seat) for a in store.actions_since(0)] == [
            (ActionKind.DRILL_START, "张主任", "1号席"), (ActionKind.DRILL_STOP, "李科长", "2号席")]
    finally:
        store.close()


def test_drills_recorded_before_the_table_are_carried_over(store_url: str) -> None:
    from alembic import command

    from commandcenter.store.migrate import alembic_config
    from commandcenter.store.engine import make_engine

    Store.open(store_url).close()
    engine = make_engine(store_url)
    command.downgrade(alembic_config(engine), "0007")   # before the drills table
    with engine.begin() as conn:
        for kind, drill_id, minutes, reason in (
                ("drill_start", "old-1", 0, "夜间演练\nscenario=config/scenarios/sample-drill.toml"),
                ("drill_stop", "old-1", 40, "结束"), ("drill_start", "old-2", 60, "")):
            conn.execute(text("INSERT INTO operator_actions (kind, target_kind, target_id, actor, console, at, reason,"
                              " drill_id) VALUES (:k, 'drill', :d, '张主任', 'c', :at, :r, :d)"),
                         {"k": kind, "d": drill_id, "at": (T0 + timedelta(minutes=minutes)).replace(tzinfo=None)
                          if engine.dialect.name == "sqlite" else T0 + timedelta(minutes=minutes), "r": reason})
    engine.dispose()
    store = Store.open(store_url)
    try:
        rows = {r.id: r for r in store.drill_records()}
        assert rows["old-1"].name == "sample-drill" and rows["old-1"].stopped_at == T0 + timedelta(minutes=40)
        assert rows["old-1"].started_by == "张主任" and rows["old-1"].reason == "夜间演练"
        assert rows["old-2"].running and rows["old-2"].started_at == T0 + timedelta(minutes=60)
    finally:
        store.close()


def test_a_drills_history_is_its_actions_resource_changes_and_alert_versions_in_order(store_url: str) -> None:
    store = Store.open(store_url)
    try:
        store.record_action(start_action("d1", T0))
        store.record_action(start_action("other", T0))
        store.apply("sim", resources=[res("r1", 1, drill_id="d1"), res("r9", 1)],
                    alerts=[alert("w1", 1, drill_id="d1")])
        store.apply("sim", resources=[res("r1", 2, ResourceStatus.DISPATCHED, drill_id="d1", incident_id="i1")],
                    alerts=[alert("w1", 2, drill_id="d1", level=AlertLevel.RED)])
        history = store.drill_history("d1")
        assert [(a.kind, a.target_id) for a in history.actions] == [(ActionKind.DRILL_START, "d1")]
        assert [(c.resource_id, c.status, c.incident_id) for c in history.resource_changes] == [
            ("r1", "available", None), ("r1", "dispatched", "i1")]
        assert all(c.at.tzinfo is not None for c in history.resource_changes)
        assert [(a.id, a.version, a.level) for a in history.alert_versions] == [
            ("w1", 1, AlertLevel.ORANGE), ("w1", 2, AlertLevel.RED)]
        assert store.drill_history("nobody").actions == []
    finally:
        store.close()
