"""The drill's after-action report is a document to hand up (issue 19 point 6): 演练概况, 参演单位, timings against
targets, 评估结论, 存在问题, 整改建议 and a signature block; one language per report; names, never ids, codes,
enum values, login accounts or host names. Checked on the HTML source and on the text of the rendered PDF."""
from __future__ import annotations

import re
import shutil
import subprocess
from datetime import datetime, timedelta, UTC
from pathlib import Path

import pytest

from commandcenter.domain import (
    ActionKind, Alert, AlertLevel, AlertStatus, AlertType, Category, Incident, OperatorAction, Severity, Source,
    Status, StatusChange,
)
from commandcenter.domain.drill_scenario import Scenario, Targets
from commandcenter.services.drill_report import ReportData, ResourceUse, TimelineRow
from commandcenter.services.drills import Dispatch, score_incident

DRILL = "drill-20261206-101500-sample-fire-rainstorm"
T0 = datetime(2026, 12, 6, 2, 15, tzinfo=UTC)
S = timedelta(seconds=1)
#: What must never reach the document: ids, codes, enum values, the login account and the host it ran on.
RAW = (DRILL, f"{DRILL}:fire", "EV", "AL", "fire-station-1", "ambulance-1", "team", "vehicle", "orange",
       "district:0", "root", "vm-7", "drill_start", "drill_stop", "on_scene", "available")
SECTIONS_ZH = ("演练概况", "参演单位", "各阶段用时与目标", "评估结论", "存在问题", "整改建议", "审批意见与签字",
               "评估人（签字）", "审批人（签字）", "演练组织单位（盖章）")
SECTIONS_EN = ("Overview", "Participating units", "Timings against targets", "Evaluation", "Problems found",
               "Recommendations", "Approval and signatures", "Evaluated by (signature)", "Approved by (signature)",
               "Organising unit (seal)")


def fire() -> Incident:
    """The fire: response 0:40, on scene 7:00, first assessment 25:30 (late, with the responders' note)."""
    at = T0 + 30 * S
    tl = (StatusChange(Status.REPORTED, at, "演练导调", "", "居民报警"),
          StatusChange(Status.ACCEPTED, at + 40 * S, "值班长", "", "启动火灾应急响应"),
          StatusChange(Status.DISPATCHED, at + 60 * S, "值班长", "市消防救援支队", "派遣消防救援站一队"),
          StatusChange(Status.HANDLING, at + 420 * S, "消防救援站一队", "", "到达现场"),
          StatusChange(Status.HANDLING, at + 1530 * S, "消防救援站一队", "", "首次研判延误：被困人员位置不明"))
    return Incident(id=f"{DRILL}:fire", version=5, updated_at=at + 1530 * S, reported_at=at, title="居民楼火灾，3人被困",
                    category=Category.FIRE, source=Source.SCENARIO, severity=Severity.CRITICAL, status=Status.HANDLING,
                    grid_id="G1", emergency=True, accepted_at=at + 40 * S, dispatched_at=at + 60 * S,
                    arrived_at=at + 420 * S, assessed_at=at + 1530 * S, departments=("市消防救援支队",), timeline=tl,
                    drill_id=DRILL)


