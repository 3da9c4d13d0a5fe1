"""The after-action report (演练评估报告) as HTML or PDF, made with Qt; the data comes from services.drill_report.

    data = assemble(store, drill_id)
    paths = write_report(data, Path("report.pdf"))     # report.pdf + report.csv (raw timeline) beside it

Every piece of text is html.escape'd before it goes into the HTML we build; charts are drawn with
QPainter and embedded (document resources for the PDF, data: URIs for the HTML file).
"""
from __future__ import annotations

import base64
import html
import re
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import (
    QBuffer, QByteArray, QCoreApplication, QIODevice, QMarginsF, QPointF, QRectF, QSizeF, Qt, QUrl,
)
from PySide6.QtGui import (
    QColor, QFont, QImage, QPageLayout, QPageSize, QPainter, QPdfWriter, QPen, QTextDocument,
)

from ..domain import ResourceKind
from ..services.drill_report import ReportData, fmt_secs, miss_parts, place_text, write_timeline_csv
from ..services.drills import IncidentScore, split_reason
from . import format as fmt
from . import labels, theme
from .noop import QT_TRANSLATE_NOOP

def tr(text: str) -> str:
    """A report string in the report's one language (the application's installed translation)."""
    return QCoreApplication.translate("DrillReport", text)


STAGES = (("response", QT_TRANSLATE_NOOP("DrillReport", "响应启动"), 60.0),
          ("arrival", QT_TRANSLATE_NOOP("DrillReport", "到达现场"), 600.0),
          ("assessment", QT_TRANSLATE_NOOP("DrillReport", "初情研判"), 1200.0))
KIND_NAMES = {"incident": QT_TRANSLATE_NOOP("DrillReport", "事件"), "resource": QT_TRANSLATE_NOOP("DrillReport", "资源"),
              "alert": QT_TRANSLATE_NOOP("DrillReport", "预警"), "action": QT_TRANSLATE_NOOP("DrillReport", "操作")}
WHAT_NAMES = {
    "reported": QT_TRANSLATE_NOOP("DrillReport", "上报"), "accepted": QT_TRANSLATE_NOOP("DrillReport", "受理/响应"),
    "dispatched": QT_TRANSLATE_NOOP("DrillReport", "派遣"), "handling": QT_TRANSLATE_NOOP("DrillReport", "处置"),
    "closed": QT_TRANSLATE_NOOP("DrillReport", "办结"), "followed_up": QT_TRANSLATE_NOOP("DrillReport", "回访"),
    "arrived": QT_TRANSLATE_NOOP("DrillReport", "到场"), "assessed": QT_TRANSLATE_NOOP("DrillReport", "初情研判完成"),
    "issued": QT_TRANSLATE_NOOP("DrillReport", "发布"), "cancelled": QT_TRANSLATE_NOOP("DrillReport", "解除"),
    "active": QT_TRANSLATE_NOOP("DrillReport", "更新"), "expired": QT_TRANSLATE_NOOP("DrillReport", "过期"),
    "on_scene": QT_TRANSLATE_NOOP("DrillReport", "到达现场"), "available": QT_TRANSLATE_NOOP("DrillReport", "归队"),
    "out_of_service": QT_TRANSLATE_NOOP("DrillReport", "停用"), "drill_start": QT_TRANSLATE_NOOP("DrillReport", "开始演练"),
    "drill_stop": QT_TRANSLATE_NOOP("DrillReport", "结束演练"), "acknowledge": QT_TRANSLATE_NOOP("DrillReport", "确认"),
    "shelve": QT_TRANSLATE_NOOP("DrillReport", "搁置"), "escalate": QT_TRANSLATE_NOOP("DrillReport", "升级"),
    "push_to_wall": QT_TRANSLATE_NOOP("DrillReport", "推送上墙"),
}
#: What a centre does about a stage that missed its time (the 整改建议 of an after-action report).
ADVICE = {
    "response": QT_TRANSLATE_NOOP("DrillReport", "严格落实24小时值班值守，接报后1分钟内启动响应；精简接警、受理环节，定期开展接处警演练。"),
    "arrival": QT_TRANSLATE_NOOP("DrillReport", "优化应急力量预置和派遣规则，就近调度；核查队伍、车辆备勤状态和出动路线，确保10分钟内到达现场。"),
    "assessment": QT_TRANSLATE_NOOP("DrillReport", "完善初情研判流程和信息报送机制，明确现场指挥员研判职责，20分钟内完成初情研判并上报指挥中心。"),
}
OK, BAD, NA = "#1b8a4b", "#c62828", "#777777"


