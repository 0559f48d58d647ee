"""Link discovery on the markup real sites use (each case seen on real sites): it credits
what a browser would open, and nothing a browser would not."""

from __future__ import annotations

import time

import pytest

from audit.fetched import decode_body
from audit.interstitials import classify
from audit.links import discover
from audit.pageurls import parse_page_url

BASE = "https://adm-example.ru/"


def vk(html: str, base: str = BASE) -> list[str]:
    return discover(html, base).pages("vk", direct_only=True)


def ok(html: str, base: str = BASE) -> list[str]:
    return discover(html, base).pages("ok", direct_only=True)


def test_vk_retargeting_pixel_is_not_a_page():
    pixel = (
        '<head><script>!function(){var t=document.createElement("script");'
        't.src="https://vk.com/js/api/openapi.js?169"}();</script><noscript><img '
        'src="https://vk.com/rtrg?p=VK-RTRG-123456-abcDE" style="position:fixed;left:-999px;" '
        'alt=""/></noscript></head><body><a href="https://vk.com/adm_example">ВКонтакте</a></body>'
    )
    assert vk(pixel) == ["https://vk.com/adm_example"]
    assert vk(pixel.replace('<a href="https://vk.com/adm_example">ВКонтакте</a>', "")) == []


@pytest.mark.parametrize(
    "call",
    [
        '(document, "ok_grouppro_widget   95", 50582132228315, \'{width: "300"}\')',
        '(document,"od_groups","50582132228315","{\\"width\\":250}")',
        "(document, 'ok_group_widget', '50582132228315', '{}');",
        # the size computed by jQuery when the page is drawn
        """(document,"ok_group_widget","50582132228315",'{"width":'+$('#ok_group_widget')"""
        """.parent().width()+',"height":338}');""",
    ],
)
def test_ok_group_widget_variants(call):
    script = (
        "<script>!function (d, id, did, st) {var js = d.createElement('script');"
        "js.src = 'https://connect.ok.ru/connect.js';"
        "js.onload = function () {OK.CONNECT.insertGroupWidget(id,did,st);};"
        f"d.documentElement.appendChild(js);}}{call}</script>"
    )
    assert ok(script) == ["https://ok.ru/group/50582132228315"]


def test_escaped_slashes_in_scripts_and_json():
    html = (
        '<script>var social = {"vk":"https:\\/\\/vk.com\\/adm_json",'
        '"ok":"https:\\/\\/ok.ru\\/group\\/70000000000077"};</script>'
        '<script type="application/ld+json">{"sameAs":["https:\\/\\/vk.com\\/adm_ld"]}</script>'
    )
    assert vk(html) == ["https://vk.com/adm_json", "https://vk.com/adm_ld"]
    assert ok(html) == ["https://ok.ru/group/70000000000077"]


@pytest.mark.parametrize(
    "href",
    [
        "/bitrix/redirect.php?event1=news_out&goto=https%3A%2F%2Fvk.com%2Fadm_redirect",
        "/bitrix/rk.php?goto=https://vk.com/adm_redirect",
        "https://adm-example.ru/away?url=https%3A%2F%2Fvk.com%2Fadm_redirect",
        "/out.php?to=https://vk.com/adm_redirect",
    ],
)
def test_links_behind_redirectors(href):
    assert vk(f'<a href="{href}">ВК</a>') == ["https://vk.com/adm_redirect"]


def test_short_links_are_kept_to_be_followed():
    found = discover('<a href="https://vk.cc/cAbC12">ВК</a><a href="//ok.me/xYz">ОК</a>', BASE)
    assert found.short_links == ["https://vk.cc/cAbC12", "https://ok.me/xYz"]
    assert found.pages("vk") == []


def test_ok_page_sections_are_the_page():
    assert ok('<a href="https://ok.ru/adm.example/topics">ОК</a>') == ["https://ok.ru/adm.example"]
    assert ok('<a href="https://ok.ru/group/70000000000001/photos">ОК</a>') == [
        "https://ok.ru/group/70000000000001"
    ]
    # one topic of the page is content, not a published link to the page
    assert ok('<a href="https://ok.ru/group/70000000000001/topic/155">ОК</a>') == []


def test_base_href_decides_where_relative_links_go():
    html = '<base href="https://portal.example.ru/adm/"><a href="kontakty">Контакты</a>'
    assert discover(html, BASE).follow == ["https://portal.example.ru/adm/kontakty"]


@pytest.mark.parametrize(
    "html",
    [
        '<meta http-equiv="refresh" content="0; url=/main/">',
        "<META HTTP-EQUIV=Refresh CONTENT='1;URL=https://adm-example.ru/main/'>",
        '<script>window.location.href = "/main/";</script>',
        "<script>location.replace('https://adm-example.ru/main/')</script>",
    ],
)
def test_pages_that_move_the_visitor_on(html):
    assert discover(f"<html><head>{html}</head><body></body></html>", BASE).redirect == (
        "https://adm-example.ru/main/"
    )


