"""How a request reaches the network: the fetch settings, the connection pools (paced per host
for the platforms' APIs, shared for websites), TLS, proxies, and the guarded network backend
underneath every connection (connect-to, isolation, the SSRF guard)."""

from __future__ import annotations

import math
import ssl
import sys
import urllib.request
from collections.abc import AsyncIterator, Callable
from dataclasses import asdict, dataclass

import httpcore
import httpx

from audit import __version__
from audit.evidence import Cause
from audit.net import BlockedAddressError, ConnectTo, GuardedBackend, NameResolutionError
from audit.urls import without_password

USER_AGENT = f"pages-audit/{__version__} (official pages compliance audit; 8-FZ)"


@dataclass(frozen=True)
class FetchConfig:
    connect_timeout: float = 10.0
    read_timeout: float = 20.0
    total_timeout: float = 60.0  # one attempt, headers and body, however slowly it trickles
    max_bytes: int = 5 * 1024 * 1024
    retries: int = 2
    backoff_base: float = 1.0
    backoff_max: float = 30.0
    retry_after_max: float = 60.0
    max_redirects: int = 10
    concurrency: int = 64
    per_host: int = 4
    user_agent: str = USER_AGENT
    connect_to: tuple[ConnectTo, ...] = ()
    isolated: bool = False
    allow_loopback: bool = False
    ca_bundle: str | None = None
    verify: bool = True
    # HTTP proxies by scheme (("https", "http://proxy:3128"), ...) and the hosts that bypass
    # them (NO_PROXY syntax); hosts a --connect-to rule covers never go through a proxy
    proxies: tuple[tuple[str, str], ...] = ()
    no_proxy: str = ""

    def redacted(self) -> dict:
        """Settings for the report header: a proxy's password is never shown."""
        out = {k: v for k, v in asdict(self).items() if k not in ("connect_to", "proxies")}
        out["connect_to"] = [str(r) for r in self.connect_to]
        out["proxies"] = {scheme: without_password(url) for scheme, url in self.proxies}
        return out

    def proxy_for(self, url: httpx.URL) -> str | None:
        """The proxy a request to `url` goes through, or None to connect directly."""
        if not self.proxies:
            return None
        host = url.host
        port = url.port or (443 if url.scheme == "https" else 80)
        if any(rule.matches(host, port) for rule in self.connect_to):
            return None
        if self.no_proxy and urllib.request.proxy_bypass_environment(host, {"no": self.no_proxy}):
            return None
        return dict(self.proxies).get(url.scheme)


class GuardedTransport(httpx.AsyncHTTPTransport):
    """httpx's transport with our network backend underneath (connect-to, isolation, guard)."""

    def __init__(self, config: FetchConfig, ssl_context: ssl.SSLContext | bool, limits):
        super().__init__(verify=ssl_context, limits=limits)
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=ssl_context if isinstance(ssl_context, ssl.SSLContext) else None,
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=GuardedBackend(
                config.connect_to, config.isolated, config.allow_loopback
            ),
        )


# Connections kept open to hosts asked again and again that no client paces (a platform's
# pages): a few, shared; more only adds handshakes.
REPEAT_CONNECTIONS = 8


# A paced API host keeps as many connections as its rate needs when each request takes
# API_ROUND_TRIP seconds (Little's law: requests in flight = rate x time each takes), from
# MIN_API_CONNECTIONS to MAX_API_CONNECTIONS. With fewer, the connections and not the rate
# bound the look-ups: 8 connections and 100 ms round trips are 80 requests a second, a tenth
# of an OK rate of 900.
API_ROUND_TRIP = 0.25
MIN_API_CONNECTIONS, MAX_API_CONNECTIONS = 4, 32


# httpcore looks at every connection of a pool, for each idle one again, whenever a request
# starts or ends (quadratic in the pool's size): a host's many connections are split into
# pools of at most this many.
POOL_CONNECTIONS = 8


