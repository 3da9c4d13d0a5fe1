"""A small city for the words-on-screen tests, its free text in the language asked for.

Feed text (names, titles, descriptions, people, areas) is data, not UI: for the English wall it is neutral Latin
text, so any CJK character on screen is a UI string that missed translation; for the Chinese wall it is Chinese, so
any Latin word on screen is a UI string that missed translation or an internal key. Record ids look like the real
ones (grid codes D01S01C01G01, alert ids AL0000001, resource ids RS000001), so that one reaching the screen is
caught: only an incident's case number (事件编号, quoted on the phone) may show.
"""
from __future__ import annotations

from datetime import datetime, timedelta, UTC

from commandcenter.domain import (
    Alert, AlertLevel, AlertStatus, AlertType, Category, Hazard, Incident, ResolutionLevel, Resource, ResourceKind,
    ResourceStatus, Severity, Source, Status, StatusChange, TerritoryLevel, TerritoryNode,
)

T0 = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)     # 10:00 in Asia/Shanghai
LON0, LAT0, CELL = 118.50, 37.40, 0.01

TEXT = {
    "zh_CN": dict(city="东营市", district="东营区", street="文汇街道", communities=("幸福社区", "和平社区"),
                  grid="第{n}网格", worker="网格员{n}", head="网格长{n}", reporter="李四", handler="王五",
                  department="市水务局", title="事件{n}：居民楼道堆放杂物", description="居民反映楼道堆物影响通行。",
                  warning="暴雨{colour}预警", alarm="配电箱温度异常", overdue="超期未办结：楼道堆物",
                  area="文汇街道", issuer="市气象台", resource="抢险救援队{n}", unit="袋", note="已到场处置",
                  wall="城市运行指挥中心", page="总览", second_page="信号"),
    "en": dict(city="Dongying", district="Dongying District", street="Wenhui Street",
               communities=("Xingfu Community", "Heping Community"), grid="Grid {n}", worker="Worker {n}",
               head="Head {n}", reporter="Li Si", handler="Wang Wu", department="Water Bureau",
               title="Case {n}: boxes in the stairwell", description="Residents report boxes blocking the stairs.",
               warning="Rainstorm warning {colour}", alarm="Switch box overheating",
               overdue="Overdue: boxes in the stairwell", area="Wenhui Street", issuer="Met Office",
               resource="Rescue team {n}", unit="bags", note="on site", wall="City operations centre",
               page="Overview", second_page="Signals"),
}
COLOURS = {AlertLevel.BLUE: "blue", AlertLevel.YELLOW: "yellow", AlertLevel.ORANGE: "orange", AlertLevel.RED: "red"}
COLOURS_ZH = {AlertLevel.BLUE: "蓝色", AlertLevel.YELLOW: "黄色", AlertLevel.ORANGE: "橙色", AlertLevel.RED: "红色"}


def grid_id(n: int) -> str:
    return f"D01S01C0{1 if n <= 3 else 2}G0{n}"


def square(col: int, row: int) -> tuple:
    x, y = LON0 + col * CELL, LAT0 + row * CELL
    return ((x, y), (x + CELL, y), (x + CELL, y + CELL), (x, y + CELL))


