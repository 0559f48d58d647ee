"""Collect the official website: fetch the home page, and a few contact pages when needed."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from audit.fetch import Cause, Fetcher, decode_body
from audit.interstitials import Interstitial, classify
from audit.links import PageLinks, discover
from audit.model import Entity
from audit.observations import SiteObservation

MAX_FOLLOW = 2  # extra same-site pages read when the home page lacks a VK or OK link

# Runs a CPU-bound function (parsing a page) somewhere: in this process, or in a process pool
# so that a large run parses on every core while this process does the network.
Offload = Callable[..., Awaitable[Any]]


async def inline(fn: Callable[..., Any], *args: Any) -> Any:
    return fn(*args)


def read_home(
    body: bytes | None,
    header_charset: str | None,
    final_url: str | None,
    base: str,
    searchable: bool,
) -> tuple[str | None, Interstitial | None, PageLinks | None]:
    """A home page's charset, its stand-in (stub, interstitial) or, when it is a searchable
    page, its links: everything that decodes and parses the page, in one call that can run
    in another process (bytes cross to it without being encoded again)."""
    text, charset = decode_body(body, header_charset) if body is not None else (None, None)
    stand_in = classify(text, final_url)
    if stand_in is not None or not searchable or text is None:
        return charset, stand_in, None
    return charset, None, discover(text, base)


def read_page(body: bytes, header_charset: str | None, base: str) -> tuple[str | None, PageLinks]:
    """Another page of the site: its charset and links (decoded where it is parsed)."""
    text, charset = decode_body(body, header_charset)
    return charset, discover(text, base)


async def collect_site(
    entity: Entity, fetcher: Fetcher, max_follow: int = MAX_FOLLOW, offload: Offload = inline
) -> SiteObservation:
    if entity.website_none:
        return SiteObservation(state="none")
    if not entity.website:
        return SiteObservation(state="unknown")
    home = await fetcher.get(entity.website)
    ev = home.evidence
    # An answer cut off after its status line (a reset, a timeout mid-body) is no answer: the
    # page was not read, whichever packet the cut came after. An over-large page was answered.
    answered = ev.status is not None and ev.error in (None, Cause.TOO_LARGE)
    obs = SiteObservation(
        state="fetched" if answered else "failed",
        url=entity.website,
        final_url=ev.final_url,
        status=ev.status,
        cause=ev.error.value if ev.error else None,
        detail=ev.error_detail,
        evidence=[ev],
    )
    base = ev.final_url or entity.website
    ev.charset, stand_in, found = await offload(
        read_home,
        home.content if home.is_html else None,
        home.header_charset,
        ev.final_url,
        base,
        home.ok,
    )
    if stand_in is not None:  # a stub or interstitial says nothing about the body
        obs.cause, obs.detail, obs.interstitial = stand_in.kind, stand_in.name, stand_in.kind
        return obs
    if not home.ok:
        return obs
    if found is None:
        obs.cause, obs.detail = "not_html", f"content type {ev.content_type}"
        return obs
    obs.title, obs.pos = found.title, found.pos
    obs.references = list(found.references)
    obs.pages_read.append(base)
    for url in found.follow[:max_follow]:
        links = obs.links()
        if links.pages("vk", direct_only=True) and links.pages("ok", direct_only=True):
            break
        extra = await fetcher.get(url)
        obs.evidence.append(extra.evidence)
        if not (extra.ok and extra.is_html):
            continue
        extra.evidence.charset, more = await offload(
            read_page, extra.content, extra.header_charset, extra.evidence.final_url or url
        )
        obs.pages_read.append(extra.evidence.final_url or url)
        obs.references.extend(more.references)
        if more.pos.found and not obs.pos.found:
            obs.pos = more.pos
    return obs