def api_connections(rate: float) -> int:
    """Connections for an API client sending `rate` requests a second."""
    return max(MIN_API_CONNECTIONS, min(MAX_API_CONNECTIONS, math.ceil(rate * API_ROUND_TRIP)))


class HostPools(httpx.AsyncBaseTransport):
    """`connections` connections in pools of POOL_CONNECTIONS at most; a request goes to the
    pool with the fewest requests under way. The client sends at most `connections` at once,
    so a pool it picks always has a free connection. `keep`: the connections stay open for the
    next request (one paced host's); else each closes with its response (one-off websites)."""

    def __init__(self, config: FetchConfig, ssl_context, connections: int, keep: bool = True):
        sizes = [POOL_CONNECTIONS] * (connections // POOL_CONNECTIONS)
        if connections % POOL_CONNECTIONS:
            sizes.append(connections % POOL_CONNECTIONS)
        self.pools = [
            GuardedTransport(
                config,
                ssl_context,
                httpx.Limits(max_connections=size, max_keepalive_connections=size if keep else 0),
            )
            for size in sizes
        ]
        self.busy = [0] * len(self.pools)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        n = min(range(len(self.pools)), key=self.busy.__getitem__)
        self.busy[n] += 1
        try:
            response = await self.pools[n].handle_async_request(request)
        except BaseException:
            self.busy[n] -= 1
            raise
        # the connection is busy until the body is read: count it free when the stream closes
        response.stream = _Released(response.stream, lambda: self._release(n))
        return response

    def _release(self, n: int) -> None:
        self.busy[n] -= 1

    async def aclose(self) -> None:
        for pool in self.pools:
            await pool.aclose()


class _Released(httpx.AsyncByteStream):
    """A response stream that calls `done` once when closed."""

    def __init__(self, stream, done: Callable[[], None]):
        self.stream, self.done = stream, done

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self.stream:
            yield chunk

    async def aclose(self) -> None:
        try:
            await self.stream.aclose()
        finally:
            if self.done is not None:
                self.done, done = None, self.done
                done()


class SplitTransport(httpx.AsyncBaseTransport):
    """Connection pools by how often a host is asked. A paced API host (registered with
    `keep`, with its connections) has pools of its own sized by its rate; other hosts a run
    asks again and again (a platform's pages) share a few kept connections; a website, asked
    once or twice, leaves no idle connection behind. httpcore looks at every pooled connection
    whenever a request starts or ends, so a pool holding the idle connections of thousands of
    one-off sites costs CPU that grows with their number."""

    def __init__(self, config: FetchConfig, ssl_context: ssl.SSLContext | bool):
        self.config, self.ssl_context = config, ssl_context
        self.repeat_hosts: set[str] = set()
        self._paced: dict[str, HostPools] = {}
        self._repeat = GuardedTransport(
            config,
            ssl_context,
            httpx.Limits(
                max_connections=REPEAT_CONNECTIONS, max_keepalive_connections=REPEAT_CONNECTIONS
            ),
        )
        # websites: at most --concurrency at once, in pools of POOL_CONNECTIONS (one pool of
        # 64 scanned its 64 connections and waiting requests whenever one started or ended:
        # 0.16 ms a request, a fifth of the fetch's CPU)
        self._once = HostPools(config, ssl_context, config.concurrency, keep=False)
        self._guard = GuardedBackend(config.connect_to, config.isolated, config.allow_loopback)
        self._proxied: dict[str, httpx.AsyncHTTPTransport] = {}

    def keep(self, host: str, connections: int | None = None) -> None:
        """Keep `host`'s connections open: `connections` of its own, or the shared few."""
        self.repeat_hosts.add(host)
        if connections and host not in self._paced:
            self._paced[host] = HostPools(self.config, self.ssl_context, connections)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        host = request.url.host
        proxy = self.config.proxy_for(request.url)
        if proxy is not None:
            return await self._through(proxy, request)
        paced = self._paced.get(host)
        if paced is not None:
            return await paced.handle_async_request(request)
        pool = self._repeat if host in self.repeat_hosts else self._once
        return await pool.handle_async_request(request)

    async def _through(self, proxy: str, request: httpx.Request) -> httpx.Response:
        """Send a request through the operator's proxy. The proxy (configured, often on a
        private address) is trusted; the target is still checked by the address guard before
        every hop, as far as this machine can resolve it (the proxy resolves the rest)."""
        url = request.url
        await self._guard.check_target(url.host, url.port or (443 if url.scheme == "https" else 80))
        if proxy not in self._proxied:
            self._proxied[proxy] = httpx.AsyncHTTPTransport(
                proxy=proxy,
                verify=self.ssl_context,
                limits=httpx.Limits(
                    max_connections=self.config.concurrency, max_keepalive_connections=0
                ),
            )
        return await self._proxied[proxy].handle_async_request(request)

    async def aclose(self) -> None:
        for pools in self._paced.values():
            await pools.aclose()
        for transport in self._proxied.values():
            await transport.aclose()
        await self._repeat.aclose()
        await self._once.aclose()


def make_ssl_context(config: FetchConfig, verify: bool = True) -> ssl.SSLContext:
    """The operating system's trust store plus `--ca-bundle`: an auditor's machine that trusts
    the Минцифры «Russian Trusted Root CA» trusts the sites it signed. On Linux that store is
    OpenSSL's default paths (what update-ca-certificates writes), loaded once here; macOS and
    Windows keep theirs elsewhere, and truststore asks them (on Linux it would load the whole
    bundle again for every connection: 1-2 ms of CPU each)."""
    if not (config.verify and verify):
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        return ctx
    if sys.platform in ("darwin", "win32"):
        import truststore

        ctx = truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    else:
        ctx = ssl.create_default_context()
    if config.ca_bundle:
        ctx.load_verify_locations(config.ca_bundle)
    return ctx


# Raised by a TLS socket for I/O states and abrupt closes, not for certificate or handshake faults.
_SSL_NOT_TLS_FAULTS = (ssl.SSLWantReadError, ssl.SSLWantWriteError, ssl.SSLZeroReturnError)


def classify(exc: BaseException) -> tuple[Cause, str, bool]:
    """Map an exception to (cause, detail, retryable)."""
    chain, cur = [], exc
    while cur is not None and len(chain) < 10:
        chain.append(cur)
        cur = cur.__cause__ or cur.__context__
    for e in chain:
        if isinstance(e, NameResolutionError):
            if e.permanent:
                return Cause.DNS, str(e), False
            return Cause.RESOLVER, str(e), e.retryable
        if isinstance(e, BlockedAddressError):
            return Cause.BLOCKED, str(e), False
    detail = str(exc) or type(exc).__name__
    if isinstance(exc, (httpx.TimeoutException, TimeoutError)):
        # checked before TLS: a read timeout on a TLS socket carries an SSLWantReadError
        return Cause.TIMEOUT, str(exc) or "timed out", True
    for e in chain:
        if isinstance(e, ssl.SSLError) and not isinstance(e, _SSL_NOT_TLS_FAULTS):
            return (
                Cause.TLS,
                getattr(e, "verify_message", None) or getattr(e, "reason", None) or str(e),
                False,
            )
    if isinstance(exc, httpx.TooManyRedirects):
        return Cause.REDIRECTS, detail, False
    if isinstance(exc, (httpx.InvalidURL, httpx.UnsupportedProtocol)):
        return Cause.INVALID_URL, detail, False
    if isinstance(exc, httpx.DecodingError):
        return Cause.PROTOCOL, f"undecodable body: {detail}", False
    if isinstance(exc, httpx.ProtocolError):
        return Cause.PROTOCOL, detail, True
    if isinstance(exc, httpx.TransportError):
        return Cause.CONNECT, detail, True
    return Cause.PROTOCOL, f"{type(exc).__name__}: {detail}", False
