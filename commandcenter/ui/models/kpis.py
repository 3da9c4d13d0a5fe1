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
from datetime import datetime, timedelta, UTC
from typing import Any

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal
from PySide6.QtGui import QColor

from ..noop import QT_TRANSLATE_NOOP
from ...domain import DeadlineLevel, KpiValue
from ...domain import kpis as DK
from ...store import Store
from .. import format as fmt
from .. import theme

log = logging.getLogger(__name__)
HOUR = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class CardSpec:
    """A big-number card: the domain indicator it shows (domain/kpis.py: unit, target, which way is better), its
    label (Chinese source text, translated in the context "KpiCard") and its decimals."""

    name: str
    label: str
    decimals: int = 1
    now: bool = False            # a state "now" (overdue work), not a figure of the period

    @property
    def definition(self) -> DK.KpiDef:
        return DK.BY_KEY[self.name]

    @property
    def good(self) -> float | None:
        return self.definition.target

    @property
    def higher_is_better(self) -> bool:
        return self.definition.higher_is_better


#: Every indicator of domain/kpis.py as a card; a tile shows `DEFAULT_CARDS` unless its config names others.
ALL_CARDS: dict[str, CardSpec] = {c.name: c for c in (
    CardSpec("events", QT_TRANSLATE_NOOP("KpiCard", "事件数"), decimals=0),
    CardSpec("completion_rate", QT_TRANSLATE_NOOP("KpiCard", "办结率")),
    CardSpec("on_time_rate", QT_TRANSLATE_NOOP("KpiCard", "按期办结率")),
    CardSpec("overdue", QT_TRANSLATE_NOOP("KpiCard", "超期件数"), decimals=0, now=True),
    CardSpec("disposal_rate", QT_TRANSLATE_NOOP("KpiCard", "处置率")),
    CardSpec("closed_loop_rate", QT_TRANSLATE_NOOP("KpiCard", "闭环管理率")),
    CardSpec("on_the_spot_rate", QT_TRANSLATE_NOOP("KpiCard", "矛盾纠纷现场化解率")),
    CardSpec("dispute_base_share", QT_TRANSLATE_NOOP("KpiCard", "矛盾纠纷基层化解率")),
    CardSpec("avg_acceptance_time", QT_TRANSLATE_NOOP("KpiCard", "110分流平均受理时长")),
    CardSpec("avg_arrival_time", QT_TRANSLATE_NOOP("KpiCard", "110分流平均到场时长")),
    CardSpec("satisfaction_rate", QT_TRANSLATE_NOOP("KpiCard", "群众满意率")),
    CardSpec("one_ten_twenty_compliance", QT_TRANSLATE_NOOP("KpiCard", "1-10-20达标率")),
    CardSpec("emergencies", QT_TRANSLATE_NOOP("KpiCard", "突发事件"), decimals=0),
    CardSpec("first_petitions", QT_TRANSLATE_NOOP("KpiCard", "初信初访"), decimals=0),
    CardSpec("whistle", QT_TRANSLATE_NOOP("KpiCard", "吹哨报到"), decimals=0),
    CardSpec("whistle_arrival_time", QT_TRANSLATE_NOOP("KpiCard", "部门报到时长")),
    CardSpec("handover_time", QT_TRANSLATE_NOOP("KpiCard", "转办时间")),
    CardSpec("handling_time", QT_TRANSLATE_NOOP("KpiCard", "处置时长")),
    CardSpec("hotline_12345", QT_TRANSLATE_NOOP("KpiCard", "12345接诉即办"), decimals=0),
    CardSpec("diverted_110", QT_TRANSLATE_NOOP("KpiCard", "非警务警情分流"), decimals=0),
)}
DEFAULT_CARDS: tuple[str, ...] = (
    "events", "completion_rate", "on_time_rate", "overdue", "closed_loop_rate", "on_the_spot_rate",
    "avg_acceptance_time", "avg_arrival_time", "satisfaction_rate", "one_ten_twenty_compliance",
)
CARDS: tuple[CardSpec, ...] = tuple(ALL_CARDS[k] for k in DEFAULT_CARDS)
#: Below the target by at most this (percentage points for rates, share of the target for times): amber.
AMBER_POINTS = 5.0
AMBER_SHARE = 0.5

