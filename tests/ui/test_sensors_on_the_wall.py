"""City sensors on the running wall (issue 22 point 5): a click on a device's dot on the map opens its one-click
details with the 24-hour chart, as a click on an incident's marker does; the map's key has a row per device status;
the dots are sized for the wall as the incident markers are."""
from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

from commandcenter.config import config_from_dict
from commandcenter.ui import theme
from commandcenter.ui.details import DetailPanel
from commandcenter.ui.sensor_chart import SensorChart

from tests.support import wall_data as W

# the map in the overview's place (half the width of a 4K wall, under the key figures): its key fills the height
PAGE = {"name": "地图", "rows": 8, "columns": 6, "tiles": [
    {"kind": "incidents", "row": 0, "column": 0, "row_span": 8, "column_span": 3},
    {"kind": "map", "row": 2, "column": 3, "row_span": 6, "column_span": 3}]}


def test_a_click_on_a_device_on_the_map_opens_its_details_and_the_key_counts_the_devices(ui, qloop, sqlite_url,
                                                                                          clock, eventually):
    from commandcenter.ui.app import WallApp

    config = config_from_dict({"wall": {"kiosk": False}, "pages": [PAGE]})
    wall = WallApp(config, sqlite_url, clock=clock)
    out = W.sensor_outcome()

    async def scenario() -> None:
        await wall.start(show=False)
        try:
            window = wall.window
            window.resize(3840, 2160)
            window.show()
            applied = await wall.pipeline.in_store(wall.store.apply, "iot", territory=W.territory(),
                                                   sensors=out.sensors, readings=out.readings, alerts=out.alerts)
            wall.live.apply(territory=applied.territory, sensors=applied.sensors, alerts=applied.alerts)
            tile = next(t for t in window.tiles() if t.kind == "map")
            grid_map = tile.map
            # the layer redraws on its own timer: the dots of the eight covers (normal) and the flooded underpass
            assert await eventually(lambda: sum(tile.sensors.shown.values()) == 9, 5)
            grid_map.reset_view()

            rows = dict(grid_map.legend.rows())
            assert ("title", "城市感知设备") in grid_map.legend.rows()
            assert rows["sensor-normal"] == "正常  8"
            assert rows["sensor-alarm"] == "告警（按级别着色）  1"
            assert rows["sensor-offline"] == "离线  0"       # the silent gas detector has no position to draw
            key = grid_map.legend
            assert key.sizeHint().height() <= key.height(), "the key fitted again with the layer's rows: none cut off"
            key = key.grab().toImage()
            normal = theme.SENSOR_NORMAL.rgb()
            assert any(key.pixel(x, y) == normal for x in range(key.width()) for y in range(key.height())), \
                "the normal row's dot is drawn in the layer's colour"

            # sized for the room as the map's own markers: on a 4K wall twice their theme size
            assert tile.sensors.item.scale == grid_map.incidents.item.scale == pytest.approx(2.0)
            dots = grid_map.plot.viewport().grab().toImage()
            pt = grid_map.map_to_widget(W.LON0 + 0.003, W.LAT0 + 0.003)     # cover MH3, a normal device
            across = [x for x in range(round(pt.x()) - 20, round(pt.x()) + 21) if dots.pixel(x, round(pt.y())) == normal]
            assert len(across) >= 2 * theme.MAP_SENSOR_NORMAL_PX - 2, across

            def click(lon: float, lat: float) -> None:
                pt = grid_map.map_to_widget(lon, lat)
                QTest.mouseClick(grid_map.plot.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                                 QPoint(round(pt.x()), round(pt.y())))

            click(W.LON0 + 0.002, W.LAT0 + 0.002)                # the flooded underpass WL1 (alarm, level 3)
            panel = window.detail_widget
            assert isinstance(panel, DetailPanel) and (panel.kind, panel.record_id) == ("sensor", "WL1")
            assert panel.isVisibleTo(window)
            assert ("sensor", "WL1", None) in wall.details_log
            assert await eventually(lambda: any(isinstance(w, SensorChart) for w in panel.widgets()), 5)
            chart = next(w for w in panel.widgets() if isinstance(w, SensorChart))
            assert chart.points == 12                            # its hour of readings from the store
            assert "立交桥积水1号" in panel.title.text() and "状态：告警" in panel.text()

            click(W.LON0 + 0.003, W.LAT0 + 0.003)                # cover MH3, a normal device
            assert (window.detail_widget.kind, window.detail_widget.record_id) == ("sensor", "MH3")
            lon, lat = W.centre(3)                               # no device there: the grid, as before
            click(lon - W.CELL * 0.35, lat - W.CELL * 0.35)
            assert (window.detail_widget.kind, window.detail_widget.record_id) == ("grid", "G3")
        finally:
            await wall.stop()

    qloop.run_until_complete(scenario())
