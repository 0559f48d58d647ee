"""Interstitials and stubs are recognised (fixtures shaped like the real ones); ordinary pages,
including long ones quoting the same words, are not."""

from __future__ import annotations

from pathlib import Path

import pytest

from audit.interstitials import classify
from audit.world.scenario import SITES_DIR

FIXTURES = Path(__file__).resolve().parents[1] / "data" / "interstitials"
EXPECTED = {
    "ddos_guard.html": ("antibot", "DDoS-Guard"),
    "cloudflare.html": ("antibot", "Cloudflare"),
    "rkn_block.html": ("access_blocked", "access restricted by an ISP or the regulator"),
    "suspended.html": ("hosting_stub", "hosting account suspended"),
    "nginx_default.html": ("hosting_stub", "default server page"),
    "parked.html": ("parked", "parked or expired domain"),
    "expired.html": ("parked", "parked or expired domain"),
    "login.html": ("login_wall", "login form"),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_fixture_is_recognised(name):
    found = classify((FIXTURES / name).read_text(encoding="utf-8"), "https://site.ru/")
    assert found is not None and (found.kind, found.name) == EXPECTED[name]


def test_every_fixture_has_an_expectation():
    assert {p.name for p in FIXTURES.glob("*.html")} == set(EXPECTED)


def test_platform_challenges_by_address():
    assert classify("", "https://vk.com/challenge.html?from=x").kind == "antibot"
    assert classify(None, "https://ok.ru/captcha?st.fromUrl=/x").name == "OK captcha"


@pytest.mark.parametrize(
    "name",
    [
        "gosweb.html",
        "simple.html",
        "court.html",
        "federal.html",
        "contacts.html",
        "nolinks.html",
        "widget_vk.html",
    ],
)
def test_ordinary_sites_are_not_stubs(name):
    html = (SITES_DIR / name).read_text(encoding="utf-8").replace("{{title}}", "Администрация")
    assert classify(html, "https://adm.ru/") is None


def test_a_long_page_quoting_stub_words_is_not_a_stub():
    news = "<p>Новости поселения: ремонт дорог, приём граждан, благоустройство.</p>" * 80
    html = (
        f"<html><head><title>Администрация</title></head><body>{news}"
        "<p>Доступ ограничен к разделу архива. Сайт находится в разработке частично.</p>"
        f"{news}</body></html>"
    )
    assert classify(html, "https://adm.ru/") is None
