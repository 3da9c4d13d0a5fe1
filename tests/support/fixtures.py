"""Fixtures every test folder may use: a qasync loop per test (pytest-qt has no asyncio support), waiting for a
condition inside it, temp stores on SQLite and PostgreSQL, and garbage collection kept on the main thread."""
from __future__ import annotations

import asyncio
import gc
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from commandcenter.store import Store

from tests.support.store import PG_URL, pg_schema_url


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-goldens", action="store_true", default=False,
                     help="rewrite tests/ui/golden/*.png from this run's pictures instead of comparing with them")


@pytest.fixture
def update_goldens(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-goldens"))


@pytest.fixture
def qloop(qapp: Any) -> Iterator[asyncio.AbstractEventLoop]:
    """A qasync event loop over the test's QApplication; a test runs ONE scenario coroutine with
    `qloop.run_until_complete(scenario())` (see `eventually`).

    Teardown cancels what the test left running and closes the loop, so no task leaks into the next test.
    """
    import qasync

    loop = qasync.QEventLoop(qapp)
    asyncio.set_event_loop(loop)
    yield loop
    pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
    for t in pending:
        t.cancel()
    if pending:
        loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
    loop.run_until_complete(loop.shutdown_asyncgens())
    loop.close()
    asyncio.set_event_loop(None)


async def eventually_holds(predicate: Callable[[], object], timeout: float = 10.0, step: float = 0.05) -> bool:
    """Await until predicate() holds or the timeout passes; returns the final value.

    Use inside ONE `qloop.run_until_complete(scenario())` per test: between two
    run_until_complete calls qasync may run task steps with no running loop, which
    breaks httpx/anyio ("no running event loop").
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        if predicate():
            return True
        await asyncio.sleep(step)
    return bool(predicate())


def holds_within(predicate: Callable[[], object], timeout: float = 10.0, step: float = 0.05) -> bool:
    """`eventually_holds` for a test without an event loop (what it waits for runs in threads or processes)."""
    return asyncio.run(eventually_holds(predicate, timeout, step))


@pytest.fixture
def eventually() -> Callable[..., Awaitable[bool]]:
    """The `eventually_holds` coroutine function, for tests."""
    return eventually_holds


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'wall.db'}"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A store URL on SQLite and, when COMMANDCENTER_TEST_PG_URL is set, on PostgreSQL (a fresh schema)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.db'}"
        return
    if not PG_URL:
        pytest.skip("COMMANDCENTER_TEST_PG_URL is not set (run scripts/pg-test-server and export the URL it prints)")
    yield from pg_schema_url()


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    s = Store.open(store_url)
    yield s
    s.close()


@pytest.fixture
def other_store_url(store_url: str, tmp_path: Path) -> Iterator[str]:
    """A second, empty database on the same engine as `store_url` (to compare two ways of filling a store)."""
    if store_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'other.db'}"
        return
    yield from pg_schema_url()


@pytest.fixture
def gc_on_the_loop_thread() -> Iterator[None]:
    """Automatic GC off for the test; collected on the main thread at teardown.

    Tests that run walls, feeds and simulators in one process: a collection that happens to run on the store's
    (or the simulator's) worker thread finalises httpx stream generators and Qt objects off their thread, and
    the process can die with SIGSEGV. Use it with `pytestmark = pytest.mark.usefixtures(...)`.
    """
    gc.disable()
    yield
    gc.enable()
    gc.collect()
