"""The address grammar of Telegram channels: `t.me/<name>`, `t.me/s/<name>` (the public
preview), `telegram.me/<name>`, a post `t.me/<name>/<n>`; invite links (`t.me/+…`,
`t.me/joinchat/…`) and private posts (`t.me/c/…`) name no public channel."""

from __future__ import annotations

import re

from audit.platforms.base import PageRef

HOSTS = frozenset({"t.me", "www.t.me", "telegram.me", "www.telegram.me", "telegram.dog"})
# public usernames: 5 to 32 letters, digits and underscores, beginning with a letter
NAME = re.compile(r"^[a-z][a-z0-9_]{4,31}$")
RESERVED = frozenset(
    {
        "joinchat",
        "addstickers",
        "addemoji",
        "addtheme",
        "proxy",
        "socks",
        "share",
        "iv",
        "login",
        "setlanguage",
        "confirmphone",
        "invoice",
        "boost",
        "contact",
        "addlist",
    }
)


def page_url(kind: str, key: str) -> str:
    return f"https://t.me/{key}"


def parse(host: str, path: str, query: dict, fragment: str):
    segments = [s for s in path.split("/") if s]
    if segments[:1] == ["s"]:
        segments = segments[1:]
    if not segments:
        return None
    name = segments[0].lower()
    if name in RESERVED or not NAME.match(name):
        return None
    return PageRef("telegram", "channel", name), len(segments) > 1