def esc(x: object) -> str:
    return html.escape(fmt.feed_text("" if x is None else str(x)))     # feed text: marked, then escaped


def what_name(what: str) -> str:
    return tr(WHAT_NAMES[what]) if what in WHAT_NAMES else what


def stage_name(key: str) -> str:
    return tr(next(n for k, n, _ in STAGES if k == key))


def _verdict(v: bool | None, ended: bool = False) -> str:
    if v is None and ended:     # not reached, and the drill ended before its limit: neither met nor missed
        return f'<span style="color:{NA}">— {esc(tr("演练结束时未到时限"))}</span>'
    if v is None:
        return f'<span style="color:{NA}">— {esc(tr("待定"))}</span>'
    return f'<b style="color:{OK}">✓ {esc(tr("达标"))}</b>' if v else f'<b style="color:{BAD}">✗ {esc(tr("未达标"))}</b>'


def _dt(t: datetime | None) -> str:
    return fmt.date_time(t) if t else "—"


#: A login account (what a command line records when no --actor is given), not a person's name.
_ACCOUNT = re.compile(r"^[a-z_][a-z0-9_.-]*$")


def person(actor: str, seat: str, roster: frozenset[str] | None) -> str:
    """A person by name, with the seat they signed in at. An actor the duty roster does not name (or, without a
    roster, one that reads as a login account: `root`, `ubuntu`) came from a command line without a duty sign-in:
    said so, never shown as if the account were a person."""
    known = actor in roster if roster is not None else not _ACCOUNT.match(actor)
    if known or seat:
        return f"{actor} · {seat}" if seat else actor
    return tr("命令行操作（未签到）")


# ---------------------------------------------------------------------------------------------- charts
def chart_stages(scores: list[IncidentScore], width: int = 1400) -> QImage:
    """Per incident and stage: elapsed time as a bar, the 1-10-20 limit and the scenario target as ticks."""
    rows = [(s, st) for s in scores for st in s.stages] or []
    row_h, top, left, right = 44, 60, 420, 40
    height = top + max(1, len(rows)) * row_h + 60
    img = QImage(width, height, QImage.Format.Format_ARGB32)
    img.fill(QColor("white"))
    p = QPainter(img)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    f = QFont(theme.FONT_FAMILY, 16)
    p.setFont(f)
    p.setPen(QColor("#222222"))
    p.drawText(QPointF(20, 36), tr("各阶段用时（条）与时限：红线 = 1-10-20，紫线 = 演练目标"))
    vmax = max([st.elapsed_s or st.running_s for _, st in rows] + [st.rule_s for _, st in rows]
               + [st.target_s for _, st in rows] + [60.0])
    scale = (width - left - right) / (vmax * 1.05)
    names = {k: tr(n) for k, n, _ in STAGES}
    for i, (s, st) in enumerate(rows):
        y = top + i * row_h
        p.setPen(QColor("#222222"))
        label = f"{fmt.feed_text(s.title[:14])} · {names[st.stage]}"
        p.drawText(QRectF(10, y, left - 20, row_h), int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight), label)
        val = st.elapsed_s if st.elapsed_s is not None else st.running_s
        colour = QColor(OK) if st.met_target else QColor(BAD) if st.met_target is False else QColor("#9e9e9e")
        p.fillRect(QRectF(left, y + 8, val * scale, row_h - 16), colour)
        p.drawText(QRectF(left + val * scale + 6, y, 200, row_h), int(Qt.AlignmentFlag.AlignVCenter),
                   fmt_secs(st.elapsed_s) if st.elapsed_s is not None else tr("未达到"))
        for x, c in ((st.rule_s, QColor("#e53935")), (st.target_s, theme.DRILL)):
            p.setPen(QPen(c, 3))
            p.drawLine(QPointF(left + x * scale, y + 2), QPointF(left + x * scale, y + row_h - 2))
    p.setPen(QColor("#555555"))
    p.drawLine(QPointF(left, height - 40), QPointF(width - right, height - 40))
    step = 60.0 if vmax <= 900 else 300.0 if vmax <= 3600 else 900.0
    x = 0.0
    while x <= vmax * 1.05:
        px = left + x * scale
        p.drawLine(QPointF(px, height - 40), QPointF(px, height - 34))
        p.drawText(QPointF(px - 16, height - 14), fmt_secs(x))
        x += step
    p.end()
    return img