_UNITS = {"%": "%", "min": QT_TRANSLATE_NOOP("KpiCard", "分钟"), "h": QT_TRANSLATE_NOOP("KpiCard", "小时"),
          "events": QT_TRANSLATE_NOOP("KpiCard", "件")}
_PERIODS = {"today": QT_TRANSLATE_NOOP("KpiCard", "今日"), "month": QT_TRANSLATE_NOOP("KpiCard", "本月"),
            "year": QT_TRANSLATE_NOOP("KpiCard", "今年以来")}
_PREVIOUS = {"today": QT_TRANSLATE_NOOP("KpiCard", "较昨日同期"), "month": QT_TRANSLATE_NOOP("KpiCard", "较上月同期"),
             "year": QT_TRANSLATE_NOOP("KpiCard", "较去年同期")}
#: The rolling windows a card widens to, in order, when its period holds too small a sample for its figure to mean
#: anything (domain.kpis min_sample): a city's 110 calls at 03:00, a street's disputes of one day, 00:05.
FALLBACKS: tuple[tuple[str, timedelta], ...] = (
    ("24h", timedelta(hours=24)), ("30d", timedelta(days=30)), ("365d", timedelta(days=365)))
_WINDOWS = {"24h": QT_TRANSLATE_NOOP("KpiCard", "近24小时"), "30d": QT_TRANSLATE_NOOP("KpiCard", "近30天"),
            "365d": QT_TRANSLATE_NOOP("KpiCard", "近一年")}
WINDOWS = frozenset(_WINDOWS)
_PREVIOUS_WINDOW = {"24h": QT_TRANSLATE_NOOP("KpiCard", "较前24小时"), "30d": QT_TRANSLATE_NOOP("KpiCard", "较前30天"),
                    "365d": QT_TRANSLATE_NOOP("KpiCard", "较前一年")}


def tr(text: str) -> str:
    """A KPI card string in the wall's language."""
    return QCoreApplication.translate("KpiCard", text)


def card_label(spec: CardSpec) -> str:
    return tr(spec.label)


def period_label(period: str) -> str:
    return tr(_PERIODS[period])


def previous_label(period: str) -> str:
    """较昨日同期 … for a period, 较前24小时 … for a rolling window a card widened to."""
    return tr(_PREVIOUS[period]) if period in _PREVIOUS else tr(_PREVIOUS_WINDOW[period])


def window_label(window: str) -> str:
    """近24小时 / 近30天 / 近一年: the rolling window a card shows instead of its period."""
    return tr(_WINDOWS[window])


def unit_text(unit: str) -> str:
    return tr(_UNITS[unit]) if unit in _UNITS else unit


def threshold_level(spec: CardSpec, value: float | None) -> DeadlineLevel | None:
    """OK (meets its target) / AMBER (close to it) / OVERDUE (far from it), reusing the deadline colours and
    symbols; overdue work is amber while there is any. None without a value or a target."""
    if value is None:
        return None
    if spec.name == "overdue":
        return DeadlineLevel.AMBER if value > 0 else None
    target = spec.good
    if target is None:
        return None
    if spec.higher_is_better:
        if value >= target:
            return DeadlineLevel.OK
        return DeadlineLevel.AMBER if value >= target - AMBER_POINTS else DeadlineLevel.OVERDUE
    if value <= target:
        return DeadlineLevel.OK
    return DeadlineLevel.AMBER if value <= target * (1 + AMBER_SHARE) else DeadlineLevel.OVERDUE


def level_colour(level: DeadlineLevel | None) -> QColor:
    return theme.TEXT if level is None else theme.DEADLINE_COLOURS[level]


def value_text(spec: CardSpec, v: KpiValue | None) -> str:
    """The big number with its unit; "not enough data" when the indicator's sample is too small."""
    if v is None:
        return tr("数据不足")
    if v.value is None:
        n = int(v.detail.get("sample", 0.0))
        if spec.definition.counts_when_small:
            if n == 0:
                return tr("无突发事件")
            met = int(v.detail.get("compliant", 0.0))
            return tr("{met}/{n} 起达标").format(met=fmt.number(met), n=fmt.number(n))
        return tr("数据不足（样本 {n}）").format(n=fmt.number(n))
    text = fmt.number(v.value, spec.decimals)
    if v.unit == "%":
        return text + "%"
    if v.unit in ("min", "h"):
        return f"{text} {unit_text(v.unit)}"
    return text


