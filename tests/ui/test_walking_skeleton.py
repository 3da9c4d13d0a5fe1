"""End to end on real parts: the simulated city on loopback → native feed → SQLite store → live state → table model."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

from commandcenter.config import config_from_dict
from commandcenter.services import IngestPipeline, LiveState
from commandcenter.store import Store
from commandcenter.ui.models.incidents import IncidentTableModel

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def city():
    from commandcenter.sim import run_in_thread

    # rate 4: enough incidents within seconds at any hour (the street is quiet at night: 16 in 6 h at rate 1)
    sim = run_in_thread(profile="street", seed=7, rate=4.0)
    yield sim
    sim.stop()


def poll_config(url: str):
    return config_from_dict({"feeds": [{"name": "city", "kind": "native", "url": url, "mode": "poll", "interval": 0.2}]})


def test_incidents_reach_the_store_before_the_table_model(qapp, qloop, city, sqlite_url, eventually):
    store = Store.open(sqlite_url)
    live = LiveState()
    model = IncidentTableModel(live, flush_ms=10)
    shown_before_committed: list[str] = []

    def check_committed(change):
        for inc in change.incidents[:5]:
            if store.incident(inc.id) is None:
                shown_before_committed.append(inc.id)

    live.on_change(check_committed)
    pipeline = IngestPipeline(poll_config(city.url), store, live)

    async def scenario() -> bool:
        await pipeline.start()
        try:
            return await eventually(lambda: model.rowCount() > 0 and len(live.incidents) >= 20)
        finally:
            await pipeline.close()

    assert qloop.run_until_complete(scenario())
    stored = {i.id: i for i in store.incidents(limit=100_000, drill=None)}
    assert set(live.incidents) <= set(stored)
    assert all(stored[i].version == live.incidents[i].version for i in live.incidents)
    assert shown_before_committed == []
    assert model.incident_at(0).id in stored
    assert store.cursor("city") is not None
    store.close()


def test_a_restarted_pipeline_resumes_from_the_saved_cursor_without_duplicates(qapp, qloop, city, sqlite_url, eventually):
    store = Store.open(sqlite_url)

    async def scenario() -> tuple[str | None, int]:
        first = IngestPipeline(poll_config(city.url), store, LiveState())
        await first.start()
        assert await eventually(lambda: store.cursor("city") is not None)
        await first.close()
        cursor = store.cursor("city")
        count = len(store.incidents(limit=100_000, drill=None))
        second = IngestPipeline(poll_config(city.url), store, LiveState())
        await second.start()
        assert await eventually(lambda: store.cursor("city") != cursor)
        await second.close()
        return cursor, count

    _, count_after_first = qloop.run_until_complete(scenario())
    ids = [i.id for i in store.incidents(limit=100_000, drill=None)]
    assert len(ids) == len(set(ids)) >= count_after_first
    store.close()


def test_snapshot_writes_a_png_of_exactly_the_asked_size_that_is_not_blank(tmp_path):
    out = tmp_path / "wall.png"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    result = subprocess.run(
        [sys.executable, "-m", "commandcenter", "snapshot", "--demo", "--out", str(out), "--size", "1600x900", "--after", "3"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    image = QImage(str(out))
    assert (image.width(), image.height()) == (1600, 900)
    colours = {image.pixel(x, y) for x in range(0, 1600, 37) for y in range(0, 900, 23)}
    assert len(colours) > 20, "the snapshot looks blank"


def test_demo_without_a_display_explains_how_to_run_headless_and_fails():
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    result = subprocess.run([sys.executable, "-m", "commandcenter", "demo"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "snapshot --demo" in result.stderr
