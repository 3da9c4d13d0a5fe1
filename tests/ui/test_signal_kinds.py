"""Three kinds of signal, never mixed (issue 16, point 2, the wall's side): public warnings (预警), device alarms
(告警) and supervision of overdue work (督办) each have their own tile; the banner, the alarm sound, the page
takeover and the map's warning layer are for public warnings only, so one red public warning among two hundred
alarms and overdue notices is shown first and foremost everywhere."""
from __future__ import annotations

from datetime import timedelta

import pytest

from commandcenter.config import config_from_dict
from commandcenter.domain import HAZARDS, AlertLevel, AlertType, Hazard, SignalKind, signal_kind
from commandcenter.services import LiveState
from commandcenter.services.rotation import RotationController, Surface
from commandcenter.ui import labels
from commandcenter.ui.alert_actions import AlertActions
from commandcenter.ui.banner import AlertBanner
from commandcenter.ui.console.models import AlertListModel
from commandcenter.ui.models.alerts import AlertBoard, guidance_for
from commandcenter.ui.sound import AlarmSound, NullPlayer
from commandcenter.ui.tiles import TILE_BUILDERS, TileContext

from tests.support import wall_data as W

NOT_WARNINGS = [AlertType.IOT, AlertType.VIDEO, AlertType.WEAK_SIGNAL, AlertType.OVERDUE]


def crowd() -> list:
    """200 device alarms and supervision notices, many of them red and all newer than the one red public warning."""
    out = []
    for i in range(200):
        type_ = NOT_WARNINGS[i % len(NOT_WARNINGS)]
        level = list(AlertLevel)[i % 4]
        out.append(W.alert(f"N{i:03d}", level, type=type_, title=f"{labels.name(type_)}{i}",
                           issued_at=W.T0 - timedelta(minutes=1)))
    out.append(W.alert("RED", AlertLevel.RED, type=AlertType.WEATHER, title="暴雨红色预警",
                       issued_at=W.T0 - timedelta(hours=2)))
    return out


def section(kind: str):
    return config_from_dict({"pages": [{"name": "p", "rows": 1, "columns": 1,
                                        "tiles": [{"kind": kind, "row": 0, "column": 0}]}]}).pages[0].tiles[0]


@pytest.fixture
def crowded(ui, clock):
    live = LiveState()
    live.apply(territory=W.territory(), alerts=crowd())
    actions = AlertActions(live, clock=clock)
    board = AlertBoard(live, actions, clock=clock)
    return live, board, actions


def test_the_red_public_warning_leads_the_board_the_banner_and_the_console(crowded):
    live, board, _ = crowded
    assert len(board.entries) == 201
    assert board.entries[0].alert.id == "RED"                 # first of all 201, though the oldest
    assert [e.alert.id for e in board.banner_entries()] == ["RED"]
    banner = AlertBanner(board)
    assert banner.texts() == [AlertBanner.item_text(board.entry("RED"))] and "Ⅰ 红色预警" in banner.texts()[0]
    console = AlertListModel(lambda _id: "")
    console.set_alerts(list(live.alerts.values()))
    assert console.id_at(0) == "RED"
    kinds = [signal_kind(live.alerts[console.id_at(r)].type) for r in range(console.rowCount())]
    assert kinds == sorted(kinds, key=[SignalKind.WARNING, SignalKind.ALARM, SignalKind.SUPERVISION].index)


def test_each_kind_has_its_own_tile(crowded, clock, qtbot):
    from commandcenter.ui.services import AlertServices

    live, board, actions = crowded
    ctx = TileContext(live, config_from_dict({}), clock, alerts=AlertServices(actions, board))
    rows = {}
    for kind, signal in (("warnings", SignalKind.WARNING), ("alarms", SignalKind.ALARM),
                         ("supervision", SignalKind.SUPERVISION)):
        tile = TILE_BUILDERS[kind](ctx, section(kind))
        qtbot.addWidget(tile)
        model = tile.model
        ids = [model.entry_at(r).alert.id for r in range(model.rowCount())]
        assert all(signal_kind(live.alerts[i].type) is signal for i in ids), kind
        rows[kind] = ids
    assert rows["warnings"] == ["RED"]
    assert len(rows["alarms"]) == 150 and len(rows["supervision"]) == 50
    assert TILE_BUILDERS["alerts"] is TILE_BUILDERS["warnings"]      # the older name shows public warnings