def target_text(spec: CardSpec) -> str:
    """`目标 ≥ 99%` / `目标 ≤ 3 分钟`, or "" for a count without a target."""
    d = spec.definition
    if d.target is None:
        return ""
    num = fmt.number(d.target, 1 if d.target % 1 else 0)
    unit = "%" if d.unit == "%" else f" {unit_text(d.unit)}"
    return f"{tr('目标')} {'≥' if d.higher_is_better else '≤'} {num}{unit}"


def change_text(spec: CardSpec, now: KpiValue | None, before: KpiValue | None) -> str:
    """`▲ 1.2` (percentage points for rates, % for counts and times), `＝`, or `—` without a comparison."""
    if now is None or before is None:
        return "—"
    delta = DK.change(now.value, before.value, now.unit)
    if delta is None:
        return "—"
    unit = tr("个百分点") if now.unit == "%" else "%"
    if abs(delta) < 0.05:
        return "＝"
    arrow = "▲" if delta > 0 else "▼"
    return f"{arrow} {fmt.number(abs(delta), 1)}{unit}"


@dataclass(frozen=True, slots=True)
class CardFigure:
    """What one card shows, as text and as numbers: the tile draws it, `commandcenter kpis` prints it."""

    key: str
    label: str
    period: str                  # the card's period, or the rolling window it widened to ("24h", "30d", "365d")
    value: float | None
    unit: str
    text: str
    target: float | None
    meets_target: bool | None
    sample: float
    enough_data: bool
    previous: float | None
    change_previous: str
    last_year: float | None
    change_last_year: str
    level: DeadlineLevel | None


def card_figure(spec: CardSpec, snap: KpiSnapshot) -> CardFigure:
    cur = snap.current.get(spec.name)
    prev = snap.previous.get(spec.name)
    ly = snap.last_year.get(spec.name)
    value = None if cur is None else cur.value
    detail = {} if cur is None else cur.detail
    if spec.now:   # a state now has no like-for-like earlier value on this card
        prev = ly = None
    # judged as shown: 10.0 minutes meets "≤ 10 minutes" even when it was 10.02
    shown = None if value is None else round(value, spec.decimals)
    return CardFigure(
        key=spec.name, label=card_label(spec), period=snap.windows.get(spec.name, snap.period), value=value,
        unit=spec.definition.unit, text=value_text(spec, cur), target=spec.definition.target,
        meets_target=DK.meets_target(spec.definition, shown), sample=float(detail.get("sample", 0.0)),
        enough_data=not detail.get("insufficient") and value is not None,
        previous=None if prev is None else prev.value, change_previous=change_text(spec, cur, prev),
        last_year=None if ly is None else ly.value, change_last_year=change_text(spec, cur, ly),
        level=threshold_level(spec, shown) if shown is not None else _small_count_level(spec, cur))


def _small_count_level(spec: CardSpec, v: KpiValue | None) -> DeadlineLevel | None:
    """A rare event's rule shown as counts: amber when one of them missed it, neutral otherwise."""
    if v is None or not spec.definition.counts_when_small:
        return None
    n, met = v.detail.get("sample", 0.0), v.detail.get("compliant", 0.0)
    return DeadlineLevel.AMBER if n > 0 and met < n else None


def card_figures(snap: KpiSnapshot, cards: tuple[str, ...] = DEFAULT_CARDS) -> list[CardFigure]:
    return [card_figure(ALL_CARDS[k], snap) for k in cards]


