"""Shared reading of the website observation for the site.* checks."""

from __future__ import annotations

from audit.checks import Outcome, outcome
from audit.model import Entity, EntityKind, Status
from audit.observations import SiteObservation

CAUSE_RU = {
    "dns": "доменное имя сайта не существует (DNS)",
    "resolver": "DNS-сервер проверяющего не дал ответа об имени сайта",
    "tls": "ошибка TLS-сертификата сайта",
    "timeout": "сайт не ответил вовремя (таймаут)",
    "connect": "не удалось соединиться с сайтом",
    "redirects": "слишком много перенаправлений (петля переадресации)",
    "too_large": "ответ сайта превышает допустимый размер",
    "protocol": "сайт нарушил протокол HTTP",
    "blocked": "адрес сайта указывает на внутреннюю сеть (запрос запрещён)",
    "invalid_url": "адрес сайта некорректен",
    "not_html": "главная страница сайта не является HTML-страницей",
    "antibot": "вместо сайта получена страница защиты от ботов",
    "access_blocked": "вместо сайта получена страница блокировки доступа",
    "hosting_stub": "вместо сайта получена заглушка хостинга",
    "parked": "домен припаркован или не продлён (страница-заглушка регистратора)",
    "login_wall": "сайт требует входа по паролю",
    "empty": "на странице сайта нет ни текста, ни ссылок: содержимое сайта не получено",
}
CAUSE_EN = {
    "dns": "the site's domain name does not exist (DNS)",
    "resolver": "the auditor's DNS resolver gave no answer about the site's name",
    "tls": "TLS certificate error",
    "timeout": "the site did not answer in time (timeout)",
    "connect": "could not connect to the site",
    "redirects": "too many redirects (redirect loop)",
    "too_large": "the response is over the size limit",
    "protocol": "the site broke the HTTP protocol",
    "blocked": "the site's address points into a private network (request refused)",
    "invalid_url": "the site's address is invalid",
    "not_html": "the home page is not an HTML page",
    "antibot": "an anti-bot interstitial was served instead of the site",
    "access_blocked": "an access-blocking page was served instead of the site",
    "hosting_stub": "a hosting stub was served instead of the site",
    "parked": "the domain is parked or expired (registrar's stub page)",
    "login_wall": "the site asks for a password",
    "empty": "the site's page has neither text nor links: nothing of the site was received",
}
INTERSTITIALS = ("antibot", "access_blocked", "hosting_stub", "parked", "login_wall", "empty")
# Failures that may be the site's own once they repeat: the name does not exist, nothing
# answers, a redirect loop. The others (the auditor's resolver, the SSRF guard, a certificate
# the auditor does not trust, a body over the cap) say nothing about whether the site works.
CONFIRMABLE = frozenset({"dns", "connect", "timeout", "redirects"})
# 4xx answers that usually mean "not for you" (geo-blocking, anti-bot), not "no site".
ACCESS_DENIED = frozenset({401, 403, 407, 429, 451})
VANTAGE_FAULT_RU = {
    "reference_hosts": "из точки проверки не открываются и контрольные сайты (сеть проверяющего "
    "не работает)",
    "burst": "большинство сайтов недоступны из точки проверки с одной и той же сетевой ошибкой",
}
VANTAGE_FAULT_EN = {
    "reference_hosts": "the reference sites cannot be reached from the vantage either (the "
    "auditor's network is down)",
    "burst": "most sites are unreachable from the vantage with the same network error",
}


def site_down(site: SiteObservation) -> bool:
    """The site itself may be down: no answer for a reason that lies with the site, or an
    HTTP error that is not a refusal, seen from a working vantage. Such a failure becomes a
    violation only when confirmed by earlier audits (site.exists)."""
    if site.vantage_fault or site.interstitial:
        return False
    if site.state == "failed":
        return site.cause in CONFIRMABLE
    status = site.status or 0
    return site.state == "fetched" and 400 <= status < 500 and status not in ACCESS_DENIED


def describe_failure(site: SiteObservation) -> tuple[str, str]:
    """Russian and English phrase for why the website could not be read."""
    if site.cause:
        ru, en = CAUSE_RU.get(site.cause, site.cause), CAUSE_EN.get(site.cause, site.cause)
    else:
        ru, en = f"сайт ответил HTTP {site.status}", f"the site answered HTTP {site.status}"
    if site.detail:
        en = f"{en} ({site.detail})"
        if site.interstitial:
            from audit.interstitials import name_ru

            ru = f"{ru} ({name_ru(site.detail)})"
    return ru, en


def unreadable_site(entity: Entity, site: SiteObservation) -> Outcome | None:
    """The outcome for a link check when the site's HTML could not be searched, else None."""
    ev = site.evidence_ids() if site.evidence else ()
    if site.state == "unknown":
        return outcome(
            Status.ERROR,
            "Официальный сайт не указан в реестре: ссылки не проверены.",
            "No official website in the registry: links not checked.",
        )
    if site.state == "none":
        return outcome(
            Status.NA,
            "У органа нет официального сайта (см. проверку site.exists).",
            "The body has no official website (see site.exists).",
        )
    if not site.readable:
        ru, en = describe_failure(site)
        return outcome(
            Status.ERROR,
            f"Не удалось прочитать сайт: {ru}.",
            f"The website could not be read: {en}.",
            ev,
        )
    return None


def is_subordinate(entity: Entity) -> bool:
    return entity.kind is EntityKind.SUBORDINATE_ORGANIZATION
