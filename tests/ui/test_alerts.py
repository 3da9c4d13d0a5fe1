"""Alerts (issue 6.2): four levels with symbol and words, banner for orange/red, the alarm until acknowledged,
acknowledge / shelve / escalate recorded in the store, guidance per type, expiry and cancellation."""
from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from commandcenter.config import config_from_dict
from commandcenter.domain import ActionKind, AlertLevel, AlertStatus, OperatorAction
from commandcenter.services import IngestPipeline, LiveState
from commandcenter.store import Store
from commandcenter.ui import theme
from commandcenter.ui.alert_actions import AlertActions
from commandcenter.ui.banner import AlertBanner
from commandcenter.ui.models.alerts import AlertBoard, AlertTableModel
from commandcenter.ui.sound import ALARM_WAV, AlarmSound, NullPlayer
from commandcenter.ui.tiles import TILE_BUILDERS, TileContext

from tests.support import wall_data as W


def make_board(live, clock, actions=None):
    actions = actions or AlertActions(live, clock=clock)
    return AlertBoard(live, actions, clock=clock), actions


def test_model_lists_four_levels_with_symbol_and_words(ui, clock):
    live = W.live_city()
    board, _ = make_board(live, clock)
    model = AlertTableModel(board)
    assert model.rowCount() == 4
    levels = [model.entry_at(r).alert.level for r in range(4)]
    assert levels == [AlertLevel.RED, AlertLevel.ORANGE, AlertLevel.YELLOW, AlertLevel.BLUE]
    assert model.texts_at(0)[0] == "Ⅰ 红色预警"
    assert model.texts_at(3)[0] == "Ⅳ 蓝色预警"
    fg = model.data(model.index(0, 0), Qt.ItemDataRole.ForegroundRole)
    assert fg.color() == theme.ALERT_COLOURS[AlertLevel.RED]
    assert model.texts_at(0)[-1] == "● 未确认"


def test_expired_and_cancelled_alerts_leave_the_wall(ui, clock):
    live = W.live_city()
    board, _ = make_board(live, clock)
    assert {a.id for a in board.alerts()} == {"A1", "A2", "A3", "A4"}
    clock.advance(minutes=61)          # A1-A3 expire after 60 minutes; A4 has no expiry
    board.tick()
    assert [a.id for a in board.alerts()] == ["A4"]
    live.apply(alerts=[W.bump(live.alerts["A4"], status=AlertStatus.CANCELLED)])
    board.flush()
    assert board.alerts() == []


def test_banner_shows_orange_and_red_only(ui, clock):
    live = W.live_city()
    board, actions = make_board(live, clock)
    banner = AlertBanner(board)
    texts = banner.texts()
    assert len(texts) == 1 and texts[0].startswith("⚠ Ⅰ 红色预警")   # an unacknowledged red stands alone
    assert banner._more.text() == "+1"
    actions.apply(OperatorAction(kind=ActionKind.ACKNOWLEDGE, target_kind="alert", target_id="A4", actor="张三",
                                 console="console-1", at=clock(), id=1))
    board.flush()
    texts = banner.texts()
    assert len(texts) == 2
    assert texts[0].startswith("⚠ Ⅰ 红色预警")
    assert "Ⅱ 橙色预警" in texts[1]
    assert not banner.isHidden()
    clock.advance(hours=3)
    live.apply(alerts=[W.bump(live.alerts["A4"], status=AlertStatus.CANCELLED)])
    board.tick()
    board.flush()
    assert banner.texts() == [] and banner.isHidden()


