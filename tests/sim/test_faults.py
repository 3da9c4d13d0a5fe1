"""Every fault switch, set through the control endpoint (and the CLI flags), does what it says."""
from __future__ import annotations

import json
import time

import httpx
import pytest

from commandcenter.cli import build_parser
from commandcenter.sim import Faults

from tests.support.sim import read_sse, seqs

pytestmark = pytest.mark.fault


def _set(sim, **faults) -> dict:
    r = httpx.post(f"{sim.url}/_control/faults", json=faults)
    assert r.status_code == 200, r.text
    return r.json()


def test_control_endpoint_sets_reads_and_rejects(fresh) -> None:
    sim = fresh()
    assert _set(sim, latency_ms=5, drop_every=3)["drop_every"] == 3
    assert httpx.get(f"{sim.url}/_control/faults").json()["latency_ms"] == 5
    assert httpx.post(f"{sim.url}/_control/faults", json={"nope": 1}).status_code == 400
    assert httpx.post(f"{sim.url}/_control/faults", json={"error_rate": 2}).status_code == 400
    assert _set(sim, reset=True) == Faults().as_dict()


def test_latency_delays_every_response(fresh) -> None:
    sim = fresh()
    _set(sim, latency_ms=300)
    t = time.perf_counter()
    httpx.get(f"{sim.url}/status")
    assert time.perf_counter() - t >= 0.3


def test_error_rate_answers_503(fresh) -> None:
    sim = fresh()
    _set(sim, error_rate=1.0)
    assert httpx.get(f"{sim.url}/incidents").status_code == 503
    _set(sim, error_rate=0.5)
    codes = [httpx.get(f"{sim.url}/status").status_code for _ in range(60)]
    assert 10 <= codes.count(503) <= 50
    assert set(codes) == {200, 503}


def test_drop_every_n_closes_the_stream_and_resume_fills_the_gap(fresh) -> None:
    sim = fresh()
    _set(sim, drop_every=10)
    got: list[int] = []
    last = None
    for _ in range(5):
        events = read_sse(sim.url, 100, last_id=last, timeout=3)
        assert len(events) == 10, "the connection ends after 10 messages"
        got += seqs(events)
        last = got[-1]
    assert got == list(range(1, 51))


def test_duplicate_rate_sends_messages_twice(fresh) -> None:
    sim = fresh()
    _set(sim, duplicate_rate=0.5)
    s = seqs(read_sse(sim.url, 100))
    assert len(s) - len(set(s)) >= 20
    assert sorted(set(s)) == list(range(1, len(set(s)) + 1))


def test_reorder_rate_swaps_messages(fresh) -> None:
    sim = fresh()
    _set(sim, reorder_rate=0.3)
    s = seqs(read_sse(sim.url, 100))
    assert s != sorted(s)
    assert sorted(s) == list(range(1, 101))


def test_malformed_rate_sends_broken_json_with_its_id(fresh) -> None:
    sim = fresh()
    _set(sim, malformed_rate=0.2)
    events = read_sse(sim.url, 100)
    broken = 0
    for e in events:
        try:
            json.loads(e.data)
        except json.JSONDecodeError:
            broken += 1
    assert 5 <= broken <= 40
    assert [int(e.id) for e in events] == list(range(1, 101))
    items = httpx.get(f"{sim.url}/incidents", params={"limit": 200}).json()["items"]
    assert any(i.get("version") == "not-a-number" for i in items)


def test_stall_keeps_the_connection_open_and_silent(fresh) -> None:
    sim = fresh(heartbeat_s=0.2)
    _set(sim, stall=True)
    with pytest.raises(httpx.ReadTimeout):
        httpx.get(f"{sim.url}/status", timeout=httpx.Timeout(5, read=0.8))
    with httpx.Client(timeout=httpx.Timeout(5, read=0.8)) as c, pytest.raises(httpx.ReadTimeout), \
            c.stream("GET", f"{sim.url}/stream") as resp:   # not even headers, no heartbeats
        for _ in resp.iter_raw():
            pass
    _set(sim, stall=False)
    assert httpx.get(f"{sim.url}/status").status_code == 200


def test_cli_flags_reach_the_fault_switches() -> None:
    args = build_parser().parse_args(["sim", "--latency-ms", "50", "--error-rate", "0.1", "--drop-every", "7",
                                      "--duplicate-rate", "0.2", "--reorder-rate", "0.3", "--malformed-rate", "0.05",
                                      "--stall"])
    assert (args.latency_ms, args.error_rate, args.drop_every, args.duplicate_rate, args.reorder_rate,
            args.malformed_rate, args.stall) == (50, 0.1, 7, 0.2, 0.3, 0.05, True)