def chart_resources(data: ReportData, width: int = 1400) -> QImage:
    """Resources over the drill clock: dispatched (amber) then on scene (orange) until released or the end."""
    uses = data.resources
    t0 = data.started_at
    end_s = data.duration_s or 60.0
    row_h, top, left, right = 40, 60, 320, 40
    height = top + max(1, len(uses)) * row_h + 60
    img = QImage(width, height, QImage.Format.Format_ARGB32)
    img.fill(QColor("white"))
    p = QPainter(img)
    p.setFont(QFont(theme.FONT_FAMILY, 16))
    p.setPen(QColor("#222222"))
    p.drawText(QPointF(20, 36), tr("资源调度时间线（演练时钟）：黄 = 已派出，橙 = 在现场"))
    scale = (width - left - right) / max(end_s, 1.0)

    def off(t: datetime | None) -> float | None:
        return None if t is None or t0 is None else (t - t0).total_seconds()

    for i, u in enumerate(uses):
        y = top + i * row_h
        p.setPen(QColor("#222222"))
        p.drawText(QRectF(10, y, left - 20, row_h), int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight),
                   fmt.feed_text(u.name))
        d, s, r = off(u.dispatched_at), off(u.on_scene_at), off(u.released_at)
        stop = r if r is not None else end_s
        if d is not None:
            p.fillRect(QRectF(left + d * scale, y + 8, ((s if s is not None else stop) - d) * scale, row_h - 16), QColor("#ffb020"))
        if s is not None:
            p.fillRect(QRectF(left + s * scale, y + 8, (stop - s) * scale, row_h - 16), QColor("#ff8a1f"))
    p.setPen(QColor("#555555"))
    p.drawLine(QPointF(left, height - 40), QPointF(width - right, height - 40))
    step = 60.0 if end_s <= 900 else 300.0 if end_s <= 3600 else 900.0
    x = 0.0
    while x <= end_s:
        px = left + x * scale
        p.drawLine(QPointF(px, height - 40), QPointF(px, height - 34))
        p.drawText(QPointF(px - 16, height - 14), fmt_secs(x))
        x += step
    p.end()
    return img


def _png_b64(img: QImage) -> str:
    ba = QByteArray()
    buf = QBuffer(ba)
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    img.save(buf, "PNG")  # type: ignore[call-overload]  # the stub says bytes; PySide6 accepts only str here
    buf.close()
    return base64.b64encode(bytes(ba.data())).decode("ascii")


# ---------------------------------------------------------------------------------------------- HTML
_TABLE = '<table border="1" cellspacing="0" cellpadding="4" width="100%">'


def _head(*cells: str) -> str:
    return "<tr>" + "".join(f"<th>{esc(c)}</th>" for c in cells) + "</tr>"


def _row(*cells: str) -> str:
    """Cells already escaped (or our own markup)."""
    return "<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>"


def _reason(data: ReportData, incident_id: str, key: str) -> str:
    """Why a stage missed, in the report's language (the responders' own note as they wrote it)."""
    inc = next((i for i in data.incidents if i.id == incident_id), None)
    score = next((s for s in data.scores if s.incident_id == incident_id), None)
    if inc is None or score is None:
        return ""
    st = score.stage(key)
    parts = miss_parts(inc, st)
    if parts is None:
        return ""
    kind, over, note = parts
    if kind == "unfinished":
        return tr("至演练结束未完成，已用 {used}，超出 {over}").format(used=fmt_secs(st.running_s), over=fmt_secs(over))
    late = tr("超时 {over}").format(over=fmt_secs(over))
    return tr("{what}：{note}").format(what=late, note=note) if note else late


