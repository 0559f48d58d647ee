"""The toy platform's pages, read from their public HTML (no API): a page that answers with
its channel's markup exists; a 404 is a missing page; anything else is the fetch's error."""

from dataclasses import asdict, dataclass

from audit.collect.page_html import collect_pages, meta, public_page
from audit.collect.pages import PlatformCollector


@dataclass(frozen=True)
class WhistleSettings:
    web_url: str = "https://whistle.test/"

    def redacted(self) -> dict:
        return asdict(self)


def parse_page(result, url: str, observed_at: str):
    page, soup = public_page(result, "whistle", url, observed_at)
    if soup is None:
        return page
    if soup.select_one("[data-channel]") is None:
        page.cause = "unparsable"
        return page
    page.state, page.cause = "found", None
    page.kind = "group"
    page.name = meta(soup, "og:title")
    page.description = meta(soup, "og:description")
    return page


async def read_pages(fetcher, refs, web_url: str):
    return await collect_pages(fetcher, refs, web_url, "whistle.test", parse_page)


def collector(fetcher, settings: WhistleSettings) -> PlatformCollector:
    return PlatformCollector("whistle", fetcher, settings, None, None, read_pages)
