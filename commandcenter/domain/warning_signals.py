"""Public warning signals (预警信号): which hazards exist, in which colours, and what to do about each.

The meteorological part is China Meteorological Administration Order No. 16 (《气象灾害预警信号发布与传播办法》,
2007; haze revised 2013): 14 hazards, each with only some of the four colours. Flood-control (防汛) and
forest-fire (森林防火) warnings come from the water, ocean and forestry authorities, each in four colours.
Guidance (防御指南) belongs to the hazard: heat is not a flood. The simulator issues only these pairs and the
wall can check any warning it receives against them.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from .enums import AlertLevel, AlertType

_ALL = (AlertLevel.BLUE, AlertLevel.YELLOW, AlertLevel.ORANGE, AlertLevel.RED)
_YELLOW_UP = (AlertLevel.YELLOW, AlertLevel.ORANGE, AlertLevel.RED)
_ORANGE_UP = (AlertLevel.ORANGE, AlertLevel.RED)
_BLUE_TO_ORANGE = (AlertLevel.BLUE, AlertLevel.YELLOW, AlertLevel.ORANGE)

#: The colour words as they appear in a signal's name (暴雨黄色预警信号).
COLOUR_CN: dict[AlertLevel, str] = {
    AlertLevel.BLUE: "蓝色", AlertLevel.YELLOW: "黄色", AlertLevel.ORANGE: "橙色", AlertLevel.RED: "红色",
}

#: A warning level's grade and meaning (Ⅳ级 一般 … Ⅰ级 特别严重).
GRADE_CN: dict[AlertLevel, str] = {
    AlertLevel.BLUE: "Ⅳ级，一般", AlertLevel.YELLOW: "Ⅲ级，较重", AlertLevel.ORANGE: "Ⅱ级，严重", AlertLevel.RED: "Ⅰ级，特别严重",
}


class Hazard(StrEnum):
    """What a public warning is about; the values are the wire format of `Alert.hazard`."""

    TYPHOON = "typhoon"
    RAINSTORM = "rainstorm"
    SNOWSTORM = "snowstorm"
    COLD_WAVE = "cold_wave"
    GALE = "gale"
    SANDSTORM = "sandstorm"
    HEAT = "heat"
    DROUGHT = "drought"
    LIGHTNING = "lightning"
    HAIL = "hail"
    FROST = "frost"
    FOG = "fog"
    HAZE = "haze"
    ROAD_ICING = "road_icing"
    RIVER_FLOOD = "river_flood"      # 洪水预警 (hydrological)
    STORM_SURGE = "storm_surge"      # 风暴潮预警 (ocean)
    FOREST_FIRE_RISK = "forest_fire_risk"   # 森林火险预警


@dataclass(frozen=True, slots=True)
class HazardSpec:
    hazard: Hazard
    name_cn: str
    name_en: str
    alert_type: AlertType
    levels: tuple[AlertLevel, ...]   # the colours this hazard's signal exists in, mildest first
    issuer: str                      # who issues it, appended to the area's name (滨海区 + 气象台)
    guidance: str                    # 防御指南

    def allows(self, level: AlertLevel) -> bool:
        return level in self.levels

    def signal_name(self, level: AlertLevel) -> str:
        """The signal's own name, e.g. 暴雨黄色预警信号; ValueError for a colour the hazard does not have."""
        if not self.allows(level):
            raise ValueError(f"{self.name_cn} has no {COLOUR_CN[level]} warning signal")
        return f"{self.name_cn}{COLOUR_CN[level]}预警信号"


def _spec(h: Hazard, cn: str, en: str, t: AlertType, levels: tuple[AlertLevel, ...], issuer: str, guidance: str) -> HazardSpec:
    return HazardSpec(h, cn, en, t, levels, issuer, guidance)


_W, _F, _FF = AlertType.WEATHER, AlertType.FLOOD, AlertType.FOREST_FIRE

