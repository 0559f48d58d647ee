"""VK pages without a token: read the public vk.com page of each reference.

Markers (shared/platforms.md §6, third-party scrapers, so treated as a weak source): `<title>`
"<Name> | VK", `og:*` meta, the owner id in `og:url` (vk.com/club<N> or /id<N>) or
`data-from-id="-<N>"`, «Страница удалена либо ещё не создана» on 404, «Закрытая группа» /
«Это частное сообщество», «Сообщество заблокировано», outgoing links via /away.php?to=, post
dates in `.rel_date` / `.post_date` / `time[datetime]`, pinned posts with class `post_fixed`, the
«госорганизация» label outside the wall. A /challenge.html redirect or a login form is `error`.
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

NOT_FOUND = ("Страница удалена либо ещё не создана", "Page deleted or not yet created")
BANNED = (
    "Сообщество заблокировано",
    "Данный материал заблокирован на территории Российской Федерации",
    "This community has been blocked",
)
DELETED = ("Сообщество удалено", "This community has been deleted")
CLOSED = ("Закрытая группа", "Это частное сообщество", "Closed group", "Private community")
OWNER_URL = re.compile(r"vk\.(?:com|ru)/(club|public|event|id)(\d+)")


def parse_vk_page(result: FetchResult, url: str, observed_at: str) -> PageObservation:
    """An observation from the public HTML of one vk.com page (pure: no I/O)."""
    page, done = unreadable(result, "vk", url, observed_at)
    if done:
        return page
    ev = result.evidence
    text = result.text or ""
    if ev.status == 404 or any(m in text for m in NOT_FOUND):
        page.state = "missing"
        return page
    if ev.status != 200 or not result.is_html:
        page.cause, page.detail = "http", f"HTTP {ev.status} {ev.content_type or ''}".strip()
        return page
    soup = BeautifulSoup(text, "lxml")
    title = meta(soup, "og:title") or _title(soup)
    if title is None:
        page.cause = "login_wall" if LOGIN.search(text) else "unparsable"
        return page
    page.name = title
    og_url = meta(soup, "og:url") or ""
    if m := OWNER_URL.search(og_url):
        page.page_id = m.group(2)
        page.kind = "profile" if m.group(1) == "id" else "group"
    elif tag := soup.find(attrs={"data-from-id": re.compile(r"^-?\d+$")}):
        owner = str(tag["data-from-id"])
        page.page_id, page.kind = owner.lstrip("-"), "group" if owner.startswith("-") else "profile"
    if meta(soup, "og:type") == "profile":
        page.kind = "profile"
    page.kind = page.kind or "group"
    plain = soup.get_text(" ", strip=True)
    if any(m in plain for m in BANNED):
        page.state = "banned"
        return page
    if any(m in plain for m in DELETED):
        page.state = "deleted"
        return page
    page.state = "found"
    page.closed = any(m in plain for m in CLOSED)
    posts = soup.select(".post, ._post, [data-post-id]")
    for node in posts:
        node.extract()  # the wall is the page's content, not its header: read it apart
    header = soup.get_text(" ", strip=True)
    page.gov_mark = bool(GOV_LABEL.search(header))
    page.verified = soup.select_one(".verified, .page_verified, [data-verified]") is not None
    desc_node = soup.select_one(".group_info_row.info, .page_description, [data-description]")
    page.description = (
        desc_node.get_text(" ", strip=True) if desc_node else meta(soup, "og:description") or ""
    )
    links = [away_target(a["href"]) for a in soup.find_all("a", href=True)]
    external = [u for u in links if u.startswith("http") and not _vk_host(u)]
    page.links = unique(external)
    site_node = soup.select_one(".group_info_row.site a[href], [data-site] a[href]")
    page.site = away_target(site_node["href"]) if site_node else (external[0] if external else None)
    contacts = " ".join(
        n.get_text(" ", strip=True)
        for n in soup.select(".group_info_row, .page_contacts, .group_contacts")
    )
    page.phones = unique(phones(header))
    page.emails = unique(emails(header))
    addr_node = soup.select_one(".group_info_row.address, .page_address")
    page.addresses = unique(
        [addr_node.get_text(" ", strip=True)]
        if addr_node
        else ([contacts] if has_address(contacts) else [])
    )
    members = soup.select_one(".group_members_count, [data-members]")
    if members and (digits := re.sub(r"\D", "", members.get_text())):
        page.members = int(digits)
    read_posts(page, posts, datetime.fromisoformat(observed_at))
    return page


def _title(soup: BeautifulSoup) -> str | None:
    if soup.title and soup.title.string:
        title = soup.title.string.strip()
        for suffix in (" | VK", " | ВКонтакте", " | VKontakte"):
            if title.endswith(suffix):
                return title[: -len(suffix)].strip()
    return None


def _vk_host(url: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    return host in ("vk.com", "vk.ru", "m.vk.com", "m.vk.ru") or host.endswith(".vk.com")


async def collect_vk_html(
    fetcher: Fetcher, refs: list[PageRef], web_url: str = "https://vk.com/"
) -> dict[str, PageObservation]:
    return await collect_pages(fetcher, refs, web_url, "vk.com", parse_vk_page)
