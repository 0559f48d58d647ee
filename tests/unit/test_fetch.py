"""Fetcher behaviour with respx: retries, Retry-After, caps, charsets, evidence, failure causes."""

import hashlib
import ssl

import httpx
import pytest
import respx

from audit.fetch import Cause, Fetcher, Visit, classify
from audit.fetched import parse_retry_after
from audit.net import BlockedAddressError, NameResolutionError
from audit.transport import FetchConfig, api_connections


class Sleeps(list):
    async def __call__(self, seconds):
        self.append(seconds)


async def fetch(url, sleeps=None, **config):
    async with Fetcher(FetchConfig(**config), sleep=Sleeps() if sleeps is None else sleeps) as f:
        return await f.get(url)


@respx.mock
async def test_evidence_of_a_plain_page():
    body = "<html><title>Привет</title></html>".encode()
    respx.get("https://adm.ru/").respond(
        200, content=body, headers={"Content-Type": "text/html; charset=utf-8"}
    )
    r = await fetch("https://adm.ru/")
    ev = r.evidence
    assert r.ok and r.is_html and "Привет" in r.text
    assert ev.status == 200 and ev.final_url == "https://adm.ru/"
    assert ev.sha256 == hashlib.sha256(body).hexdigest() and ev.size == len(body)
    assert ev.fetched_at.endswith("+00:00") and ev.attempts == 1 and ev.error is None


@respx.mock
async def test_retries_5xx_then_succeeds():
    route = respx.get("https://adm.ru/")
    route.side_effect = [httpx.Response(503), httpx.Response(502), httpx.Response(200, text="ok")]
    sleeps = Sleeps()
    r = await fetch("https://adm.ru/", sleeps, retries=2, backoff_base=1.0)
    assert r.ok and r.evidence.attempts == 3 and route.call_count == 3
    assert r.evidence.retried == ["503", "502"]
    assert len(sleeps) == 2 and 0.5 <= sleeps[0] <= 1.0 and 1.0 <= sleeps[1] <= 2.0


@respx.mock
async def test_gives_up_after_retries_and_keeps_status():
    respx.get("https://adm.ru/").respond(500)
    r = await fetch("https://adm.ru/", retries=1)
    assert not r.ok and r.evidence.status == 500 and r.evidence.attempts == 2


@respx.mock
async def test_429_honours_retry_after():
    route = respx.get("https://adm.ru/")
    route.side_effect = [httpx.Response(429, headers={"Retry-After": "7"}), httpx.Response(200)]
    sleeps = Sleeps()
    r = await fetch("https://adm.ru/", sleeps)
    assert r.ok and sleeps == [7.0]


@respx.mock
async def test_retry_after_beyond_cap_is_not_waited_for():
    respx.get("https://adm.ru/").respond(429, headers={"Retry-After": "3600"})
    sleeps = Sleeps()
    r = await fetch("https://adm.ru/", sleeps, retry_after_max=60)
    assert r.evidence.status == 429 and sleeps == [] and r.evidence.attempts == 1


def test_parse_retry_after_date():
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:10 GMT", now=1445412480.0) == 10.0
    assert parse_retry_after("nonsense") is None and parse_retry_after("5") == 5.0


@respx.mock
async def test_404_is_not_retried():
    route = respx.get("https://adm.ru/").respond(404)
    r = await fetch("https://adm.ru/")
    assert r.evidence.status == 404 and route.call_count == 1


@respx.mock
async def test_timeout_is_retried_then_reported():
    route = respx.get("https://adm.ru/").mock(side_effect=httpx.ReadTimeout("slow"))
    r = await fetch("https://adm.ru/", retries=2)
    assert r.evidence.error is Cause.TIMEOUT and route.call_count == 3 and r.evidence.status is None


@respx.mock
async def test_connect_error():
    respx.get("https://adm.ru/").mock(side_effect=httpx.ConnectError("refused"))
    r = await fetch("https://adm.ru/", retries=0)
    assert r.evidence.error is Cause.CONNECT


@respx.mock
async def test_windows_1251_declared_only_in_meta():
    html = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1251">'
        "<title>Администрация Ёлкинского поселения</title></head></html>"
    )
    respx.get("https://old.ru/").respond(
        200, content=html.encode("cp1251"), headers={"Content-Type": "text/html"}
    )
    r = await fetch("https://old.ru/")
    assert "Ёлкинского" in r.text and r.evidence.charset == "windows-1251"


@respx.mock
async def test_windows_1251_undeclared_is_detected():
    text = "<html><body>" + "Администрация сельского поселения. Новости и документы. " * 20
    respx.get("https://old.ru/").respond(
        200, content=text.encode("cp1251"), headers={"Content-Type": "text/html"}
    )
    r = await fetch("https://old.ru/")
    assert "Администрация сельского поселения" in r.text


@respx.mock
async def test_header_charset_wins():
    respx.get("https://old.ru/").respond(
        200,
        content="<p>Щука</p>".encode("koi8-r"),
        headers={"Content-Type": "text/html; charset=koi8-r"},
    )
    assert "Щука" in (await fetch("https://old.ru/")).text


