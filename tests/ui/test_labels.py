"""Every member of every enum the wall shows has its own words, in Chinese and in English: members of different
enums that compare equal (Severity.LOW == AlertLevel.BLUE, Status.DISPATCHED == ResourceStatus.DISPATCHED) never
borrow each other's names."""
from __future__ import annotations

import itertools
from enum import Enum

import pytest
from PySide6.QtCore import QCoreApplication

from commandcenter.domain import (
    Alert, AlertLevel, AlertStatus, AlertType, Category, DeadlineLevel, ResourceStatus, Severity, SignalKind, Stage,
    Status,
)
from commandcenter.ui import labels
from datetime import UTC

DISPLAYED = list(labels.TABLES)
MEMBERS = [(enum, member) for enum in DISPLAYED for member in enum]


@pytest.fixture(params=["zh_CN", "en"])
def language(request, qapp):
    from commandcenter.ui.resources import install_language

    assert install_language(request.param)
    yield request.param
    install_language("zh_CN")


def test_every_enum_the_wall_shows_has_a_table():
    from commandcenter import domain

    # never shown by name: an alert's status reads 生效中/已失效, an action's kind has the detail panel's own words,
    # territory levels and emergency domains are not displayed
    not_shown = {domain.AlertStatus, domain.TerritoryLevel, domain.EmergencyDomain, domain.ActionKind}
    enums = {v for v in vars(domain).values() if isinstance(v, type) and issubclass(v, Enum)}
    assert enums - not_shown <= set(DISPLAYED)


@pytest.mark.parametrize(("enum", "member"), MEMBERS, ids=[f"{e.__name__}.{m.name}" for e, m in MEMBERS])
def test_each_member_has_its_own_words(enum, member, language):
    text = labels.name(member)
    context = labels.OWN_CONTEXT.get(enum, labels.CONTEXT)
    assert text == QCoreApplication.translate(context, labels.TABLES[enum][member])
    assert text and text != str(member.value), "a raw value reached the screen"
    if language == "en":
        assert not any("\u4e00" <= ch <= "\u9fff" for ch in text), text


@pytest.mark.parametrize("enum", DISPLAYED, ids=[e.__name__ for e in DISPLAYED])
def test_members_of_one_enum_read_differently(enum, language):
    names = [labels.name(m) for m in enum]
    assert len(set(names)) == len(names), names


def test_equal_values_of_different_enums_keep_their_own_names():
    equal_pairs = [(a, b) for a, b in itertools.combinations([m for _, m in MEMBERS], 2)
                   if type(a) is not type(b) and a == b]
    assert equal_pairs, "the collision this guards against exists in the domain"
    assert labels.name(Severity.MEDIUM) == "较大" and labels.name(AlertLevel.YELLOW) == "黄色"
    assert labels.name(Severity.CRITICAL) == "特别重大" and labels.name(AlertLevel.RED) == "红色"
    assert labels.name(Status.DISPATCHED) == "派遣" and labels.name(ResourceStatus.DISPATCHED) == "已派出"
    assert labels.name(AlertType.OVERDUE) == "超时督办" and labels.name(DeadlineLevel.OVERDUE) == "超时"
    assert labels.name(Category.FLOOD) == "防汛" and labels.name(AlertType.FLOOD) == "汛情"
    assert labels.name(Category.FOREST_FIRE) == "森林防火" and labels.name(AlertType.FOREST_FIRE) == "森林火险"
    assert labels.name(Stage.ASSESSMENT) == "初情研判"


def _alert(type_: AlertType, level: AlertLevel) -> Alert:
    from datetime import datetime

    t = datetime(2026, 11, 23, tzinfo=UTC)
    return Alert("A1", 1, t, level, type_, "t", AlertStatus.ACTIVE, t)


def test_each_kind_of_signal_says_its_level_in_its_own_words(language):
    warning = labels.signal_level(_alert(AlertType.WEATHER, AlertLevel.RED))
    alarm = labels.signal_level(_alert(AlertType.IOT, AlertLevel.RED))
    supervision = labels.signal_level(_alert(AlertType.OVERDUE, AlertLevel.ORANGE))
    if language == "zh_CN":
        assert (warning, alarm, supervision) == ("Ⅰ 红色预警", "Ⅰ级告警", "● 红色督办")
    else:
        assert (warning, alarm, supervision) == ("Ⅰ Red warning", "Level I alarm", "● Red supervision")
    assert labels.name(SignalKind.WARNING) == ("预警" if language == "zh_CN" else "Public warning")


def test_a_stage_deadline_never_reads_as_done(language):
    """办结 as a stage is the closing deadline of open work; as a status it is closed work: in English they differ."""
    from commandcenter.domain import Stage

    if language == "en":
        assert labels.name(Stage.CLOSE) == "Due" and labels.name(Status.CLOSED) == "Closed"
    else:
        assert labels.name(Stage.CLOSE) == labels.name(Status.CLOSED) == "办结"
