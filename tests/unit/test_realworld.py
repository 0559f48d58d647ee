"""What a careful auditor concludes from real pages nobody here wrote (shared/data/realworld):
every stand-in page is recognised as one, and every real site page gives the links a reader
sees there, and nothing else."""

from __future__ import annotations

import pytest

from audit.interstitials import classify
from audit.links import discover
from tests.shared import realworld, realworld_names

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


# --- real VK API answers (shared/data/realworld/vkapi) ---------------------------------------

OBSERVED = "2025-01-12T12:00:00+00:00"


def vk_answer(name: str):
    import json

    return json.loads(realworld(f"vkapi/{name}"))


def test_groups_get_by_id_of_api_5_199_without_the_state_mark_field():
    from audit.platforms.vk.answers import groups_of, page_from_group

    (group,) = groups_of(vk_answer("selenscrapy-groups.getById-5.199.json")["response"])
    page = page_from_group("https://vk.com/vladimirskilager29760", group, OBSERVED)
    assert (page.state, page.page_id, page.kind, page.closed) == (
        "found",
        "33438842",
        "group",
        False,
    )
    # VK did not say whether the page carries the state mark: unknown, never "no mark"
    assert page.gov_mark is None


def test_older_answers_closed_groups_events_and_a_users_ban_from_a_page():
    from audit.platforms.vk.answers import groups_of, page_from_group

    two = groups_of(vk_answer("vknet-groups.getById-two-one-closed.json")["response"])
    pages = [page_from_group(f"https://vk.com/club{g['id']}", g, OBSERVED) for g in two]
    assert [(p.kind, p.closed, p.state) for p in pages] == [
        ("event", False, "found"),
        ("group", True, "found"),
    ]
    # ban_info is the reader's own ban from the page, not the page being blocked
    (banned_reader,) = groups_of(vk_answer("vknet-groups.getById-page-baninfo.json")["response"])
    page = page_from_group("https://vk.com/club66464944", banned_reader, OBSERVED)
    assert page.state == "found" and page.is_community


def test_a_wall_of_residents_posts_is_not_the_pages_activity():
    from audit.platforms.vk.answers import apply_wall, groups_of, page_from_group

    (group,) = groups_of(vk_answer("selenscrapy-groups.getById-5.199.json")["response"])
    page = page_from_group("https://vk.com/vladimirskilager29760", group, OBSERVED)
    apply_wall(page, vk_answer("selenscrapy-wall.get-5.199-visitor-posts.json")["response"])
    # five visitors' posts of 339: nothing is known of the page's own posts -> error, not
    # "the page has no posts"
    assert page.posts is None and page.wall_cause == "wall_unreadable"


def test_a_wall_of_the_owners_reposts_counts():
    from audit.observations import PageObservation
    from audit.platforms.vk.answers import apply_wall

    page = PageObservation("vk", "https://vk.com/id10", "api", "found", OBSERVED)
    apply_wall(page, vk_answer("vknet-wall.get-extended.json")["response"])
    assert page.posts == [1394002266] and page.posts_total == 42
    assert page.posts_cover_from == 1394002266  # one of 42 seen: older ones unknown


def test_execute_errors_name_a_private_community():
    from audit.platforms.vk.answers import wall_refusal

    errors = vk_answer("vknet-execute-errors.json")["execute_errors"]
    assert [wall_refusal(e) for e in errors] == ["wall_unreadable", "wall_unreadable", "closed"]


def test_a_registrars_parking_page_with_the_registrars_navigation_is_parked():
    """Shaped like real registrars' parking pages: a full menu, every link to the registrar."""
    menu = "".join(
        f'<li><a href="https://www.registrar.example/{p}">{p}</a></li>'
        for p in ("domains", "prices", "transfer", "hosting", "vps", "servers", "help", "contact")
    )
    html = (
        "<html><head><title>Парковочная страница</title></head><body>"
        f'<nav><ul><li><a href="/">Главная</a></li>{menu}</ul></nav>'
        "<h1>Хотите купить домен?</h1><p>Домен adm-example.ru припаркован.</p></body></html>"
    )
    found = classify(html, "https://adm-example.ru/")
    assert found is not None and found.kind == "parked"
