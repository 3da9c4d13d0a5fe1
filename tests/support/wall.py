"""Record builders and a controllable clock for the wall tests."""
from __future__ import annotations

from datetime import datetime, timedelta, UTC
from typing import Any

from commandcenter.config import EXAMPLES_DIR
from commandcenter.domain import (
    Alert, AlertLevel, AlertStatus, AlertType, Category, Incident, Severity, Source, Status,
)

T0 = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)     # 10:00 in Asia/Shanghai
EXAMPLE_2X2 = EXAMPLES_DIR / "wall-2x2.toml"

TITLES = ["楼道堆放杂物", "邻里噪音纠纷", "路灯不亮", "窨井盖缺失", "物业费纠纷", "独居老人走访", "垃圾清运不及时",
          "渔船未按时回港", "河道水位上涨", "工地扬尘"]
CATS = [Category.SAFETY_HAZARD, Category.DISPUTE, Category.UTILITIES, Category.UTILITIES, Category.DISPUTE,
        Category.ELDERLY_CHILDREN, Category.SANITATION, Category.FISHING_VESSEL, Category.FLOOD, Category.SANITATION]


class Clock:
    """now() returns a time the test moves with advance()."""

    def __init__(self, start: datetime = T0):
        self.t = start

    def __call__(self) -> datetime:
        return self.t

    def advance(self, seconds: float) -> datetime:
        self.t += timedelta(seconds=seconds)
        return self.t


def incident(n: int, *, at: datetime = T0, grid: str | None = None, **kw: Any) -> Incident:
    return Incident(id=f"E{n:05d}", version=kw.pop("version", 1), updated_at=at + timedelta(minutes=n), reported_at=at,
                    title=kw.pop("title", TITLES[n % len(TITLES)]), category=kw.pop("category", CATS[n % len(CATS)]),
                    source=Source.GRID_APP, severity=kw.pop("severity", Severity.MEDIUM),
                    status=kw.pop("status", Status.REPORTED), grid_id=grid or f"G{n % 7:03d}", **kw)


def alert(id: str, level: AlertLevel = AlertLevel.RED, *, at: datetime = T0, version: int = 1,
          status: AlertStatus = AlertStatus.ACTIVE, **kw: Any) -> Alert:
    return Alert(id=id, version=version, updated_at=at + timedelta(seconds=version), level=level,
                 type=kw.pop("type", AlertType.WEATHER), title=kw.pop("title", f"暴雨预警 {id}"), status=status,
                 issued_at=at, **kw)


#: A tile on a page: (kind, row, column) or (kind, row, column, row_span).
TilePlace = tuple[str, int, int] | tuple[str, int, int, int]


def page_toml(name: str, rows: int, columns: int, tiles: list[TilePlace]) -> str:
    """One [[pages]] table of a config file, its tiles placed as `tiles` says."""
    lines = ["[[pages]]", f'name = "{name}"', f"rows = {rows}", f"columns = {columns}"]
    for kind, row, column, *span in tiles:
        lines += ["  [[pages.tiles]]", f'  kind = "{kind}"', f"  row = {row}", f"  column = {column}"]
        lines += [f"  row_span = {s}" for s in span]
    return "\n".join(lines) + "\n"


def config_text(*, rotate_seconds: float = 30, extra: str = "", screens: str = "", language: str = "zh_CN") -> str:
    """A small config without feeds: three pages, the second holding the alerts tile."""
    pages = "\n".join([page_toml("总览", 1, 2, [("incidents", 0, 0), ("kpis", 0, 1)]),
                       page_toml("预警", 1, 1, [("alerts", 0, 0)]),
                       page_toml("明细", 1, 1, [("incidents", 0, 0)])])
    return f"""
[wall]
title = "测试大屏"
language = "{language}"
rotate_seconds = {rotate_seconds}
kiosk = false
{extra}
{pages}{screens}
"""
