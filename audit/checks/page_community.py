"""page.community — the official page is the body's own community, not a personal profile.

By п. 6 ст. 1 8-FZ an official page is one *created by the body*: a user's personal profile is
not. That a closed community keeps its material from residents is the audit's reading of the
law, not its text: a warning that says so."""

from audit.checks import Check, Outcome, outcome
from audit.checks.legal import PAGE_DEFINITION
from audit.model import Entity, Severity, Status
from audit.observations import PageSlot
from audit.policy import Policy

KIND_RU = {"group": "группа", "page": "публичная страница", "event": "мероприятие"}


def evaluate(entity: Entity, slot: PageSlot, policy: Policy) -> Outcome:
    page = slot.page
    ev = slot.evidence
    if page.is_community is False:
        return outcome(
            Status.FAIL,
            f"{slot.url} — личная страница пользователя, а не сообщество, созданное органом.",
            f"{slot.url} is a user's personal profile, not a community created by the body.",
            ev,
        )
    if page.closed is None:
        return outcome(
            Status.ERROR,
            "Не удалось определить, открыто ли сообщество.",
            "Could not tell whether the community is open.",
            ev,
        )
    if page.closed:
        return outcome(
            Status.FAIL,
            f"Сообщество {slot.url} закрытое: его материалы недоступны гражданам без "
            "вступления (толкование проверки: закон прямо не требует открытого сообщества).",
            f"The community {slot.url} is closed: citizens cannot read it without joining "
            "(the audit's reading: the law does not expressly require an open community).",
            ev,
            Severity.WARNING,
        )
    kind = KIND_RU.get(page.kind or "", "сообщество")
    return outcome(
        Status.PASS,
        f"Открытое сообщество ({kind}).",
        f"An open community ({page.kind or 'community'}).",
        ev,
    )


CHECK = Check(
    id="page.community",
    title_ru="Страница создана органом как сообщество, а не личная страница, и открыта для граждан",
    title_en="The page is a community created by the body, open to citizens",
    basis=(PAGE_DEFINITION,),
    severity=Severity.VIOLATION,
    remediation_ru="Вести официальную страницу как открытое сообщество (группу или публичную "
    "страницу) от имени органа, а не как личную или закрытую страницу.",
    remediation_en="Keep the official page as an open community (group or public page) of "
    "the body, not as a personal or closed page.",
    evaluate=evaluate,
    per_platform=True,
    profile_ok=True,
)
