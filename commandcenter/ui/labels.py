"""Display names for domain values, through Qt's translation (Chinese source strings, English in resources/i18n)."""
from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from ..domain import (
    AlertLevel, AlertType, Category, DeadlineLevel, FeedState, ResolutionLevel, ResourceKind, ResourceStatus,
    Severity, Source, Stage, Status,
)


def _t(text: str) -> str:
    return QCoreApplication.translate("labels", text)


_NAMES: dict[object, str] = {
    Status.REPORTED: "上报", Status.ACCEPTED: "受理", Status.DISPATCHED: "派遣", Status.HANDLING: "处置",
    Status.CLOSED: "办结", Status.FOLLOWED_UP: "已回访",
    Severity.LOW: "一般", Severity.MEDIUM: "较大", Severity.HIGH: "重大", Severity.CRITICAL: "特别重大",
    Category.DISPUTE: "矛盾纠纷", Category.SAFETY_HAZARD: "安全隐患", Category.UTILITIES: "市政设施",
    Category.SANITATION: "环境卫生", Category.FIRE: "火灾", Category.FLOOD: "防汛", Category.FOREST_FIRE: "森林防火",
    Category.FISHING_VESSEL: "渔船管控", Category.PUBLIC_SECURITY: "治安", Category.PETITION: "信访",
    Category.ELDERLY_CHILDREN: "一老一小", Category.OTHER: "其他",
    Source.GRID_APP: "网格通", Source.CITIZEN_PHOTO: "随手拍", Source.HOTLINE_12345: "12345热线",
    Source.PETITION_VISIT: "来电来访", Source.IOT_SENSOR: "物联感知", Source.VIDEO_AI: "视频智能",
    Source.POLICE_110: "110分流", Source.OPEN311: "Open311", Source.SCENARIO: "演练脚本",
    AlertLevel.BLUE: "蓝色", AlertLevel.YELLOW: "黄色", AlertLevel.ORANGE: "橙色", AlertLevel.RED: "红色",
    AlertType.WEATHER: "气象", AlertType.FLOOD: "汛情", AlertType.FOREST_FIRE: "森林火险", AlertType.IOT: "物联感知",
    AlertType.VIDEO: "视频分析", AlertType.WEAK_SIGNAL: "弱信号", AlertType.OVERDUE: "超时督办", AlertType.OTHER: "其他",
    ResourceKind.TEAM: "队伍", ResourceKind.VEHICLE: "车辆", ResourceKind.SUPPLY: "物资", ResourceKind.PERSON: "值守人员",
    ResourceStatus.AVAILABLE: "待命", ResourceStatus.DISPATCHED: "已派出", ResourceStatus.ON_SCENE: "在现场",
    ResourceStatus.OUT_OF_SERVICE: "停用",
    ResolutionLevel.GRID: "网格", ResolutionLevel.COMMUNITY: "社区", ResolutionLevel.STREET: "街道",
    ResolutionLevel.HIGHER: "区县及以上",
    FeedState.LIVE: "正常", FeedState.LAGGING: "延迟", FeedState.STALE: "数据过期", FeedState.DOWN: "中断",
    DeadlineLevel.OK: "正常", DeadlineLevel.AMBER: "临期", DeadlineLevel.OVERDUE: "超时", DeadlineLevel.MET: "已完成",
    Stage.RESPONSE: "响应", Stage.ARRIVAL: "到场", Stage.ASSESSMENT: "初判", Stage.CLOSE: "办结", Stage.DONE: "完成",
}


def name(value: object) -> str:
    """The translated display name of an enum value (falls back to its raw value)."""
    text = _NAMES.get(value)
    return _t(text) if text else str(getattr(value, "value", value))


DRILL_BADGE = "演练"


def drill_badge() -> str:
    return _t(DRILL_BADGE)