def test_alarm_repeats_until_acknowledged_then_stops(ui, clock, qloop, sqlite_url):
    store = Store.open(sqlite_url)
    live = LiveState()
    pipeline = IngestPipeline(config_from_dict({}), store, live)
    actions = AlertActions(live, pipeline.in_store, store, clock=clock, console="wall-test")
    board = AlertBoard(live, actions, clock=clock)
    players: list[NullPlayer] = []

    def factory():
        players.append(NullPlayer())
        return players[-1]

    cfg = config_from_dict({"alerts": {"sound": True, "volume": 0.3}}).alerts
    alarm = AlarmSound(board, cfg, player_factory=factory)
    assert not alarm.playing
    live.apply(alerts=[W.alert("R1", AlertLevel.RED)])
    board.flush()
    assert alarm.playing and players[0].playing and players[0].volume == pytest.approx(0.3)
    alarm.set_muted(True)
    assert not players[0].playing
    alarm.set_muted(False)
    assert players[0].playing
    try:
        action = qloop.run_until_complete(actions.acknowledge("R1", "张三", "已通知防汛办", console="console-2"))
    finally:
        qloop.run_until_complete(pipeline.close())
    assert action.id is not None
    assert not players[0].playing and not alarm.playing
    stored = store.actions_for("alert", "R1")
    assert [(a.kind, a.actor, a.console, a.reason) for a in stored] == [
        (ActionKind.ACKNOWLEDGE, "张三", "console-2", "已通知防汛办")]
    assert board.entry("R1").acknowledged
    store.close()


def test_shelve_with_expiry_and_escalate_are_recorded(ui, clock, qloop, sqlite_url):
    store = Store.open(sqlite_url)
    live = W.live_city()
    pipeline = IngestPipeline(config_from_dict({}), store, live)
    actions = AlertActions(live, pipeline.in_store, store, clock=clock, console="wall-test")
    board = AlertBoard(live, actions, clock=clock)
    banner = AlertBanner(board)
    try:
        qloop.run_until_complete(actions.shelve("A3", "李四", timedelta(minutes=15), "已派人核查"))
        qloop.run_until_complete(actions.escalate("A4", "李四", "请求区应急局支援", recipient="区应急管理局",
                                                  seat="2号席"))
        with pytest.raises(ValueError):
            qloop.run_until_complete(actions.acknowledge("A4", "  "))
        for recipient, reason in (("", "请求支援"), ("区应急管理局", " ")):     # escalate needs both
            with pytest.raises(ValueError):
                qloop.run_until_complete(actions.escalate("A3", "李四", reason, recipient=recipient))
    finally:
        qloop.run_until_complete(pipeline.close())
    shelve = store.actions_for("alert", "A3")[0]
    assert shelve.kind is ActionKind.SHELVE and shelve.expires_at == clock() + timedelta(minutes=15)
    [esc] = store.actions_for("alert", "A4")
    assert (esc.kind, esc.actor, esc.seat, esc.recipient, esc.reason) == (
        ActionKind.ESCALATE, "李四", "2号席", "区应急管理局", "请求区应急局支援")
    assert [e.alert.id for e in board.banner_entries()] == ["A4"]       # shelved orange left the banner
    assert len(banner.texts()) == 1
    assert board.entries[-1].alert.id == "A3" and board.entries[-1].state_text.startswith("‖ 搁置至")
    assert "⇪ 已升级" in board.entry("A4").state_text
    clock.advance(minutes=16)                                            # the shelving runs out
    board.tick()
    assert [e.alert.id for e in board.banner_entries()] == ["A4", "A3"]
    store.close()


def test_actions_from_another_console_are_picked_up(ui, clock, qloop, sqlite_url):
    from commandcenter.domain import OperatorAction

    store = Store.open(sqlite_url)
    live = W.live_city()
    pipeline = IngestPipeline(config_from_dict({}), store, live)
    actions = AlertActions(live, pipeline.in_store, store, clock=clock)
    board = AlertBoard(live, actions, clock=clock)
    store.record_action(OperatorAction(ActionKind.ACKNOWLEDGE, "alert", "A4", "王五", "console-9", clock()))
    try:
        assert qloop.run_until_complete(actions.sync()) == 1
    finally:
        qloop.run_until_complete(pipeline.close())
    assert board.entry("A4").acknowledged and board.unacknowledged_red() == []
    store.close()


