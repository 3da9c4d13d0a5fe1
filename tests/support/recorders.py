"""Recorder processes (`commandcenter record`) for the failover tests: start, watch their role in the store, and
check what the store's record log holds against what the simulated city published."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sqlalchemy import create_engine, text

from commandcenter.domain.recorder import RecorderRole
from commandcenter.store import Store
from tests.support import subprocess_env


def record_config(tmp_path: Path, feed_url: str, store_url: str, name: str = "record.toml") -> Path:
    """A config with one native SSE feed (fast health periods) and the store."""
    cfg = tmp_path / name
    cfg.write_text(f'[store]\nurl = "{store_url}"\n\n[[feeds]]\nname = "city"\nkind = "native"\n'
                   f'url = "{feed_url}"\nmode = "sse"\ninterval = 0.5\ntimeout = 1.0\n', encoding="utf-8")
    return cfg


def start_recorder(cfg: Path) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "commandcenter", "record", "--config", str(cfg), "--quiet"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=subprocess_env())


def role_of(store: Store, pid: int) -> RecorderRole | None:
    """The role recorder `pid` last wrote in the store (None: it has not written yet)."""
    for r in store.recorders():
        if r.pid == pid:
            return r.role
    return None


def logged_versions(store_url: str) -> dict[tuple[str, int], int]:
    """(incident id, version) → how many times the store's record log holds it."""
    engine = create_engine(store_url)
    try:
        with engine.connect() as c:
            rows = c.execute(text("SELECT record_id, version, COUNT(*) FROM record_log WHERE kind = 'incident' "
                                  "GROUP BY record_id, version")).all()
    finally:
        engine.dispose()
    return {(r[0], int(r[1])): int(r[2]) for r in rows}


def stop(proc: subprocess.Popen[str]) -> str:
    """Kill the process if it still runs; its stderr."""
    if proc.poll() is None:
        proc.kill()
    _, err = proc.communicate(timeout=20)
    return err or ""