@dataclass
class KpiSnapshot:
    """The figures of one node and period (今日 / 本月 / 今年以来), the like-for-like previous period (the same
    elapsed part of yesterday, last month or last year) and the same window a year earlier, plus the day's charts."""

    node_id: str
    taken_at: datetime | None = None
    current: dict[str, KpiValue] = field(default_factory=dict)
    previous: dict[str, KpiValue] = field(default_factory=dict)
    last_year: dict[str, KpiValue] = field(default_factory=dict)
    period: str = "today"
    #: cards shown over a wider rolling window than the period (key → "24h" / "30d" / "365d"): FALLBACKS
    windows: dict[str, str] = field(default_factory=dict)
    hourly_today: list[float | None] = field(default_factory=lambda: [None] * 24)
    hourly_yesterday: list[float] = field(default_factory=lambda: [0.0] * 24)
    completion_by_hour: list[float | None] = field(default_factory=lambda: [None] * 24)

    def value(self, name: str) -> float | None:
        v = self.current.get(name)
        return None if v is None else v.value

    def detail(self, name: str) -> dict[str, float]:
        v = self.current.get(name)
        return {} if v is None else dict(v.detail)

    def ranking(self, name: str, limit: int = 10) -> list[tuple[str, float]]:
        """Detail entries of a breakdown KPI, largest first (ties by key), zeros dropped."""
        items = [(k, v) for k, v in self.detail(name).items() if v > 0]
        items.sort(key=lambda kv: (-kv[1], kv[0]))
        return items[:limit]


def day_start(now: datetime) -> datetime:
    loc = fmt.local(now)
    return loc.replace(hour=0, minute=0, second=0, microsecond=0).astimezone(UTC)


def _year_earlier(t: datetime) -> datetime:
    y = t.year - 1
    return t.replace(year=y, day=min(t.day, calendar.monthrange(y, t.month)[1]))


async def collect_async(call: Callable[..., Awaitable[Any]], store: Store, node_id: str, now: datetime, *,
                        completion_series: bool = True, previous: KpiSnapshot | None = None,
                        period: str = "today", start: datetime | None = None) -> KpiSnapshot:
    """Read everything the KPI tile shows, one `store.kpis` call per `call` (pipeline.in_store): other store
    work (a detail panel's read) waits for one KPI query at most, never for the whole refresh. `start`: the
    period's start when `now` ends it (a past day read at its end, for the daily report)."""
    tz_name = store.calendar.name
    p0 = start if start is not None else DK.period_start(now, period, tz_name)
    snap = KpiSnapshot(node_id, now, period=period)
    snap.current = await call(store.kpis, node_id, p0, now)
    b0, b1 = DK.previous_window(now, period, tz_name, start=p0)
    snap.previous = await call(store.kpis, node_id, b0, b1)
    snap.last_year = await call(store.kpis, node_id, _year_earlier(p0), _year_earlier(now))
    await _widen(call, store, node_id, now, now - p0, snap)
    d0 = p0 if start is not None and period == "today" else DK.period_start(now, "today", tz_name)
    two_days = await call(store.kpis, node_id, d0 - timedelta(days=1), now)
    trend = two_days.get("trend_per_hour")
    hours_today = int((now - d0) / HOUR) + 1
    snap.hourly_today = [0.0 if h < hours_today else None for h in range(24)]
    if trend is not None:
        for key, count in trend.detail.items():
            try:
                t = datetime.strptime(key, "%Y-%m-%dT%H:00Z").replace(tzinfo=UTC)
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
        if 0 < hours_today <= 24 and period == "today":
            series[hours_today - 1] = snap.value("completion_rate")
        snap.completion_by_hour = series
    return snap


def _insufficient(v: KpiValue | None) -> bool:
    return v is None or bool(v.detail.get("insufficient"))


async def _widen(call: Callable[..., Awaitable[Any]], store: Any, node_id: str, now: datetime, elapsed: timedelta,
                 snap: KpiSnapshot) -> None:
    """Cards whose period holds too small a sample take the first wider rolling window (FALLBACKS) that holds
    enough, with the window before it and the same window a year earlier as their comparisons. A rare event's
    rule (counts_when_small) shows its counts over the widest window when no window is enough (none at all is a
    figure too: no emergency in a year)."""
    need = [d.key for d in DK.DEFS if d.min_sample and _insufficient(snap.current.get(d.key))]
    for i, (name, span) in enumerate(FALLBACKS):
        if not need:
            return
        if span <= elapsed:
            continue
        wide = await call(store.kpis, node_id, now - span, now)
        last = i == len(FALLBACKS) - 1
        took = [k for k in need if not _insufficient(wide.get(k)) or (last and DK.BY_KEY[k].counts_when_small)]
        if not took:
            continue
        before: dict[str, KpiValue] = {}
        year_ago: dict[str, KpiValue] = {}
        if any(wide[k].value is not None for k in took):   # counts alone (1-10-20) have no change to show
            before = await call(store.kpis, node_id, now - 2 * span, now - span)
            year_ago = await call(store.kpis, node_id, _year_earlier(now - span), _year_earlier(now))
        for k in took:
            snap.current[k] = wide[k]
            for into, src in ((snap.previous, before), (snap.last_year, year_ago)):
                if k in src:
                    into[k] = src[k]
                else:                    # never compare a window with the period's own earlier figure
                    into.pop(k, None)
            snap.windows[k] = name
        need = [k for k in need if k not in took]