def test_only_a_red_public_warning_sounds_the_alarm_and_takes_the_wall(crowded, clock, qloop):
    live, board, actions = crowded
    players: list[NullPlayer] = []
    alarm = AlarmSound(board, config_from_dict({}).alerts,
                       player_factory=lambda: players.append(NullPlayer()) or players[-1])
    assert [e.alert.id for e in board.unacknowledged_red()] == ["RED"] and alarm.playing
    rotation = RotationController(clock=clock)
    rotation.configure([Surface("w", ["总览", "预警"], seconds=30, alert_page="预警")])
    rotation.attach(live)
    assert rotation.pending_alerts() == ["RED"] and rotation.takeover_alert == "RED"
    qloop.run_until_complete(actions.acknowledge("RED", "张三", "已通知防汛办"))
    board.flush()
    assert not alarm.playing                                   # red alarms and red supervision do not sound
    assert board.unacknowledged_red() == []


def test_the_map_draws_public_warnings_only(crowded, clock, qtbot):
    live, board, _ = crowded
    tile = TILE_BUILDERS["map"](TileContext(live, config_from_dict({}), clock), section("map"))
    qtbot.addWidget(tile)
    tile.resize(900, 700)
    tile.flush()
    assert tile.map.alerts.ids() == ["RED"]


def test_guidance_belongs_to_the_hazard():
    """The warning's hazard (Alert.hazard, or named in its title) picks the guidance: the config's for that hazard,
    else the hazard's own 防御指南; only a warning without a known hazard falls back to its type's."""
    guidance = {"weather": "关注天气变化。", "暴雨": "启动防汛应急预案。", "heat": "减少午后户外作业，防暑降温。"}
    rain = W.alert("R", AlertLevel.RED, type=AlertType.WEATHER, title="东营区暴雨红色预警")
    heat = W.alert("H", AlertLevel.ORANGE, type=AlertType.WEATHER, title="东营区橙色预警", hazard=Hazard.HEAT)
    fog = W.alert("F", AlertLevel.YELLOW, type=AlertType.WEATHER, title="东营区大雾黄色预警")
    unnamed = W.alert("U", AlertLevel.BLUE, type=AlertType.WEATHER, title="东营区气象预警")
    overdue = W.alert("O", AlertLevel.RED, type=AlertType.OVERDUE, title="超期未办结：暴雨后积水")
    assert guidance_for(guidance, rain) == "启动防汛应急预案。"                # the config's, by the hazard's name
    assert guidance_for(guidance, heat) == "减少午后户外作业，防暑降温。"      # by its key; heat is not a flood
    assert guidance_for(guidance, fog) == HAZARDS[Hazard.FOG].guidance        # the hazard's own, not the type's
    assert "防汛" not in guidance_for({}, heat) and guidance_for({}, heat) == HAZARDS[Hazard.HEAT].guidance
    assert guidance_for(guidance, unnamed) == "关注天气变化。"                # no hazard known: the type's
    assert guidance_for(guidance, overdue) == ""                              # supervision carries no guidance


def test_a_warning_says_its_hazard(ui):
    heat = W.alert("H", AlertLevel.ORANGE, type=AlertType.WEATHER, title="东营区高温橙色预警", hazard=Hazard.HEAT)
    assert labels.signal_type(heat) == "高温"
    assert labels.signal_type(W.alert("X", AlertLevel.BLUE, type=AlertType.FLOOD)) == "汛情"
