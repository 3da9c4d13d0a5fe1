"""Presets and rules: a red warning brings its preset up with the cameras nearest it; acknowledged, it goes down."""
from __future__ import annotations

from datetime import datetime, UTC

import pytest

from tests.support import wall_data as W
from commandcenter.config import config_from_dict
from commandcenter.config.schema import FeedSection, VideoPreset
from commandcenter.domain import AlertLevel, AlertType, Status
from commandcenter.domain.cameras import Camera, CameraStatus
from commandcenter.feeds.cameras import CameraFeed
from commandcenter.services import LiveState
from commandcenter.services.cameras import CameraDirectory
from commandcenter.services.video_presets import triggers_of, within
from commandcenter.ui.tiles.video import VideoTile
from commandcenter.ui.video_presets import PresetController, VideoTileRegistry


def directory_near_grid(grid_no: int) -> CameraDirectory:
    """Six cameras: three in the grid (a few metres apart), three far away."""
    lon, lat = W.centre(grid_no)
    cams = [Camera(f"N{i}", f"近{i}", lon + i * 0.0001, lat, f"G{grid_no}", CameraStatus.ONLINE, ("hls",))
            for i in range(3)]
    cams += [Camera(f"F{i}", f"远{i}", lon + 1 + i, lat + 1, "", CameraStatus.ONLINE, ("hls",)) for i in range(3)]
    feed = CameraFeed(FeedSection(name="cams", kind="cameras", url="https://vms.example.org/api"), None)
    feed.catalogue.cameras = {c.id: c for c in cams}
    return CameraDirectory([feed])


def make(qtbot, presets: list[VideoPreset]):
    live = LiveState()
    live.apply(territory=W.territory())
    registry = VideoTileRegistry()
    tile = VideoTile(live, None, lambda: datetime.now(UTC), slots=4, cameras=["F2"], title="预案视频")
    qtbot.addWidget(tile)
    registry.add("预案视频", tile)
    acknowledge: list = []
    controller = PresetController(live, presets, directory_near_grid(1), registry, acknowledged=acknowledge.append)
    return live, tile, controller, acknowledge[0]


def test_a_red_warning_brings_its_preset_up_with_the_nearest_cameras_and_acknowledging_takes_it_down(qtbot):
    preset = VideoPreset(name="暴雨红警", page="视频", tile="预案视频", cameras=["F0"], on=["red_warning"])
    live, tile, controller, acknowledged = make(qtbot, [preset])
    assert tile.showing() == ["F2"]
    live.apply(alerts=[W.alert("Y1", AlertLevel.YELLOW, grid_ids=("G1",))])
    assert not tile.preset_active, "a yellow warning brings nothing up"
    live.apply(alerts=[W.alert("R1", AlertLevel.RED, grid_ids=("G1",))])
    assert tile.preset_active
    assert tile.showing() == ["F0", "N0", "N1", "N2"], "the preset's own camera, then the nearest"
    assert tile.badge.text() == "预案 暴雨红警" and tile.badge.isVisibleTo(tile)
    live.apply(alerts=[W.alert("R2", AlertLevel.RED, grid_ids=("G1",))])
    assert controller.history == [("up", "暴雨红警", ("F0", "N0", "N1", "N2"))], "one record holds a preset"
    acknowledged("R1")
    assert not tile.preset_active and tile.showing() == ["F2"] and not tile.badge.isVisibleTo(tile)
    assert controller.history[-1] == ("down", "暴雨红警", ())
    tile.stop_all()


def test_a_drills_preset_is_badged_and_an_area_limits_the_rule(qtbot):
    preset = VideoPreset(name="告警联动", page="视频", tile="预案视频", on=["device_alarm", "emergency"], area="G1")
    live, tile, controller, acknowledged = make(qtbot, [preset])
    live.apply(alerts=[W.alert("A2", AlertLevel.BLUE, type=AlertType.IOT, grid_ids=("G2",))])
    assert not tile.preset_active, "outside the preset's area"
    live.apply(incidents=[W.incident("E9", 1, emergency=True, drill_id="D1")])
    assert tile.preset_active and tile.badge.text() == "【演练】预案 告警联动"
    assert tile.showing()[0] == "N0"
    closed = W.incident("E9", 1, emergency=True, drill_id="D1", version=2, status=Status.CLOSED, closed_at=W.T0)
    live.apply(incidents=[closed])
    assert not tile.preset_active, "a closed emergency takes its preset down"
    tile.stop_all()


def test_rule_helpers() -> None:
    territory = {n.id: n for n in W.territory()}
    grid = next(n for n in territory.values() if n.parent_id)
    assert within(territory, grid.id, grid.id) and within(territory, grid.id, grid.parent_id or "")
    assert not within(territory, grid.id, "nowhere")
    assert triggers_of(W.alert("R", AlertLevel.RED)) == {"red_warning"}
    assert triggers_of(W.alert("O", AlertLevel.ORANGE)) == set()
    assert triggers_of(W.incident("E", emergency=True)) == {"emergency"}


def test_a_preset_must_name_a_video_tile_of_a_page() -> None:
    page = {"name": "视频", "tiles": [{"kind": "video", "title": "预案视频", "row": 0, "column": 0}]}
    ok = {"pages": [page], "video": {"presets": [{"name": "p", "page": "视频", "tile": "预案视频",
                                                  "on": ["red_warning"]}]}}
    assert config_from_dict(ok).video.presets[0].name == "p"
    for bad in ({"page": "无此页"}, {"tile": "无此图块"}, {"on": ["earthquake"]}):
        doc = {**ok, "video": {"presets": [{**ok["video"]["presets"][0], **bad}]}}
        with pytest.raises(Exception, match="video.presets"):
            config_from_dict(doc)