@respx.mock
async def test_body_cap_by_declared_length_and_by_stream():
    respx.get("https://big.ru/a").respond(200, content=b"x" * 2000)
    r = await fetch("https://big.ru/a", max_bytes=1000)
    assert r.evidence.error is Cause.TOO_LARGE and r.evidence.status == 200 and r.text is None

    async def stream():
        for _ in range(100):
            yield b"y" * 100

    respx.get("https://big.ru/b").respond(200, stream=stream())
    r = await fetch("https://big.ru/b", max_bytes=1000)
    assert r.evidence.error is Cause.TOO_LARGE


@respx.mock
async def test_redirects_recorded_and_limited():
    respx.get("http://old.ru/").respond(301, headers={"Location": "https://new.ru/"})
    respx.get("https://new.ru/").respond(200, text="<p>new</p>")
    r = await fetch("http://old.ru/")
    assert r.ok and r.evidence.final_url == "https://new.ru/"
    assert r.evidence.redirects == [
        {"status": 301, "url": "http://old.ru/", "location": "https://new.ru/"}
    ]

    respx.get("https://loop.ru/").respond(302, headers={"Location": "https://loop.ru/"})
    r = await fetch("https://loop.ru/", max_redirects=3)
    assert r.evidence.error is Cause.REDIRECTS


@respx.mock
async def test_redirects_followed_exactly_max_redirects_times():
    hops = [respx.get(f"https://hop.ru/{n}").respond(302, headers={"Location": f"/{n + 1}"})
            for n in range(5)]  # fmt: skip
    respx.get("https://hop.ru/5").respond(200, text="<p>end</p>")
    r = await fetch("https://hop.ru/0", max_redirects=5)
    assert r.ok and r.evidence.final_url == "https://hop.ru/5" and len(r.evidence.redirects) == 5
    r = await fetch("https://hop.ru/0", max_redirects=4)
    assert r.evidence.error is Cause.REDIRECTS
    assert [h.call_count for h in hops] == [2, 2, 2, 2, 2]  # as many requests as httpx sends


@respx.mock
async def test_a_visit_sends_its_site_its_own_cookies_through_redirects():
    """An anti-bot's pass or a PHP session set on a redirect comes back on the next hop and
    on the visit's later pages; another body's visit of the same host starts without it,
    and nothing stays in a jar the whole run shares."""
    seen = []

    def gate(request):
        seen.append(request.headers.get("cookie"))
        if "pass=ok" in (request.headers.get("cookie") or ""):
            return httpx.Response(200, text="<p>home</p>")
        return httpx.Response(
            302, headers={"Location": "/", "Set-Cookie": "pass=ok; Path=/; HttpOnly"}
        )

    respx.get("https://gate.ru/").mock(side_effect=gate)
    respx.get("https://gate.ru/contacts").mock(side_effect=gate)
    async with Fetcher(FetchConfig(), sleep=Sleeps()) as f:
        visit = Visit()
        home = await f.get("https://gate.ru/", visit=visit)
        assert home.ok and home.evidence.redirects[0]["status"] == 302
        contacts = await f.get("https://gate.ru/contacts", visit=visit)
        assert contacts.ok and not contacts.evidence.redirects
        assert seen == [None, "pass=ok", "pass=ok"]
        other = await f.get("https://gate.ru/", visit=Visit())
        assert other.ok and seen[3] is None  # a new visit: the pass is asked for again
        assert not f._cookies.cookies and not f._client.cookies


@respx.mock
async def test_requests_outside_a_visit_share_the_fetchers_jar():
    respx.get("https://vk.com/a").respond(200, text="a", headers={"Set-Cookie": "remixlang=0"})
    b = respx.get("https://vk.com/b").respond(200, text="b")
    async with Fetcher(FetchConfig(), sleep=Sleeps()) as f:
        await f.get("https://vk.com/a")
        await f.get("https://vk.com/b")
    assert b.calls.last.request.headers.get("cookie") == "remixlang=0"


@respx.mock
async def test_a_redirects_endless_body_is_not_read():
    endless = httpx.ByteStream(b"x" * (10 * 1024 * 1024))
    respx.get("https://big.ru/").respond(302, headers={"Location": "/home"}, stream=endless)
    respx.get("https://big.ru/home").respond(200, text="<p>home</p>")
    r = await fetch("https://big.ru/", max_bytes=1024)
    assert r.ok and r.evidence.final_url == "https://big.ru/home"


@respx.mock
async def test_non_html_is_not_decoded():
    respx.get("https://adm.ru/").respond(
        200, content=b"%PDF-1.4", headers={"Content-Type": "application/pdf"}
    )
    r = await fetch("https://adm.ru/")
    assert r.ok and r.text is None and not r.is_html and r.evidence.sha256


@pytest.mark.parametrize(
    ("exc", "cause", "retry"),
    [
        (httpx.ConnectError("x"), Cause.CONNECT, True),
        (httpx.ConnectTimeout("x"), Cause.TIMEOUT, True),
        (httpx.RemoteProtocolError("x"), Cause.PROTOCOL, True),
        (httpx.TooManyRedirects("x"), Cause.REDIRECTS, False),
        (httpx.UnsupportedProtocol("x"), Cause.INVALID_URL, False),
    ],
)
def test_classify_plain(exc, cause, retry):
    assert classify(exc)[0] is cause and classify(exc)[2] is retry