def test_a_real_page_with_a_script_redirect_in_a_handler_is_not_a_redirect():
    nav = "".join(f'<a href="/r{n}">Раздел {n}</a>' for n in range(10))
    html = f"<body>{nav}<button onclick=\"location.href='/x'\">x</button></body>"
    assert discover(html, BASE).redirect is None


@pytest.mark.parametrize("depth", [300, 3000])
def test_deep_nesting_loses_nothing(depth):
    html = (
        "<html><body>"
        + "<div>" * depth
        + 'Новости<footer><a href="https://vk.com/adm_deep">ВК</a>'
        + '<a href="https://ok.ru/group/70000000000088">ОК</a></footer></body></html>'
    )
    found = discover(html, BASE)
    assert found.pages("vk") == ["https://vk.com/adm_deep"]
    assert found.pages("ok") == ["https://ok.ru/group/70000000000088"]


def test_utf16_page_with_a_bom_and_a_utf8_header():
    page = '<html><body>Администрация <a href="https://vk.com/adm_utf16">ВК</a></body></html>'
    text, charset = decode_body(page.encode("utf-16"), "utf-8")
    assert charset.startswith("utf-16") and "Администрация" in text
    assert vk(text) == ["https://vk.com/adm_utf16"]


@pytest.mark.parametrize(
    "url, expected",
    [
        ("https://evil.test\\@vk.com/gov_demo", None),  # a browser opens evil.test
        ("https://evil.test\\\\@vk.com/gov_demo", None),
        ("https://user@vk.com/gov_demo", "https://vk.com/gov_demo"),  # a browser opens vk.com
        ("https:\\\\vk.com\\gov_demo", "https://vk.com/gov_demo"),  # backslashes are slashes
    ],
)
def test_urls_read_as_browsers_read_them(url, expected):
    parsed = parse_page_url(url)
    assert (parsed[0].url if parsed else None) == expected


def test_no_pattern_backtracks_on_hostile_input():
    """Megabytes of the worst cases for each pattern: linear patterns finish in well under a
    second; a quadratic one would take minutes (a guard, not a speed measurement)."""
    worst = [
        "<script>OK.CONNECT.insertGroupWidget(" + "(document, '" + "x" * 2_000_000 + "</script>",
        "<script>OK.CONNECT.insertGroupWidget" + "(document," * 200_000 + "</script>",
        '<meta http-equiv="refresh" content="0; url=' + "a" * 2_000_000 + '">',
        "<script>" + "location.href=" * 150_000 + "</script>",
        "<a " + " " * 2_000_000 + "x",
        "https:\\/\\/vk.com\\/" * 100_000,
        '<a href="/bitrix/redirect.php?goto=' + "%2F" * 500_000 + '">x</a>',
    ]
    for html in worst:
        started = time.monotonic()
        discover(html, BASE)
        classify(html, BASE)
        assert time.monotonic() - started < 20, html[:60]


def _pages_and_markup():
    """Every real page of ../shared/data/realworld (site, stub, vkpage) and this module's own
    snippets: what `discover` is given in a run."""
    from tests.shared import REALWORLD

    for folder in ("site", "stub", "vkpage"):
        for path in sorted((REALWORLD / folder).glob("*.htm*")):
            yield path.name, path.read_bytes()
    yield "entity-dot", "<p>Мы: vk&#46;com/adm_example и vk&period;com/adm2</p>".encode()
    yield "capital", "<p>Наша страница: HTTPS://VK.COM/ADM_EXAMPLE</p><p>OK.RU/group/1</p>".encode()
    yield (
        "pos",
        b'<div ID="JS-SHOW-IFRAME-WRAPPER"><script src="https://POS.GOSUSLUGI.ru/bin/script.min.js"></script></div>',
    )
    for charset in ("windows-1251", "koi8-r", "utf-16"):
        text = f'<meta charset="{charset}"><p>Группа ВКонтакте: vk.com/adm_cp</p>'
        yield charset, text.encode(charset)


@pytest.mark.parametrize("name,body", list(_pages_and_markup()), ids=lambda v: str(v)[:40])
def test_the_raw_bytes_shortcut_finds_what_the_text_does(name, body):
    """`discover(…, lower)` skips the text and ПОС searches when the raw bytes cannot hold a
    platform's name: it must find exactly what the full search finds."""
    from audit.evidence import Evidence
    from audit.fetched import FetchResult

    page = FetchResult(Evidence(url=BASE), content=body)
    text, _ = decode_body(body, None)
    lower = page.ascii_lower()
    if name == "utf-16":
        assert lower is None  # ASCII words do not read as bytes in UTF-16
    full, quick = discover(text, BASE), discover(text, BASE, lower)
    assert quick == full
