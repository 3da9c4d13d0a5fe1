"""Helpers shared by the test folders, imported as `tests.support.<module>` (pytest puts the checkout on its path).

- `fixtures`: the pytest fixtures every folder may use (registered by tests/conftest.py).
- `feeds`: a loopback aiohttp server, a collecting sink and a scriptable push backend for feed tests.
- `store`: record builders for store tests and a fresh PostgreSQL schema per test.
- `faults`: a quiet simulated city we publish into, and checks of what a store file holds.
- `drills`: the scripted drill scenario and its clock.
- `wall`, `wall_data`, `words_city`, `map_data`, `tables`: records, configs and tiles for the wall's tests.
- `golden`: comparing a rendered image with a committed golden one, with a tolerance.
- `recorder.py`: a headless ingest process the kill -9 fault test starts and kills.
- `recorders`: `commandcenter record` processes for the record and failover tests, their role in the store, and
  the store's record log counted per record version.
- `pg_tls`: a throwaway TLS-only PostgreSQL server with a CA made for the test.
"""
from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(__file__).resolve().parent / "data"


def subprocess_env(**extra: str) -> dict[str, str]:
    """The environment for a Python child process that imports `tests.support` (and this checkout's package)."""
    path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)
    return dict(os.environ, PYTHONPATH=path, **extra)


def pid_alive(pid: int) -> bool:
    """Whether a process of this id is still running (a child someone else started, and reaped once it ends)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True
