"""Numbers, times and durations in the wall's locale."""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from PySide6.QtCore import QLocale

_tz = ZoneInfo("Asia/Shanghai")


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
    """`-1:02:03` once overdue, `12:34` under an hour, `5:12:00` above, `3天` beyond two days."""
    if remaining is None:
        return ""
    secs = int(remaining.total_seconds())
    sign = "-" if secs < 0 else ""
    secs = abs(secs)
    if secs >= 2 * 86400:
        return f"{sign}{secs // 86400}d"
    h, rem = divmod(secs, 3600)
    m, s = divmod(rem, 60)
    return f"{sign}{h}:{m:02d}:{s:02d}" if h else f"{sign}{m}:{s:02d}"


def number(value: float | int | None, decimals: int = 0) -> str:
    if value is None:
        return "—"
    loc = QLocale()
    return loc.toString(int(value)) if decimals == 0 else loc.toString(float(value), "f", decimals)


def percent(value: float | None, decimals: int = 1) -> str:
    return "—" if value is None else number(value * 100, decimals) + "%"
