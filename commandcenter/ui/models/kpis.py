"""KPI data for the wall: one `KpiSnapshot` gathered from the store's KPI engine on the store thread.

`collect(store, node, now)` is the only function that touches the store (call it through
`pipeline.in_store`); `KpiFeed` refreshes a snapshot every few seconds without ever blocking the GUI
thread, and the tile draws whatever the latest snapshot holds. Definitions of the KPIs: docs/kpis.md.
"""
from __future__ import annotations

import asyncio
import calendar
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QColor

from ...domain import DeadlineLevel, KpiValue
from .. import format as fmt
from .. import theme

log = logging.getLogger(__name__)
HOUR = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class CardSpec:
    """A big-number indicator: the engine's KPI name, its label, and its thresholds."""

    name: str
    label: str
    good: float | None = None        # at or better than this: green
    warn: float | None = None        # at or better than this: amber; worse: red
    higher_is_better: bool = True
    decimals: int = 1


CARDS: tuple[CardSpec, ...] = (
    CardSpec("events", "今日事件", decimals=0),
    CardSpec("disposal_rate", "处置率", 95, 85),
    CardSpec("completion_rate", "办结率", 95, 85),
    CardSpec("closed_loop_rate", "闭环率", 95, 85),
    CardSpec("on_the_spot_rate", "现场化解率", 80, 60),
    CardSpec("one_ten_twenty_compliance", "1-10-20达标", 95, 80),
    CardSpec("avg_acceptance_time", "平均受理(分)", 3, 10, higher_is_better=False),
    CardSpec("avg_arrival_time", "平均到场(分)", 10, 20, higher_is_better=False),
    CardSpec("satisfaction", "满意度", 4.5, 4.0, decimals=2),
)


def threshold_level(spec: CardSpec, value: float | None) -> DeadlineLevel | None:
    """OK / AMBER / OVERDUE (reusing the deadline colours and symbols), None when there is no threshold."""
    if value is None or spec.good is None or spec.warn is None:
        return None
    if spec.higher_is_better:
        return DeadlineLevel.OK if value >= spec.good else DeadlineLevel.AMBER if value >= spec.warn else DeadlineLevel.OVERDUE
    return DeadlineLevel.OK if value <= spec.good else DeadlineLevel.AMBER if value <= spec.warn else DeadlineLevel.OVERDUE


def level_colour(level: DeadlineLevel | None) -> QColor:
    return theme.TEXT if level is None else theme.DEADLINE_COLOURS[level]


def value_text(spec: CardSpec, v: KpiValue | None) -> str:
    if v is None or v.value is None:
        return "—"
    text = fmt.number(v.value, spec.decimals)
    return text + "%" if v.unit == "%" else text


def change_text(spec: CardSpec, now: KpiValue | None, before: KpiValue | None) -> str:
    """`▲ 1.2` (percentage points for rates, % for counts), `＝`, or `—` without a comparison."""
    if now is None or before is None or now.value is None or before.value is None:
        return "—"
    if now.unit == "%" or spec.name in ("satisfaction",):
        delta = now.value - before.value
        unit = "个百分点" if now.unit == "%" else ""
    else:
        if before.value == 0:
            return "—"
        delta = 100.0 * (now.value - before.value) / before.value
        unit = "%"
    if abs(delta) < 0.05:
        return "＝"
    arrow = "▲" if delta > 0 else "▼"
    return f"{arrow} {fmt.number(abs(delta), 1)}{unit}"


@dataclass
class KpiSnapshot:
    node_id: str
    taken_at: datetime | None = None
    today: dict[str, KpiValue] = field(default_factory=dict)
    yesterday: dict[str, KpiValue] = field(default_factory=dict)     # same hours, one day earlier
    last_year: dict[str, KpiValue] = field(default_factory=dict)     # same hours, one year earlier
    hourly_today: list[float | None] = field(default_factory=lambda: [None] * 24)
    hourly_yesterday: list[float] = field(default_factory=lambda: [0.0] * 24)
    completion_by_hour: list[float | None] = field(default_factory=lambda: [None] * 24)

    def value(self, name: str) -> float | None:
        v = self.today.get(name)
        return None if v is None else v.value

    def detail(self, name: str) -> dict[str, float]:
        v = self.today.get(name)
        return {} if v is None else dict(v.detail)

    def ranking(self, name: str, limit: int = 10) -> list[tuple[str, float]]:
        """Detail entries of a breakdown KPI, largest first (ties by key), zeros dropped."""
        items = [(k, v) for k, v in self.detail(name).items() if v > 0]
        items.sort(key=lambda kv: (-kv[1], kv[0]))
        return items[:limit]


def day_start(now: datetime) -> datetime:
    loc = fmt.local(now)
    return loc.replace(hour=0, minute=0, second=0, microsecond=0).astimezone(timezone.utc)


def _year_earlier(t: datetime) -> datetime:
    y = t.year - 1
    return t.replace(year=y, day=min(t.day, calendar.monthrange(y, t.month)[1]))


