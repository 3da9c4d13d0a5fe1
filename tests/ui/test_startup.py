"""A shown wall's start (issue 9): the first frame comes before the history has loaded, and once everything is in
the wall is what a full load gives: the same live state, every tile of every page built.

Real parts: an SQLite store file filled through Store.apply, the real WallApp under qasync, real widgets
offscreen (the wall is shown on the offscreen platform's screen, so it really paints)."""
from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from PySide6.QtCore import QEvent, QObject

from commandcenter.config import load_config
from commandcenter.domain import Category, DeadlineLevel, Status

from tests.support.wall import Clock, T0, alert, incident, page_toml

pytest.importorskip("commandcenter.store")

CONFIG = """
[wall]
title = "启动测试"
language = "zh_CN"
rotate_seconds = 30
kiosk = false

""" + page_toml("总览", 2, 2, [("incidents", 0, 0, 2), ("map", 0, 1), ("kpis", 1, 1)]) + "\n" + page_toml(
    "预警", 1, 2, [("alerts", 0, 0), ("resources", 0, 1)])

OPEN = 1_500      # well over the first frame's share (initial_load.FIRST_ROWS)
CLOSED = 300


def history() -> list:
    """Open incidents reported over three days (so some are overdue at T0 and some not, a few emergencies),
    and recently closed ones."""
    out = []
    for n in range(OPEN):
        reported = T0 - timedelta(minutes=3 * n)
        out.append(incident(n, at=reported, emergency=(n % 97 == 0),
                            status=Status.ACCEPTED if n % 3 else Status.REPORTED,
                            category=Category.SAFETY_HAZARD if n % 2 else Category.PETITION))
    for n in range(OPEN, OPEN + CLOSED):
        reported = T0 - timedelta(hours=1, minutes=n - OPEN)
        out.append(incident(n, at=reported, status=Status.CLOSED, closed_at=T0 - timedelta(minutes=30)))
    return out


@pytest.fixture
def filled(qapp, tmp_path, sqlite_url):
    """The config and a store holding the history and two live alerts."""
    from commandcenter.store import Store
    from commandcenter.ui.app import make_app

    path = tmp_path / "wall.toml"
    path.write_text(CONFIG, encoding="utf-8")
    config = load_config(path)
    make_app(config)
    store = Store.open(sqlite_url)
    records = history()
    for start in range(0, len(records), 500):
        store.apply("test", incidents=records[start:start + 500])
    store.apply("test", alerts=[alert("A1", at=T0), alert("A2", at=T0)])
    store.close()
    return config, sqlite_url


class FirstFrame(QObject):
    """Records, at the first Paint event of a wall window, how many incidents the live state holds and which
    kinds of tile the window has (the state the first frame is painted from)."""

    def __init__(self, wall):
        super().__init__()
        self.wall = wall
        self.incidents: int | None = None
        self.kinds: list[str] = []

    def eventFilter(self, obj, event):  # noqa: N802
        from commandcenter.ui.wall import WallWindow

        if self.incidents is None and event.type() == QEvent.Type.Paint and hasattr(obj, "window") \
                and isinstance(obj.window(), WallWindow):
            self.incidents = len(self.wall.live.incidents)
            self.kinds = [t.kind for t in self.wall.window.page_view.all_tiles()]
        return False


def tile_kinds(wall) -> dict[str, list[str]]:
    return {name: [t.kind for t in view.tiles] for name, view in wall.window.page_view.views.items()}


def test_the_first_frame_is_painted_before_the_rest_of_the_history_loads(qloop, filled, qapp, eventually):
    from commandcenter.services.initial_load import FIRST_ROWS
    from commandcenter.ui.app import WallApp

    config, url = filled
    wall = WallApp(config, url, clock=Clock())
    spy = FirstFrame(wall)
    qapp.installEventFilter(spy)

    async def scenario() -> None:
        try:
            await wall.start(show=True)
            assert await eventually(lambda: spy.incidents is not None)
            assert spy.incidents == FIRST_ROWS < OPEN
            # the map and the KPI charts (pyqtgraph) and the page not shown first come after the first frame
            assert spy.kinds == ["incidents", "pending", "pending", "pending", "pending"]
            await asyncio.wait_for(wall.wait_loaded(), 60)
            assert len(wall.live.incidents) == OPEN + CLOSED
        finally:
            qapp.removeEventFilter(spy)
            await wall.stop()

    qloop.run_until_complete(scenario())