def _problems(data: ReportData) -> list[tuple[str, str]]:
    """(stage key, the problem in a sentence) for every stage that missed its target or 1-10-20."""
    out = []
    for s in data.scores:
        for key, _name, _rule in STAGES:
            st = s.stage(key)
            if st.met_target is False or st.met_rule is False:
                used = fmt_secs(st.elapsed_s) if st.elapsed_s is not None else tr("未完成")
                limit = st.target_s if st.met_target is False else st.rule_s
                out.append((key, tr("{title}：{stage}用时 {used}，超出时限 {limit}。{why}").format(
                    title=s.title, stage=stage_name(key), used=used, limit=fmt_secs(limit),
                    why=_reason(data, s.incident_id, key))))
    return out


def _units(data: ReportData, roster: frozenset[str] | None) -> list[tuple[str, list[str]]]:
    """参演单位: the centre's people on duty, the forces dispatched (by kind), the departments called in, and the
    responders named on the incidents' timelines."""
    people = sorted({person(a.actor, a.seat, roster) for a in data.actions})
    forces: dict[str, list[str]] = {}
    for u in data.resources:
        kind = labels.name(ResourceKind(u.kind)) if u.kind in {k.value for k in ResourceKind} else tr("其他力量")
        forces.setdefault(kind, [])
        if u.name not in forces[kind]:
            forces[kind].append(u.name)
    departments = sorted({d for i in data.incidents for d in i.departments} |
                         {c.department for i in data.incidents for c in i.timeline if c.department})
    handlers = sorted({c.handler for i in data.incidents for c in i.timeline if c.handler})
    rows = [(tr("指挥中心值班人员"), people)]
    rows += [(tr("应急力量（{kind}）").format(kind=k), v) for k, v in forces.items()]
    rows += [(tr("联动部门"), departments), (tr("现场处置人员"), handlers)]
    return [(k, v) for k, v in rows if v]


