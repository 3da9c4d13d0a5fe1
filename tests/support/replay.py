"""A scripted hour for the replay tests: records applied minute by minute, and what a tile shows of each."""
from __future__ import annotations

import dataclasses
from datetime import timedelta

from commandcenter.domain import (
    Alert, AlertLevel, AlertStatus, AlertType, Category, Incident, Resource, ResourceKind, ResourceStatus, Severity,
    Source, Status, StatusChange,
)
from commandcenter.services import LiveState
from commandcenter.store import Store

from tests.support.drills import T0


def incident_at(i: int, at) -> Incident:
    return Incident(id=f"i{i}", version=1, updated_at=at, reported_at=at, title=f"事件 {i}",
                    category=Category.FIRE if i % 3 == 0 else Category.DISPUTE, source=Source.GRID_APP,
                    severity=Severity.HIGH, status=Status.REPORTED, grid_id=f"g{i % 4}", emergency=i % 3 == 0,
                    timeline=(StatusChange(Status.REPORTED, at),), drill_id="d1" if i == 4 else None)


def _step(inc: Incident, status: Status, at) -> Incident:
    kw = {"accepted_at": at} if status is Status.ACCEPTED else {"closed_at": at} if status is Status.CLOSED else {}
    if status is Status.HANDLING:
        kw = {"arrived_at": at}
    return dataclasses.replace(inc, version=inc.version + 1, updated_at=at, status=status,
                               timeline=inc.timeline + (StatusChange(status, at),), **kw)


def view(records: dict) -> dict:
    """What a tile shows of each record (replayed records carry their latest version number, not the one at T)."""
    out = {}
    for rid, r in records.items():
        if isinstance(r, Incident):
            out[rid] = (r.status, r.accepted_at, r.arrived_at, r.closed_at, tuple((c.status, c.at) for c in r.timeline),
                        r.drill_id)
        elif isinstance(r, Resource):
            out[rid] = (r.status, r.incident_id, r.lon, r.lat)
        else:
            out[rid] = (r.level, r.status, r.title)
    return out


def scripted_hour(store: Store) -> tuple[LiveState, dict]:
    """An hour of events applied minute by minute; returns the live state and its pictures at each minute."""
    live = LiveState()
    pictures = {}
    incs: dict[str, Incident] = {}
    team = Resource(id="team1", version=0, updated_at=T0, kind=ResourceKind.TEAM, name="抢险救援队",
                    status=ResourceStatus.AVAILABLE, lon=120.0, lat=37.0)
    alert = None
    for minute in range(0, 61):
        t = T0 + timedelta(minutes=minute)
        new_i, new_r, new_a = [], [], []
        if minute % 5 == 0 and minute < 50:
            inc = incident_at(minute // 5, t)
            incs[inc.id] = inc
            new_i.append(inc)
        for iid, inc in list(incs.items()):
            age = (t - inc.reported_at).total_seconds() / 60
            nxt = {2: Status.ACCEPTED, 6: Status.HANDLING, 12: Status.CLOSED}.get(age)
            if nxt is not None:
                incs[iid] = _step(inc, nxt, t)
                new_i.append(incs[iid])
        if minute in (10, 20, 30):
            st = {10: ResourceStatus.DISPATCHED, 20: ResourceStatus.ON_SCENE, 30: ResourceStatus.AVAILABLE}[minute]
            team = dataclasses.replace(team, version=team.version + 1, updated_at=t, status=st,
                                       incident_id=None if minute == 30 else "i2", lon=120.0 + minute / 1000)
            new_r.append(team)
        if minute in (15, 40):
            if alert is None:
                alert = Alert(id="a1", version=1, updated_at=t, level=AlertLevel.RED, type=AlertType.WEATHER,
                              title="暴雨红色预警", status=AlertStatus.ACTIVE, issued_at=t,
                              expires_at=t + timedelta(hours=3))
            else:
                alert = dataclasses.replace(alert, version=2, updated_at=t, status=AlertStatus.CANCELLED)
            new_a.append(alert)
        if new_i or new_r or new_a:
            applied = store.apply("city", incidents=new_i, resources=new_r, alerts=new_a, received_at=t)
            live.apply(incidents=applied.incidents, resources=applied.resources, alerts=applied.alerts)
        pictures[t] = {"incidents": view(live.incidents),
                       "resources": view(live.resources),
                       "alerts": view({a.id: a for a in live.live_alerts(t)})}
    return live, pictures
