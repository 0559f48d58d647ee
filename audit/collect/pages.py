"""Page collectors: one per platform, one interface — `collect(refs) -> {url: observation}`.

A collector receives every page reference of a batch of bodies at once, so an API collector
can ask about hundreds of pages in one request; the runner never knows which source it used.
"""

from __future__ import annotations

import importlib
from typing import Protocol

from audit.fetch import Fetcher
from audit.observations import PageObservation
from audit.pageurls import PageRef, parse_page_url
from audit.platforms import Platform, platforms


class PageCollector(Protocol):
    platform: str
    source: str  # api | html

    async def collect(
        self, refs: list[PageRef], final: bool = True
    ) -> dict[str, PageObservation]: ...

    def requests(self) -> int: ...


def resolve(spec: str):
    """The object a descriptor names as "module:attribute"."""
    module, _, name = spec.partition(":")
    return getattr(importlib.import_module(module), name)


class PlatformSettings:
    """Each platform's collector settings (API tokens, rates, where its public pages are),
    by platform key; a platform not given runs with its defaults."""

    def __init__(self, **by_platform) -> None:
        self._given = by_platform

    def of(self, platform: Platform):
        given = self._given.get(platform.key)
        return given if given is not None else resolve(platform.settings)()

    def redacted(self) -> dict:
        return {p.key: self.of(p).redacted() for p in platforms()}


class PlatformCollector:
    """One platform's pages: through its API when credentials are set, else its public pages."""

    def __init__(self, platform: str, fetcher: Fetcher, settings, api, api_pages, read_html):
        self.platform, self.fetcher, self.settings = platform, fetcher, settings
        self.api, self._read_html = api, read_html
        self._api_pages = api_pages(api) if api is not None else None  # carries partial requests
        self.source = "api" if api is not None else "html"
        self._html_requests = 0
        if api is None:
            fetcher.keep_alive(settings.web_url)

    async def collect(self, refs: list[PageRef], final: bool = True) -> dict[str, PageObservation]:
        """Pages of `refs`. Not `final`: an API request the refs would leave partly filled
        waits for the next call's refs, and its pages are left out of this answer."""
        refs = [r for r in refs if r.platform == self.platform]
        if self._api_pages is not None:
            return await self._api_pages.collect(refs, final)
        if not refs:
            return {}
        self._html_requests += len(set(refs))
        return await self._read_html(self.fetcher, refs, self.settings.web_url)

    def requests(self) -> int:
        return self.api.calls if self.api is not None else self._html_requests


def page_collectors(fetcher: Fetcher, settings: PlatformSettings) -> list[PageCollector]:
    return [resolve(p.collector)(fetcher, settings.of(p)) for p in platforms()]


MAX_SITE_REFS = 3  # pages a website links, per platform, that are looked at besides the registry's


def page_refs(entity, site) -> tuple[dict[str, tuple[str, str]], list[PageRef]]:
    """Which pages stand for the body, and every reference worth observing.

    Per platform the registry's page wins; otherwise the first page the website links directly.
    The other linked pages are observed too, so site.links.consistent can compare identities.
    """
    chosen: dict[str, tuple[str, str]] = {}
    refs: list[PageRef] = []
    links = site.links()
    for platform in (p.key for p in platforms()):
        declared = entity.pages.get(platform)
        linked = links.pages(platform, direct_only=True)[:MAX_SITE_REFS]
        if declared:
            chosen[platform] = (declared, "registry")
        elif linked:
            chosen[platform] = (linked[0], "website")
        for url in ([declared] if declared else []) + linked:
            parsed = parse_page_url(url)
            if parsed is not None:
                refs.append(parsed[0])
    return chosen, refs
