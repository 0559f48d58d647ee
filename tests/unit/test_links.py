"""Link discovery: real-world-shaped forms, positive and negative."""

import pytest
from lxml import etree

from audit.links import _parse_tree, detect_pos_widget, discover, page_texts
from audit.pageurls import parse_page_url

POSITIVE = [
    ("https://vk.com/adm_city", "https://vk.com/adm_city"),
    ("http://vk.com/Adm_City/", "https://vk.com/adm_city"),
    ("https://vk.ru/adm_city", "https://vk.com/adm_city"),
    ("https://m.vk.com/adm_city", "https://vk.com/adm_city"),
    ("https://m.vk.ru/adm_city?from=groups", "https://vk.com/adm_city"),
    ("https://www.vk.com/adm.city", "https://vk.com/adm.city"),
    ("//vk.com/adm_city", "https://vk.com/adm_city"),
    ("vk.com/adm_city", "https://vk.com/adm_city"),
    ("http://vkontakte.ru/adm_city", "https://vk.com/adm_city"),
    ("https://new.vk.com/adm_city#top", "https://vk.com/adm_city"),
    ("https://vk.com/club123456", "https://vk.com/club123456"),
    ("https://vk.com/public123456", "https://vk.com/club123456"),
    ("https://vk.com/event123456", "https://vk.com/club123456"),
    ("https://vk.com/id98765", "https://vk.com/id98765"),
    ("https://vk.com/adm_city?w=wall-123_45", "https://vk.com/adm_city"),
    ("https://vk.com/widget_community.php?app=0&width=200px&gid=777", "https://vk.com/club777"),
    ("https://ok.ru/adm.city", "https://ok.ru/adm.city"),
    ("https://OK.ru/AdmCity", "https://ok.ru/admcity"),
    ("https://m.ok.ru/admcity", "https://ok.ru/admcity"),
    ("https://www.ok.ru/admcity/", "https://ok.ru/admcity"),
    ("http://odnoklassniki.ru/admcity", "https://ok.ru/admcity"),
    ("https://www.odnoklassniki.ru/group/53038939046008", "https://ok.ru/group/53038939046008"),
    ("https://ok.ru/group/53038939046008", "https://ok.ru/group/53038939046008"),
    ("https://ok.ru/group53038939046008", "https://ok.ru/group/53038939046008"),
    ("https://ok.ru/profile/561104947330", "https://ok.ru/profile/561104947330"),
    ("https://connect.ok.ru/dk?st.cmd=WidgetGroup&st.groupId=5303", "https://ok.ru/group/5303"),
    ("https://ok.ru/dk?st.cmd=altGroupMain&st.groupId=5303", "https://ok.ru/group/5303"),
]

CONTENT = [  # links to a post/photo/topic of a page: resolve to the page, flagged as content
    ("https://vk.com/wall-123_45", "https://vk.com/club123"),
    ("https://vk.com/photo-123_456789", "https://vk.com/club123"),
    ("https://vk.com/video-123_456", "https://vk.com/club123"),
    ("https://vk.com/topic-123_456", "https://vk.com/club123"),
    ("https://vk.com/wall98765_1", "https://vk.com/id98765"),
    ("https://vk.com/@adm_city-itogi-goda", "https://vk.com/adm_city"),
    ("https://ok.ru/group/5303/topic/1234", "https://ok.ru/group/5303"),
]

NEGATIVE = [
    "https://vk.com/share.php?url=https%3A%2F%2Fexample.ru",
    "https://vk.com/away.php?to=https%3A%2F%2Fexample.ru",
    "https://connect.ok.ru/offer?url=https%3A%2F%2Fexample.ru",
    "https://ok.ru/dk?st.cmd=addShare&st._surl=https://example.ru",
    "https://connect.ok.ru/dk?st.cmd=WidgetSharePreview&st.shareUrl=https://example.ru",
    "https://vk.com/js/api/openapi.js?169",
    "https://vk.com/",
    "https://vk.com/feed",
    "https://vk.com/search?c[q]=adm",
    "https://vk.com/login",
    "https://vk.com/id0",
    "https://vk.com/images/icons/vk.png",
    "https://ok.ru/",
    "https://ok.ru/music",
    "https://ok.ru/video/123456",
    "https://connect.ok.ru/connect.js",
    "https://vk.company/ru/",
    "https://notvk.com/adm_city",
    "https://example.ru/vk.com/adm_city",
    "mailto:vk.com@example.ru",
    "javascript:void(0)",
    "https://vk.com/a",
]


