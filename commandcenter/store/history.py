"""The state of everything as of a past time T, rebuilt from the status timeline and the history tables."""
from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, func, or_, select

from ..domain import Alert, Incident, Resource, ResourceStatus, Status, StatusChange
from ..domain.record_json import decode_stored_json
from .encoding import aware as _aware
from .schema import T

INCIDENTS, INCIDENT_STATUS, RESOURCES, RESOURCE_STATUS, ALERTS, ALERT_UPDATES = (T[n] for n in (
    "incidents", "incident_status", "resources", "resource_status", "alerts", "alert_updates"))
_TIMES = ("accepted_at", "dispatched_at", "arrived_at", "assessed_at", "closed_at", "followed_up_at")


def _drill(col: Any, drill: bool | None) -> list[Any]:
    return [] if drill is None else [col.is_not(None) if drill else col.is_(None)]


def incident_at(inc: Incident, timeline: list[StatusChange], t: datetime) -> Incident:
    """The incident as it stood at t: timeline cut at t, status the last change before t, later times blanked."""
    tl = tuple(c for c in timeline if c.at <= t)
    status = tl[-1].status if tl else Status.REPORTED
    times: dict[str, Any] = {k: (None if getattr(inc, k) is not None and getattr(inc, k) > t else getattr(inc, k))
                             for k in _TIMES}
    closed = not status.is_open
    return dataclasses.replace(
        inc, status=status, timeline=tl, **times,
        resolution_level=inc.resolution_level if closed else None,
        on_the_spot=inc.on_the_spot if closed else False,
        satisfaction=inc.satisfaction if status is Status.FOLLOWED_UP else None,
        updated_at=min(inc.updated_at, t))


def state_at(conn: Connection, t: datetime, *, lookback: timedelta, drill: bool | None,
             limit: int) -> dict[str, list[Any]]:
    # incidents reported by t and not closed before t - lookback
    q = (select(INCIDENTS.c.data).where(
        INCIDENTS.c.reported_at <= t, or_(INCIDENTS.c.closed_at.is_(None), INCIDENTS.c.closed_at > t - lookback),
        *_drill(INCIDENTS.c.drill_id, drill)).order_by(INCIDENTS.c.reported_at.desc()).limit(limit))
    incs = [decode_stored_json(Incident, d) for (d,) in conn.execute(q)]
    timelines: dict[str, list[StatusChange]] = {i.id: [] for i in incs}
    ids = list(timelines)
    for k in range(0, len(ids), 1000):
        part = ids[k:k + 1000]
        changes = (select(INCIDENT_STATUS).where(INCIDENT_STATUS.c.incident_id.in_(part), INCIDENT_STATUS.c.at <= t)
                   .order_by(INCIDENT_STATUS.c.incident_id, INCIDENT_STATUS.c.seq))
        for r in conn.execute(changes):
            change = StatusChange(Status(r.status), _aware(r.at), r.handler, r.department, r.note)
            timelines[r.incident_id].append(change)
    incidents = [incident_at(i, timelines[i.id], t) for i in incs]

    # alerts: the latest version of each alert updated by t, if live at t
    latest = (select(ALERT_UPDATES.c.alert_id, func.max(ALERT_UPDATES.c.id).label("mid"))
              .where(ALERT_UPDATES.c.updated_at <= t, *_drill(ALERT_UPDATES.c.drill_id, drill))
              .group_by(ALERT_UPDATES.c.alert_id).subquery())
    alerts = [decode_stored_json(Alert, d) for (d,) in conn.execute(
        select(ALERT_UPDATES.c.data).join(latest, ALERT_UPDATES.c.id == latest.c.mid))]
    alerts = [a for a in alerts if a.issued_at <= t and a.is_live(t)]
    alerts.sort(key=lambda a: (-int(a.level), a.id))

    # resources: current record, with status / assignment / position from the last history row by t
    last = (select(RESOURCE_STATUS.c.resource_id, func.max(RESOURCE_STATUS.c.id).label("mid"))
            .where(RESOURCE_STATUS.c.at <= t, *_drill(RESOURCE_STATUS.c.drill_id, drill))
            .group_by(RESOURCE_STATUS.c.resource_id).subquery())
    hist = {r.resource_id: r
            for r in conn.execute(select(RESOURCE_STATUS).join(last, RESOURCE_STATUS.c.id == last.c.mid))}
    resources: list[Resource] = []
    current = select(RESOURCES.c.data).where(RESOURCES.c.id.in_(list(hist))).order_by(RESOURCES.c.id)
    for (d,) in conn.execute(current) if hist else ():
        res = decode_stored_json(Resource, d)
        h = hist[res.id]
        resources.append(dataclasses.replace(res, status=ResourceStatus(h.status), incident_id=h.incident_id, lon=h.lon,
                                             lat=h.lat, quantity=h.quantity, version=int(h.version),
                                             updated_at=_aware(h.at)))
    return {"incidents": incidents, "alerts": alerts, "resources": resources}
