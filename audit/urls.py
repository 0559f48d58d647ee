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
    if host.isascii() and "xn--" not in host:
        ascii_host = host  # urlsplit lower-cased it; the label rule below is all IDNA would add
    else:
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


# Domains that host many unrelated bodies' sites: there the whole host name must match.
SHARED_HOSTING = ("gosuslugi.ru", "gosweb.gosuslugi.ru", "ucoz.ru", "narod.ru", "edusite.ru",
                  "tilda.ws", "wix.com", "blogspot.com")  # fmt: skip


def registrable_domain(host: str) -> str:
    """example.ru for www.adm.example.ru (public suffix list bundled with tldextract, offline)."""
    extract = _extractor()
    parts = extract(host)
    return getattr(parts, "top_domain_under_public_suffix", None) or parts.registered_domain or host


def _extractor():
    global _EXTRACT
    if _EXTRACT is None:
        import tldextract

        _EXTRACT = tldextract.TLDExtract(
            suffix_list_urls=(), cache_dir=None, include_psl_private_domains=True
        )
    return _EXTRACT


_EXTRACT = None


def same_site(url: str, other: str) -> bool:
    """Both addresses belong to one website: the same registrable domain, or, on shared
    hosting domains, the same host (www. ignored)."""
    a, b = _site_host(url), _site_host(other)
    if not a or not b:
        return False
    if a == b:
        return True
    domain = registrable_domain(a)
    return not (domain in SHARED_HOSTING or registrable_domain(b) != domain)


def _site_host(url: str) -> str:
    """Host of a URL or of a bare 'example.ru/path', IDN in punycode, without www."""
    url = url.strip()
    if "://" not in url:
        url = "http://" + url
    host = host_of(url).removeprefix("www.")
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        return host


# scheme://user:PASSWORD@ — the password of a URL's user part
_USER_PASSWORD = re.compile(r"^([a-z][a-z0-9+.-]*://[^/@:?#]*):([^@/?#]*)@", re.IGNORECASE)


def url_password(url: str) -> str | None:
    """The password in a URL's user part (a proxy's, a database's), or None."""
    found = _USER_PASSWORD.match(url)
    return found.group(2) if found else None


def without_password(url: str) -> str:
    """The URL as it may be shown: a password in its user part replaced by ***."""
    return _USER_PASSWORD.sub(r"\1:***@", url, count=1)
