"""Shared fixtures: offscreen Qt, a qasync loop per test (pytest-qt has no asyncio support), a temp SQLite store."""
from __future__ import annotations

import asyncio
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402


@pytest.fixture
def qloop(qapp):
    """A qasync event loop over the test's QApplication; tests call `qloop.run_until_complete(coro)`.

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
def wait_until():
    """`wait_until(loop, predicate, timeout)`: run the qasync loop until predicate() holds."""
    return _wait_until


def _wait_until(loop: asyncio.AbstractEventLoop, predicate, timeout: float = 10.0, step: float = 0.05) -> bool:
    """Run the loop until predicate() is true or the timeout passes; returns the final predicate value."""

    async def _wait() -> bool:
        deadline = loop.time() + timeout
        while loop.time() < deadline:
            if predicate():
                return True
            await asyncio.sleep(step)
        return bool(predicate())

    return loop.run_until_complete(_wait())
