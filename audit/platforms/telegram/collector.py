"""Telegram channels read from their public preview, `t.me/s/<name>` (no API: Telegram's Bot
API sees only channels the bot is in). The preview shows the title, the description, the
counters («subscribers») and the latest posts with their `time[datetime]`. A name that has
no public preview is sent on to `t.me/<name>`: a card with a title and «N subscribers» is a
channel that keeps its posts to the app; «members» a group; a card with no title — no such
name. Markup as public scrapers read it (tg2feed's tests, RSSHub's route and others)."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import datetime

from bs4 import BeautifulSoup

from audit.collect.page_html import collect_pages, public_page
from audit.collect.pages import PlatformCollector
from audit.textfacts import emails, phones, unique
from audit.widgets import mentions_pos

_COUNT = re.compile(r"(\d[\d.,]*)\s*([KM](?![a-z]))?", re.I)
_DIGIT_SPACE = re.compile(r"(?<=\d)[\s\xa0](?=\d)")


@dataclass(frozen=True)
class TelegramSettings:
    web_url: str = "https://t.me/"

    def redacted(self) -> dict:
        return asdict(self)


def count(text: str | None) -> int | None:
    """«3.4K», «12 345», «1.2M» as a number of subscribers."""
    m = _COUNT.search(_DIGIT_SPACE.sub("", text or ""))
    if not m:
        return None
    value = float(m.group(1).replace(",", "."))
    return int(value * {"": 1, "K": 1_000, "M": 1_000_000}[(m.group(2) or "").upper()])


def _text(node) -> str | None:
    return node.get_text(" ", strip=True) if node is not None else None


def parse_page(result, url: str, observed_at: str):
    page, soup = public_page(result, "telegram", url, observed_at)
    if soup is None:
        return page
    if soup.select_one(".tgme_channel_info") is not None:
        _preview(page, soup)
    elif soup.select_one(".tgme_page") is not None:
        _card(page, soup)
    else:
        page.cause = "unparsable"
        return page
    if page.state == "found":
        text = page.description or ""
        page.phones, page.emails = unique(phones(text)), unique(emails(text))
        page.pos_on_page = (
            True if mentions_pos(text) or any(map(mentions_pos, page.links)) else None
        )
    return page


def _preview(page, soup: BeautifulSoup) -> None:
    # a name on t.me is a public username: anyone reads the channel without joining
    page.state, page.cause, page.kind, page.closed = "found", None, "channel", False
    page.name = _text(soup.select_one(".tgme_channel_info_header_title"))
    description = soup.select_one(".tgme_channel_info_description")
    page.description = _text(description) or ""
    page.links = [a["href"] for a in (description.select("a[href]") if description else [])]
    for counter in soup.select(".tgme_channel_info_counter"):
        if "subscriber" in (_text(counter.select_one(".counter_type")) or "").lower():
            page.members = count(_text(counter.select_one(".counter_value")))
    page.avatar = soup.select_one(".tgme_page_photo_image img[src]") is not None or None
    dates = []
    for message in soup.select(".tgme_widget_message[data-post]"):
        stamp = message.select_one(".tgme_widget_message_date time[datetime]")
        try:
            dates.append(int(datetime.fromisoformat(stamp["datetime"]).timestamp()))
        except (TypeError, ValueError, KeyError):
            continue
    page.posts = sorted(dates, reverse=True)
    # the preview shows the latest posts only: complete from the oldest one shown
    page.posts_cover_from = page.posts[-1] if page.posts else 0


def _card(page, soup: BeautifulSoup) -> None:
    title = _text(soup.select_one(".tgme_page_title"))
    if not title:
        # Telegram's card for a name nobody holds offers to «contact @name» and nothing else;
        # a card without its title and without those words is a page we do not know
        name = page.url.rsplit("/", 1)[-1]
        said = (_text(soup.select_one(".tgme_page")) or "").lower()
        if re.search(rf"contact\s+@{re.escape(name)}\b", said):
            page.state, page.cause = "missing", None
        else:
            page.cause = "unparsable"
        return
    extra = (_text(soup.select_one(".tgme_page_extra")) or "").lower()
    page.state, page.cause, page.name, page.closed = "found", None, title, False
    page.description = _text(soup.select_one(".tgme_page_description")) or ""
    if "subscriber" in extra:
        page.kind, page.members = "channel", count(extra)
        page.wall_cause = "wall_unreadable"  # the channel shows no posts outside the app
    elif "member" in extra:
        page.kind, page.members = "group", count(extra)
        page.wall_cause = "wall_unreadable"
    else:
        page.kind = "profile"  # a person or a bot


async def read_pages(fetcher, refs, web_url: str):
    """Every channel's preview, `<web_url>s/<name>`."""
    return await collect_pages(fetcher, refs, web_url.rstrip("/") + "/s", "t.me", parse_page)


def collector(fetcher, settings: TelegramSettings) -> PlatformCollector:
    return PlatformCollector("telegram", fetcher, settings, None, None, read_pages)
