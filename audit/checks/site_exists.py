"""site.exists — the body has an official website that answers.

One failed night is no evidence that a body has no website: a site that does not answer (or
answers 404) is `error` "not confirmed" until it fails in `site_down_confirm_runs` audits in
a row spanning `site_down_confirm_hours` (policy), from a vantage that was working each time.
"""

from datetime import datetime

from audit.checks import Check, Outcome, outcome
from audit.checks._site import (
    ACCESS_DENIED,
    VANTAGE_FAULT_EN,
    VANTAGE_FAULT_RU,
    describe_failure,
    is_subordinate,
    site_down,
)
from audit.checks.legal import OFFICIAL_SITE
from audit.model import Entity, Severity, Status
from audit.observations import Observations, SiteObservation
from audit.policy import Policy
from audit.rudates import format_msk


def evaluate(entity: Entity, obs: Observations, policy: Policy) -> Outcome:
    site = obs.site
    ev = site.evidence_ids()
    if site.state == "unknown":
        return outcome(
            Status.ERROR,
            "Сайт неизвестен: адрес официального сайта не указан в реестре.",
            "Website unknown: the registry gives no official website.",
        )
    if site.state == "none":
        if is_subordinate(entity):
            return outcome(
                Status.NA,
                "Сайта нет; подведомственная организация создаёт сайт по решению учредителя.",
                "No website; a subordinate organisation creates one when its founder decides so.",
            )
        return outcome(
            Status.FAIL, "У органа нет официального сайта.", "The body has no official website."
        )
    ru, en = describe_failure(site)
    if site.interstitial:
        return outcome(
            Status.ERROR,
            f"Не удалось проверить сайт {site.url}: {ru}. Это не вывод о сайте органа: "
            "страница-заглушка стоит между аудитором и сайтом.",
            f"Could not check the website {site.url}: {en}. This is no finding about the "
            "body's site: a stub page stands between the auditor and the site.",
            ev,
        )
    if site.vantage_fault:
        return outcome(
            Status.ERROR,
            f"Не удалось проверить сайт {site.url}: {ru}. Проблема на стороне проверяющего: "
            f"{VANTAGE_FAULT_RU.get(site.vantage_fault, site.vantage_fault)}. "
            "Это не вывод о сайте органа.",
            f"Could not check the website {site.url}: {en}. The problem is on the auditor's "
            f"side: {VANTAGE_FAULT_EN.get(site.vantage_fault, site.vantage_fault)}. This is "
            "no finding about the body's site.",
            ev,
        )
    status = site.status or 0
    if site.state == "fetched" and 200 <= status < 300:
        return outcome(
            Status.PASS,
            f"Сайт {site.final_url} отвечает (код ответа {status}).",
            f"The website {site.final_url} answers (HTTP {status}).",
            ev,
        )
    if site_down(site):
        return confirmed_down(site, policy, ru, en, ev)
    hint_ru, hint_en = "", ""
    if site.state == "fetched" and (status in ACCESS_DENIED or status >= 500):
        hint_ru = " (возможно, временная ошибка или ограничение доступа)"
        hint_en = " (possibly temporary or access restricted)"
    return outcome(
        Status.ERROR,
        f"Не удалось проверить сайт {site.url}: {ru}{hint_ru}.",
        f"Could not check the website {site.url}: {en}{hint_en}.",
        ev,
    )


def confirmed_down(
    site: SiteObservation, policy: Policy, ru: str, en: str, ev: tuple[str, ...]
) -> Outcome:
    """A site that does not work is a violation only when earlier audits in a row saw the
    same, over the policy's minimum span; until then it is `error`, not confirmed."""
    runs = len(site.down_before) + 1
    first = site.down_before[-1] if site.down_before else None
    seen_at = site.evidence[0].fetched_at if site.evidence else ""
    hours = 0.0
    if first and seen_at:
        hours = (datetime.fromisoformat(seen_at) - datetime.fromisoformat(first)).total_seconds()
        hours /= 3600
    need_runs, need_hours = policy.site_down_confirm_runs, policy.site_down_confirm_hours
    if runs >= need_runs and hours >= need_hours:
        if first is None:
            return outcome(
                Status.FAIL,
                f"Официальный сайт {site.url} недоступен: {ru}.",
                f"The official website {site.url} is unavailable: {en}.",
                ev,
            )
        return outcome(
            Status.FAIL,
            f"Официальный сайт {site.url} недоступен: {ru}. Сайт не работал во всех "
            f"{runs} проверках подряд, начиная с {format_msk(first)}.",
            f"The official website {site.url} is unavailable: {en}. It failed in each of "
            f"{runs} audits in a row since {first}.",
            ev,
            since=first,
        )
    return outcome(
        Status.ERROR,
        f"Сайт {site.url} не работает в этой проверке: {ru}. Нарушение не подтверждено: оно "
        f"фиксируется, когда сайт не работает в {need_runs} проверках подряд на протяжении "
        f"не менее {need_hours:g} ч (политика проверки); сейчас проверок подряд: {runs}.",
        f"The website {site.url} failed in this audit: {en}. Not confirmed: a violation is "
        f"recorded once the site fails in {need_runs} audits in a row spanning at least "
        f"{need_hours:g} h (audit policy); audits in a row now: {runs}.",
        ev,
    )


CHECK = Check(
    id="site.exists",
    title_ru="Наличие и доступность официального сайта",
    title_en="Official website exists and is reachable",
    basis=(OFFICIAL_SITE,),
    severity=Severity.VIOLATION,
    remediation_ru="Восстановить работу официального сайта (домен, TLS-сертификат, хостинг) "
    "или указать в реестре его действующий адрес.",
    remediation_en="Restore the official website (domain, TLS certificate, hosting) or record "
    "its current address in the registry.",
    evaluate=evaluate,
)
