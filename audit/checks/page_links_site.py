"""page.links_site — the page links back to the body's official website."""

from audit.checks import Check, Outcome, clip, outcome
from audit.checks.legal import RATING
from audit.model import Entity, Severity, Status
from audit.observations import PageSlot
from audit.policy import Policy
from audit.urls import same_site


def evaluate(entity: Entity, slot: PageSlot, policy: Policy) -> Outcome:
    page, ev = slot.page, slot.evidence
    if entity.website_none:
        return outcome(
            Status.NA,
            "У органа нет официального сайта.",
            "The body has no official website.",
        )
    if not entity.website:
        return outcome(
            Status.ERROR,
            "Официальный сайт не указан в реестре: обратную ссылку не с чем сравнить.",
            "No official website in the registry: nothing to compare the back-link with.",
            ev,
        )
    official = [entity.website, *([slot.site.final_url] if slot.site.final_url else [])]
    candidates = [u for u in [page.site, *page.links] if u]
    for url in candidates:
        if any(same_site(url, o) for o in official):
            return outcome(
                Status.PASS,
                f"Страница ссылается на официальный сайт: {clip(url)}.",
                f"The page links the official website: {clip(url)}.",
                ev,
            )
    if candidates:
        shown = ", ".join(clip(c, 100) for c in candidates[:3])
        return outcome(
            Status.FAIL,
            f"Страница ссылается не на официальный сайт {entity.website}, а на: {shown}.",
            f"The page links {shown}, not the official website {entity.website}.",
            ev,
        )
    return outcome(
        Status.FAIL,
        f"На странице нет ссылки на официальный сайт {entity.website}.",
        f"The page has no link to the official website {entity.website}.",
        ev,
    )


CHECK = Check(
    id="page.links_site",
    title_ru="Ссылка со страницы на официальный сайт",
    title_en="Link from the page to the official website",
    basis=(RATING,),
    severity=Severity.WARNING,
    remediation_ru="Указать адрес официального сайта в поле «Сайт» (или в ссылках) сообщества.",
    remediation_en="Put the official website's address in the community's 'Website' field "
    "(or its links).",
    evaluate=evaluate,
    regional=True,
    per_platform=True,
)
