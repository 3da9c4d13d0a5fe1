"""The incident tile as the table tests build it: a live city (or the given live state), its model and tile shown."""
from __future__ import annotations

from commandcenter.ui.models.incidents import IncidentTableModel
from commandcenter.ui.tiles import IncidentTile

from tests.support import wall_data as W


def incident_tile(qtbot, clock, live=None) -> IncidentTile:
    live = live or W.live_city()
    model = IncidentTableModel(live, clock=clock)
    tile = IncidentTile(live, model)
    model.setParent(tile)
    qtbot.addWidget(tile)
    tile.resize(1400, 700)
    tile.show()
    qtbot.waitExposed(tile)
    return tile
