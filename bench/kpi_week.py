"""The KPI cards on a simulated week, hour by hour, against the seeds' figures (docs/kpis.md, "Measured").

    PYTHONPATH=. python bench/kpi_week.py --profile city --days 7 --warmup-days 30 --out table.md 2>readings.jsonl

Runs the simulator faster than real time (its world is advanced directly, no server), feeds every record version
into a fresh SQLite store as the wall's ingest would, and at every hour of each day (00:05 instead of 00:00)
reads the cards' figures by the cards' own code (ui.models.kpis.collect + card_figures, period 今日, widened to a
rolling window where today's sample is too small). Prints, per hour of the day, each card's range over the days
(and how often it widened, or read 数据不足), the month so far and the seed figure, as a Markdown table; then the
verdict (every reading of every card with a seed figure within ±10 % of it, none 数据不足) and the volumes
against the profile's seed rates (Dongying's on `city`, Chaohai's on `street`). One JSON line per reading goes to
stderr (`--from-log` judges them again). Rerun it after the simulator's rates change: nothing in it is tuned to them.
"""
from __future__ import annotations

import argparse
import json
import math
import sys
import tempfile
from datetime import datetime, time, timedelta, UTC
from pathlib import Path
from zoneinfo import ZoneInfo

from commandcenter.domain import decode_incident, decode_territory
from commandcenter.domain import kpis as DK
from commandcenter.sim import PROFILES, SimServer
from commandcenter.store import Store
from commandcenter.ui.models.kpis import ALL_CARDS, DEFAULT_CARDS, card_figures, collect

TZ = ZoneInfo(DK.DEFAULT_TZ)
TIMES = (time(0, 5),) + tuple(time(h, 0) for h in range(1, 24))
TOLERANCE = 0.10
WARMUP_STEP = timedelta(hours=6)
Reading = tuple[float | None, str, str]     # (value, the card's text, its window: today / 24h / 30d / 365d)
CARDS = DEFAULT_CARDS + ("disposal_rate", "dispute_base_share", "whistle", "hotline_12345", "diverted_110",
                         "first_petitions", "emergencies")


def feed(store: Store, sim: SimServer, since: int) -> int:
    """Apply the log's messages after seq `since` (territory and incident versions) to the store."""
    incs, terr, last = [], [], since
    log = sim.log
    for m in log.messages[max(0, since + 1 - log.first_seq):]:
        last = m.seq
        if m.type == "incident":
            incs.append(decode_incident(m.data))
        elif m.type == "territory":
            terr.append(decode_territory(m.data))
    for k in range(0, len(incs), 5000):
        store.apply("sim", incidents=incs[k:k + 5000], log=False)
    if terr:
        store.apply("sim", territory=terr, log=False)
    # the bench is the log's only reader: what the store has applied need not stay in memory
    del log.messages[:max(0, last + 1 - log.first_seq)]
    log.first_seq = log.messages[0].seq if log.messages else last + 1
    return last


WINDOW_NAMES = {"24h": "近24小时", "30d": "近30天", "365d": "近一年"}


def cell(rs: list[Reading], unit: str) -> str:
    """The range of the values over the days, how many readings widened to which window, and the texts of the
    readings without a value (数据不足 (n=…), or a rare event's counts)."""
    vals = [v for v, _, _ in rs if v is not None]
    text = "" if not vals else (fmt_value(min(vals), unit) if min(vals) == max(vals) else
                                f"{fmt_value(min(vals), unit)}–{fmt_value(max(vals), unit)}")
    widened: dict[str, int] = {}
    for v, _, w in rs:
        if v is not None and w in WINDOW_NAMES:
            widened[w] = widened.get(w, 0) + 1
    if widened:
        text += " (" + ", ".join(f"{WINDOW_NAMES[w]} ×{n}" for w, n in widened.items()) + ")"
    others = sorted({t for v, t, _ in rs if v is None})
    if others:
        shown = others if len(others) <= 2 else [others[0], "…", others[-1]]
        text += (" " if text else "") + " / ".join(shown) + (f" ×{sum(v is None for v, _, _ in rs)}" if vals else "")
    return text


