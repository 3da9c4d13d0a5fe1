"""City sensors in the store: each device's latest state, its raw readings (kept `raw_days`) and hourly summaries
(kept `hourly_months`), written in the same transaction as the batch that brought them (Store.apply).

Functions take a connection inside the caller's transaction; the Store exposes them as a few thin methods.
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta, UTC
from typing import Any, cast

from sqlalchemy import BigInteger, Float, Index, Integer, String, Table, Text, delete, func, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapped, mapped_column

from ..domain.sensors import Sensor, SensorReading, SensorStatus, SensorType
from .schema import Base, UtcDateTime


class SensorRow(Base):
    __tablename__ = "sensors"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger)
    feed: Mapped[str] = mapped_column(String(64), default="")
    type: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    level: Mapped[int] = mapped_column(Integer, default=0)
    grid_id: Mapped[str] = mapped_column(String(64), default="")
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    name: Mapped[str] = mapped_column(Text, default="")
    lon: Mapped[float | None] = mapped_column(Float)
    lat: Mapped[float | None] = mapped_column(Float)
    value: Mapped[float | None] = mapped_column(Float)
    reading_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class SensorReadingRow(Base):
    __tablename__ = "sensor_readings"
    sensor_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, primary_key=True)
    value: Mapped[float] = mapped_column(Float)
    __table_args__ = (Index("ix_sensor_readings_at", "at"),)    # retention deletes by time


class SensorHourRow(Base):
    """Readings summarised per device and hour: months of a device's history at 1/360 of the raw rows."""

    __tablename__ = "sensor_hours"
    sensor_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    hour: Mapped[datetime] = mapped_column(UtcDateTime, primary_key=True)
    n: Mapped[int] = mapped_column(Integer)
    total: Mapped[float] = mapped_column(Float)
    low: Mapped[float] = mapped_column(Float)
    high: Mapped[float] = mapped_column(Float)
    __table_args__ = (Index("ix_sensor_hours_hour", "hour"),)


_S = cast(Table, SensorRow.__table__)
_R = cast(Table, SensorReadingRow.__table__)
_H = cast(Table, SensorHourRow.__table__)


def _sqlite(conn: Connection) -> bool:
    return conn.dialect.name == "sqlite"


def _time(conn: Connection) -> Any:
    """A UTC time as the column holds it: SQLite, the naive text SQLAlchemy writes (always with microseconds);
    PostgreSQL, the aware datetime."""
    if _sqlite(conn):
        return _sqlite_text
    return lambda t: t


def _sqlite_text(t: datetime | None) -> str | None:
    if t is None:
        return None
    text = t.astimezone(UTC).replace(tzinfo=None).isoformat(" ")
    return text if t.microsecond else text + ".000000"


def _run(conn: Connection, sql: str, rows: list[tuple[Any, ...]]) -> None:
    """One prepared statement for every row at the driver (no per-row work in SQLAlchemy's layers: at a thousand
    readings a second they cost more than the database)."""
    if rows:
        conn.exec_driver_sql(sql if _sqlite(conn) else sql.replace("?", "%s"), rows)


