"""Finding references to platform pages (VK, OK, any registered platform) in a website's
HTML and normalising them.

A body may publish its official pages as plain links, icons with no text, bare addresses in the
text, VK or OK widgets, or `onclick` handlers. Every form is reduced to one canonical reference
(`https://vk.com/<screen_name|club<id>|id<id>>`, `https://ok.ru/<shortname|group/<id>|profile/<id>>`)
so that a site link can be compared with the page the registry declares. Share buttons and
links to the platforms' own services are not references to a page.
"""

from __future__ import annotations

import functools
import re
import threading
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from lxml import etree

from audit.pageurls import (
    PageLinks,
    PageRef,
    PosWidget,
    Reference,
    parse_page_url,
    redirect_target,
)
from audit.platforms import BUILTIN, platform_keys, platforms
from audit.widgets import widgets_in_script

_BUILTIN_HOSTS = r"vk\.com|vk\.ru|vkontakte\.ru|ok\.ru|odnoklassniki\.ru"

POS_SIGNATURES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("pos-script", re.compile(r"pos\.gosuslugi\.ru/bin/script\.min\.js", re.I)),
    ("pos-widget-call", re.compile(r"Widget\(\s*[\"']https://pos\.gosuslugi\.ru/form[\"']", re.I)),
    ("pos-iframe-wrapper", re.compile(r"id=[\"']js-show-iframe-wrapper", re.I)),
    ("pos-banner", re.compile(r"class=[\"'][^\"']*pos-banner-fluid", re.I)),
    ("pos-banner-button", re.compile(r"pos-banner-btn_2", re.I)),
    ("pos-banner-assets", re.compile(r"pos\.gosuslugi\.ru/bin/banner-fluid/", re.I)),
)
_POS_WIDGET_ID = re.compile(
    r"Widget\(\s*[\"']https://pos\.gosuslugi\.ru/form[\"']\s*,\s*(\d+)", re.I
)


# References kept from one page: a real page names a handful of VK and OK pages; a hostile
# one with a million links must not become a body of tens of megabytes in every report.
MAX_REFERENCES = 100

_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)


# --- the page as a whole -----------------------------------------------------------------------

_FOLLOW_WORDS = re.compile(
    r"контакт|соц\.?\s*сет|социальн|официальн\w*\s+страниц|госпаблик|мы\s+в\s+соц|"
    r"о\s+нас|об\s+администрац|об\s+учреждени|об\s+организаци|обратн\w*\s+связ|"
    r"contact|social|about",
    re.I,
)
_URL_ATTRS = ("href", "src", "data-href", "data-src", "data-url", "data-link", "action")


def _parse_tree(html: str):
    """An lxml tree of the page (several times faster than a BeautifulSoup tree) and whether
    it holds the whole page; (None, False) when lxml cannot make one (empty or odd documents),
    and the caller falls back. libxml2 stops building the tree past 256 levels of nesting
    (2048 with huge_tree): a real CMS that never closes its <div>s would lose its footer."""
    import lxml.html

    text = _XML_DECLARATION.sub("", html, count=1)
    if not text.strip():
        return None, False
    parser = lxml.html.HTMLParser(huge_tree=True)
    try:
        root = lxml.html.document_fromstring(text, parser=parser)
    except (ValueError, lxml.etree.ParserError):
        return None, False
    whole = not any(e.type_name == "ERR_RESOURCE_LIMIT" for e in parser.error_log)
    return root, whole


_HINTS = ("vk.", "vkontakte", "ok.ru", "odnoklassniki")  # every VK/OK host holds one of them
_ATTR_HINTS = (*_HINTS, "ok.me")  # and the short links (vk.cc holds "vk.")
_SCRIPT_HINTS = (*_ATTR_HINTS, "ok.", "ok_group")  # VK.Widgets, OK.CONNECT, OK's group widget


