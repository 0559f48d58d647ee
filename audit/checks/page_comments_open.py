"""page.comments_open — residents can comment the page's posts.

A regional requirement (St Petersburg: heads' pages keep comments open; a regional court held
in 2025 that banning a resident from a mayor's office's official page was unlawful), not a
federal duty. VK's `comments.can_post` speaks of the caller, so it proves comments open, never
closed; a wall switched off (`wall`: 0) leaves nothing to comment. Anything else is "check by
hand"."""

from audit.checks import Check, Outcome, outcome
from audit.checks.legal import RATING
from audit.model import Entity, Severity, Status
from audit.observations import PageSlot
from audit.policy import Policy


def evaluate(entity: Entity, slot: PageSlot, policy: Policy) -> Outcome:
    page, ev = slot.page, slot.evidence
    if page.comments_open:
        return outcome(
            Status.PASS,
            "Комментарии к публикациям страницы открыты.",
            "Comments on the page's posts are open.",
            ev,
        )
    if page.comments_open is False:
        return outcome(
            Status.FAIL,
            "Стена сообщества выключена: жителям негде оставить комментарий.",
            "The community's wall is switched off: residents have nowhere to comment.",
            ev,
        )
    return outcome(
        Status.ERROR,
        "По ответу соцсети нельзя установить, могут ли жители комментировать публикации; "
        "проверьте вручную.",
        "The platform's answer does not show whether residents can comment the posts; "
        "check by hand.",
        ev,
    )


CHECK = Check(
    id="page.comments_open",
    title_ru="Комментарии жителей к публикациям открыты",
    title_en="Residents' comments on posts are open",
    basis=(RATING,),
    severity=Severity.WARNING,
    remediation_ru="Включить стену сообщества и комментарии к записям; не ограничивать жителям "
    "доступ к странице.",
    remediation_en="Switch on the community wall and comments on posts; do not bar residents "
    "from the page.",
    evaluate=evaluate,
    regional=True,
    per_platform=True,
    fact="comments",
    optional=True,
)
