"""Pages that stand in front of the page we asked for: recognised before any check reads them.

An anti-bot interstitial, a blocking stub of an ISP or the regulator, a hosting stub (account
suspended, default server page), a parked or expired domain, a login wall: none of them says
anything about the body's compliance. The auditor reports them as `error` with the cause named,
never as a violation — a body must not be found in breach because of our network or its
hoster's stub page.

Stub and parking rules fire only on short pages (a real official site says much more), so a
news item quoting «Доступ ограничен» does not turn a site into a stub; and no rule that reads
the page fires on a page with a site's navigation (REAL_PAGE_LINKS links or more): a real
official page that links eais.rkn.gov.ru and cites 149-ФЗ in its footer stays a real page.
A page with no visible text and no link at all is recognised apart (collect.site): whatever
served it, nothing of the body's site was read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from bs4 import BeautifulSoup

SHORT_PAGE = 4000  # visible characters: stubs and interstitials are small
REAL_PAGE_LINKS = 8  # links from which a page is a site's page, whatever words it quotes
LARGE_PAGE = 30_000  # characters of markup beyond which a page is not parsed again here:
# stubs are small, and parsing a 200 KB page twice would double the auditor's CPU per body


@dataclass(frozen=True)
class Interstitial:
    kind: str  # antibot | access_blocked | hosting_stub | parked | login_wall
    name: str  # which one, for the finding's message


@dataclass(frozen=True)
class Rule:
    kind: str
    name: str
    pattern: re.Pattern
    short_only: bool = True  # only on short pages
    where: str = "text"  # text | title | html | url
    hints: tuple[str, ...] = ()  # lower-case words one of which every match holds (a fast
    # test before the pattern runs over 30 KB of markup)

    def hinted(self, lower: str) -> bool:
        """One of the rule's words is in the lower-cased markup (or it has none to test)."""
        return not self.hints or any(h in lower for h in self.hints)


def _re(*alternatives: str) -> re.Pattern:
    return re.compile("|".join(alternatives), re.IGNORECASE)


RULES = (
    Rule("antibot", "VK challenge", _re(r"vk\.(com|ru)/challenge\.html"), False, "url"),
    Rule("antibot", "OK captcha", _re(r"ok\.ru/captcha"), False, "url"),
    Rule("antibot", "DDoS-Guard", _re(r"ddos-guard", r"ddosguard"), True, "html", ("ddos",)),
    Rule(
        "antibot",
        "Cloudflare",
        _re(
            r"cf-browser-verification",
            r"challenge-platform",
            r"cf_chl_opt",
            r"attention required! \| cloudflare",
            r"^just a moment\.\.\.$",
            r"used cloudflare to restrict access",
            r"id=[\"']cf-error-details",
            r"/cdn-cgi/bm/cv/",
            r"__cf\$cv\$params",
        ),
        False,
        "html",
        ("cf", "cloudflare", "just a", "cdn-cgi"),
    ),
    Rule(
        "antibot",
        "Sucuri",
        _re(r"sucuri_cloudproxy", r"sucuri website firewall", r"cloudproxy@sucuri"),
        False,
        "html",
        ("sucuri",),
    ),
    Rule("antibot", "Qrator", _re(r"qrator", r"__qrator"), True, "html", ("qrator",)),
    Rule(
        "antibot",
        "StormWall",
        _re(r"stormwall", r"variti", r"st\.dnsprotect"),
        True,
        "html",
        ("stormwall", "variti", "dnsprotect"),
    ),
    Rule(
        "antibot",
        "redirect script",
        _re(r"^you are being redirected", r"javascript is required\. please enable javascript"),
        True,
        "text",
    ),
    Rule(
        "antibot",
        "browser check",
        _re(
            r"checking your browser before accessing",
            r"проверка (вашего )?браузера",
            r"подтвердите, что вы не робот",
            r"вы не робот\?",
        ),
    ),
    Rule(
        "access_blocked",
        "geo-block",
        _re(
            r"доступ (пользователям )?из (российской федерации|россии|рф) (ограничен|закрыт)",
            r"ограничили доступ к (содержимому|сайту)",
            r"ваш ip-адрес принадлежит",
            r"not available in your (country|region)",
            r"access (from|in) your (country|region) (is|has been) (restricted|blocked|denied)",
        ),
    ),
    Rule(
        "access_blocked",
        "access restricted by an ISP or the regulator",
        _re(
            r"доступ к (запрашиваемому )?ресурсу ограничен",
            r"доступ ограничен",
            r"eais\.rkn\.gov\.ru",
            r"blocklist\.rkn\.gov\.ru",
            r"единый реестр доменных имен",
            r"149-фз",
            r"по решению роскомнадзора",
        ),
    ),
    Rule(
        "hosting_stub",
        "hosting account suspended",
        _re(
            r"account (has been )?suspended",
            r"this account has been suspended",
            r"сайт (временно )?заблокирован",
            r"аккаунт (временно )?заблокирован",
            r"услуга хостинга (приостановлена|отключена)",
            r"хостинг (приостановлен|отключ)",
            r"сайт отключ[её]н за неуплату",
        ),
    ),
    Rule(
        "hosting_stub",
        "default server page",
        _re(
            r"welcome to nginx!",
            r"apache2 (debian|ubuntu) default page",
            r"^it works!$",
            r"iis windows server",
            r"default web site page",
            r"сайт успешно создан",
            r"здесь будет (новый )?сайт",
            r"сайт находится в разработке",
        ),
    ),
    Rule(
        "parked",
        "parked or expired domain",
        _re(
            r"домен (продается|продаётся|припаркован|не делегирован)",
            r"этот домен (продается|продаётся|припаркован)",
            r"domain (is )?for sale",
            r"this domain (is parked|has expired|may be for sale)",
            r"buy this domain",
            r"срок регистрации домена (истек|истёк)",
            r"parking\.reg\.ru",
            r"parking\.nic\.ru",
            r"(данный|этот) домен зарегистрирован",
            r"парковочная страница",
            r"хотите купить (этот )?домен",
            r"домен зарегистрирован (в|через|у) ",
            r"sedoparking",
        ),
    ),
)
LOGIN = _re(r"type=[\"']?password")
TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
NAMES_RU = {
    "access restricted by an ISP or the regulator": "ограничение доступа провайдером или "
    "регулятором",
    "hosting account suspended": "хостинг приостановлен",
    "default server page": "стандартная страница веб-сервера",
    "parked or expired domain": "домен припаркован или не продлён",
    "browser check": "проверка браузера",
    "geo-block": "доступ закрыт для посетителей из России (геоблокировка)",
    "redirect script": "страница-перенаправление, требующая выполнить скрипт",
    "empty page": "на странице нет ни текста, ни ссылок",
    "login form": "форма входа",
}


