"""A wall in follow mode (`[store] follow = true`) runs no feed: a recorder (the ingest pipeline against the
simulator on loopback) writes the store, and the real offscreen wall shows what it committed; its health bar has
the store's entry; an acknowledgement recorded by another wall reaches this one (and its console's history) through the same path."""
from __future__ import annotations

from datetime import timedelta

import pytest

from commandcenter.config import config_from_dict
from commandcenter.domain import ActionKind, FeedState, OperatorAction
from commandcenter.services import IngestPipeline
from commandcenter.store import Store
from tests.support.faults import City, fast_feeds, incident, sse_config, utcnow
from tests.support.wall import alert

pytestmark = pytest.mark.usefixtures("gc_on_the_loop_thread")  # walls, feeds and simulators share this process


@pytest.fixture
def city():
    c = City()
    yield c
    c.stop()


def test_a_following_wall_shows_the_recorders_incidents_and_other_walls_acknowledgements(
        qapp, qloop, city, store_url, eventually):
    from commandcenter.ui.app import WallApp, make_app
    from commandcenter.ui.tiles.incidents import IncidentTile

    config = config_from_dict({
        "wall": {"kiosk": False, "rotate_seconds": 0},
        "store": {"url": store_url, "follow": True},
        "feeds": [{"name": "city", "kind": "native", "url": city.url, "mode": "sse"}],   # the recorder's, not ours
        "pages": [{"name": "p", "rows": 1, "columns": 1, "tiles": [{"kind": "incidents", "row": 0, "column": 0}]}]})
    make_app(config)
    wall = WallApp(config, store_url)
    recorder = IngestPipeline(sse_config(city.url), Store.open(store_url), runtime=None)
    other_wall = Store.open(store_url)

    async def scenario() -> None:
        from commandcenter.ui.console import ConsoleWindow
        from commandcenter.ui.wall_control import WallConsoleControl

        await wall.start(show=False)
        desk = ConsoleWindow(WallConsoleControl(wall))
        await recorder.start()
        fast_feeds(recorder)
        try:
            assert wall.following and wall.pipeline is not None and wall.pipeline.feeds == []
            city.publish([incident(i) for i in range(25)])
            assert await eventually(lambda: len(wall.live.incidents) == 25, timeout=30)
            window = wall.window
            assert window is not None
            table = next(t for t in window.tiles() if isinstance(t, IncidentTile))
            table.model.flush()
            assert {table.model.incident_at(r).id for r in range(table.model.rowCount())} == set(city.latest)
            assert wall.follower is not None and wall.follower.name == "数据存储"
            assert await eventually(lambda: wall.live.health.get("数据存储") is not None
                                    and wall.live.health["数据存储"].state is FeedState.LIVE, timeout=5)
            assert "数据存储" in window.health_bar.text_of("数据存储")
            red = alert("RED-1", at=utcnow())
            await recorder.in_store(recorder.store.apply, "city", alerts=[red])
            assert await eventually(lambda: "RED-1" in wall.live.alerts, timeout=10)
            actions = wall.alert_actions
            assert actions is not None and not actions.is_acknowledged("RED-1")
            other_wall.record_action(OperatorAction(
                kind=ActionKind.ACKNOWLEDGE, target_kind="alert", target_id="RED-1", actor="李四",
                console="sub-centre", at=utcnow()))
            assert await eventually(lambda: actions.is_acknowledged("RED-1"), timeout=1.0)
            assert await eventually(lambda: "李四" in desk.history.toPlainText(), timeout=1.0)   # the console too
            other_wall.record_action(OperatorAction(
                kind=ActionKind.SHELVE, target_kind="alert", target_id="RED-1", actor="李四", console="sub-centre",
                at=utcnow(), expires_at=utcnow() + timedelta(hours=1)))
            assert await eventually(lambda: actions.is_shelved("RED-1", utcnow()), timeout=1.0)
        finally:
            desk.close_quietly()
            await recorder.close()
            await wall.stop()

    try:
        qloop.run_until_complete(scenario())
    finally:
        recorder.store.close()
        other_wall.close()


def test_a_wall_started_after_an_alert_was_acknowledged_and_another_shelved_shows_both_so(
        qapp, qloop, store_url) -> None:
    """Operator actions recorded before the wall started (by another wall, or by this one before a restart)."""
    from commandcenter.ui.app import WallApp, make_app

    with Store.open(store_url) as other_wall:
        other_wall.apply("city", alerts=[alert("RED-1", at=utcnow()), alert("RED-2", at=utcnow())])
        for kind, target in ((ActionKind.ACKNOWLEDGE, "RED-1"), (ActionKind.SHELVE, "RED-2")):
            other_wall.record_action(OperatorAction(
                kind=kind, target_kind="alert", target_id=target, actor="李四", console="sub-centre", at=utcnow(),
                expires_at=utcnow() + timedelta(hours=1) if kind is ActionKind.SHELVE else None))
    config = config_from_dict({
        "wall": {"kiosk": False, "rotate_seconds": 0},
        "store": {"url": store_url, "follow": True},
        "pages": [{"name": "p", "rows": 1, "columns": 1, "tiles": [{"kind": "warnings", "row": 0, "column": 0}]}]})
    make_app(config)
    wall = WallApp(config, store_url)

    async def scenario() -> None:
        await wall.start(show=False)
        try:
            actions = wall.alert_actions
            assert actions is not None and set(wall.live.alerts) == {"RED-1", "RED-2"}
            assert actions.is_acknowledged("RED-1") and not actions.is_acknowledged("RED-2")
            assert actions.is_shelved("RED-2", utcnow()) and not actions.is_shelved("RED-1", utcnow())
        finally:
            await wall.stop()

    qloop.run_until_complete(scenario())
