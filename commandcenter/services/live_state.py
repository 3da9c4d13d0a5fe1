"""What the wall shows right now, Qt-free: the latest version of every record, evented.

Views subscribe with `on_change`; every ingest batch produces one `Change` so a view can
update once per batch rather than once per record (painting, not the model, is the cost).

Bounded for weeks-long runs: a closed (or cancelled) incident and a warning no longer in force leave the
live state `retention` after they ended (`[wall] keep_ended_minutes`, default 3 h) (`prune`, called by the pipeline once a second); the change says
which ids left. Longer than any view shows them (the incident feed keeps closed events 2 h); the detail
panel reads older records from the store. At most `max_ended` ended incidents are kept (the oldest-ended
leave first): a city closes a few hundred incidents in 3 h, but a storm or a flood of test traffic can close
thousands a minute, and memory must not follow the rate.
"""
from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TypeVar

from ..domain import Alert, FeedHealth, Incident, KpiValue, Resource, TerritoryNode
from ..domain.sensors import Sensor

R = TypeVar("R", Incident, Resource, Alert)   # the versioned live records a drill may own
V = TypeVar("V", Incident, Resource, Alert, Sensor)   # every versioned live record


@dataclass(frozen=True, slots=True)
class Change:
    incidents: tuple[Incident, ...] = ()
    resources: tuple[Resource, ...] = ()
    alerts: tuple[Alert, ...] = ()
    territory: tuple[TerritoryNode, ...] = ()
    health: tuple[FeedHealth, ...] = ()
    kpis: tuple[KpiValue, ...] = ()            # the sources' own KPI figures (not stored: the store computes its own)
    removed_incidents: tuple[str, ...] = ()    # ids pruned from the live state (ended longer than the retention)
    removed_alerts: tuple[str, ...] = ()
    removed_resources: tuple[str, ...] = ()    # ids taken off the live state (a finished drill's units)
    # the incidents, resources and alerts were replaced wholesale (a replay jump, back to live): views start over
    # from the live state instead of updating the records named above
    reset: bool = False
    sensors: tuple[Sensor, ...] = ()           # city sensors' new versions (status, last reading)

    def __bool__(self) -> bool:
        return bool(self.reset or self.incidents or self.resources or self.alerts or self.territory or self.health
                    or self.kpis or self.removed_incidents or self.removed_alerts or self.removed_resources
                    or self.sensors)


Listener = Callable[[Change], None]