def test_alert_tile_guidance_and_click_opens_details(ui, clock, qtbot):
    live = W.live_city()
    config = config_from_dict({"alerts": {"guidance": {"weather": "启动防汛应急预案；通知网格员排查低洼地带。"}}})
    opened = []
    ctx = TileContext(live, config, clock, open_details=lambda k, i: opened.append((k, i)))
    tile = TILE_BUILDERS["alerts"](ctx, config_from_dict(
        {"pages": [{"name": "p", "rows": 1, "columns": 1, "tiles": [{"kind": "alerts", "row": 0, "column": 0}]}]}
    ).pages[0].tiles[0])
    qtbot.addWidget(tile)
    tile.resize(900, 500)
    tile.show()
    qtbot.waitExposed(tile)
    assert "启动防汛应急预案" in tile.guidance.text()             # the top alert (red, weather)
    assert "Ⅰ 红色预警 1" in tile.summary.text()
    row = tile.model.row_of("A3")
    rect = tile.view.visualRect(tile.model.index(row, 2))
    QTest.mouseClick(tile.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert opened == [("alert", "A3")]
    assert ALARM_WAV.exists() and ALARM_WAV.stat().st_size > 10_000


def test_banner_click_opens_the_alert(ui, clock, qtbot):
    live = W.live_city()
    board, _ = make_board(live, clock)
    banner = AlertBanner(board)
    qtbot.addWidget(banner)
    banner.resize(1600, 60)
    banner.show()
    qtbot.waitExposed(banner)
    clicked = []
    banner.alert_clicked.connect(clicked.append)
    item = next(i for i in banner._items if i.alert_id == "A4")      # the unacknowledged red, alone on the band
    QTest.mouseClick(item, Qt.MouseButton.LeftButton)
    assert clicked == ["A4"]


def test_fonts_scale_with_the_tile(ui, clock, qtbot):
    live = W.live_city()
    ctx = TileContext(live, config_from_dict({}), clock)
    sec = config_from_dict({"pages": [{"name": "p", "rows": 1, "columns": 1,
                                       "tiles": [{"kind": "alerts", "row": 0, "column": 0}]}]}).pages[0].tiles[0]
    tile = TILE_BUILDERS["alerts"](ctx, sec)
    qtbot.addWidget(tile)
    tile.resize(800, 300)
    tile.show()
    qtbot.waitExposed(tile)
    small = tile.view.font().pointSize()
    tile.resize(2400, 1000)
    qtbot.waitUntil(lambda: tile.view.font().pointSize() > small, timeout=2000)
    assert tile.view.font().pointSize() >= 2 * small


def test_an_alert_pruned_from_the_live_state_takes_its_operator_state_along(ui, clock):
    live = W.live_city()
    _, actions = make_board(live, clock)
    for kind in (ActionKind.ACKNOWLEDGE, ActionKind.ESCALATE):
        actions.apply(OperatorAction(kind, "alert", "A1", "王五", "console-9", clock()))
    actions.apply(OperatorAction(ActionKind.ACKNOWLEDGE, "alert", "A4", "王五", "console-9", clock()))
    clock.advance(minutes=61 + 180 + 1)       # A1 expired an hour in, then out of the live state's window
    assert "A1" in live.prune(clock()).removed_alerts
    assert actions.acknowledgement("A1") is None and actions.history("A1") == []
    assert actions.is_acknowledged("A4")       # still live: its state stays



def test_a_wall_remembers_its_own_actions_only_until_the_store_tells_them_back(ui, clock, qloop, sqlite_url,
                                                                               monkeypatch):
    from commandcenter.ui import alert_actions as A

    monkeypatch.setattr(A, "ECHO_MEMORY", 3)
    store = Store.open(sqlite_url)
    live = W.live_city()
    pipeline = IngestPipeline(config_from_dict({}), store, live)
    actions = AlertActions(live, pipeline.in_store, store, clock=clock)
    try:
        recorded = [qloop.run_until_complete(actions.acknowledge(a, "王五", "已核实")) for a in ("A1", "A2", "A3", "A4")]
    finally:
        qloop.run_until_complete(pipeline.close())
    other = OperatorAction(ActionKind.ACKNOWLEDGE, "alert", "A4", "赵六", "console-9", clock(),
                           id=recorded[-1].id + 1)
    assert actions.is_own_echo(recorded[-1]) and not actions.is_own_echo(recorded[-1])   # told back once, then forgotten
    assert not actions.is_own_echo(other)
    # a wall that does not follow hears no echo: it remembers its newest few, not every action of a month
    assert not actions.is_own_echo(recorded[0])
    assert actions.is_own_echo(recorded[1]) and actions.is_own_echo(recorded[2])
    store.close()
