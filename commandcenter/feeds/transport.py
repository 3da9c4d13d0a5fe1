"""The feeds' HTTP client: httpx over asyncio's own streams instead of anyio's.

httpx (through httpcore) reaches the network through anyio on an asyncio loop. Each read of a response body there
costs a cancel scope for its timeout and, with anyio's socket stream, the socket's reader removed from and put
back into the selector (pause/resume reading) — per chunk, whatever its size. A push feed at a trickle reads one
chunk per message, so that was the largest single part of the feed thread's CPU per message (profile in
docs/benchmarks.md). `AsyncioBackend` is an httpcore
network backend on asyncio's StreamReader/StreamWriter: a read is `reader.read()` under `asyncio.timeout`, the
socket stays registered. Same httpcore connection handling (HTTP/1.1 parsing, pooling, TLS via asyncio's
start_tls), same exceptions (httpcore's, which httpx maps to ReadTimeout, ConnectError...).

Also here, the rules that keep secrets and requests where they belong (docs/security.md): `GuardedClient` and
`guarded_ws_connect` (credentials only to a feed's own origin, redirects only within it), `token_from_env`, and
`MediaPolicy` with `make_media_client` (photos only from allowed origins and addresses).
"""
from __future__ import annotations

import asyncio
import contextlib
import functools
import ipaddress
import logging
import select
import socket
import ssl
from collections.abc import AsyncIterable, AsyncIterator, Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import httpcore
import httpx

log = logging.getLogger("commandcenter.feeds")

READ_LIMIT = 256 * 1024      # asyncio's StreamReader buffer (it pauses the socket past twice this)


def is_socket_readable(sock: socket.socket | None) -> bool:
    """Whether an idle socket has something to read (the peer's close or junk): such a pooled connection is dropped."""
    if sock is None or sock.fileno() == -1:
        return True
    poller = select.poll()
    poller.register(sock.fileno(), select.POLLIN)
    return bool(poller.poll(0))


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
            buffered = len(getattr(reader, "_buffer", b"")) > 0    # a private seam: tests/test_private_seams.py
            if reader.at_eof() or reader.exception() is not None or buffered or self._writer.is_closing():
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


# httpcore's exceptions and the httpx ones a caller expects, most specific first (as httpx's own transport maps them)
_HTTPX_ERRORS: tuple[tuple[type[Exception], type[httpx.HTTPError]], ...] = (
    (httpcore.ConnectTimeout, httpx.ConnectTimeout), (httpcore.ReadTimeout, httpx.ReadTimeout),
    (httpcore.WriteTimeout, httpx.WriteTimeout), (httpcore.PoolTimeout, httpx.PoolTimeout),
    (httpcore.TimeoutException, httpx.TimeoutException), (httpcore.ConnectError, httpx.ConnectError),
    (httpcore.ReadError, httpx.ReadError), (httpcore.WriteError, httpx.WriteError),
    (httpcore.NetworkError, httpx.NetworkError), (httpcore.ProxyError, httpx.ProxyError),
    (httpcore.UnsupportedProtocol, httpx.UnsupportedProtocol),
    (httpcore.RemoteProtocolError, httpx.RemoteProtocolError),
    (httpcore.LocalProtocolError, httpx.LocalProtocolError), (httpcore.ProtocolError, httpx.ProtocolError),
)


@contextlib.contextmanager
def _as_httpx_errors() -> Iterator[None]:
    try:
        yield
    except httpcore.TimeoutException as exc:
        raise _httpx_error(exc) from exc
    except (httpcore.NetworkError, httpcore.ProtocolError, httpcore.ProxyError, httpcore.UnsupportedProtocol) as exc:
        raise _httpx_error(exc) from exc


def _httpx_error(exc: Exception) -> httpx.HTTPError:
    for core, mapped in _HTTPX_ERRORS:
        if isinstance(exc, core):
            return mapped(str(exc))
    return httpx.TransportError(str(exc))


class _ResponseStream(httpx.AsyncByteStream):
    def __init__(self, stream: AsyncIterable[bytes]) -> None:
        self._stream = stream

    async def __aiter__(self) -> AsyncIterator[bytes]:
        with _as_httpx_errors():
            async for chunk in self._stream:
                yield chunk

    async def aclose(self) -> None:
        aclose = getattr(self._stream, "aclose", None)       # httpcore's response streams can be closed
        if aclose is not None:
            with _as_httpx_errors():
                await aclose()