@dataclass(frozen=True)
class _Vocabulary:
    """What marks a mention of a platform in a page: the built-in platforms' hand-tuned hints
    (cheap substring tests on every attribute), plus each host of a platform registered
    beside them."""

    attr_hints: tuple[str, ...]
    script_hints: tuple[str, ...]
    url_in_text: re.Pattern[str]

    @functools.cached_property
    def byte_hints(self) -> tuple[bytes, ...]:
        """What may put a hint in a page's text: a hint itself, or a character reference
        (`vk&#46;com`, `vk&period;com`) that the parser turns into one."""
        return (*(h.encode() for h in self.attr_hints), b"&#", b"&period;")


@functools.cache
def _vocabulary(keys: tuple[str, ...]) -> _Vocabulary:
    builtin = {p.key for p in BUILTIN}
    extra = sorted({h for p in platforms() if p.key not in builtin for h in p.hosts})
    hosts = "|".join([_BUILTIN_HOSTS, *(re.escape(h) for h in extra)])
    url_in_text = re.compile(
        r"(?<![\w@.-])(?:https?:)?(?://)?(?:(?:www|m|new|connect)\.)?"
        rf"(?:{hosts})/[^\s\"'<>\\)\]}}]*",
        re.IGNORECASE,
    )
    return _Vocabulary((*_ATTR_HINTS, *extra), (*_SCRIPT_HINTS, *extra), url_in_text)


class _XPaths(threading.local):
    """The compiled expressions, a set per thread: a large page is read in a worker thread
    (collect.site) while the event loop's thread reads others."""

    def __init__(self) -> None:
        self.candidates = etree.XPath("//@* | //script/text()")  # document order
        self.texts = etree.XPath("//text()", smart_strings=False)
        self.anchors = etree.XPath("count(//a[@href])")
        self.base = etree.XPath("//base/@href", smart_strings=False)


_XP = _XPaths()
_REFRESH_URL = re.compile(r"url\s{0,20}=\s{0,20}[\"']?([^\"'\s>]{1,2000})", re.I)
# a page whose script sends the visitor on: location = "…", location.href = "…",
# location.replace("…"), window/document/top.location …
_SCRIPT_REDIRECT = re.compile(
    r"location(?:\.href)?\s{0,20}=\s{0,20}[\"']([^\"'\s]{1,2000})[\"']"
    r"|location\.(?:replace|assign)\(\s{0,20}[\"']([^\"'\s]{1,2000})[\"']"
)
SHORT_LINK_HOSTS = frozenset({"vk.cc", "ok.me"})
_SHORT_LINK = re.compile(
    r"(?<![\w.-])(?:https?:)?//(?:vk\.cc|ok\.me)/[A-Za-z0-9_-]{1,64}", re.IGNORECASE
)


def page_texts(root) -> list[str]:
    """The page's text nodes in document order, but those of scripts and styles: what
    `//text()[not(parent::script or parent::style)]` selects. libxml2 evaluates that predicate
    ten times slower than it lists every text node (5 ms against 0.5 on a 150 KB page), so the
    scripts' and styles' text (one node each: HTML parses their content as raw text) is taken
    out of the tree first. The tree keeps no script or style text: call it last. (Putting the
    text back is not always possible: lxml refuses to set control characters its parser took.)
    """
    for el in root.iter("script", "style"):
        el.text = None
    return _XP.texts(root)


# Characters other than a letter and its capital whose lower case holds that ASCII letter
# (tests/unit/test_links.py checks every code point).
_LOWER_TO_ASCII = {"i": "\u0130", "k": "\u212a"}
_RARE_FIRST = "qjzxkvbpygfwmucldrhsnioate"  # Latin letters, the rarest in a page's text first


