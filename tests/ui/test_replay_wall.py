"""Replay on the wall: the REPLAY banner, tiles on the replay clock and state, the scrubber, back to live."""
from __future__ import annotations

import pytest
from datetime import timedelta

from commandcenter.config import PageSection, config_from_dict
from commandcenter.services import LiveState
from commandcenter.services.live_commits import LiveCommits, committed
from commandcenter.store import Store

from tests.support.replay import scripted_hour

from tests.support.drills import T0, FakeClock

pytestmark = pytest.mark.usefixtures("gc_on_the_loop_thread")  # walls, feeds and simulators share this process


class MiniWall:
    """Just what attach_replay needs of a WallApp (replay_bar.ReplayHost)."""

    def __init__(self, store, clock):
        from commandcenter.ui.tiles import TILE_BUILDERS, TileContext
        from commandcenter.ui.wall import WallWindow

        self.store, self.clock, self.live = store, clock, LiveState()
        self.commits = LiveCommits(self.live)
        self.drills = None
        self.replay = self.replay_detour = None
        self.windows = {}
        self._make = lambda: WallWindow(
            "大屏", self.live, PageSection(name="p", rows=1, columns=1, tiles=[{"kind": "incidents", "row": 0, "column": 0}]),
            lambda s: TILE_BUILDERS[s.kind](TileContext(self.live, config_from_dict({}), self.clock), s), clock=self.clock,
            replay=self.replay)
        self.rebuild_windows()

    def wall_windows(self):
        return list(self.windows.values())

    def notify(self, what, arg=None):
        pass

    def set_breakthrough_alarm(self, on):
        pass

    def category_limits(self):
        return {}

    def rebuild_windows(self):
        for w in self.windows.values():
            w.close()
            w.deleteLater()
        self.windows = {"main": self._make()}


def test_replay_banner_tiles_and_back_to_live(qapp, tmp_path):
    from commandcenter.ui.replay_bar import ReplayBar, attach_replay

    store = Store.open(f"sqlite:///{tmp_path / 'r.db'}")
    try:
        live_now, _ = scripted_hour(store)
        clock = FakeClock(T0 + timedelta(hours=2))
        wall = MiniWall(store, clock)
        wall.commits.publish(committed(live_now.incidents.values()))
        window = wall.windows["main"]
        assert window.replay_banner.isHidden()
        replay = attach_replay(wall)
        bar = ReplayBar(replay)

        replay.play_window(T0, T0 + timedelta(hours=1), speed=10)
        window = wall.windows["main"]                       # rebuilt on the replay clock
        window.replay_banner.refresh()
        assert not window.replay_banner.isHidden()
        assert window.replay_banner.text().startswith("回放 ") and "10×" in window.replay_banner.text()
        assert wall.clock() == T0                           # tiles and header read the replay time
        clock.advance(42)                                   # 7 minutes of the past at 10×
        replay.tick()
        model = window.tiles()[0].model
        model.flush()
        assert set(wall.live.incidents) == {"i0", "i1"} and model.rowCount() == 2
        bar.refresh()
        assert bar.live_button.isEnabled() and bar.slider.value() == round(1000 * 7 / 60)

        bar.live_button.click()                             # back to live: one action
        window = wall.windows["main"]
        window.replay_banner.refresh()
        assert window.replay_banner.isHidden() and not replay.replaying
        assert wall.clock() == clock() and set(wall.live.incidents) == set(live_now.incidents)
        for w in wall.windows.values():
            w.close()
    finally:
        store.close()
