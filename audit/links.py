"""Finding VK and OK page references in a website's HTML and normalising them.

A body may publish its official pages as plain links, icons with no text, bare addresses in the
text, VK or OK widgets, or `onclick` handlers. Every form is reduced to one canonical reference
(`https://vk.com/<screen_name|club<id>|id<id>>`, `https://ok.ru/<shortname|group/<id>|profile/<id>>`)
so that a site link can be compared with the page the registry declares. Share buttons and
links to the platforms' own services are not references to a page.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from urllib.parse import parse_qs, unquote, urljoin, urlsplit

import ada_url
from lxml import etree

VK_HOSTS = frozenset(
    {"vk.com", "vk.ru", "vkontakte.ru", "new.vk.com", "mobile.vk.com"}
    | {f"{p}.{h}" for p in ("www", "m") for h in ("vk.com", "vk.ru", "vkontakte.ru")}
)
OK_HOSTS = frozenset(
    {"ok.ru", "odnoklassniki.ru", "connect.ok.ru"}
    | {f"{p}.{h}" for p in ("www", "m") for h in ("ok.ru", "odnoklassniki.ru")}
)

# First path segments on vk.com that are services, not pages.
VK_RESERVED = frozenset(
    [
        "about",
        "ads",
        "adsmarket",
        "album",
        "albums",
        "app",
        "apps",
        "apps_check",
        "audio",
        "audios",
        "away",
        "blog",
        "bookmarks",
        "bugs",
        "calls",
        "call",
        "catalog",
        "checkout",
        "clips",
        "community",
        "communities",
        "dev",
        "doc",
        "docs",
        "donut",
        "edit",
        "editapp",
        "events",
        "fave",
        "feed",
        "friends",
        "gifts",
        "groups",
        "groups_list",
        "help",
        "im",
        "images",
        "img",
        "join",
        "js",
        "jobs",
        "legal",
        "login",
        "logout",
        "market",
        "mobile",
        "music",
        "mvk",
        "narratives",
        "notes",
        "notifications",
        "page",
        "pages",
        "photo",
        "photos",
        "podcasts",
        "poll",
        "privacy",
        "promo",
        "restore",
        "rss",
        "rtrg",  # the ads retargeting pixel <img src="https://vk.com/rtrg?p=VK-RTRG-...">
        "search",
        "security",
        "services",
        "settings",
        "share",
        "stats",
        "stickers",
        "stories",
        "story",
        "support",
        "tag",
        "terms",
        "topic",
        "video",
        "videos",
        "vkpay",
        "wall",
        "widgets",
        "write",
    ]
)
OK_RESERVED = frozenset(
    [
        "about",
        "app",
        "apps",
        "dk",
        "feed",
        "friends",
        "game",
        "games",
        "gifts",
        "group",
        "groups",
        "guests",
        "help",
        "hobby",
        "live",
        "mall",
        "marks",
        "messages",
        "music",
        "offer",
        "payment",
        "photos",
        "profile",
        "res",
        "search",
        "settings",
        "share",
        "shortcut",
        "video",
        "vitrine",
        "discussions",
        "cdn",
    ]
)

_SCREEN_NAME = re.compile(r"^[a-z0-9_.]{2,64}$")
_VK_CLUB = re.compile(r"^(?:club|public|event)(\d+)$")
_VK_USER = re.compile(r"^id(\d+)$")
_VK_CONTENT = re.compile(
    r"^(?:wall|photo|video|album|topic|board|clip|market|poll|doc|audio|narrative)(-?)(\d+)(?:_\d+)?$"
)
_VK_ARTICLE = re.compile(r"^@([a-z0-9_.]+?)-[\w-]+$")

_URL_IN_TEXT = re.compile(
    r"(?<![\w@.-])(?:https?:)?(?://)?(?:(?:www|m|new|connect)\.)?"
    r"(?:vk\.com|vk\.ru|vkontakte\.ru|ok\.ru|odnoklassniki\.ru)/[^\s\"'<>\\)\]}]*",
    re.IGNORECASE,
)

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


@dataclass(frozen=True)
class PageRef:
    """A canonical reference to a page on a platform."""

    platform: str  # "vk" | "ok"
    kind: str  # vk: screen_name|club|user ; ok: shortname|group|profile
    key: str  # screen name / shortname (lower case) or numeric id

    @property
    def url(self) -> str:
        if self.platform == "vk":
            prefix = {"club": "club", "user": "id"}.get(self.kind, "")
            return f"https://vk.com/{prefix}{self.key}"
        if self.kind == "group":
            return f"https://ok.ru/group/{self.key}"
        if self.kind == "profile":
            return f"https://ok.ru/profile/{self.key}"
        return f"https://ok.ru/{self.key}"

    @property
    def is_numeric(self) -> bool:
        return self.kind in ("club", "user", "group", "profile")


@dataclass(frozen=True)
class Reference:
    """A page reference found on a web page: what, how (`via`) and the raw text it came from.

    `via` is one of: link (an href), embed (an iframe/script src), widget (a VK/OK widget call),
    script (an address inside a script), text (an address written in the page text), attribute
    (onclick, data-*), content (a link to a post, photo or topic of the page, resolved to its
    page; not by itself a published link to the page).
    """

    ref: PageRef
    via: str
    raw: str

    @property
    def direct(self) -> bool:
        return self.via != "content"


@dataclass
class PosWidget:
    found: bool = False
    signatures: list[str] = field(default_factory=list)
    widget_id: str | None = None


@dataclass
class PageLinks:
    """Everything link discovery learned from one HTML page."""

    references: list[Reference] = field(default_factory=list)
    pos: PosWidget = field(default_factory=PosWidget)
    follow: list[str] = field(default_factory=list)  # same-site pages likely to list pages
    title: str | None = None
    anchors: int | None = None  # links (<a href>), counted on pages with little text only
    text_chars: int = 0  # visible characters without spaces, up to TEXT_COUNTED (not scripts)
    redirect: str | None = None  # where a meta refresh or a one-line script sends the visitor
    short_links: list[str] = field(default_factory=list)  # vk.cc/…, ok.me/…: one redirect away
    references_cut: int = 0  # references past MAX_REFERENCES, left out (and said so)

    def pages(self, platform: str, direct_only: bool = False) -> list[str]:
        """Canonical page URLs for a platform, in order of first appearance."""
        seen: dict[str, None] = {}
        for r in self.references:
            if r.ref.platform == platform and (r.direct or not direct_only):
                seen.setdefault(r.ref.url, None)
        return list(seen)

    def to_json(self) -> dict:
        return {
            "vk": self.pages("vk"),
            "ok": self.pages("ok"),
            "pos_widget": self.pos.found,
            "pos_signatures": self.pos.signatures,
            "pos_widget_id": self.pos.widget_id,
            "references": [
                {"platform": r.ref.platform, "url": r.ref.url, "via": r.via, "raw": r.raw}
                for r in self.references
            ],
            **({"references_cut": self.references_cut} if self.references_cut else {}),
        }


# References kept from one page: a real page names a handful of VK and OK pages; a hostile
# one with a million links must not become a body of tens of megabytes in every report.
MAX_REFERENCES = 100

_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)


def parse_page_url(url: str) -> tuple[PageRef, bool] | None:
    """Normalise one URL to (reference, is_content_link); None when it names no page.

    Share buttons, outbound wrappers and platform services give None.
    """
    url = url.strip()
    if not url:
        return None
    if url.startswith("//"):
        url = "https:" + url
    elif not re.match(r"^[a-z][a-z0-9+.-]*:", url, re.I):
        url = "https://" + url
    try:  # as a browser reads it (WHATWG): evil.test\\@vk.com opens evil.test
        parts = ada_url.parse_url(url, attributes=_URL_PARTS)
    except ValueError:
        return None
    if parts["protocol"] not in ("http:", "https:"):
        return None
    host = parts["hostname"].lower().rstrip(".")
    path = unquote(parts["pathname"])
    query = parse_qs(parts["search"][1:])
    if host in VK_HOSTS:
        return _parse_vk(path, query, parts["hash"][1:])
    if host in OK_HOSTS:
        return _parse_ok(host, path, query)
    return None


_URL_PARTS = ("protocol", "hostname", "pathname", "search", "hash")  # what is read of a URL
# Query parameters through which sites send visitors on (bitrix/redirect.php?goto=, ?url=, ...)
REDIRECT_PARAMS = ("goto", "url", "to", "link", "u", "redirect", "target", "out")


def redirect_target(url: str) -> str | None:
    """The platform address a redirector link sends to, when its query names one."""
    try:
        query = parse_qs(urlsplit(url).query)
    except ValueError:
        return None
    for name in REDIRECT_PARAMS:
        for value in query.get(name, ()):
            value = value.strip()
            if "://" not in value:
                value = unquote(value)
            if value.lower().startswith(("http://", "https://", "//")):
                return value
    return None


def _vk_owner(sign: str, number: str) -> PageRef:
    return PageRef("vk", "club" if sign == "-" else "user", number)


def _parse_vk(path: str, query: dict[str, list[str]], fragment: str) -> tuple[PageRef, bool] | None:
    segments = [s for s in path.split("/") if s]
    if not segments:
        return None
    first = segments[0].lower()
    if first.startswith("widget_") and first.endswith(".php"):
        for name in ("gid", "group_id"):
            if query.get(name, [""])[0].lstrip("-").isdigit():
                return PageRef("vk", "club", query[name][0].lstrip("-")), False
        oid = query.get("oid", [""])[0]
        if oid.startswith("-") and oid[1:].isdigit():
            return PageRef("vk", "club", oid[1:]), False
        return None
    if first.endswith(".php"):
        return None  # share.php, away.php, login.php ...
    # A page URL that opens a post in a layer: vk.com/adm?w=wall-123_45 is still the page adm.
    if m := _VK_CLUB.match(first):
        return PageRef("vk", "club", str(int(m.group(1)))), False
    if m := _VK_USER.match(first):
        return (PageRef("vk", "user", str(int(m.group(1)))), False) if m.group(1) != "0" else None
    if m := _VK_CONTENT.match(first):
        return _vk_owner(m.group(1), str(int(m.group(2)))), True
    if m := _VK_ARTICLE.match(first):
        return PageRef("vk", "screen_name", m.group(1)), True
    if first in VK_RESERVED or not _SCREEN_NAME.match(first):
        return None
    if first[0] == "." or first[-1] == "." or first.isdigit():
        return None
    return PageRef("vk", "screen_name", first), False


def _parse_ok(host: str, path: str, query: dict[str, list[str]]) -> tuple[PageRef, bool] | None:
    segments = [s for s in path.split("/") if s]
    cmd = query.get("st.cmd", [""])[0]
    group_id = query.get("st.groupId", query.get("st.gid", [""]))[0]
    if cmd and not cmd.lower().startswith(("widgetgroup", "altgroup", "group")):
        return None  # addShare, WidgetSharePreview, login ...
    if cmd and group_id.isdigit():
        return PageRef("ok", "group", group_id), False
    if host == "connect.ok.ru" or not segments:
        return None
    first = segments[0].lower()
    if first == "group" and len(segments) >= 2 and segments[1].isdigit():
        return PageRef("ok", "group", segments[1]), _ok_content(segments[2:])
    if first == "profile" and len(segments) >= 2 and segments[1].isdigit():
        return PageRef("ok", "profile", segments[1]), _ok_content(segments[2:])
    if m := re.match(r"^group(\d+)$", first):
        return PageRef("ok", "group", m.group(1)), _ok_content(segments[1:])
    if first in OK_RESERVED or not _SCREEN_NAME.match(first) or first[0] == ".":
        return None
    if first.isdigit():
        return PageRef("ok", "profile", first), _ok_content(segments[1:])
    return PageRef("ok", "shortname", first), _ok_content(segments[1:])


# Sections of an OK page (ok.ru/<name>/topics): the page itself, opened at a tab
OK_SECTIONS = frozenset(
    ("topics", "photos", "albums", "about", "members", "video", "videos", "discussions")
) | frozenset(("events", "market", "products", "statuses", "feed", "links"))


def _ok_content(rest: list[str]) -> bool:
    """A link below an OK page names one item of it (a topic, a photo), unless it only opens
    one of the page's sections."""
    return bool(rest) and not (len(rest) == 1 and rest[0].lower() in OK_SECTIONS)


