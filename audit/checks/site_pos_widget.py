"""site.pos_widget — the website carries the ПОС («Решаем вместе») feedback widget."""

from audit.checks import Check, Outcome, outcome
from audit.checks._site import unreadable_site
from audit.checks.legal import RATING
from audit.model import Entity, Severity, Status
from audit.observations import Observations
from audit.policy import Policy


def evaluate(entity: Entity, obs: Observations, policy: Policy) -> Outcome:
    site = obs.site
    if (gate := unreadable_site(entity, site)) is not None:
        return gate
    ev = site.evidence_ids()
    if site.pos.found:
        wid = f", идентификатор {site.pos.widget_id}" if site.pos.widget_id else ""
        wid_en = f", id {site.pos.widget_id}" if site.pos.widget_id else ""
        sigs = ", ".join(site.pos.signatures)
        return outcome(
            Status.PASS,
            f"Виджет ПОС найден ({sigs}{wid}).",
            f"POS widget found ({sigs}{wid_en}).",
            ev,
        )
    return outcome(
        Status.FAIL,
        "Виджет Платформы обратной связи (ПОС) на сайте не найден.",
        "No Feedback Platform (POS) widget on the website.",
        ev,
    )


CHECK = Check(
    id="site.pos_widget",
    title_ru="Наличие на сайте виджета Платформы обратной связи («Решаем вместе»)",
    title_en="Website carries the POS feedback widget",
    basis=(RATING,),
    severity=Severity.WARNING,  # a rating criterion; a federal duty per body is not verified
    remediation_ru="Разместить на сайте виджет Платформы обратной связи (код из личного кабинета "
    "ПОС на Госуслугах).",
    remediation_en="Place the Feedback Platform widget on the website (code from the POS "
    "cabinet on Gosuslugi).",
    evaluate=evaluate,
    regional=True,
)