def collect(store: Store, node_id: str, now: datetime, *, completion_series: bool = True,
            previous: KpiSnapshot | None = None, period: str = "today",
            start: datetime | None = None) -> KpiSnapshot:
    """The same, synchronously (on a thread that may use the store: `commandcenter kpis`, the daily report)."""

    async def direct(fn, *args):
        return fn(*args)

    coro = collect_async(direct, store, node_id, now, completion_series=completion_series, previous=previous,
                         period=period, start=start)
    try:
        coro.send(None)
    except StopIteration as done:
        return done.value
    coro.close()
    raise RuntimeError("collect: unexpected suspension")


#: A refresh asked for "soon" waits this long, so a history arriving in many batches costs one or two refreshes.
SOON_MS = 500

Fetch = Callable[[str, datetime, bool, KpiSnapshot | None, str], Awaitable[KpiSnapshot]]


class KpiFeed(QObject):
    """Refreshes the snapshot every `interval_ms` (the hourly completion series every `series_every` refreshes)."""

    updated = Signal()
    failed = Signal(str)

    def __init__(self, fetch: Fetch | None, node_id: str, clock: Callable[[], datetime], *,
                 interval_ms: int = 5000, series_every: int = 6, period: str = "today",
                 parent: QObject | None = None):
        super().__init__(parent)
        self.fetch = fetch
        self.node_id = node_id
        self.period = period
        self.clock = clock
        self.snapshot = KpiSnapshot(node_id)
        self.series_every = series_every
        self._n = 0
        self._inflight: asyncio.Future[KpiSnapshot | None] | None = None
        self._again = False
        self._soon = QTimer(self, singleShot=True, interval=SOON_MS)
        self._soon.timeout.connect(self._refresh_again)
        self._timer = QTimer(self, interval=interval_ms)
        self._timer.timeout.connect(self.schedule)
        if fetch is not None:
            self._timer.start()
            QTimer.singleShot(0, self.schedule)

    def set_period(self, period: str) -> None:
        """Show 今日 / 本月 / 今年以来 (domain.kpis.PERIODS) from the next refresh on."""
        if period not in DK.PERIODS:
            raise ValueError(f"unknown period {period!r}")
        self.period = period
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

    def refresh_soon(self) -> None:
        """Refresh shortly (a backend's history just arrived): at most one refresh every SOON_MS from here, and one
        more after the refresh in flight, which may have read the store before the history was in."""
        if not self._soon.isActive():
            self._soon.start()

    def _refresh_again(self) -> None:
        if self.busy:
            self._again = True
        else:
            self.schedule()

    @property
    def busy(self) -> bool:
        return self._inflight is not None and not self._inflight.done()

    async def refresh(self) -> KpiSnapshot | None:
        """Refresh now (after the one in flight, if any); the new snapshot, or None if it failed."""
        if self.fetch is None:
            return None
        if self._inflight is not None and not self._inflight.done():
            await asyncio.shield(self._inflight)
        if self._inflight is None or self._inflight.done():
            self._inflight = asyncio.ensure_future(self._run())
        return await asyncio.shield(self._inflight)

    def stop(self) -> None:
        """No more refreshes; cancel the one in flight (the wall is closing)."""
        self._timer.stop()
        if self._inflight is not None and not self._inflight.done():
            self._inflight.cancel()

    async def _run(self) -> KpiSnapshot | None:
        if self.fetch is None:
            return None
        try:
            full = self._n % self.series_every == 0 or all(v is None for v in self.snapshot.completion_by_hour)
            snap = await self.fetch(self.node_id, self.clock(), full, self.snapshot, self.period)
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
        if self._again:
            self._again = False
            self.refresh_soon()
        return snap

    def set_snapshot(self, snap: KpiSnapshot) -> None:
        self.snapshot = snap
        self.updated.emit()
