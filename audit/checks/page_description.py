"""page.description — the page describes the body's activity."""

from audit.checks import Check, Outcome, outcome
from audit.checks.legal import PAGE_DEFINITION, POLICY
from audit.model import Entity, Severity, Status
from audit.observations import PageSlot
from audit.policy import Policy


def evaluate(entity: Entity, slot: PageSlot, policy: Policy) -> Outcome:
    page, ev = slot.page, slot.evidence
    text = " ".join((page.description or "").split())
    if len(text) >= policy.description_min_chars:
        return outcome(
            Status.PASS,
            f"Описание есть ({len(text)} знаков).",
            f"A description is present ({len(text)} characters).",
            ev,
        )
    return outcome(
        Status.FAIL,
        f"Описания деятельности нет или оно короче {policy.description_min_chars} знаков "
        f"({len(text)}; порог — политика аудита).",
        f"No description of the body's activity, or shorter than "
        f"{policy.description_min_chars} characters ({len(text)}; threshold is audit policy).",
        ev,
    )


CHECK = Check(
    id="page.description",
    title_ru="Описание деятельности органа на странице",
    title_en="Description of the body's activity on the page",
    basis=(PAGE_DEFINITION, POLICY),
    severity=Severity.WARNING,
    remediation_ru="Заполнить описание сообщества: полное наименование органа, его задачи и "
    "основные направления деятельности.",
    remediation_en="Fill in the community description: the body's full name, its tasks and "
    "main activities.",
    evaluate=evaluate,
    regional=True,
    per_platform=True,
)
