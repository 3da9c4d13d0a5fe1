"""The map tile (issue 6.5 wiring): GridMap fed from the live state, coalesced; clicks on a marker, a grid
and an alert open the right details."""
from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

from commandcenter.config import config_from_dict
from commandcenter.domain import AlertLevel, Severity, Status
from commandcenter.ui.map.cells import load_step
from commandcenter.ui.tiles import TILE_BUILDERS, TileContext

from tests.support import wall_data as W

SECTION = config_from_dict({"pages": [{"name": "p", "rows": 1, "columns": 1,
                                       "tiles": [{"kind": "map", "row": 0, "column": 0}]}]}).pages[0].tiles[0]


def click(tile, lon, lat):
    pt = tile.map.map_to_widget(lon, lat)
    QTest.mouseClick(tile.map.plot.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     QPoint(round(pt.x()), round(pt.y())))


def test_map_tile_feeds_from_live_state_and_routes_clicks(ui, clock, qtbot):
    live = W.live_city(alerts=[W.alert("A9", AlertLevel.RED, polygons=(W.square(2, 1),), grid_ids=("G6",))],
                       resources=[])
    opened = []
    ctx = TileContext(live, config_from_dict({}), clock, open_details=lambda k, i: opened.append((k, i)))
    tile = TILE_BUILDERS["map"](ctx, SECTION)
    qtbot.addWidget(tile)
    tile.resize(1000, 800)
    tile.show()
    qtbot.waitExposed(tile)
    tile.map.reset_view()
    assert tile.map.geo.count == 6
    assert tile.map.cells.step_of("G1") == 1                   # one open incident (E1)
    assert tile.map.cells.step_of("G3") == 0                   # E6 is closed
    assert tile.map.incidents.total == 5
    # a marker: incident E1 sits at the centre of grid 1
    click(tile, *W.centre(1))
    assert opened[-1] == ("incident", "E1")
    # a grid without markers (G3's lower-left corner area)
    lon, lat = W.centre(3)
    click(tile, lon - W.CELL * 0.35, lat - W.CELL * 0.35)
    assert opened[-1] == ("grid", "G3")
    # an alert: its outline (G6's square) — the bottom edge's midpoint
    click(tile, W.LON0 + 2.5 * W.CELL, W.LAT0 + W.CELL)
    assert opened[-1] == ("alert", "A9")
    # coalesced update: a new incident in G3 shows after the flush, not per record
    live.apply(incidents=[W.incident("E8", 3, title="新事件")])
    assert tile.map.cells.step_of("G3") == 0
    qtbot.waitUntil(lambda: tile.map.cells.step_of("G3") == 1, timeout=2000)


def make_tile(live, clock, qtbot):
    ctx = TileContext(live, config_from_dict({}), clock, open_details=lambda k, i: None)
    tile = TILE_BUILDERS["map"](ctx, SECTION)
    qtbot.addWidget(tile)
    tile.resize(800, 600)
    return tile


def test_per_grid_counts_kept_from_changes_equal_a_recount_from_scratch(ui, clock, qtbot):
    live = W.live_city(resources=[])                     # E1..E5 open, E6 closed
    tile = make_tile(live, clock, qtbot)
    assert tile.open_per_grid == live.open_per_grid()
    e = {i.id: i for i in live.incidents.values()}
    live.apply(incidents=[W.incident("N1", 3), W.incident("N2", 3), W.incident("N3", 6, drill_id="DR1")])  # opened
    live.apply(incidents=[W.bump(e["E1"], status=Status.CLOSED, closed_at=W.T0)])                         # closed
    live.apply(incidents=[W.bump(e["E2"], grid_id="G5")])                                                 # moved
    live.apply(incidents=[W.bump(e["E6"], status=Status.HANDLING)])                                       # reopened
    live.apply(incidents=[W.bump(e["E3"])])                                                               # same grid
    closed = live.incidents["E1"]
    live.retention = timedelta(0)
    gone = live.prune(closed.closed_at + timedelta(seconds=1))                                            # removed
    assert "E1" in gone.removed_incidents
    assert tile.open_per_grid == live.open_per_grid() == {"G3": 3, "G4": 1, "G5": 2, "G6": 2}
    assert "G1" not in tile.open_per_grid                  # a grid whose last open incident closed has no entry
    tile.flush()
    assert all(tile.map.cells.step_of(f"G{g}") == load_step(live.open_per_grid().get(f"G{g}", 0)) for g in range(1, 7))
    assert tile.map.incidents.total == sum(live.open_per_grid().values())


