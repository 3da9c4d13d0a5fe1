"""The after-action report (演练评估报告) as HTML or PDF, made with Qt; the data comes from services.drill_report.

    data = assemble(store, drill_id)
    paths = write_report(data, Path("report.pdf"))     # report.pdf + report.csv (raw timeline) beside it

Every piece of text is html.escape'd before it goes into the HTML we build; charts are drawn with
QPainter and embedded (document resources for the PDF, data: URIs for the HTML file).
"""
from __future__ import annotations

import base64
import html
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMarginsF, QPointF, QRectF, QSizeF, Qt, QUrl
from PySide6.QtGui import (
    QColor, QFont, QImage, QPageLayout, QPageSize, QPainter, QPdfWriter, QPen, QTextDocument,
)

from ..services.drill_report import ReportData, fmt_secs, who, write_timeline_csv
from ..services.drills import IncidentScore
from . import format as fmt
from . import theme

STAGES = (("response", "响应启动", "1 分钟"), ("arrival", "到达现场", "10 分钟"), ("assessment", "初情研判", "20 分钟"))
KIND_NAMES = {"incident": "事件", "resource": "资源", "alert": "预警", "action": "操作"}
WHAT_NAMES = {
    "reported": "上报", "accepted": "受理/响应", "dispatched": "派遣", "handling": "处置", "closed": "办结",
    "followed_up": "回访", "arrived": "到场", "assessed": "初情研判完成", "issued": "发布", "cancelled": "解除",
    "active": "更新", "expired": "过期", "on_scene": "到达现场", "available": "归队", "out_of_service": "停用",
    "drill_start": "开始演练", "drill_stop": "结束演练", "acknowledge": "确认", "shelve": "搁置",
    "escalate": "升级", "push_to_wall": "推送上墙",
}
OK, BAD, NA = "#1b8a4b", "#c62828", "#777777"


def esc(x: object) -> str:
    return html.escape(fmt.feed_text("" if x is None else str(x)))     # feed text: marked, then escaped


def _verdict(v: bool | None, ended: bool = False) -> str:
    if v is None and ended:     # not reached, and the drill ended before its limit: neither met nor missed
        return f'<span style="color:{NA}">— 演练结束时未到时限 / ended before the limit</span>'
    if v is None:
        return f'<span style="color:{NA}">— 待定 / Pending</span>'
    return f'<b style="color:{OK}">✓ 达标</b>' if v else f'<b style="color:{BAD}">✗ 未达标</b>'


