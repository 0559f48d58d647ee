"""The fetcher refuses loopback, private, link-local and metadata addresses — given directly,
reached through DNS, or through a redirect — unless loopback is explicitly allowed."""

from __future__ import annotations

import pytest

from audit.fetch import Cause, FetchConfig, Fetcher
from tests.hostile.conftest import config_for

TARGETS = [
    "http://127.0.0.1:1/",
    "http://127.8.9.10/",
    "http://10.1.2.3/",
    "http://172.16.0.1/",
    "http://192.168.1.1/",
    "http://169.254.169.254/latest/meta-data/",
    "http://[::1]/",
    "http://[fc00::1]/",
    "http://[fe80::1]/",
    "http://[::ffff:127.0.0.1]/",
    "http://0.0.0.0/",
    "http://localhost/",  # a name that resolves to loopback
]


@pytest.mark.parametrize("url", TARGETS)
async def test_private_targets_are_refused(url):
    async with Fetcher(FetchConfig(retries=0, connect_timeout=1)) as f:
        r = await f.get(url)
    assert r.evidence.error is Cause.BLOCKED, (url, r.evidence.error, r.evidence.error_detail)
    assert r.evidence.status is None


async def test_redirects_to_private_addresses_are_refused(hostile_world):
    async with Fetcher(config_for(hostile_world)) as f:
        meta = await f.get("https://toprivate.test/")
        local = await f.get("https://tolocal.test/")
    assert meta.evidence.error is Cause.BLOCKED and "169.254.169.254" in meta.evidence.error_detail
    assert local.evidence.error is Cause.BLOCKED and "loopback" in local.evidence.error_detail


async def test_loopback_only_with_the_explicit_option():
    async with Fetcher(FetchConfig(retries=0, connect_timeout=1, allow_loopback=True)) as f:
        r = await f.get("http://127.0.0.1:1/")
        private = await f.get("http://10.1.2.3/")
    assert r.evidence.error is Cause.CONNECT  # allowed, and nothing listens there
    assert private.evidence.error is Cause.BLOCKED  # the option opens loopback only
