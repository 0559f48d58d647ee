"""Page addresses and what link discovery reports, as values.

Every form of a page's address is reduced to one canonical reference by its platform's grammar
(`audit.platforms.<key>.urls`), so that a site link can be compared with the page the registry
declares. No HTML parsing here: the checks, the store and the reports read these values without
loading the parser."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import parse_qs, unquote, urlsplit

import ada_url

from audit.platforms import PageRef, platform_for_host, platform_keys


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
            **{key: self.pages(key) for key in platform_keys()},
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
    platform = platform_for_host(host)
    if platform is None:
        return None
    return platform.parse(host, path, query, parts["hash"][1:])


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
