"""The sensors tile (issue 22 point 5): counts by type and status, the worst readings with sparklines; a click
opens the device's details with its 24-hour chart from the store; the map draws the devices by status."""
from __future__ import annotations

from tests.support import wall_data as W
import numpy as np
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QImage
from commandcenter.config import config_from_dict
from commandcenter.domain.sensors import SensorStatus, SensorType
from commandcenter.services import IngestPipeline, LiveState
from commandcenter.store import Store
from commandcenter.ui.details import DetailController, DetailPanel
from commandcenter.ui.tiles.sensors import RowsPicture, SensorsTile


def test_counts_worst_readings_and_a_click_opening_the_devices_chart(ui, qtbot, qloop, sqlite_url, clock) -> None:
    out = W.sensor_outcome()
    store = Store.open(sqlite_url)
    store.apply("iot", territory=W.territory(), sensors=out.sensors, readings=out.readings, alerts=out.alerts)
    live = LiveState()
    live.apply(territory=W.territory(), sensors=store.sensors(), alerts=out.alerts)
    tile = SensorsTile(live, feeds=["iot"])
    qtbot.addWidget(tile)
    tile.resize(900, 700)
    tile.show()
    tile.flush()
    rows = {tile.cell_text(r, 0): [tile.cell_text(r, c) for c in range(1, 5)] for r in range(len(SensorType))}
    assert rows["积水水位"] == ["1", "0", "1", "0"]          # total, normal, alarm, offline
    assert rows["井盖"] == ["8", "8", "0", "0"]
    assert rows["燃气"] == ["1", "0", "0", "1"]              # silent since 50 minutes before: offline
    worst = tile.worst.rows
    assert worst[0].id == "WL1" and worst[0].level == 3 and worst[0].status is SensorStatus.ALARM
    assert tile.worst.row_texts(worst[0])[1] == "0.49 m"
    assert "GS1" not in [s.id for s in worst]                # an offline device has no reading to rank
    # the sparkline's recent values come from the changes the tile saw
    live.apply(sensors=[out.sensors[-1]])
    assert len(tile.book.history["WL1"]) >= 1
    tile.grab()                                              # paints rows and sparklines without error

    pipeline = IngestPipeline(config_from_dict({}), store, live)
    shown: list[DetailPanel] = []
    ctl = DetailController(live, shown.append, in_store=pipeline.in_store, store=store, clock=clock)
    tile.sensor_activated.connect(lambda sid: ctl.open("sensor", sid))
    row_h = tile.worst.row_height()
    qtbot.mouseClick(tile.worst, Qt.MouseButton.LeftButton, pos=QPoint(20, int(row_h / 2)))
    assert shown and shown[-1].kind == "sensor" and shown[-1].record_id == "WL1"
    qloop.run_until_complete(ctl.complete("sensor", "WL1"))
    text = ctl.panel.text()
    assert "立交桥积水1号" in ctl.panel.title.text()
    assert "读数：0.49 m" in text and "状态：告警" in text and "近24小时读数" in text
    from commandcenter.ui.sensor_chart import SensorChart

    charts = [w for w in ctl.panel.widgets() if isinstance(w, SensorChart)]
    assert charts and charts[0].points == 12
    qloop.run_until_complete(pipeline.close())
    store.close()


def test_the_map_draws_devices_by_status_and_redraws_only_groups_that_changed(ui, qtbot) -> None:
    from commandcenter.ui.map import GridMap
    from commandcenter.ui.map.sensors import SensorLayer

    out = W.sensor_outcome()
    live = LiveState()
    live.apply(territory=W.territory())
    grid_map = GridMap()
    qtbot.addWidget(grid_map)
    grid_map.set_territory(list(live.territory.values()))
    layer = SensorLayer.attach(grid_map, live)
    live.apply(sensors=out.sensors)
    layer.flush()
    assert layer.shown[(SensorStatus.NORMAL, 0)] == 8 and layer.shown[(SensorStatus.ALARM, 3)] == 1
    assert layer.shown[(SensorStatus.OFFLINE, 0)] == 0       # GS1 has no position: not placed
    assert not layer._dirty                                   # noqa: SLF001 - nothing left to redraw
    assert grid_map.layers["sensors"] is layer.item            # through the map's layer hook
    live.replace(sensors=[s for s in live.sensors.values() if s.id == "WL1"])    # a replay jump
    layer.flush()
    assert layer.shown[(SensorStatus.NORMAL, 0)] == 0 and layer.shown[(SensorStatus.ALARM, 3)] == 1


def test_a_wholesale_replacement_leaves_only_the_devices_the_live_state_now_holds(ui, qtbot) -> None:
    """A replay jump (Change.reset) shows the past's devices: none of the present's stay counted on the tile."""
    out = W.sensor_outcome()
    live = LiveState()
    live.apply(territory=W.territory(), sensors=out.sensors)
    tile = SensorsTile(live, feeds=["iot"])
    qtbot.addWidget(tile)
    tile.flush()
    assert tile.cell_text(list(SensorType).index(SensorType.MANHOLE), 1) == "8"
    past = [s for s in live.sensors.values() if s.id == "WL1"]
    live.replace(sensors=past)
    tile.flush()
    rows = {tile.cell_text(r, 0): tile.cell_text(r, 1) for r in range(len(SensorType))}
    assert rows["积水水位"] == "1" and rows["井盖"] == "0" and rows["配电箱温度"] == "0"
    assert [s.id for s in tile.worst.rows] == ["WL1"]


def test_a_reading_is_drawn_whole_however_long_its_devices_name(ui) -> None:
    """The readings stand in a column of their own: a long name is cut, the reading beside it never is."""
    font = QFont()
    font.setPixelSize(24)
    empty = np.array([])

    def picture(name: str) -> QImage:
        rows = ((name, "32.5 °", QColor("orange"), empty), ("短名 · 井盖", "0.49 m", QColor("red"), empty))
        return RowsPicture(900, 200, 1.0, font, rows).draw()

    short, long = picture("短名 · 井盖"), picture("金里村第十一网格的一个名字很长很长很长很长很长的烟感设备 · 烟感")
    value_column = QRect(900 - 270 - 12 - QFontMetrics(font).horizontalAdvance("32.5 °"), 0, 120, 40)
    assert short.copy(value_column) == long.copy(value_column)          # the reading, whole and in its place
    assert not _blank(short.copy(value_column))
    assert short.copy(QRect(12, 0, 300, 40)) != long.copy(QRect(12, 0, 300, 40))


def _blank(image: QImage) -> bool:
    return all(image.pixelColor(x, y).alpha() == 0 for x in range(image.width()) for y in range(image.height()))
