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
import hashlib
import logging
import random
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from http.cookiejar import CookieJar

import httpx

from audit.encodings import ACCEPTED, Decoder, TooLarge, UnsupportedEncoding
from audit.evidence import Cause, Evidence
from audit.fetched import FetchResult, parse_retry_after
from audit.transport import (
    FetchConfig,
    SplitTransport,
    api_connections,
    classify,
    make_ssl_context,
)
from audit.urls import host_of

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504, 520, 521, 522, 523, 524})


class Visit:
    """One visit of a website: the cookies it set (a PHP session, an anti-bot's pass) go back
    to it on the visit's later requests and redirects, and to no other body's visit.

    A jar shared by the whole run would also cost every request a copy of every cookie kept
    so far (httpx merges the client's jar into each request, and the standard library's jar
    looks through every domain it holds): at 10 000 sites that set one, 59 ms a request."""

    __slots__ = ("cookies",)

    def __init__(self) -> None:
        self.cookies = httpx.Cookies()


class _NoCookies(CookieJar):
    """The clients' own jar, kept empty: cookies live in a Visit (or the fetcher's jar)."""

    def extract_cookies(self, response, request) -> None:
        pass

    def set_cookie(self, cookie) -> None:
        pass


REDIRECT_BODY_READ = 64 * 1024  # a redirect's body read to reuse its connection, at most


async def _drain(response: httpx.Response) -> None:
    """Close a redirect: its body is read (so its connection can serve the next hop) unless
    it is long, which a redirect's never needs to be."""
    read = 0
    async for chunk in response.aiter_raw():
        read += len(chunk)
        if read > REDIRECT_BODY_READ:
            break
    await response.aclose()


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
        # the cookies of requests made outside a Visit: the platforms' pages, the probes
        self._cookies = Visit()

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
            cookies=_NoCookies(),
            follow_redirects=False,  # followed by `_send`, with a visit's cookies
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

    async def get(self, url: str, verify: bool = True, visit: Visit | None = None) -> FetchResult:
        """Fetch `url` with retries; never raises for network or HTTP trouble. `verify=False`
        reads a site whose certificate the auditor does not trust (the evidence says so);
        the address guard applies all the same. `visit`: the site's visit this request is
        part of (its cookies)."""
        return await self.request("GET", url, verify=verify, visit=visit)

    async def request(
        self,
        method: str,
        url: str,
        data: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        summary: str | None = None,
        verify: bool = True,
        visit: Visit | None = None,
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
            result, retryable, retry_after = await self._attempt(
                method, url, data, headers, client, visit or self._cookies
            )
            result.evidence.tls_unverified = not verify
            result.evidence.request = summary
            ev = result.evidence
            ev.attempts, ev.retried = attempt, earlier
            if LOG.isEnabledFor(logging.DEBUG):
                LOG.debug("%s", self._logged(method, ev))
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
        data: dict[str, str] | None,
        headers: dict[str, str] | None,
        client: httpx.AsyncClient,
        visit: Visit,
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
                    # an API (a paced host) is never followed elsewhere: its request carries
                    # the credentials, and a redirect would hand them to another host
                    resp, history = await self._send(
                        client,
                        client.build_request(method, url, data=data, headers=headers),
                        paced is None,
                        visit,
                    )
                    try:
                        self._record_response(evidence, resp, history)
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
                    finally:
                        await resp.aclose()
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
            sent = (list(resp.request.headers.multi_items()), _sent_body(resp.request))
            secrets = sorted(self.secrets, key=len, reverse=True)
            evidence.warc_record = self.archive.record(evidence, headers, raw, secrets, sent)
        return FetchResult(evidence, None, raw, resp.charset_encoding), retryable, retry_after

    async def _send(
        self, client: httpx.AsyncClient, request: httpx.Request, follow: bool, visit: Visit
    ) -> tuple[httpx.Response, list[httpx.Response]]:
        """The answer to `request` (its body not read yet) and the redirects before it: each
        followed (`follow`) as httpx builds the next request, up to max_redirects, the visit's
        cookies sent and kept on every hop."""
        history: list[httpx.Response] = []
        while True:
            if visit.cookies:
                visit.cookies.set_cookie_header(request)
            response = await client.send(request, stream=True)
            if "set-cookie" in response.headers:
                visit.cookies.extract_cookies(response)
            if not follow or response.next_request is None:
                return response, history
            await _drain(response)
            history.append(response)
            if len(history) > self.config.max_redirects:
                raise httpx.TooManyRedirects("Exceeded maximum allowed redirects.", request=request)
            request = response.next_request

    def _logged(self, method: str, ev: Evidence) -> str:
        """One request as the log shows it, every secret the clients registered replaced."""
        got = ev.error.value if ev.error else str(ev.status)
        line = f"{method} {ev.url} -> {got} in {ev.elapsed_ms} ms"
        for secret in self.secrets:
            line = line.replace(secret, "***")
        return line

    @staticmethod
    def _record_response(
        evidence: Evidence, resp: httpx.Response, history: list[httpx.Response]
    ) -> None:
        evidence.status = resp.status_code
        evidence.final_url = str(resp.url)
        evidence.content_type = resp.headers.get("content-type", "").split(";")[0].strip() or None
        evidence.redirects = [
            {"status": r.status_code, "url": str(r.url), "location": r.headers.get("location")}
            for r in history
        ]


LOG = logging.getLogger("audit.fetch")  # -vv: every request, with what came back


def _sent_body(request: httpx.Request) -> bytes:
    """What was sent as the request's body (a streamed one is not kept: empty)."""
    try:
        return request.content
    except httpx.RequestNotRead:
        return b""
