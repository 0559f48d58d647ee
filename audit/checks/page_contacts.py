"""page.contacts — phone and e-mail (and a postal address) are published on the page."""

from audit.checks import Check, Outcome, outcome
from audit.checks.legal import LAW_8FZ, RATING
from audit.model import Entity, Severity, Status
from audit.observations import PageSlot
from audit.policy import Policy


def evaluate(entity: Entity, slot: PageSlot, policy: Policy) -> Outcome:
    page, ev = slot.page, slot.evidence
    have = {"phone": page.phones, "email": page.emails, "address": page.addresses}
    ru = {"phone": "телефон", "email": "адрес электронной почты", "address": "почтовый адрес"}
    missing = [k for k in ("phone", "email") if not have[k]]
    note_ru = "" if page.addresses else " Почтовый адрес не указан."
    note_en = "" if page.addresses else " No postal address."
    if missing:
        return outcome(
            Status.FAIL,
            f"На странице не указаны: {', '.join(ru[k] for k in missing)}.{note_ru}",
            f"The page lacks: {', '.join(missing)}.{note_en}",
            ev,
        )
    shown = ", ".join([*page.phones[:2], *page.emails[:2]])
    return outcome(
        Status.PASS,
        f"Контакты указаны: {shown}.{note_ru}",
        f"Contacts are published: {shown}.{note_en}",
        ev,
    )


CHECK = Check(
    id="page.contacts",
    title_ru="Наличие контактных данных на странице (телефон, электронная почта)",
    title_en="Contact data on the page (phone, e-mail)",
    basis=(LAW_8FZ, RATING),
    severity=Severity.WARNING,
    remediation_ru="Указать в сообществе актуальные телефон, адрес электронной почты и "
    "почтовый адрес органа (блок «Контакты», описание, адрес).",
    remediation_en="Publish the body's current phone, e-mail and postal address on the page "
    "(contacts block, description, address).",
    evaluate=evaluate,
    regional=True,
    per_platform=True,
)
