"""`python -m bench`: run every benchmark, one subprocess each (offscreen Qt, with a timeout), print one JSON
object per line and rewrite the table in docs/benchmarks.md between the bench markers.

    python -m bench                 # everything, full sizes (< 15 min on 2 cores, soak excepted: 90 min)
    python -m bench --quick         # CI sizes (soak 3 min)
    python -m bench --only burst    # benches whose script or figure name contains "burst"
    python -m bench --soak-minutes 5

Scripts are ours (bench/wall_*.py) and the other engineers' (bench/store_*.py, bench/map_recolor.py,
bench/sim_*.py): from any script, every stdout line that is a JSON object with "name" and "value" is a result.
A script that fails or times out yields a result line with "ok": false and the reason.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime, UTC
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DOC = ROOT / "docs" / "benchmarks.md"
BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"


@dataclass
class Bench:
    script: str
    full: list[str] = field(default_factory=list)
    quick: list[str] = field(default_factory=list)
    timeout: float = 300.0
    names: tuple[str, ...] = ()       # figures it should produce (a missing one is reported)


def plan(soak_minutes: float | None, quick: bool) -> list[Bench]:
    soak = soak_minutes if soak_minutes is not None else (1.0 if quick else 30.0)
    ours = [
        Bench("wall_paint.py", timeout=180, names=("wall_4k_paint_ms",)),
        Bench("wall_latency.py", timeout=240, names=("event_to_pixel_p50_ms", "event_to_pixel_p99_ms")),
        Bench("wall_burst.py", quick=["--burst", "10000"], timeout=240, names=("burst_max_stall_ms",)),
        Bench("wall_ingest.py", full=["--records", "50000"], quick=["--records", "20000"], timeout=300,
              names=("ingest_events_per_s", "ingest_floor_ratio")),
        Bench("wall_memory.py", timeout=300, names=("rss_mb_100k_open",)),
        Bench("wall_startup.py", timeout=300, names=("startup_first_frame_s",)),
        # the ten minutes in a full run, 30 s with --quick
        Bench("wall_sensors.py", full=["--minutes", "10"], timeout=10 * 60 + 240,
              names=("sensors_msgs_per_s", "sensors_lost", "sensors_loop_p99_ms")),
        Bench("wall_latency.py", full=["--sensors", "10000"], quick=["--sensors", "10000"], timeout=300,
              names=("sensors_event_to_pixel_p50_ms", "sensors_event_to_pixel_p99_ms")),
        Bench("wall_video.py", timeout=480, names=("video_4_tiles_cpu_cores", "video_9_tiles_cpu_cores",
                                                   "video_4_click_to_first_frame_s")),
        # the wall's event→pixel while a 4-camera video tile plays on it
        Bench("wall_latency.py", full=["--video", "4"], quick=["--video", "4"], timeout=300,
              names=("video_4_event_to_pixel_p50_ms", "video_4_event_to_pixel_p99_ms")),
        # a window of ended incidents as long as the measured part, two windows of warm-up before it
        Bench("wall_soak.py", full=["--minutes", str(soak)], quick=["--minutes", str(soak)],
              timeout=3 * soak * 60 + 180, names=("soak_rss_growth_pct",)),
        # one recorder, 1/4/16 followers (one a wall) on one PostgreSQL at 200 events/s; --quick: 1 and 4
        Bench("store_followers.py", full=["--followers", "1,4,16"], quick=["--quick"], timeout=600,
              names=tuple(f"followers_{figure}_n{n}" for n in ((1, 4) if quick else (1, 4, 16))
                          for figure in ("backend_requests_per_s", "complete", "event_to_pixel_p99_ms"))),
    ]
    known = {b.script for b in ours}
    theirs = []
    for path in sorted(HERE.glob("*.py")):
        name = path.name
        if name in known or not re.match(r"(store_|sim_|map_)", name) or name.endswith("_common.py"):
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        if "__main__" not in text:
            continue   # a helper module, not a script
        args = ["--quick"] if "--quick" in text else []
        theirs.append(Bench(name, full=[] if not quick else args, quick=args, timeout=600))
    return ours + theirs


def run_one(b: Bench, quick: bool, python: str) -> list[dict]:
    args = (b.quick if quick else b.full) + (["--quick"] if quick and b.script.startswith("wall_") else [])
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(HERE) + os.pathsep + str(ROOT),
               BENCH_QUICK="1" if quick else "0")
    started = time.monotonic()
    results: list[dict] = []
    try:
        proc = subprocess.run([python, str(HERE / b.script), *args], cwd=ROOT, env=env, capture_output=True,
                              text=True, timeout=b.timeout)
        out, err, rc = proc.stdout, proc.stderr, proc.returncode
    except subprocess.TimeoutExpired as exc:
        out = exc.stdout.decode() if isinstance(exc.stdout, bytes) else (exc.stdout or "")
        err, rc = f"timed out after {b.timeout:.0f} s", None
    for line in out.splitlines():
        line = line.strip()
        if not line.startswith("{"):
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(obj, dict) and "name" in obj and "value" in obj:
            obj.setdefault("script", b.script)
            obj.setdefault("ok", judge(obj))
            results.append(obj)
    seconds = time.monotonic() - started
    got = {r["name"] for r in results}
    reason = "" if rc == 0 else (err.strip().splitlines()[-1][:300] if err and err.strip() else f"exit {rc}")
    for name in b.names:
        if name not in got:
            results.append({"name": name, "value": None, "unit": "", "target": None, "ok": False,
                            "script": b.script, "error": reason or "not reported"})
    if rc != 0 and not b.names and not results:
        results.append({"name": b.script.removesuffix(".py"), "value": None, "unit": "", "target": None,
                        "ok": False, "script": b.script, "error": reason})
    for r in results:
        r.setdefault("seconds", round(seconds, 1))
    return results


def judge(obj: dict) -> bool | None:
    """ok for a line that did not say: compare value with a numeric target, or one written '≤ 16' / '>= 5000'."""
    value, target = obj.get("value"), obj.get("target")
    if not isinstance(value, int | float):
        return None if target in (None, "") else False
    if isinstance(target, int | float):
        return value >= target if obj.get("better") == "higher" else value <= target
    if isinstance(target, str):
        m = re.match(r"\s*(<=|≤|>=|≥|<|>)?\s*([0-9][0-9,_.]*)", target)
        if m:
            limit = float(m.group(2).replace(",", "").replace("_", ""))
            op = m.group(1) or "<="
            return value >= limit if op in (">=", "≥", ">") else value <= limit
    return None


def fmt(v) -> str:
    if v is None or v == "":
        return "—"
    if isinstance(v, float):
        return f"{v:,.1f}" if abs(v) >= 100 else f"{v:.3g}" if abs(v) < 1 else f"{v:.2f}".rstrip("0").rstrip(".")
    if isinstance(v, int):
        return f"{v:,}"
    return str(v)


def target_text(r: dict) -> str:
    t = r.get("target")
    if isinstance(t, int | float):
        return ("≥ " if r.get("better") == "higher" else "≤ ") + fmt(t)
    return fmt(t)


ROW = re.compile(r"^\|\s*`([^`]+)`\s*\|")


def write_table(results: list[dict], quick: bool) -> None:
    """Replace the rows of the figures we measured; keep the rows of figures this run did not touch."""
    DOC.parent.mkdir(parents=True, exist_ok=True)
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else default_doc()
    if BEGIN not in text or END not in text:
        text = text.rstrip() + "\n\n## Results\n\n" + BEGIN + "\n" + END + "\n"
    head, rest = text.split(BEGIN, 1)
    old_block, tail = rest.split(END, 1)
    old_rows = {}
    for line in old_block.splitlines():
        m = ROW.match(line)
        if m:
            old_rows[m.group(1)] = line
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    mode = "quick" if quick else "full"
    new_rows = {}
    for r in results:
        ok = {True: "✅", False: "❌", None: "—"}[r.get("ok")]
        note = r.get("error") or r.get("note") or ""
        extras = [f"{k}={fmt(v)}" for k, v in r.items() if k in EXTRA_KEYS and v not in (None, "", [])]
        detail = "; ".join(x for x in [note, ", ".join(extras)] if x)
        new_rows[r["name"]] = (f"| `{r['name']}` | {fmt(r.get('value'))} | {r.get('unit', '')} | {target_text(r)} | "
                               f"{fmt(r.get('floor'))} | {ok} | {r.get('script', '')} ({mode}, {stamp}) | "
                               f"{detail.replace('|', '/')} |")
    merged = {**old_rows, **new_rows}
    order = [n for n in ORDER if n in merged] + sorted(n for n in merged if n not in ORDER)
    lines = ["", f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
                 f"QT_QPA_PLATFORM=offscreen (CPU raster). Last run: {stamp} ({mode}).", "",
             "| Figure | Value | Unit | Target | Floor | Met | Source (mode, when) | Detail |",
             "|---|---:|---|---|---:|:-:|---|---|"]
    lines += [merged[n] for n in order]
    DOC.write_text(head + BEGIN + "\n" + "\n".join(lines) + "\n" + END + tail, encoding="utf-8")


ORDER = ["event_to_pixel_p50_ms", "event_to_pixel_p99_ms", "ingest_events_per_s", "ingest_floor_ratio",
         "burst_max_stall_ms", "wall_4k_paint_ms", "map_recolor_ms_6098", "kpi_query_ms_10m", "rss_mb_100k_open",
         "soak_rss_growth_pct", "startup_first_frame_s", "startup_first_frame_s_big"]
EXTRA_KEYS = {"p99_ms", "max_ms", "missed", "tracked", "floor_per_s", "records", "rss_empty_mb", "growth_mb",
              "minutes", "store", "all_in_s", "to_live_p50_ms", "n", "grab_ms", "missing_tiles", "rows",
              "cpu_s", "at_first_frame", "loaded_s"}


def default_doc() -> str:
    return """# Benchmarks

