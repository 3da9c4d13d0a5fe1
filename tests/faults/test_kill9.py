"""kill -9 of a headless recorder during a burst, then a restart: every committed record survives,
nothing is stored twice, and the feed resumes from its saved cursor."""
from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

from tests.support import subprocess_env
from tests.support.faults import bump, incident, log_duplicates, store_versions
from tests.support.fixtures import holds_within

RECORDER = Path(__file__).resolve().parents[1] / "support" / "recorder.py"


def start_recorder(url: str, store_url: str) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, str(RECORDER), url, store_url], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True, env=subprocess_env())
    assert proc.stdout.readline().strip() == "started"
    return proc


def cursor(path) -> str | None:
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        row = db.execute("SELECT cursor FROM feed_cursors WHERE feed='city'").fetchone()
    except sqlite3.OperationalError:
        row = None
    finally:
        db.close()
    return row[0] if row else None


def converged(path, latest: dict[str, int]) -> bool:
    """Every version the backend published is in the store (one read of the table per check)."""
    stored = store_versions(path)
    return all(stored.get(k) == v for k, v in latest.items())


def test_kill9_during_a_burst_then_restart(city, tmp_path):
    path = tmp_path / "rec.db"
    store_url = f"sqlite:///{path}"
    burst = [incident(i, prefix="b", big=2000) for i in range(6000)]
    rec = start_recorder(city.url, store_url)
    try:
        city.publish(burst[:3000])
        assert holds_within(lambda: path.exists() and len(store_versions(path)) >= 800, 30)
        city.publish(burst[3000:])        # the kill lands while this half streams in (a fast recorder had
        os.kill(rec.pid, signal.SIGKILL)  # stored all 6,000 before a kill at 800)
        rec.wait(10)
        committed = store_versions(path)              # what the killed recorder had confirmed (committed)
        saved = cursor(path)
        assert 0 < len(committed) < len(burst), "the kill did not land mid-burst"
        city.publish(bump(burst[:500]))
        rec = start_recorder(city.url, store_url)
        assert holds_within(lambda: converged(path, city.latest), 60)
    finally:
        rec.kill()
        rec.wait(10)
    final = store_versions(path)
    lost = [k for k, v in committed.items() if final.get(k, 0) < v]
    assert not lost, f"committed before the kill, missing after: {lost[:5]}"
    assert not log_duplicates(path), "a record version was stored twice (restart did not resume from the cursor)"
    assert saved is not None and cursor(path) != saved
