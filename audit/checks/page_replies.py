"""page.replies — the page answers residents' comments within the policy's deadline.

Regional rules set answer deadlines (Sakhalin: 24 hours; Crimea: 9 working hours); federal law
sets none. Read through VK's API only (`wall.getComments` with its threads, on the latest posts
residents commented; each costs a place in an `execute` of 25): a comment counts once its
deadline has passed or it has an answer; a comment younger than the deadline and unanswered is
not judged yet."""

from audit.checks import Check, Outcome, outcome
from audit.checks.legal import POLICY, RATING
from audit.model import Entity, Severity, Status
from audit.observations import PageSlot
from audit.policy import Policy


def evaluate(entity: Entity, slot: PageSlot, policy: Policy) -> Outcome:
    page, ev = slot.page, slot.evidence
    if page.replies is None and page.wall_cause == "wall_disabled":
        return outcome(
            Status.NA,
            "Стена сообщества выключена: комментариев, на которые нужно ответить, нет "
            "(см. page.comments_open).",
            "The community's wall is switched off: there are no comments to answer "
            "(see page.comments_open).",
            ev,
        )
    if page.replies is None:
        return outcome(
            Status.ERROR,
            "Ответы страницы на комментарии жителей не прочитаны (аудит читает их только через "
            "программный интерфейс «ВКонтакте»); проверьте вручную.",
            "The page's answers to residents' comments were not read (the audit reads them "
            "through VK's API only); check by hand.",
            ev,
        )
    deadline = policy.reply_deadline_hours * 3600
    now = page.observed_ts()
    judged = [
        (asked, answered)
        for asked, answered in page.replies
        if answered is not None or now - asked >= deadline
    ]
    if not judged:
        return outcome(
            Status.NA,
            "В последних публикациях нет комментариев жителей, срок ответа на которые истёк.",
            "The latest posts hold no residents' comments whose answer is due.",
            ev,
        )
    late = [(a, b) for a, b in judged if b is None or b - a > deadline]
    hours = f"{policy.reply_deadline_hours:g}"
    if not late:
        return outcome(
            Status.PASS,
            f"На все {len(judged)} комментариев жителей страница ответила в течение {hours} ч.",
            f"The page answered all {len(judged)} residents' comments within {hours} h.",
            ev,
        )
    silent = sum(1 for _, b in late if b is None)
    return outcome(
        Status.FAIL,
        f"Из {len(judged)} комментариев жителей без ответа в течение {hours} ч — {len(late)} "
        f"(без ответа вовсе — {silent}; срок — политика проверки).",
        f"Of {len(judged)} residents' comments, {len(late)} were not answered within {hours} h "
        f"({silent} not at all; the deadline is the audit's policy).",
        ev,
    )


CHECK = Check(
    id="page.replies",
    title_ru="Ответы на комментарии жителей в установленный срок",
    title_en="Answers to residents' comments within the deadline",
    basis=(RATING, POLICY),
    severity=Severity.WARNING,
    remediation_ru="Назначить ответственных за ответы жителям и отвечать на комментарии к "
    "публикациям в срок, установленный регионом.",
    remediation_en="Appoint those who answer residents and answer comments on posts within the "
    "region's deadline.",
    evaluate=evaluate,
    regional=True,
    per_platform=True,
    optional=True,
    fact="comments",
)