@functools.lru_cache(maxsize=32)
def _needles(hints: tuple[str, ...]) -> tuple[str, ...]:
    """Characters one of which a text must hold to mention any of `hints` in any case: the
    forms of a letter every hint has (`k` for VK's and OK's names, which a Russian page's
    text rarely has: its «к» is Cyrillic). Empty when the hints share no letter."""
    common = set.intersection(*(set(h) for h in hints)) if hints else set()
    letter = next((c for c in _RARE_FIRST if c in common), None)
    if letter is None:
        return ()
    return (letter, letter.upper(), *_LOWER_TO_ASCII.get(letter, ""))


def _mentions(text: str, hints: tuple[str, ...] = _HINTS) -> bool:
    """One of `hints` (lower case) is in `text`, in any case. A text without the letter every
    hint has is told at C speed, without lower-casing it (~0.3 ms for a page's text)."""
    needles = _needles(hints)
    if needles and not any(n in text for n in needles):
        return False
    low = text.lower()
    return any(h in low for h in hints)


TEXT_COUNTED = 1000  # visible characters counted at most: enough to tell an empty page


def _visible_chars(texts: list[str]) -> int:
    """Visible characters of the page without spaces, counted up to TEXT_COUNTED (a real
    page reaches it in its first few text nodes)."""
    n = 0
    for t in texts:
        n += len(t) - t.count(" ") - t.count("\n")
        if n >= TEXT_COUNTED:
            return TEXT_COUNTED
    return n


def _unescape_slashes(text: str) -> str:
    """Addresses in scripts and JSON are often written with escaped slashes (https:\\/\\/vk.com)."""
    return text.replace("\\/", "/") if "\\/" in text else text


def _redirect_of(root, scripts: list[str], anchors: int, text_chars: int) -> str | None:
    """Where the page sends its visitor by itself: a meta refresh (on a page that is not a
    site's page with its navigation), or a one-line script on a page with nothing else."""
    if anchors < 8:
        for meta in root.iter("meta"):
            content = meta.get("content") or ""
            if (meta.get("http-equiv") or "").lower() == "refresh" and (
                m := _REFRESH_URL.search(content)
            ):
                return m.group(1)
    if anchors == 0 and text_chars < 200:
        for script in scripts:
            if m := _SCRIPT_REDIRECT.search(script):
                return m.group(1) or m.group(2)
    return None


