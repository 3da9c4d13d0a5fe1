"""The running wall (in-process, no feeds): WallApp.open_details puts the detail panel over the page within
300 ms from the store; the alert banner runs across the window; a click on a tile row opens its details."""
from __future__ import annotations

import asyncio
import time

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from commandcenter.config import config_from_dict
from commandcenter.ui.details import DetailPanel

from tests.support import wall_data as W
from tests.support.fixtures import eventually_holds

PAGE = {"name": "总览", "rows": 2, "columns": 2, "tiles": [
    {"kind": "incidents", "row": 0, "column": 0},
    {"kind": "alerts", "row": 0, "column": 1},
    {"kind": "resources", "row": 1, "column": 0},
    {"kind": "kpis", "row": 1, "column": 1},
]}


def test_open_details_on_the_wall(ui, qloop, sqlite_url, clock):
    from commandcenter.ui.app import WallApp

    config = config_from_dict({"wall": {"kiosk": False}, "pages": [PAGE]})
    wall = WallApp(config, sqlite_url, clock=clock)

    async def scenario() -> None:
        await wall.start(show=False)
        try:
            window = wall.window
            window.resize(1920, 1080)
            applied = await wall.pipeline.in_store(wall.store.apply, "city", territory=W.territory(),
                                                   incidents=W.incidents(), alerts=W.alerts(), resources=W.resources())
            wall.live.apply(territory=applied.territory, incidents=applied.incidents, alerts=applied.alerts,
                            resources=applied.resources)
            # the band across the wall: the unacknowledged red warning alone, the orange one counted beside it
            assert await eventually_holds(lambda: len(window.banner.texts()) == 1)
            assert window.banner.texts()[0].startswith("⚠ Ⅰ 红色预警") and window.banner.flashing

            t0 = time.perf_counter()
            wall.open_details("incident", "E1")
            panel = window.detail_widget
            assert isinstance(panel, DetailPanel) and panel.kind == "incident" and panel.isVisibleTo(window)
            assert await eventually_holds(lambda: panel.state.text() in ("已读取存储", "✓ 已完整"), 1.0)
            print("details timings", window.details.timings)
            assert (time.perf_counter() - t0) < 0.3                                 # from the store within 300 ms
            assert "2026-11-23 09:51:00 · 受理 · 王五 · 司法所 · 已受理" in panel.text()
            area = window.page_view.geometry()
            assert area.contains(panel.geometry().center())                         # over the page, on the wall
            await asyncio.sleep(0.1)
            assert window.grab().toImage().save("/tmp/tile-wall-detail.png")       # looked at by a person

            # one click on an alert row opens the alert's details, replacing the incident's
            tile = next(t for t in window.tiles() if t.kind == "warnings")
            row = tile.model.row_of("A3")
            QTest.mouseClick(tile.view.viewport(), Qt.MouseButton.LeftButton,
                             pos=tile.view.visualRect(tile.model.index(row, 2)).center())
            assert window.detail_widget.kind == "alert" and window.detail_widget.record_id == "A3"
            assert ("alert", "A3", None) in wall.details_log
            window.detail_widget.close_button.click()
            assert window.detail_widget.isHidden()
        finally:
            await wall.stop()

    qloop.run_until_complete(scenario())
