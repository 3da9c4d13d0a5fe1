"""`commandcenter report --drill ID --out report.pdf|report.html [--config PATH]`: the after-action report."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .common import default_config, load_or_exit, store_url_or_exit


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("report", help="演练评估报告 / after-action report of a drill (PDF or HTML, plus CSV)")
    p.add_argument("--drill", help="drill id (default: the latest drill); `--list` shows them")
    p.add_argument("--out", type=Path, help="report.pdf or report.html; the raw timeline goes to report.csv beside it")
    p.add_argument("--config", default=str(default_config()))
    p.add_argument("--store", default="", help="store URL (default: the config's)")
    p.add_argument("--list", action="store_true", help="list the drills in the store")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..services.drill_report import assemble, drill_ids
    from ..store import Store, StoreError

    config = load_or_exit(args.config)
    url = store_url_or_exit(config, args.store, create=False)
    try:
        store = Store.open(url, tz=config.store.timezone)
    except StoreError as exc:
        print(f"store: {exc}", file=sys.stderr)
        return 2
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

    ensure_gui_app()
    for path in write_report(data, args.out):
        print(f"report: wrote {path}")
    return 0
