"""The simulator's drill channel: scenarios posted at runtime, played on its (held) clock, published on the
normal REST and SSE streams with the drill id, stopped by DELETE; the clock control that makes timings exact."""
from __future__ import annotations

import json
from pathlib import Path

import httpx

from commandcenter.domain import decode_incident, parse_time
from commandcenter.config import SCENARIOS_DIR

from tests.support.sim import START, read_sse

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = SCENARIOS_DIR / "sample-drill.toml"

SMALL = """
[scenario]
name = "小型演练"
[[events]]
at = "10s"
type = "incident"
ref = "fire"
category = "fire"
emergency = true
title = "仓库起火"
[[events]]
at = "40s"
type = "accepted"
ref = "fire"
[[events]]
at = "1m"
type = "alert"
ref = "rain"
level = "red"
alert_type = "weather"
title = "暴雨红色预警"
"""


def advance(url: str, seconds: float) -> dict:
    r = httpx.post(f"{url}/_control/clock", json={"advance_s": seconds})
    assert r.status_code == 200, r.text
    return r.json()


def items(url: str, kind: str) -> list[dict]:
    return httpx.get(f"{url}/{kind}", params={"limit": 5000}).json()["items"]


def test_a_held_clock_moves_only_when_advanced(fresh) -> None:
    sim = fresh(random_city=False, hold_clock=True)
    assert httpx.get(f"{sim.url}/_control/clock").json() == {"sim_time": "2026-11-23T04:00:00Z", "held": True,
                                                             "speed": 1.0}
    assert advance(sim.url, 90)["sim_time"] == "2026-11-23T04:01:30Z"
    assert httpx.get(f"{sim.url}/status").json()["sim_time"] == "2026-11-23T04:01:30Z"
    r = httpx.post(f"{sim.url}/_control/clock", json={"advance_s": -5})
    assert r.status_code == 400 and "back" in r.json()["error"]


def test_a_posted_drill_is_played_on_the_sim_clock_and_published_with_its_drill_id(fresh) -> None:
    sim = fresh(random_city=False, hold_clock=True)
    advance(sim.url, 60)
    before = httpx.get(f"{sim.url}/status").json()["last_seq"]
    r = httpx.post(f"{sim.url}/_control/drills", json={"drill_id": "D-1", "toml": SMALL})
    assert r.status_code == 201, r.text
    assert r.json()["started_at"] == "2026-11-23T04:01:00Z" and r.json()["events"] == 3
    advance(sim.url, 9)
    assert [i for i in items(sim.url, "incidents") if i["drill_id"]] == []
    advance(sim.url, 41)                                    # drill offset 50 s
    [fire] = [decode_incident(i) for i in items(sim.url, "incidents") if i["drill_id"] == "D-1"]
    assert fire.id == "D-1:fire" and fire.version == 2
    assert fire.reported_at == parse_time("2026-11-23T04:01:10Z")
    assert (fire.accepted_at - fire.reported_at).total_seconds() == 30
    advance(sim.url, 10)
    [alert] = [a for a in items(sim.url, "alerts") if a["drill_id"] == "D-1"]
    assert alert["level"] == 4 and alert["status"] == "active"
    # the push stream carries the same records, drill id and all
    pushed = [m for m in (json.loads(e.data) for e in read_sse(sim.url, 20, last_id=before, timeout=3))
              if m["type"] in ("incident", "resource", "alert")]
    assert [(m["type"], m["data"]["id"], m["data"]["drill_id"]) for m in pushed] == [
        ("incident", "D-1:fire", "D-1"), ("incident", "D-1:fire", "D-1"), ("alert", "D-1:rain", "D-1")]
    assert httpx.get(f"{sim.url}/_control/drills").json()["drills"][0]["finished"] is True


def test_deleting_a_drill_stops_it_and_cancels_its_warnings(fresh) -> None:
    sim = fresh(random_city=False, hold_clock=True)
    body = {"drill_id": "D-2", "toml": SAMPLE.read_text(encoding="utf-8")}
    assert httpx.post(f"{sim.url}/_control/drills", json=body).status_code == 201
    advance(sim.url, 150)                                   # the fire and the red rainstorm warning are out
    r = httpx.delete(f"{sim.url}/_control/drills/D-2")
    assert r.status_code == 200 and r.json()["stopped_at"] == "2026-11-23T04:02:30Z"
    [alert] = [a for a in items(sim.url, "alerts") if a["drill_id"] == "D-2"]
    assert alert["status"] == "cancelled" and alert["updated_at"] == "2026-11-23T04:02:30Z"
    before = httpx.get(f"{sim.url}/status").json()["last_seq"]
    advance(sim.url, 3600)                                  # nothing more of the drill is played
    for kind in ("incidents", "resources", "alerts"):
        later = httpx.get(f"{sim.url}/{kind}", params={"since": before, "limit": 5000}).json()["items"]
        assert [r["id"] for r in later if r["drill_id"] == "D-2"] == [], kind
    assert httpx.get(f"{sim.url}/_control/drills").json() == {"drills": []}
    assert httpx.delete(f"{sim.url}/_control/drills/D-2").status_code == 404


def test_the_json_form_is_accepted_and_bad_scenarios_are_refused_with_the_reason(fresh) -> None:
    from commandcenter.domain.drill_scenario import parse_scenario, scenario_to_dict

    sim = fresh(random_city=False, hold_clock=True)
    sc = parse_scenario(SMALL)
    assert httpx.post(f"{sim.url}/_control/drills", json={"drill_id": "D-3", "scenario": scenario_to_dict(sc)}
                      ).status_code == 201
    again = httpx.post(f"{sim.url}/_control/drills", json={"drill_id": "D-3", "toml": SMALL})
    assert again.status_code == 409 and "already running" in again.json()["error"]
    bad = SMALL.replace('category = "fire"', 'category = "volcano"')
    r = httpx.post(f"{sim.url}/_control/drills", json={"drill_id": "D-4", "toml": bad})
    assert r.status_code == 400 and "volcano" in r.json()["error"] and "10s" in r.json()["error"]
    r = httpx.post(f"{sim.url}/_control/drills", json={"drill_id": "D-5", "toml": "[[events]]\nat = 'soon'\ntype = 'incident'"})
    assert r.status_code == 400 and "soon" in r.json()["error"]
    r = httpx.post(f"{sim.url}/_control/drills", json={"drill_id": "D-6"})
    assert r.status_code == 400 and "scenario" in r.json()["error"]
    assert [d["drill_id"] for d in httpx.get(f"{sim.url}/_control/drills").json()["drills"]] == ["D-3"]


def test_the_scenario_json_form_reads_back_equal() -> None:
    from commandcenter.domain.drill_scenario import parse_scenario, scenario_from_dict, scenario_to_dict

    sc = parse_scenario(SAMPLE.read_text(encoding="utf-8"), path=str(SAMPLE))
    back = scenario_from_dict(json.loads(json.dumps(scenario_to_dict(sc))), path=str(SAMPLE))
    assert back == sc and START.tzinfo is not None
