"""site.exists — the body has an official website that answers."""

from audit.checks import Check, Outcome, outcome
from audit.checks._site import describe_failure, is_subordinate
from audit.checks.legal import COURTS_LAW, LAW_8FZ_SITE, cite
from audit.model import Entity, Severity, Status
from audit.observations import Observations
from audit.policy import Policy

# No HTTP answer for these causes is a property of the site, not of our vantage point.
SITE_FAULTS = {"dns", "tls", "redirects"}
# 4xx answers that usually mean "not for you" (geo-blocking, anti-bot), not "no site".
ACCESS_DENIED = {401, 403, 407, 429, 451}


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
    if site.state == "failed":
        if site.cause in SITE_FAULTS:
            return outcome(
                Status.FAIL,
                f"Официальный сайт {site.url} недоступен: {ru}.",
                f"The official website {site.url} is unavailable: {en}.",
                ev,
            )
        return outcome(
            Status.ERROR,
            f"Не удалось проверить сайт {site.url}: {ru}.",
            f"Could not check the website {site.url}: {en}.",
            ev,
        )
    status = site.status or 0
    if 200 <= status < 300:
        return outcome(
            Status.PASS,
            f"Сайт {site.final_url} отвечает (HTTP {status}).",
            f"The website {site.final_url} answers (HTTP {status}).",
            ev,
        )
    if status in ACCESS_DENIED or status >= 500 or status < 400:
        return outcome(
            Status.ERROR,
            f"Не удалось проверить сайт {site.url}: {ru} "
            "(возможно, временная ошибка или ограничение доступа).",
            f"Could not check the website {site.url}: {en} "
            "(possibly temporary or access restricted).",
            ev,
        )
    return outcome(
        Status.FAIL,
        f"Официальный сайт {site.url} недоступен: {ru}.",
        f"The official website {site.url} is unavailable: {en}.",
        ev,
    )


CHECK = Check(
    id="site.exists",
    title_ru="Официальный сайт существует и доступен",
    title_en="Official website exists and is reachable",
    legal_basis=cite(LAW_8FZ_SITE, COURTS_LAW),
    severity=Severity.VIOLATION,
    remediation_ru="Восстановить работу официального сайта (домен, TLS-сертификат, хостинг) "
    "или указать в реестре его действующий адрес.",
    remediation_en="Restore the official website (domain, TLS certificate, hosting) or record "
    "its current address in the registry.",
    evaluate=evaluate,
)