def verdict(readings: dict[time, dict[str, list[Reading]]]) -> tuple[bool, list[str]]:
    """Per card with a seed figure: how many readings give a figure, their range, how many are within ±10 % of the
    seed and how many widened to which window. It passes when every reading of every such card gives a figure
    within ±10 % (数据不足 is a failure too: a healthy city reads healthy at every hour)."""
    out, ok_all = [], True
    for k, seed in DK.SEED_FIGURES.items():
        if k not in CARDS:
            continue
        rs = [r for t in TIMES for r in readings[t][k]]
        vals = [v for v, _, _ in rs if v is not None]
        ok = [v for v in vals if abs(v - seed) <= TOLERANCE * seed]
        widened: dict[str, int] = {}
        for v, _, w in rs:
            if v is not None and w in WINDOW_NAMES:
                widened[w] = widened.get(w, 0) + 1
        passed = bool(rs) and len(ok) == len(rs)
        ok_all = ok_all and passed
        wide = ", ".join(f"{WINDOW_NAMES[w]} ×{n}" for w, n in widened.items()) or "none"
        out.append(f"- {'PASS' if passed else 'FAIL'} {ALL_CARDS[k].label} (seed {seed:g}): {len(vals)} of {len(rs)} "
                   f"readings give a figure, {min(vals, default=float('nan')):.2f}–"
                   f"{max(vals, default=float('nan')):.2f}; {len(ok)} of {len(rs)} within ±10 %; widened: {wide}")
    for k in CARDS:
        short = [t.strftime("%H:%M") for t in TIMES for v, text, _ in readings[t][k]
                 if v is None and text.startswith("数据不足")]
        if short:
            ok_all = False
            hours = sorted(set(short))
            shown = ", ".join(hours) if len(hours) <= 4 else f"{hours[0]} … {hours[-1]}, {len(hours)} hours of the day"
            out.append(f"- FAIL {ALL_CARDS[k].label} read 数据不足 {len(short)} times ({shown})")
    out.insert(0, f"Verdict: {'PASS' if ok_all else 'FAIL'} (every card with a seed figure, every hour, ±10 %)")
    return ok_all, out


def volumes(store: Store, profile: str, first_day: datetime, days: int, run_start: datetime,
            run_end: datetime) -> tuple[bool, list[str]]:
    """The volumes the cards count (事件数, 初信初访, 突发事件, by the store's figures) against the profile's seed
    rates (sim.seeds: Dongying's on `city`, Chaohai's on `street`). Events: each measured day and their mean, within
    ±10 % of the seed's daily rate. The rare kinds over the whole run (warm-up included): inside a Poisson band of
    ±3.5 standard deviations around the seed's rate (a week holds too few of them for ±10 %: that needs a simulated
    year, tests/sim/test_seed_figures.py)."""
    rates = PROFILES[profile].rates
    counts = []
    for d in range(days):
        d0 = (first_day + timedelta(days=d)).astimezone(UTC)
        figs = store.kpis("", d0, d0 + timedelta(days=1))
        counts.append(figs["events"].value or 0.0)
    mean = sum(counts) / len(counts)
    ok = abs(mean - rates.events_per_day) <= TOLERANCE * rates.events_per_day
    out = [f"- {'PASS' if ok else 'FAIL'} 事件数 ({rates.basis}: {rates.events_per_day:.1f} a day, "
           f"{rates.events_per_year:,.0f} a year): {mean:.1f} a day over the {days} measured days "
           f"({mean * 365:,.0f} a year; days {min(counts):.0f}–{max(counts):.0f}), "
           f"{100 * (mean / rates.events_per_day - 1):+.1f} %"]
    run_days = (run_end - run_start).total_seconds() / 86400
    whole = store.kpis("", run_start, run_end)
    for key, label, per_day in (("first_petitions", "初信初访", rates.first_petitions_per_day),
                                ("emergencies", "突发事件", rates.emergencies_per_day)):
        n = whole[key].value or 0.0
        lam = per_day * run_days
        lo, hi = lam - 3.5 * math.sqrt(lam), lam + 3.5 * math.sqrt(lam)
        inside = lo <= n <= hi
        ok = ok and inside
        out.append(f"- {'PASS' if inside else 'FAIL'} {label} (seed rate {per_day * 365:.1f} a year): {n:.0f} in the "
                   f"{run_days:.0f} simulated days, expected {lam:.1f} (Poisson ±3.5 σ: {max(lo, 0):.1f}–{hi:.1f})")
    return ok, out


def make_table(readings: dict[time, dict[str, list[Reading]]], month: dict[str, Reading] | None) -> str:
    """Markdown: per hour of the day, each card's range of 今日 over the days (see `cell`)."""
    head = ["本地时间"] + [ALL_CARDS[k].label for k in CARDS]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for t in TIMES:
        cells = [t.strftime("%H:%M")] + [cell(readings[t][k], DK.BY_KEY[k].unit) for k in CARDS]
        lines.append("| " + " | ".join(cells) + " |")
    if month is not None:
        lines.append("| 本月（至最后一天结束） | " + " | ".join(cell([month[k]], DK.BY_KEY[k].unit) for k in CARDS) + " |")
    lines.append("| 种子数字 / seed | " + " | ".join(
        (f"{DK.SEED_FIGURES[k]:g}" if k in DK.SEED_FIGURES else "—") for k in CARDS) + " |")
    return "\n".join(lines)


