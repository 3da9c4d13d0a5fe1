"""`commandcenter kpis --config PATH [--node ID] [--at ISO] [--period today|month|year] [--format json|csv]
[--all] [--lang zh_CN|en]`: the figures the KPI cards show, computed by the same code (ui.models.kpis.collect and
card_figures over the store's KPI engine).

The cards are those of the config's first KPI tile (its `cards`, else the default ten); `--all` prints every
indicator of domain/kpis.py. Each line (csv) or entry (json) has the indicator's key, label, period (the card's
own: the one asked for, or the rolling window it widened to for want of data, `24h` / `30d` / `365d`), value,
unit, the text the card shows, the target and whether it is met, the sample it was computed on, whether there is
enough data, and the like-for-like changes (previous period, same period last year).
"""
from __future__ import annotations

import argparse
import csv
import json
import sys
from datetime import datetime, UTC
from typing import Any

from ..config import Config
from ..domain import kpis as DK
from ..domain import parse_time
from .common import default_config, load_or_exit, open_store_or_exit

FIELDS = ("key", "label", "period", "value", "unit", "text", "target", "meets_target", "sample", "enough_data",
          "previous", "change_previous", "last_year", "change_last_year")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("kpis", help="运行指标 / the KPI cards' figures of a node and period (JSON or CSV)")
    p.add_argument("--config", default=str(default_config()))
    p.add_argument("--store", default="", help="store URL (default: the config's)")
    p.add_argument("--node", default=None, help="territory node id (default: the wall's node; '' = everything)")
    p.add_argument("--at", default=None, help="ISO 8601 time the figures are taken at (default: now)")
    p.add_argument("--period", choices=DK.PERIODS, default="today", help="今日 / 本月 / 今年以来")
    p.add_argument("--format", choices=("json", "csv"), default="json")
    p.add_argument("--all", action="store_true", help="every indicator, not only the tile's cards")
    p.add_argument("--lang", default="zh_CN", help="language of the labels (zh_CN or en)")
    p.set_defaults(func=run)


def tile_cards(config: Config) -> tuple[str, ...]:
    """The cards of the config's first KPI tile (what the wall shows), or the default ones."""
    from ..ui.models.kpis import DEFAULT_CARDS

    for page in config.pages:
        for tile in page.tiles:
            if tile.kind == "kpis":
                return tuple(tile.cards) or DEFAULT_CARDS
    return DEFAULT_CARDS


def figures(store: Any, node: str, at: datetime, period: str, cards: tuple[str, ...]) -> list[dict[str, Any]]:
    """The cards' figures as plain dicts (FIELDS), by the tile's own code path."""
    from ..ui.models.kpis import card_figures, collect

    snap = collect(store, node, at, completion_series=False, period=period)
    out = []
    for f in card_figures(snap, cards):
        row = {k: getattr(f, k) for k in FIELDS}
        out.append(row)
    return out


def run(args: argparse.Namespace) -> int:
    config = load_or_exit(args.config)
    try:
        at = parse_time(args.at) if args.at else datetime.now(UTC)
    except ValueError as exc:
        print(f"kpis: --at: {exc}", file=sys.stderr)
        return 2
    node = config.wall.territory_node if args.node is None else args.node
    cards = tuple(d.key for d in DK.DEFS) if args.all else tile_cards(config)
    if args.lang != "zh_CN":
        from ..ui.report import ensure_gui_app
        from ..ui.resources import install_language

        ensure_gui_app()   # the translators live on the application
        if not install_language(args.lang):
            print(f"kpis: no translation for language {args.lang!r}", file=sys.stderr)
            return 2
    store = open_store_or_exit(config, args.config, "kpis", args.store)
    try:
        rows = figures(store, node, at, args.period, cards)
    finally:
        store.close()
    if args.format == "json":
        json.dump({"node": node, "period": args.period, "at": at.isoformat(), "cards": rows}, sys.stdout,
                  ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    else:
        w = csv.DictWriter(sys.stdout, fieldnames=FIELDS, lineterminator="\n")
        w.writeheader()
        for r in rows:
            w.writerow({k: "" if r[k] is None else r[k] for k in FIELDS})
    return 0
