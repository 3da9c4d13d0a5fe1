"""Plain records the whole application passes around. Frozen: a new version is a new object."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from .enums import (
    ActionKind, FeedState, AlertLevel, AlertStatus, AlertType, Category, EmergencyDomain, ResolutionLevel,
    ResourceKind, ResourceStatus, Severity, Source, Status, TerritoryLevel,
)
from .warning_signals import Hazard

Ring = tuple[tuple[float, float], ...]  # (lon, lat) pairs, closed or open


@dataclass(frozen=True, slots=True)
class StatusChange:
    status: Status
    at: datetime
    handler: str = ""
    department: str = ""
    note: str = ""


@dataclass(frozen=True, slots=True)
class Incident:
    """A grid event (网格事件) or an emergency. `version` grows with every change at the source."""

    id: str
    version: int
    updated_at: datetime
    reported_at: datetime
    title: str
    category: Category
    source: Source
    severity: Severity
    status: Status
    grid_id: str
    lon: float | None = None
    lat: float | None = None
    emergency: bool = False
    emergency_domain: EmergencyDomain | None = None
    description: str = ""
    reporter: str = ""
    grid_worker: str = ""
    handler: str = ""
    departments: tuple[str, ...] = ()
    accepted_at: datetime | None = None
    dispatched_at: datetime | None = None
    arrived_at: datetime | None = None
    assessed_at: datetime | None = None   # first assessment (the "20" of 1-10-20)
    closed_at: datetime | None = None
    followed_up_at: datetime | None = None
    resolution_level: ResolutionLevel | None = None
    on_the_spot: bool = False
    satisfaction: int | None = None        # 1..5 at follow-up
    people_trapped: int = 0
    photos: tuple[str, ...] = ()
    timeline: tuple[StatusChange, ...] = ()
    drill_id: str | None = None

    @property
    def is_open(self) -> bool:
        return self.status.is_open


@dataclass(frozen=True, slots=True)
class Resource:
    """A rescue team, vehicle, stock of supplies or person on duty."""

    id: str
    version: int
    updated_at: datetime
    kind: ResourceKind
    name: str
    status: ResourceStatus
    lon: float | None = None
    lat: float | None = None
    grid_id: str = ""
    incident_id: str | None = None
    quantity: float | None = None      # supplies: stock on hand
    threshold: float | None = None     # supplies: restock below this
    unit: str = ""
    phone: str = ""
    drill_id: str | None = None

    @property
    def below_threshold(self) -> bool:
        return self.quantity is not None and self.threshold is not None and self.quantity < self.threshold


@dataclass(frozen=True, slots=True)
class Alert:
    """A signal in one of the four colours: a public warning (预警), a device alarm (告警) or supervision (督办);
    `signal_kind(type)` says which. `hazard` names a public warning's hazard (None for the other kinds)."""

    id: str
    version: int
    updated_at: datetime
    level: AlertLevel
    type: AlertType
    title: str
    status: AlertStatus
    issued_at: datetime
    expires_at: datetime | None = None
    description: str = ""
    area_desc: str = ""
    polygons: tuple[Ring, ...] = ()
    grid_ids: tuple[str, ...] = ()
    source: str = ""
    drill_id: str | None = None
    references: tuple[str, ...] = ()
    hazard: Hazard | None = None

    def is_live(self, now: datetime) -> bool:
        if self.status is not AlertStatus.ACTIVE:
            return False
        return self.expires_at is None or self.expires_at > now


@dataclass(frozen=True, slots=True)
class TerritoryNode:
    """One node of the grid hierarchy: city → district → street → community → grid → building."""

    id: str
    level: TerritoryLevel
    name: str
    parent_id: str | None
    polygon: Ring = ()
    households: int = 0
    grid_worker: str = ""
    grid_head: str = ""


@dataclass(frozen=True, slots=True)
class KpiValue:
    name: str
    value: float | None
    unit: str = ""
    node_id: str = ""
    window_start: datetime | None = None
    window_end: datetime | None = None
    detail: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class QuarantinedRecord:
    """Input that could not become a domain record: kept with its raw bytes and the reason, never dropped."""

    feed: str
    kind: str
    raw: bytes
    reason: str
    received_at: datetime
    record_id: str | None = None


@dataclass(frozen=True, slots=True)
class FeedHealth:
    feed: str
    state: FeedState
    last_ok_at: datetime | None = None
    last_error: str = ""
    last_error_at: datetime | None = None
    received: int = 0
    quarantined: int = 0
    lag_s: float = 0.0        # the source's send time → receipt, of the last message


@dataclass(frozen=True, slots=True)
class OperatorAction:
    kind: ActionKind
    target_kind: str          # incident / alert / resource / grid / kpi / drill
    target_id: str
    actor: str
    console: str
    at: datetime
    reason: str = ""
    expires_at: datetime | None = None   # shelve until
    drill_id: str | None = None
    id: int | None = None                # assigned by the store
    seat: str = ""                       # the console seat (席位) the signed-in actor works at
    recipient: str = ""                  # an escalation: to whom
