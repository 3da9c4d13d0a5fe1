"""How many messages per second the simulator's SSE stream sustains on one core.

The server runs in a child process pinned to CPU 0 (the client to CPU 1 when there is one), with a
large backlog generated up front (district profile, --rate 20, 24 h of history); the client replays
the stream from cursor 0 and counts SSE frames. Prints messages/s; the target is ≥ 5,000.
Usage: .venv/bin/python bench/sim_sse_throughput.py [--rate 20] [--hours 24]
"""
from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import time

import httpx


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rate", type=float, default=20.0)
    ap.add_argument("--hours", type=float, default=24.0)
    ap.add_argument("--profile", default="district")
    args = ap.parse_args()
    cpus = sorted(os.sched_getaffinity(0))
    server = subprocess.Popen(
        [sys.executable, "-m", "commandcenter", "sim", "--port", "0", "--profile", args.profile, "--rate", str(args.rate),
         "--history-hours", str(args.hours), "--min-live-rate", "0", "--start", "2026-11-23T04:00:00Z"],
        stdout=subprocess.PIPE, text=True, preexec_fn=lambda: os.sched_setaffinity(0, {cpus[0]}))
    try:
        url = ""
        assert server.stdout is not None
        for line in server.stdout:
            if line.startswith("http"):
                url = line.strip()
                break
        if len(cpus) > 1:
            os.sched_setaffinity(0, {cpus[1]})
        backlog = httpx.get(f"{url}/status").json()["last_seq"]
        # a bare socket client, so the measurement is the server's, not a Python HTTP client's parsing
        host, port = url.split("//")[1].split("/")[0].split(":")
        count = 0
        t0 = time.perf_counter()
        with socket.create_connection((host, int(port)), timeout=30) as sock:
            sock.sendall(b"GET /api/v1/stream HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n")
            tail = b""
            while count < backlog:
                chunk = sock.recv(1 << 20)
                if not chunk:
                    break
                data = tail + chunk
                count += data.count(b"\nid: ")
                tail = data[-5:]
        dt = time.perf_counter() - t0
        print(f"SSE replay: {count} messages in {dt:.2f} s = {count / dt:,.0f} messages/s "
              f"(server on one core, backlog {backlog}, target ≥ 5,000)")
        return 0 if count / dt >= 5000 else 1
    finally:
        server.terminate()
        server.wait(10)


if __name__ == "__main__":
    sys.exit(main())
