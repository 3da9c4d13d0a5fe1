"""Start a camera's encoder once however many clients ask for it while it starts."""
from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class StartOnce(Generic[T]):
    """Per key: the running thing if there is one, else one start that every concurrent caller waits for."""

    def __init__(self) -> None:
        self._starting: dict[str, asyncio.Future[T]] = {}

    async def get(self, key: str, running: Callable[[], T | None], start: Callable[[], Awaitable[T]]) -> T:
        """`running()` if it has something, else the result (or the error) of a single `start()`."""
        pending = self._starting.get(key)        # first: a starting thing is not running yet
        if pending is not None:
            return await asyncio.shield(pending)
        current = running()
        if current is not None:
            return current
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._starting[key] = future
        try:
            result = await start()
            future.set_result(result)
            return result
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()     # retrieved: concurrent waiters re-raise it themselves
            raise
        finally:
            del self._starting[key]