def build_html(data: ReportData, images: dict[str, str], roster: frozenset[str] | None = None) -> str:
    """The after-action report, a document to hand up: overview, participating units, timings against targets,
    resources, warnings, evaluation, problems, recommendations, the signature block, then the operator actions
    and the full timeline. One language (the installed translation); names, never ids or codes.
    `images`: chart name → src (a document resource name for the PDF, a data: URI for the HTML file);
    `roster`: the duty roster's names, when known (others are command-line accounts)."""
    sc = data.scenario
    ended = data.stopped_at is not None
    titles = {i.id: i.title for i in data.incidents}
    alerts = {a.id: a for a in data.alerts}
    resources = {u.resource_id: u.name for u in data.resources}
    title = tr("演练评估报告")
    h: list[str] = []
    a = h.append
    a(f'<html><head><meta charset="utf-8"><title>{esc(title)}</title>'
      f'<style>body{{font-family:"{esc(theme.FONT_FAMILY)}",sans-serif;font-size:10pt;color:#222}}'
      'h1{font-size:18pt;color:#5b2a99;text-align:center}h2{font-size:13pt;color:#5b2a99;margin-top:14pt}'
      'td,th{padding:3px 6px} th{background:#ece3f7;text-align:left} p.c{text-align:center}</style></head><body>')
    a(f"<h1>{esc(tr('【演练】{name}').format(name=sc.name))}<br/>{esc(title)}</h1>")
    day = fmt.date_time(data.started_at)[:10] if data.started_at else "—"
    a(f"<p class='c'>{esc(tr('{what}：{note}').format(what=tr('演练日期'), note=day))}"
      f" · {esc(tr('生成于'))} {esc(_dt(data.generated_at))}</p>")

    # 一、演练概况
    n_em = len(data.scores)
    stages = [st for s in data.scores for st in s.stages]
    met_t = sum(1 for st in stages if st.met_target)
    met_r = sum(1 for st in stages if st.met_rule)
    if data.passed is None and ended and data.scores:
        verdict = f'<span style="color:{NA}">— {esc(tr("演练在部分阶段时限前结束"))}</span>'
    else:
        verdict = _verdict(data.passed, ended)
    stop_by = person(data.stopped_by, data.stopped_seat, roster) if data.stopped_by else ""
    if data.stop_kind == "scenario_end":
        stop_by = tr("脚本结束后自动结束")
    a(f"<h2>{esc(tr('一、演练概况'))}</h2>{_TABLE}")
    for k, v in ((tr("演练名称"), esc(sc.name)), (tr("演练内容"), esc(sc.description or "—")),
                 (tr("开始时间"), esc(f"{_dt(data.started_at)} · {person(data.started_by, data.started_seat, roster)}")),
                 (tr("结束时间"), esc(f"{_dt(data.stopped_at)}" + (f" · {stop_by}" if stop_by else ""))),
                 (tr("演练时长"), esc(fmt_secs(data.duration_s))),
                 (tr("开始原因"), esc(data.start_reason or "—")), (tr("结束原因"), esc(data.stop_reason or "—")),
                 (tr("演练规模"), esc(tr("突发事件 {n} 起，预警 {w} 条，调度力量 {r} 支（辆）").format(
                     n=n_em, w=len(data.alerts), r=len(data.resources)))),
                 (tr("演练目标"), esc(tr("响应 ≤ {r}，到场 ≤ {a}，初情研判 ≤ {s}（1-10-20：1:00、10:00、20:00）").format(
                     r=fmt_secs(sc.targets.response_s), a=fmt_secs(sc.targets.arrival_s),
                     s=fmt_secs(sc.targets.assessment_s)))),
                 (tr("总体评价"), verdict)):
        a(f"<tr><th width='22%'>{esc(k)}</th><td>{v}</td></tr>")
    a("</table>")

    # 二、参演单位
    a(f"<h2>{esc(tr('二、参演单位'))}</h2>{_TABLE}")
    units = _units(data, roster)
    for k, names in units:
        a(f"<tr><th width='22%'>{esc(k)}</th><td>{esc(tr('、').join(names))}</td></tr>")
    if not units:
        a(f"<tr><td>{esc(tr('无'))}</td></tr>")
    a("</table>")

    # 三、各阶段用时与目标
    a(f"<h2>{esc(tr('三、各阶段用时与目标'))}</h2>{_TABLE}")
    a(_head(tr("事件"), tr("阶段"), tr("用时"), tr("演练目标"), tr("是否达标（目标）"), "1-10-20",
            tr("是否达标（1-10-20）"), tr("原因")))
    for s in data.scores:
        for i, (key, _name, rule) in enumerate(STAGES):
            st = s.stage(key)
            first = (f"<td rowspan='3'>{esc(tr('【演练】{name}').format(name=s.title))}<br/>{esc(tr('上报'))} "
                     f"{esc(fmt.hhmmss(s.reported_at))}</td>") if i == 0 else ""
            a(f"<tr>{first}<td>{esc(stage_name(key))}</td><td>{esc(fmt_secs(st.elapsed_s))}</td>"
              f"<td>≤ {esc(fmt_secs(st.target_s))}</td><td>{_verdict(st.met_target, ended)}</td>"
              f"<td>≤ {esc(fmt_secs(rule))}</td><td>{_verdict(st.met_rule, ended)}</td>"
              f"<td>{esc(_reason(data, s.incident_id, key))}</td></tr>")
    if not data.scores:
        a(f"<tr><td colspan='8'>{esc(tr('本次演练没有突发事件'))}</td></tr>")
    a("</table>")
    if "stages" in images and data.scores:
        a(f'<p><img src="{images["stages"]}" width="640"/></p>')

    # 四、资源调度
    a(f"<h2>{esc(tr('四、资源调度'))}</h2>{_TABLE}")
    a(_head(tr("资源"), tr("类型"), tr("事件"), tr("派出"), tr("派出用时（自上报）"), tr("到达现场"), tr("归队")))
    by_inc = {i.id: i for i in data.incidents}
    for u in data.resources:
        inc = by_inc.get(u.incident_id or "")
        after = fmt_secs((u.dispatched_at - inc.reported_at).total_seconds()) if inc and u.dispatched_at else "—"
        kind = labels.name(ResourceKind(u.kind)) if u.kind in {k.value for k in ResourceKind} else "—"
        a(_row(esc(u.name), esc(kind), esc(inc.title if inc else "—"), esc(fmt.hhmmss(u.dispatched_at) or "—"),
               esc(after), esc(fmt.hhmmss(u.on_scene_at) or "—"), esc(fmt.hhmmss(u.released_at) or "—")))
    if not data.resources:
        a(f"<tr><td colspan='7'>{esc(tr('无'))}</td></tr>")
    a("</table>")
    if "resources" in images and data.resources:
        a(f'<p><img src="{images["resources"]}" width="640"/></p>')

    # 五、预警发布
    a(f"<h2>{esc(tr('五、预警发布'))}</h2>{_TABLE}")
    a(_head(tr("预警"), tr("级别"), tr("区域"), tr("发布"), tr("状态")))
    for al in data.alerts:
        a(_row(esc(tr("【演练】{name}").format(name=al.title)), esc(labels.signal_level(al)),
               esc(place_text(al.area_desc) or "—"), esc(fmt.hhmmss(al.issued_at)), esc(what_name(al.status.value))))
    if not data.alerts:
        a(f"<tr><td colspan='5'>{esc(tr('无'))}</td></tr>")
    a("</table>")

    # 六、评估结论 · 七、存在问题 · 八、整改建议
    problems = _problems(data)
    a(f"<h2>{esc(tr('六、评估结论'))}</h2>")
    if data.scores:
        a(f"<p>{esc(tr('本次演练处置突发事件 {n} 起，共 {k} 个响应阶段：{t} 个达到演练目标，{r} 个符合1-10-20要求。').format(n=n_em, k=len(stages), t=met_t, r=met_r))}"
          f" {esc(tr('{what}：{note}').format(what=tr('总体评价'), note=''))}{verdict}</p>")
    else:
        a(f"<p>{esc(tr('本次演练没有突发事件，未对1-10-20进行评估。'))}</p>")
    a(f"<h2>{esc(tr('七、存在问题'))}</h2>")
    if problems:
        a("<ol>" + "".join(f"<li>{esc(text)}</li>" for _k, text in problems) + "</ol>")
    else:
        a(f"<p>{esc(tr('各阶段均在时限内完成，未发现超时问题。'))}</p>")
    a(f"<h2>{esc(tr('八、整改建议'))}</h2><ol>")
    for key in dict.fromkeys(k for k, _t in problems):
        a(f"<li>{esc(tr(ADVICE[key]))}</li>")
    if problems:
        a(f"<li>{esc(tr('对上述问题明确责任单位和整改时限，整改完成后组织复演验证。'))}</li>")
    else:
        a(f"<li>{esc(tr('保持现有响应水平，结合季节性风险适时组织更复杂场景的演练。'))}</li>")
    a("</ol>")

    # 审批 / 签字
    a(f"<h2 style='page-break-before: always'>{esc(tr('审批意见与签字'))}</h2>{_TABLE}")
    blank = "&nbsp;" * 40
    for k, tall in ((tr("评估人（签字）"), False), (tr("审核人（签字）"), False), (tr("审批意见"), True),
                    (tr("审批人（签字）"), False), (tr("演练组织单位（盖章）"), True)):
        space = "<br/>" * (5 if tall else 2)
        a(f"<tr><th width='22%'>{esc(k)}</th><td>{blank}{space}</td><th width='10%'>{esc(tr('日期'))}</th>"
          f"<td width='20%'>{esc(tr('年　月　日'))}</td></tr>")
    a("</table>")

    # 附件：操作记录与时间线
    a(f"<h2>{esc(tr('附件一、操作记录'))}</h2>{_TABLE}")
    a(_head(tr("时间"), tr("操作"), tr("对象"), tr("人员"), tr("原因")))

    def target_name(kind: str, target: str) -> str:
        if kind == "drill":
            return sc.name
        if kind == "incident":
            return titles.get(target, "—")
        if kind == "alert":
            return alerts[target].title if target in alerts else "—"
        if kind == "resource":
            return resources.get(target, "—")
        return "—"

    for act in data.actions:
        why = split_reason(act.reason)[0] if act.kind.value == "drill_start" else act.reason
        if act.recipient:
            why = f"→ {act.recipient}" + (f"：{why}" if why else "")
        a(_row(esc(fmt.hhmmss(act.at)), esc(what_name(act.kind.value)), esc(target_name(act.target_kind, act.target_id)),
               esc(person(act.actor, act.seat, roster)), esc(why or "—")))
    if not data.actions:
        a(f"<tr><td colspan='5'>{esc(tr('无'))}</td></tr>")
    a("</table>")

    a(f"<h2>{esc(tr('附件二、完整时间线'))}</h2>{_TABLE}")
    a(_head(tr("演练时钟"), tr("时间"), tr("类别"), tr("对象"), tr("动作"), tr("说明")))
    for r in data.timeline:
        detail = r.detail
        if r.kind == "alert" and r.record_id in alerts:
            detail = " · ".join(x for x in (labels.warning_level(alerts[r.record_id].level), r.detail) if x)
        obj = r.title
        if r.kind == "action":
            found = next((x for x in data.actions if x.target_id == r.record_id and x.at == r.at), None)
            obj = person(found.actor, found.seat, roster) if found is not None else person(r.title, "", roster)
        a(_row(esc(fmt_secs(r.offset_s)), esc(fmt.hhmmss(r.at)), esc(tr(KIND_NAMES[r.kind]) if r.kind in KIND_NAMES else "—"),
               esc(obj), esc(what_name(r.what)), esc(detail)))
    a("</table>")
    a(f"<p style='color:#777'>{esc(tr('演练数据不计入真实统计；原始时间线见同名 CSV 文件。'))}</p></body></html>")
    return "".join(h)


