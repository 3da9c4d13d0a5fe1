"""The 运行日报 (daily operations report) a duty officer hands over at shift change, as HTML or PDF: the day's
figures against their targets, 今年以来 totals, overdue work, warnings and signals, emergencies with their 1-10-20
timings. One language per report (the installed translation, context "DailyReport"; zh_CN is the source).

The figures come from the KPI cards' own code (ui.models.kpis.collect and card_figures), the lists from
services.daily_report; the PDF is made as the drill report's is (QTextDocument printed by a QPdfWriter).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, UTC
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication

from ..domain import kpis as DK
from ..services.daily_report import DailyLists, gather
from . import format as fmt
from . import labels, theme
from .models.kpis import ALL_CARDS, WINDOWS, CardFigure, card_figures, collect, target_text, window_label
from .report import esc, print_pdf

OK, BAD, NA = "#1b8a4b", "#c62828", "#777777"
#: The day's figures, in the report's order: every indicator the centres report.
DAY_CARDS = tuple(d.key for d in DK.DEFS)
#: The year-to-date totals and rates.
YEAR_CARDS = ("events", "completion_rate", "on_time_rate", "closed_loop_rate", "on_the_spot_rate",
              "satisfaction_rate", "one_ten_twenty_compliance", "emergencies", "first_petitions", "whistle",
              "hotline_12345", "diverted_110")


def tr(text: str) -> str:
    return QCoreApplication.translate("DailyReport", text)


@dataclass
class DailyReport:
    node_id: str
    node_name: str
    day: date
    generated_at: datetime
    lists: DailyLists
    day_figures: list[CardFigure]
    year_figures: list[CardFigure]


def assemble(store: Any, day: date, node_id: str = "", *, now: datetime | None = None,
             tz: str = DK.DEFAULT_TZ) -> DailyReport:
    """Read everything the report shows for one local day (call on a thread that may use the store)."""
    now = now or datetime.now(UTC)
    lists = gather(store, day, node_id, now=now, tz=tz)
    day_snap = collect(store, node_id, lists.at, completion_series=False, period="today", start=lists.day_start)
    year_start = DK.period_start(lists.day_start, "year", tz)
    year_snap = collect(store, node_id, lists.at, completion_series=False, period="year", start=year_start)
    names = lists.grid_names
    return DailyReport(node_id, names.get(node_id, "") if node_id else "", day, now, lists,
                       card_figures(day_snap, DAY_CARDS), card_figures(year_snap, YEAR_CARDS))


def _mark(ok: bool | None) -> str:
    if ok is None:
        return f'<span style="color:{NA}">—</span>'
    return f'<b style="color:{OK}">✓ {esc(tr("达标"))}</b>' if ok else f'<b style="color:{BAD}">✗ {esc(tr("未达标"))}</b>'


def _window(f: CardFigure) -> str:
    """The rolling window a figure widened to when the day held too small a sample, e.g. "（近30天）"."""
    return f" ({esc(window_label(f.period))})" if f.period in WINDOWS else ""


def _secs(s: float | None) -> str:
    if s is None:
        return "—"
    m, sec = divmod(int(round(s)), 60)
    return f"{m}:{sec:02d}"


def _span(d: timedelta) -> str:
    hours = d.total_seconds() / 3600
    if hours >= 48:
        return f"{fmt.number(hours / 24, 1)} {tr('天')}"
    return f"{fmt.number(hours, 1)} {tr('小时')}"


def _table(head: list[str]) -> str:
    cells = "".join(f"<th>{esc(h)}</th>" for h in head)
    return f'<table border="1" cellspacing="0" cellpadding="4" width="100%"><tr>{cells}</tr>'


def build_html(r: DailyReport) -> str:
    L = r.lists
    h: list[str] = []
    a = h.append
    where = r.node_name or tr("全域")
    title = tr("运行日报")
    a(f'<html><head><meta charset="utf-8"><title>{esc(title)}</title>'
      f'<style>body{{font-family:"{esc(theme.FONT_FAMILY)}",sans-serif;font-size:10pt;color:#222}}'
      'h1{font-size:18pt;color:#0d47a1}h2{font-size:13pt;color:#0d47a1;margin-top:14pt}'
      'td,th{padding:3px 6px} th{background:#e3ecf7;text-align:left}</style></head><body>')
    a(f"<h1>{esc(title)} · {esc(where)} · {esc(r.day.isoformat())}</h1>")
    a(f"<p>{esc(tr('统计截至'))} {esc(fmt.date_time(L.at))} · {esc(tr('生成于'))} {esc(fmt.date_time(r.generated_at))}"
      f" · {esc(tr('演练数据不计入统计'))}</p>")

    a(f"<h2>{esc(tr('一、当日指标与目标'))}</h2>")
    a(_table([tr("指标"), tr("当日"), tr("目标"), tr("是否达标"), tr("较前一日同期"), tr("样本")]))
    for f in r.day_figures:
        a(f"<tr><td>{esc(f.label)}</td><td><b>{esc(f.text)}</b>{_window(f)}</td>"
          f"<td>{esc(target_text(ALL_CARDS[f.key]) or '—')}</td><td>{_mark(f.meets_target)}</td>"
          f"<td>{esc(f.change_previous if not ALL_CARDS[f.key].now else '—')}</td>"
          f"<td>{esc(fmt.number(f.sample))}</td></tr>")
    a("</table>")
    a(f"<p style='color:{NA}'>{esc(tr('办结率、按期办结率、处置率按当日到期的工作计；闭环管理率按当日到期的回访计；数据不足表示样本过少。'))}</p>")

    a(f"<h2>{esc(tr('二、今年以来'))}</h2>")
    a(_table([tr("指标"), tr("今年以来"), tr("较去年同期"), tr("目标")]))
    for f in r.year_figures:
        a(f"<tr><td>{esc(f.label)}</td><td><b>{esc(f.text)}</b>{_window(f)}</td><td>{esc(f.change_previous)}</td>"
          f"<td>{esc(target_text(ALL_CARDS[f.key]) or '—')}</td></tr>")
    a("</table>")

    a(f"<h2>{esc(tr('三、超期工作（督办）'))}</h2>")
    a(f"<p>{esc(tr('超期未办结'))}: <b>{esc(fmt.number(L.overdue_total))}</b> {esc(tr('件'))}"
      + (f" · {esc(tr('列出超期最久的'))} {len(L.overdue)}" if L.overdue_total > len(L.overdue) else "") + "</p>")
    a(_table([tr("事件"), tr("类别"), tr("网格"), tr("状态"), tr("上报时间"), tr("办结时限"), tr("已超期")]))
    for o in L.overdue:
        i = o.incident
        a(f"<tr><td>{esc(i.title)}</td><td>{esc(labels.name(i.category))}</td>"
          f"<td>{esc(L.grid_names.get(i.grid_id, tr('未知网格')))}</td><td>{esc(labels.name(i.status))}</td>"
          f"<td>{esc(fmt.date_time(i.reported_at))}</td><td>{esc(fmt.date_time(o.due_at))}</td>"
          f"<td>{esc(_span(o.overdue_by))}</td></tr>")
    if not L.overdue:
        a(f"<tr><td colspan='7'>{esc(tr('无'))}</td></tr>")
    a("</table>")

    a(f"<h2>{esc(tr('四、预警、告警与督办'))}</h2>")
    a(f"<p>{esc(tr('当日生效的预警'))}: <b>{len(L.warnings)}</b> · {esc(tr('设备告警'))}: <b>{L.alarms}</b>"
      f" · {esc(tr('超期督办'))}: <b>{L.supervision}</b></p>")
    a(_table([tr("级别"), tr("预警"), tr("区域"), tr("发布"), tr("有效至")]))
    for w in L.warnings:
        a(f"<tr><td>{esc(labels.name(w.level))}</td><td>{esc(w.title)}</td><td>{esc(w.area_desc)}</td>"
          f"<td>{esc(fmt.date_time(w.issued_at))}</td><td>{esc(fmt.date_time(w.expires_at) or '—')}</td></tr>")
    if not L.warnings:
        a(f"<tr><td colspan='5'>{esc(tr('无'))}</td></tr>")
    a("</table>")

    a(f"<h2>{esc(tr('五、突发事件与1-10-20'))}</h2>")
    a(f"<p>{esc(tr('1-10-20：1分钟内启动响应，10分钟内到达现场，20分钟内完成初情研判。'))}</p>")
    a(_table([tr("突发事件"), tr("类别"), tr("上报时间"), tr("响应"), tr("到场"), tr("初情研判"), tr("1-10-20")]))
    for e in L.emergencies:
        t = e.timings
        decided = e.incident.assessed_at is not None or not e.incident.is_open
        a(f"<tr><td>{esc(e.incident.title)}</td><td>{esc(labels.name(e.incident.category))}</td>"
          f"<td>{esc(fmt.date_time(e.incident.reported_at))}</td>"
          f"<td>{_secs(t.response_s)} {_mark(t.response_met)}</td><td>{_secs(t.arrival_s)} {_mark(t.arrival_met)}</td>"
          f"<td>{_secs(t.assessment_s)} {_mark(t.assessment_met)}</td>"
          f"<td>{_mark(t.compliant) if decided else esc(tr('进行中'))}</td></tr>")
    if not L.emergencies:
        a(f"<tr><td colspan='7'>{esc(tr('无'))}</td></tr>")
    a("</table>")
    a(f"<p style='color:{NA}'>{esc(tr('值班员交接班时签字确认'))}: ______________</p></body></html>")
    return "".join(h)


def write_daily_report(report: DailyReport, out: str | Path) -> Path:
    """Write daily.pdf or daily.html. Needs a QGuiApplication (ui.report.ensure_gui_app)."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    html_text = build_html(report)
    if out.suffix.lower() in (".html", ".htm"):
        out.write_text(html_text, encoding="utf-8")
        return out
    print_pdf(html_text, out, f"{tr('运行日报')} {report.day.isoformat()}")
    return out

