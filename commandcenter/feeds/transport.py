"""The feeds' HTTP client: httpx over asyncio's own streams instead of anyio's.

httpx (through httpcore) reaches the network through anyio on an asyncio loop. Each read of a response body there
costs a cancel scope for its timeout and, with anyio's socket stream, the socket's reader removed from and put
back into the selector (pause/resume reading) — per chunk, whatever its size. A push feed at a trickle reads one
chunk per message, so that was the largest single part of the feed thread's CPU per message (profiled at 200
events/s: ≈38 % of its Python time, the httpx → httpcore → anyio read chain). `AsyncioBackend` is an httpcore
network backend on asyncio's StreamReader/StreamWriter: a read is `reader.read()` under `asyncio.timeout`, the
socket stays registered. Same httpcore connection handling (HTTP/1.1 parsing, pooling, TLS via asyncio's
start_tls), same exceptions (httpcore's, which httpx maps to ReadTimeout, ConnectError...).
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
import ssl
from collections.abc import Iterable, Iterator
from typing import Any

import httpcore
import httpx

try:
    from httpcore._utils import is_socket_readable
except ImportError:      # a later httpcore moved it: an idle pooled connection then counts as closed (a new one is made)
    def is_socket_readable(sock: Any) -> bool:
        return True

log = logging.getLogger("commandcenter.feeds")

READ_LIMIT = 256 * 1024      # asyncio's StreamReader buffer (it pauses the socket past twice this)


@contextlib.contextmanager
def _mapped(on_timeout: type[Exception], on_error: type[Exception]) -> Iterator[None]:
    try:
        yield
    except TimeoutError as exc:          # asyncio.timeout's, and a socket's own
        raise on_timeout(str(exc) or "timed out") from exc
    except (OSError, EOFError, ssl.SSLError) as exc:
        raise on_error(str(exc) or type(exc).__name__) from exc


class AsyncioStream(httpcore.AsyncNetworkStream):
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._reader = reader
        self._writer = writer

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        with _mapped(httpcore.ReadTimeout, httpcore.ReadError):
            if timeout is None:
                return await self._reader.read(max_bytes)
            async with asyncio.timeout(timeout):
                return await self._reader.read(max_bytes)

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        if not buffer:
            return
        with _mapped(httpcore.WriteTimeout, httpcore.WriteError):
            self._writer.write(buffer)
            async with asyncio.timeout(timeout):
                await self._writer.drain()

    async def aclose(self) -> None:
        self._writer.close()     # the transport closes its socket; no wait for the peer's goodbye

    async def start_tls(self, ssl_context: ssl.SSLContext, server_hostname: str | None = None,
                        timeout: float | None = None) -> httpcore.AsyncNetworkStream:
        try:
            with _mapped(httpcore.ConnectTimeout, httpcore.ConnectError):
                async with asyncio.timeout(timeout):
                    await self._writer.start_tls(ssl_context, server_hostname=server_hostname)
        except BaseException:
            await self.aclose()
            raise
        return self

    def get_extra_info(self, info: str) -> Any:
        if info == "ssl_object":
            return self._writer.get_extra_info("ssl_object")
        if info == "client_addr":
            return self._writer.get_extra_info("sockname")
        if info == "server_addr":
            return self._writer.get_extra_info("peername")
        if info == "socket":
            return self._writer.get_extra_info("socket")
        if info == "is_readable":      # an idle pooled connection the server closed (or sent junk on)
            reader = self._reader
            if reader.at_eof() or reader.exception() is not None or getattr(reader, "_buffer", b"") \
                    or self._writer.is_closing():
                return True
            return is_socket_readable(self._writer.get_extra_info("socket"))
        return None


class AsyncioBackend(httpcore.AsyncNetworkBackend):
    async def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                          socket_options: Iterable[Any] | None = None) -> httpcore.AsyncNetworkStream:
        with _mapped(httpcore.ConnectTimeout, httpcore.ConnectError):
            async with asyncio.timeout(timeout):
                reader, writer = await asyncio.open_connection(
                    host, port, limit=READ_LIMIT, local_addr=(local_address, 0) if local_address else None)
            sock = writer.get_extra_info("socket")
            for option in socket_options or ():
                sock.setsockopt(*option)
        return AsyncioStream(reader, writer)

    async def connect_unix_socket(self, path: str, timeout: float | None = None,
                                  socket_options: Iterable[Any] | None = None) -> httpcore.AsyncNetworkStream:
        with _mapped(httpcore.ConnectTimeout, httpcore.ConnectError):
            async with asyncio.timeout(timeout):
                reader, writer = await asyncio.open_unix_connection(path, limit=READ_LIMIT)
            sock = writer.get_extra_info("socket")
            for option in socket_options or ():
                sock.setsockopt(*option)
        return AsyncioStream(reader, writer)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


_TRANSPORT_SETTINGS = ("verify", "cert", "trust_env", "http1", "http2", "limits")


def make_client(**kw: Any) -> httpx.AsyncClient:
    """An httpx.AsyncClient (`kw` as for it: follow_redirects, timeout...) whose direct connections use
    `AsyncioBackend`; proxied ones (from the environment) keep httpx's own transport. If this httpx/httpcore
    does not have the pool's backend where we expect it, the client is httpx's default (logged), not broken."""
    # A client given a transport ignores its own TLS and pool settings: they go to the transport too
    transport = httpx.AsyncHTTPTransport(**{k: kw[k] for k in _TRANSPORT_SETTINGS if k in kw})
    pool = getattr(transport, "_pool", None)
    if isinstance(pool, httpcore.AsyncConnectionPool) and hasattr(pool, "_network_backend"):
        pool._network_backend = AsyncioBackend()
    else:
        log.warning("httpx transport without the expected connection pool; feeds use httpx's default backend")
    return httpx.AsyncClient(transport=transport, **kw)


def uses_asyncio_backend(client: httpx.AsyncClient) -> bool:
    pool = getattr(getattr(client, "_transport", None), "_pool", None)
    return isinstance(getattr(pool, "_network_backend", None), AsyncioBackend)
