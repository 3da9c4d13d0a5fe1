"""The KPI cards on a simulated week, hour by hour, against the seeds' figures (docs/kpis.md, "Measured").

    PYTHONPATH=. python bench/kpi_week.py [--profile city] [--days 7] [--seed 1] [--out table.md]

Runs the simulator faster than real time (its world is advanced directly, no server), feeds every record version
into a fresh SQLite store as the wall's ingest would, and at several local times of each day (00:05 included)
reads the cards' figures by the cards' own code (ui.models.kpis.collect + card_figures, period 今日). Prints, per
time of day, each card's range over the days (or how many days it read 数据不足), the week's figures (本月 = the
simulated weeks so far) and the seed figure, as a Markdown table; one JSON line per reading goes to stderr.
Rerun it after the simulator's rates change: nothing in it is tuned to them.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
from datetime import datetime, time, timedelta, UTC
from pathlib import Path
from zoneinfo import ZoneInfo

from commandcenter.domain import decode_incident, decode_territory
from commandcenter.domain import kpis as DK
from commandcenter.sim import SimServer
from commandcenter.store import Store
from commandcenter.ui.models.kpis import ALL_CARDS, DEFAULT_CARDS, card_figures, collect

TZ = ZoneInfo(DK.DEFAULT_TZ)
TIMES = (time(0, 5), time(3, 0), time(6, 0), time(9, 0), time(10, 24), time(12, 0), time(15, 0), time(18, 0),
         time(21, 0), time(23, 55))
CARDS = DEFAULT_CARDS + ("disposal_rate", "dispute_base_share", "whistle", "hotline_12345", "diverted_110",
                         "first_petitions", "emergencies")


def feed(store: Store, sim: SimServer, since: int) -> int:
    """Apply the log's messages after seq `since` (territory and incident versions) to the store."""
    incs, terr, last = [], [], since
    for m in sim.log.messages:
        if m.seq <= since:
            continue
        last = m.seq
        if m.type == "incident":
            incs.append(decode_incident(m.data))
        elif m.type == "territory":
            terr.append(decode_territory(m.data))
    for k in range(0, len(incs), 5000):
        store.apply("sim", incidents=incs[k:k + 5000], log=False)
    if terr:
        store.apply("sim", territory=terr, log=False)
    return last


def make_table(readings: dict[time, dict[str, list[float | None]]], week: dict[str, float | None] | None) -> str:
    """Markdown: per time of day, each card's range of 今日 over the days (and how often it read 数据不足)."""
    head = ["本地时间"] + [ALL_CARDS[k].label for k in CARDS]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for t in TIMES:
        cells = [t.strftime("%H:%M")]
        for k in CARDS:
            unit = DK.BY_KEY[k].unit
            vals = [v for v in readings[t][k] if v is not None]
            missing = len(readings[t][k]) - len(vals)
            text = "数据不足" if not vals else (fmt_value(min(vals), unit) if min(vals) == max(vals) else
                                                 f"{fmt_value(min(vals), unit)}–{fmt_value(max(vals), unit)}")
            if vals and missing:
                text += f" ({missing}× 数据不足)"
            cells.append(text)
        lines.append("| " + " | ".join(cells) + " |")
    if week is not None:
        lines.append("| 本月（模拟的各天） | " + " | ".join(fmt_value(week[k], DK.BY_KEY[k].unit) for k in CARDS) + " |")
    lines.append("| 种子数字 / seed | " + " | ".join(
        (f"{DK.SEED_FIGURES[k]:g}" if k in DK.SEED_FIGURES else "—") for k in CARDS) + " |")
    return "\n".join(lines)


def from_log(path: str) -> dict[time, dict[str, list[float | None]]]:
    """The readings of an earlier run, from the JSON lines it wrote to stderr."""
    readings: dict[time, dict[str, list[float | None]]] = {t: {k: [] for k in CARDS} for t in TIMES}
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if not line.startswith("{"):
            continue
        d = json.loads(line)
        t = datetime.fromisoformat(d["at"]).astimezone(TZ).time()
        if t in readings:
            for k in CARDS:
                readings[t][k].append(d.get(k))
    return readings


def fmt_value(v: float | None, unit: str) -> str:
    if v is None:
        return "数据不足"
    return f"{v:.1f}" if unit != "events" else f"{v:.0f}"


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--profile", default="city")
    p.add_argument("--days", type=int, default=7)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--warmup-days", type=float, default=3.0, help="simulated history before the measured days")
    p.add_argument("--out", default="", help="also write the Markdown table here")
    p.add_argument("--from-log", default="", help="only print the table of an earlier run's stderr (JSON lines)")
    args = p.parse_args()
    if args.from_log:
        print(make_table(from_log(args.from_log), None))
        return 0

    first_day = datetime(2026, 11, 16, tzinfo=TZ)          # a Monday; the measured days follow the warm-up
    start = (first_day - timedelta(days=args.warmup_days)).astimezone(UTC)
    sim = SimServer(profile=args.profile, seed=args.seed, history_hours=0.0, start_time=start, min_live_rate=0.0,
                    log_cap=50_000_000)
    sim.build()
    world = sim.world
    readings: dict[time, dict[str, list[float | None]]] = {t: {k: [] for k in CARDS} for t in TIMES}
    with tempfile.TemporaryDirectory(prefix="kpi-week-") as tmp:
        store = Store.open(f"sqlite:///{Path(tmp) / 'week.db'}", tz=DK.DEFAULT_TZ)
        store.apply("sim", territory=[n for n in sim.city.nodes.values()], log=False)
        seq = 0
        for d in range(args.days):
            day = first_day + timedelta(days=d)
            for t in TIMES:
                at = datetime.combine(day.date(), t, TZ).astimezone(UTC)
                world.run_until(at)
                seq = feed(store, sim, seq)
                figs = {f.key: f for f in card_figures(collect(store, "", at, completion_series=False), CARDS)}
                for k in CARDS:
                    readings[t][k].append(figs[k].value)
                print(json.dumps({"at": at.isoformat(), **{k: figs[k].value for k in CARDS}}, ensure_ascii=False),
                      file=sys.stderr)
        end = world.now_dt
        week = {f.key: f.value for f in card_figures(collect(store, "", end, completion_series=False,
                                                             period="month"), CARDS)}
        store.close()

    table = make_table(readings, week)
    print(f"profile {args.profile}, seed {args.seed}, {args.days} days from {first_day.date()} "
          f"after {args.warmup_days:g} days of warm-up; each cell: the range of 今日 over the days\n")
    print(table)
    if args.out:
        Path(args.out).write_text(table + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