def test_markers_not_refilled_when_new_incidents_rank_below_those_shown(ui, clock, qtbot, monkeypatch):
    from commandcenter.ui.map import markers
    monkeypatch.setattr(markers, "MAX_INCIDENT_MARKERS", 3)
    live = W.live_city(resources=[])
    tile = make_tile(live, clock, qtbot)
    tile.flush()
    fills, ids = tile.map.incidents.item.fills, list(tile.map.incidents.ids)
    assert len(ids) == 3
    live.apply(incidents=[W.incident(f"L{n}", 2, severity=Severity.LOW, minutes_ago=100 + n) for n in range(5)])
    tile.flush()
    assert tile.map.incidents.item.fills == fills         # same three markers: the marker item kept its points
    assert tile.map.incidents.total == 10
    live.apply(incidents=[W.incident("C1", 2, severity=Severity.CRITICAL, minutes_ago=0)])
    tile.flush()
    assert "C1" in tile.map.incidents.ids and tile.map.incidents.item.fills == fills + 1


def test_per_grid_counts_follow_a_replay_that_replaces_the_whole_state(ui, clock, qtbot):
    from commandcenter.services.replay import replace_state
    live = W.live_city(resources=[])
    tile = make_tile(live, clock, qtbot)
    replace_state(live, {"incidents": [W.incident("P1", 4), W.incident("P2", 4)]})    # the past: other incidents
    assert tile.open_per_grid == live.open_per_grid() == {"G4": 2}
    replace_state(live, {})                                                             # an empty past
    assert tile.open_per_grid == live.open_per_grid() == {}
    tile.flush()
    assert tile.map.incidents.total == 0 and tile.map.incidents.ids == []


def _ranked_from_scratch(live, tile) -> list[str]:
    """The markers IncidentMarkers picks from every open incident (most severe, then most recent), in draw order."""
    from commandcenter.ui.map import markers
    index = tile.map.geo.index
    shown = [i for i in live.incidents.values() if i.status.is_open
             and ((i.lon is not None and i.lat is not None) or i.grid_id in index)]
    shown.sort(key=lambda i: (i.severity, i.reported_at), reverse=True)
    return [i.id for i in reversed(shown[:markers.MAX_INCIDENT_MARKERS])]


def test_the_marker_ranking_kept_from_changes_picks_what_a_ranking_from_scratch_picks(ui, clock, qtbot, monkeypatch):
    from commandcenter.ui.map import markers
    monkeypatch.setattr(markers, "MAX_INCIDENT_MARKERS", 6)
    live = W.live_city(resources=[])                     # E1..E5 open, E6 closed
    tile = make_tile(live, clock, qtbot)
    tile.flush()
    assert tile.map.incidents.ids == _ranked_from_scratch(live, tile)
    e = {i.id: i for i in live.incidents.values()}
    live.apply(incidents=[W.incident("N1", 3, minutes_ago=1), W.incident("N2", 3, severity=Severity.LOW, minutes_ago=2),
                          W.incident("N3", 6, severity=Severity.CRITICAL, minutes_ago=40),
                          W.incident("N4", 2, minutes_ago=4, grid_id="NOT-A-GRID", lon=None, lat=None)])  # unplaceable
    live.apply(incidents=[W.bump(e["E1"], status=Status.CLOSED, closed_at=W.T0)])                          # closed
    live.apply(incidents=[W.bump(e["E2"], severity=Severity.LOW)])                                        # re-ranked
    live.apply(incidents=[W.bump(e["E6"], status=Status.HANDLING)])                                       # reopened
    closed = live.incidents["E1"]
    live.retention = timedelta(0)
    assert "E1" in live.prune(closed.closed_at + timedelta(seconds=1)).removed_incidents                # removed
    tile.flush()
    assert tile.map.incidents.ids == _ranked_from_scratch(live, tile)
    assert "N4" not in tile.map.incidents.ids and "E1" not in tile.map.incidents.ids
    assert tile.map.incidents.total == 8                 # E2..E6, N1..N3: open and placeable
    live.apply(incidents=[W.incident(f"B{n}", 1 + n % 6, minutes_ago=0.1 * n, severity=Severity(1 + n % 4))
                          for n in range(300)])                                                              # a burst
    live.apply(incidents=[W.bump(live.incidents["B5"], status=Status.CLOSED, closed_at=W.T0)])   # out of a burst group
    tile.flush()
    assert tile.map.incidents.ids == _ranked_from_scratch(live, tile) and tile.map.incidents.total == 307
    live.apply(incidents=[W.incident("L1", 2, severity=Severity.LOW, minutes_ago=0.01)])    # into a group left unsorted
    live.apply(incidents=[W.bump(live.incidents["B8"], severity=Severity.CRITICAL)])
    tile.flush()
    assert tile.map.incidents.ids == _ranked_from_scratch(live, tile) and tile.map.incidents.total == 308
