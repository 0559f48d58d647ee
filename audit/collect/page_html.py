"""Reading public VK and OK pages: what both platforms' HTML has in common."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

from bs4 import BeautifulSoup

from audit.observations import PageObservation
from audit.rudates import parse_ru_date

DATE_SELECTOR = ".rel_date, .post_date, .wi_date, .feed_date"
PINNED_CLASSES = ("post_fixed", "feed_pinned", "pinned")
GOV_LABEL = re.compile(r"госорганизаци|подтверждено через госуслуги", re.IGNORECASE)
LOGIN = re.compile(r"(?i)войдите|чтобы продолжить, войдите|sign in to continue|login_form")


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def unreadable(result, platform: str, url: str, observed_at: str) -> tuple[PageObservation, bool]:
    """The start of every public-page observation, in state "error"; the flag says the caller
    is done: the fetch failed, or an anti-bot or blocking page stood in for the page."""
    from audit.interstitials import classify

    ev = result.evidence
    page = PageObservation(platform, url, "html", "error", observed_at, evidence=[ev])
    if ev.error is not None:
        page.cause, page.detail = ev.error.value, ev.error_detail
        return page, True
    stand_in = classify(result.text if result.is_html else None, ev.final_url)
    if stand_in is not None and stand_in.kind in ("antibot", "access_blocked"):
        page.cause = "challenge" if stand_in.kind == "antibot" else "access_blocked"
        page.detail = stand_in.name
        return page, True
    return page, False


def public_page(result, platform: str, url: str, observed_at: str):
    """The start of reading a page of a platform that answers 404 for a missing page: the
    observation and the parsed page, or None when the observation is already final (the fetch
    failed, a stand-in answered, 404: missing, any other status but 200: unparsable)."""
    page, done = unreadable(result, platform, url, observed_at)
    if done:
        return page, None
    if result.evidence.status == 404:
        page.state, page.cause = "missing", None
        return page, None
    if result.evidence.status != 200:
        page.cause = "unparsable"
        return page, None
    return page, BeautifulSoup(result.text or "", "lxml")


def meta(soup: BeautifulSoup, prop: str) -> str | None:
    tag = soup.find("meta", attrs={"property": prop}) or soup.find("meta", attrs={"name": prop})
    if tag is None:
        return None
    value = tag.get("content") or tag.get("value")
    return str(value).strip() if value else None


def away_target(href: str) -> str:
    """The target of a platform's redirector: vk.com/away.php?to=<url>, ok.ru/dk?st.link=<url>."""
    parts = urlsplit(href)
    query = parse_qs(parts.query)
    if parts.path.endswith("/away.php") and "to" in query:
        return query["to"][0]
    if "st.link" in query:
        return query["st.link"][0]
    return href


def read_posts(
    page: PageObservation, posts: list, now: datetime, date_selector: str = DATE_SELECTOR
) -> None:
    """Post dates from post nodes (pinned ones left out): complete only from the oldest shown."""
    dates = []
    for node in posts:
        if set(PINNED_CLASSES) & set(node.get("class") or []):
            continue
        stamp = node.select_one("time[datetime]")
        raw = stamp["datetime"] if stamp else None
        if raw is None:
            date_node = node.select_one(date_selector)
            raw = date_node.get_text(" ", strip=True) if date_node else None
        when = parse_ru_date(str(raw), now) if raw else None
        if when is not None:
            dates.append(int(when.timestamp()))
    page.posts = sorted(dates, reverse=True)
    # a public page shows the latest few posts: complete only from the oldest one shown
    page.posts_cover_from = page.posts[-1] if page.posts else None
    if not posts:
        page.posts_cover_from = None if page.closed else 0
        page.posts = None if page.closed else []
        page.wall_cause = "closed" if page.closed else None


async def collect_pages(fetcher, refs: list, web_url: str, domain: str, parse) -> dict:
    """Read the public page of every distinct reference (`domain` is the canonical host the
    reference URLs carry, `web_url` where to fetch them) and parse each one."""
    import asyncio

    async def one(ref) -> tuple[str, PageObservation]:
        path = ref.url.split(f"{domain}/", 1)[1]
        result = await fetcher.get(web_url.rstrip("/") + "/" + path)
        return ref.url, parse(result, ref.url, now_iso())

    return dict(await asyncio.gather(*(one(r) for r in dict.fromkeys(refs))))