@dataclass
class LiveState:
    incidents: dict[str, Incident] = field(default_factory=dict)
    resources: dict[str, Resource] = field(default_factory=dict)
    alerts: dict[str, Alert] = field(default_factory=dict)
    territory: dict[str, TerritoryNode] = field(default_factory=dict)
    health: dict[str, FeedHealth] = field(default_factory=dict)
    kpis: dict[tuple[str, str], KpiValue] = field(default_factory=dict)     # (name, node_id) → latest
    sensors: dict[str, Sensor] = field(default_factory=dict)
    retention: timedelta = timedelta(hours=3)
    max_ended: int = 5000
    _listeners: list[Listener] = field(default_factory=list, repr=False)
    _ended: list[tuple[float, str, int]] = field(default_factory=list, repr=False)   # (ended at, id, version)
    _ended_ids: set[str] = field(default_factory=set, repr=False)     # ended incidents held now
    # drills that have ended: their records are never shown live again (the store keeps them for the report)
    ended_drills: set[str] = field(default_factory=set)

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
        kpis: Iterable[KpiValue] = (),
        sensors: Iterable[Sensor] = (),
    ) -> Change:
        """Merge records, keeping only newer versions; tell listeners what actually changed."""
        change = self._merged(incidents, resources, alerts, territory, health, kpis, sensors)
        if change:
            self._tell(change)
        return change

    def _merged(self, incidents: Iterable[Incident], resources: Iterable[Resource], alerts: Iterable[Alert],
                territory: Iterable[TerritoryNode], health: Iterable[FeedHealth], kpis: Iterable[KpiValue],
                sensors: Iterable[Sensor] = ()) -> Change:
        """Merge records, keeping only newer versions; what actually changed (nobody told yet)."""
        if self.ended_drills:
            incidents, resources, alerts = (self._live_only(incidents), self._live_only(resources),
                                            self._live_only(alerts))
        merged = _merge(self.incidents, incidents)
        for inc in merged:
            if not inc.is_open:
                heapq.heappush(self._ended, ((inc.closed_at or inc.updated_at).timestamp(), inc.id, inc.version))
                self._ended_ids.add(inc.id)
            else:
                self._ended_ids.discard(inc.id)
        change = Change(
            incidents=tuple(merged),
            resources=tuple(_merge(self.resources, resources)),
            alerts=tuple(_merge(self.alerts, alerts)),
            territory=tuple(self._merge_territory(territory)),
            health=tuple(self._merge_health(health)),
            kpis=tuple(self._merge_kpis(kpis)),
            sensors=tuple(_merge(self.sensors, sensors)),
        )
        return change

    def _live_only(self, records: Iterable[R]) -> list[R]:
        ended = self.ended_drills
        return [r for r in records if r.drill_id is None or r.drill_id not in ended]

    def end_drill(self, drill_id: str) -> Change:
        """A drill ended: its incidents, units and warnings leave the live state now and are refused from now on
        (late records from a feed included); listeners are told which ids left."""
        self.ended_drills.add(drill_id)
        gone_inc = [k for k, v in self.incidents.items() if v.drill_id == drill_id]
        gone_res = [k for k, v in self.resources.items() if v.drill_id == drill_id]
        gone_al = [k for k, v in self.alerts.items() if v.drill_id == drill_id]
        for k in gone_inc:
            del self.incidents[k]
            self._ended_ids.discard(k)
        for k in gone_res:
            del self.resources[k]
        for k in gone_al:
            del self.alerts[k]
        change = Change(removed_incidents=tuple(gone_inc), removed_alerts=tuple(gone_al),
                        removed_resources=tuple(gone_res))
        if change:
            self._tell(change)
        return change

    def replace(self, incidents: Iterable[Incident] = (), resources: Iterable[Resource] = (),
                alerts: Iterable[Alert] = (), sensors: Iterable[Sensor] = ()) -> Change:
        """Hold exactly these incidents, resources, alerts and sensors (a replay jump, back to live); listeners get one
        change with `reset` set, so they rebuild from the live state (territory and health stay)."""
        self.incidents.clear()
        self.resources.clear()
        self.alerts.clear()
        self.sensors.clear()
        self._ended.clear()
        self._ended_ids.clear()
        merged = self._merged(incidents, resources, alerts, (), (), (), sensors)
        change = Change(incidents=merged.incidents, resources=merged.resources, alerts=merged.alerts, reset=True,
                        sensors=merged.sensors)
        self._tell(change)
        return change

    def _tell(self, change: Change) -> None:
        for listener in list(self._listeners):
            listener(change)

    def _merge_territory(self, nodes: Iterable[TerritoryNode]) -> list[TerritoryNode]:
        out = []
        for node in nodes:
            if self.territory.get(node.id) != node:
                self.territory[node.id] = node
                out.append(node)
        return out

    def prune(self, now: datetime) -> Change:
        """Drop incidents closed and warnings out of force for longer than `retention`, and the oldest-ended
        incidents beyond `max_ended`; tell listeners which."""
        cutoff = now - self.retention
        ts = cutoff.timestamp()
        gone: list[str] = []
        ended, held = self._ended, self._ended_ids
        while ended and (ended[0][0] <= ts or len(held) > self.max_ended):
            _, rid, version = heapq.heappop(ended)
            inc = self.incidents.get(rid)
            if inc is None:
                held.discard(rid)
            elif inc.version == version and not inc.is_open:
                del self.incidents[rid]
                held.discard(rid)
                gone.append(rid)
        old_alerts = [a.id for a in self.alerts.values()
                      if not a.is_live(now) and (a.expires_at if a.expires_at is not None and a.expires_at < now
                                                 else a.updated_at) <= cutoff]
        for aid in old_alerts:
            del self.alerts[aid]
        change = Change(removed_incidents=tuple(gone), removed_alerts=tuple(old_alerts))
        if change:
            self._tell(change)
        return change

    def _merge_kpis(self, values: Iterable[KpiValue]) -> list[KpiValue]:
        """Latest figure per (name, node): a value for an older window than the one held is ignored."""
        out = []
        for v in values:
            key = (v.name, v.node_id)
            old = self.kpis.get(key)
            if old is not None and old.window_end and v.window_end and v.window_end < old.window_end:
                continue
            if old != v:
                self.kpis[key] = v
                out.append(v)
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


def _merge(target: dict[str, V], records: Iterable[V]) -> list[V]:
    out: list[V] = []
    for rec in records:
        old = target.get(rec.id)
        if old is None or rec.version > old.version:
            target[rec.id] = rec
            out.append(rec)
    return out
