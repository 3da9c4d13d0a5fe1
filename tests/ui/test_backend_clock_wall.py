"""One clock: a wall against a backend whose clock is 40 s behind counts its 1-10-20 and other deadlines on
the backend's time (the time the incidents were stamped with) and says on its status bar that the clock is off."""
from __future__ import annotations

from datetime import datetime, timedelta, UTC

import pytest

from commandcenter.config import config_from_dict

sim = pytest.importorskip("commandcenter.sim")

BEHIND_S = 40.0


@pytest.fixture
def late_city():
    s = sim.run_in_thread(profile="street", seed=5, start_time=datetime.now(UTC) - timedelta(seconds=BEHIND_S))
    yield s
    s.stop()


def test_a_backend_40_s_behind_gives_right_countdowns_and_an_offset_warning(qapp, qloop, late_city, sqlite_url,
                                                                           eventually):
    from commandcenter.ui.app import WallApp, make_app
    from commandcenter.ui.console import ConsoleWindow
    from commandcenter.ui.wall_control import WallConsoleControl

    config = config_from_dict({
        "wall": {"kiosk": False},
        "feeds": [{"name": "city", "kind": "native", "url": late_city.url, "mode": "poll", "interval": 0.3}],
        "pages": [{"name": "p", "rows": 1, "columns": 1, "tiles": [{"kind": "incidents", "row": 0, "column": 0}]}]})
    make_app(config)
    wall = WallApp(config, sqlite_url)

    async def scenario() -> None:
        await wall.start(show=False)
        try:
            assert await eventually(lambda: "city" in wall.clocks.offsets() and wall.live.incidents, 15)
            backend_now = late_city.server.clock.now()
            assert abs((wall.clock() - backend_now).total_seconds()) < 0.5
            assert abs(wall.clocks.offsets()["city"] + BEHIND_S) < 0.5

            table = wall.window.tiles()[0].model
            table.flush()
            assert await eventually(lambda: table.rowCount() > 0, 10)
            table.tick()
            state = table.deadline_at(0)
            # the countdown is the time left on the backend's clock, not 40 s less
            expected = state.due_at - late_city.server.clock.now()
            assert abs((state.remaining - expected).total_seconds()) < 1.5

            bar = wall.window.health_bar
            bar.refresh_warnings()
            assert bar.warning.isVisibleTo(wall.window)
            assert bar.warning.text().startswith("⚠ 后端时钟偏差 40 秒（慢于本机）")
            desk = ConsoleWindow(WallConsoleControl(wall))
            try:
                desk.refresh_status()
                assert desk.wall_warning.text().startswith("⚠ 后端时钟偏差 40 秒（慢于本机）")
            finally:
                desk.close_quietly()
        finally:
            await wall.stop()

    qloop.run_until_complete(scenario())
