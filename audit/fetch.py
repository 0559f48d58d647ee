"""The fetcher: the one transport seam through which every HTTP request of a run goes.

One `httpx.AsyncClient` per run with a global and a per-host concurrency limit, retries with
backoff for transient failures (honouring `Retry-After`), connect/read/total timeouts, a body-size
cap, charset detection and an evidence record for every response. `get` never raises for network
trouble: it returns a result whose evidence names the failure cause.

Failure causes (`Cause`), the small hierarchy every later stage reasons with:

    invalid_url   the URL cannot be requested at all
    blocked       the SSRF guard refused the address (private, loopback, link-local ...)
    dns           the name does not exist (an authoritative answer: a fact about the site)
    resolver      the auditor's resolver gave no answer (temporary failure, time-out, or a
                  name --isolated does not cover): a fact about the vantage, not the site
    connect       refused, reset or unreachable
    tls           certificate or handshake failure
    timeout       connect, read or total time exceeded
    too_large     the body is over the size cap
    redirects     too many redirects, or a loop
    protocol      the server broke HTTP (bad framing, bad content encoding)

An HTTP status (404, 503 ...) is not a failure here: it is an answer, recorded as evidence.
"""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import hashlib
import math
import random
import ssl
import sys
import time
import urllib.request
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime

import httpcore
import httpx
from bs4.dammit import UnicodeDammit

from audit import __version__
from audit.encodings import ACCEPTED, Decoder, TooLarge, UnsupportedEncoding
from audit.evidence import Cause, Evidence
from audit.net import BlockedAddressError, ConnectTo, GuardedBackend, NameResolutionError
from audit.urls import host_of, without_password

USER_AGENT = f"pages-audit/{__version__} (official pages compliance audit; 8-FZ)"
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504, 520, 521, 522, 523, 524})
HTML_TYPES = ("text/html", "application/xhtml+xml", "text/plain", "application/xml", "text/xml")


