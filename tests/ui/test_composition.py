"""The wall's composition root (ui.app.WallApp) builds each service once and owns it: every alert tile, every
window's banner and the console share one alert board; drills and replay reach windows and tiles by hand-over,
not by lookup; at stop every service QObject is deleted on the GUI thread."""
from __future__ import annotations

import shiboken6

from commandcenter.config import config_from_dict


def test_one_board_one_drill_manager_one_replay_handed_to_every_window_and_tile(qapp, qloop, sqlite_url):
    from commandcenter.ui.app import WallApp, make_app
    from commandcenter.ui.console import ConsoleWindow
    from commandcenter.ui.wall_control import WallConsoleControl
    from commandcenter.ui.tiles.alerts import AlertTile
    from commandcenter.ui.tiles.drill import DrillTile

    config = config_from_dict({
        "wall": {"kiosk": False, "rotate_seconds": 0},
        "pages": [{"name": "p", "rows": 1, "columns": 3, "tiles": [
            {"kind": "warnings", "row": 0, "column": 0}, {"kind": "alarms", "row": 0, "column": 1},
            {"kind": "drill", "row": 0, "column": 2}]}]})
    make_app(config)
    wall = WallApp(config, sqlite_url)

    async def scenario() -> None:
        await wall.start(show=False)
        desk = ConsoleWindow(WallConsoleControl(wall))
        try:
            board, window = wall.alert_board, wall.window
            assert board is not None and window is not None
            tiles = window.tiles()
            assert [t.model.board for t in tiles if isinstance(t, AlertTile)] == [board, board]
            assert window.banner.board is board
            assert [t.drills for t in tiles if isinstance(t, DrillTile)] == [wall.drills]
            assert window.drill_banner.drills is wall.drills and window.replay_banner.replay is wall.replay
            assert desk.replay is wall.replay and wall.replay is not None
            assert window.details.drills is wall.drills
        finally:
            desk.close_quietly()
            await wall.stop()

    qloop.run_until_complete(scenario())
    assert wall.alerts is not None
    for service in (wall.alerts.actions, wall.alerts.board, wall.alerts.alarm):
        assert not shiboken6.isValid(service), service       # deleted with the wall, on this thread
