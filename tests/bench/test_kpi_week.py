"""bench/kpi_week.py, the simulated week read hour by hour by the cards' own code, on a tiny run (a street, one
day after one day of history), and its verdict on hand-made readings."""
from __future__ import annotations

import json
from datetime import datetime, time
from pathlib import Path

import pytest

from bench import kpi_week as KW
from commandcenter.domain import kpis as DK


def test_a_small_run_reads_every_hour_of_the_day_and_judges_it(tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "table.md"
    assert KW.main(["--profile", "street", "--days", "1", "--warmup-days", "1", "--out", str(out)]) == 0
    captured = capsys.readouterr()
    lines = [json.loads(ln) for ln in captured.err.splitlines() if ln.startswith("{")]
    readings = [d for d in lines if "at" in d]
    assert [datetime.fromisoformat(d["at"]).astimezone(KW.TZ).time() for d in readings] == list(KW.TIMES)
    events = [d["events"][0] for d in readings]
    assert events == sorted(events) and events[-1] > 0          # today's count only grows through the day
    for d in readings:
        for key, seed in DK.SEED_FIGURES.items():
            value, text, window = d[key]
            assert value is not None or text.startswith("数据不足")   # a figure, or says it has too few
            if value is not None:
                assert abs(value - seed) <= KW.TOLERANCE * seed, (d["at"], key, value)
    volume_lines = [ln for d in lines for ln in d.get("volumes", [])]
    assert any("事件数" in ln and "123.2 a day" in ln for ln in volume_lines)   # Chaohai's rate on `street`
    table = out.read_text(encoding="utf-8")
    rows = [ln for ln in table.splitlines() if ln.startswith("|")]
    assert len(rows) == 2 + len(KW.TIMES) + 2                   # header, rule, every hour, the month, the seeds
    assert "Verdict: " in table and "Volumes against the seeds' rates" in table

    log = tmp_path / "run.jsonl"
    log.write_text(captured.err, encoding="utf-8")
    KW.main(["--from-log", str(log)])
    again = capsys.readouterr().out
    hour_rows = [ln for ln in table.splitlines() if ln[2:4].isdigit()]
    assert hour_rows and all(row in again for row in hour_rows)   # the log gives back the same table


def _readings(value: float | None, text: str = "") -> dict[time, dict[str, list[KW.Reading]]]:
    """Every card at every hour reads its seed figure; 办结率 reads `value` at 13:00."""
    r: dict[time, dict[str, list[KW.Reading]]] = {
        t: {k: [(DK.SEED_FIGURES.get(k, 1.0), "", "today")] for k in KW.CARDS} for t in KW.TIMES}
    r[time(13, 0)]["completion_rate"] = [(value, text, "today")]
    return r


def test_the_verdict_passes_only_when_every_reading_is_within_ten_percent_of_its_seed() -> None:
    assert KW.verdict(_readings(90.0))[0]                        # 99.6 − 10 % = 89.64
    failed, lines = KW.verdict(_readings(89.5))
    assert not failed and any(ln.startswith("- FAIL 办结率") for ln in lines)


def test_the_verdict_fails_an_hour_that_reads_not_enough_data() -> None:
    passed, lines = KW.verdict(_readings(None, "数据不足（样本 6）"))
    assert not passed
    assert any("办结率 read 数据不足 1 times (13:00)" in ln for ln in lines)
