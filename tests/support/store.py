"""Record builders for the store tests, and a fresh PostgreSQL schema per test (COMMANDCENTER_TEST_PG_URL)."""
from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, create_engine, text

from commandcenter.domain import (
    Alert, AlertLevel, AlertStatus, AlertType, Category, Incident, Resource, ResourceKind, ResourceStatus, Severity,
    Source, Status, TerritoryLevel, TerritoryNode,
)

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def inc(id: str, version: int = 1, *, at: datetime | None = None, status: Status = Status.REPORTED,
        grid: str = "g1", category: Category = Category.DISPUTE, **kw: Any) -> Incident:
    at = at or T0
    return Incident(id=id, version=version, updated_at=kw.pop("updated_at", at), reported_at=at, title=kw.pop("title", f"event {id}"),
                    category=category, source=kw.pop("source", Source.GRID_APP), severity=kw.pop("severity", Severity.MEDIUM),
                    status=status, grid_id=grid, **kw)


def res(id: str, version: int = 1, status: ResourceStatus = ResourceStatus.AVAILABLE, **kw: Any) -> Resource:
    return Resource(id=id, version=version, updated_at=kw.pop("updated_at", T0), kind=ResourceKind.TEAM,
                    name=f"team {id}", status=status, **kw)


def alert(id: str, version: int = 1, status: AlertStatus = AlertStatus.ACTIVE, **kw: Any) -> Alert:
    return Alert(id=id, version=version, updated_at=kw.pop("updated_at", T0), level=kw.pop("level", AlertLevel.ORANGE),
                 type=AlertType.WEATHER, title=f"alert {id}", status=status, issued_at=kw.pop("issued_at", T0), **kw)


def territory() -> list[TerritoryNode]:
    """city c → district d1 → street s1 → communities m1, m2 → grids g1, g2 (m1), g3 (m2)."""
    sq = ((120.0, 37.0), (120.1, 37.0), (120.1, 37.1), (120.0, 37.1))
    return [
        TerritoryNode("c", TerritoryLevel.CITY, "City", None),
        TerritoryNode("d1", TerritoryLevel.DISTRICT, "District 1", "c"),
        TerritoryNode("s1", TerritoryLevel.STREET, "Street 1", "d1"),
        TerritoryNode("m1", TerritoryLevel.COMMUNITY, "Community 1", "s1"),
        TerritoryNode("m2", TerritoryLevel.COMMUNITY, "Community 2", "s1"),
        TerritoryNode("g1", TerritoryLevel.GRID, "Grid 1", "m1", polygon=sq, households=300, grid_worker="Wang"),
        TerritoryNode("g2", TerritoryLevel.GRID, "Grid 2", "m1"),
        TerritoryNode("g3", TerritoryLevel.GRID, "Grid 3", "m2"),
    ]


__all__ = ["T0", "alert", "inc", "res", "territory", "timedelta"]


PG_URL = os.environ.get("COMMANDCENTER_TEST_PG_URL", "")


def pg_schema_url() -> Iterator[str]:
    """A fresh PostgreSQL schema per test (search_path via libpq options), dropped afterwards."""
    schema = "t_" + uuid.uuid4().hex[:12]
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f"CREATE SCHEMA {schema}"))
    sep = "&" if "?" in PG_URL else "?"
    try:
        yield f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.connect() as c:
            c.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def undo_migrations_after_0007(conn: Connection) -> None:
    """Take away what migrations 0008 onwards added, so that a store of revision 0007 or older can be faked
    (a new migration adds its undo here)."""
    conn.execute(text("DROP TABLE drills"))                                          # 0008
    for table in ("sensors", "sensor_readings", "sensor_hours"):                    # 0009
        conn.execute(text(f"DROP TABLE {table}"))
    for table in ("feed_status", "recorders"):                                      # 0010
        conn.execute(text(f"DROP TABLE {table}"))
    conn.execute(text("DROP TABLE commit_log"))                                      # 0011
    conn.execute(text("ALTER TABLE operator_actions DROP COLUMN seat"))
    conn.execute(text("ALTER TABLE operator_actions DROP COLUMN recipient"))
