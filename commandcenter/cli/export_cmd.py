"""`commandcenter export (incidents|alerts|resources|sensors|quarantine) --config PATH [--format jsonl|csv]
[--since ISO] [--until ISO] [--out FILE]`: what the store holds, one record per line or row.

Each record carries its id, its current status (incidents, alerts, resources) or level (alerts), a
`drill` flag and its times (ISO 8601 UTC). jsonl lines are the wire encoding of the record plus `drill`;
csv has one column per scalar field (lists and objects as JSON text); a text cell starting with
`= + - @`, a tab or a carriage return gets a leading `'` and control characters (ESC, BEL...) are removed
(domain.text.csv_cell), numbers are written as numbers. `--since`/`--until` filter on
`updated_at` (`received_at` for the quarantine); both bounds are inclusive. Drill records are included
and flagged. Alerts carry `signal` (warning 预警, alarm 告警 — device alarms from sensors among them —, supervision
督办). Sensors: each device, its type, position, status and last reading (`value` with its `unit`, `reading_at`).
Quarantined raw bytes are exported as UTF-8 text when they are valid UTF-8, else base64.
"""
from __future__ import annotations

import argparse
import base64
import csv
import json
import sys
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any, TextIO

from ..domain import encode, format_time, parse_time, signal_kind
from ..domain.text import csv_cell
from .common import default_config, load_or_exit, open_store_or_exit

KINDS = ("incidents", "alerts", "resources", "sensors", "quarantine")
ALL = 100_000_000
FIRST = {
    "incidents": ["id", "version", "status", "severity", "category", "title", "drill", "drill_id", "reported_at",
                  "updated_at", "closed_at"],
    "alerts": ["id", "version", "signal", "status", "level", "type", "title", "drill", "drill_id", "issued_at",
               "updated_at", "expires_at"],
    "sensors": ["id", "type", "name", "status", "level", "lon", "lat", "grid_id", "value", "unit", "reading_at",
                "updated_at"],
    "resources": ["id", "version", "status", "kind", "name", "drill", "drill_id", "updated_at"],
    "quarantine": ["feed", "kind", "record_id", "reason", "received_at", "raw_encoding", "raw"],
}


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("export", help="导出 / write what the store holds as JSON lines or CSV")
    p.add_argument("what", choices=KINDS)
    p.add_argument("--config", default=str(default_config()), help="the wall's TOML config (for the store URL)")
    p.add_argument("--store", default="", help="store URL (default: the config's)")
    p.add_argument("--format", choices=["jsonl", "csv"], default="jsonl")
    p.add_argument("--since", default=None, help="only records updated at or after this ISO 8601 time")
    p.add_argument("--until", default=None, help="only records updated at or before this ISO 8601 time")
    p.add_argument("--out", default="-", help="output file (default: stdout)")
    p.set_defaults(func=run)


def _time_arg(value: str | None, name: str) -> datetime | None:
    if value is None:
        return None
    try:
        return parse_time(value)
    except ValueError as exc:
        raise SystemExit(f"export: --{name}: {exc}") from None


def run(args: argparse.Namespace) -> int:
    since, until = _time_arg(args.since, "since"), _time_arg(args.until, "until")
    config = load_or_exit(args.config)
    store = open_store_or_exit(config, args.config, "export", args.store)
    try:
        rows = list(_rows(store, args.what, since, until))
    finally:
        store.close()
    out: TextIO
    if args.out == "-":
        out = sys.stdout
        _write(out, args.format, args.what, rows)
        out.flush()
    else:
        with open(args.out, "w", encoding="utf-8", newline="") as out:
            _write(out, args.format, args.what, rows)
    print(f"export: {len(rows)} {args.what}", file=sys.stderr)
    return 0


def _in_window(t: datetime | None, since: datetime | None, until: datetime | None) -> bool:
    if t is None:
        return since is None and until is None
    return (since is None or t >= since) and (until is None or t <= until)


def _rows(store: Any, what: str, since: datetime | None, until: datetime | None) -> Iterator[dict[str, Any]]:
    if what == "quarantine":
        for q in sorted(store.quarantine(limit=ALL), key=lambda q: q.received_at):
            if not _in_window(q.received_at, since, until):
                continue
            try:
                raw, enc = q.raw.decode("utf-8"), "utf-8"
            except UnicodeDecodeError:
                raw, enc = base64.b64encode(q.raw).decode("ascii"), "base64"
            yield {"feed": q.feed, "kind": q.kind, "record_id": q.record_id, "reason": q.reason,
                   "received_at": format_time(q.received_at), "raw_encoding": enc, "raw": raw}
        return
    if what == "sensors":
        for sensor in sorted(store.sensors(), key=lambda x: x.id):
            if _in_window(sensor.updated_at, since, until):
                yield {**encode(sensor), "unit": sensor.unit}
        return
    records: Iterable[Any]
    if what == "incidents":
        records = store.incidents(open_only=False, limit=ALL, drill=None)
    elif what == "alerts":
        records = store.alerts(live_only=False, drill=None)
    else:
        records = store.resources(drill=None)
    for r in sorted(records, key=lambda r: (r.updated_at, r.id)):
        if not _in_window(r.updated_at, since, until):
            continue
        row = encode(r)
        row["drill"] = r.drill_id is not None
        if what == "alerts":
            row["signal"] = signal_kind(r.type).value
        yield row


def _write(out: TextIO, fmt: str, what: str, rows: list[dict[str, Any]]) -> None:
    if fmt == "jsonl":
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n")
        return
    first = FIRST[what]
    extra = sorted({k for row in rows for k in row} - set(first))
    writer = csv.DictWriter(out, fieldnames=first + extra, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _cell(v) for k, v in row.items()})


def _cell(value: Any) -> Any:
    """Lists and objects as JSON text; every text cell escaped against formula injection (domain.text.csv_cell)."""
    if isinstance(value, (list, dict)):
        value = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return csv_cell(value)
