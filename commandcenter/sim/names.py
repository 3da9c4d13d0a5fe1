"""Chinese names for places, people and organisations, drawn from a seeded generator.

Lists are short and plausible rather than real: the sim must never be mistaken for a real city's data.
"""
from __future__ import annotations

import random

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜秀敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂英华建国玉兰红梅兵海波辉鹏宇浩晨欣怡子涵嘉琪瑞文博志鑫宁凯鸿飞燕春雪丹玲婷颖晓东立新永福庆德胜利斌峰健亮林佳慧"
PLACE = "东西南北中新金银玉黄清明安和平宁兴盛丰华河海湖港湾滨阳春秋山林石泉桥泰康福乐祥瑞龙凤鹤云霞光辉荣昌隆广利民胜文德义仁信"
PLACE_SUFFIX = ("园", "苑", "里", "庄", "湾", "坊", "城", "岛", "屯", "堡", "口", "营", "台", "店", "坡")

DISTRICT_NAMES = ("东营区", "河口区", "垦利区", "广饶县", "利津县", "海滨新区", "开发区", "港城区")

DEPARTMENTS = (
    "公安局", "应急管理局", "消防救援支队", "住房和城乡建设局", "城市管理局", "水务局", "生态环境局",
    "市场监督管理局", "交通运输局", "民政局", "卫生健康委员会", "自然资源和规划局", "海洋发展和渔业局",
    "信访局", "司法局", "人力资源和社会保障局", "教育局", "农业农村局", "林业局", "气象局",
    "供电公司", "燃气公司", "自来水公司", "综合行政执法局", "退役军人事务局", "妇女联合会", "残疾人联合会",
)


class Namer:
    """Unique-ish names from a seeded generator; uniqueness is enforced per namespace."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self._used: dict[str, set[str]] = {}

    def _unique(self, space: str, make) -> str:
        used = self._used.setdefault(space, set())
        for _ in range(50):
            name = make()
            if name not in used:
                used.add(name)
                return name
        name = f"{make()}{len(used) + 1}"
        used.add(name)
        return name

    def person(self) -> str:
        r = self.rng
        given = r.choice(GIVEN) + (r.choice(GIVEN) if r.random() < 0.7 else "")
        return r.choice(SURNAMES) + given

    def place(self, space: str, suffix: str) -> str:
        r = self.rng
        return self._unique(space, lambda: r.choice(PLACE) + r.choice(PLACE) + suffix)

    def street(self, space: str) -> str:
        return self.place(space, "街道" if self.rng.random() < 0.6 else "镇")

    def community(self, space: str, rural: bool) -> str:
        r = self.rng
        if rural:
            return self._unique(space, lambda: r.choice(PLACE) + r.choice(PLACE_SUFFIX) + "村")
        return self._unique(space, lambda: r.choice(PLACE) + r.choice(PLACE) + "社区")

    def phone(self) -> str:
        return "1" + str(self.rng.choice((33, 35, 37, 38, 39, 58, 86, 89))) + "".join(
            str(self.rng.randrange(10)) for _ in range(8)
        )