# httpx's own transport defaults
DEFAULT_LIMITS = httpx.Limits(max_connections=100, max_keepalive_connections=20, keepalive_expiry=5.0)


class PoolTransport(httpx.AsyncBaseTransport):
    """An httpx transport over an httpcore connection pool whose connections come from `backend`: httpx's custom
    transport API and httpcore's `network_backend`, both public."""

    def __init__(self, backend: httpcore.AsyncNetworkBackend, *, verify: ssl.SSLContext | str | bool = True,
                 cert: Any = None, trust_env: bool = True, http1: bool = True, http2: bool = False,
                 limits: httpx.Limits = DEFAULT_LIMITS) -> None:
        self.backend = backend
        self.pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(verify=verify, cert=cert, trust_env=trust_env),
            max_connections=limits.max_connections, max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry, http1=http1, http2=http2, network_backend=backend)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        assert isinstance(request.stream, httpx.AsyncByteStream)
        core_request = httpcore.Request(
            method=request.method,
            url=httpcore.URL(scheme=request.url.raw_scheme, host=request.url.raw_host, port=request.url.port,
                             target=request.url.raw_path),
            headers=request.headers.raw, content=request.stream, extensions=request.extensions)
        with _as_httpx_errors():
            response = await self.pool.handle_async_request(core_request)
        assert isinstance(response.stream, AsyncIterable)
        return httpx.Response(status_code=response.status, headers=response.headers,
                              stream=_ResponseStream(response.stream), extensions=response.extensions)

    async def aclose(self) -> None:
        await self.pool.aclose()


_TRANSPORT_SETTINGS = ("verify", "cert", "trust_env", "http1", "http2", "limits")


def make_client(**kw: Any) -> httpx.AsyncClient:
    """An httpx.AsyncClient (`kw` as for it: follow_redirects, timeout...) whose direct connections use
    `AsyncioBackend`; proxied ones (from the environment) keep httpx's own transport."""
    # A client given a transport ignores its own TLS and pool settings: they go to the transport too
    transport = PoolTransport(AsyncioBackend(), **{k: kw[k] for k in _TRANSPORT_SETTINGS if k in kw})
    return httpx.AsyncClient(transport=transport, **kw)


# ------------------------------------------------------------------------------------------------ origins
# A feed's credentials go only to its own origin (scheme, host, port: RFC 6454); a redirect is followed only
# within the origin of the request that met it, or to an origin the feed's config allows (redirect_origins).

MAX_REDIRECTS = 10
CREDENTIAL_HEADERS = ("authorization", "proxy-authorization", "cookie")
_DEFAULT_PORTS = {"http": 80, "https": 443}
_WS_SCHEMES = {"ws": "http", "wss": "https"}


def origin_of(url: str | httpx.URL) -> str | None:
    """"scheme://host:port" of an http(s) or ws(s) URL (ws counts as http, wss as https); None otherwise."""
    try:
        u = url if isinstance(url, httpx.URL) else httpx.URL(str(url).strip())
    except Exception:  # noqa: BLE001 - anything unparsable has no origin
        return None
    scheme = _WS_SCHEMES.get(u.scheme, u.scheme)
    if scheme not in _DEFAULT_PORTS or not u.host:
        return None
    host = u.host.lower().rstrip(".")
    if ":" in host:
        host = f"[{host}]"
    return f"{scheme}://{host}:{u.port or _DEFAULT_PORTS[scheme]}"


class OriginRefused(httpx.RequestError):
    """A redirect to an origin the feed does not allow (the request is never sent)."""


@dataclass(frozen=True)
class OriginPolicy:
    """home: the feed's own origin (None: a file feed); extra: further origins a redirect may go to."""

    home: str | None
    extra: frozenset[str] = frozenset()

    @classmethod
    def for_feed(cls, url: str, redirect_origins: Iterable[str] = ()) -> OriginPolicy:
        return cls(origin_of(url), frozenset(o for o in map(origin_of, redirect_origins) if o))

    def credentials_allowed(self, url: str | httpx.URL) -> bool:
        return self.home is not None and origin_of(url) == self.home

    def redirect_allowed(self, start: str | httpx.URL, target: str | httpx.URL) -> bool:
        to = origin_of(target)
        return to is not None and (to == origin_of(start) or to in self.extra)


