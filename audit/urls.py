"""Syntax checks for website URLs from the registry (no network)."""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit

import idna

_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


def website_problem(url: str) -> str | None:
    """Why `url` is not a usable website address, or None when it is fine."""
    if not isinstance(url, str) or not url.strip():
        return "must be a non-empty URL"
    if url != url.strip() or re.search(r"\s", url):
        return "contains white space"
    if "://" not in url:
        return f"missing scheme (did you mean 'https://{url}'?)"
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        return f"not a valid URL ({exc})"
    if parts.scheme.lower() not in ("http", "https"):
        return f"scheme must be http or https, not {parts.scheme!r}"
    if parts.username or parts.password:
        return "must not contain a user name or password"
    host = parts.hostname or ""
    if not host:
        return "has no host name"
    if port == 0:
        return "port 0 is not valid"
    try:
        ipaddress.ip_address(host)
        return None
    except ValueError:
        pass
    if "." not in host:
        return f"host name {host!r} has no domain"
    try:
        ascii_host = idna.encode(host, uts46=True).decode("ascii")
    except idna.IDNAError as exc:
        return f"host name {host!r} is not valid ({exc})"
    if not all(_LABEL.match(label) for label in ascii_host.rstrip(".").split(".")):
        return f"host name {host!r} is not valid"
    return None


def host_of(url: str) -> str:
    """Lower-case host of a URL ('' when there is none)."""
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""