def write(conn: Connection, feed: str, sensors: Sequence[Sensor], readings: Sequence[SensorReading]) -> list[Sensor]:
    """Newer device versions, new readings and their hours; returns the devices that changed."""
    newest: dict[str, Sensor] = {}
    for s in sensors:
        if s.id not in newest or s.version > newest[s.id].version:
            newest[s.id] = s
    changed: list[Sensor] = []
    tv = _time(conn)
    ids = list(newest.keys() | {r.sensor_id for r in readings})
    stored: dict[str, tuple[int, datetime | None]] = {}
    for i in range(0, len(ids), 500):
        part = ids[i:i + 500]
        sql = f"SELECT id, version, reading_at FROM sensors WHERE id IN ({', '.join('?' * len(part))})"
        for sid, version, at in conn.exec_driver_sql(sql if _sqlite(conn) else sql.replace("?", "%s"), tuple(part)):
            stored[sid] = (version, _parse(at))
    if newest:
        changed = [s for s in newest.values() if s.id not in stored or s.version > stored[s.id][0]]
        cols = ("version", "feed", "type", "status", "level", "grid_id", "updated_at", "name", "lon", "lat", "value",
                "reading_at")
        _run(conn, f"INSERT INTO sensors (id, {', '.join(cols)}) VALUES ({', '.join('?' * (len(cols) + 1))}) "
                   f"ON CONFLICT (id) DO UPDATE SET {', '.join(f'{c} = excluded.{c}' for c in cols)} "
                   "WHERE sensors.version < excluded.version",
             [(s.id, s.version, feed, s.type.value, s.status.value, s.level, s.grid_id, tv(s.updated_at), s.name,
               s.lon, s.lat, s.value, tv(s.reading_at)) for s in changed])
    readings = _not_stored(conn, readings, stored)
    if readings:
        _run(conn, "INSERT INTO sensor_readings (sensor_id, at, value) VALUES (?, ?, ?) "
                   "ON CONFLICT (sensor_id, at) DO NOTHING",
             [(r.sensor_id, tv(r.at), r.value) for r in readings])
        hours: dict[tuple[str, datetime], list[float]] = {}
        for r in readings:
            hours.setdefault((r.sensor_id, r.at.replace(minute=0, second=0, microsecond=0)), []).append(r.value)
        least, greatest = ("min", "max") if _sqlite(conn) else ("least", "greatest")
        _run(conn, "INSERT INTO sensor_hours (sensor_id, hour, n, total, low, high) VALUES (?, ?, ?, ?, ?, ?) "
                   "ON CONFLICT (sensor_id, hour) DO UPDATE SET n = sensor_hours.n + excluded.n, "
                   "total = sensor_hours.total + excluded.total, "
                   f"low = {least}(sensor_hours.low, excluded.low), "
                   f"high = {greatest}(sensor_hours.high, excluded.high)",
             [(sid, tv(hour), len(vs), sum(vs), min(vs), max(vs)) for (sid, hour), vs in hours.items()])
    return changed


def _parse(at: Any) -> datetime | None:
    """A reading_at as the driver returns it (SQLite: text) as an aware UTC time."""
    if at is None:
        return None
    if isinstance(at, str):
        at = datetime.fromisoformat(at)
    return _aware(at)


def _not_stored(conn: Connection, readings: Sequence[SensorReading],
                stored: dict[str, tuple[int, datetime | None]]) -> Sequence[SensorReading]:
    """`readings` less those the store holds already and less repeats within them (each counts once in its
    hour). Only a reading not newer than its device's stored last one can be held already (a redelivery after a
    crash or a reconnect, or one that arrived late): those are looked up."""
    doubtful: dict[str, list[SensorReading]] = {}
    for r in readings:
        last = stored.get(r.sensor_id, (0, None))[1]
        if last is not None and r.at <= last:
            doubtful.setdefault(r.sensor_id, []).append(r)
    tv = _time(conn)
    held: set[tuple[str, datetime]] = set()
    for sid, rs in doubtful.items():
        sql = (f"SELECT at FROM sensor_readings WHERE sensor_id = ? AND at IN ({', '.join('?' * len(rs))})")
        for (at,) in conn.exec_driver_sql(sql if _sqlite(conn) else sql.replace("?", "%s"),
                                          (sid, *(tv(r.at) for r in rs))):
            parsed = _parse(at)
            if parsed is not None:
                held.add((sid, parsed))
    seen: set[tuple[str, datetime]] = set()
    out = []
    for r in readings:
        key = (r.sensor_id, r.at)
        if key not in held and key not in seen:
            seen.add(key)
            out.append(r)
    return out


