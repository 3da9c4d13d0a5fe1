"""Every user-visible string of the UI has a finished English translation, compiled into the shipped .qm,
and `[wall] language` switches the wall (strings, dates, numbers)."""
from __future__ import annotations

import subprocess
import xml.etree.ElementTree as ET
from datetime import datetime, UTC

import pytest

from commandcenter.ui.resources import I18N_DIR

from scripts import update_translations
from tests.support import ROOT

TS = I18N_DIR / "commandcenter_en.ts"
QM = I18N_DIR / "commandcenter_en.qm"


def _messages(path) -> dict[tuple[str, str], ET.Element]:
    out = {}
    for ctx in ET.parse(path).getroot().findall("context"):
        for m in ctx.findall("message"):
            out[(ctx.findtext("name"), m.findtext("source"))] = m
    return out


def _finished(m: ET.Element) -> bool:
    tr = m.find("translation")
    if tr is None or tr.get("type") in ("unfinished", "vanished", "obsolete"):
        return False
    forms = tr.findall("numerusform")
    return all((f.text or "").strip() for f in forms) if forms else bool((tr.text or "").strip())


def test_every_source_string_has_a_finished_english_translation(tmp_path):
    committed = _messages(TS)
    wanted = set(update_translations.all_sources())          # ast: tr()/translate() incl. f-strings, labels table
    fresh = tmp_path / "fresh.ts"                            # and whatever lupdate extracts today
    sources = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "commandcenter" / "ui").rglob("*.py"))
    subprocess.run([str(ROOT / ".venv" / "bin" / "pyside6-lupdate"), *sources, "-ts", str(fresh)], cwd=ROOT,
                   check=True, capture_output=True)
    wanted |= set(_messages(fresh))
    assert len(wanted) > 150
    missing = sorted(k for k in wanted if k not in committed or not _finished(committed[k]))
    assert not missing, ("strings without English (run scripts/update_translations.py and add them): "
                         f"{missing}")


def test_the_compiled_qm_holds_every_translation(qapp):
    from PySide6.QtCore import QTranslator

    t = QTranslator()
    assert t.load(str(QM))
    for (ctx, src), m in _messages(TS).items():
        if not _finished(m):
            continue
        english = t.translate(ctx, src, None, 1)
        assert english, f"{ctx}: {src} missing from the .qm (run lrelease)"


def test_the_language_switches_strings_dates_and_numbers(qapp):
    from commandcenter.config import Config
    from commandcenter.domain import Category
    from commandcenter.ui import format as fmt
    from commandcenter.ui import labels
    from commandcenter.ui.pages import duty_text
    from commandcenter.ui.resources import install_language
    from commandcenter.ui.wall import locale_date_time, wall_title

    roster = Config.model_validate({"duty": [{"name": "王建国", "role": "值班长", "from": "08:00", "until": "20:00"}]}).duty
    demo = Config.model_validate({"wall": {"title": "指挥中心", "demo_extra_events_per_s": 0.5}}).wall
    t = datetime(2026, 11, 23, 2, 30, tzinfo=UTC)
    fmt.set_timezone("Asia/Shanghai")
    try:
        assert install_language("en")
        assert labels.name(Category.DISPUTE) == "Dispute"
        assert duty_text(roster, t).startswith("On duty: 王建国")
        assert locale_date_time(t) == "Monday, November 23, 2026 10:30:00"
        assert fmt.number(12345) == "12,345"
        assert wall_title(demo) == "指挥中心 (demo: +0.5 extra events/s)"     # a demo's extra events named so
    finally:
        assert install_language("zh_CN")
    assert labels.name(Category.DISPUTE) == "矛盾纠纷"
    assert wall_title(demo) == "指挥中心（演示附加事件 +0.5/秒）"
    assert wall_title(demo.model_copy(update={"demo_extra_events_per_s": 0.0})) == "指挥中心"
    assert duty_text(roster, t).startswith("值班：王建国")
    assert locale_date_time(t) == "2026年11月23日星期一 10:30:00"


@pytest.mark.parametrize("language", ["en"])
def test_the_console_speaks_english(qapp, language):
    from PySide6.QtCore import QCoreApplication

    from commandcenter.ui.resources import install_language

    try:
        install_language(language)
        assert QCoreApplication.translate("ConsoleWindow", "事件检索") == "Incident search"
        assert QCoreApplication.translate("HelpOverlay", "键盘快捷键") == "Keyboard shortcuts"
    finally:
        install_language("zh_CN")


def test_table_headers_follow_the_language(qapp):
    from PySide6.QtCore import Qt

    from commandcenter.services import LiveState
    from commandcenter.ui.models.incidents import IncidentTableModel
    from commandcenter.ui.models.resources import ResourceTableModel
    from commandcenter.ui.resources import install_language

    live = LiveState()
    models = [IncidentTableModel(live), ResourceTableModel(live)]

    def headers(model) -> list[str]:
        return [model.headerData(i, Qt.Orientation.Horizontal) for i in range(model.columnCount())]

    try:
        install_language("en")
        assert headers(models[0]) == ["Deadline", "Level", "Category", "Incident", "Grid", "Source", "Status",
                                      "Reported at"]
        assert headers(models[1]) == ["Type", "Name", "Status", "Location", "Quantity / threshold"]
    finally:
        install_language("zh_CN")
    assert headers(models[0]) == ["时限", "级别", "类别", "事件", "网格", "来源", "状态", "上报"]
