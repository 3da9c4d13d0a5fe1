"""Shared fixtures: offscreen Qt, a qasync loop per test (pytest-qt has no asyncio support), a temp SQLite store."""
from __future__ import annotations

import asyncio
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402


@pytest.fixture
def qloop(qapp):
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


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'wall.db'}"




@pytest.fixture
def eventually():
    """The `_eventually` coroutine function, for tests."""
    return _eventually


async def _eventually(predicate, timeout: float = 10.0, step: float = 0.05) -> bool:
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
