"""page.design — the page's design minimum: an avatar of its own, a cover, a description.

A criterion of the rating (design 20 %: avatar 5, description 5, cover 10) and of regional
rules (St Petersburg 2024), not of federal law. A part the platform does not publish leaves
the score unknown: "check by hand", never a failure."""

from audit.checks import Check, Outcome, outcome
from audit.checks.legal import RATING
from audit.model import Entity, Severity, Status
from audit.observations import PageSlot
from audit.policy import Policy

# (fact, weight, Russian name, English name), as the rating's dashboards weigh them
PARTS = (
    ("avatar", 5, "аватар", "avatar"),
    ("description", 5, "описание", "description"),
    ("cover", 10, "обложка", "cover"),
)


def evaluate(entity: Entity, slot: PageSlot, policy: Policy) -> Outcome:
    page, ev = slot.page, slot.evidence
    has = {
        "avatar": page.avatar,
        "cover": page.cover,
        "description": None
        if page.description is None
        else len(" ".join(page.description.split())) >= policy.description_min_chars,
    }
    unknown = [p for p in PARTS if has[p[0]] is None]
    missing = [p for p in PARTS if has[p[0]] is False]
    if unknown:
        known_ru = f" Не хватает: {', '.join(p[2] for p in missing)}." if missing else ""
        known_en = f" Missing: {', '.join(p[3] for p in missing)}." if missing else ""
        return outcome(
            Status.ERROR,
            "Соцсеть не сообщает, есть ли у страницы "
            f"{', '.join(p[2] for p in unknown)}; проверьте оформление вручную.{known_ru}",
            f"The platform does not say whether the page has "
            f"{', '.join(p[3] for p in unknown)}; check the design by hand.{known_en}",
            ev,
        )
    score = round(100 * sum(w for key, w, _, _ in PARTS if has[key]) / sum(p[1] for p in PARTS))
    if not missing:
        return outcome(
            Status.PASS,
            "Оформление полное: аватар, обложка и описание есть (100 %).",
            "The design is complete: avatar, cover and description (100%).",
            ev,
        )
    return outcome(
        Status.FAIL,
        f"Оформление выполнено на {score} %: нет — {', '.join(p[2] for p in missing)}.",
        f"The design is {score}% complete: missing {', '.join(p[3] for p in missing)}.",
        ev,
    )


CHECK = Check(
    id="page.design",
    title_ru="Оформление страницы: аватар, обложка, описание",
    title_en="Page design: avatar, cover, description",
    basis=(RATING,),
    severity=Severity.WARNING,
    remediation_ru="Загрузить аватар (герб или логотип органа) и обложку сообщества, заполнить "
    "описание деятельности.",
    remediation_en="Upload an avatar (the body's emblem or logo) and a community cover, and fill "
    "in the description of the body's activity.",
    evaluate=evaluate,
    regional=True,
    per_platform=True,
    fact="design",
    optional=True,
)
