"""Display names for domain values, through Qt's translation (Chinese source strings, English in ui/assets/i18n).

Each enum has its own table, looked up by the value's type first: members of different enums may be equal
(`Severity.LOW == AlertLevel.BLUE == 1`, `Status.DISPATCHED == ResourceStatus.DISPATCHED == "dispatched"`), so one
table keyed by value alone would let one enum's words overwrite another's.
"""
from __future__ import annotations

from collections.abc import Mapping
from enum import Enum

from PySide6.QtCore import QCoreApplication

from ..domain import (
    HAZARDS, AlertLevel, AlertType, Category, DeadlineLevel, FeedState, Hazard, ResolutionLevel, ResourceKind,
    ResourceStatus, Severity, SignalKind, Source, Stage, Status, signal_kind,
)
from ..domain import TerritoryLevel
from ..domain.models import Alert, TerritoryNode
from ..services.recorder_child import RecorderState
from . import theme

CONTEXT = "labels"


def _t(text: str) -> str:
    return QCoreApplication.translate(CONTEXT, text)


#: enum type → member → Chinese source text. Every member of every enum the wall shows has an entry (a test checks).
TABLES: dict[type[Enum], dict[Enum, str]] = {
    Status: {Status.REPORTED: "上报", Status.ACCEPTED: "受理", Status.DISPATCHED: "派遣", Status.HANDLING: "处置",
             Status.CLOSED: "办结", Status.FOLLOWED_UP: "已回访"},
    Severity: {Severity.LOW: "一般", Severity.MEDIUM: "较大", Severity.HIGH: "重大", Severity.CRITICAL: "特别重大"},
    Category: {Category.DISPUTE: "矛盾纠纷", Category.SAFETY_HAZARD: "安全隐患", Category.UTILITIES: "市政设施",
               Category.SANITATION: "环境卫生", Category.FIRE: "火灾", Category.FLOOD: "防汛",
               Category.FOREST_FIRE: "森林防火", Category.FISHING_VESSEL: "渔船管控", Category.PUBLIC_SECURITY: "治安",
               Category.PETITION: "信访", Category.ELDERLY_CHILDREN: "一老一小", Category.OTHER: "其他"},
    Source: {Source.GRID_APP: "网格通", Source.CITIZEN_PHOTO: "随手拍", Source.HOTLINE_12345: "12345热线",
             Source.PETITION_VISIT: "来电来访", Source.IOT_SENSOR: "物联感知", Source.VIDEO_AI: "视频智能",
             Source.POLICE_110: "110分流", Source.OPEN311: "Open311", Source.SCENARIO: "演练脚本"},
    AlertLevel: {AlertLevel.BLUE: "蓝色", AlertLevel.YELLOW: "黄色", AlertLevel.ORANGE: "橙色", AlertLevel.RED: "红色"},
    AlertType: {AlertType.WEATHER: "气象", AlertType.FLOOD: "汛情", AlertType.FOREST_FIRE: "森林火险",
                AlertType.IOT: "物联感知", AlertType.VIDEO: "视频分析", AlertType.WEAK_SIGNAL: "弱信号",
                AlertType.OVERDUE: "超时督办", AlertType.OTHER: "其他"},
    SignalKind: {SignalKind.WARNING: "预警", SignalKind.ALARM: "告警", SignalKind.SUPERVISION: "督办"},
    Hazard: {h: spec.name_cn for h, spec in HAZARDS.items()},      # 暴雨, 高温…: the signals' own names
    ResourceKind: {ResourceKind.TEAM: "队伍", ResourceKind.VEHICLE: "车辆", ResourceKind.SUPPLY: "物资",
                   ResourceKind.PERSON: "值守人员"},
    ResourceStatus: {ResourceStatus.AVAILABLE: "待命", ResourceStatus.DISPATCHED: "已派出",
                     ResourceStatus.ON_SCENE: "在现场", ResourceStatus.OUT_OF_SERVICE: "停用"},
    ResolutionLevel: {ResolutionLevel.GRID: "网格", ResolutionLevel.COMMUNITY: "社区", ResolutionLevel.STREET: "街道",
                      ResolutionLevel.HIGHER: "区县及以上"},
    FeedState: {FeedState.LIVE: "正常", FeedState.LAGGING: "延迟", FeedState.STALE: "数据过期", FeedState.DOWN: "中断"},
    RecorderState: {RecorderState.STARTING: "启动中", RecorderState.RUNNING: "运行中", RecorderState.RESTARTING: "重启中",
                    RecorderState.FAILED: "已失败", RecorderState.STOPPED: "已停止"},
    DeadlineLevel: {DeadlineLevel.OK: "正常", DeadlineLevel.AMBER: "临期", DeadlineLevel.OVERDUE: "超时",
                    DeadlineLevel.MET: "已完成"},
    Stage: {Stage.RESPONSE: "响应", Stage.ARRIVAL: "到场", Stage.ASSESSMENT: "初情研判", Stage.CLOSE: "办结",
            Stage.DONE: "完成"},
}