@pytest.mark.parametrize(("raw", "canonical"), POSITIVE)
def test_page_forms(raw, canonical):
    ref, is_content = parse_page_url(raw)
    assert ref.url == canonical
    assert not is_content


@pytest.mark.parametrize(("raw", "canonical"), CONTENT)
def test_content_forms_resolve_to_their_page(raw, canonical):
    ref, is_content = parse_page_url(raw)
    assert ref.url == canonical
    assert is_content


@pytest.mark.parametrize("raw", NEGATIVE)
def test_not_page_references(raw):
    assert parse_page_url(raw) is None


def test_icon_only_links_and_share_buttons():
    html = """<footer><a href="https://vk.com/adm"><svg><path/></svg></a>
    <a href="https://ok.ru/adm"><img src="ok.png" alt=""></a>
    <a href="https://vk.com/share.php?url=x">share</a>
    <a href="https://connect.ok.ru/offer?url=x">share</a></footer>"""
    found = discover(html, "https://example.ru/")
    assert found.pages("vk") == ["https://vk.com/adm"]
    assert found.pages("ok") == ["https://ok.ru/adm"]
    assert all(r.via == "link" for r in found.references)


def test_vk_group_widget_script():
    html = """<div id="vk_groups"></div><script>
    VK.Widgets.Group("vk_groups", {mode: 3, width: "auto", color1: 'FFFFFF'}, 20003922);</script>"""
    found = discover(html)
    assert found.pages("vk") == ["https://vk.com/club20003922"]
    assert found.references[0].via == "widget"


def test_vk_community_messages_and_post_widgets():
    html = """<script>
    VK.Widgets.CommunityMessages("vk_community_messages", 555, {tooltipButtonText: "?"});
    VK.Widgets.Post("vk_post_-777_1", -777, 1, 'hash');</script>"""
    found = discover(html)
    assert found.pages("vk", direct_only=True) == ["https://vk.com/club555"]
    assert "https://vk.com/club777" in found.pages("vk")


def test_ok_group_widget_iife():
    html = """<script>!function (d, id, did, st) { OK.CONNECT.insertGroupWidget(id,did,st);
    }(document,"ok_group_widget","53038939046008",'{"width":250}');</script>"""
    assert discover(html).pages("ok") == ["https://ok.ru/group/53038939046008"]


def test_vk_widget_iframe():
    html = '<iframe src="//vk.com/widget_community.php?app=0&width=200px&_ver=1&gid=123"></iframe>'
    found = discover(html, "https://example.ru/")
    assert found.pages("vk") == ["https://vk.com/club123"]
    assert found.references[0].via == "embed"


def test_address_in_text_only():
    html = "<p>Наша страница ВКонтакте: vk.com/adm_city, в ОК: https://ok.ru/admcity.</p>"
    found = discover(html)
    assert found.pages("vk") == ["https://vk.com/adm_city"]
    assert found.pages("ok") == ["https://ok.ru/admcity"]
    assert {r.via for r in found.references} == {"text"}


def test_onclick_and_data_href():
    html = """<span onclick="window.open('https://vk.com/detsad7', '_blank')"></span>
    <div data-href="https://ok.ru/detsad7"></div>"""
    found = discover(html)
    assert found.pages("vk") == ["https://vk.com/detsad7"]
    assert found.pages("ok") == ["https://ok.ru/detsad7"]


def test_page_with_no_links():
    found = discover("<html><body><p>Мы ВКонтакте — скоро!</p></body></html>")
    assert found.pages("vk") == [] and found.pages("ok") == []
    assert not found.pos.found


def test_post_link_is_not_direct():
    found = discover('<a href="https://vk.com/wall-1_2">запись</a>')
    assert found.pages("vk") == ["https://vk.com/club1"]
    assert found.pages("vk", direct_only=True) == []