def without_userinfo(url: httpx.URL) -> tuple[httpx.URL, httpx.BasicAuth | None]:
    """The URL without "user:pass@" (httpx logs request URLs whole) and the Basic auth it carried."""
    if not url.userinfo:
        return url, None
    return url.copy_with(userinfo=b""), httpx.BasicAuth(url.username, url.password)


class GuardedClient:
    """One feed's view of the shared client: every request and every redirect hop passes the feed's
    OriginPolicy. Credentials (Authorization, cookies, URL user info) are removed from any request off the
    feed's origin; redirects are followed here, hop by hop, and refused (OriginRefused) outside the policy."""

    def __init__(self, client: httpx.AsyncClient, policy: OriginPolicy) -> None:
        self.inner = client
        self.policy = policy

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    @contextlib.asynccontextmanager
    async def stream(self, method: str, url: str | httpx.URL, **kw: Any) -> Any:
        resp = await self.send_guarded(method, url, stream=True, **kw)
        try:
            yield resp
        finally:
            await resp.aclose()

    async def get(self, url: str | httpx.URL, **kw: Any) -> httpx.Response:
        return await self.send_guarded("GET", url, stream=False, **kw)

    async def send_guarded(self, method: str, url: str | httpx.URL, *, stream: bool,
                           follow_redirects: bool = True, **kw: Any) -> httpx.Response:
        target, auth = without_userinfo(httpx.URL(str(url)))
        request = self.inner.build_request(method, target, **kw)
        start = request.url
        for hop in range(MAX_REDIRECTS + 1):
            own = self.policy.credentials_allowed(request.url)
            if not own:
                for name in CREDENTIAL_HEADERS:
                    request.headers.pop(name, None)
            response = await self.inner.send(request, stream=True, follow_redirects=False,
                                             auth=auth if own and auth is not None else None)
            nxt = response.next_request
            if nxt is None or not follow_redirects:
                if not stream:
                    try:
                        await response.aread()
                    finally:
                        await response.aclose()
                return response
            await response.aclose()
            if hop == MAX_REDIRECTS:
                raise httpx.TooManyRedirects(f"more than {MAX_REDIRECTS} redirects", request=nxt)
            if not self.policy.redirect_allowed(start, nxt.url):
                raise OriginRefused(f"redirect to {origin_of(nxt.url) or 'an unusable URL'} refused: a feed follows "
                                    f"redirects only within {origin_of(start)} (or to its redirect_origins)",
                                    request=nxt)
            nxt.url, _ = without_userinfo(nxt.url)
            request = nxt
        raise AssertionError("unreachable")


def guarded_ws_connect(policy: OriginPolicy, uri: str, additional_headers: dict[str, str] | None = None,
                       **kw: Any) -> Any:
    """websockets' connect() for a feed: credentials only to the feed's origin, redirects only within it."""
    from websockets.asyncio.client import connect
    from websockets.exceptions import SecurityError

    class GuardedConnect(connect):
        def process_redirect(self, exc: Exception) -> Exception | str:
            result = super().process_redirect(exc)
            if isinstance(result, str) and not policy.redirect_allowed(uri, result):
                return SecurityError(f"redirect to {origin_of(result) or 'an unusable URL'} refused: a feed "
                                     f"follows redirects only within {origin_of(uri)} (or to its redirect_origins)")
            if isinstance(result, str) and not policy.credentials_allowed(result):
                self.additional_headers = None
            return result

    if not policy.credentials_allowed(uri):
        additional_headers = None
    return GuardedConnect(uri, additional_headers=additional_headers or None, **kw)


# ------------------------------------------------------------------------------------------------ tokens
class TokenError(ValueError):
    """A token_env that cannot be used; the message names the variable, never its value."""


def token_from_env(variable: str, environ: Mapping[str, str]) -> str:
    """The bearer token in `variable`, surrounding whitespace removed. Refused (TokenError) when unset, empty
    or holding anything but visible ASCII (a line break would split the header: request smuggling)."""
    value = environ.get(variable)
    if value is None or not value.strip():
        raise TokenError(f"environment variable {variable} (token_env) is not set")
    token = value.strip()
    if any(not 0x21 <= ord(c) <= 0x7E for c in token):
        raise TokenError(f"environment variable {variable} (token_env) holds characters not allowed in an HTTP "
                         "header (a line break, a space, a control or a non-ASCII character); value not shown")
    return token