def test_once_loaded_the_live_state_equals_a_full_load(qloop, filled):
    from commandcenter.services import IngestPipeline, LiveState
    from commandcenter.store import Store
    from commandcenter.ui.app import WallApp

    config, url = filled
    clock = Clock()
    wall = WallApp(config, url, clock=clock)

    async def scenario() -> None:
        try:
            await wall.start(show=True)
            await asyncio.wait_for(wall.wait_loaded(), 60)
            full = LiveState()
            store = Store.open(url)
            pipeline = IngestPipeline(config, store, full, clock=clock)
            try:
                await pipeline.load_initial_state()
            finally:
                await pipeline.close()
                store.close()
            assert wall.live.incidents == full.incidents
            assert wall.live.alerts == full.alerts and len(full.alerts) == 2
            assert wall.live.resources == full.resources
            assert wall.live.territory == full.territory
        finally:
            await wall.stop()

    qloop.run_until_complete(scenario())


def test_once_loaded_no_tile_is_missing_and_the_tiles_saw_the_whole_history(qloop, filled):
    from commandcenter.ui.app import WallApp

    config, url = filled
    wall = WallApp(config, url, clock=Clock())

    async def scenario() -> None:
        try:
            await wall.start(show=True)
            await asyncio.wait_for(wall.wait_loaded(), 60)
            assert tile_kinds(wall) == {"总览": ["incidents", "map", "kpis"], "预警": ["warnings", "resources"]}
            incidents, map_tile = wall.window.page_view.views["总览"].tiles[:2]
            incidents.model.flush()
            assert incidents.model.rowCount() == OPEN + CLOSED
            map_tile.flush()
            assert map_tile.open_per_grid == wall.live.open_per_grid()
            assert sum(map_tile.open_per_grid.values()) == OPEN
        finally:
            await wall.stop()

    qloop.run_until_complete(scenario())


def test_the_history_arrives_in_the_order_the_incident_table_shows(qloop, filled, qapp):
    """Batches after the first frame only add rows below those already shown: the loader's order is the table's."""
    from commandcenter.services import LiveState
    from commandcenter.services.initial_load import read_rest
    from commandcenter.store import Store
    from commandcenter.ui.app import WallApp
    from commandcenter.ui.models.incidents import IncidentTableModel

    config, url = filled
    clock = Clock()
    store = Store.open(url)
    try:
        limits = WallApp(config, url, clock=clock).category_limits()
        ordered = read_rest(store, clock(), limits)
    finally:
        store.close()
    live = LiveState()
    live.apply(incidents=ordered)
    model = IncidentTableModel(live, clock=clock, limits=limits)
    model.flush()
    assert [model.incident_at(r).id for r in range(model.rowCount())] == [i.id for i in ordered]
    levels = {model.deadline_at(r).level for r in range(model.rowCount())}
    assert DeadlineLevel.OVERDUE in levels and DeadlineLevel.OK in levels    # the order is not just "newest first"


def test_a_wall_stopped_while_its_history_loads_stops_cleanly(qloop, filled):
    from commandcenter.ui.app import WallApp

    config, url = filled
    wall = WallApp(config, url, clock=Clock())

    async def scenario() -> None:
        await wall.start(show=True)
        assert not wall.loaded
        await wall.stop()
        assert wall.store is None and not wall.windows

    qloop.run_until_complete(scenario())


def test_a_wall_not_shown_is_fully_loaded_when_start_returns(qloop, filled):
    from commandcenter.ui.app import WallApp

    config, url = filled
    wall = WallApp(config, url, clock=Clock())

    async def scenario() -> None:
        try:
            await wall.start(show=False)
            assert wall.loaded and len(wall.live.incidents) == OPEN + CLOSED
            assert tile_kinds(wall) == {"总览": ["incidents", "map", "kpis"], "预警": ["warnings", "resources"]}
        finally:
            await wall.stop()

    qloop.run_until_complete(scenario())


def test_history_loaded_during_a_replay_goes_where_the_feeds_write_and_is_there_back_live(qloop, filled):
    """A replay shows the past on the wall's LiveState and sends the writers to a shadow one (services.replay):
    the history still loading is current state, so it goes to the shadow like the feeds' records."""
    from commandcenter.services.initial_load import FIRST_ROWS
    from commandcenter.services.replay import LiveDetour
    from commandcenter.ui.app import WallApp

    config, url = filled
    wall = WallApp(config, url, clock=Clock())

    async def scenario() -> None:
        try:
            await wall.start(show=True)
            detour = LiveDetour(wall.commits, [])
            detour.enter()
            await asyncio.wait_for(wall.wait_loaded(), 60)
            assert len(wall.live.incidents) == FIRST_ROWS
            assert len(detour.shadow.incidents) == OPEN + CLOSED
            detour.leave()
            assert len(wall.live.incidents) == OPEN + CLOSED
        finally:
            await wall.stop()

    qloop.run_until_complete(scenario())
