"""page.gospubliki — the body is connected to the Gosuslugi «Госпаблики» component.

No platform publishes the connection (it is seen only inside Gosuslugi): the region's own list
says it, as the registry's `gospubliki: true|false`. A criterion of the rating (connection
10 %) and of regional rules, not of federal law."""

from audit.checks import Check, Outcome, outcome
from audit.checks.legal import RATING, REGISTRY_DATA
from audit.model import Entity, Severity, Status
from audit.observations import Observations
from audit.policy import Policy


def evaluate(entity: Entity, obs: Observations, policy: Policy) -> Outcome:
    if entity.gospubliki is None:
        return outcome(
            Status.NA,
            "Реестр не указывает подключение к компоненту «Госпаблики»; соцсети его не публикуют.",
            "The registry does not say whether the body is connected to the «Госпаблики» "
            "component; the platforms do not publish it.",
        )
    if entity.gospubliki:
        return outcome(
            Status.PASS,
            "Подключение к компоненту «Госпаблики» есть (по реестру).",
            "Connected to the «Госпаблики» component (as the registry says).",
        )
    return outcome(
        Status.FAIL,
        "Орган не подключён к компоненту «Госпаблики» (по реестру).",
        "The body is not connected to the «Госпаблики» component (as the registry says).",
    )


CHECK = Check(
    id="page.gospubliki",
    title_ru="Подключение к компоненту «Госпаблики» на Госуслугах",
    title_en="Connection to the Gosuslugi «Госпаблики» component",
    basis=(RATING, REGISTRY_DATA),
    severity=Severity.WARNING,
    remediation_ru="Подключить официальные страницы к компоненту «Госпаблики» в личном кабинете "
    "организации на Госуслугах.",
    remediation_en="Connect the official pages to the «Госпаблики» component in the "
    "organisation's Gosuslugi account.",
    evaluate=evaluate,
    regional=True,
    optional=True,
)