def test_duplicates_collapse_in_pages():
    html = '<a href="https://vk.com/adm">a</a><a href="https://m.vk.com/adm">b</a>'
    assert discover(html).pages("vk") == ["https://vk.com/adm"]


def test_broken_html_does_not_raise():
    html = "<html><table><tr><td><a href='https://vk.com/adm'><<<>>> &bogus; <![CDATA[x"
    assert discover(html).pages("vk") == ["https://vk.com/adm"]


def test_pos_widget_signatures():
    html = """<script src='https://pos.gosuslugi.ru/bin/script.min.js'></script>
    <div id='js-show-iframe-wrapper'><div class='pos-banner-fluid bf-18'></div></div>
    <script>Widget("https://pos.gosuslugi.ru/form", 356789)</script>"""
    pos = detect_pos_widget(html)
    assert pos.found and pos.widget_id == "356789"
    assert {"pos-script", "pos-widget-call", "pos-iframe-wrapper", "pos-banner"} <= set(
        pos.signatures
    )
    assert not detect_pos_widget("<p>gosuslugi.ru</p>").found


def test_follow_candidates_same_site_only():
    html = """<a href="/kontakty">Контакты</a><a href="https://other.ru/contacts">Контакты</a>
    <a href="/news">Новости</a><a href="/socseti">Мы в соцсетях</a>"""
    found = discover(html, "https://adm.ru/")
    assert found.follow == ["https://adm.ru/kontakty", "https://adm.ru/socseti"]


def test_json_shape():
    out = discover('<a href="https://vk.com/adm">vk</a>').to_json()
    assert out["vk"] == ["https://vk.com/adm"] and out["ok"] == [] and out["pos_widget"] is False


TEXT_CASES = [
    "<p>a<!-- vk.com/c -->b<script>vk.com/s</script>tail vk.com/t<style>x{}</style>c</p>",
    "<html><head><title>T</title><script>s</script><style>y</style></head><body>x</body></html>",
    "<div><script>a<b>not a tag</b>c</script>after<noscript>vk.com/n</noscript></div>",
    "<svg><script>vk.com/x</script><style>s</style><text>ok.ru/y</text></svg>",
    "<p>x<script></script>y<script>z<!-- w --></script><?pi vk.com?>end</p>",
    "<table><script>in table</script><tr><td>cell<style>st</style>tail</td></tr></table>",
    "<script>only a script</script>",
    "broken <p <script>vk.com/q</script> <b>bold</i> text",
    "<script>\x01\x02 control characters lxml takes but will not set</script>after",
]


@pytest.mark.parametrize("html", TEXT_CASES)
def test_page_texts_are_the_text_nodes_outside_scripts_and_styles(html):
    root, _ = _parse_tree(html)
    oracle = etree.XPath("//text()[not(parent::script or parent::style)]", smart_strings=False)
    assert page_texts(_parse_tree(html)[0]) == oracle(root)


def test_the_quick_mention_test_knows_every_character_that_lowers_to_a_latin_letter():
    """`_mentions` skips a text holding no form of the letter every hint has; the forms are
    the letter, its capital and what _LOWER_TO_ASCII lists: checked over every code point."""
    import string

    from audit.links import _LOWER_TO_ASCII

    found: dict[str, str] = {}
    for code in range(0x80, 0x110000):
        low = chr(code).lower()
        for letter in string.ascii_lowercase:
            if letter in low:
                found[letter] = found.get(letter, "") + chr(code)
    assert found == _LOWER_TO_ASCII


@pytest.mark.parametrize(
    "text,expected",
    [
        ("Новости поселения: ремонт дорог", False),
        ("Мы ВКонтакте: VK.COM/adm", True),
        ("страница v\u212a.com/adm", True),  # a Kelvin sign lowers to k
        ("ODNOKLASSNIKI", True),
        ("book.store", False),
    ],
)
def test_mentions_in_any_case(text, expected):
    from audit.links import _HINTS, _mentions

    assert _mentions(text, _HINTS) is expected
    assert expected == any(h in text.lower() for h in _HINTS)
