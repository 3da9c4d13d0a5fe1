"""Helpers of the recorder-child tests: a config whose one feed is a running simulator, the incidents a store
holds, and whether a process has exited."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from commandcenter.sim import run_in_thread
from commandcenter.store import Store


@contextmanager
def sim_feed_config(folder: Path) -> Iterator[tuple[Path, str]]:
    """A config file whose one feed is a running simulator, and the SQLite store its recorder writes."""
    with run_in_thread(profile="street", seed=3, speed=30.0, history_hours=0.5) as sim:
        path = folder / "wall.toml"
        path.write_text(f'[[feeds]]\nname = "city"\nkind = "native"\nurl = "{sim.url}"\nmode = "sse"\n'
                        f'interval = 0.2\n', encoding="utf-8")
        yield path, f"sqlite:///{folder / 'wall.db'}"


def incidents_in(store_url: str) -> int:
    """Incidents the store holds (0 while the recorder has not created it yet)."""
    try:
        store = Store.open(store_url)
    except Exception:  # noqa: BLE001 - not created yet, or being migrated by the recorder right now
        return 0
    try:
        return len(store.incidents(open_only=False, limit=10**6, drill=None))
    finally:
        store.close()


def gone(pid: int) -> bool:
    """The process has exited (a zombie not yet reaped by whoever adopted it counts as exited)."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] == "Z"
    except FileNotFoundError:
        return True
