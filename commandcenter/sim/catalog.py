"""What happens in the city and how often: categories, sources, titles, the daily cycle.

Shares are chosen so the simulated KPIs land near the published figures in DOMAIN.md; the
comments say which figure each constant serves.
"""
from __future__ import annotations

from commandcenter.domain import Category, EmergencyDomain, ResolutionLevel, Source

from . import seeds

CATEGORY_WEIGHTS: dict[Category, float] = {
    Category.DISPUTE: 24, Category.SAFETY_HAZARD: 12, Category.UTILITIES: 16, Category.SANITATION: 15,
    Category.PUBLIC_SECURITY: 7, Category.ELDERLY_CHILDREN: 7, Category.FIRE: 1.2,
    Category.FLOOD: 1.5, Category.FOREST_FIRE: 0.6, Category.FISHING_VESSEL: 1.5, Category.OTHER: 14.2,
}
# 初信初访 (Category.PETITION) are not drawn from these weights: they have their own, much rarer, arrival process.

#: Which sources report which category (relative weights).
SOURCE_WEIGHTS: dict[Category, dict[Source, float]] = {
    Category.DISPUTE: {Source.GRID_APP: 45, Source.HOTLINE_12345: 20, Source.POLICE_110: 20, Source.PETITION_VISIT: 15},
    Category.SAFETY_HAZARD: {Source.GRID_APP: 45, Source.CITIZEN_PHOTO: 20, Source.IOT_SENSOR: 15, Source.VIDEO_AI: 10, Source.HOTLINE_12345: 10},
    Category.UTILITIES: {Source.HOTLINE_12345: 35, Source.CITIZEN_PHOTO: 25, Source.GRID_APP: 30, Source.IOT_SENSOR: 10},
    Category.SANITATION: {Source.GRID_APP: 45, Source.CITIZEN_PHOTO: 30, Source.VIDEO_AI: 15, Source.HOTLINE_12345: 10},
    Category.PUBLIC_SECURITY: {Source.POLICE_110: 45, Source.VIDEO_AI: 25, Source.GRID_APP: 30},
    Category.PETITION: {Source.PETITION_VISIT: 100},
    Category.ELDERLY_CHILDREN: {Source.GRID_APP: 60, Source.HOTLINE_12345: 25, Source.POLICE_110: 15},
    Category.FIRE: {Source.IOT_SENSOR: 30, Source.VIDEO_AI: 20, Source.HOTLINE_12345: 20, Source.GRID_APP: 15, Source.POLICE_110: 15},
    Category.FLOOD: {Source.IOT_SENSOR: 40, Source.GRID_APP: 35, Source.CITIZEN_PHOTO: 25},
    Category.FOREST_FIRE: {Source.VIDEO_AI: 50, Source.GRID_APP: 30, Source.HOTLINE_12345: 20},
    Category.FISHING_VESSEL: {Source.IOT_SENSOR: 50, Source.GRID_APP: 30, Source.VIDEO_AI: 20},
    Category.OTHER: {Source.GRID_APP: 35, Source.CITIZEN_PHOTO: 25, Source.HOTLINE_12345: 25, Source.POLICE_110: 15},
}

TITLES: dict[Category, tuple[str, ...]] = {
    Category.DISPUTE: ("邻里噪音纠纷", "物业费纠纷", "拖欠农民工工资", "房屋漏水引发邻里矛盾", "宠物扰民纠纷", "停车位纠纷", "土地承包纠纷", "婚姻家庭纠纷"),
    Category.SAFETY_HAZARD: ("楼道堆放杂物", "电动车楼道充电", "燃气管道老化", "广告牌松动", "配电箱异常发热", "工地未设围挡", "消防通道占用"),
    Category.UTILITIES: ("小区停水", "下水道堵塞", "路面塌陷", "路灯不亮", "井盖缺失", "供暖不热", "电梯故障困人"),
    Category.SANITATION: ("垃圾清运不及时", "占道经营", "违规焚烧秸秆", "河道漂浮物", "建筑垃圾乱倒", "公厕脏乱"),
    Category.FIRE: ("居民楼厨房起火", "配电箱起火", "仓库冒烟", "车辆自燃", "商铺起火"),
    Category.FLOOD: ("低洼路段积水", "地下车库进水", "排涝泵站故障", "河道水位上涨", "围堤渗水"),
    Category.FOREST_FIRE: ("林区发现烟点", "违规野外用火", "坟头烧纸引燃杂草"),
    Category.FISHING_VESSEL: ("渔船未按时回港", "渔船失联", "非法捕捞", "渔船搁浅"),
    Category.PUBLIC_SECURITY: ("可疑人员徘徊", "醉酒滋事", "电信诈骗线索", "聚众斗殴苗头"),
    Category.PETITION: ("征地补偿诉求", "拆迁安置诉求", "社保待遇诉求", "房产证办理诉求"),
    Category.ELDERLY_CHILDREN: ("独居老人无人照料", "留守儿童需帮扶", "老人走失", "困难家庭救助申请"),
    Category.OTHER: ("流浪动物", "违章停车", "噪音扰民", "共享单车乱停"),
}

