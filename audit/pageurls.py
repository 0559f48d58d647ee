"""The address grammar of VK and OK pages, and what link discovery reports, as values.

Every form of a page's address is reduced to one canonical reference
(`https://vk.com/<screen_name|club<id>|id<id>>`, `https://ok.ru/<shortname|group/<id>|profile/<id>>`)
so that a site link can be compared with the page the registry declares. No HTML parsing here:
the checks, the store and the reports read these values without loading the parser."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import parse_qs, unquote, urlsplit

import ada_url

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


def vk_owner(sign: str, number: str) -> PageRef:
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
        return vk_owner(m.group(1), str(int(m.group(2)))), True
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