def name_ru(name: str) -> str:
    return NAMES_RU.get(name, name)


def classify(html: str | None, final_url: str | None = "") -> Interstitial | None:
    """The interstitial this response is, or None for an ordinary page."""
    url = final_url or ""
    for rule in RULES:
        if rule.where == "url" and rule.pattern.search(url):
            return Interstitial(rule.kind, rule.name)
    if not html:
        return None
    if _own_links(html[:LARGE_PAGE], url) >= REAL_PAGE_LINKS:  # a site's page: its navigation
        return None
    if len(html) > LARGE_PAGE:  # stubs are small: only the markup signatures are looked for
        head = html[:LARGE_PAGE]
        lower = head.lower()  # the title is inside the head: its words are in `lower` too
        found = TITLE.search(head)
        title = found.group(1) if found else ""
        for rule in RULES:
            if (
                rule.where == "html"
                and rule.hinted(lower)
                and (rule.pattern.search(head) or (title and rule.pattern.search(title)))
            ):
                return Interstitial(rule.kind, rule.name)
        return None
    soup = BeautifulSoup(html, "lxml")
    title = " ".join(soup.title.get_text().split()) if soup.title else ""
    for tag in soup(["script", "style", "noscript"]):
        tag.extract()
    text = " ".join(soup.get_text(" ").split())
    short = len(text) <= SHORT_PAGE
    for rule in RULES:
        if rule.where == "url" or (rule.short_only and not short):
            continue
        if rule.where == "html":
            hay = [html, title]
        elif rule.where == "title":
            hay = [title]
        else:
            hay = [title, text]
        if any(rule.pattern.search(h) for h in hay if h):
            return Interstitial(rule.kind, rule.name)
    if short and LOGIN.search(html) and len(text) < 600:
        return Interstitial("login_wall", "login form")
    return None


_ANCHOR = re.compile(r"""<a\s[^>]{0,2000}?href\s{0,20}=\s{0,20}["']?([^"'\s>]{0,2000})""", re.I)
_NOT_NAVIGATION = ("#", "javascript:", "mailto:", "tel:")


def _own_links(html: str, url: str) -> int:
    """Links to the site's own pages (relative, or to its host), counted up to
    REAL_PAGE_LINKS: a site's navigation. A registrar's parking page links its registrar."""
    host = urlsplit(url).hostname or ""
    n = 0
    for m in _ANCHOR.finditer(html):
        href = m.group(1).strip()
        if not href or href.lower().startswith(_NOT_NAVIGATION):
            continue
        if "//" in href[:8]:
            try:
                if (urlsplit(href).hostname or "") != host:
                    continue
            except ValueError:
                continue
        n += 1
        if n >= REAL_PAGE_LINKS:
            break
    return n
