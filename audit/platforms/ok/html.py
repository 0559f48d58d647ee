"""OK pages without API keys: read the public ok.ru page of each reference.

Markers (shared/platforms.md §8; partly third-party, partly to verify live): `og:title`,
`og:description`, `og:url` (ok.ru/group/<id> or /profile/<id>), the «госорганизация» label
outside the feed, the homepage link (often through ok.ru/dk?...st.link=<url>), topics carrying
`data-topic-id` with their dates in `.feed_date` or `time[datetime]`. A missing group is not told
by the HTTP status (ok.ru answers 200): the page says so («Группа не найдена», «Страница не
найдена», «Эта страница недоступна») and has no `og:url`. A captcha page is `error`.
"""

from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import urlsplit

from bs4 import BeautifulSoup

from audit.collect.page_html import (
    GOV_LABEL,
    LOGIN,
    away_target,
    collect_pages,
    meta,
    read_posts,
    unreadable,
)
from audit.fetch import Fetcher
from audit.fetched import FetchResult
from audit.observations import PageObservation
from audit.pageurls import PageRef
from audit.textfacts import emails, has_address, phones, unique

NOT_FOUND = ("Группа не найдена", "Страница не найдена", "Эта страница недоступна",
             "This page does not exist")  # fmt: skip
BLOCKED = ("Группа заблокирована", "Сообщество заблокировано", "This group has been blocked")
CLOSED = ("Закрытая группа", "Это закрытая группа", "Closed group")
CAPTCHA = re.compile(r"captcha", re.IGNORECASE)
OWNER_URL = re.compile(r"ok\.ru/(group|profile)/(\d+)")


def parse_ok_page(result: FetchResult, url: str, observed_at: str) -> PageObservation:
    page, done = unreadable(result, "ok", url, observed_at)
    if done:
        return page
    ev = result.evidence
    text = result.text or ""
    soup = BeautifulSoup(text, "lxml") if text else None
    title = meta(soup, "og:title") if soup else None
    if "captcha" in (ev.final_url or "").lower() or (title is None and CAPTCHA.search(text)):
        page.cause, page.detail = "challenge", ev.final_url
        return page
    has_owner = bool(soup and meta(soup, "og:url"))
    if ev.status == 404 or (not has_owner and any(m in text for m in NOT_FOUND)):
        page.state = "missing"
        return page
    if ev.status != 200 or not result.is_html or soup is None:
        page.cause, page.detail = "http", f"HTTP {ev.status} {ev.content_type or ''}".strip()
        return page
    if title is None:
        page.cause = "login_wall" if LOGIN.search(text) else "unparsable"
        return page
    page.name = title
    if m := OWNER_URL.search(meta(soup, "og:url") or ""):
        page.page_id = m.group(2)
        page.kind = "profile" if m.group(1) == "profile" else "group"
    page.kind = page.kind or "group"
    plain = soup.get_text(" ", strip=True)
    if any(m in plain for m in BLOCKED):
        page.state = "banned"
        return page
    page.state = "found"
    page.closed = any(m in plain for m in CLOSED)
    posts = soup.select("[data-topic-id]")
    for node in posts:
        node.extract()
    header = soup.get_text(" ", strip=True)
    page.gov_mark = bool(GOV_LABEL.search(header))
    desc = soup.select_one(".group-info_desc, [data-description]")
    page.description = desc.get_text(" ", strip=True) if desc else meta(soup, "og:description")
    links = [away_target(a["href"]) for a in soup.find_all("a", href=True)]
    external = [u for u in links if u.startswith("http") and not _ok_host(u)]
    page.links = unique(external)
    home = soup.select_one(".group-info_homepage a[href], [data-homepage] a[href]")
    page.site = away_target(home["href"]) if home else (external[0] if external else None)
    page.phones = unique(phones(header))
    page.emails = unique(emails(header))
    addr = soup.select_one(".group-info_address")
    page.addresses = unique(
        [addr.get_text(" ", strip=True)] if addr else ([header] if has_address(header) else [])
    )
    members = soup.select_one(".group-info_members, [data-members]")
    if members and (digits := re.sub(r"\D", "", members.get_text())):
        page.members = int(digits)
    read_posts(page, posts, datetime.fromisoformat(observed_at))
    return page


def _ok_host(url: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    return host in ("ok.ru", "m.ok.ru", "www.ok.ru", "odnoklassniki.ru", "www.odnoklassniki.ru")


async def collect_ok_html(
    fetcher: Fetcher, refs: list[PageRef], web_url: str = "https://ok.ru/"
) -> dict[str, PageObservation]:
    return await collect_pages(fetcher, refs, web_url, "ok.ru", parse_ok_page)