# --- widgets in scripts -------------------------------------------------------------------------

_WIDGET_CALL = re.compile(
    r"(VK\.Widgets\.(?:Group|CommunityMessages|Subscribe|Post|AllowMessagesFromCommunity)"
    r"|OK\.CONNECT\.insertGroupWidget)\s*\(",
)


# OK's group widget is a function that calls OK.CONNECT.insertGroupWidget(id, did, st) and is
# invoked as (document, "<container>", "<group id>", …): the stock code, and its variants with
# their own container id ("od_groups") or the id unquoted (a Joomla module). Bounded
# repetitions only: linear on any input.
_OK_WIDGET_INVOKE = re.compile(
    r"\(\s{0,40}document\s{0,40},\s{0,40}[\"'][^\"'<>\n]{0,200}[\"']\s{0,40},\s{0,40}"
    r"[\"']?(\d{1,20})[\"']?\s{0,40}[,)]"
)


def _call_args(text: str, start: int) -> list[str]:
    """Split the arguments of a JS call whose '(' is just before `start`; tolerant of nesting."""
    args, depth, current, quote = [], 0, [], None
    for ch in text[start : start + 2000]:
        if quote:
            current.append(ch)
            if ch == quote:
                quote = None
            continue
        if ch in "\"'":
            quote = ch
            current.append(ch)
        elif ch in "([{":
            depth += 1
            current.append(ch)
        elif ch in ")]}":
            if depth == 0:
                args.append("".join(current).strip())
                return args
            depth -= 1
            current.append(ch)
        elif ch == "," and depth == 0:
            args.append("".join(current).strip())
            current = []
        else:
            current.append(ch)
    return args