def sensors(conn: Connection, ids: Sequence[str] | None = None) -> list[Sensor]:
    """Every device's latest state (`ids`: only those devices)."""
    c = _S.c
    q = select(c.id, c.version, c.updated_at, c.type, c.status, c.name, c.lon, c.lat, c.grid_id,
               c.value, c.reading_at, c.level).order_by(c.id)
    rows = conn.execute(q if ids is None else q.where(c.id.in_(list(ids))))
    return [Sensor(id=r[0], version=r[1], updated_at=_aware(r[2]), type=SensorType(r[3]), status=SensorStatus(r[4]),
                   name=r[5], lon=r[6], lat=r[7], grid_id=r[8], value=r[9],
                   reading_at=_aware(r[10]) if r[10] is not None else None, level=r[11]) for r in rows]


def readings(conn: Connection, sensor_id: str, start: datetime, end: datetime) -> list[SensorReading]:
    """Raw readings in [start, end), oldest first; where raw ones are gone, one per hour (the hour's mean)."""
    raw = [SensorReading(sensor_id, _aware(at), v) for at, v in conn.execute(
        select(_R.c.at, _R.c.value).where(_R.c.sensor_id == sensor_id, _R.c.at >= start, _R.c.at < end)
        .order_by(_R.c.at))]
    first = raw[0].at if raw else end
    older = [SensorReading(sensor_id, _aware(h), total / n) for h, total, n in conn.execute(
        select(_H.c.hour, _H.c.total, _H.c.n).where(_H.c.sensor_id == sensor_id, _H.c.hour >= start,
                                                     _H.c.hour < first - timedelta(hours=1))
        .order_by(_H.c.hour)) if n]
    return older + raw


def sensors_at(conn: Connection, t: datetime, silent_after: timedelta = timedelta(minutes=10),
               lookback: timedelta = timedelta(hours=24)) -> list[Sensor]:
    """The devices as they read at `t` (replay): each one's last raw reading at or before t, its level by its
    type's lines, offline if it had not reported within `silent_after` of t (or not at all within `lookback`)."""
    from dataclasses import replace

    from ..domain.sensors import DEFAULT_RULES

    sub = (select(_R.c.sensor_id, func.max(_R.c.at).label("at"))
           .where(_R.c.at <= t, _R.c.at > t - lookback).group_by(_R.c.sensor_id).subquery())
    last = {sid: (_aware(at), v) for sid, at, v in conn.execute(
        select(_R.c.sensor_id, _R.c.at, _R.c.value)
        .join(sub, (_R.c.sensor_id == sub.c.sensor_id) & (_R.c.at == sub.c.at)))}
    out = []
    for s in sensors(conn):
        got = last.get(s.id)
        if got is None:
            if s.reading_at is None or s.reading_at <= t:
                out.append(replace(s, status=SensorStatus.OFFLINE, level=0, value=None, reading_at=None))
            continue
        at, value = got
        level = DEFAULT_RULES[s.type].level_of(value, 0)
        status = (SensorStatus.OFFLINE if t - at > silent_after else
                  SensorStatus.ALARM if level else SensorStatus.NORMAL)
        out.append(replace(s, value=value, reading_at=at, updated_at=at, level=level, status=status))
    return out


def prune(conn: Connection, now: datetime, raw_days: int, hourly_months: int) -> int:
    """Retention: raw readings older than `raw_days`, hourly summaries older than `hourly_months` (30-day months)."""
    n = conn.execute(delete(_R).where(_R.c.at < now - timedelta(days=raw_days))).rowcount or 0
    n += conn.execute(delete(_H).where(_H.c.hour < now - timedelta(days=30 * hourly_months))).rowcount or 0
    return n


def counts(conn: Connection) -> dict[str, int]:
    return {t.name: conn.execute(select(func.count()).select_from(t)).scalar() or 0 for t in (_S, _R, _H)}


def _aware(t: datetime) -> datetime:
    return t.replace(tzinfo=UTC) if t.tzinfo is None else t
