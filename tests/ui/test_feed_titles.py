"""The health bar calls a feed by its title, or by what it carries in the wall's language: a duty officer reads
业务平台 or 物联感知, not the config's identifiers (city, sensors)."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest

from commandcenter.config import FeedSection
from commandcenter.domain import FeedHealth, FeedState

LAST_OK = datetime(2026, 12, 7, 1, 2, 3, tzinfo=UTC)


def feeds(*specs: tuple[str, str, str]) -> list[FeedSection]:
    return [FeedSection(name=name, kind=kind, title=title,  # type: ignore[arg-type]
                        url="mqtt://127.0.0.1:1883" if kind == "mqtt" else "http://127.0.0.1:1/api/v1")
            for name, kind, title in specs]


@pytest.fixture
def english(qapp):
    from commandcenter.ui.resources import install_language

    assert install_language("en")
    yield
    install_language("zh_CN")


def test_an_untitled_feed_is_called_what_it_carries_and_a_title_wins(qapp) -> None:
    from commandcenter.ui.wall import feed_titles

    titles = feed_titles(feeds(("city", "native", ""), ("sensors", "mqtt", ""), ("cameras", "cameras", ""),
                               ("warnings", "cap", "省突发事件预警信息发布平台")))
    assert titles == {"city": "业务平台", "sensors": "物联感知", "cameras": "视频监控",
                      "warnings": "省突发事件预警信息发布平台"}


def test_two_untitled_feeds_of_one_kind_are_told_apart_by_their_names(qapp) -> None:
    from commandcenter.ui.wall import feed_titles

    titles = feed_titles(feeds(("district-a", "open311", ""), ("district-b", "open311", ""), ("map", "shapefile", "")))
    assert titles == {"district-a": "市民诉求（district-a）", "district-b": "市民诉求（district-b）", "map": "网格底图"}


def test_every_feed_kind_has_a_name_in_both_languages(qapp, english) -> None:
    from typing import get_args

    from commandcenter.ui.wall import FEED_KINDS, feed_titles

    kinds = get_args(FeedSection.model_fields["kind"].annotation)
    assert set(FEED_KINDS) == set(kinds)
    titles = feed_titles(feeds(*((kind, kind, "") for kind in kinds if kind != "shapefile")))
    assert titles == {"native": "City platform", "open311": "Citizen requests", "cap": "Public warnings",
                      "geojson": "Grid map", "mqtt": "IoT sensors", "cameras": "Cameras"}
    assert feed_titles(feeds(("a", "mqtt", ""), ("b", "mqtt", ""))) == {"a": "IoT sensors (a)", "b": "IoT sensors (b)"}


def test_the_bar_shows_titles_even_for_feeds_it_showed_before_them_and_names_for_the_rest(qapp) -> None:
    from commandcenter.services import LiveState
    from commandcenter.ui.wall import FeedHealthBar

    bar = FeedHealthBar(LiveState())
    bar.show_health(FeedHealth("city", FeedState.LIVE, last_ok_at=LAST_OK))
    assert " city: 正常 · " in bar.text_of("city")
    bar.set_titles({"city": "业务平台"})
    bar.show_health(FeedHealth("elsewhere", FeedState.DOWN))       # a recorder's feed this wall's config lacks
    assert " 业务平台: 正常 · " in bar.text_of("city")
    assert bar.text_of("elsewhere").endswith(" elsewhere: 中断 · —")


def test_the_wall_and_its_console_name_its_feeds_and_their_clock_offsets_by_title(
        qapp, qloop, tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    from commandcenter.config import parse_config
    from commandcenter.ui.app import WallApp, make_app
    from commandcenter.ui.wall import offset_text
    from commandcenter.ui.wall_control import WallConsoleControl

    from tests.support.wall import config_text

    config = parse_config(config_text(rotate_seconds=0) + """
[[feeds]]
name = "city"
kind = "native"
url = "http://127.0.0.1:9/api/v1"

[[feeds]]
name = "sensors"
kind = "mqtt"
url = "mqtt://127.0.0.1:9"
""")
    make_app(config)
    wall = WallApp(config, f"sqlite:///{tmp_path / 'w.db'}")

    async def scenario() -> None:
        await wall.start(show=False)
        try:
            monkeypatch.setattr(wall.clocks, "shown_offsets", lambda: {"city": -38.2, "sensors": 12.0})
            bars = [w.health_bar for w in wall.windows.values()]
            assert bars and all(b.titles == {"city": "业务平台", "sensors": "物联感知"} for b in bars)
            text = "业务平台: 后端时钟偏差 38 秒（慢于本机）  ·  物联感知: 后端时钟偏差 12 秒（快于本机）"
            assert offset_text(wall.clock_offsets()) == text
            offsets, _alarm = WallConsoleControl(wall).warnings()
            assert offset_text(offsets) == text                      # the console says what the wall says
            bars[0].refresh_warnings()
            assert text in bars[0].warning.text()
        finally:
            await wall.stop()

    qloop.run_until_complete(scenario())
