"""The feeds' HTTP client (feeds.transport.make_client): httpx over asyncio's own streams. It must behave as httpx
does: the same responses, the same exceptions (a stall is a ReadTimeout, a refused connection a ConnectError),
pooled connections reused, and one the server closed while idle not reused."""
from __future__ import annotations

import asyncio
import json
import socket

import httpx
import pytest

from commandcenter.feeds import native
from commandcenter.feeds.transport import AsyncioBackend, AsyncioStream, PoolTransport, make_client

from tests.support.feeds import Collector, FakePush, incident, run_until, section, serve


def test_a_push_feed_over_the_client_gets_every_message_through_the_asyncio_backend():
    sink = Collector()

    async def main() -> None:
        be = FakePush()
        async with serve(be.app()) as base:
            client = make_client(follow_redirects=True)
            try:
                probe = await client.get(base + "/")
                assert isinstance(probe.extensions["network_stream"], AsyncioStream)
                for i in range(50):
                    be.publish("incident", incident(i))
                feed = native.NativeSseFeed(section(url=base + "/api/v1", mode="sse", timeout=2), client)
                ok = await run_until(lambda: feed.run(sink, None),
                                     lambda: sink.cursor and json.loads(sink.cursor)["seq"] == 50, timeout=20)
                assert ok, (sink.cursor, feed.last_error)
            finally:
                await client.aclose()

    asyncio.run(main())
    assert sorted(r.id for r in sink.all("incidents")) == sorted(incident(i)["id"] for i in range(50))


async def _raw_server(handler) -> tuple[asyncio.base_events.Server, str]:
    server = await asyncio.start_server(handler, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    return server, f"http://127.0.0.1:{port}"


def test_a_response_that_stalls_raises_httpxs_read_timeout():
    async def stall(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\n: hello\n\n")
        await writer.drain()
        await asyncio.sleep(30)

    async def main() -> None:
        server, url = await _raw_server(stall)
        client = make_client()
        try:
            with pytest.raises(httpx.ReadTimeout):
                async with client.stream("GET", url, timeout=httpx.Timeout(5.0, read=0.3)) as resp:
                    async for _ in resp.aiter_bytes():
                        pass
        finally:
            await client.aclose()
            server.close()

    asyncio.run(main())


def test_a_refused_connection_raises_httpxs_connect_error():
    with socket.socket() as s:          # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]

    async def main() -> None:
        client = make_client()
        try:
            with pytest.raises(httpx.ConnectError):
                await client.get(f"http://127.0.0.1:{port}/", timeout=5.0)
        finally:
            await client.aclose()

    asyncio.run(main())


def test_a_kept_alive_connection_is_reused_and_one_the_server_closed_while_idle_is_not():
    connections: list[int] = []
    closed = asyncio.Event()

    async def serve_then_close(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connections.append(1)
        for _ in range(2):              # two requests on this connection, then it closes (idle)
            await reader.readuntil(b"\r\n\r\n")
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
            await writer.drain()
        writer.close()
        closed.set()

    async def main() -> list[str]:
        server, url = await _raw_server(serve_then_close)
        transport = PoolTransport(AsyncioBackend())        # make_client's transport, held here to watch its pool
        client = httpx.AsyncClient(transport=transport)
        try:
            bodies = [(await client.get(url, timeout=5.0)).text for _ in range(2)]
            await closed.wait()
            pool = transport.pool
            for _ in range(500):         # until the client's side saw the close (a condition, not a fixed wait)
                if all(c.has_expired() for c in pool.connections):
                    break
                await asyncio.sleep(0.01)
            bodies.append((await client.get(url, timeout=5.0)).text)
            return bodies
        finally:
            await client.aclose()
            server.close()

    assert asyncio.run(main()) == ["ok", "ok", "ok"]
    assert len(connections) == 2


def test_an_https_feed_reads_through_tls_on_the_asyncio_backend_and_refuses_an_untrusted_certificate(tmp_path):
    """A command center's backends speak HTTPS: httpcore upgrades the connection with start_tls, which our
    backend does through asyncio's StreamWriter.start_tls. A certificate made for the test on loopback."""
    import ssl
    import subprocess

    from aiohttp import web

    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out",
                    str(cert), "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True)
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_ctx.load_cert_chain(cert, key)

    async def hello(request: web.Request) -> web.Response:
        return web.json_response({"items": list(range(1000))})

    async def main() -> None:
        app = web.Application()
        app.router.add_get("/x", hello)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=server_ctx)
        await site.start()
        port = runner.addresses[0][1]
        url = f"https://127.0.0.1:{port}/x"
        trusted = make_client(verify=ssl.create_default_context(cafile=str(cert)))
        untrusted = make_client()
        try:
            for _ in range(2):                      # the second request on the pooled TLS connection
                resp = await trusted.get(url)
                assert resp.status_code == 200 and resp.json()["items"][-1] == 999
            stream = resp.extensions["network_stream"]
            assert isinstance(stream, AsyncioStream) and stream.get_extra_info("ssl_object") is not None
            with pytest.raises(httpx.ConnectError):
                await untrusted.get(url)
        finally:
            await trusted.aclose()
            await untrusted.aclose()
            await runner.cleanup()

    asyncio.run(main())
