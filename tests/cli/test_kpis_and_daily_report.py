"""`commandcenter kpis` prints the figures the KPI cards show (the same code), and `commandcenter report --daily`
writes the 运行日报 with its sections, in one language."""
from __future__ import annotations

import csv
import io
import json
from datetime import timedelta, timezone
from pathlib import Path

import pytest

from commandcenter.cli import main
from commandcenter.domain import decode_alert, decode_incident
from commandcenter.domain import kpis as DK
from commandcenter.sim import SimServer
from commandcenter.store import Store
from commandcenter.ui.models.kpis import FALLBACKS


@pytest.fixture(autouse=True)
def back_to_chinese():
    """A command run with --lang en leaves its translator on the process's application: take it off again."""
    yield
    from PySide6.QtCore import QCoreApplication

    if QCoreApplication.instance() is not None:
        from commandcenter.ui.resources import install_language

        install_language("zh_CN")


@pytest.fixture(scope="module")
def city(tmp_path_factory) -> tuple[Path, SimServer]:
    """A street with four simulated days, stored as the wall would have stored it; a config naming the store."""
    tmp = tmp_path_factory.mktemp("kpis")
    sim = SimServer(profile="street", seed=7, history_hours=96, min_live_rate=0.0)
    sim.build()
    db = f"sqlite:///{tmp / 'wall.db'}"
    with Store.open(db) as store:
        store.apply("city", territory=list(sim.city.nodes.values()),
                    incidents=[decode_incident(r) for _, r in sim.log.index["incident"].latest.values()],
                    alerts=[decode_alert(r) for _, r in sim.log.index["alert"].latest.values()])
    cfg = tmp / "wall.toml"
    cfg.write_text(f'[store]\nurl = "{db}"\n\n[[pages]]\nname = "p"\nrows = 1\ncolumns = 1\n\n'
                   '  [[pages.tiles]]\n  kind = "kpis"\n  row = 0\n  column = 0\n'
                   '  cards = ["events", "completion_rate", "overdue", "avg_arrival_time"]\n', encoding="utf-8")
    return cfg, sim


def test_kpis_prints_the_cards_figures_as_the_tile_computes_them(city, capsys) -> None:
    cfg, sim = city
    at = sim.world.now_dt
    assert main(["kpis", "--config", str(cfg), "--at", at.isoformat(), "--node", ""]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["period"] == "today" and [c["key"] for c in out["cards"]] == [
        "events", "completion_rate", "overdue", "avg_arrival_time"]   # the config's KPI tile's cards
    # the same figures the simulator computes from its own truth (the wall's store agrees with it)
    spans = {name: span for name, span in FALLBACKS}
    for card in out["cards"]:
        # a card short of data today shows a wider rolling window, and says which
        start = DK.period_start(at, "today") if card["period"] == "today" else at - spans[card["period"]]
        want = sim.world.kpis.figures(start, at)[card["key"]].value
        assert (card["value"] is None) == (want is None)
        if want is not None:
            assert card["value"] == pytest.approx(want, abs=1e-3)
        assert card["enough_data"] == (want is not None)
    completion = out["cards"][1]
    assert completion["label"] == "办结率" and completion["target"] == 99.0
    assert completion["text"].endswith("%") or completion["text"].startswith("数据不足（样本 ")

    assert main(["kpis", "--config", str(cfg), "--at", at.isoformat(), "--node", "", "--period", "year",
                 "--format", "csv", "--all"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [r["key"] for r in rows] == [d.key for d in DK.DEFS]
    assert {r["period"] for r in rows} <= {"year", "365d"}
    year = sim.world.kpis.figures(DK.period_start(at, "year"), at)
    assert float(rows[0]["value"]) == year["events"].value


def test_kpis_in_english_and_bad_arguments(city, capsys) -> None:
    cfg, sim = city
    assert main(["kpis", "--config", str(cfg), "--node", "", "--lang", "en",
                 "--at", sim.world.now_dt.isoformat()]) == 0
    out = json.loads(capsys.readouterr().out)
    labels = [c["label"] for c in out["cards"]]
    assert labels == ["Events", "Completion rate", "Overdue", "Avg. arrival (diverted 110 calls)"]
    with pytest.raises(SystemExit):
        main(["kpis", "--config", str(cfg), "--period", "week"])
    assert main(["kpis", "--config", str(cfg), "--at", "yesterday"]) == 2
    assert "--at" in capsys.readouterr().err


@pytest.mark.parametrize("lang, words, foreign", [
    ("zh_CN", ["运行日报", "当日指标与目标", "今年以来", "超期工作", "预警", "突发事件与1-10-20"], "Daily report"),
    ("en", ["Daily operations report", "figures against targets", "Year to date", "Overdue work",
            "Warnings", "Emergencies and 1-10-20"], "运行日报"),
])
def test_daily_report_has_its_sections_in_one_language(city, tmp_path, capsys, lang, words, foreign) -> None:
    cfg, sim = city
    day = sim.world.now_dt.astimezone(timezone(timedelta(hours=8))).date() - timedelta(days=1)
    html = tmp_path / "daily.html"
    assert main(["report", "--daily", day.isoformat(), "--config", str(cfg), "--out", str(html),
                 "--node", "", "--lang", lang]) == 0
    text = html.read_text(encoding="utf-8")
    for w in words:
        assert w in text, w
    assert foreign not in text
    pdf = tmp_path / "daily.pdf"
    assert main(["report", "--daily", day.isoformat(), "--config", str(cfg), "--out", str(pdf),
                 "--node", "", "--lang", lang]) == 0
    assert pdf.read_bytes()[:5] == b"%PDF-" and pdf.stat().st_size > 5000
    assert main(["report", "--daily", "not-a-date", "--config", str(cfg), "--out", str(pdf)]) == 2
    capsys.readouterr()