def discover(html: str, base_url: str | None = None, lower: bytes | None = None) -> PageLinks:
    """Find VK/OK references, the ПОС widget and pages worth following in one HTML page.
    `lower`: the page's raw bytes lower-cased (FetchResult.ascii_lower), which tell at a glance
    that the text holds no platform's name and no ПОС widget (most pages).

    Never raises on malformed markup: lxml repairs what it can and the rest is text.
    """
    result = PageLinks()
    seen: set[tuple[str, str, str]] = set()
    vocabulary = _vocabulary(platform_keys())

    def add(ref: PageRef, via: str, raw: str) -> None:
        key = (ref.url, via, raw[:200])
        if key in seen:
            return
        seen.add(key)
        if len(result.references) >= MAX_REFERENCES:
            result.references_cut += 1  # what one page may contribute is bounded
            return
        result.references.append(Reference(ref, via, raw[:500]))

    def add_url(value: str, via: str) -> None:
        if base_url and value.startswith("//"):
            value = urljoin(base_url, value)
        parsed = parse_page_url(value)
        if parsed is None and (target := redirect_target(value)):
            parsed = parse_page_url(target)  # a redirector: /bitrix/redirect.php?goto=…
        if parsed:
            ref, is_content = parsed
            add(ref, "content" if is_content else via, value)
        elif (short := _SHORT_LINK.match(value.strip())) and short.end() == len(value.strip()):
            link = urljoin("https:", short.group(0))
            if link not in result.short_links:
                result.short_links.append(link)

    def scan_text(text: str, via: str) -> None:
        text = _unescape_slashes(text)
        for m in vocabulary.url_in_text.finditer(text):
            add_url(m.group(0).rstrip(".,;:!?»"), via)

    root, whole = _parse_tree(html)
    if root is None or not whole:  # nothing the page holds may be lost: its raw text then
        scan_text(html, "text")
        for m in _SHORT_LINK.finditer(html):
            add_url(m.group(0), "text")
        result.pos = detect_pos_widget(html)
        if root is None:
            result.text_chars = len(html)
            return result
    bases = _XP.base(root)
    if bases and base_url:
        base_url = urljoin(base_url, bases[0].strip())
    title = root.find(".//title")
    if title is not None and title.text_content().strip():
        result.title = " ".join(title.text_content().split())[:500]

    # libxml2 lists attributes and scripts in document order; only those that mention a
    # platform are looked at. The page's text is searched as one string (a 150 KB page has
    # thousands of text nodes, and almost never a link to VK or OK in plain text).
    scripts = []
    for node in _XP.candidates(root):
        if node.is_attribute:
            if not _mentions(node, vocabulary.attr_hints):
                continue
            if node.attrname.lower() in _URL_ATTRS:
                via = "link" if node.getparent().tag in ("a", "area") else "embed"
                add_url(str(node), via)
            else:
                scan_text(str(node), "attribute")
        else:
            scripts.append(node)
            if _mentions(node, vocabulary.script_hints):
                script = _unescape_slashes(str(node))
                for ref, via, raw in widgets_in_script(script):
                    add(ref, via, raw)
                scan_text(script, "script")
    if whole:
        result.pos = detect_pos_widget(html, lower)
    if base_url:
        result.follow = follow_candidates(root, base_url)
    texts = page_texts(root)  # last: it takes the scripts' text out of the tree
    result.text_chars = _visible_chars(texts)
    if lower is None or any(h in lower for h in vocabulary.byte_hints):
        text = "\n".join(texts)
        if _mentions(text, vocabulary.attr_hints):
            scan_text(text, "text")
    if result.text_chars < TEXT_COUNTED:  # a small page: empty, or one that moves on?
        result.anchors = int(_XP.anchors(root))
        result.redirect = _redirect_of(root, scripts, result.anchors, result.text_chars)
        if result.redirect and base_url:
            result.redirect = urljoin(base_url, result.redirect)
    return result


POS_WORDS = ("pos.gosuslugi", "js-show-iframe-wrapper", "pos-banner")
_POS_BYTES = tuple(w.encode() for w in POS_WORDS)


def detect_pos_widget(html: str, lower: bytes | None = None) -> PosWidget:
    """ПОС («Решаем вместе») widget signatures in raw HTML (script, call, banner markup).
    `lower`: the raw page lower-cased, if at hand (see `discover`)."""
    # every signature holds one of these words; most pages hold none
    if lower is not None:
        if not any(w in lower for w in _POS_BYTES):
            return PosWidget()
    elif not any(w in html.lower() for w in POS_WORDS):
        return PosWidget()
    signatures = [name for name, rx in POS_SIGNATURES if rx.search(html)]
    m = _POS_WIDGET_ID.search(html)
    return PosWidget(
        found=bool(signatures), signatures=signatures, widget_id=m.group(1) if m else None
    )


def follow_candidates(root, base_url: str, limit: int = 3) -> list[str]:
    """Same-site pages whose link text or address suggests contacts or social pages."""
    base = urlsplit(base_url)
    out: list[str] = []
    for a in root.iter("a"):
        href = (a.get("href") or "").strip()
        if not href or href.startswith(("#", "mailto:", "tel:", "javascript:")):
            continue
        label = " ".join(a.text_content().split())[:200] + " " + href
        if not _FOLLOW_WORDS.search(label):
            continue
        target = urljoin(base_url, href).split("#", 1)[0]
        parts = urlsplit(target)
        if parts.scheme not in ("http", "https") or parts.hostname != base.hostname:
            continue
        if target.rstrip("/") == base_url.split("#", 1)[0].rstrip("/") or target in out:
            continue
        out.append(target)
        if len(out) >= limit:
            break
    return out
