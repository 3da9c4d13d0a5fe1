"""`collect` runs the feeds into the store without a window; `export` writes back exactly what it holds."""
from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from commandcenter.cli import main
from commandcenter.domain import decode_alert, decode_incident, decode_resource
from commandcenter.sim import run_in_thread
from commandcenter.store import Store

ROOT = Path(__file__).resolve().parents[2]


def _config(tmp_path: Path, url: str, mode: str = "sse") -> tuple[Path, str]:
    db = f"sqlite:///{tmp_path / 'wall.db'}"
    cfg = tmp_path / "wall.toml"
    cfg.write_text(f'[store]\nurl = "{db}"\n\n[[feeds]]\nname = "city"\nkind = "native"\nurl = "{url}"\n'
                   f'mode = "{mode}"\ninterval = 0.2\n', encoding="utf-8")
    return cfg, db


def test_collect_then_export_round_trips(tmp_path, capsys):
    with run_in_thread(profile="street", seed=5, speed=30.0, history_hours=1.0) as sim:
        cfg, db = _config(tmp_path, sim.url)
        assert main(["collect", "--config", str(cfg), "--seconds", "3", "--quiet"]) == 0
    err = capsys.readouterr().err
    assert "batches committed" in err and "feed city" in err
    store = Store.open(db)
    try:
        held = {r.id: r for r in store.incidents(open_only=False, limit=10**6, drill=None)}
        alerts = {a.id: a for a in store.alerts(live_only=False, drill=None)}
        resources = {r.id: r for r in store.resources(drill=None)}
        assert held and resources and json.loads(store.cursor("city"))["seq"] > 0
    finally:
        store.close()

    out = tmp_path / "incidents.jsonl"
    assert main(["export", "incidents", "--config", str(cfg), "--out", str(out)]) == 0
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(lines) == len(held)
    for row in lines:
        assert isinstance(row["drill"], bool)
        rec = decode_incident(row)
        assert rec.id in held and rec.version == held[rec.id].version and rec.status == held[rec.id].status
    for what, decoder, want in (("alerts", decode_alert, alerts), ("resources", decode_resource, resources)):
        assert main(["export", what, "--config", str(cfg)]) == 0
        got = [decoder(json.loads(x)) for x in capsys.readouterr().out.splitlines()]
        assert {(r.id, r.version) for r in got} == {(r.id, r.version) for r in want.values()}

    # csv: one row per record with id, status, drill flag and times; time window filters
    assert main(["export", "incidents", "--config", str(cfg), "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert {r["id"] for r in rows} == set(held)
    assert {"id", "status", "drill", "updated_at", "reported_at"} <= set(rows[0])
    times = sorted(r.updated_at for r in held.values())
    mid = times[len(times) // 2].isoformat()
    assert main(["export", "incidents", "--config", str(cfg), "--since", mid]) == 0
    since_rows = capsys.readouterr().out.splitlines()
    assert len(since_rows) == sum(1 for t in times if t.isoformat() >= mid)
    assert main(["export", "quarantine", "--config", str(cfg), "--format", "csv"]) == 0
    assert capsys.readouterr().out.startswith("feed,kind,record_id,reason")


def test_collect_resumes_and_stops_cleanly_on_sigterm(tmp_path):
    with run_in_thread(profile="street", seed=6, speed=30.0, history_hours=1.0) as sim:
        cfg, db = _config(tmp_path, sim.url, mode="poll")
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        proc = subprocess.Popen([sys.executable, "-m", "commandcenter", "collect", "--config", str(cfg), "--quiet"],
                                cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True)
        try:
            deadline = time.monotonic() + 30
            cursor = None
            while time.monotonic() < deadline and cursor is None:
                time.sleep(0.3)
                if (tmp_path / "wall.db").exists():
                    try:
                        s = Store.open(db)
                        cursor = s.cursor("city")
                        s.close()
                    except Exception:  # noqa: BLE001 - schema not there yet
                        cursor = None
            assert cursor is not None, "collect committed nothing"
            proc.send_signal(signal.SIGTERM)
            _, err = proc.communicate(timeout=20)
        finally:
            if proc.poll() is None:
                proc.kill()
        assert proc.returncode == 0, err
        assert "SIGTERM" in err
        store = Store.open(db)
        before = {(r.id, r.version) for r in store.incidents(open_only=False, limit=10**6, drill=None)}
        store.close()
        # a second run resumes from the saved cursors: afterwards the store still holds each record once
        assert main(["collect", "--config", str(cfg), "--seconds", "1.5", "--quiet"]) == 0
        store = Store.open(db)
        after = store.incidents(open_only=False, limit=10**6, drill=None)
        store.close()
        assert len({r.id for r in after}) == len(after) >= len({i for i, _ in before})


def test_collect_native_sse_open311_and_cap_together(tmp_path, capsys):
    """The issue's 'done when': one config with a native SSE feed, an Open311 feed and a CAP feed."""
    import threading
    from functools import partial
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    fix = ROOT / "tests" / "feeds" / "fixtures"
    site = tmp_path / "site"
    (site / "open311" / "v2").mkdir(parents=True)
    (site / "cap").mkdir()
    (site / "open311" / "v2" / "requests.json").write_bytes((fix / "open311_requests.json").read_bytes())
    for name in ("cap_a2_thunderstorm.xml", "cap_a4_amber_multilingual.xml"):
        (site / "cap" / name).write_bytes((fix / name).read_bytes())
    (site / "cap" / "index.atom").write_text(
        "<feed xmlns='http://www.w3.org/2005/Atom'>" + "".join(
            f"<entry><id>{n}</id><updated>2026-11-23T10:00:00Z</updated>"
            f"<link type='application/cap+xml' href='{n}'/></entry>"
            for n in ("cap_a2_thunderstorm.xml", "cap_a4_amber_multilingual.xml")) + "</feed>", encoding="utf-8")

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), partial(Quiet, directory=str(site)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    web = f"http://127.0.0.1:{httpd.server_address[1]}"
    try:
        with run_in_thread(profile="street", seed=8, speed=30.0, history_hours=0.5) as sim:
            cfg, db = _config(tmp_path, sim.url)
            with cfg.open("a", encoding="utf-8") as fh:
                fh.write(f'\n[[feeds]]\nname = "sf311"\nkind = "open311"\nurl = "{web}/open311/v2"\ninterval = 0.5\n'
                         f'categories = {{ "Sidewalk and Curb Issues" = "utilities" }}\n'
                         f'\n[[feeds]]\nname = "weather"\nkind = "cap"\nurl = "{web}/cap/index.atom"\ninterval = 0.5\n')
            assert main(["collect", "--config", str(cfg), "--seconds", "2.5"]) == 0
    finally:
        httpd.shutdown()
    err = capsys.readouterr().err
    for name in ("city", "sf311", "weather"):
        assert f"feed {name}: live" in err, err[-2000:]
    store = Store.open(db)
    try:
        incidents = {r.id: r for r in store.incidents(open_only=False, limit=10**6, drill=None)}
        alerts = {a.id for a in store.alerts(live_only=False, drill=None)}
    finally:
        store.close()
    assert {"sf311:638344", "sf311:638349"} <= set(incidents)
    assert incidents["sf311:638344"].category.value == "utilities"
    assert any(not i.startswith("sf311:") for i in incidents)                       # the native feed's
    assert {"weather:KSTO1055887203", "weather:KAR0-0306112239-SW"} <= alerts
