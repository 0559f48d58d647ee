"""The address grammar of VK pages: every form reduced to `https://vk.com/<screen_name|club<id>|id<id>>`."""

from __future__ import annotations

import re

from audit.platforms.base import PageRef

VK_HOSTS = frozenset(
    {"vk.com", "vk.ru", "vkontakte.ru", "new.vk.com", "mobile.vk.com"}
    | {f"{p}.{h}" for p in ("www", "m") for h in ("vk.com", "vk.ru", "vkontakte.ru")}
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


SCREEN_NAME = re.compile(r"^[a-z0-9_.]{2,64}$")


_VK_CLUB = re.compile(r"^(?:club|public|event)(\d+)$")


_VK_USER = re.compile(r"^id(\d+)$")


_VK_CONTENT = re.compile(
    r"^(?:wall|photo|video|album|topic|board|clip|market|poll|doc|audio|narrative)(-?)(\d+)(?:_\d+)?$"
)


_VK_ARTICLE = re.compile(r"^@([a-z0-9_.]+?)-[\w-]+$")


PREFIX = {"club": "club", "user": "id"}


def page_url(kind: str, key: str) -> str:
    return f"https://vk.com/{PREFIX.get(kind, '')}{key}"


def vk_owner(sign: str, number: str) -> PageRef:
    return PageRef("vk", "club" if sign == "-" else "user", number)


def parse(
    host: str, path: str, query: dict[str, list[str]], fragment: str
) -> tuple[PageRef, bool] | None:
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
    if first in VK_RESERVED or not SCREEN_NAME.match(first):
        return None
    if first[0] == "." or first[-1] == "." or first.isdigit():
        return None
    return PageRef("vk", "screen_name", first), False
