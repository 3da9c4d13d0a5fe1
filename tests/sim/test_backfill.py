"""A simulated city with a backfilled past (the demo's 20 days): lived without serialising, served once as each
record's latest version when the served history begins, and every case goes on living after it."""
from __future__ import annotations

from datetime import datetime, timedelta, UTC

from commandcenter.domain import decode_incident
from commandcenter.sim import SimServer

START = datetime(2026, 11, 23, 4, 0, tzinfo=UTC)


def test_the_backfilled_past_is_served_once_as_latest_versions_and_lives_on() -> None:
    sim = SimServer(profile="street", seed=3, history_hours=2, start_time=START, min_live_rate=0.0, backfill_days=3)
    sim.build()
    served_from = START - timedelta(hours=2)
    first: dict[str, dict] = {}
    versions: dict[str, list[int]] = {}
    for m in sim.log.messages:
        if m.type == "incident":
            first.setdefault(m.record_id, m.data)
            versions.setdefault(m.record_id, []).append(m.data["version"])
    past = {i: decode_incident(d) for i, d in first.items() if decode_incident(d).reported_at < served_from}
    assert 3 * 80 < len(past) < 3 * 170                 # Chaohai's ≈123 events a day, three days of them
    # served once at the start of the served history, in the version it had then: most already closed or further
    assert sum(1 for x in past.values() if x.version > 1) > 0.9 * len(past)
    assert all(vs == sorted(vs) and len(set(vs)) == len(vs) for vs in versions.values())
    # the cases still open then go on: later versions of backfilled incidents follow in the log
    assert any(len(versions[i]) > 1 for i in past)
    # resources are served too (the fleet is populated before the backfill ends)
    assert any(m.type == "resource" for m in sim.log.messages)
    # and the simulator's own figures count the backfilled past
    assert sim.world.kpis.figures(START - timedelta(days=2), START)["events"].value > 80
