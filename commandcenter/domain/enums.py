"""Enumerations shared by every layer; their string values are the wire format."""
from __future__ import annotations

from enum import IntEnum, StrEnum


class Status(StrEnum):
    """The closed loop of a grid event (DOMAIN.md: 上报 → 受理 → 派遣 → 处置 → 办结 → 回访)."""

    REPORTED = "reported"
    ACCEPTED = "accepted"
    DISPATCHED = "dispatched"
    HANDLING = "handling"
    CLOSED = "closed"
    FOLLOWED_UP = "followed_up"

    # Plain attributes, set once per member below: read for every incident a view sorts or the store sums up
    is_open: bool     # still in the loop: neither closed nor followed up
    rank: int         # its place in the loop, REPORTED = 0


for _rank, _status in enumerate(Status):
    _status.is_open = _status not in (Status.CLOSED, Status.FOLLOWED_UP)
    _status.rank = _rank
del _rank, _status


class Severity(IntEnum):
    LOW = 1
    MEDIUM = 2
    HIGH = 3
    CRITICAL = 4


class Category(StrEnum):
    DISPUTE = "dispute"
    SAFETY_HAZARD = "safety_hazard"
    UTILITIES = "utilities"
    SANITATION = "sanitation"
    FIRE = "fire"
    FLOOD = "flood"
    FOREST_FIRE = "forest_fire"
    FISHING_VESSEL = "fishing_vessel"
    PUBLIC_SECURITY = "public_security"
    PETITION = "petition"
    ELDERLY_CHILDREN = "elderly_children"
    OTHER = "other"


class Source(StrEnum):
    GRID_APP = "grid_app"          # 网格通 patrol
    CITIZEN_PHOTO = "citizen_photo"  # 随手拍
    HOTLINE_12345 = "hotline_12345"
    PETITION_VISIT = "petition_visit"  # 来电来访
    IOT_SENSOR = "iot_sensor"
    VIDEO_AI = "video_ai"
    POLICE_110 = "police_110"      # 非警务警情 diverted from 110
    OPEN311 = "open311"
    SCENARIO = "scenario"


class EmergencyDomain(StrEnum):
    """Xiyuan's eight emergency domains."""

    EMERGENCY_MANAGEMENT = "emergency_management"
    FIRE_SAFETY = "fire_safety"
    WORK_SAFETY = "work_safety"
    FOREST_FIRE = "forest_fire"
    FLOOD_DROUGHT = "flood_drought"
    FISHING_VESSEL = "fishing_vessel"
    STABILITY = "stability"
    LOGISTICS = "logistics"


class ResolutionLevel(StrEnum):
    """Where an event was resolved: 小事不出网格, 大事不出社区."""

    GRID = "grid"
    COMMUNITY = "community"
    STREET = "street"
    HIGHER = "higher"


class TerritoryLevel(StrEnum):
    CITY = "city"
    DISTRICT = "district"
    STREET = "street"
    COMMUNITY = "community"
    GRID = "grid"
    BUILDING = "building"


class AlertLevel(IntEnum):
    """China's four public warning colours; higher is more severe (red = I)."""

    BLUE = 1
    YELLOW = 2
    ORANGE = 3
    RED = 4

    @property
    def colour_name(self) -> str:
        return self.name.lower()

    @classmethod
    def from_colour(cls, name: str) -> AlertLevel:
        return cls[name.strip().upper()]


class AlertType(StrEnum):
    WEATHER = "weather"
    FLOOD = "flood"
    FOREST_FIRE = "forest_fire"
    IOT = "iot"
    VIDEO = "video"
    WEAK_SIGNAL = "weak_signal"
    OVERDUE = "overdue"
    OTHER = "other"


class SignalKind(StrEnum):
    """The three kinds of signal a centre keeps apart: public warnings, device alarms, supervision of overdue work."""

    WARNING = "warning"          # 预警: public warnings in four colours (weather, flood, forest fire)
    ALARM = "alarm"              # 告警: IoT sensors, video analytics and the centre's own weak-signal rules
    SUPERVISION = "supervision"  # 督办: overdue work, graded blue/yellow/red


_SIGNAL_KIND_OF_TYPE = {
    AlertType.WEATHER: SignalKind.WARNING,
    AlertType.FLOOD: SignalKind.WARNING,
    AlertType.FOREST_FIRE: SignalKind.WARNING,
    AlertType.OTHER: SignalKind.WARNING,
    AlertType.IOT: SignalKind.ALARM,
    AlertType.VIDEO: SignalKind.ALARM,
    AlertType.WEAK_SIGNAL: SignalKind.ALARM,
    AlertType.OVERDUE: SignalKind.SUPERVISION,
}


def signal_kind(alert_type: AlertType) -> SignalKind:
    """Which of the three kinds of signal an alert of this type is."""
    return _SIGNAL_KIND_OF_TYPE[alert_type]


class AlertStatus(StrEnum):
    ACTIVE = "active"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


class ResourceKind(StrEnum):
    TEAM = "team"
    VEHICLE = "vehicle"
    SUPPLY = "supply"
    PERSON = "person"


class ResourceStatus(StrEnum):
    AVAILABLE = "available"
    DISPATCHED = "dispatched"
    ON_SCENE = "on_scene"
    OUT_OF_SERVICE = "out_of_service"


class FeedState(StrEnum):
    """A feed's health as the wall shows it."""

    LIVE = "live"
    LAGGING = "lagging"
    STALE = "stale"
    DOWN = "down"


class ActionKind(StrEnum):
    """What an operator did; every action is recorded with who, when, where from and why."""

    ACKNOWLEDGE = "acknowledge"
    SHELVE = "shelve"
    ESCALATE = "escalate"
    PUSH_TO_WALL = "push_to_wall"
    DRILL_START = "drill_start"
    DRILL_STOP = "drill_stop"