#: A public warning's level in its colour's words (预警, four colours).
WARNING_LEVELS: dict[AlertLevel, str] = {
    AlertLevel.BLUE: "蓝色预警", AlertLevel.YELLOW: "黄色预警", AlertLevel.ORANGE: "橙色预警", AlertLevel.RED: "红色预警",
}
#: A device alarm's level (告警): graded Ⅰ-Ⅳ, never in a public warning's colour words.
ALARM_LEVELS: dict[AlertLevel, str] = {
    AlertLevel.BLUE: "Ⅳ级告警", AlertLevel.YELLOW: "Ⅲ级告警", AlertLevel.ORANGE: "Ⅱ级告警", AlertLevel.RED: "Ⅰ级告警",
}
#: Supervision of overdue work (督办) has three grades, as Laiyang's 蓝黄红 management of key tasks; orange counts as red.
SUPERVISION_GRADES: dict[AlertLevel, AlertLevel] = {
    AlertLevel.BLUE: AlertLevel.BLUE, AlertLevel.YELLOW: AlertLevel.YELLOW,
    AlertLevel.ORANGE: AlertLevel.RED, AlertLevel.RED: AlertLevel.RED,
}
SUPERVISION_NAMES: dict[AlertLevel, str] = {
    AlertLevel.BLUE: "蓝色督办", AlertLevel.YELLOW: "黄色督办", AlertLevel.RED: "红色督办",
}

DRILL_BADGE = "演练"


#: Enums whose words translate in a context of their own: a stage's 办结 is a deadline ("Due"), a status's a fact.
OWN_CONTEXT: dict[type[Enum], str] = {Stage: "labels.stage"}


def name(value: object) -> str:
    """The translated display name of an enum value (falls back to its raw value)."""
    text = TABLES.get(type(value), {}).get(value) if isinstance(value, Enum) else None
    if not text:
        return str(value.value if isinstance(value, Enum) else value)
    return QCoreApplication.translate(OWN_CONTEXT.get(type(value), CONTEXT), text)  # type: ignore[arg-type]


def signal_type(alert: Alert) -> str:
    """What a signal is about: a public warning's hazard when it names one (暴雨 / Rainstorm), else its type."""
    return name(alert.hazard) if alert.hazard is not None else name(alert.type)


def warning_level(level: AlertLevel) -> str:
    """`红色预警` / `Red warning`."""
    return _t(WARNING_LEVELS[level])


def alarm_level(level: AlertLevel) -> str:
    """`Ⅰ级告警` / `Level I alarm`."""
    return _t(ALARM_LEVELS[level])


def supervision_name(grade: AlertLevel) -> str:
    """`红色督办` / `Red supervision`, for a grade (blue, yellow or red)."""
    return _t(SUPERVISION_NAMES[grade])


def supervision_grade(level: AlertLevel) -> AlertLevel:
    """The 蓝/黄/红 grade a supervision notice of this level has."""
    return SUPERVISION_GRADES[level]


def signal_level(alert: Alert) -> str:
    """The level of any signal in its own kind's words, with its symbol (never colour alone):
    `Ⅰ 红色预警`, `Ⅱ级告警`, `● 红色督办`."""
    kind = signal_kind(alert.type)
    if kind is SignalKind.WARNING:
        return f"{theme.ALERT_SYMBOLS[alert.level]} {warning_level(alert.level)}"
    if kind is SignalKind.ALARM:
        return alarm_level(alert.level)
    return f"● {supervision_name(supervision_grade(alert.level))}"


def signal_colour_level(alert: Alert) -> AlertLevel:
    """The level whose colour the signal is drawn in: a supervision notice in its grade's colour."""
    if signal_kind(alert.type) is SignalKind.SUPERVISION:
        return supervision_grade(alert.level)
    return alert.level


def all_sources() -> list[tuple[str, str]]:
    """(context, Chinese string) of everything this module translates (for scripts/update_translations.py)."""
    out: list[tuple[str, str]] = []
    for kind, table in TABLES.items():
        context = OWN_CONTEXT.get(kind, CONTEXT)
        out.extend((context, text) for text in table.values())
    for table2 in (WARNING_LEVELS, ALARM_LEVELS, SUPERVISION_NAMES):
        out.extend((CONTEXT, text) for text in table2.values())
    out += [(CONTEXT, t) for t in (DRILL_BADGE, "未知网格", "{name}（{parent}）")]
    return list(dict.fromkeys(out))


def place_name(territory: Mapping[str, TerritoryNode], node_id: str | None, *, with_parent: bool = True) -> str:
    """A grid (or any territory node) by its name, never by its code: `第3网格（幸福社区）` with its community
    (`with_parent`), `第3网格` without. A code the territory does not know reads as `未知网格`, none as `—`."""
    node = territory.get(node_id or "")
    if node is None:
        return _t("未知网格") if node_id else "—"
    parent = territory.get(node.parent_id) if with_parent and node.parent_id else None
    if parent is None or node.level is not TerritoryLevel.GRID:
        return node.name
    return _t("{name}（{parent}）").format(name=node.name, parent=parent.name)


def drill_badge() -> str:
    return _t(DRILL_BADGE)