def territory(lang: str) -> list[TerritoryNode]:
    t = TEXT[lang]
    nodes = [TerritoryNode("C01", TerritoryLevel.CITY, t["city"], None),
             TerritoryNode("D01", TerritoryLevel.DISTRICT, t["district"], "C01"),
             TerritoryNode("D01S01", TerritoryLevel.STREET, t["street"], "D01"),
             TerritoryNode("D01S01C01", TerritoryLevel.COMMUNITY, t["communities"][0], "D01S01"),
             TerritoryNode("D01S01C02", TerritoryLevel.COMMUNITY, t["communities"][1], "D01S01")]
    for n in range(1, 7):
        nodes.append(TerritoryNode(grid_id(n), TerritoryLevel.GRID, t["grid"].format(n=n), grid_id(n)[:9],
                                   polygon=square((n - 1) % 3, (n - 1) // 3), households=300 + n,
                                   grid_worker=t["worker"].format(n=n), grid_head=t["head"].format(n=n)))
    return nodes


def incidents(lang: str) -> list[Incident]:
    """Every category, status, severity and source; an emergency with its 1-10-20 times; long deadlines (days)."""
    t = TEXT[lang]
    out = []
    statuses, severities, sources = list(Status), list(Severity), list(Source)
    for i, category in enumerate(Category):
        n = i + 1
        at = T0 - timedelta(minutes=20 + 40 * i)
        status = statuses[i % len(statuses)]
        closed = at + timedelta(minutes=15) if not status.is_open else None
        g = 1 + i % 6
        lon, lat = LON0 + ((g - 1) % 3 + 0.5) * CELL, LAT0 + ((g - 1) // 3 + 0.5) * CELL
        out.append(Incident(
            id=f"E{n:05d}", version=1, updated_at=at, reported_at=at, title=t["title"].format(n=n),
            category=category, source=sources[i % len(sources)], severity=severities[i % len(severities)],
            status=status, grid_id=grid_id(g), lon=lon, lat=lat, reporter=t["reporter"], handler=t["handler"],
            departments=(t["department"],), description=t["description"], grid_worker=t["worker"].format(n=g),
            accepted_at=at + timedelta(minutes=2) if status.rank >= 1 else None,
            dispatched_at=at + timedelta(minutes=4) if status.rank >= 2 else None,
            closed_at=closed, followed_up_at=closed + timedelta(minutes=5) if status is Status.FOLLOWED_UP else None,
            resolution_level=list(ResolutionLevel)[i % 4] if closed else None, satisfaction=5 if closed else None,
            timeline=(StatusChange(Status.REPORTED, at, t["handler"], t["department"], t["note"]),)))
    at = T0 - timedelta(minutes=30)
    out.append(Incident(
        id="E09999", version=1, updated_at=at, reported_at=at, title=t["title"].format(n=99), category=Category.FIRE,
        source=Source.POLICE_110, severity=Severity.CRITICAL, status=Status.HANDLING, grid_id=grid_id(2),
        lon=LON0 + 1.5 * CELL, lat=LAT0 + 0.5 * CELL, emergency=True, accepted_at=at + timedelta(seconds=40),
        dispatched_at=at + timedelta(minutes=2), arrived_at=at + timedelta(minutes=9),
        assessed_at=at + timedelta(minutes=18), reporter=t["reporter"]))
    return out


def alerts(lang: str) -> list[Alert]:
    """A public warning of each colour, device alarms of each kind, supervision notices of each grade."""
    t = TEXT[lang]
    out = []
    for level in AlertLevel:
        colour = COLOURS_ZH[level] if lang == "zh_CN" else COLOURS[level]
        out.append(_alert(f"AL000000{int(level)}", level, AlertType.WEATHER, t["warning"].format(colour=colour), t,
                          hazard=Hazard.RAINSTORM))
    for k, type_ in enumerate((AlertType.IOT, AlertType.VIDEO, AlertType.WEAK_SIGNAL), start=5):
        out.append(_alert(f"AL000000{k}", AlertLevel.YELLOW, type_, t["alarm"], t))
    for k, level in enumerate((AlertLevel.BLUE, AlertLevel.YELLOW, AlertLevel.ORANGE), start=8):
        out.append(_alert(f"AL00000{k:02d}", level, AlertType.OVERDUE, t["overdue"], t, references=("E00001",)))
    return out


def _alert(aid: str, level: AlertLevel, type_: AlertType, title: str, t: dict, **kw) -> Alert:
    return Alert(aid, 1, T0, level, type_, title, AlertStatus.ACTIVE, T0 - timedelta(minutes=5),
                 expires_at=T0 + timedelta(hours=6), description=t["description"], area_desc=t["area"],
                 polygons=(square(0, 0),), grid_ids=(grid_id(1), grid_id(2)), source=t["issuer"], **kw)


def resources(lang: str) -> list[Resource]:
    t = TEXT[lang]
    out = []
    for i, (kind, status) in enumerate(zip(ResourceKind, ResourceStatus, strict=False)):
        out.append(Resource(f"RS{i + 1:06d}", 1, T0, kind, t["resource"].format(n=i + 1), status,
                            grid_id=grid_id(2), lon=LON0 + 1.5 * CELL, lat=LAT0 + 0.5 * CELL,
                            quantity=20 if kind is ResourceKind.SUPPLY else None,
                            threshold=50 if kind is ResourceKind.SUPPLY else None,
                            unit=t["unit"] if kind is ResourceKind.SUPPLY else "", phone="0546-1234567",
                            incident_id="E00001" if status is ResourceStatus.DISPATCHED else None))
    return out


def record_ids(lang: str) -> set[str]:
    """Ids that must never reach the screen: territory codes, alert ids, resource ids."""
    return ({n.id for n in territory(lang)} | {a.id for a in alerts(lang)} | {r.id for r in resources(lang)})
