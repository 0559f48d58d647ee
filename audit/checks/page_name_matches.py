"""page.name_matches — the page's name identifies the body (fuzzy match with the registry)."""

from __future__ import annotations

import re

from rapidfuzz import fuzz

from audit.checks import Check, Outcome, clip, outcome
from audit.checks.legal import PAGE_DEFINITION, POLICY
from audit.model import Entity, Severity, Status
from audit.observations import PageSlot
from audit.policy import Policy

# Common long forms and their abbreviations: both sides are reduced to the abbreviation.
ABBREVIATIONS = {
    "муниципальное бюджетное общеобразовательное учреждение": "мбоу",
    "муниципальное автономное общеобразовательное учреждение": "маоу",
    "муниципальное казенное общеобразовательное учреждение": "мкоу",
    "муниципальное бюджетное дошкольное образовательное учреждение": "мбдоу",
    "муниципальное казенное дошкольное образовательное учреждение": "мкдоу",
    "муниципальное бюджетное учреждение культуры": "мбук",
    "муниципальное казенное учреждение": "мку",
    "муниципальное бюджетное учреждение": "мбу",
    "государственное бюджетное учреждение здравоохранения": "гбуз",
    "средняя общеобразовательная школа": "сош",
    "средняя школа": "сош",
    "сельское поселение": "сп",
    "городское поселение": "гп",
    "муниципальный район": "мр",
    "городской округ": "го",
}
NOISE = re.compile(r"[«»\"'“”„.,:;()!?|/\\-]+|№")
GENERIC = {"официальная", "страница", "официальный", "паблик", "группа", "сообщество"}
# Words every body of a kind shares: they say what a body is, not which one. The rest of the
# name (a place, a number) must be found in the page's name.
COMMON = {
    "администрация", "сельского", "городского", "поселения", "муниципального", "района",
    "округа", "городской", "сельское", "городское", "поселение", "район", "округ", "совет",
    "депутатов", "области", "края", "республики", "города", "г", "мр", "сп", "гп", "го", "и",
    "по", "в", "на", "муниципальный", "муниципальное", "учреждение", "мбоу", "маоу", "мкоу",
    "мбдоу", "мкдоу", "мбук", "мку", "мбу", "гбуз", "сош", "управление", "комитет",
    "министерство", "департамент", "отдел", "образования", "культуры",
}  # fmt: skip


def normalise(name: str) -> str:
    text = name.lower().replace("ё", "е")
    text = NOISE.sub(" ", text)
    text = " ".join(text.split())
    for long, short in ABBREVIATIONS.items():
        text = text.replace(long, short)
    return " ".join(w for w in text.split() if w not in GENERIC)


def distinctive_found(page: str, name: str) -> bool:
    """Every distinctive word of the name (a place, a number) is in the page name, allowing
    for Russian endings (Хорошего ~ Хорошее)."""
    words = page.split()
    for token in (t for t in name.split() if t not in COMMON):
        if token.isdigit():
            if token not in words:
                return False
        elif not any(fuzz.ratio(token, w) >= 75 for w in words):
            return False
    return True


def similarity(page_name: str, names: list[str]) -> int:
    """Best 0..100 similarity of the page name with any of the body's names (0 when a
    distinctive word of that name is missing from the page name)."""
    page = normalise(page_name)
    best = 0.0
    for name in names:
        ref = normalise(name)
        if not page or not ref or not distinctive_found(page, ref):
            continue
        best = max(best, fuzz.token_set_ratio(page, ref), fuzz.token_sort_ratio(page, ref))
    return round(best)


def evaluate(entity: Entity, slot: PageSlot, policy: Policy) -> Outcome:
    page, ev = slot.page, slot.evidence
    if not page.name:
        return outcome(
            Status.ERROR,
            "Название страницы не получено.",
            "The page's name was not obtained.",
            ev,
        )
    names = [entity.name, *([entity.short_name] if entity.short_name else [])]
    score = similarity(page.name, names)
    shown = clip(page.name)
    if score >= policy.name_match_min:
        return outcome(
            Status.PASS,
            f"Название «{shown}» соответствует органу (сходство {score}%).",
            f"The name «{shown}» identifies the body (similarity {score}%).",
            ev,
        )
    return outcome(
        Status.FAIL,
        f"Название «{shown}» не позволяет узнать орган «{clip(entity.name)}» "
        f"(сходство {score}% < {policy.name_match_min}%, порог — политика аудита).",
        f"The name «{shown}» does not identify «{clip(entity.name)}» "
        f"(similarity {score}% < {policy.name_match_min}%, threshold is audit policy).",
        ev,
    )


CHECK = Check(
    id="page.name_matches",
    title_ru="Соответствие названия страницы наименованию органа",
    title_en="The page's name identifies the body",
    basis=(PAGE_DEFINITION, POLICY),
    severity=Severity.WARNING,
    remediation_ru="Назвать страницу полным или сокращённым официальным наименованием органа.",
    remediation_en="Name the page with the body's full or short official name.",
    evaluate=evaluate,
    regional=True,
    per_platform=True,
)