async def collect_async(call: Callable[..., Awaitable[Any]], store: Any, node_id: str, now: datetime, *,
                        completion_series: bool = True, previous: KpiSnapshot | None = None) -> KpiSnapshot:
    """Read everything the KPI tile shows, one `store.kpis` call per `call` (pipeline.in_store): other store
    work (a detail panel's read) waits for one KPI query at most, never for the whole refresh."""
    d0 = day_start(now)
    snap = KpiSnapshot(node_id, now)
    snap.today = await call(store.kpis, node_id, d0, now)
    snap.yesterday = await call(store.kpis, node_id, d0 - timedelta(days=1), now - timedelta(days=1))
    snap.last_year = await call(store.kpis, node_id, _year_earlier(d0), _year_earlier(now))
    two_days = await call(store.kpis, node_id, d0 - timedelta(days=1), now)
    trend = two_days.get("trend_per_hour")
    hours_today = int((now - d0) / HOUR) + 1
    snap.hourly_today = [0.0 if h < hours_today else None for h in range(24)]
    if trend is not None:
        for key, count in trend.detail.items():
            try:
                t = datetime.strptime(key, "%Y-%m-%dT%H:00Z").replace(tzinfo=timezone.utc)
            except ValueError:
                continue
            idx = int((t - d0) // HOUR)
            if 0 <= idx < hours_today:
                snap.hourly_today[idx] = (snap.hourly_today[idx] or 0.0) + count
            elif -24 <= idx < 0:
                snap.hourly_yesterday[idx + 24] += count
    if completion_series:
        series: list[float | None] = [None] * 24
        for h in range(min(hours_today, 24)):
            end = min(now, d0 + (h + 1) * HOUR)
            v = (await call(store.kpis, node_id, d0, end)).get("completion_rate")
            series[h] = None if v is None else v.value
        snap.completion_by_hour = series
    elif previous is not None and previous.node_id == node_id:
        series = list(previous.completion_by_hour)
        if 0 < hours_today <= 24:
            series[hours_today - 1] = snap.value("completion_rate")
        snap.completion_by_hour = series
    return snap


def collect(store: Any, node_id: str, now: datetime, *, completion_series: bool = True,
            previous: KpiSnapshot | None = None) -> KpiSnapshot:
    """The same, synchronously (on a thread that may use the store)."""

    async def direct(fn, *args):
        return fn(*args)

    coro = collect_async(direct, store, node_id, now, completion_series=completion_series, previous=previous)
    try:
        coro.send(None)
    except StopIteration as done:
        return done.value
    coro.close()
    raise RuntimeError("collect: unexpected suspension")


Fetch = Callable[[str, datetime, bool, KpiSnapshot | None], Awaitable[KpiSnapshot]]


class KpiFeed(QObject):
    """Refreshes the snapshot every `interval_ms` (the hourly completion series every `series_every` refreshes)."""

    updated = Signal()
    failed = Signal(str)

    def __init__(self, fetch: Fetch | None, node_id: str, clock: Callable[[], datetime], *,
                 interval_ms: int = 5000, series_every: int = 6, parent: QObject | None = None):
        super().__init__(parent)
        self.fetch = fetch
        self.node_id = node_id
        self.clock = clock
        self.snapshot = KpiSnapshot(node_id)
        self.series_every = series_every
        self._n = 0
        self._inflight: asyncio.Future | None = None
        self._timer = QTimer(self, interval=interval_ms)
        self._timer.timeout.connect(self.schedule)
        if fetch is not None:
            self._timer.start()
            QTimer.singleShot(0, self.schedule)

    def set_node(self, node_id: str) -> None:
        self.node_id = node_id
        self._n = 0
        self.schedule()

    def schedule(self) -> None:
        """Start a refresh on the running qasync loop unless one is in flight (timer callback)."""
        if self.fetch is None or self.busy:
            return
        try:
            loop = asyncio.get_event_loop()
        except RuntimeError:
            return
        if loop.is_running():
            self._inflight = loop.create_task(self._run())

    @property
    def busy(self) -> bool:
        return self._inflight is not None and not self._inflight.done()

    async def refresh(self) -> KpiSnapshot | None:
        """Refresh now (after the one in flight, if any); the new snapshot, or None if it failed."""
        if self.fetch is None:
            return None
        if self.busy:
            await asyncio.shield(self._inflight)
        if not self.busy:
            self._inflight = asyncio.ensure_future(self._run())
        return await asyncio.shield(self._inflight)

    def stop(self) -> None:
        """No more refreshes; cancel the one in flight (the wall is closing)."""
        self._timer.stop()
        if self.busy:
            self._inflight.cancel()

    async def _run(self) -> KpiSnapshot | None:
        try:
            full = self._n % self.series_every == 0 or all(v is None for v in self.snapshot.completion_by_hour)
            snap = await self.fetch(self.node_id, self.clock(), full, self.snapshot)
            self._n += 1
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.exception("KPI refresh failed")
            if shiboken6.isValid(self):
                self.failed.emit(str(exc))
            return None
        if not shiboken6.isValid(self):      # the tile went away while the store was reading
            return None
        self.snapshot = snap
        self.updated.emit()
        return snap

    def set_snapshot(self, snap: KpiSnapshot) -> None:
        self.snapshot = snap
        self.updated.emit()