SOURCE_LABEL: dict[Source, str] = {
    Source.GRID_APP: "网格员巡查（网格通）", Source.CITIZEN_PHOTO: "群众随手拍", Source.HOTLINE_12345: "12345热线",
    Source.PETITION_VISIT: "来电来访", Source.IOT_SENSOR: "物联感知设备", Source.VIDEO_AI: "视频智能分析",
    Source.POLICE_110: "110非警务警情分流", Source.OPEN311: "Open311", Source.SCENARIO: "演练脚本",
}

#: The emergency domain (Xiyuan's eight) an emergency of a category belongs to.
EMERGENCY_DOMAIN: dict[Category, EmergencyDomain] = {
    Category.FIRE: EmergencyDomain.FIRE_SAFETY,
    Category.FOREST_FIRE: EmergencyDomain.FOREST_FIRE,
    Category.FLOOD: EmergencyDomain.FLOOD_DROUGHT,
    Category.FISHING_VESSEL: EmergencyDomain.FISHING_VESSEL,
    Category.SAFETY_HAZARD: EmergencyDomain.WORK_SAFETY,
    Category.PUBLIC_SECURITY: EmergencyDomain.STABILITY,
    Category.PETITION: EmergencyDomain.STABILITY,
    Category.UTILITIES: EmergencyDomain.LOGISTICS,
    Category.OTHER: EmergencyDomain.EMERGENCY_MANAGEMENT,
}

#: Which categories the rare emergencies (突发事件) fall in (relative weights).
EMERGENCY_CATEGORY_WEIGHTS: dict[Category, float] = {
    Category.FIRE: 30, Category.FLOOD: 15, Category.FOREST_FIRE: 10, Category.FISHING_VESSEL: 10,
    Category.SAFETY_HAZARD: 15, Category.PUBLIC_SECURITY: 10, Category.UTILITIES: 5, Category.OTHER: 5,
}

#: Categories where a sensor's or a camera's detection is raised as a device alarm (告警).
ALARM_CATEGORIES = frozenset({Category.FIRE, Category.SAFETY_HAZARD, Category.FLOOD, Category.FISHING_VESSEL,
                              Category.FOREST_FIRE})

#: Laiyang: disputes resolved on the spot (现场化解率 96.7 %).
P_DISPUTE_ON_THE_SPOT = seeds.LAIYANG_DISPUTE_ON_THE_SPOT_RATE / 100

#: Departments that typically take a category when the grid "blows the whistle" (吹哨报到).
DEPARTMENTS_FOR: dict[Category, tuple[str, ...]] = {
    Category.DISPUTE: ("司法局", "人力资源和社会保障局", "住房和城乡建设局"),
    Category.SAFETY_HAZARD: ("应急管理局", "消防救援支队", "市场监督管理局"),
    Category.UTILITIES: ("水务局", "供电公司", "自来水公司", "交通运输局"),
    Category.SANITATION: ("城市管理局", "综合行政执法局", "生态环境局"),
    Category.FIRE: ("消防救援支队", "应急管理局"),
    Category.FLOOD: ("水务局", "应急管理局", "气象局"),
    Category.FOREST_FIRE: ("林业局", "应急管理局", "消防救援支队"),
    Category.FISHING_VESSEL: ("海洋发展和渔业局", "公安局"),
    Category.PUBLIC_SECURITY: ("公安局",),
    Category.PETITION: ("信访局", "自然资源和规划局", "人力资源和社会保障局"),
    Category.ELDERLY_CHILDREN: ("民政局", "妇女联合会", "卫生健康委员会"),
    Category.OTHER: ("城市管理局", "公安局"),
}

#: "小事不出网格, 大事不出社区": Dongying resolves 95% at grid or community level.
RESOLUTION_WEIGHTS: dict[ResolutionLevel, float] = {
    ResolutionLevel.GRID: 0.72, ResolutionLevel.COMMUNITY: 0.23, ResolutionLevel.STREET: 0.04, ResolutionLevel.HIGHER: 0.01,
}

#: Satisfaction at follow-up (1..5).
SATISFACTION_WEIGHTS = {5: 70, 4: 24, 3: 4, 2: 1.5, 1: 0.5}

_HOURLY = (0.25, 0.18, 0.15, 0.12, 0.12, 0.2, 0.45, 0.9, 1.4, 1.7, 1.75, 1.6,
           1.2, 1.1, 1.5, 1.6, 1.55, 1.4, 1.2, 1.0, 0.9, 0.7, 0.5, 0.35)
_MEAN = sum(_HOURLY) / 24
#: Daily cycle (China Standard Time hours), normalised to a mean of 1.
HOURLY = tuple(h / _MEAN for h in _HOURLY)
HOURLY_MAX = max(HOURLY)


def cycle(ts: float) -> float:
    """Relative event rate at a UTC timestamp, interpolated between hours (Asia/Shanghai)."""
    h = ((ts / 3600.0) + 8.0) % 24.0
    i = int(h)
    frac = h - i
    return HOURLY[i] * (1 - frac) + HOURLY[(i + 1) % 24] * frac
