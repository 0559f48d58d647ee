"""Collect the official website: fetch the home page, and a few contact pages when needed."""

from __future__ import annotations

from audit.fetch import Fetcher
from audit.interstitials import classify
from audit.links import discover
from audit.model import Entity
from audit.observations import SiteObservation

MAX_FOLLOW = 2  # extra same-site pages read when the home page lacks a VK or OK link


async def collect_site(
    entity: Entity, fetcher: Fetcher, max_follow: int = MAX_FOLLOW
) -> SiteObservation:
    if entity.website_none:
        return SiteObservation(state="none")
    if not entity.website:
        return SiteObservation(state="unknown")
    home = await fetcher.get(entity.website)
    ev = home.evidence
    obs = SiteObservation(
        state="fetched" if ev.status is not None else "failed",
        url=entity.website,
        final_url=ev.final_url,
        status=ev.status,
        cause=ev.error.value if ev.error else None,
        detail=ev.error_detail,
        evidence=[ev],
    )
    stand_in = classify(home.text if home.is_html else None, ev.final_url)
    if stand_in is not None:  # a stub or interstitial says nothing about the body
        obs.cause, obs.detail, obs.interstitial = stand_in.kind, stand_in.name, stand_in.kind
        return obs
    if not home.ok:
        return obs
    if not home.is_html:
        obs.cause, obs.detail = "not_html", f"content type {ev.content_type}"
        return obs
    found = discover(home.text, ev.final_url or entity.website)
    obs.title, obs.pos = found.title, found.pos
    obs.references = list(found.references)
    obs.pages_read.append(ev.final_url or entity.website)
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
