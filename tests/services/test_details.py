"""A detail view's data beyond the live state (services.details.DetailSource): the store first, then the
backend for what the store lacks; a backend that fails answers why instead of raising.

Real parts: an SQLite store file, a real aiohttp backend on an ephemeral loopback port, httpx."""
from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from aiohttp import web

from commandcenter.domain import Status, StatusChange, encode
from commandcenter.feeds.details import BackendProblem
from commandcenter.services.details import DetailSource
from commandcenter.store import Store

from tests.support.feeds import serve
from tests.support.store import T0, inc

TIMELINE = (StatusChange(Status.REPORTED, T0, "李四"), StatusChange(Status.ACCEPTED, T0, "王五"))


def direct(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Awaitable[Any]:
    """The store call run here (the wall runs it on the store's thread)."""
    future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
    future.set_result(fn(*args, **kwargs))
    return future


def backend(answers: dict[str, web.Response]) -> web.Application:
    app = web.Application()

    async def one(request: web.Request) -> web.Response:
        return answers.get(request.match_info["id"], web.Response(status=404))

    app.router.add_get("/incidents/{id}", one)
    return app


def body(record: object) -> web.Response:
    return web.Response(text=json.dumps({"incident": encode(record)}), content_type="application/json")


def test_the_store_answers_first_and_the_backend_completes_keeping_the_stored_timeline(tmp_path: Path) -> None:
    store = Store.open(f"sqlite:///{tmp_path / 'wall.db'}")
    stored = inc("E1", 2, status=Status.ACCEPTED, timeline=TIMELINE)
    store.apply("city", incidents=[stored])
    newer = replace(stored, version=3, description="现场已处置", timeline=())

    async def scenario() -> None:
        async with serve(backend({"E1": body(newer), "E2": web.Response(text="{not json")})) as url:
            source = DetailSource(in_store=direct, store=store, feed_url=url)
            try:
                assert source.has_store and source.has_backend
                found = await source.stored_incident("E1")
                assert found is not None and found.timeline == TIMELINE
                got = await source.backend_incident("E1", found)
                assert got.problem is None and got.incident is not None
                assert (got.incident.version, got.incident.description) == (3, "现场已处置")
                assert got.incident.timeline == TIMELINE          # the backend sent none: the stored one is kept
                missing = await source.backend_incident("E9", None)
                assert (missing.incident, missing.problem, missing.status) == (None, BackendProblem.STATUS, 404)
                bad = await source.backend_incident("E2", None)
                assert (bad.incident, bad.problem) == (None, BackendProblem.BAD_BODY)
            finally:
                await source.aclose()

    try:
        asyncio.run(scenario())
    finally:
        store.close()


def test_an_unreachable_backend_is_an_answer_and_no_store_is_no_store() -> None:
    async def scenario() -> None:
        async with serve(backend({})) as url:
            pass                                                  # the port is closed again: nothing listens
        source = DetailSource(feed_url=url)
        try:
            assert not source.has_store and source.has_backend
            got = await source.backend_incident("E1", None)
            assert (got.incident, got.problem) == (None, BackendProblem.UNREACHABLE)
        finally:
            await source.aclose()

    asyncio.run(scenario())
    assert not DetailSource(feed_url="file:///tmp/x").has_backend
