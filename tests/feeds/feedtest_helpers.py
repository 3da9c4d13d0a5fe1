"""Test helpers: a tiny aiohttp server on 127.0.0.1 and a collecting sink."""
from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import datetime, timezone

from aiohttp import web

from commandcenter.config.schema import FeedSection
from commandcenter.feeds import Batch


@contextlib.asynccontextmanager
async def serve(app: web.Application) -> AsyncIterator[str]:
    """Serve `app` on an ephemeral loopback port; yields the base URL (no trailing slash)."""
    runner = web.AppRunner(app, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


class Collector:
    """A sink that keeps every batch, like the store would (commit = append)."""

    def __init__(self) -> None:
        self.batches: list[Batch] = []
        self.fail_next = 0

    async def __call__(self, batch: Batch) -> None:
        if self.fail_next:
            self.fail_next -= 1
            raise RuntimeError("store unavailable")
        self.batches.append(batch)

    @property
    def cursor(self) -> str | None:
        return self.batches[-1].cursor if self.batches else None

    def all(self, kind: str) -> list:
        return [r for b in self.batches for r in getattr(b, kind)]

    def latest(self, kind: str) -> dict:
        out: dict = {}
        for r in self.all(kind):
            if r.id not in out or r.version > out[r.id].version:
                out[r.id] = r
        return out


def section(**kw) -> FeedSection:
    kw.setdefault("name", "t")
    kw.setdefault("url", "http://127.0.0.1:1")
    return FeedSection(**kw)


async def run_until(coro_factory, predicate, timeout: float = 10.0) -> bool:
    """Run a feed task until predicate() holds (or timeout), then cancel it."""
    task = asyncio.create_task(coro_factory())
    try:
        deadline = asyncio.get_running_loop().time() + timeout
        while asyncio.get_running_loop().time() < deadline:
            if predicate():
                return True
            if task.done():
                raise AssertionError(f"feed task ended: {task.exception()!r}")
            await asyncio.sleep(0.02)
        return bool(predicate())
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def now() -> datetime:
    return datetime.now(timezone.utc)
