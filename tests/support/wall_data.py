"""A small hand-built city for the wall's tile tests: territory, incidents, alerts, resources; a clock to set."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, UTC

from commandcenter.domain import (
    Alert, AlertLevel, AlertStatus, AlertType, Category, Incident, Resource, ResourceKind, ResourceStatus, Severity,
    Source, Status, StatusChange, TerritoryLevel, TerritoryNode,
)
from commandcenter.domain.sensors import AlarmRules, Outcome, SensorMessage, SensorType
from commandcenter.services import LiveState

T0 = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)     # 10:00 in Asia/Shanghai
LON0, LAT0, CELL = 118.50, 37.40, 0.01
EVIL = "<img src='/tmp/x.png'>"


class Clock:
    def __init__(self, now: datetime = T0):
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kw) -> datetime:
        self.now += timedelta(**kw)
        return self.now


def square(col: int, row: int) -> tuple:
    x, y = LON0 + col * CELL, LAT0 + row * CELL
    return ((x, y), (x + CELL, y), (x + CELL, y + CELL), (x, y + CELL))


def territory() -> list[TerritoryNode]:
    """City C › district D1 › street S1 › communities K1 (grids G1-G3) and K2 (grids G4-G6)."""
    nodes = [
        TerritoryNode("C", TerritoryLevel.CITY, "东营市", None),
        TerritoryNode("D1", TerritoryLevel.DISTRICT, "东营区", "C"),
        TerritoryNode("S1", TerritoryLevel.STREET, "文汇街道", "D1"),
        TerritoryNode("K1", TerritoryLevel.COMMUNITY, "幸福社区", "S1"),
        TerritoryNode("K2", TerritoryLevel.COMMUNITY, "和平社区", "S1"),
    ]
    for i in range(6):
        nodes.append(TerritoryNode(f"G{i + 1}", TerritoryLevel.GRID, f"第{i + 1}网格", "K1" if i < 3 else "K2",
                                   polygon=square(i % 3, i // 3), households=300 + i, grid_worker=f"网格员{i + 1}",
                                   grid_head=f"网格长{i + 1}"))
    return nodes


def centre(grid_no: int) -> tuple[float, float]:
    i = grid_no - 1
    return LON0 + (i % 3 + 0.5) * CELL, LAT0 + (i // 3 + 0.5) * CELL


def incident(iid: str, grid_no: int = 1, *, minutes_ago: float = 10, **kw) -> Incident:
    at = T0 - timedelta(minutes=minutes_ago)
    lon, lat = centre(grid_no)
    base = dict(id=iid, version=1, updated_at=at, reported_at=at, title=f"事件{iid}", category=Category.DISPUTE,
                source=Source.GRID_APP, severity=Severity.MEDIUM, status=Status.REPORTED, grid_id=f"G{grid_no}",
                lon=lon, lat=lat, reporter="李四", grid_worker=f"网格员{grid_no}")
    base.update(kw)
    return Incident(**base)


def alert(aid: str, level: AlertLevel, *, type: AlertType = AlertType.WEATHER, expires_in: float | None = 60,
          **kw) -> Alert:
    base = dict(id=aid, version=1, updated_at=T0, level=level, type=type, title=f"{level.name}预警{aid}",
                status=AlertStatus.ACTIVE, issued_at=T0 - timedelta(minutes=5),
                expires_at=None if expires_in is None else T0 + timedelta(minutes=expires_in),
                area_desc="文汇街道", grid_ids=("G1", "G2"), polygons=(square(0, 0),), source="市气象台")
    base.update(kw)
    return Alert(**base)


def resource(rid: str, kind: ResourceKind, status: ResourceStatus, **kw) -> Resource:
    lon, lat = centre(2)
    base = dict(id=rid, version=1, updated_at=T0, kind=kind, name=f"资源{rid}", status=status, grid_id="G2",
                lon=lon, lat=lat)
    base.update(kw)
    return Resource(**base)


def incidents() -> list[Incident]:
    return [
        incident("E1", 1, title="邻里噪音纠纷", category=Category.DISPUTE, status=Status.ACCEPTED,
                 accepted_at=T0 - timedelta(minutes=9), handler="王五", departments=("司法所",),
                 timeline=(StatusChange(Status.REPORTED, T0 - timedelta(minutes=10), "李四", "", "随手拍"),
                           StatusChange(Status.ACCEPTED, T0 - timedelta(minutes=9), "王五", "司法所", "已受理"))),
        incident("E2", 2, title="井盖缺失", category=Category.SAFETY_HAZARD, severity=Severity.HIGH,
                 source=Source.CITIZEN_PHOTO, minutes_ago=60 * 23),          # 24 h limit: amber
        incident("E3", 4, title="积水", category=Category.FLOOD, source=Source.IOT_SENSOR, minutes_ago=60 * 7),  # overdue
        incident("E4", 5, title="仓库起火", category=Category.FIRE, severity=Severity.CRITICAL, emergency=True,
                 source=Source.POLICE_110, minutes_ago=0.5),
        incident("E5", 6, title="演练：危化品泄漏", category=Category.SAFETY_HAZARD, drill_id="DR1", minutes_ago=3),
        incident("E6", 3, title="已办结的纠纷", status=Status.CLOSED, closed_at=T0 - timedelta(minutes=30),
                 minutes_ago=120),
    ]


def alerts() -> list[Alert]:
    """Four public warnings (预警), one per colour."""
    return [
        alert("A1", AlertLevel.BLUE, type=AlertType.FLOOD),
        alert("A2", AlertLevel.YELLOW, type=AlertType.WEATHER),
        alert("A3", AlertLevel.ORANGE, type=AlertType.FOREST_FIRE),
        alert("A4", AlertLevel.RED, type=AlertType.WEATHER, expires_in=None),
    ]


def signals() -> list[Alert]:
    """Device alarms (告警) and supervision notices (督办), the two kinds of signal that are not public warnings."""
    return [
        alert("S1", AlertLevel.YELLOW, type=AlertType.IOT, title="物联感知告警：配电箱温度异常", source="物联感知平台"),
        alert("S2", AlertLevel.BLUE, type=AlertType.VIDEO, title="视频分析告警：占道经营", source="视频智能平台"),
        alert("S3", AlertLevel.BLUE, type=AlertType.WEAK_SIGNAL, title="弱信号：第3网格矛盾纠纷上升"),
        alert("S4", AlertLevel.BLUE, type=AlertType.OVERDUE, title="超期未办结：楼道堆物", references=("E3",)),
        alert("S5", AlertLevel.YELLOW, type=AlertType.OVERDUE, title="超期一倍未办结：路灯不亮"),
        alert("S6", AlertLevel.ORANGE, type=AlertType.OVERDUE, title="1-10-20：10分钟未到场：积水"),
    ]


def resources() -> list[Resource]:
    K, S = ResourceKind, ResourceStatus
    return [
        resource("R1", K.TEAM, S.AVAILABLE, name="抢险救援队"),
        resource("R2", K.TEAM, S.ON_SCENE, name="森林防火应急中队", incident_id="E4"),
        resource("R3", K.VEHICLE, S.DISPATCHED, name="应急车辆1"),
        resource("R4", K.VEHICLE, S.OUT_OF_SERVICE, name="应急车辆2"),
        resource("R5", K.SUPPLY, S.AVAILABLE, name="沙袋", quantity=120, threshold=500, unit="袋"),
        resource("R6", K.SUPPLY, S.AVAILABLE, name="救生衣", quantity=80, threshold=50, unit="件"),
        resource("R7", K.PERSON, S.AVAILABLE, name="值班员张三", phone="13800000000"),
    ]


def sensor_outcome() -> Outcome:
    """Twelve devices over an hour: a flooded underpass (level 3), hot boxes, one device that falls silent."""
    rules, out = AlarmRules(offline_after=timedelta(minutes=5)), Outcome()
    for k in range(12):
        t = T0 - timedelta(minutes=60 - 5 * k)
        rules.reading(SensorMessage("WL1", SensorType.WATER_LEVEL, t, 0.05 + 0.04 * k, name="立交桥积水1号",
                                    lon=LON0 + 0.002, lat=LAT0 + 0.002), out)
        for n in range(8):
            rules.reading(SensorMessage(f"MH{n}", SensorType.MANHOLE, t, 1.0 + 0.1 * (k % 3), name=f"井盖{n}号",
                                        lon=LON0 + 0.001 * n, lat=LAT0 + 0.003), out)
        rules.reading(SensorMessage("TB1", SensorType.TEMPERATURE, t, 40.0 + k, name="配电箱1号"), out)
        if k < 3:
            rules.reading(SensorMessage("GS1", SensorType.GAS, t, 0.4, name="燃气1号"), out)
    rules.silent(T0, out)
    return out


def live_city(**parts) -> LiveState:
    live = LiveState()
    live.apply(territory=parts.get("territory", territory()), incidents=parts.get("incidents", incidents()),
               alerts=parts.get("alerts", alerts()), resources=parts.get("resources", resources()))
    return live


def bump(record, **kw):
    return replace(record, version=record.version + 1, **kw)
