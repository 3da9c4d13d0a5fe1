"""No emergency lost off the incident table (issue 19): when more open emergencies arrive than the table shows whole,
a bar over it counts the ones not shown; shown rows plus that count are every open emergency, and a click on the
bar lists the emergencies alone."""
from __future__ import annotations

import gc
from datetime import timedelta

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from commandcenter.config import PageSection, config_from_dict
from commandcenter.domain import Category, Severity
from commandcenter.ui.tiles import TILE_BUILDERS, TileContext
from commandcenter.ui.tiles.incidents import IncidentTile
from commandcenter.ui.wall import WallWindow
from tests.support import wall_data as W


def incident_wall(qtbot, clock, live, size=(1920, 1080)) -> IncidentTile:
    gc.collect()       # widgets an earlier test left behind go now, not from inside a paint of this wall
    ctx = TileContext(live, config_from_dict({}), clock)
    page = PageSection(name="p", rows=1, columns=2, tiles=[{"kind": "incidents", "row": 0, "column": 0}])
    window = WallWindow("大屏", live, page, lambda s: TILE_BUILDERS[s.kind](ctx, s), clock=clock)
    qtbot.addWidget(window)
    window.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen, True)
    window.setFixedSize(*size)
    window.show()
    qtbot.waitExposed(window)
    tile = window.tiles()[0]
    assert isinstance(tile, IncidentTile)
    return tile


def settle(tile: IncidentTile) -> None:
    """The tile laid out again now that the bar may have appeared (the table's height: the rows it shows whole)."""
    tile.layout().activate()
    tile.refresh_unseen()


def emergencies(n: int, start: int = 0) -> list:
    return [W.incident(f"X{start + i}", 1 + i % 6, title=f"突发事件{start + i}", category=Category.FIRE,
                       severity=Severity.CRITICAL, emergency=True, minutes_ago=30 - (start + i) * 0.01)
            for i in range(n)]


def accounted(tile: IncidentTile) -> tuple[set[str], set[str]]:
    """(emergency ids on the rows the table shows whole, emergency ids the bar counts)."""
    first, last = tile.shown_rows()
    on_rows = {tile.model.incident_at(r).id for r in range(first, last)
               if tile.model.incident_at(r).emergency and tile.model.incident_at(r).is_open}
    return on_rows, set(tile.unseen_emergency_ids())


def test_a_burst_of_emergencies_leaves_none_unaccounted_for_on_screen(ui, clock, qtbot):
    live = W.live_city()
    tile = incident_wall(qtbot, clock, live)
    tile.COUNT_MS = 0                                # the bar's every count shows at once (its pace aside)
    tile.flush()
    assert tile.unseen_bar.isHidden()                # one emergency (E4): on the table, nothing to count
    sent: set[str] = {"E4"}
    for burst in range(4):                           # bursts of 20 emergencies, the table holding far fewer rows
        batch = emergencies(20, start=burst * 20)
        sent |= {i.id for i in batch}
        live.apply(incidents=batch)
        tile.flush()
        settle(tile)
        on_rows, counted = accounted(tile)
        assert on_rows and counted and not on_rows & counted
        assert on_rows | counted == sent, "every emergency is on the table or in the bar's count"
        assert tile.unseen_bar.isVisible()
        assert f"另有 {len(counted):,} 起突发事件未显示" in tile.unseen_bar.text()
    # the newest are on the rows; the overdue routine row above them stays too
    assert "X79" in on_rows


def test_the_bar_appears_at_once_and_then_counts_at_a_readable_pace(ui, clock, qtbot):
    live = W.live_city()
    tile = incident_wall(qtbot, clock, live)
    live.apply(incidents=emergencies(20))
    tile.flush()
    assert tile.unseen_bar.isVisible()               # the flush that pushed emergencies off the rows shows it
    first = tile.unseen_bar.text()
    live.apply(incidents=emergencies(20, start=20))
    tile.flush()
    assert tile.unseen_bar.text() == first and tile._bar_timer.isActive()   # the next count waits its turn
    tile.refresh_unseen()                            # what the timer does when its turn comes
    assert f"另有 {len(tile.unseen_emergency_ids()):,} 起" in tile.unseen_bar.text()


def test_the_bar_lists_the_emergencies_alone_and_brings_every_incident_back(ui, clock, qtbot):
    live = W.live_city()
    tile = incident_wall(qtbot, clock, live)
    live.apply(incidents=emergencies(30))
    tile.flush()
    settle(tile)
    QTest.mouseClick(tile.unseen_bar, Qt.MouseButton.LeftButton)
    tile.flush()
    assert tile.emergencies_only()
    rows = [tile.model.incident_at(r) for r in range(tile.model.rowCount())]
    assert rows and all(i.emergency and i.is_open for i in rows) and len(rows) == 31
    on_rows, counted = accounted(tile)
    assert len(on_rows) + len(counted) == 31 and "只看突发事件" in tile.unseen_bar.text()
    QTest.mouseClick(tile.unseen_bar, Qt.MouseButton.LeftButton)
    tile.flush()
    assert not tile.emergencies_only() and tile.model.rowCount() > 31


def test_a_closed_emergency_leaves_the_count(ui, clock, qtbot):
    from dataclasses import replace

    from commandcenter.domain import Status

    live = W.live_city()
    tile = incident_wall(qtbot, clock, live)
    batch = emergencies(30)
    live.apply(incidents=batch)
    tile.flush()
    settle(tile)
    before = len(tile.unseen_emergency_ids())
    oldest = batch[0]                                # the oldest: at the bottom, so in the count
    assert oldest.id in tile.unseen_emergency_ids()
    live.apply(incidents=[replace(oldest, version=2, status=Status.CLOSED, closed_at=W.T0,
                                  updated_at=W.T0 + timedelta(seconds=1))])
    tile.flush()
    assert oldest.id not in tile.unseen_emergency_ids() and len(tile.unseen_emergency_ids()) == before - 1
