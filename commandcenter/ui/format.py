"""Numbers, times and durations in the wall's locale."""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from PySide6.QtCore import QCoreApplication, QLocale

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
    """`-1:02:03` once overdue, `12:34` under an hour, `5:12:00` under a day, and in the centres' words from a
    day on: `1 天 23 小时` / `1 day 23 h`, `14 天` / `14 days` (whole days)."""
    if remaining is None:
        return ""
    secs = int(remaining.total_seconds())
    sign = "-" if secs < 0 else ""
    secs = abs(secs)
    if secs >= 86400:
        days, hours = secs // 86400, secs % 86400 // 3600
        if hours == 0:
            text = _tr("1 天") if days == 1 else _tr("{d} 天").format(d=days)
        else:
            text = (_tr("1 天 {h} 小时") if days == 1 else _tr("{d} 天 {h} 小时")).format(d=days, h=hours)
        return sign + text
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
