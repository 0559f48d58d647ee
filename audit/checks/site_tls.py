"""site.tls — the official website's certificate is one the auditor's machine trusts.

An untrusted chain (many state sites use the Минцифры «Russian Trusted Root CA», which is not
in every trust store), an expired or mismatched certificate: the site is read anyway over an
unverified connection, so its links still count, and this check names the problem.
"""

from audit.checks import Check, Outcome, outcome
from audit.checks._site import unreadable_site
from audit.checks.legal import POLICY_TLS
from audit.model import Entity, Severity, Status
from audit.observations import Observations
from audit.policy import Policy


def evaluate(entity: Entity, obs: Observations, policy: Policy) -> Outcome:
    site = obs.site
    ev = site.evidence_ids()
    if site.tls_problem and site.state == "fetched":  # read without verifying: say so
        return outcome(
            Status.FAIL,
            f"Сертификат сайта {site.url} не удалось проверить; сайт прочитан без проверки "
            "сертификата. Если сайт подписан сертификатом Национального удостоверяющего "
            "центра Минцифры России, добавьте его корневой сертификат в доверенные на машине "
            "проверки (или укажите его файл в параметрах проверки).",
            f"The certificate of {site.url} could not be verified ({site.tls_problem}); the "
            "site was read without verifying it. If it is signed by the Russian Trusted Root "
            "CA, install that CA on the auditor's machine or give it with --ca-bundle.",
            ev,
        )
    if (gate := unreadable_site(entity, site)) is not None:
        return gate
    if not (site.final_url or site.url or "").startswith("https://"):
        return outcome(
            Status.NA,
            f"Сайт {site.final_url or site.url} открывается без TLS (по HTTP): сертификата нет.",
            f"The website {site.final_url or site.url} is served without TLS (plain HTTP).",
            ev,
        )
    return outcome(
        Status.PASS,
        f"Сертификат сайта {site.final_url} проверен.",
        f"The certificate of {site.final_url} is verified.",
        ev,
    )


CHECK = Check(
    id="site.tls",
    title_ru="Доверенный сертификат официального сайта",
    title_en="The official website's certificate is trusted",
    basis=(POLICY_TLS,),
    severity=Severity.WARNING,
    remediation_ru="Установить на сайт действующий сертификат для его имени от доверенного "
    "удостоверяющего центра (в том числе Минцифры России) и полную цепочку сертификатов.",
    remediation_en="Install a valid certificate for the site's name from a trusted authority "
    "(the Ministry's CA included) with its full chain.",
    evaluate=evaluate,
)