def from_log(path: str) -> dict[time, dict[str, list[Reading]]]:
    """The readings of an earlier run, from the JSON lines it wrote to stderr."""
    readings: dict[time, dict[str, list[Reading]]] = {t: {k: [] for k in CARDS} for t in TIMES}
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if not line.startswith("{"):
            continue
        d = json.loads(line)
        if "at" not in d:            # the run's volume lines
            continue
        t = datetime.fromisoformat(d["at"]).astimezone(TZ).time()
        if t in readings:
            for k in CARDS:
                v, text, window = d[k]
                readings[t][k].append((v, text, window))
    return readings


def fmt_value(v: float | None, unit: str) -> str:
    if v is None:
        return "数据不足"
    return f"{v:.1f}" if unit != "events" else f"{v:.0f}"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--profile", default="city")
    p.add_argument("--days", type=int, default=7)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--warmup-days", type=float, default=2.0, help="simulated history before the measured days")
    p.add_argument("--out", default="", help="also write the Markdown table here")
    p.add_argument("--from-log", default="", help="only print the table of an earlier run's stderr (JSON lines)")
    p.add_argument("--check", action="store_true", help="exit with status 1 when the verdict is FAIL")
    args = p.parse_args(argv)
    if args.from_log:
        readings = from_log(args.from_log)
        print(make_table(readings, None))
        passed, lines = verdict(readings)
        vol = [ln for line in Path(args.from_log).read_text(encoding="utf-8").splitlines() if line.startswith("{")
               for ln in json.loads(line).get("volumes", [])]
        print("\n" + "\n".join(lines) + ("\n\nVolumes against the seeds' rates:\n" + "\n".join(vol) if vol else ""))
        return 0 if passed or not args.check else 1

    first_day = datetime(2026, 11, 16, tzinfo=TZ)          # a Monday; the measured days follow the warm-up
    start = (first_day - timedelta(days=args.warmup_days)).astimezone(UTC)
    sim = SimServer(profile=args.profile, seed=args.seed, history_hours=0.0, start_time=start, min_live_rate=0.0,
                    log_cap=50_000_000)
    # the cards are read from the store, not from the simulator's own /kpis: its KPI message every simulated
    # minute adds up every case so far, which at this speed cost far more than the whole city
    sim.settings.kpi_every_s = math.inf
    sim.build()
    world = sim.world
    readings: dict[time, dict[str, list[Reading]]] = {t: {k: [] for k in CARDS} for t in TIMES}
    with tempfile.TemporaryDirectory(prefix="kpi-week-") as tmp:
        store = Store.open(f"sqlite:///{Path(tmp) / 'week.db'}", tz=DK.DEFAULT_TZ)
        store.apply("sim", territory=[n for n in sim.city.nodes.values()], log=False)
        seq, t = 0, start
        while t < first_day:              # the warm-up fed as it is lived, so the log never holds a month
            t = min(t + WARMUP_STEP, first_day.astimezone(UTC))
            world.run_until(t)
            seq = feed(store, sim, seq)
        for d in range(args.days):
            day = first_day + timedelta(days=d)
            for t in TIMES:
                at = datetime.combine(day.date(), t, TZ).astimezone(UTC)
                world.run_until(at)
                seq = feed(store, sim, seq)
                figs = {f.key: f for f in card_figures(collect(store, "", at, completion_series=False), CARDS)}
                row = {k: (figs[k].value, figs[k].text, figs[k].period) for k in CARDS}
                for k in CARDS:
                    readings[t][k].append(row[k])
                print(json.dumps({"at": at.isoformat(), **row}, ensure_ascii=False), file=sys.stderr, flush=True)
        end = (first_day + timedelta(days=args.days)).astimezone(UTC)
        world.run_until(end)
        feed(store, sim, seq)
        month = {f.key: (f.value, f.text, f.period) for f in card_figures(
            collect(store, "", end, completion_series=False, period="month"), CARDS)}
        vol_ok, vol_lines = volumes(store, args.profile, first_day, args.days, start, end)
        print(json.dumps({"volumes": vol_lines}, ensure_ascii=False), file=sys.stderr, flush=True)
        store.close()

    table = make_table(readings, month)
    print(f"profile {args.profile}, seed {args.seed}, {args.days} days from {first_day.date()} "
          f"after {args.warmup_days:g} days of warm-up; each cell: the range of the 今日 cards over the days\n")
    print(table)
    passed, lines = verdict(readings)
    summary = "\n".join(lines) + "\n\nVolumes against the seeds' rates:\n" + "\n".join(vol_lines)
    print("\n" + summary)
    if args.out:
        Path(args.out).write_text(table + "\n\n" + summary + "\n", encoding="utf-8")
    if args.check and not (passed and vol_ok):
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
