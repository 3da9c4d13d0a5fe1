"""A backend's clock as the wall estimates it: NTP-style samples, the median of the lowest-delay ones, the
Date header's one-second resolution, a sped-up simulator followed through its speed."""
from __future__ import annotations

from datetime import datetime, timedelta, UTC
from email.utils import format_datetime

from commandcenter.config import config_from_dict
from commandcenter.feeds.clock import BackendClock, BackendClocks

LOCAL = 1_800_000_000.0      # local epoch seconds of the samples


def at(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def test_the_offset_is_the_median_of_the_samples_with_the_shortest_round_trips():
    clock = BackendClock()
    # backend 40 s behind; fast answers say so, slow ones (a long queue on the way back) say less
    for k in range(6):
        clock.observe(at(LOCAL + k - 40.0), LOCAL + k - 0.002, LOCAL + k + 0.002)
    for k in range(6, 12):
        clock.observe(at(LOCAL + k - 40.0 - 3.0), LOCAL + k - 6.0, LOCAL + k + 0.0)
    assert abs((clock.now(LOCAL + 100) - at(LOCAL + 60)).total_seconds()) < 0.01


def test_a_few_delayed_answers_do_not_pull_a_young_estimate():
    clock = BackendClock()
    for k in range(2):                                       # two fast answers: backend 40 s behind
        clock.observe(at(LOCAL + k - 40.0), LOCAL + k - 0.002, LOCAL + k + 0.002)
    for k in range(2, 5):                                    # then a slow backend: stamped, then held 400 ms
        clock.observe(at(LOCAL + k - 40.0), LOCAL + k, LOCAL + k + 0.4)
    assert abs((clock.now(LOCAL + 100) - at(LOCAL + 60)).total_seconds()) < 0.01


def test_an_http_date_is_read_as_the_middle_of_its_second():
    clock = BackendClock()
    backend = at(LOCAL - 40.0)                  # exactly on a second
    clock.observe_http_date(format_datetime(backend, usegmt=True), LOCAL, LOCAL)
    assert abs((clock.now(LOCAL) - backend).total_seconds() - 0.5) < 1e-6
    clock.observe_http_date("not a date", LOCAL, LOCAL)   # ignored
    clock.observe_http_date(None, LOCAL, LOCAL)


def test_a_sped_up_backend_is_followed_at_its_speed():
    clock = BackendClock()
    clock.set_rate(30.0)
    clock.observe(at(LOCAL * 30 - 5), LOCAL, LOCAL)
    assert abs((clock.now(LOCAL + 2) - at(LOCAL * 30 - 5 + 60)).total_seconds()) < 1e-3


def test_the_wall_keeps_the_drill_backends_time_and_reports_offsets_beyond_a_few_seconds():
    config = config_from_dict({
        "feeds": [{"name": "city", "url": "http://127.0.0.1:9/api/v1"},
                  {"name": "weather", "kind": "cap", "url": "http://127.0.0.2:9/cap"}],
        "drill": {"backend": "city"}})
    clocks = BackendClocks(config.feeds, config.drill.backend)
    before = datetime.now(UTC)
    assert before - timedelta(seconds=1) <= clocks.now() <= datetime.now(UTC)   # unknown: local time
    import time

    now = time.time()
    clocks.for_feed("city").observe(at(now - 38.2), now, now)
    clocks.for_feed("weather").observe(at(now + 1.0), now, now)
    assert abs((datetime.now(UTC) - clocks.now()).total_seconds() - 38.2) < 0.5
    shown = clocks.shown_offsets()
    assert list(shown) == ["city"] and round(shown["city"]) == -38


def test_a_command_reads_a_simulator_40_s_behind_once_and_a_speed_up_with_it():
    from commandcenter.sim import run_in_thread

    start = datetime.now(UTC) - timedelta(seconds=40)
    with run_in_thread(profile="street", seed=2, start_time=start, history_hours=0.5, speed=5.0) as city:
        config = config_from_dict({"feeds": [{"name": "city", "url": city.url}]})
        clocks = BackendClocks(config.feeds)
        clocks.read_once()
        clock = clocks.for_feed("city")
        assert clock.rate == 5.0
        assert abs((clocks.now() - city.server.clock.now()).total_seconds()) < 0.5
