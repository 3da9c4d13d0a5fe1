"""Starting a drill through a backend: refused or unreachable means nothing started; the [drill] config key."""
from __future__ import annotations

import socket
from datetime import datetime, UTC

import pytest

from commandcenter.config import ConfigError, parse_config
from commandcenter.services import LiveState
from commandcenter.services.drills import DrillBackend, DrillBackendError, DrillManager
from commandcenter.store import Store

from tests.support.drills import SCENARIO

pytestmark = pytest.mark.usefixtures("gc_on_the_loop_thread")  # walls, feeds and simulators share this process

START = datetime(2026, 11, 23, 4, 0, tzinfo=UTC)


@pytest.fixture
def store(tmp_path):
    s = Store.open(f"sqlite:///{tmp_path / 'drill.db'}")
    yield s
    s.close()


@pytest.fixture
def sim():
    from commandcenter.sim import run_in_thread

    running = run_in_thread(profile="street", seed=1, start_time=START, random_city=False, hold_clock=True)
    yield running
    running.stop()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_an_unreachable_backend_starts_nothing(store):
    backend = DrillBackend(f"http://127.0.0.1:{free_port()}/api/v1/_control/drills", timeout=2)
    mgr = DrillManager(store, LiveState(), backend=backend)
    with pytest.raises(DrillBackendError, match="unreachable"):
        mgr.start(SCENARIO, actor="张主任")
    assert mgr.current is None and store.actions_since(0) == []


def test_a_refusing_backend_starts_nothing_and_says_why(store, sim):
    backend = DrillBackend(f"{sim.url}/_control/drills")
    other = DrillManager(store, LiveState(), backend=backend, console="other")
    first = other.start(SCENARIO, actor="李科长", drill_id="DRILL-X")
    mgr = DrillManager(store, LiveState(), backend=backend)      # a console that has not synced yet
    with pytest.raises(DrillBackendError, match=r"refused \(409\).*already running"):
        mgr.start(SCENARIO, actor="张主任", drill_id="DRILL-X")
    assert [a.target_id for a in store.actions_since(0)] == [first.id]
    assert [d["drill_id"] for d in backend.running()] == ["DRILL-X"]


def test_the_drill_starts_on_the_backend_clock_and_stops_there(store, sim):
    backend = DrillBackend(f"{sim.url}/_control/drills")
    mgr = DrillManager(store, LiveState(), backend=backend, clock=sim.server.clock.now)
    drill = mgr.start(SCENARIO, actor="张主任", reason="月度演练")
    assert drill.started_at == START and not drill.local and mgr.player is None
    [start] = store.actions_since(0)
    assert start.kind.value == "drill_start" and start.actor == "张主任" and start.drill_id == drill.id
    with pytest.raises(ValueError, match="speed"):
        DrillManager(store, LiveState(), backend=backend).start(SCENARIO, actor="a", speed=10)
    mgr.stop(actor="张主任")
    assert backend.running() == [] and mgr.backend_error == ""
    assert [a.kind.value for a in store.actions_since(0)] == ["drill_start", "drill_stop"]


def test_a_backend_gone_at_stop_still_ends_the_drill_and_says_so(store, sim):
    backend = DrillBackend(f"{sim.url}/_control/drills", timeout=2)
    mgr = DrillManager(store, LiveState(), backend=backend, clock=sim.server.clock.now)
    mgr.start(SCENARIO, actor="张主任")
    backend.url = f"http://127.0.0.1:{free_port()}/api/v1/_control/drills"
    mgr.stop(actor="张主任")
    assert mgr.current is None and "unreachable" in mgr.backend_error
    assert [a.kind.value for a in store.actions_since(0)] == ["drill_start", "drill_stop"]


def test_the_drill_backend_must_name_a_native_http_feed():
    ok = parse_config('[[feeds]]\nname = "city"\nurl = "http://127.0.0.1:8700/api/v1"\n[drill]\nbackend = "city"\n')
    assert DrillBackend.from_config(ok).url == "http://127.0.0.1:8700/api/v1/_control/drills"
    assert DrillBackend.from_config(parse_config("")) is None            # no backend: the wall plays drills
    with pytest.raises(ConfigError, match=r"wall\.toml: .*drill\.backend: no feed named 'sim' \(feeds are: 'city'\)"):
        parse_config('[[feeds]]\nname = "city"\nurl = "http://x/api/v1"\n[drill]\nbackend = "sim"\n', "wall.toml")
    with pytest.raises(ConfigError, match=r"drill\.backend: feed 'warn' is cap"):
        parse_config('[[feeds]]\nname = "warn"\nkind = "cap"\nurl = "http://x/cap"\n[drill]\nbackend = "warn"\n')
    with pytest.raises(ConfigError, match=r"drill\.url: unknown key"):
        parse_config('[drill]\nurl = "http://x"\n')


def test_a_drill_is_stopped_on_the_backend_that_plays_it_even_after_the_config_changed(store, sim):
    backend = DrillBackend(f"{sim.url}/_control/drills")
    mgr = DrillManager(store, LiveState(), backend=backend, clock=sim.server.clock.now)
    mgr.start(SCENARIO, actor="张主任")
    mgr.backend = None                           # [drill] backend removed by a live config edit
    mgr.stop(actor="张主任")
    assert backend.running() == [] and mgr.backend_error == ""
