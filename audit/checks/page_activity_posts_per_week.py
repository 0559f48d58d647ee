"""page.activity.posts_per_week — how often the page publishes (over the last 30 days)."""

from audit.checks import Check, Outcome, outcome
from audit.checks._activity import unreadable_wall
from audit.checks.legal import LAW_8FZ, POLICY
from audit.model import Entity, Severity, Status
from audit.observations import PageSlot
from audit.policy import Policy
from audit.russian import count, number

WINDOW = 30  # days


def posts_ru(n: int) -> str:
    return count(n, "запись", "записи", "записей")


def threshold_ru(need: float) -> str:
    return f"{need:g}".replace(".", ",")


def evaluate(entity: Entity, slot: PageSlot, policy: Policy) -> Outcome:
    if (gate := unreadable_wall(slot)) is not None:
        return gate
    page, ev = slot.page, slot.evidence
    need = policy.min_posts_per_week
    posted = page.posts_within(WINDOW)
    if posted is None:
        # Only the latest posts are known (a public page, or a very busy wall): measure the
        # rate over the span they cover (when at least a week's quota is visible); it can show
        # the policy is met, never that it is not.
        seen = page.posts_at_least(WINDOW)
        span = max(1.0, (page.observed_ts() - (page.posts_cover_from or 0)) / 86400)
        if seen >= need and seen * 7 / min(span, WINDOW) >= need:
            rate = seen * 7 / min(span, WINDOW)
            return outcome(
                Status.PASS,
                f"{posts_ru(seen)} за последние {min(span, WINDOW):.0f} дн. — "
                f"{number(rate)} в неделю (порог политики аудита: {threshold_ru(need)} в неделю).",
                f"{seen} posts in the last {min(span, WINDOW):.0f} days: {rate:.1f} a week "
                f"(audit policy: {need:g} a week).",
                ev,
            )
        return outcome(
            Status.ERROR,
            f"Видно только {posts_ru(seen)} за {WINDOW} дней: публичная страница показывает "
            "не все записи, частоту публикаций установить нельзя.",
            f"Only {seen} posts in {WINDOW} days are visible: the public page does not "
            "show them all, the posting rate cannot be established.",
            ev,
        )
    rate = posted * 7 / WINDOW
    said_ru = (
        f"{posts_ru(posted)} за {WINDOW} дней — {number(rate)} в неделю "
        f"(порог политики аудита: {threshold_ru(need)} в неделю)."
    )
    said_en = f"{posted} posts in {WINDOW} days: {rate:.1f} a week (audit policy: {need:g} a week)."
    return outcome(Status.PASS if rate >= need else Status.FAIL, said_ru, said_en, ev)


CHECK = Check(
    id="page.activity.posts_per_week",
    title_ru="Частота публикаций (записей в неделю)",
    title_en="Posting rate (posts a week)",
    basis=(LAW_8FZ, POLICY),
    severity=Severity.WARNING,
    remediation_ru="Публиковать записи чаще: региональные регламенты и рейтинг Минцифры "
    "ориентируются на три и более записи в неделю.",
    remediation_en="Post more often: regional rules and the ministry's rating expect three or "
    "more posts a week.",
    evaluate=evaluate,
    regional=True,
    per_platform=True,
)
