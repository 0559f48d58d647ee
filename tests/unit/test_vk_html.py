"""The public-page fallback: parsing vk.com HTML, and Russian dates as VK prints them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from audit.evidence import Cause, Evidence
from audit.fetched import FetchResult
from audit.platforms.vk.html import parse_vk_page
from audit.rudates import MSK, format_ru_date, parse_ru_date
from audit.world.vk import VkWorld

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
OBSERVED = NOW.isoformat(timespec="seconds")


def result(html: str, status: int = 200, final_url: str = "https://vk.com/x") -> FetchResult:
    ev = Evidence(
        url="https://vk.com/x", final_url=final_url, status=status, content_type="text/html"
    )
    return FetchResult(ev, html, html.encode())


@pytest.fixture()
def vk() -> VkWorld:
    spec = {
        "users": [{"id": 77, "screen_name": "ivanov", "name": "Иван Иванов"}],
        "groups": [
            {
                "id": 1,
                "screen_name": "good",
                "name": "Администрация <Хорошего> поселения",
                "gov": True,
                "verified": 1,
                "site": "https://good-sp.ru",
                "description": "Официальная страница администрации.",
                "phone": "+7 812 123-45-67",
                "email": "adm@good-sp.ru",
                "address": "199000, ул. Ленина, 1",
                "members": 1234,
                "posts": {"last_hours": 2, "every_hours": 24, "count": 15, "pinned_days": 300},
            },
            {"id": 2, "screen_name": "closed", "name": "Закрытая", "closed": 1},
            {"id": 3, "screen_name": "banned", "name": "Заблокированная", "deactivated": "banned"},
            {"id": 4, "screen_name": "login", "name": "Вход", "web": "login"},
            {"id": 5, "screen_name": "nogov", "name": "Без отметки", "posts": {"count": 0}},
        ],
    }
    return VkWorld(spec, clock=NOW.timestamp)


def page_of(vk: VkWorld, name: str):
    status, _, html = vk.handle_web("/" + name)
    return parse_vk_page(result(html, status), f"https://vk.com/{name}", OBSERVED)


def test_community_page_facts(vk):
    page = page_of(vk, "good")
    assert page.state == "found" and page.source == "html"
    assert page.name == "Администрация <Хорошего> поселения"
    assert (page.page_id, page.kind, page.closed) == ("1", "group", False)
    assert page.gov_mark is True and page.verified is True
    assert page.site == "https://good-sp.ru"
    assert page.phones == ["+7 812 123-45-67"] and page.emails == ["adm@good-sp.ru"]
    assert page.addresses == ["199000, ул. Ленина, 1"]
    assert page.members == 1234
    # pinned post left out; dates read back from «сегодня в …», «вчера в …», «5 ноября в …»
    assert len(page.posts) == 10
    assert page.posts[0] == int((NOW - timedelta(hours=2)).timestamp()) // 60 * 60
    assert page.posts_within(30) is None  # only the latest posts are shown
    assert page.posts_at_least(30) == 10


def test_missing_closed_banned_profile_login(vk):
    assert page_of(vk, "no_such_page").state == "missing"
    closed = page_of(vk, "closed")
    assert closed.closed is True and closed.posts is None and closed.wall_cause == "closed"
    assert page_of(vk, "banned").state == "banned"
    profile = page_of(vk, "ivanov")
    assert profile.kind == "profile" and profile.page_id == "77"
    login = page_of(vk, "login")
    assert login.state == "error" and login.cause == "login_wall"
    nogov = page_of(vk, "nogov")
    assert nogov.gov_mark is False and nogov.posts == [] and nogov.posts_within(30) == 0


def test_challenge_redirect_and_fetch_failures_are_errors():
    challenge = parse_vk_page(
        result("<html></html>", final_url="https://vk.com/challenge.html?x=1"),
        "https://vk.com/a",
        OBSERVED,
    )
    assert challenge.state == "error" and challenge.cause == "challenge"
    ev = Evidence(url="https://vk.com/a", error=Cause.TIMEOUT, error_detail="read timeout")
    timeout = parse_vk_page(FetchResult(ev), "https://vk.com/a", OBSERVED)
    assert timeout.state == "error" and timeout.cause == "timeout"
    server = parse_vk_page(result("<html>oops</html>", status=503), "https://vk.com/a", OBSERVED)
    assert server.state == "error" and server.cause == "http"


def test_gov_label_in_a_post_does_not_count():
    html = """<html><head><meta property="og:title" content="Клуб"><meta property="og:url"
    content="https://vk.com/club9"></head><body><h1>Клуб</h1>
    <div class="post"><span class="rel_date">сегодня в 10:00</span>
    Мы не госорганизация, но пишем о них</div></body></html>"""
    page = parse_vk_page(result(html), "https://vk.com/club9", OBSERVED)
    assert page.gov_mark is False and len(page.posts) == 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("сегодня в 10:15", datetime(2026, 11, 23, 10, 15, tzinfo=MSK)),
        ("вчера в 9:05", datetime(2026, 11, 22, 9, 5, tzinfo=MSK)),
        ("5 мая в 12:00", datetime(2026, 5, 5, 12, 0, tzinfo=MSK)),
        ("5 мая 2024", datetime(2024, 5, 5, 0, 0, tzinfo=MSK)),
        ("12 дек в 8:00", datetime(2025, 12, 12, 8, 0, tzinfo=MSK)),  # future → last year
        ("2 часа назад", NOW - timedelta(hours=2)),
        ("5 минут назад", NOW - timedelta(minutes=5)),
        ("только что", NOW),
        ("2026-11-01T10:00:00+03:00", datetime(2026, 11, 1, 10, 0, tzinfo=MSK)),
    ],
)
def test_russian_dates(text, expected):
    assert parse_ru_date(text, NOW) == expected


def test_dates_round_trip_and_rubbish():
    for hours in (1, 20, 30, 24 * 40, 24 * 400):
        when = (NOW - timedelta(hours=hours)).replace(second=0, microsecond=0)
        back = parse_ru_date(format_ru_date(when, NOW), NOW)
        if hours < 24 * 365:
            assert back == when
        else:
            assert back.date() == when.astimezone(MSK).date()
    assert parse_ru_date("когда-нибудь", NOW) is None
    assert parse_ru_date("31 фев в 10:00", NOW) is None
    assert parse_ru_date("", NOW) is None
