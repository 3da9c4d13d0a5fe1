"""Video presets and their rules (issue 21): a red warning, an emergency or a device alarm inside a preset's area
brings the preset's cameras up, the cameras nearest the event in its free slots; acknowledging the warning or
alarm (an emergency: closing it) takes it down. Drills fire the same rules; their presets say so.

Qt-free: `PresetRules.changed(change)` says which presets come up, `record_done(id)` which go down; the wall
puts the cameras on its tiles (ui/video_presets.py).
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from ..config.schema import VideoPreset
from ..domain import Alert, AlertLevel, Incident, SignalKind, TerritoryNode
from ..domain.enums import signal_kind
from .cameras import CameraDirectory
from .live_state import Change


@dataclass(frozen=True)
class PresetUp:
    """Preset `preset` comes up with these cameras, for this record."""

    preset: VideoPreset
    cameras: tuple[str, ...]
    record_kind: str            # "alert" | "incident"
    record_id: str
    drill: bool


def triggers_of(record: Alert | Incident) -> set[str]:
    """The rule names a record fires."""
    if isinstance(record, Incident):
        return {"emergency"} if record.emergency and record.is_open else set()
    kind = signal_kind(record.type)
    if kind is SignalKind.WARNING and record.level is AlertLevel.RED:
        return {"red_warning"}
    if kind is SignalKind.ALARM:
        return {"device_alarm"}
    return set()


def within(territory: Mapping[str, TerritoryNode], grid_id: str, area: str) -> bool:
    """Whether grid `grid_id` lies in territory node `area` (itself or any of its ancestors)."""
    node_id: str | None = grid_id
    seen: set[str] = set()
    while node_id and node_id not in seen:
        if node_id == area:
            return True
        seen.add(node_id)
        node = territory.get(node_id)
        node_id = node.parent_id if node is not None else None
    return False


def grid_centre(node: TerritoryNode | None) -> tuple[float, float] | None:
    if node is None or not node.polygon:
        return None
    return (sum(p[0] for p in node.polygon) / len(node.polygon), sum(p[1] for p in node.polygon) / len(node.polygon))


class PresetRules:
    """Which presets are up, for which record; one record holds a preset at a time (the first to fire)."""

    def __init__(self, presets: list[VideoPreset], directory: CameraDirectory | None,
                 territory: Callable[[], Mapping[str, TerritoryNode]], slots: Callable[[VideoPreset], int]) -> None:
        self.presets = presets
        self.directory = directory
        self.territory = territory
        self.slots = slots                     # how many cameras the preset's tile shows
        self.up: dict[str, str] = {}           # preset name → the record id holding it
        self.done: set[str] = set()            # records acknowledged (or closed): they never fire again

    def changed(self, change: Change) -> list[PresetUp]:
        """The presets the change's new or changed records bring up (those not up already)."""
        ups: list[PresetUp] = []
        records: list[Alert | Incident] = [*change.alerts, *change.incidents]
        for record in records:
            if record.id in self.done:
                continue
            if isinstance(record, Incident) and not record.is_open:
                continue
            fired = triggers_of(record)
            if not fired:
                continue
            grids = (record.grid_id,) if isinstance(record, Incident) else record.grid_ids
            for preset in self.presets:
                if preset.name in self.up or not fired & set(preset.on):
                    continue
                if preset.area and not any(within(self.territory(), g, preset.area) for g in grids if g):
                    continue
                ups.append(self._bring_up(preset, record, grids))
        return ups

    def _bring_up(self, preset: VideoPreset, record: Alert | Incident, grids: tuple[str, ...]) -> PresetUp:
        place: tuple[float, float] | None = None
        if isinstance(record, Incident) and record.lon is not None and record.lat is not None:
            place = (record.lon, record.lat)
        elif grids:
            place = grid_centre(self.territory().get(grids[0]))
        wanted = list(preset.cameras)[:self.slots(preset)]
        if self.directory is not None and place is not None:
            for near in self.directory.nearest(place[0], place[1], self.slots(preset) + len(wanted)):
                if len(wanted) >= self.slots(preset):
                    break
                if near.camera.id not in wanted:
                    wanted.append(near.camera.id)
        self.up[preset.name] = record.id
        kind = "incident" if isinstance(record, Incident) else "alert"
        return PresetUp(preset, tuple(wanted), kind, record.id, record.drill_id is not None)

    def record_done(self, record_id: str) -> list[VideoPreset]:
        """The record was acknowledged (a warning, an alarm) or closed (an emergency): the presets it holds go down."""
        self.done.add(record_id)
        down = [p for p in self.presets if self.up.get(p.name) == record_id]
        for preset in down:
            del self.up[preset.name]
        return down

    def closed_incidents(self, change: Change) -> list[str]:
        """Ids of incidents in `change` holding a preset and no longer open."""
        holding = set(self.up.values())
        return [i.id for i in change.incidents if i.id in holding and not i.is_open]
