"""What the wall shows right now, Qt-free: the latest version of every record, evented.

Views subscribe with `on_change`; every ingest batch produces one `Change` so a view can
update once per batch rather than once per record (painting, not the model, is the cost).
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from ..domain import Alert, FeedHealth, Incident, Resource, TerritoryNode


@dataclass(frozen=True, slots=True)
class Change:
    incidents: tuple[Incident, ...] = ()
    resources: tuple[Resource, ...] = ()
    alerts: tuple[Alert, ...] = ()
    territory: tuple[TerritoryNode, ...] = ()
    health: tuple[FeedHealth, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.incidents or self.resources or self.alerts or self.territory or self.health)


Listener = Callable[[Change], None]


@dataclass
class LiveState:
    incidents: dict[str, Incident] = field(default_factory=dict)
    resources: dict[str, Resource] = field(default_factory=dict)
    alerts: dict[str, Alert] = field(default_factory=dict)
    territory: dict[str, TerritoryNode] = field(default_factory=dict)
    health: dict[str, FeedHealth] = field(default_factory=dict)
    _listeners: list[Listener] = field(default_factory=list, repr=False)

    def on_change(self, listener: Listener) -> Callable[[], None]:
        """Subscribe; returns the unsubscribe function."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def apply(
        self,
        incidents: Iterable[Incident] = (),
        resources: Iterable[Resource] = (),
        alerts: Iterable[Alert] = (),
        territory: Iterable[TerritoryNode] = (),
        health: Iterable[FeedHealth] = (),
    ) -> Change:
        """Merge records, keeping only newer versions; tell listeners what actually changed."""
        change = Change(
            incidents=tuple(_merge(self.incidents, incidents)),
            resources=tuple(_merge(self.resources, resources)),
            alerts=tuple(_merge(self.alerts, alerts)),
            territory=tuple(self._merge_territory(territory)),
            health=tuple(self._merge_health(health)),
        )
        if change:
            for listener in list(self._listeners):
                listener(change)
        return change

    def _merge_territory(self, nodes: Iterable[TerritoryNode]) -> list[TerritoryNode]:
        out = []
        for node in nodes:
            if self.territory.get(node.id) != node:
                self.territory[node.id] = node
                out.append(node)
        return out

    def _merge_health(self, reports: Iterable[FeedHealth]) -> list[FeedHealth]:
        out = []
        for h in reports:
            if self.health.get(h.feed) != h:
                self.health[h.feed] = h
                out.append(h)
        return out

    def open_per_grid(self, include_drill: bool = True) -> dict[str, int]:
        counts: dict[str, int] = {}
        for inc in self.incidents.values():
            if inc.is_open and (include_drill or inc.drill_id is None):
                counts[inc.grid_id] = counts.get(inc.grid_id, 0) + 1
        return counts

    def live_alerts(self, now: datetime) -> list[Alert]:
        return [a for a in self.alerts.values() if a.is_live(now)]


def _merge(target: dict, records: Iterable) -> list:
    out = []
    for rec in records:
        old = target.get(rec.id)
        if old is None or rec.version > old.version:
            target[rec.id] = rec
            out.append(rec)
    return out
