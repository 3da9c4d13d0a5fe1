"""`commandcenter report --drill ID --out report.pdf|report.html [--config PATH]`: the after-action report;
`commandcenter report --daily DATE --out daily.pdf|daily.html [--node ID] [--lang zh_CN|en]`: the 运行日报 a
duty officer hands over at shift change (ui/daily_report.py)."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .common import default_config, load_or_exit, open_store_or_exit
from datetime import UTC


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("report", help="演练评估报告 / after-action report of a drill (PDF or HTML, plus CSV)")
    p.add_argument("--drill", help="drill id (default: the latest drill); `--list` shows them")
    p.add_argument("--out", type=Path, help="report.pdf or report.html; the raw timeline goes to report.csv beside it")
    p.add_argument("--config", default=str(default_config()))
    p.add_argument("--store", default="", help="store URL (default: the config's)")
    p.add_argument("--list", action="store_true", help="list the drills in the store")
    p.add_argument("--daily", metavar="DATE", help="运行日报 of this local day (YYYY-MM-DD, or 'today')")
    p.add_argument("--node", default=None, help="daily report: territory node id (default: the wall's node)")
    p.add_argument("--lang", default="zh_CN", help="the report's one language (zh_CN or en)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.daily:
        return run_daily(args)
    return run_drill(args)


def run_daily(args: argparse.Namespace) -> int:
    from datetime import date, datetime
    from zoneinfo import ZoneInfo

    config = load_or_exit(args.config)
    tz = config.store.timezone
    now = datetime.now(UTC)
    try:
        day = now.astimezone(ZoneInfo(tz)).date() if args.daily == "today" else date.fromisoformat(args.daily)
    except ValueError:
        print(f"report: --daily {args.daily!r}: expected a date YYYY-MM-DD or 'today'", file=sys.stderr)
        return 2
    if args.out is None or args.out.suffix.lower() not in (".pdf", ".html", ".htm"):
        print("report: --out daily.pdf|daily.html is required", file=sys.stderr)
        return 2
    from ..ui.report import ensure_gui_app
    from ..ui.resources import install_language

    ensure_gui_app()
    if not install_language(args.lang):
        print(f"report: no translation for language {args.lang!r}", file=sys.stderr)
        return 2
    from ..ui import format as fmt
    from ..ui.daily_report import assemble, write_daily_report

    fmt.set_timezone(tz)
    store = open_store_or_exit(config, args.config, "report", args.store)
    node = config.wall.territory_node if args.node is None else args.node
    try:
        report = assemble(store, day, node, now=now, tz=tz)
    finally:
        store.close()
    print(f"report: wrote {write_daily_report(report, args.out)}")
    return 0


def run_drill(args: argparse.Namespace) -> int:
    from ..services.drill_report import assemble, drill_ids

    config = load_or_exit(args.config)
    store = open_store_or_exit(config, args.config, "report", args.store)
    try:
        drills = drill_ids(store)
        if args.list:
            for did, at, scenario in drills:
                print(f"{did}\t{at.isoformat()}\t{scenario}")
            return 0
        if args.out is None:
            print("report: --out report.pdf|report.html is required", file=sys.stderr)
            return 2
        if args.out.suffix.lower() not in (".pdf", ".html", ".htm"):
            print("report: --out must end in .pdf or .html", file=sys.stderr)
            return 2
        drill_id = args.drill or (drills[0][0] if drills else None)
        if drill_id is None or drill_id not in {d for d, _, _ in drills}:
            print(f"report: no drill {drill_id!r} in the store (known: {', '.join(d for d, _, _ in drills) or 'none'})",
                  file=sys.stderr)
            return 1
        data = assemble(store, drill_id)
    finally:
        store.close()
    from ..ui.report import ensure_gui_app, write_report
    from ..ui.resources import install_language

    ensure_gui_app()
    if not install_language(args.lang):
        print(f"report: no translation for language {args.lang!r}", file=sys.stderr)
        return 2
    roster = frozenset(d.name for d in config.duty) if config.duty else None
    for path in write_report(data, args.out, roster):
        print(f"report: wrote {path}")
    return 0