def report() -> ReportData:
    inc = fire()
    end = T0 + 50 * 60 * S
    targets = Targets(60, 480, 1200)
    dispatch = Dispatch("fire-station-1", "消防救援站一队", "team", inc.reported_at + 60 * S, 60.0)
    score = score_incident(inc, end, targets, (dispatch,))
    warning = Alert(f"AL{1:07d}", 2, T0 + 120 * S, AlertLevel.ORANGE, AlertType.WEATHER, "暴雨橙色预警",
                    AlertStatus.CANCELLED, T0 + 120 * S, area_desc="district:0", drill_id=DRILL)
    actions = [
        OperatorAction(ActionKind.DRILL_START, "drill", DRILL, "root", "vm-7", T0, reason="季度联合演练", drill_id=DRILL),
        OperatorAction(ActionKind.DRILL_STOP, "drill", DRILL, "张主任", "vm-7", end, reason="演练结束", drill_id=DRILL,
                       seat="1号席"),
    ]
    timeline = [TimelineRow(T0, 0.0, "action", DRILL, "root · vm-7", "drill_start", "季度联合演练"),
                TimelineRow(inc.reported_at, 30.0, "incident", inc.id, inc.title, "reported", ""),
                TimelineRow(T0 + 90 * S, 90.0, "resource", "fire-station-1", "消防救援站一队", "dispatched",
                            f"→ {inc.title}"),
                TimelineRow(T0 + 120 * S, 120.0, "alert", warning.id, warning.title, "issued", "")]
    return ReportData(
        drill_id=DRILL, scenario=Scenario("居民楼火灾救援与暴雨红色预警联合演练", "T+30秒居民楼起火，3人被困。",
                                          targets=targets),
        started_at=T0, stopped_at=end, started_by="root", start_reason="季度联合演练", stopped_by="张主任",
        stop_reason="演练结束", stopped_seat="1号席", stop_kind="stopped", incidents=[inc], alerts=[warning],
        scores=[score], resources=[ResourceUse("fire-station-1", "消防救援站一队", "team", inc.id,
                                               inc.reported_at + 60 * S, inc.reported_at + 420 * S, None)],
        actions=actions, timeline=timeline)


def visible_text(html_text: str) -> str:
    """The document's words: tags and the embedded charts' data left out."""
    return re.sub(r"<[^>]+>", " ", re.sub(r"<(style|title)>.*?</\1>", " ", html_text, flags=re.S))


def has_cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


@pytest.fixture
def language(ui, request):
    from commandcenter.ui.resources import install_language

    assert install_language(request.param)
    yield request.param
    install_language("zh_CN")


@pytest.mark.parametrize("language", ["zh_CN", "en"], indirect=True)
def test_the_report_has_the_sections_of_a_document_and_names_only(language) -> None:
    from commandcenter.ui.report import build_html

    text = visible_text(build_html(report(), {}))
    for section in (SECTIONS_ZH if language == "zh_CN" else SECTIONS_EN):
        assert section in text, section
    for raw in RAW:
        assert not re.search(rf"(?<![A-Za-z]){re.escape(raw)}(?![A-Za-z])", text), raw
    assert "消防救援站一队" in text and "市消防救援支队" in text            # 参演单位 by name
    assert "居民楼火灾，3人被困" in text and "张主任 · 1号席" in text
    if language == "zh_CN":
        assert "命令行操作（未签到）" in text and "队伍" in text and "橙色预警" in text
        assert "超时 5:30：首次研判延误：被困人员位置不明" in text      # the problem, with the responders' note
        assert "完善初情研判流程" in text                                  # the matching recommendation
    else:
        assert "Command line (no duty sign-in)" in text and "Team" in text and "Orange warning" in text
        assert "5:30 late: 首次研判延误" in text and "Improve the initial-assessment procedure" in text
        # one language: every heading and label is English; Chinese only inside the drill's own names and notes
        headings = re.findall(r"<(?:h1|h2|th)[^>]*>(.*?)</(?:h1|h2|th)>", build_html(report(), {}), flags=re.S)
        data_names = ("居民楼火灾救援与暴雨红色预警联合演练", "居民楼火灾，3人被困")
        for h in headings:
            words = visible_text(h)
            for name in data_names:
                words = words.replace(name, "")
            assert not has_cjk(words), h


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils' pdftotext is not installed")
@pytest.mark.parametrize("language", ["zh_CN", "en"], indirect=True)
def test_the_rendered_pdf_reads_the_same(language, tmp_path: Path) -> None:
    from commandcenter.ui.report import write_report

    pdf, csv_path = write_report(report(), tmp_path / "report.pdf")
    assert csv_path.exists()
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    for section in (SECTIONS_ZH if language == "zh_CN" else SECTIONS_EN):
        assert section in text.replace(" ", "") or section in text, section
    for raw in ("root", "vm-7", "team", "orange", "district:0", DRILL):
        assert not re.search(rf"(?<![A-Za-z]){re.escape(raw)}(?![A-Za-z])", text), raw
