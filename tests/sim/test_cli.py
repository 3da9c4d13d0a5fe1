"""`commandcenter sim` prints its URL, serves, and exits cleanly on SIGTERM."""
from __future__ import annotations

import signal
import subprocess
import sys

import httpx


def test_sim_command_serves_until_sigterm() -> None:
    proc = subprocess.Popen([sys.executable, "-m", "commandcenter", "sim", "--port", "0", "--seed", "1",
                             "--start", "2026-11-23T04:00:00Z"], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        url = ""
        for _ in range(5):
            line = proc.stdout.readline()
            if line.startswith("http://127.0.0.1:"):
                url = line.strip()
                break
        assert url.endswith("/api/v1")
        status = httpx.get(f"{url}/status", timeout=5).json()
        assert status["grids"] == 197 and status["seed"] == 1
        assert status["demo_extra_events_per_s"] == 0      # the seeds' natural rate unless a demo asks for more
        assert status["natural_rates"]["events_per_day"] == 123.17      # Chaohai: 42,000 by day 341
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_demo_extra_events_are_named_so_and_announced(capsys) -> None:
    from commandcenter.cli import build_parser
    from commandcenter.cli.common import demo_city

    assert build_parser().parse_args(["sim", "--demo-extra-events-per-s", "2"]).demo_extra_events_per_s == 2
    assert build_parser().parse_args(["sim", "--min-live-rate", "1"]).demo_extra_events_per_s == 1   # the old name
    with demo_city("street", 1, extra_events_per_s=0.5) as (config, _):
        assert config.wall.demo_extra_events_per_s == 0.5       # the wall's title says so in its language
        assert "演示附加事件" not in config.wall.title
    assert "demo extra events: +0.5 per second" in capsys.readouterr().err
    with demo_city("street", 1, extra_events_per_s=0) as (config, _):
        assert config.wall.demo_extra_events_per_s == 0