# ------------------------------------------------------------------------------------------------ media
# Photos named by feed records are fetched only from allowed origins (the feed's own and its media_origins),
# and never from a private, loopback, link-local or otherwise non-public address unless one of the feed's
# media_allow_networks holds it. The address is checked after resolution, when the connection is made, so a
# public-looking name that resolves to 169.254.169.254 is refused too.

def non_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return (address.is_private or address.is_loopback or address.is_link_local or address.is_reserved
            or address.is_multicast or address.is_unspecified or not address.is_global)


@dataclass(frozen=True)
class MediaPolicy:
    origins: frozenset[str]
    networks: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = ()

    @classmethod
    def for_feed(cls, url: str, media_origins: Iterable[str] = (), allow_networks: Iterable[str] = ()
                 ) -> MediaPolicy:
        origins = {o for o in map(origin_of, [url, *media_origins]) if o}
        return cls(frozenset(origins), tuple(ipaddress.ip_network(n, strict=False) for n in allow_networks))

    def url_refusal(self, url: str) -> str | None:
        """Why `url` may not be fetched by origin alone; None if its origin is allowed."""
        if not url.strip().lower().startswith(("http://", "https://")) or (origin := origin_of(url)) is None:
            return "not an http(s) URL"
        if origin not in self.origins:
            return f"{origin} is not an allowed media origin"
        return None

    def address_refusal(self, address: str) -> str | None:
        """Why a connection to `address` is refused; None if it is public or in an allowed network."""
        try:
            ip = ipaddress.ip_address(address.split("%", 1)[0])
        except ValueError:
            return f"{address[:60]!r} is not an IP address"
        if non_public(ip) and not any(ip in net for net in self.networks if net.version == ip.version):
            return f"address {ip} is private, loopback or link-local (not in media_allow_networks)"
        return None

    async def refusal(self, url: str) -> str | None:
        """The whole decision for `url` without sending anything: origin, then every address it resolves to."""
        reason = self.url_refusal(url)
        if reason is not None:
            return reason
        u = httpx.URL(url)
        try:
            addresses = await resolve(u.host, u.port or _DEFAULT_PORTS[u.scheme])
        except OSError as exc:
            return f"cannot resolve {u.host[:80]}: {exc.strerror or exc}"
        for address in addresses:
            reason = self.address_refusal(address)
            if reason is not None:
                return reason
        return None


async def resolve(host: str, port: int) -> list[str]:
    """The addresses of `host` (an IP literal is its own), resolved off the event loop's thread."""
    try:
        return [str(ipaddress.ip_address(host.strip("[]")))]
    except ValueError:
        pass
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


class CheckedBackend(AsyncioBackend):
    """AsyncioBackend that resolves the host itself and connects only to an address `check` accepts (check
    returns a refusal or None): what is checked is what is connected to."""

    def __init__(self, check: Callable[[str], str | None]) -> None:
        self._check = check

    async def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                          socket_options: Iterable[Any] | None = None) -> httpcore.AsyncNetworkStream:
        with _mapped(httpcore.ConnectTimeout, httpcore.ConnectError):
            async with asyncio.timeout(timeout):
                addresses = await resolve(host, port)
        for address in addresses:
            reason = self._check(address)
            if reason is not None:
                raise httpcore.ConnectError(f"refused: {reason}")
        return await super().connect_tcp(addresses[0], port, timeout, local_address, socket_options)


@functools.cache
def media_ssl_context() -> ssl.SSLContext:
    """The media clients' TLS context, built once per process: it takes tens of milliseconds, so a caller on the
    GUI thread's loop builds it first with `await asyncio.to_thread(media_ssl_context)`."""
    import certifi

    return ssl.create_default_context(cafile=certifi.where())


def make_media_client(policy: MediaPolicy, **kw: Any) -> httpx.AsyncClient:
    """A client for media: no redirects, no proxies from the environment, every connection's address checked."""
    transport = PoolTransport(CheckedBackend(policy.address_refusal), verify=media_ssl_context(), trust_env=False)
    return httpx.AsyncClient(transport=transport, follow_redirects=False, trust_env=False, **kw)
