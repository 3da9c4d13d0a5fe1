"""The wall's own recorder process is shown in every window's health bar like a feed: its state, its restarts and
since when, coloured as a feed's; its last exit status in the tooltip; in the wall's language."""
from __future__ import annotations

import os
import signal
from datetime import UTC, datetime

import pytest

from commandcenter.config import parse_config
from commandcenter.domain import FeedState
from commandcenter.services.recorder_child import (
    RecorderState, RecorderStatus, RecorderSupervisor, recorder_argv,
)
from tests.support.recorder_child import incidents_in, sim_feed_config
from tests.support.wall import config_text


def test_the_health_bar_shows_the_recorder_running_then_restarted_after_a_crash(qapp, qloop, tmp_path, eventually):
    from commandcenter.ui.app import WallApp, make_app

    config = parse_config(config_text(rotate_seconds=0))     # the wall itself runs no feeds
    make_app(config)
    with sim_feed_config(tmp_path) as (config_path, store_url):
        recorder = RecorderSupervisor(recorder_argv(config_path, store_url), first_pause_s=0.2)
        wall = WallApp(config, store_url, recorder=recorder)

        async def scenario() -> None:
            await wall.start(show=False)
            try:
                bars = [w.health_bar for w in wall.windows.values()]
                assert bars and all(b.recorder_text().startswith("● 记录进程: 运行中 · ") for b in bars)
                shown: list[str] = []      # what the bar said at each status (the wall's listener came first)
                recorder.on_status(lambda _s: shown.append(bars[0].recorder_text()))
                assert await eventually(lambda: incidents_in(store_url) > 0, timeout=60)
                first = recorder.pid
                assert first is not None
                os.kill(first, signal.SIGKILL)
                assert await eventually(lambda: "运行中 · 重启 1 次" in bars[0].recorder_text(), timeout=20)
                meanwhile = [text for text in shown if "重启中" in text]    # down between the crash and the restart
                assert meanwhile and meanwhile[0].startswith("○ 记录进程: 重启中"), shown
                assert bars[0].findChild(object, "recorderHealth").toolTip() == "上次退出码 -9"
                before = incidents_in(store_url)
                assert await eventually(lambda: incidents_in(store_url) > before, timeout=60)   # the new one writes
            finally:
                await wall.stop()
            assert recorder.status.state is RecorderState.STOPPED and recorder.status.last_exit_code == 0

        qloop.run_until_complete(scenario())


@pytest.fixture
def english(qapp):
    from commandcenter.ui.resources import install_language

    assert install_language("en")
    yield
    install_language("zh_CN")


def test_a_failed_recorder_reads_in_english_with_its_reason(qapp, english):
    from commandcenter.services import LiveState
    from commandcenter.ui import theme
    from commandcenter.ui.wall import FeedHealthBar

    bar = FeedHealthBar(LiveState())
    bar.show_recorder(RecorderStatus(RecorderState.FAILED, restarts=3, last_exit_code=2,
                                     since=datetime(2026, 12, 7, 1, 2, 3, tzinfo=UTC),
                                     reason="the recorder refused its config or store"))
    assert bar.recorder_text() == "✕ Recorder: Failed · restarted 3× · 09:02:03"    # since, on the wall's clock
    label = bar.findChild(object, "recorderHealth")
    assert label.toolTip() == "Last exit status 2\nthe recorder refused its config or store"
    assert theme.FEED_COLOURS[FeedState.DOWN].name() in label.styleSheet()     # coloured as a feed that is down


def test_an_edit_of_the_feeds_restarts_the_recorder_child_on_the_edited_file(qapp, qloop, tmp_path, eventually):
    from commandcenter.cli.common import wall_setup
    from commandcenter.config import load_config
    from commandcenter.store import Store
    from commandcenter.ui.app import WallApp, make_app

    def recorded_feeds(store_url: str) -> set[str]:
        with Store.open(store_url) as store:
            return {row.health.feed for row in store.feed_status()}

    with sim_feed_config(tmp_path) as (config_path, store_url):
        config, recorder = wall_setup(load_config(config_path), store_url, config_path)
        assert config.store.follow is True and recorder is not None
        recorder.first_pause_s = 0.2
        make_app(config)
        wall = WallApp(config, store_url, recorder=recorder, config_path=config_path)

        async def scenario() -> None:
            await wall.start(show=False)
            try:
                assert await eventually(lambda: "city" in recorded_feeds(store_url), timeout=60)
                first = recorder.pid
                config_path.write_text(config_path.read_text().replace('name = "city"', 'name = "city-2"'))
                wall.apply_config(load_config(config_path))
                assert await eventually(lambda: "city-2" in recorded_feeds(store_url), timeout=60)
                assert recorder.pid not in (None, first)
                assert recorder.status.state is RecorderState.RUNNING
            finally:
                await wall.stop()

        qloop.run_until_complete(scenario())
