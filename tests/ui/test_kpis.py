"""KPIs (issue 6.4): values from the store's KPI engine on the store thread, threshold colours with a symbol,
change against yesterday, trend/ranking charts, a click on a ranking bar opening the records behind it."""
from __future__ import annotations

from datetime import timedelta

import pytest

from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

from commandcenter.config import config_from_dict
from commandcenter.domain import Category, DeadlineLevel, KpiValue, Status
from commandcenter.services import IngestPipeline
from commandcenter.store import Store
from commandcenter.ui import theme
from commandcenter.ui.models.kpis import (
    CARDS, KpiFeed, KpiSnapshot, change_text, collect, target_text, threshold_level,
)
from commandcenter.ui.tiles import TILE_BUILDERS, TileContext

from tests.support import wall_data as W

SECTION = config_from_dict({"pages": [{"name": "p", "rows": 1, "columns": 1,
                                       "tiles": [{"kind": "kpis", "row": 0, "column": 0}]}]}).pages[0].tiles[0]


def seeded_store(url: str) -> Store:
    store = Store.open(url)
    incs = W.incidents()
    # three more disputes in grid G4 today, one closed; two yesterday at the same hours
    incs += [W.incident(f"X{i}", 4, minutes_ago=30 + i, category=Category.DISPUTE) for i in range(3)]
    incs.append(W.incident("X9", 4, minutes_ago=40, status=Status.CLOSED, closed_at=W.T0 - timedelta(minutes=5)))
    incs += [W.incident(f"Y{i}", 1, minutes_ago=24 * 60 + 30 + i) for i in range(2)]
    store.apply("city", territory=W.territory(), incidents=incs)
    return store


def spec(name):
    return next(c for c in CARDS if c.name == name)


def test_thresholds_and_changes():
    rate = spec("completion_rate")
    assert threshold_level(rate, 99.5) is DeadlineLevel.OK          # the target: 99 %
    assert threshold_level(rate, 97) is DeadlineLevel.AMBER         # within 5 points of it
    assert threshold_level(rate, 90) is DeadlineLevel.OVERDUE
    acc = spec("avg_acceptance_time")            # lower is better
    assert threshold_level(acc, 2) is DeadlineLevel.OK and threshold_level(acc, 30) is DeadlineLevel.OVERDUE
    assert threshold_level(spec("events"), 5) is None
    assert threshold_level(spec("overdue"), 3) is DeadlineLevel.AMBER and threshold_level(spec("overdue"), 0) is None
    assert target_text(rate) == "目标 ≥ 99%" and target_text(acc) == "目标 ≤ 3 分钟"
    now, before = KpiValue("completion_rate", 91.5, "%"), KpiValue("completion_rate", 90.0, "%")
    assert change_text(rate, now, before) == "▲ 1.5个百分点"
    ev = spec("events")
    assert change_text(ev, KpiValue("events", 8, "events"), KpiValue("events", 10, "events")) == "▼ 20.0%"
    assert change_text(ev, KpiValue("events", 8, "events"), None) == "—"


def test_snapshot_from_the_store(sqlite_url):
    store = seeded_store(sqlite_url)
    snap = collect(store, "", W.T0)
    store.close()
    assert snap.value("events") == 8               # reported since 00:00 local (E2 and Y* are yesterday's), drill excluded
    assert snap.previous["events"].value == 2      # 00:00-10:00 yesterday
    assert snap.detail("events_per_category")["dispute"] == 6   # E1, E6, X0-X2, X9
    ranking = dict(snap.ranking("events_per_grid", 10))
    assert ranking["G4"] == 5
    assert sum(v for v in snap.hourly_today if v) == 8
    assert sum(snap.hourly_yesterday) >= 2
    # the hours after 10:00 have not come; the morning's hours have too little work due to read a rate
    assert len(snap.completion_by_hour) == 24 and all(v is None for v in snap.completion_by_hour)


