"""Shared reading of the website observation for the site.* checks."""

from __future__ import annotations

from audit.checks import Outcome, outcome
from audit.checks.causes import CAUSE_EN, CAUSE_RU
from audit.model import Entity, EntityKind, Status
from audit.observations import SiteObservation

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
        ru = f"сайт ответил кодом {site.status}"
        en = f"the site answered HTTP {site.status}"
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
