"""Shared reading of the website observation for the site.* checks."""

from __future__ import annotations

from audit.checks import Outcome, outcome
from audit.model import Entity, EntityKind, Status
from audit.observations import SiteObservation

CAUSE_RU = {
    "dns": "доменное имя сайта не разрешается (DNS)",
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
}
CAUSE_EN = {
    "dns": "the site's domain name does not resolve (DNS)",
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
}
INTERSTITIALS = ("antibot", "access_blocked", "hosting_stub", "parked", "login_wall")


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
