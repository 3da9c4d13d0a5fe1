"""The domain: what a command center's wall talks about. Plain data and pure rules; no Qt, no IO."""
from .codec import (
    decode, decode_alert, decode_incident, decode_resource, decode_stored, decode_territory, encode, encode_json, format_time,
    parse_time,
)
from .deadlines import DeadlineLevel, DeadlineState, OneTenTwenty, Stage, deadline_state, one_ten_twenty
from .enums import (
    ActionKind, FeedState, AlertLevel, AlertStatus, AlertType, Category, EmergencyDomain, ResolutionLevel, ResourceKind,
    ResourceStatus, Severity, SignalKind, Source, Status, TerritoryLevel, signal_kind,
)
from .errors import InvalidRecord
from .warning_signals import HAZARDS, Hazard, HazardSpec, check_signal
from .models import (
    Alert, FeedHealth, Incident, KpiValue, OperatorAction, QuarantinedRecord, Resource, Ring, StatusChange,
    TerritoryNode,
)

__all__ = [
    "ActionKind", "FeedHealth", "FeedState", "OperatorAction", "QuarantinedRecord", "Alert", "AlertLevel", "AlertStatus", "AlertType", "Category", "DeadlineLevel", "DeadlineState",
    "EmergencyDomain", "HAZARDS", "Hazard", "HazardSpec", "Incident", "InvalidRecord", "KpiValue", "OneTenTwenty", "ResolutionLevel",
    "Resource", "ResourceKind", "ResourceStatus", "Ring", "Severity", "SignalKind", "Source", "Stage", "Status", "check_signal",
    "StatusChange", "TerritoryLevel", "TerritoryNode", "decode", "decode_alert", "decode_incident",
    "decode_resource", "decode_stored", "decode_territory", "deadline_state", "encode", "encode_json", "format_time", "one_ten_twenty",
    "parse_time", "signal_kind",
]
