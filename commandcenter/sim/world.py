"""The simulated city at work: glue between the scheduler, the engines and the message log."""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from commandcenter.domain import encode, format_time

from .log import MessageLog
from .scheduler import Scheduler, to_dt
from .territory import City


@dataclass
class Settings:
    seed: int = 1
    rate: float = 1.0
    speed: float = 1.0
    random_city: bool = True
    min_live_rate: float = 0.5     # demo extra events per *real* second while live (× rate), on top of the seeds' rates
    kpi_every_s: float = 60.0      # simulated seconds between KPI messages while live


class World:
    """Owns simulated time and everything that happens in it; the server only reads and ticks it."""

    def __init__(self, city: City, log: MessageLog, settings: Settings, start: datetime, history_hours: float,
                 backfill_days: float = 0.0) -> None:
        """`history_hours` of history before `start` are served record version by record version;
        `backfill_days` more before them are lived without serialising anything (a month of a street in a few
        seconds) and served once, when the served history begins, as each record's latest version: a wall that
        connects gets the past month compactly and every case goes on living after it (`_end_backfill`)."""
        from .alerts import Warnings
        from .incidents import Incidents
        from .kpis import Kpis
        from .resources import Fleet

        self.city = city
        self.log = log
        self.settings = settings
        self.start_ts = start.timestamp()
        self.origin_ts = self.start_ts - history_hours * 3600.0 - backfill_days * 86400.0
        self.sched = Scheduler(self.origin_ts)
        self._quiet = backfill_days > 0
        if self._quiet:
            self.sched.at(self.start_ts - history_hours * 3600.0, self._end_backfill)
        seed = settings.seed
        self.rng = random.Random(f"events:{seed}")
        self.rng_res = random.Random(f"resources:{seed}")
        self.rng_alerts = random.Random(f"alerts:{seed}")
        self.fleet = Fleet(self)
        self.incidents = Incidents(self)
        self.warnings = Warnings(self)
        self.kpis = Kpis(self)
        self.fleet.populate()
        if settings.random_city:
            self.incidents.start_random()
            self.warnings.start_random()
        self._kpi_version = 0

    # --- time -------------------------------------------------------------------------------
    @property
    def now(self) -> float:
        return self.sched.now

    @property
    def now_dt(self) -> datetime:
        return to_dt(self.sched.now)

    def run_until(self, when: datetime | float) -> int:
        ts = when.timestamp() if isinstance(when, datetime) else when
        return self.sched.run_until(ts)

    def prepare(self) -> None:
        """Generate the history up to the start time and schedule the live-only processes."""
        self.run_until(self.start_ts)
        self.emit_kpis()
        self.sched.at(self.start_ts + self.kpi_interval(), self._kpi_tick)
        if self.settings.random_city and self.settings.min_live_rate > 0 and self.settings.rate > 0:
            self.incidents.start_demo_floor()

    def kpi_interval(self) -> float:
        # at least 2 real seconds apart, so a high speed does not flood the stream with KPIs
        return max(self.settings.kpi_every_s, 2.0 * self.settings.speed)

    def _kpi_tick(self) -> None:
        self.emit_kpis()
        self.sched.after(self.kpi_interval(), self._kpi_tick)

    # --- output -----------------------------------------------------------------------------
    def emit(self, type_: str, record: Any) -> None:
        if self._quiet:
            return
        self.log.append(type_, record.id, encode(record), self.now_dt)

    def _end_backfill(self) -> None:
        """Serve the backfilled past: every unit, every incident and every warning still in force as it is now."""
        from commandcenter.domain import AlertStatus

        self._quiet = False
        for unit in self.fleet.units.values():
            self.emit("resource", unit.record)
        for case in self.incidents.cases.values():
            self.emit("incident", case.rec)
        for live in self.warnings.alerts.values():
            if live.alert.status is AlertStatus.ACTIVE:
                self.emit("alert", live.alert)

    def emit_kpis(self) -> None:
        self._kpi_version += 1
        snapshot = self.kpis.snapshot()
        data = {"id": f"kpis:{self.city.root.id}", "version": self._kpi_version,
                "updated_at": format_time(self.now_dt), **snapshot}
        self.log.append("kpi", data["id"], data, self.now_dt)

    def delay(self, dt: timedelta | float) -> float:
        return dt.total_seconds() if isinstance(dt, timedelta) else float(dt)