def test_tile_refreshes_through_in_store_and_bars_open_details(ui, clock, qloop, qtbot, sqlite_url):
    store = seeded_store(sqlite_url)
    live = W.live_city()
    pipeline = IngestPipeline(config_from_dict({}), store, live)
    opened = []
    ctx = TileContext(live, config_from_dict({}), clock, open_details=lambda k, i: opened.append((k, i)))
    ctx.in_store, ctx.store = pipeline.in_store, store
    tile = TILE_BUILDERS["kpis"](ctx, SECTION)
    qtbot.addWidget(tile)
    tile.resize(2400, 700)
    tile.show()
    qtbot.waitExposed(tile)
    try:
        snap = qloop.run_until_complete(tile.feed.refresh())
    finally:
        qloop.run_until_complete(pipeline.close())
    store.close()
    assert snap is not None and tile.feed.snapshot is snap
    events_card = tile.cards[0]
    assert events_card.value.text() == "8"
    assert events_card.change_day.text() == "较昨日同期 ▲ 300.0%"
    # this morning's few events are not due yet: not enough data, said so, with the target beside it
    completion = next(c for c in tile.cards if c.spec.name == "completion_rate")
    assert snap.value("completion_rate") is None
    n = int(snap.detail("completion_rate")["sample"])
    assert completion.value.text() == f"数据不足（样本 {n}）" and completion.target.text() == "目标 ≥ 99%"
    satisfied = next(c for c in tile.cards if c.spec.name == "overdue")
    level = threshold_level(satisfied.spec, snap.value("overdue"))
    if level is not None:
        assert satisfied.value.text().endswith(theme.DEADLINE_SYMBOLS[level])      # colour AND symbol
        assert theme.DEADLINE_COLOURS[level].name() in satisfied.value.styleSheet()
    assert tile.categories.keys[0] == "dispute"
    assert tile.grids.keys[0] == "G4"
    # a real click on the first category bar
    QTest.qWait(50)
    pos = tile.categories.bar_centre(0)
    QTest.mouseClick(tile.categories.plot.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(int(pos.x()), int(pos.y())))
    assert opened == [("kpi", "events_per_category:dispute")]
    tile.grids.click_bar(0)
    assert opened[-1] == ("kpi", "events_per_grid:G4")


def test_tile_without_a_store_shows_dashes(ui, clock, qtbot):
    live = W.live_city()
    feed = KpiFeed(None, "", clock)
    from commandcenter.ui.tiles.kpis import KpiTile

    tile = KpiTile(live, feed)
    qtbot.addWidget(tile)
    assert all(c.value.text() == "—" for c in tile.cards)
    feed.set_snapshot(KpiSnapshot("S1", W.T0, current={"events": KpiValue("events", 1234, "events")}))
    assert tile.cards[0].value.text() == "1,234"
    assert tile.status.text().startswith("文汇街道")



