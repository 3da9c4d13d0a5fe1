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
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