HAZARDS: dict[Hazard, HazardSpec] = {s.hazard: s for s in (
    _spec(Hazard.TYPHOON, "台风", "Typhoon", _W, _ALL, "气象台",
          "做好防台风准备；船舶回港避风，加固港口设施和易被风吹动的搭建物；停止露天集体活动和高空作业；转移危险地带人员。"),
    _spec(Hazard.RAINSTORM, "暴雨", "Rainstorm", _W, _ALL, "气象台",
          "做好防暴雨准备；检查城市、农田、鱼塘排水系统，做好排涝；切断低洼地带有危险的室外电源；暂停户外作业，转移危险地带人员。"),
    _spec(Hazard.SNOWSTORM, "暴雪", "Snowstorm", _W, _ALL, "气象台",
          "做好防雪准备；交通、铁路、电力、通信部门做好道路清扫和积雪融化；驾驶人员减速慢行；加固棚架等易被雪压的临时搭建物。"),
    _spec(Hazard.COLD_WAVE, "寒潮", "Cold wave", _W, _ALL, "气象台",
          "做好防寒保暖和防冻工作；注意添衣保暖，照顾好老、弱、病人；农业、水产业、畜牧业做好防冻；做好防风准备。"),
    _spec(Hazard.GALE, "大风", "Gale", _W, _ALL, "气象台",
          "做好防风准备；关好门窗，加固围板、棚架、广告牌等易被风吹动的搭建物；海上作业船只回港避风；停止高空作业和户外活动。"),
    _spec(Hazard.SANDSTORM, "沙尘暴", "Sandstorm", _W, _YELLOW_UP, "气象台",
          "做好防风防沙准备；关好门窗，外出佩戴口罩、纱巾；减少户外活动；驾驶人员注意沙尘对交通的影响。"),
    _spec(Hazard.HEAT, "高温", "Heat", _W, _YELLOW_UP, "气象台",
          "做好防暑降温；午后尽量减少户外活动，对老、弱、病、幼人群提供防暑降温指导；户外露天作业人员采取防护措施；注意用电安全，防范电线、变压器超负荷引发火灾。"),
    _spec(Hazard.DROUGHT, "干旱", "Drought", _W, _ORANGE_UP, "气象台",
          "启动抗旱预案；优先保障城乡居民生活用水和牲畜饮水；限制非生产性高耗水及服务业用水，压减农业用水；适时人工增雨。"),
    _spec(Hazard.LIGHTNING, "雷电", "Lightning", _W, _YELLOW_UP, "气象台",
          "做好防雷工作；人员留在室内并关好门窗，户外人员躲入有防雷设施的建筑物或汽车内；不在树下、电杆下、塔吊下避雨；停止户外作业和露天活动。"),
    _spec(Hazard.HAIL, "冰雹", "Hail", _W, _ORANGE_UP, "气象台",
          "做好防冰雹应急工作；人员暂停户外活动，到安全场所暂避；驱赶家禽、牲畜进入有顶篷的场所，妥善保护汽车等室外物品；注意伴随的雷电灾害。"),
    _spec(Hazard.FROST, "霜冻", "Frost", _W, _BLUE_TO_ORANGE, "气象台",
          "做好防霜冻准备；对农作物、蔬菜、花卉、瓜果采取覆盖、喷洒防冻液等措施；做好大棚和畜禽的防寒保暖。"),
    _spec(Hazard.FOG, "大雾", "Fog", _W, _YELLOW_UP, "气象台",
          "做好防雾准备；机场、高速公路、轮渡码头采取措施保障交通安全；驾驶人员注意雾的变化，减速慢行、保持车距；减少户外活动。"),
    _spec(Hazard.HAZE, "霾", "Haze", _W, _YELLOW_UP, "气象台",
          "空气质量明显降低；儿童、老人和呼吸道疾病患者留在室内，减少户外活动，外出佩戴口罩；驾驶人员小心驾驶。"),
    _spec(Hazard.ROAD_ICING, "道路结冰", "Road icing", _W, _YELLOW_UP, "气象台",
          "交通、公安部门做好道路结冰应对；对桥梁、高架路、坡道撒融雪剂；驾驶人员减速慢行；行人注意防滑，尽量少骑自行车。"),
    _spec(Hazard.RIVER_FLOOD, "洪水", "River flood", _F, _ALL, "水文中心",
          "启动防汛应急预案；加强堤防、水库巡查防守；转移河道、滩区和低洼地带人员；涉水作业和船只停止作业。"),
    _spec(Hazard.STORM_SURGE, "风暴潮", "Storm surge", _F, _ALL, "海洋预报台",
          "做好防潮准备；渔船回港避风，海上和滩涂作业人员撤离；加固海堤、码头和养殖设施；转移沿海低洼地带人员。"),
    _spec(Hazard.FOREST_FIRE_RISK, "森林火险", "Forest fire risk", _FF, _ALL, "林业和草原局",
          "严禁野外用火，加强林区巡护和火源管控；扑火队伍靠前驻防，做好扑救准备；发现烟点立即报告。"),
)}

_BY_NAME = {s.name_cn: s for s in HAZARDS.values()}


def spec(hazard: Hazard) -> HazardSpec:
    return HAZARDS[hazard]


def hazard_named(name_cn: str) -> HazardSpec | None:
    """The hazard whose Chinese name is `name_cn` (暴雨), or None."""
    return _BY_NAME.get(name_cn.strip())


def check_signal(hazard: Hazard, level: AlertLevel, alert_type: AlertType | None = None) -> str | None:
    """Why this hazard/colour pair (and alert type) is not a real warning signal, or None if it is."""
    s = HAZARDS[hazard]
    if not s.allows(level):
        have = "、".join(COLOUR_CN[lv] for lv in s.levels)
        return f"{s.name_cn}预警信号只有{have}，没有{COLOUR_CN[level]}"
    if alert_type is not None and alert_type is not s.alert_type:
        return f"{s.name_cn}预警属于{s.alert_type.value}，不是{alert_type.value}"
    return None


#: Supervision (督办) of overdue work uses Laiyang's three colours only.
SUPERVISION_LEVELS: tuple[AlertLevel, ...] = (AlertLevel.BLUE, AlertLevel.YELLOW, AlertLevel.RED)
