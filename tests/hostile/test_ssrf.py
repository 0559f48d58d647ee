"""The fetcher refuses loopback, private, link-local and metadata addresses — given directly,
reached through DNS, or through a redirect — unless loopback is explicitly allowed."""

from __future__ import annotations

import pytest

from audit.evidence import Cause
from audit.fetch import Fetcher
from audit.transport import FetchConfig
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


# Special-purpose ranges a hand list missed, and IPv4 addresses carried inside IPv6 forms
SPECIAL = [
    "http://100.64.0.1/",  # shared address space (carrier-grade NAT)
    "http://100.100.100.200/latest/meta-data/",  # a cloud's metadata service in it
    "http://198.18.0.1/",  # benchmarking
    "http://192.0.0.1/",  # IETF protocol assignments
    "http://240.0.0.1/",  # reserved
    "http://[fec0::1]/",  # site-local
    "http://[2002:7f00:1::]/",  # 6to4 around 127.0.0.1
    "http://[2002:a9fe:a9fe::]/",  # 6to4 around 169.254.169.254
    "http://[64:ff9b::a9fe:a9fe]/",  # NAT64 around 169.254.169.254
    "http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/",  # Teredo
    "http://[::127.0.0.1]/",  # IPv4-compatible
]


@pytest.mark.parametrize("url", SPECIAL)
def test_special_purpose_addresses_are_refused_through_the_cli(url):
    from tests.e2e.conftest import cli

    proc = cli("links", url, "--retries", "0", "--connect-timeout", "1")
    assert proc.returncode == 2 and "(blocked:" in proc.stderr, (url, proc.stderr)


def test_public_addresses_inside_ipv6_forms_are_judged_by_themselves():
    from audit.net import address_refusal

    assert address_refusal("64:ff9b::808:808", False) is None  # NAT64 to a public address
    assert address_refusal("::ffff:8.8.8.8", False) is None
    assert address_refusal("2002:7f00:1::", True) is None  # loopback, when allowed
