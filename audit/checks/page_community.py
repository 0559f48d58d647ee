"""page.community — the official page is an open community, not a personal or closed page."""

from audit.checks import Check, Outcome, outcome
from audit.checks.legal import LAW_8FZ
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
            f"{slot.url} — личная страница пользователя, а не сообщество органа.",
            f"{slot.url} is a personal user profile, not the body's community.",
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
            f"Сообщество {slot.url} закрытое: его материалы недоступны гражданам без вступления.",
            f"The community {slot.url} is closed: citizens cannot read it without joining.",
            ev,
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
    title_ru="Страница — открытое сообщество органа",
    title_en="The page is an open community",
    legal_basis=LAW_8FZ,
    severity=Severity.VIOLATION,
    remediation_ru="Вести официальную страницу как открытое сообщество (группу или публичную "
    "страницу) от имени органа, а не как личную или закрытую страницу.",
    remediation_en="Keep the official page as an open community (group or public page) of "
    "the body, not as a personal or closed page.",
    evaluate=evaluate,
    per_platform=True,
    profile_ok=True,
)