def _dt(t: datetime | None) -> str:
    return fmt.date_time(t) if t else "—"


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
    p.drawText(QPointF(20, 36), "各阶段用时（条）与时限：红线 = 1-10-20，紫线 = 演练目标")
    vmax = max([st.elapsed_s or st.running_s for _, st in rows] + [st.rule_s for _, st in rows]
               + [st.target_s for _, st in rows] + [60.0])
    scale = (width - left - right) / (vmax * 1.05)
    names = {k: n for k, n, _ in STAGES}
    for i, (s, st) in enumerate(rows):
        y = top + i * row_h
        p.setPen(QColor("#222222"))
        label = f"{fmt.feed_text(s.title[:14])} · {names[st.stage]}"
        p.drawText(QRectF(10, y, left - 20, row_h), int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight), label)
        val = st.elapsed_s if st.elapsed_s is not None else st.running_s
        colour = QColor(OK) if st.met_target else QColor(BAD) if st.met_target is False else QColor("#9e9e9e")
        p.fillRect(QRectF(left, y + 8, val * scale, row_h - 16), colour)
        p.drawText(QRectF(left + val * scale + 6, y, 200, row_h), int(Qt.AlignmentFlag.AlignVCenter),
                   fmt_secs(st.elapsed_s) if st.elapsed_s is not None else "未达到")
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
    p.drawText(QPointF(20, 36), "资源调度时间线（演练时钟）：黄 = 已派出，橙 = 在现场")
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
def build_html(data: ReportData, images: dict[str, str]) -> str:
    """`images`: chart name → src (a document resource name for the PDF, a data: URI for the HTML file)."""
    sc = data.scenario
    ended = data.stopped_at is not None
    verdict = (f'<span style="color:{NA}">— 演练在部分阶段时限前结束 / ended before every stage was due</span>'
               if data.passed is None and ended and data.scores else _verdict(data.passed, ended))
    h: list[str] = []
    a = h.append
    a('<html><head><meta charset="utf-8"><title>演练评估报告</title>'
      f'<style>body{{font-family:"{esc(theme.FONT_FAMILY)}",sans-serif;font-size:10pt;color:#222}}'
      'h1{font-size:18pt;color:#5b2a99}h2{font-size:13pt;color:#5b2a99;margin-top:14pt}'
      'td,th{padding:3px 6px} th{background:#ece3f7;text-align:left}</style></head><body>')
    a('<h1>【演练 / DRILL】演练评估报告 · After-action report</h1>')
    a('<table border="1" cellspacing="0" cellpadding="4" width="100%">')
    for k, v in (("演练编号 Drill ID", data.drill_id), ("演练脚本 Scenario", sc.name), ("说明", sc.description),
                 ("脚本文件", sc.path), ("开始 Started", f"{_dt(data.started_at)} · {who(data.started_by, data.started_seat)}"),
                 ("结束 Stopped", f"{_dt(data.stopped_at)} · {who(data.stopped_by, data.stopped_seat)}"
                                  + (" · 脚本结束后自动结束 (ended by itself)" if data.stop_kind == "scenario_end" else "")),
                 ("演练时长 Duration", fmt_secs(data.duration_s)), ("开始原因", data.start_reason),
                 ("结束原因", data.stop_reason),
                 ("目标 Targets", f"响应 ≤{fmt_secs(sc.targets.response_s)} · 到场 ≤{fmt_secs(sc.targets.arrival_s)} · "
                                 f"初判 ≤{fmt_secs(sc.targets.assessment_s)}（1-10-20：1:00 · 10:00 · 20:00）")):
        a(f"<tr><th width='22%'>{esc(k)}</th><td>{esc(v)}</td></tr>")
    a(f"<tr><th>总体评价 Result</th><td>{verdict}</td></tr></table>")

    a("<h2>一、各事件用时与达标情况 · Timings against targets</h2>")
    a('<table border="1" cellspacing="0" cellpadding="4" width="100%"><tr><th>事件</th><th>阶段</th><th>用时</th>'
      "<th>演练目标</th><th>是否达标（目标）</th><th>1-10-20</th><th>是否达标（1-10-20）</th><th>原因 Reason</th></tr>")
    for s in data.scores:
        for i, (key, name, rule) in enumerate(STAGES):
            st = s.stage(key)
            first = f"<td rowspan='3'>【演练】{esc(s.title)}<br/>{esc(s.incident_id)}<br/>上报 {esc(_dt(s.reported_at))}</td>" if i == 0 else ""
            a(f"<tr>{first}<td>{esc(name)}</td><td>{esc(fmt_secs(st.elapsed_s))}</td><td>≤ {esc(fmt_secs(st.target_s))}</td>"
              f"<td>{_verdict(st.met_target, ended)}</td><td>≤ {esc(rule)}</td><td>{_verdict(st.met_rule, ended)}</td>"
              f"<td>{esc(data.reasons.get((s.incident_id, key), ''))}</td></tr>")
    if not data.scores:
        a("<tr><td colspan='8'>本次演练没有应急事件 · no emergencies in this drill</td></tr>")
    a("</table>")
    if "stages" in images:
        a(f'<p><img src="{images["stages"]}" width="640"/></p>')

    a("<h2>二、资源调度 · Resources used</h2>")
    a('<table border="1" cellspacing="0" cellpadding="4" width="100%"><tr><th>资源</th><th>类型</th><th>事件</th>'
      "<th>派出</th><th>派出用时（自上报）</th><th>到达现场</th><th>归队</th></tr>")
    by_inc = {i.id: i for i in data.incidents}
    for u in data.resources:
        inc = by_inc.get(u.incident_id or "")
        after = fmt_secs((u.dispatched_at - inc.reported_at).total_seconds()) if inc and u.dispatched_at else "—"
        a(f"<tr><td>{esc(u.name)}</td><td>{esc(u.kind)}</td><td>{esc(inc.title if inc else u.incident_id)}</td>"
          f"<td>{esc(fmt.hhmmss(u.dispatched_at) or '—')}</td><td>{esc(after)}</td>"
          f"<td>{esc(fmt.hhmmss(u.on_scene_at) or '—')}</td><td>{esc(fmt.hhmmss(u.released_at) or '—')}</td></tr>")
    if not data.resources:
        a("<tr><td colspan='7'>无 · none</td></tr>")
    a("</table>")
    if "resources" in images and data.resources:
        a(f'<p><img src="{images["resources"]}" width="640"/></p>')

    a("<h2>三、预警 · Warnings</h2>")
    a('<table border="1" cellspacing="0" cellpadding="4" width="100%"><tr><th>预警</th><th>级别</th><th>区域</th>'
      "<th>发布</th><th>状态</th></tr>")
    for al in data.alerts:
        a(f"<tr><td>【演练】{esc(al.title)}</td><td>{esc(al.level.colour_name)}</td><td>{esc(al.area_desc)}</td>"
          f"<td>{esc(fmt.hhmmss(al.issued_at))}</td><td>{esc(WHAT_NAMES.get(al.status.value, al.status.value))}</td></tr>")
    if not data.alerts:
        a("<tr><td colspan='5'>无 · none</td></tr>")
    a("</table>")

    a("<h2>四、操作记录 · Operator actions</h2>")
    a('<table border="1" cellspacing="0" cellpadding="4" width="100%"><tr><th>时间</th><th>操作</th><th>对象</th>'
      "<th>人员</th><th>席位</th><th>原因</th></tr>")
    from ..services.drills import split_reason

    for act in data.actions:
        why = split_reason(act.reason)[0] if act.kind.value == "drill_start" else act.reason
        if act.recipient:
            why = f"→ {act.recipient}" + (f"：{why}" if why else "")
        a(f"<tr><td>{esc(fmt.hhmmss(act.at))}</td><td>{esc(WHAT_NAMES.get(act.kind.value, act.kind.value))}</td>"
          f"<td>{esc(act.target_kind)} {esc(act.target_id)}</td><td>{esc(act.actor)}</td>"
          f"<td>{esc(act.seat or act.console)}</td><td>{esc(why)}</td></tr>")
    a("</table>")

    a("<h2>五、完整时间线 · Timeline of every event and action</h2>")
    a('<table border="1" cellspacing="0" cellpadding="3" width="100%"><tr><th>演练时钟</th><th>时间</th><th>类别</th>'
      "<th>对象</th><th>动作</th><th>说明</th></tr>")
    for r in data.timeline:
        a(f"<tr><td>{esc(fmt_secs(r.offset_s))}</td><td>{esc(fmt.hhmmss(r.at))}</td>"
          f"<td>{esc(KIND_NAMES.get(r.kind, r.kind))}</td><td>{esc(r.title)}</td>"
          f"<td>{esc(WHAT_NAMES.get(r.what, r.what))}</td><td>{esc(r.detail)}</td></tr>")
    a("</table>")
    a(f"<p style='color:#777'>生成于 {esc(_dt(data.generated_at))} · 演练数据不计入真实统计 · "
      "drill records are excluded from every real KPI · 原始时间线见同名 CSV</p></body></html>")
    return "".join(h)


def write_report(data: ReportData, out: str | Path) -> list[Path]:
    """Write report.pdf or report.html, and report.csv (the raw timeline) beside it. Needs a QGuiApplication."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    charts = {"stages": chart_stages(data.scores), "resources": chart_resources(data)}
    csv_path = write_timeline_csv(data, out.with_suffix(".csv"))
    if out.suffix.lower() in (".html", ".htm"):
        html_text = build_html(data, {k: f"data:image/png;base64,{_png_b64(v)}" for k, v in charts.items()})
        out.write_text(html_text, encoding="utf-8")
        return [out, csv_path]
    print_pdf(build_html(data, {k: f"chart://{k}" for k in charts}), out, f"演练评估报告 {data.drill_id}",
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
