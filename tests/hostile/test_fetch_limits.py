"""Every hostile response becomes evidence with a named cause; nothing raises, nothing hangs."""

from __future__ import annotations

import time

import pytest

from audit.evidence import Cause
from audit.fetch import Fetcher
from tests.hostile.conftest import config_for


async def get(world, url, **overrides):
    async with Fetcher(config_for(world, **overrides)) as f:
        return await f.get(url)


async def test_body_over_the_cap_is_cut_while_streaming(hostile_world):
    r = await get(hostile_world, "https://huge.test/")
    assert r.evidence.error is Cause.TOO_LARGE and r.text is None


async def test_decompression_bomb_stops_at_the_cap(hostile_world):
    started = time.monotonic()
    r = await get(hostile_world, "https://bomb.test/")
    assert r.evidence.error is Cause.TOO_LARGE
    assert "over 2000000 bytes" in r.evidence.error_detail
    assert time.monotonic() - started < 10


async def test_redirect_chain_over_the_limit(hostile_world):
    r = await get(hostile_world, "https://chain.test/0", max_redirects=10)
    assert r.evidence.error is Cause.REDIRECTS
    ok = await get(hostile_world, "https://chain.test/0", max_redirects=20)
    assert ok.ok and len(ok.evidence.redirects) == 15


async def test_endless_slow_body_hits_the_total_time_cap(hostile_world):
    started = time.monotonic()
    r = await get(hostile_world, "https://drip.test/", total_timeout=2)
    assert r.evidence.error is Cause.TIMEOUT
    assert time.monotonic() - started < 5


async def test_connection_reset_mid_body(hostile_world):
    r = await get(hostile_world, "https://cut.test/")
    assert r.evidence.error in (Cause.PROTOCOL, Cause.CONNECT), r.evidence


async def test_http_1_0_server_without_content_length(hostile_world):
    r = await get(hostile_world, "https://old.test/")
    assert r.ok and "Администрация" in r.text


@pytest.mark.parametrize("host", ["mixed.test", "badcharset.test"])
async def test_broken_charsets_still_decode(hostile_world, host):
    r = await get(hostile_world, f"https://{host}/")
    assert (r.ok and r.text and "Новости" in r.text) or "\ufffd" in (r.text or "")


async def test_non_html_is_not_parsed(hostile_world):
    r = await get(hostile_world, "https://pdf.test/")
    assert r.ok and not r.is_html


async def test_invalid_tls_certificate(hostile_world):
    r = await get(hostile_world, "https://wrongcert.test/")
    assert r.evidence.error is Cause.TLS


def test_layered_gzip_bomb_is_capped_on_the_decoded_size_with_memory_near_the_cap(
    hostile_world,
):
    """`Content-Encoding: gzip, gzip, gzip`: 800 MB in about a kilobyte. The real CLI reads it
    with a 5 MiB cap; its own peak memory stays near the cap (the whole body was inflated
    before: 800 MB and more)."""
    import subprocess
    import sys

    from tests.e2e.conftest import ROOT

    # the process's own high-water mark (VmHWM: ru_maxrss would also count the forked
    # parent's, the test runner's, which Linux carries over exec)
    code = (
        "import re, sys\n"
        "from audit.__main__ import main\n"
        "code = main(sys.argv[1:])\n"
        "status = open('/proc/self/status').read()\n"
        "print('MAXRSS_KB', re.search(r'VmHWM:\\s+(\\d+)', status).group(1), file=sys.stderr)\n"
        "raise SystemExit(code)\n"
    )
    args = ["links", "https://layers.test/", "--max-bytes", str(5 << 20), "--retries", "0"]
    proc = subprocess.run(
        [sys.executable, "-c", code, *args, *hostile_world.cli_args(), "--total-timeout", "60"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert "too_large" in proc.stderr and "over 5242880 bytes" in proc.stderr, proc.stderr
    peak_mb = int(proc.stderr.split("MAXRSS_KB")[1].split()[0]) / 1024
    assert peak_mb < 250, peak_mb


def test_what_one_page_contributes_is_bounded_and_said(hostile_world, tmp_path):
    """A page of 90 000 distinct VK links: the body in report.json stays small (it was 37 MB
    for a 3.6 MB page) and says how many references were left out."""
    from tests.e2e.conftest import FAST, cli, load_report, one_body

    reg = one_body(
        tmp_path,
        '{id: "m1", name: Администрация, kind: rural_settlement, website: "https://manylinks.test/"}',
    )
    proc = cli(
        "run", reg, "--out", tmp_path / "out", "--no-canaries", "--no-reference-sites",
        "--no-api", *hostile_world.cli_args(), *FAST,
    )  # fmt: skip
    assert proc.returncode in (0, 1, 3), proc.stderr
    size = (tmp_path / "out" / "report.json").stat().st_size
    links = load_report(tmp_path / "out")["entities"][0]["observations"]["site"]["links"]
    assert len(links["references"]) == 100 and links["references_cut"] == 89_900
    assert size < 1_000_000, size


async def test_a_large_page_is_read_off_the_event_loop(monkeypatch):
    """No single page holds the event loop: a page of a few megabytes is read in a worker
    thread (lxml parses without the GIL) while the loop goes on; small pages stay on it."""
    import threading

    import audit.collect.site as site
    from audit.evidence import Evidence
    from audit.fetched import FetchResult

    threads = []
    real = site.discover

    def recording(text, base, lower):
        threads.append(threading.get_ident())
        return real(text, base, lower)

    def page(html: str) -> FetchResult:
        return FetchResult(Evidence(url="https://a.ru/"), content=html.encode("utf-8"))

    monkeypatch.setattr(site, "discover", recording)
    big = "<html><body>" + "<p>Новости поселения.</p>" * 40_000 + "</body></html>"
    found = await site.read_page(
        page(big + '<a href="https://vk.com/adm_big">ВК</a>'), "https://a.ru/"
    )
    await site.read_page(page("<html><body>small</body></html>"), "https://a.ru/")
    loop_thread = threading.get_ident()
    assert threads[0] != loop_thread and threads[1] == loop_thread
    assert found.pages("vk") == ["https://vk.com/adm_big"]