How fast the wall is where a command center feels it, measured by scripts (never timed unit tests).

## How to run

    .venv/bin/python -m bench               # everything (< 15 min on 2 cores; the 90-min soak runs on top)
    .venv/bin/python -m bench --quick       # CI sizes, soak 3 min
    .venv/bin/python -m bench --only burst  # one bench (matches script or figure name)
    .venv/bin/python -m bench --soak-minutes 10

Each bench runs in its own subprocess with `QT_QPA_PLATFORM=offscreen` and a timeout and prints one JSON object
per line (`name`, `value`, `unit`, `target`, `floor` where it applies, `ok`). The runner rewrites the table below
(between the bench markers) and keeps rows of figures a run did not touch. Figures come from a shared 2-core
machine with CPU raster painting: re-run before relying on one.

"""


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="CI-sized runs")
    ap.add_argument("--only", action="append", default=[], metavar="NAME",
                    help="run benches whose script or figure name contains NAME (repeatable)")
    ap.add_argument("--soak-minutes", type=float, default=None)
    ap.add_argument("--no-doc", action="store_true", help="do not rewrite docs/benchmarks.md")
    ap.add_argument("--list", action="store_true", help="list the benches and exit")
    args = ap.parse_args(argv)
    benches = plan(args.soak_minutes, args.quick)
    if args.only:
        benches = [b for b in benches if any(o in b.script or any(o in n for n in b.names) for o in args.only)]
    if args.list:
        for b in benches:
            print(b.script, " ".join(b.quick if args.quick else b.full), "→", ", ".join(b.names) or "(their figures)")
        return 0
    if not benches:
        print(f"no bench matches {args.only}", file=sys.stderr)
        return 2
    python = sys.executable
    all_results: list[dict] = []
    t0 = time.monotonic()
    for b in benches:
        print(f"# {b.script} …", file=sys.stderr, flush=True)
        results = run_one(b, args.quick, python)
        for r in results:
            print(json.dumps(r, ensure_ascii=False), flush=True)
        all_results += results
    print(f"# {len(all_results)} figures in {time.monotonic() - t0:.0f} s; "
          f"{sum(1 for r in all_results if r.get('ok') is False)} miss their target", file=sys.stderr)
    if not args.no_doc:
        write_table(all_results, args.quick)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