def _int_arg(args: list[str], index: int) -> str | None:
    if len(args) <= index:
        return None
    value = args[index].strip("\"' ")
    return value if re.fullmatch(r"-?\d+", value) else None


def widgets_in_script(text: str) -> list[tuple[PageRef, str, str]]:
    """VK/OK widget calls in script text → (reference, via, raw call)."""
    found = []
    for m in _WIDGET_CALL.finditer(text):
        name = m.group(1)
        args = _call_args(text, m.end())
        raw = m.group(0) + ", ".join(args) + ")"
        if name == "OK.CONNECT.insertGroupWidget":
            gid = _int_arg(args, 1)
            if gid and not gid.startswith("-"):
                found.append((PageRef("ok", "group", gid), "widget", raw))
            continue
        short = name.rsplit(".", 1)[1]
        if short == "Group":
            gid = _int_arg(args, 2)
            ref = PageRef("vk", "club", gid.lstrip("-")) if gid else None
            via = "widget"
        elif short in ("CommunityMessages", "AllowMessagesFromCommunity"):
            gid = _int_arg(args, 1) or _int_arg(args, 2)
            ref = PageRef("vk", "club", gid.lstrip("-")) if gid else None
            via = "widget"
        elif short == "Subscribe":
            oid = _int_arg(args, 2)
            ref = _vk_owner("-" if oid.startswith("-") else "", oid.lstrip("-")) if oid else None
            via = "widget"
        else:  # Post: a single post embedded: it belongs to its page
            oid = _int_arg(args, 1)
            ref = _vk_owner("-" if oid.startswith("-") else "", oid.lstrip("-")) if oid else None
            via = "content"
        if ref and ref.key != "0":
            found.append((ref, via, raw))
    if "insertGroupWidget" in text:
        for m in _OK_WIDGET_INVOKE.finditer(text):
            found.append((PageRef("ok", "group", m.group(1)), "widget", m.group(0)))
    return found


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


