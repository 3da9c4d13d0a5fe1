"""The whole wall with cameras: a camera feed and video tiles from the config, the console pushing cameras to a
tile, a red warning bringing its preset up until acknowledged. Against the simulator on 127.0.0.1."""
from __future__ import annotations

from datetime import datetime, UTC

import pytest

from commandcenter.config import config_from_dict
from commandcenter.domain import ActionKind, Alert, AlertLevel, AlertStatus, AlertType
from commandcenter.sim.video import ffmpeg_path

pytestmark = [pytest.mark.skipif(ffmpeg_path() is None, reason="Debian package ffmpeg not installed"),
              pytest.mark.usefixtures("gc_on_the_loop_thread")]  # players, walls and simulators share this process

START = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
PAGES = [{"name": "视频", "rows": 1, "columns": 2, "tiles": [
    {"kind": "incidents", "row": 0, "column": 0},
    {"kind": "video", "title": "路口视频", "slots": 1, "cameras": ["CAM003"], "row": 0, "column": 1}]}]


@pytest.fixture
def sim():
    from commandcenter.sim import run_in_thread

    s = run_in_thread(profile="street", seed=8, history_hours=0.2, start_time=START, hold_clock=True)
    yield s
    s.stop()


def test_a_wall_with_cameras(qloop, tmp_path, sim, eventually):
    from commandcenter.ui.app import WallApp
    from commandcenter.ui.console import ConsoleWindow
    from commandcenter.ui.wall_control import WallConsoleControl
    from commandcenter.ui.tiles.video import VideoTile
    from commandcenter.ui.video import PlayState

    config = config_from_dict({
        "wall": {"kiosk": False, "rotate_seconds": 0, "alert_takeover": False}, "pages": PAGES,
        "duty": [{"name": "王建国", "role": "值班长", "seat": "1号席"}],
        "feeds": [{"name": "city", "url": sim.url},
                  {"name": "cameras", "kind": "cameras", "url": sim.url, "interval": 5,
                   "media_allow_networks": ["127.0.0.1/32"]}],
        "video": {"presets": [{"name": "红警联动", "page": "视频", "tile": "路口视频", "on": ["red_warning"]}]}})
    wall = WallApp(config, f"sqlite:///{tmp_path / 'wall.db'}", clock=sim.server.clock.now)
    qloop.run_until_complete(wall.start(show=False))
    desk = ConsoleWindow(WallConsoleControl(wall))
    try:
        tile = wall.video_tiles.tiles("路口视频")[0]
        assert isinstance(tile, VideoTile)

        async def scenario() -> None:
            assert await eventually(lambda: tile.players[0].state is PlayState.PLAYING, 40)
            assert tile.showing() == ["CAM003"]
            desk.sign_in("王建国", "1号席")
            assert desk.video_tile.currentText() == "路口视频"
            desk.video_cameras.setText("CAM004")
            desk.push_cameras()
            assert tile.showing() == ["CAM004"]
            assert await eventually(lambda: tile.players[0].state is PlayState.PLAYING, 40)
            # a red warning near CAM001 brings the preset up with the camera nearest it
            cam1 = wall.cameras.camera("CAM001")
            assert cam1 is not None
            alert = Alert(id="RED1", version=1, updated_at=START, level=AlertLevel.RED, type=AlertType.WEATHER,
                          title="暴雨红色预警", status=AlertStatus.ACTIVE, issued_at=START, grid_ids=(cam1.grid_id,))
            grid = wall.live.territory[cam1.grid_id]
            centre = (sum(p[0] for p in grid.polygon) / len(grid.polygon),
                      sum(p[1] for p in grid.polygon) / len(grid.polygon))
            wall.live.apply(alerts=[alert])
            assert tile.preset_active and tile.badge.text() == "预案 红警联动"
            assert tile.showing() == [wall.cameras.nearest(*centre, 1)[0].camera.id]
            await wall.alert_actions.acknowledge("RED1", "王建国")
            assert not tile.preset_active and tile.showing() == ["CAM004"]
            tile.stop_all()
        qloop.run_until_complete(scenario())
        actions = qloop.run_until_complete(wall.pipeline.in_store(wall.store.actions_since, 0))
        assert any(a.kind is ActionKind.PUSH_TO_WALL and a.target_kind == "camera" and a.target_id == "CAM004"
                   for a in actions)
    finally:
        desk.close_quietly()
        qloop.run_until_complete(wall.stop())


def test_video_tiles_and_presets_follow_a_config_reload(qloop, tmp_path, sim, eventually):
    from commandcenter.ui.app import WallApp
    from commandcenter.ui.tiles.video import VideoTile

    def config(tile: dict, presets: list[dict]):
        return config_from_dict({
            "wall": {"kiosk": False, "rotate_seconds": 0, "alert_takeover": False},
            "pages": [{"name": "视频", "rows": 1, "columns": 2, "tiles": [
                {"kind": "incidents", "row": 0, "column": 0}, {"kind": "video", "row": 0, "column": 1, **tile}]}],
            "feeds": [{"name": "city", "url": sim.url},
                      {"name": "cameras", "kind": "cameras", "url": sim.url, "interval": 5,
                       "media_allow_networks": ["127.0.0.1/32"]}],
            "video": {"presets": presets}})

    first = config({"title": "路口视频", "slots": 1, "cameras": ["CAM003"]},
                   [{"name": "红警联动", "page": "视频", "tile": "路口视频", "on": ["red_warning"]}])
    wall = WallApp(first, f"sqlite:///{tmp_path / 'wall.db'}", clock=sim.server.clock.now)
    qloop.run_until_complete(wall.start(show=False))
    try:
        async def scenario() -> None:
            old = wall.video_tiles.tiles("路口视频")[0]
            assert old.showing() == ["CAM003"]
            cam1 = wall.cameras.camera("CAM001")
            alert = Alert(id="RED1", version=1, updated_at=START, level=AlertLevel.RED, type=AlertType.WEATHER,
                          title="暴雨红色预警", status=AlertStatus.ACTIVE, issued_at=START, grid_ids=(cam1.grid_id,))
            wall.live.apply(alerts=[alert])
            assert old.preset_active

            # the tile grows to four cameras: a new tile plays them, the preset still up holds it
            wall.apply_config(config({"title": "路口视频", "slots": 4, "cameras": ["CAM005"]},
                                     [{"name": "红警联动", "page": "视频", "tile": "路口视频", "on": ["red_warning"]}]))
            tiles = wall.video_tiles.tiles("路口视频")
            assert len(tiles) == 1 and tiles[0] is not old and isinstance(tiles[0], VideoTile)
            tile = tiles[0]
            assert old.retired and old.showing() == [], "the retired tile's streams ended"
            assert len(tile.players) == 4 and tile.preset_active and tile.badge.text() == "预案 红警联动"

            # the preset renamed and moved to another tile title: the unacknowledged warning brings it up there
            wall.apply_config(config({"title": "重点视频", "slots": 4, "cameras": ["CAM005"]},
                                     [{"name": "红警调度", "page": "视频", "tile": "重点视频", "on": ["red_warning"]}]))
            tile = wall.video_tiles.tiles("重点视频")[0]
            assert tile.preset_active and tile.badge.text() == "预案 红警调度"
            await wall.alert_actions.acknowledge("RED1", "王建国")
            assert not tile.preset_active and tile.showing()[0] == "CAM005", "its own cameras back"
            tile.stop_all()
        qloop.run_until_complete(scenario())
    finally:
        qloop.run_until_complete(wall.stop())
