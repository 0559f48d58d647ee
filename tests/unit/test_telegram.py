"""Telegram channels: the address grammar and the public preview (t.me/s/<name>) as the
simulated t.me serves it in the markup public scrapers read; a name without a preview, a
group, a person and a name nobody holds; an interstitial is never a missing channel."""

from __future__ import annotations

import os

import pytest

from audit.evidence import Evidence
from audit.fetched import FetchResult
from audit.pageurls import parse_page_url
from audit.platforms import PLUGINS_ENV, enable, enabling, get_platform, platform_keys
from audit.platforms.telegram.collector import count, parse_page
from audit.world.telegram import card, preview
from tests.shared import realworld

NOW = 1_790_000_000.0
OBSERVED = "2026-09-21T12:00:00+00:00"
URL = "https://t.me/adm_demo"


@pytest.fixture(autouse=True, scope="module")
def telegram():
    """Enabled for these tests only: the rest of the suite (and the processes it starts
    through PLUGINS_ENV) sees the platforms of a default run."""
    with enabling():
        enable(["telegram"])
        yield
    assert "telegram" not in platform_keys() and PLUGINS_ENV not in os.environ


def result(html: str, status: int = 200) -> FetchResult:
    ev = Evidence(url=URL, final_url=URL, status=status, content_type="text/html")
    return FetchResult(ev, html, html.encode())


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://t.me/Adm_Demo", ("https://t.me/adm_demo", False)),
        ("https://t.me/s/adm_demo", ("https://t.me/adm_demo", False)),
        ("https://telegram.me/adm_demo/125", ("https://t.me/adm_demo", True)),
        ("https://t.me/+AbCdEf123", None),
        ("https://t.me/joinchat/AbCdEf123", None),
        ("https://t.me/share/url?url=https://adm.ru", None),
        ("https://t.me/abc", None),  # shorter than a public username
    ],
)
def test_addresses(url, expected):
    parsed = parse_page_url(url)
    assert (None if parsed is None else (parsed[0].url, parsed[1])) == expected


def test_the_platform_is_outside_the_federal_list():
    platform = get_platform("telegram")
    assert platform.federal is False and "gov_mark" in platform.lacks


def test_subscriber_counts():
    assert [count(x) for x in ("3.4K", "12 345", "1.2M", "312", "", None)] == [
        3400,
        12345,
        1_200_000,
        312,
        None,
        None,
    ]


def test_a_preview_gives_name_description_subscribers_and_posts():
    channel = {
        "name": "adm_demo",
        "title": "Администрация Демо",
        "description": "Официальный канал. Сайт adm-demo.ru, приёмная +7 (81234) 5-67-89, "
        "adm@demo.ru",
        "subscribers": "3.4K",
        "posts": {"last_hours": 3, "every_hours": 24, "count": 40},
    }
    page = parse_page(result(preview(channel, NOW)), URL, OBSERVED)
    assert (page.state, page.kind, page.name, page.members) == (
        "found",
        "channel",
        "Администрация Демо",
        3400,
    )
    assert page.is_community and page.avatar is True and page.emails == ["adm@demo.ru"]
    assert page.closed is False and page.links == ["http://adm-demo.ru"]  # public; its site
    assert len(page.posts) == 20 and page.posts[0] == int(NOW - 3 * 3600)
    assert page.posts_cover_from == page.posts[-1]  # older posts are not shown


def test_cards_without_a_preview():
    channel = parse_page(
        result(card("Администрация Демо", "1 204 subscribers", "adm_demo")), URL, OBSERVED
    )
    assert (channel.state, channel.kind, channel.members) == ("found", "channel", 1204)
    assert channel.posts is None and channel.wall_cause == "wall_unreadable"
    group = parse_page(result(card("Чат жителей", "5 400 members", "adm_demo")), URL, OBSERVED)
    assert (group.kind, group.members) == ("group", 5400)
    person = parse_page(result(card("Иван Иванов", "", "adm_demo")), URL, OBSERVED)
    assert person.kind == "profile" and person.is_community is False
    nobody = parse_page(result(card(None, "", "adm_demo")), URL, OBSERVED)
    assert nobody.state == "missing"
    # a card without its title that does not offer to contact the very name: not "missing"
    other = card(None, "", "someone_else").replace("contact", "open")
    assert parse_page(result(other), URL, OBSERVED).state == "error"


@pytest.mark.parametrize(
    "name", ["stub/cloudflare-captcha-2019.html", "vkpage/vk-oauth-login.html"]
)
def test_anything_else_is_an_error_never_a_missing_channel(name):
    page = parse_page(result(realworld(name), status=200), URL, OBSERVED)
    assert page.state == "error", page