def write_report(data: ReportData, out: str | Path, roster: frozenset[str] | None = None) -> list[Path]:
    """Write report.pdf or report.html, and report.csv (the raw timeline) beside it, in the installed language.
    `roster`: the duty roster's names (build_html). Needs a QGuiApplication."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    charts = {"stages": chart_stages(data.scores), "resources": chart_resources(data)}
    csv_path = write_timeline_csv(data, out.with_suffix(".csv"))
    if out.suffix.lower() in (".html", ".htm"):
        html_text = build_html(data, {k: f"data:image/png;base64,{_png_b64(v)}" for k, v in charts.items()}, roster)
        out.write_text(html_text, encoding="utf-8")
        return [out, csv_path]
    print_pdf(build_html(data, {k: f"chart://{k}" for k in charts}, roster), out, f"{tr('演练评估报告')} · {data.scenario.name}",
              {f"chart://{k}": img for k, img in charts.items()})
    return [out, csv_path]


def print_pdf(html_text: str, out: Path, title: str, images: dict[str, QImage] | None = None) -> None:
    """An A4 PDF of the report's HTML (our own markup: feed text in it is escaped), images by URL."""
    doc = QTextDocument()
    doc.setDefaultFont(QFont(theme.FONT_FAMILY, 10))
    for url, img in (images or {}).items():
        doc.addResource(QTextDocument.ResourceType.ImageResource, QUrl(url), img)
    doc.setHtml(html_text)
    writer = QPdfWriter(str(out))
    writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    writer.setPageMargins(QMarginsF(15, 15, 15, 15), QPageLayout.Unit.Millimeter)
    writer.setResolution(150)
    writer.setTitle(title)
    writer.setCreator("commandcenter")
    doc.setPageSize(QSizeF(writer.width(), writer.height()))
    doc.print_(writer)


def ensure_gui_app() -> object:
    """A QApplication for report rendering (offscreen when there is no display) with the CJK font registered."""
    import os
    import sys

    from PySide6.QtWidgets import QApplication

    from .resources import register_fonts

    app = QApplication.instance()
    if app is None:
        if sys.platform == "linux" and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
            os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        app = QApplication(sys.argv[:1])
    if isinstance(app, QApplication):     # a bare QCoreApplication has no fonts to register
        register_fonts(app)
    return app
