"""Where connections may go: connect-to rules, isolation and the SSRF guard."""

import pytest

from audit.evidence import Cause
from audit.fetch import Fetcher
from audit.net import (
    BlockedAddressError,
    ConnectTo,
    GuardedBackend,
    NameResolutionError,
    address_refusal,
)
from audit.transport import FetchConfig


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("127.0.0.1", "loopback address"),
        ("::1", "loopback address"),
        ("10.1.2.3", "private address"),
        ("172.16.0.1", "private address"),
        ("192.168.1.1", "private address"),
        ("169.254.169.254", "link-local address"),
        ("fc00::1", "private address"),
        ("::ffff:10.0.0.1", "private address"),
        ("0.0.0.0", "reserved address"),
        ("93.184.216.34", None),
        ("2a00:1450::1", None),
    ],
)
def test_address_refusal(address, reason):
    assert address_refusal(address, allow_loopback=False) == reason


def test_loopback_allowed_only_on_request():
    assert address_refusal("127.0.0.1", allow_loopback=True) is None
    assert address_refusal("10.0.0.1", allow_loopback=True) == "private address"


def test_connect_to_parsing():
    rule = ConnectTo.parse("adm.ru:443:127.0.0.1:8443")
    assert rule.matches("ADM.ru", 443) and not rule.matches("adm.ru", 80)
    anyhost = ConnectTo.parse("::127.0.0.1:8080")
    assert anyhost.matches("x.ru", 80) and anyhost.target_port == 8080
    with pytest.raises(ValueError):
        ConnectTo.parse("adm.ru:443")


def test_wildcard_rules_and_the_first_matching_rule_wins():
    rules = [
        ConnectTo.parse("a.sp.ru:80:127.0.0.1:1"),
        ConnectTo.parse("*.sp.ru:80:127.0.0.1:2"),
        ConnectTo.parse("b.sp.ru:80:127.0.0.1:3"),  # after the wildcard: never used
        ConnectTo.parse("::127.0.0.1:4"),
    ]
    backend = GuardedBackend(rules, isolated=True)
    assert backend.rule_for("A.SP.RU", 80).target_port == 1
    assert backend.rule_for("b.sp.ru", 80).target_port == 2
    assert backend.rule_for("deep.c.sp.ru", 80).target_port == 2
    assert backend.rule_for("sp.ru", 80).target_port == 4  # the wildcard is for names below
    assert backend.rule_for("evilsp.ru", 80).target_port == 4
    assert GuardedBackend(rules[:3]).rule_for("evilsp.ru", 80) is None


async def test_isolated_mode_never_resolves():
    with pytest.raises(NameResolutionError):
        await GuardedBackend(isolated=True).connect_tcp("adm.ru", 443)


@pytest.mark.parametrize("host", ["127.0.0.1", "10.0.0.8", "169.254.169.254", "::1"])
async def test_private_literals_refused(host):
    with pytest.raises(BlockedAddressError):
        await GuardedBackend().connect_tcp(host, 80)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]:9/",
        "http://10.0.0.1/",
    ],
)
async def test_fetcher_reports_blocked(url):
    async with Fetcher(FetchConfig(retries=0)) as f:
        r = await f.get(url)
    assert r.evidence.error is Cause.BLOCKED