class FetchResult:
    """A response: its evidence and body. An HTML-like body is decoded when `text` is first
    asked for, not before: API answers are parsed from `content` and never decoded as text;
    a website's page is decoded where it is parsed (collect.site, in a website process)."""

    __slots__ = ("_decoded", "_text", "content", "evidence", "header_charset")

    def __init__(
        self,
        evidence: Evidence,
        text: str | None = None,
        content: bytes | None = None,
        header_charset: str | None = None,
    ):
        self.evidence = evidence
        self.content = content  # the raw body (API answers are parsed from it)
        self.header_charset = header_charset  # the charset the Content-Type header declared
        self._text = text
        self._decoded = text is not None

    @property
    def ok(self) -> bool:
        ev = self.evidence
        return ev.error is None and ev.status is not None and 200 <= ev.status < 300

    @property
    def is_html(self) -> bool:
        """An HTML-like answer with a body (a missing Content-Type counts as HTML)."""
        return (self._text is not None or self.content is not None) and self._html_type()

    def _html_type(self) -> bool:
        ctype = (self.evidence.content_type or "").lower()
        return not ctype or ctype.startswith(HTML_TYPES)

    @property
    def text(self) -> str | None:
        """The decoded body of an HTML-like answer (None for others); the evidence records the
        charset it was decoded with."""
        if not self._decoded:
            self._decoded = True
            if self.content is not None and self._html_type():
                self._text, self.evidence.charset = decode_body(self.content, self.header_charset)
        return self._text


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
    """One host's `connections` kept-alive connections in pools of POOL_CONNECTIONS at most;
    a request goes to the pool with the fewest requests under way. The host's client sends
    at most `connections` at once, so a pool it picks always has a free connection."""

    def __init__(self, config: FetchConfig, ssl_context, connections: int):
        sizes = [POOL_CONNECTIONS] * (connections // POOL_CONNECTIONS)
        if connections % POOL_CONNECTIONS:
            sizes.append(connections % POOL_CONNECTIONS)
        self.pools = [
            GuardedTransport(
                config,
                ssl_context,
                httpx.Limits(max_connections=size, max_keepalive_connections=size),
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
        self._once = GuardedTransport(
            config,
            ssl_context,
            httpx.Limits(max_connections=config.concurrency, max_keepalive_connections=0),
        )
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


def decode_body(body: bytes, header_charset: str | None) -> tuple[str, str | None]:
    """Decode HTML bytes: HTTP charset, BOM, <meta charset>, then detection (cp1251 is common)."""
    # a byte order mark decides over the header, as browsers do (WHATWG encoding sniffing)
    if body.startswith((b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf")):
        header_charset = None
    known = [header_charset] if header_charset else []
    dammit = UnicodeDammit(body, known_definite_encodings=known, is_html=True)
    if dammit.unicode_markup is None:
        return body.decode("utf-8", errors="replace"), None
    return dammit.unicode_markup, dammit.original_encoding


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, when.timestamp() - (now if now is not None else time.time()))


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


@contextlib.asynccontextmanager
async def _both(first, second) -> AsyncIterator[None]:
    async with first, second:
        yield


class Fetcher:
    """Use as `async with Fetcher(config) as f: result = await f.get(url)`."""

    @contextlib.asynccontextmanager
    async def _host_slot(self, host: str) -> AsyncIterator[None]:
        """At most `per_host` requests to one host at a time."""
        if host not in self._hosts:
            self._hosts[host] = (asyncio.Semaphore(self.config.per_host), [0])
        semaphore, users = self._hosts[host]
        users[0] += 1
        try:
            async with semaphore:
                yield
        finally:
            users[0] -= 1
            if not users[0]:
                del self._hosts[host]

    def __init__(
        self,
        config: FetchConfig | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ):
        self.config = config or FetchConfig()
        self.sleep = sleep
        self._global = asyncio.Semaphore(self.config.concurrency)
        # per-host slots, kept only while a request to the host runs or waits (a national run
        # visits 100 000 hosts once each)
        self._hosts: dict[str, tuple[asyncio.Semaphore, list[int]]] = {}
        self._client: httpx.AsyncClient | None = None
        self._unverified: httpx.AsyncClient | None = None  # made when a site needs it
        self.requests = 0
        self.archive = None  # a WarcArchive when bodies are kept (--archive)
        self.secrets: set[str] = set()  # registered by API clients; never archived
        self._repeat_hosts: dict[str, int | None] = {}  # host -> its own connections, if paced
        # a paced host's requests wait here rather than in httpcore's pool, whose queue costs
        # CPU in proportion to its length on every request (a batch sends hundreds at once)
        self._paced_hosts: dict[str, asyncio.Semaphore] = {}
        self._transport: SplitTransport | None = None

    def keep_alive(self, url: str, rate: float | None = None) -> None:
        """The run will ask `url`'s host many times: keep its connections open. With `rate`,
        its client paces the requests to the host itself (an API's rate limit), so the
        websites' slots (--concurrency, per host) do not apply: an API's requests would queue
        behind slow sites, and 4 per host would bound it to 4 / latency requests a second
        whatever its rate. The host gets the connections its rate needs, and at most one
        request at a time is sent over each."""
        host = httpx.URL(url).host
        if rate is not None and host not in self._paced_hosts:
            connections = api_connections(rate)
            self._paced_hosts[host] = asyncio.Semaphore(connections)
            self._repeat_hosts[host] = connections
        self._repeat_hosts.setdefault(host, None)
        if self._transport is not None:
            self._transport.keep(host, self._repeat_hosts[host])

    async def __aenter__(self) -> Fetcher:
        self._transport = SplitTransport(self.config, make_ssl_context(self.config))
        for host, connections in self._repeat_hosts.items():
            self._transport.keep(host, connections)
        self._client = self._make_client(self._transport)
        return self

    def _make_client(self, transport: httpx.AsyncBaseTransport) -> httpx.AsyncClient:
        cfg = self.config
        return httpx.AsyncClient(
            transport=transport,
            follow_redirects=True,
            max_redirects=cfg.max_redirects,
            timeout=httpx.Timeout(
                connect=cfg.connect_timeout,
                read=cfg.read_timeout,
                write=cfg.read_timeout,
                pool=cfg.total_timeout,
            ),
            headers={
                "User-Agent": cfg.user_agent,
                "Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5",
                "Accept-Language": "ru,en;q=0.5",
                "Accept-Encoding": ACCEPTED,
            },
        )

    async def __aexit__(self, *exc_info) -> None:
        for client in (self._client, self._unverified):
            if client is not None:
                await client.aclose()
        self._client = self._unverified = None

    async def get(self, url: str, verify: bool = True) -> FetchResult:
        """Fetch `url` with retries; never raises for network or HTTP trouble. `verify=False`
        reads a site whose certificate the auditor does not trust (the evidence says so);
        the address guard applies all the same."""
        return await self.request("GET", url, verify=verify)

    async def request(
        self,
        method: str,
        url: str,
        data: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        summary: str | None = None,
        verify: bool = True,
    ) -> FetchResult:
        """One HTTP exchange with retries. `headers` may carry secrets: they are never recorded;
        `summary` says in the evidence what was asked (API method and ids)."""
        if self._client is None:
            raise RuntimeError("Fetcher used outside 'async with'")
        client = self._client
        if not verify:
            if self._unverified is None:
                self._unverified = self._make_client(
                    SplitTransport(self.config, make_ssl_context(self.config, verify=False))
                )
            client = self._unverified
        attempt, earlier = 0, []
        while True:
            attempt += 1
            result, retryable, retry_after = await self._attempt(method, url, data, headers, client)
            result.evidence.tls_unverified = not verify
            result.evidence.request = summary
            ev = result.evidence
            ev.attempts, ev.retried = attempt, earlier
            delay = self._retry_delay(attempt, retryable, retry_after)
            if delay is None:
                return result
            earlier = [*earlier, ev.error.value if ev.error else str(ev.status)]
            await self.sleep(delay)

    def _retry_delay(
        self, attempt: int, retryable: bool, retry_after: float | None
    ) -> float | None:
        cfg = self.config
        if not retryable or attempt > cfg.retries:
            return None
        if retry_after is not None:
            return retry_after if retry_after <= cfg.retry_after_max else None
        backoff = min(cfg.backoff_max, cfg.backoff_base * 2 ** (attempt - 1))
        return backoff * random.uniform(0.5, 1.0)

    async def _attempt(
        self,
        method: str,
        url: str,
        data: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        client: httpx.AsyncClient | None = None,
    ) -> tuple[FetchResult, bool, float | None]:
        cfg = self.config
        evidence = Evidence(url=url, method=method)
        host = host_of(url)
        paced = self._paced_hosts.get(host)
        if paced is not None:  # paced by its client; websites' slots do not apply
            slots: contextlib.AbstractAsyncContextManager = paced
        else:
            slots = _both(self._global, self._host_slot(host))
        async with slots:
            evidence.fetched_at = datetime.now(UTC).isoformat(timespec="milliseconds")
            started = time.monotonic()
            body = bytearray()
            try:
                async with asyncio.timeout(cfg.total_timeout):
                    self.requests += 1
                    stream = (client or self._client).stream
                    # an API (a paced host) is never followed elsewhere: its request carries
                    # the credentials, and a redirect would hand them to another host
                    async with stream(
                        method, url, data=data, headers=headers, follow_redirects=paced is None
                    ) as resp:
                        self._record_response(evidence, resp)
                        declared = resp.headers.get("content-length", "")
                        if declared.isdigit() and int(declared) > cfg.max_bytes:
                            evidence.error = Cause.TOO_LARGE
                            evidence.error_detail = f"declared {declared} bytes"
                        else:
                            decoder = Decoder(
                                resp.headers.get("content-encoding", ""), cfg.max_bytes
                            )
                            async for chunk in resp.aiter_raw():
                                body += decoder.feed(chunk)
                                if len(body) > cfg.max_bytes:
                                    raise TooLarge
            except TooLarge:  # decoded, through every layer of encoding
                evidence.error = Cause.TOO_LARGE
                evidence.error_detail = f"over {cfg.max_bytes} bytes"
            except UnsupportedEncoding as exc:
                evidence.error = Cause.PROTOCOL
                evidence.error_detail = f"content encoding {str(exc)[:50]!r} not asked for"
                evidence.elapsed_ms = int((time.monotonic() - started) * 1000)
                return FetchResult(evidence), False, None
            except Exception as exc:  # every transport failure becomes evidence
                cause, detail, retryable = classify(exc)
                evidence.error, evidence.error_detail = cause, detail[:500]
                evidence.elapsed_ms = int((time.monotonic() - started) * 1000)
                return FetchResult(evidence), retryable, None
            evidence.elapsed_ms = int((time.monotonic() - started) * 1000)
            headers = [(k, v) for k, v in resp.headers.multi_items()]
        if evidence.error is Cause.TOO_LARGE:
            return FetchResult(evidence), False, None
        raw = bytes(body)
        evidence.sha256 = hashlib.sha256(raw).hexdigest()
        evidence.size = len(raw)
        status = evidence.status or 0
        retryable = status in RETRY_STATUSES
        retry_after = parse_retry_after(resp.headers.get("retry-after")) if retryable else None
        if self.archive is not None:
            evidence.warc_record = self.archive.record(
                evidence, headers, raw, sorted(self.secrets, key=len, reverse=True)
            )
        return FetchResult(evidence, None, raw, resp.charset_encoding), retryable, retry_after

    @staticmethod
    def _record_response(evidence: Evidence, resp: httpx.Response) -> None:
        evidence.status = resp.status_code
        evidence.final_url = str(resp.url)
        evidence.content_type = resp.headers.get("content-type", "").split(";")[0].strip() or None
        evidence.redirects = [
            {"status": r.status_code, "url": str(r.url), "location": r.headers.get("location")}
            for r in resp.history
        ]