def _mentions(text: str, hints: tuple[str, ...] = _HINTS) -> bool:
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


def discover(html: str, base_url: str | None = None) -> PageLinks:
    """Find VK/OK references, the ПОС widget and pages worth following in one HTML page.

    Never raises on malformed markup: lxml repairs what it can and the rest is text.
    """
    result = PageLinks()
    seen: set[tuple[str, str, str]] = set()

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
        for m in _URL_IN_TEXT.finditer(text):
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
            if not _mentions(node, _ATTR_HINTS):
                continue
            if node.attrname.lower() in _URL_ATTRS:
                via = "link" if node.getparent().tag in ("a", "area") else "embed"
                add_url(str(node), via)
            else:
                scan_text(str(node), "attribute")
        else:
            scripts.append(node)
            if _mentions(node, _SCRIPT_HINTS):
                script = _unescape_slashes(str(node))
                for ref, via, raw in widgets_in_script(script):
                    add(ref, via, raw)
                scan_text(script, "script")
    if whole:
        result.pos = detect_pos_widget(html)
    if base_url:
        result.follow = follow_candidates(root, base_url)
    texts = page_texts(root)  # last: it takes the scripts' text out of the tree
    result.text_chars = _visible_chars(texts)
    text = "\n".join(texts)
    if _mentions(text, _ATTR_HINTS):
        scan_text(text, "text")
    if result.text_chars < TEXT_COUNTED:  # a small page: empty, or one that moves on?
        result.anchors = int(_XP.anchors(root))
        result.redirect = _redirect_of(root, scripts, result.anchors, result.text_chars)
        if result.redirect and base_url:
            result.redirect = urljoin(base_url, result.redirect)
    return result


def detect_pos_widget(html: str) -> PosWidget:
    """ПОС («Решаем вместе») widget signatures in raw HTML (script, call, banner markup)."""
    lower = html.lower()  # every signature holds one of these words; most pages hold none
    if not any(w in lower for w in ("pos.gosuslugi", "js-show-iframe-wrapper", "pos-banner")):
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