def test_ranking_chart_labels_every_bar_at_a_wall_font(qtbot):
    from PySide6.QtGui import QColor, QImage, QPainter

    from commandcenter.ui.tiles.kpis import RankingChart

    chart = RankingChart("网格排行（前8）", QColor("orange"))
    qtbot.addWidget(chart)
    chart.resize(940, 420)
    axis = chart.item.getAxis("left")
    chart.scale(28, 22)                                     # a 4K wall's font over eight bars
    chart.set_items([(f"G{i}", f"凤昌社区第{i}网格", 8 - i) for i in range(8)])
    chart.show()
    qtbot.waitExposed(chart)
    image = QImage(940, 420, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    try:
        _, _, texts = axis.generateDrawSpecs(painter)     # what the axis would draw
    finally:
        painter.end()
    assert sorted(t[2] for t in texts) == sorted(f"凤昌社区第{i}网格 {8 - i}" for i in range(8))


def shown_chart(qtbot, items):
    from PySide6.QtGui import QColor

    from commandcenter.ui.tiles.kpis import RankingChart

    chart = RankingChart("类别排行", QColor("#3fa7ff"))
    qtbot.addWidget(chart)
    chart.resize(600, 360)
    chart.set_items(items)
    chart.show()
    qtbot.waitExposed(chart)
    settle(chart.plot)
    return chart


def settle(view) -> None:
    """Paint until the view's deferred work (pyqtgraph settles ranges when first painted) has run out."""
    from PySide6.QtWidgets import QApplication

    for _ in range(3):
        QApplication.processEvents()
        view.viewport().repaint()


def test_a_chart_repaints_from_its_last_frame_while_its_data_stays(qtbot):
    chart = shown_chart(qtbot, [("fire", "火灾", 12.0), ("flood", "汛情", 7.0)])
    view = chart.plot
    drawn = view.frames_drawn
    first = view.grab().toImage()
    for _ in range(3):
        view.viewport().repaint()
    assert view.frames_drawn == drawn > 0
    assert view.grab().toImage() == first


def test_a_chart_draws_a_new_frame_of_new_data_identical_to_a_fresh_draw(qtbot):
    chart = shown_chart(qtbot, [("fire", "火灾", 12.0), ("flood", "汛情", 7.0)])
    view = chart.plot
    drawn = view.frames_drawn
    before = view.grab().toImage()
    chart.set_items([("fire", "火灾", 3.0), ("flood", "汛情", 9.0), ("dispute", "纠纷", 5.0)])
    settle(view)
    framed = view.grab().toImage()
    assert view.frames_drawn > drawn and framed != before
    view.invalidate()                             # the next paint draws the scene straight onto the viewport
    assert view.grab().toImage() == framed


def test_a_resized_chart_draws_a_new_frame_at_its_new_size(qtbot):
    chart = shown_chart(qtbot, [("fire", "火灾", 12.0)])
    view = chart.plot
    drawn = view.frames_drawn
    chart.resize(800, 420)
    settle(view)
    assert view.frames_drawn > drawn
    assert view.grab().size() == view.size()


def _snapshot_at_00_05() -> KpiSnapshot:
    """A healthy city at 00:05: nothing of today is due yet (the due clock reads not enough data), yesterday's
    same five minutes neither; 42 events reported since midnight."""
    from commandcenter.domain import kpis as DK

    now = W.T0
    cur = DK.figures({"n": 42, "overdue": 0, "p110_acc_n": 2, "p110_acc_s": 300})
    before = DK.figures({"n": 40})
    return KpiSnapshot("", now, current=cur, previous=before, last_year={})


def test_at_00_05_a_healthy_city_reads_not_enough_data_with_its_targets(ui, clock, qtbot):
    from commandcenter.ui.tiles.kpis import KpiTile

    feed = KpiFeed(None, "", clock)
    tile = KpiTile(W.live_city(), feed)
    qtbot.addWidget(tile)
    feed.set_snapshot(_snapshot_at_00_05())
    cards = {c.spec.name: c for c in tile.cards}
    assert cards["events"].value.text() == "42" and cards["events"].change_day.text() == "较昨日同期 ▲ 5.0%"
    for name in ("completion_rate", "on_time_rate", "closed_loop_rate", "on_the_spot_rate"):
        card = cards[name]
        assert card.value.text() == "数据不足（样本 0）", name          # never "0.0 % ✗"
        assert card.target.text().startswith("目标"), name
        assert theme.TEXT_DIM.name() in card.value.styleSheet()
    assert cards["avg_acceptance_time"].value.text() == "数据不足（样本 2）"   # two calls: says how few
    assert cards["overdue"].value.text() == "0" and cards["overdue"].change_day.text() == "当前"


def test_cards_in_english(ui, clock, qtbot):
    from commandcenter.ui.resources import install_language
    from commandcenter.ui.tiles.kpis import KpiTile

    assert install_language("en")
    try:
        feed = KpiFeed(None, "", clock)
        tile = KpiTile(W.live_city(), feed)
        qtbot.addWidget(tile)
        feed.set_snapshot(_snapshot_at_00_05())
        labels = [c.name.text() for c in tile.cards]
        assert labels[:4] == ["Events", "Completion rate", "On-time completion", "Overdue"]
        assert all(not any("\u4e00" <= ch <= "\u9fff" for ch in t) for t in labels), labels
        completion = next(c for c in tile.cards if c.spec.name == "completion_rate")
        assert completion.value.text() == "Not enough data (n=0)" and completion.target.text() == "Target ≥ 99%"
        assert [b.text() for b in tile.period_buttons.values()] == ["Today", "This month", "Year to date"]
    finally:
        install_language("zh_CN")


def test_the_period_buttons_switch_every_card(ui, clock, qtbot):
    from commandcenter.ui.tiles.kpis import KpiTile

    feed = KpiFeed(None, "", clock)
    tile = KpiTile(W.live_city(), feed)
    qtbot.addWidget(tile)
    tile.period_buttons["year"].click()
    assert feed.period == "year" and tile.period_buttons["year"].isChecked()
    snap = _snapshot_at_00_05()
    snap.period = "year"
    feed.set_snapshot(snap)
    events = tile.cards[0]
    assert events.change_day.text().startswith("较去年同期") and events.change_year.text() == ""
    assert "今年以来" in tile.status.text()


def _day_of_work(store: Store, day_start, n: int = 60, *, open_from: int = 60) -> None:
    """`n` safety hazards (24 h to close) reported through the local day before `day_start`'s eve, so they fall
    due through the day before `day_start`; those numbered from `open_from` on are still open."""
    from commandcenter.domain import Incident, Severity, Source

    incs = []
    for k in range(n):
        at = day_start - timedelta(hours=48) + timedelta(minutes=20 + k * 23)
        closed = k < open_from
        incs.append(Incident(
            id=f"H{k}", version=1, updated_at=at, reported_at=at, title="井盖缺失", category=Category.SAFETY_HAZARD,
            source=Source.GRID_APP, severity=Severity.LOW, status=Status.CLOSED if closed else Status.HANDLING,
            grid_id="G1", accepted_at=at + timedelta(minutes=2), dispatched_at=at + timedelta(minutes=3),
            closed_at=at + timedelta(hours=3) if closed else None))
    store.apply("city", territory=W.territory(), incidents=incs)


def test_at_00_05_a_card_widens_to_the_last_24_hours_and_says_so(ui, clock, qtbot, sqlite_url):
    """At 00:05 nothing of today has fallen due: the completion card reads yesterday's 60 due items (all closed in
    time) as 近24小时 instead of 数据不足, with the window on its target line and its comparison."""
    from commandcenter.domain import kpis as DK
    from commandcenter.ui.tiles.kpis import KpiTile

    now = W.T0
    today = DK.period_start(now, "today")
    at = today + timedelta(minutes=5)
    store = Store.open(sqlite_url)
    _day_of_work(store, today)
    try:
        snap = collect(store, "", at, completion_series=False)
    finally:
        store.close()
    assert snap.windows["completion_rate"] == "24h" and snap.value("completion_rate") == 100.0
    assert snap.detail("completion_rate")["due"] >= DK.BY_KEY["completion_rate"].min_sample
    feed = KpiFeed(None, "", clock)
    tile = KpiTile(W.live_city(), feed)
    qtbot.addWidget(tile)
    feed.set_snapshot(snap)
    card = next(c for c in tile.cards if c.spec.name == "completion_rate")
    assert card.value.text() == "100.0%"
    assert card.target.text() == "近24小时 · 目标 ≥ 99%"
    assert card.change_day.text().startswith("较前24小时")
    # a card whose period holds enough keeps its period
    events = next(c for c in tile.cards if c.spec.name == "events")
    assert "events" not in snap.windows and events.target.text() == ""


def test_a_bad_figure_is_not_hidden_by_widening(sqlite_url):
    """Of yesterday's 60 items due, 20 are still open: the widened card reads 66.7 %, red, not 数据不足."""
    from commandcenter.domain import kpis as DK
    from commandcenter.ui.models.kpis import ALL_CARDS, card_figure

    today = DK.period_start(W.T0, "today")
    store = Store.open(sqlite_url)
    _day_of_work(store, today, open_from=40)
    try:
        snap = collect(store, "", today + timedelta(minutes=5), completion_series=False)
    finally:
        store.close()
    fig = card_figure(ALL_CARDS["completion_rate"], snap)
    assert fig.period == "24h" and fig.value == pytest.approx(200 / 3, abs=0.01)
    assert fig.level is DeadlineLevel.OVERDUE and fig.meets_target is False


def test_rare_emergencies_show_their_counts_not_a_rate():
    """Two decided emergencies, one met 1-10-20: far below the 48 a rate needs, so the card says 1/2, amber."""
    from commandcenter.domain import kpis as DK
    from commandcenter.ui.models.kpis import ALL_CARDS, card_figure

    cur = DK.figures({"em_n": 2, "em_dec": 2, "em_ok": 1})
    fig = card_figure(ALL_CARDS["one_ten_twenty_compliance"], KpiSnapshot("", W.T0, current=cur))
    assert fig.value is None and fig.text == "1/2 起达标" and fig.level is DeadlineLevel.AMBER


def test_no_emergency_in_a_year_is_said_so():
    """A street sees about one emergency a year: with none in the widest window the card says so, neutral."""
    from commandcenter.domain import kpis as DK
    from commandcenter.ui.models.kpis import ALL_CARDS, card_figure

    snap = KpiSnapshot("", W.T0, current=DK.figures({}), windows={"one_ten_twenty_compliance": "365d"})
    fig = card_figure(ALL_CARDS["one_ten_twenty_compliance"], snap)
    assert fig.text == "无突发事件" and fig.level is None and fig.period == "365d"


def test_a_figure_is_judged_as_it_is_shown():
    """10.02 minutes shows as 10.0 and meets "≤ 10 minutes"; 10.06 shows as 10.1 and does not."""
    from commandcenter.domain import kpis as DK
    from commandcenter.ui.models.kpis import ALL_CARDS, card_figure

    def arrival(seconds_each: float) -> object:
        cur = DK.figures({"p110_arr_n": 200, "p110_arr_s": 200 * seconds_each})
        return card_figure(ALL_CARDS["avg_arrival_time"], KpiSnapshot("", W.T0, current=cur))

    ok, late = arrival(601.2), arrival(603.6)
    assert ok.text == "10.0 分钟" and ok.meets_target is True and ok.level is DeadlineLevel.OK
    assert late.text == "10.1 分钟" and late.meets_target is False and late.level is DeadlineLevel.AMBER
