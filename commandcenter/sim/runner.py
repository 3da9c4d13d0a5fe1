"""Run a SimServer on its own thread and asyncio loop, so a GUI loop (qasync) or a synchronous
test can use it without sharing an event loop with it."""
from __future__ import annotations

import asyncio
import threading
from concurrent.futures import Future
from typing import Any

from .server import SimServer


class RunningSim:
    def __init__(self, server: SimServer, loop: asyncio.AbstractEventLoop, thread: threading.Thread) -> None:
        self.server = server
        self.loop = loop
        self.thread = thread
        self.url = server.url

    def call(self, fn, *args: Any) -> Any:
        """Run `fn(*args)` on the sim's loop and return its result (thread-safe access to the sim)."""
        fut: Future[Any] = Future()

        def run() -> None:
            try:
                fut.set_result(fn(*args))
            except BaseException as exc:  # pragma: no cover - relayed to the caller
                fut.set_exception(exc)

        self.loop.call_soon_threadsafe(run)
        return fut.result(timeout=30)

    def stop(self) -> None:
        if not self.thread.is_alive():
            return
        fut = asyncio.run_coroutine_threadsafe(self.server.stop(), self.loop)
        try:
            fut.result(timeout=10)
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(timeout=10)

    def __enter__(self) -> RunningSim:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()


def run_in_thread(**kwargs: Any) -> RunningSim:
    """Start `SimServer(**kwargs)` in a daemon thread; returns once it is serving."""
    server = SimServer(**kwargs)
    loop = asyncio.new_event_loop()
    started: Future[str] = Future()

    def main() -> None:
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(server.start())
        except BaseException as exc:
            started.set_exception(exc)
            loop.close()
            return
        started.set_result(server.url)
        try:
            loop.run_forever()
        finally:
            pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
            for t in pending:
                t.cancel()
            if pending:
                loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

    thread = threading.Thread(target=main, name="commandcenter-sim", daemon=True)
    thread.start()
    started.result(timeout=120)
    return RunningSim(server, loop, thread)
