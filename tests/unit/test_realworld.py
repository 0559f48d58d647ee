"""What a careful auditor concludes from real pages nobody here wrote (shared/data/realworld):
every stand-in page is recognised as one, and every real site page gives the links a reader
sees there, and nothing else."""

from __future__ import annotations

import pytest

from audit.interstitials import classify
from audit.links import discover
from tests.realworld import realworld, realworld_names

# file -> (kind, which) the auditor must name instead of reading the body's site
STUBS = {
    "cloudflare-1006-access-denied.html": ("antibot", "Cloudflare"),
    "cloudflare-bot-management-2021.html": ("antibot", "Cloudflare"),
    "cloudflare-captcha-2019.html": ("antibot", "Cloudflare"),
    "cloudflare-js-challenge-2016.html": ("antibot", "Cloudflare"),
    "cloudflare-js-challenge-2020.html": ("antibot", "Cloudflare"),
    "geo-block-ru-244fz.lock.php.html": ("access_blocked", "geo-block"),
    "sucuri-waf-2019.html": ("antibot", "Sucuri"),
}
# file -> (VK pages, OK pages, ПОС widget) a person reading the page would see
SITES = {
    # the stock VK community widget of an OpenCart template
    "carptex-opencart-category.vk-widget.tpl.html": (["https://vk.com/club90880852"], [], False),
    # counters: Yandex.Metrika, Google, and VK's ads retargeting pixel — no page of the body
    "elisdnru-counters.vk-pixel.php.html": ([], [], False),
    # a Joomla module: the VK group widget and the OK group widget with an unquoted id
    "jlgrouppro-joomla-module.rendered.html": (
        ["https://vk.com/club17291036"],
        ["https://ok.ru/group/50582132228315"],
        False,
    ),
    # a school's WordPress theme: a VK link in the footer and the full ПОС widget
    "school653.spb-wp-theme.assembled.html": (["https://vk.com/school_653_spb"], [], True),
}


def test_the_corpus_is_covered():
    """A file added to the corpus gets its expected answer here."""
    assert realworld_names("stub") == sorted(STUBS) or not realworld_names("stub")
    assert realworld_names("site") == sorted(SITES) or not realworld_names("site")


@pytest.mark.parametrize("name", sorted(STUBS))
def test_every_stand_in_page_is_recognised(name):
    found = classify(realworld(f"stub/{name}"), "https://adm-example.ru/")
    assert found is not None and (found.kind, found.name) == STUBS[name]


@pytest.mark.parametrize("name", sorted(SITES))
def test_real_site_pages_give_the_links_a_reader_sees(name):
    html = realworld(f"site/{name}")
    assert classify(html, "https://school.example.ru/") is None
    found = discover(html, "https://school.example.ru/")
    vk, ok, pos = SITES[name]
    assert (found.pages("vk"), found.pages("ok"), found.pos.found) == (vk, ok, pos)


@pytest.mark.parametrize("name", ["vk-oauth-captcha.html", "vk-oauth-login.html"])
def test_vk_login_and_captcha_pages_are_not_pages(name):
    found = classify(realworld(f"vkpage/{name}"), "https://vk.com/some_page")
    assert found is not None and found.kind == "login_wall"


def test_a_real_page_quoting_block_words_stays_a_real_page():
    """A municipal page whose footer links eais.rkn.gov.ru and cites 149-ФЗ is not a stub,
    however short it is."""
    nav = "".join(f'<li><a href="/razdel-{n}">Раздел {n}</a></li>' for n in range(10))
    html = (
        "<html><head><title>Администрация поселения</title></head><body>"
        f"<ul>{nav}</ul><p>Новости поселения.</p>"
        '<footer>Доступ ограничен для материалов 18+. <a href="https://eais.rkn.gov.ru/">'
        "Единый реестр</a> (149-ФЗ).</footer></body></html>"
    )
    assert classify(html, "https://adm-example.ru/") is None
