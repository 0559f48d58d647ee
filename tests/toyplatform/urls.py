"""The toy platform's address grammar: `https://whistle.test/<channel>`."""

import re

from audit.platforms import PageRef

HOSTS = frozenset({"whistle.test", "www.whistle.test"})
CHANNEL = re.compile(r"^[a-z0-9_]{3,32}$")


def page_url(kind: str, key: str) -> str:
    return f"https://whistle.test/{key}"


def parse(host: str, path: str, query: dict, fragment: str):
    segments = [s for s in path.lower().split("/") if s]
    if not segments or not CHANNEL.match(segments[0]) or segments[0] in ("share", "login"):
        return None
    return PageRef("whistle", "channel", segments[0]), len(segments) > 1
