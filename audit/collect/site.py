"""Collect the official website: fetch the home page, and a few contact pages when needed."""

from __future__ import annotations

from audit.fetch import Cause, Fetcher
from audit.interstitials import classify
from audit.links import discover
from audit.model import Entity
from audit.observations import SiteObservation

MAX_FOLLOW = 2  # extra same-site pages read when the home page lacks a VK or OK link


async def collect_site(
    entity: Entity, fetcher: Fetcher, max_follow: int = MAX_FOLLOW
) -> SiteObservation:
    """The body's website: its home page and, when that lacks a VK or OK link, up to
    `max_follow` contact pages. Large runs call it in website processes (collect.site_pool)."""
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
    text = home.text  # decoded here; the evidence records the charset
    stand_in = classify(text, ev.final_url)
    if stand_in is not None:  # a stub or interstitial says nothing about the body
        obs.cause, obs.detail, obs.interstitial = stand_in.kind, stand_in.name, stand_in.kind
        return obs
    if not home.ok:
        return obs
    if text is None:
        obs.cause, obs.detail = "not_html", f"content type {ev.content_type}"
        return obs
    found = discover(text, base)
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
        more = discover(extra.text, extra.evidence.final_url or url)
        obs.pages_read.append(extra.evidence.final_url or url)
        obs.references.extend(more.references)
        if more.pos.found and not obs.pos.found:
            obs.pos = more.pos
    return obs