def _chained(outer, inner):
    try:
        try:
            raise inner
        except Exception as e:
            raise outer from e
    except Exception as e:
        return e


def test_classify_causes_in_chain():
    tls = _chained(
        httpx.ConnectError("x"), ssl.SSLCertVerificationError(1, "certificate verify failed")
    )
    assert classify(tls)[0] is Cause.TLS
    dns = _chained(httpx.ConnectError("x"), NameResolutionError("nx.ru: not known"))
    assert classify(dns)[:1] == (Cause.DNS,) and classify(dns)[2] is False
    temp = _chained(httpx.ConnectError("x"), NameResolutionError("x: try again", permanent=False))
    assert classify(temp)[0] is Cause.RESOLVER and classify(temp)[2] is True
    isolated = _chained(httpx.ConnectError("x"), NameResolutionError("x", False, False))
    assert classify(isolated)[:3:2] == (Cause.RESOLVER, False)  # asking again cannot help
    blocked = _chained(httpx.ConnectError("x"), BlockedAddressError("10.0.0.1"))
    assert classify(blocked)[0] is Cause.BLOCKED
    timeout_on_tls = _chained(httpx.ReadTimeout("x"), ssl.SSLWantReadError())
    assert classify(timeout_on_tls)[0] is Cause.TIMEOUT


class Slow:
    """A respx side effect answering after 10 ms; `peak` is the most requests seen at once."""

    def __init__(self):
        self.running = self.peak = 0

    async def __call__(self, request):
        import asyncio

        self.running += 1
        self.peak = max(self.peak, self.running)
        await asyncio.sleep(0.01)
        self.running -= 1
        return httpx.Response(200, text="ok")


@respx.mock
async def test_per_host_limit_holds_and_no_host_is_remembered_after_its_requests():
    import asyncio

    slow = Slow()
    respx.get(url__regex=r"https://h\d\.ru/.*").mock(side_effect=slow)
    async with Fetcher(FetchConfig(per_host=2, concurrency=50)) as f:
        await asyncio.gather(*(f.get(f"https://h1.ru/{n}") for n in range(8)))
        assert slow.peak == 2
        await asyncio.gather(*(f.get(f"https://h{n}.ru/") for n in range(10)))
        assert f._hosts == {}  # a national run visits 100 000 hosts: none is kept


@respx.mock
async def test_paced_api_hosts_skip_the_websites_slots_and_keep_their_connections():
    import asyncio

    slow = Slow()
    respx.post("https://api.example.ru/m").mock(side_effect=slow)
    respx.get(url__regex=r"https://site\d\.ru/").mock(return_value=httpx.Response(200))
    async with Fetcher(FetchConfig(per_host=2, concurrency=50)) as f:
        f.keep_alive("https://api.example.ru/m", rate=100)
        await asyncio.gather(*(f.request("POST", "https://api.example.ru/m") for _ in range(60)))
        # its client's rate limiter paces it, not the per-host cap of 2; at most one request
        # per kept connection is handed to the HTTP pools at a time: 100/s x 0.25 s = 25
        assert slow.peak == api_connections(100) == 25
        pools = f._transport._paced["api.example.ru"]
        assert [p._pool._max_connections for p in pools.pools] == [8, 8, 8, 1]
        assert pools.busy == [0, 0, 0, 0]  # each request counted free once its body was read
        await f.get("https://site1.ru/")
        assert f._transport.repeat_hosts == {"api.example.ru"}
        assert f._hosts == {}


@respx.mock
async def test_a_paced_host_spreads_its_requests_over_its_pools():
    import asyncio

    seen: list[int] = []
    async with Fetcher(FetchConfig()) as f:
        f.keep_alive("https://api.example.ru/m", rate=64)  # 16 connections: two pools of 8
        pools = f._transport._paced["api.example.ru"]

        async def answer(request):
            seen.append(list(pools.busy))
            await asyncio.sleep(0.01)
            return httpx.Response(200, text="ok")

        respx.post("https://api.example.ru/m").mock(side_effect=answer)
        await asyncio.gather(*(f.request("POST", "https://api.example.ru/m") for _ in range(40)))
        assert max(max(b) for b in seen) == 8 and max(min(b) for b in seen) == 8
        assert pools.busy == [0, 0]


def test_api_connections_follow_the_rate_within_bounds():
    assert api_connections(3) == 4  # the default rate: a few, for slow answers
    assert api_connections(18) == 5
    assert api_connections(900) == 32


def test_auto_workers_leave_a_core_to_the_auditor_for_large_runs_only():
    from audit.cli import POOL_FROM, auto_workers

    assert auto_workers(POOL_FROM - 1, cpus=8) == 0
    assert auto_workers(POOL_FROM, cpus=2) == 1
    assert auto_workers(POOL_FROM, cpus=3) == 2
    assert auto_workers(100_000, cpus=16) == 4
    assert auto_workers(100_000, cpus=1) == 0
