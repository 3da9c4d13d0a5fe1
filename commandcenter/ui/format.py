"""Numbers, times and durations in the wall's locale."""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from PySide6.QtCore import QCoreApplication, QLocale

from ..domain.text import display_text

_tz = ZoneInfo("Asia/Shanghai")


def _tr(text: str) -> str:
    return QCoreApplication.translate("format", text)


def set_timezone(name: str) -> None:
    global _tz
    _tz = ZoneInfo(name)


def local(dt: datetime) -> datetime:
    return dt.astimezone(_tz)


def hhmm(dt: datetime | None) -> str:
    return "" if dt is None else local(dt).strftime("%H:%M")


def hhmmss(dt: datetime | None) -> str:
    return "" if dt is None else local(dt).strftime("%H:%M:%S")


def date_time(dt: datetime | None) -> str:
    return "" if dt is None else local(dt).strftime("%Y-%m-%d %H:%M:%S")


def countdown(remaining: timedelta | None) -> str:
    """`-1:02:03` once overdue, `12:34` under an hour, `5:12:00` under a day, then in the centres' words: whole
    hours under two days (`47 小时` / `47 h`), whole days beyond (`14 天` / `14 days`). Rounded down: a deadline
    never reads further away than it is."""
    if remaining is None:
        return ""
    secs = int(remaining.total_seconds())
    sign = "-" if secs < 0 else ""
    secs = abs(secs)
    if secs >= 2 * 86400:
        return sign + _tr("{d} 天").format(d=secs // 86400)
    if secs >= 86400:
        return sign + _tr("{h} 小时").format(h=secs // 3600)
    h, rem = divmod(secs, 3600)
    m, s = divmod(rem, 60)
    return f"{sign}{h}:{m:02d}:{s:02d}" if h else f"{sign}{m}:{s:02d}"


def number(value: float | int | None, decimals: int = 0) -> str:
    if value is None:
        return "—"
    loc = QLocale()
    return loc.toString(int(value)) if decimals == 0 else loc.toString(float(value), "f", decimals)


def feed_text(value: str | None) -> str:
    """Feed text as the wall shows it: bidi controls and zero-width characters visibly marked, control
    characters removed (domain.text.display_text). Every feed string passes here on its way to the screen."""
    return display_text(value)


def feed_texts(values: list[str]) -> list[str]:
    return [display_text(v) for v in values]
