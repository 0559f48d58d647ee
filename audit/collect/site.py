"""Collect the official website: fetch the home page, and a few contact pages when needed."""

from __future__ import annotations

import asyncio
from urllib.parse import urljoin

from audit.evidence import Cause
from audit.fetch import Fetcher, Visit
from audit.fetched import FetchResult
from audit.interstitials import classify
from audit.links import discover
from audit.model import Entity
from audit.observations import SiteObservation
from audit.pageurls import PageLinks, Reference, parse_page_url
from audit.platforms import platform_keys

MAX_FOLLOW = 2  # extra same-site pages read when the home page lacks a VK or OK link
MAX_PAGE_REDIRECTS = 2  # meta refresh / script redirects followed from the home page
MAX_SHORT_LINKS = 3  # vk.cc / ok.me short links resolved per site
EMPTY_TEXT = 40  # visible characters under which a page without links says nothing
OFF_LOOP_CHARS = 512 * 1024  # pages from this size are read in a worker thread


async def read_page(page: FetchResult, base: str) -> PageLinks:
    """Link discovery of one page; a large one in a worker thread (lxml parses without the
    GIL), so that no single page holds the event loop and every other site's read with it."""
    text, lower = page.text, page.ascii_lower()
    if len(text) < OFF_LOOP_CHARS:
        return discover(text, base, lower)
    return await asyncio.to_thread(discover, text, base, lower)


async def collect_site(
    entity: Entity, fetcher: Fetcher, max_follow: int = MAX_FOLLOW
) -> SiteObservation:
    """The body's website: its home page and, when that lacks a VK or OK link, up to
    `max_follow` contact pages. Large runs call it in website processes (collect.site_pool)."""
    if entity.website_none:
        return SiteObservation(state="none")
    if not entity.website:
        return SiteObservation(state="unknown")
    visit = Visit()  # the site's cookies, kept for its own later requests
    home = await fetcher.get(entity.website, visit=visit)
    verify = home.evidence.error is not Cause.TLS
    if not verify:
        # a certificate the auditor does not trust is a finding of its own (site.tls), not
        # "no website": the site is read all the same, and the evidence says how
        first = home.evidence
        home = await fetcher.get(entity.website, verify=False, visit=visit)
        obs = _observe(entity.website, home)
        obs.evidence.insert(0, first)
        obs.tls_problem = first.error_detail or "certificate not verified"
    else:
        obs = _observe(entity.website, home)
    found = await _read_home(obs, home, fetcher, verify, visit)
    if found is None:
        return obs
    obs.title, obs.pos = found.title, found.pos
    obs.references = list(found.references)
    obs.references_cut = found.references_cut
    await _resolve_short_links(obs, found.short_links, fetcher)
    for url in found.follow[:max_follow]:
        links = obs.links()
        if all(links.pages(p, direct_only=True) for p in platform_keys()):
            break
        extra = await fetcher.get(url, verify=verify, visit=visit)
        obs.evidence.append(extra.evidence)
        if not (extra.ok and extra.is_html):
            continue
        more = await read_page(extra, extra.evidence.final_url or url)
        obs.pages_read.append(extra.evidence.final_url or url)
        obs.references.extend(more.references)
        obs.references_cut += more.references_cut
        await _resolve_short_links(obs, more.short_links, fetcher)
        if more.pos.found and not obs.pos.found:
            obs.pos = more.pos
    return obs


def _observe(url: str, result: FetchResult) -> SiteObservation:
    ev = result.evidence
    # An answer cut off after its status line (a reset, a timeout mid-body) is no answer: the
    # page was not read, whichever packet the cut came after. An over-large page was answered.
    answered = ev.status is not None and ev.error in (None, Cause.TOO_LARGE)
    return SiteObservation(
        state="fetched" if answered else "failed",
        url=url,
        final_url=ev.final_url,
        status=ev.status,
        cause=ev.error.value if ev.error else None,
        detail=ev.error_detail,
        evidence=[ev],
    )


async def _read_home(
    obs: SiteObservation, home: FetchResult, fetcher: Fetcher, verify: bool, visit: Visit
):
    """The home page's links, following the redirects a page makes by itself (meta refresh, a
    one-line script) like HTTP ones; None when nothing of the site could be read (the
    observation then says why)."""
    for hop in range(MAX_PAGE_REDIRECTS + 1):
        ev = home.evidence
        text = home.text  # decoded here; the evidence records the charset
        stand_in = classify(text, ev.final_url)
        if stand_in is not None:  # a stub or interstitial says nothing about the body
            obs.cause, obs.detail, obs.interstitial = stand_in.kind, stand_in.name, stand_in.kind
            return None
        if not home.ok:
            return None
        if text is None:
            obs.cause, obs.detail = "not_html", f"content type {ev.content_type}"
            return None
        base = ev.final_url or obs.url
        found = await read_page(home, base)
        if found.redirect and hop < MAX_PAGE_REDIRECTS and not found.references:
            home = await fetcher.get(found.redirect, verify=verify, visit=visit)
            obs.evidence.append(home.evidence)
            moved = _observe(obs.url, home)
            obs.state, obs.final_url, obs.status = moved.state, moved.final_url, moved.status
            obs.cause, obs.detail = moved.cause, moved.detail
            continue
        if found.anchors == 0 and found.text_chars < EMPTY_TEXT and not found.references:
            # a script-only shell or an empty answer: whatever served it, nothing was read
            obs.cause, obs.detail, obs.interstitial = "empty", "empty page", "empty"
            return None
        obs.pages_read.append(base)
        return found
    return None


async def _resolve_short_links(obs: SiteObservation, links: list[str], fetcher: Fetcher):
    """A short link (vk.cc/…, ok.me/…) names a page one redirect away: follow that one."""
    for link in links[:MAX_SHORT_LINKS]:
        result = await fetcher.get(link)
        obs.evidence.append(result.evidence)
        hops = result.evidence.redirects
        target = hops[0].get("location") if hops else None
        if not target:
            continue
        target = urljoin(link, target)
        parsed = parse_page_url(target)
        if parsed is not None:
            ref, is_content = parsed
            obs.references.append(Reference(ref, "content" if is_content else "link", link))
