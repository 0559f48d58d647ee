"""The address grammar of OK pages: every form reduced to `https://ok.ru/<shortname|group/<id>|profile/<id>>`."""

from __future__ import annotations

import re

from audit.platforms.base import PageRef
from audit.platforms.vk.urls import SCREEN_NAME

OK_HOSTS = frozenset(
    {"ok.ru", "odnoklassniki.ru", "connect.ok.ru"}
    | {f"{p}.{h}" for p in ("www", "m") for h in ("ok.ru", "odnoklassniki.ru")}
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


def page_url(kind: str, key: str) -> str:
    if kind in ("group", "profile"):
        return f"https://ok.ru/{kind}/{key}"
    return f"https://ok.ru/{key}"


def parse(
    host: str, path: str, query: dict[str, list[str]], fragment: str = ""
) -> tuple[PageRef, bool] | None:
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
    if first in OK_RESERVED or not SCREEN_NAME.match(first) or first[0] == ".":
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
