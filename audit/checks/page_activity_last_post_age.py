"""page.activity.last_post_age — the page publishes: its latest post is recent enough."""

from audit.checks import Check, Outcome, outcome
from audit.checks._activity import msk, unreadable_wall
from audit.checks.legal import LAW_8FZ, POLICY
from audit.model import Entity, Severity, Status
from audit.observations import PageSlot
from audit.policy import Policy


def evaluate(entity: Entity, slot: PageSlot, policy: Policy) -> Outcome:
    if (gate := unreadable_wall(slot)) is not None:
        return gate
    page, ev = slot.page, slot.evidence
    last = page.last_post()
    if last is None:
        return outcome(
            Status.FAIL,
            "На странице нет ни одной записи от имени органа.",
            "The page has no posts by the body.",
            ev,
        )
    days = (page.observed_ts() - last) / 86400
    limits_ru = (
        f"пороги политики проверки: {policy.last_post_warn_days:g} и "
        f"{policy.last_post_fail_days:g} дн."
    )
    limits_en = (
        f"the audit policy's limits: {policy.last_post_warn_days:g} and "
        f"{policy.last_post_fail_days:g} days"
    )
    said_ru = f"Последняя запись — {msk(last)} МСК ({days:.0f} дн. назад; {limits_ru})."
    said_en = f"Latest post {msk(last)} MSK ({days:.0f} days ago; {limits_en})."
    if days > policy.last_post_fail_days:
        return outcome(Status.FAIL, said_ru, said_en, ev)
    if days > policy.last_post_warn_days:
        return outcome(Status.FAIL, said_ru, said_en, ev, Severity.WARNING)
    return outcome(Status.PASS, said_ru, said_en, ev)


CHECK = Check(
    id="page.activity.last_post_age",
    title_ru="Регулярность ведения страницы: давность последней записи",
    title_en="The page is kept up: age of the latest post",
    basis=(LAW_8FZ, POLICY),
    severity=Severity.WARNING,
    remediation_ru="Регулярно публиковать на странице актуальную информацию о деятельности органа.",
    remediation_en="Publish current information about the body's activity on the page regularly.",
    evaluate=evaluate,
    regional=True,
    per_platform=True,
)
