"""The rule of page.exists.<platform>, one for every platform."""

from __future__ import annotations

from audit.checks import Outcome, clip, outcome
from audit.checks.causes import describe_page_error
from audit.model import Entity, Severity, Status
from audit.observations import Observations
from audit.platforms import get_platform, platforms
from audit.policy import Policy

SOURCE_RU = {"registry": "указана в реестре", "website": "указана на сайте"}
SOURCE_EN = {"registry": "declared in the registry", "website": "linked from the website"}
STATE_RU = {
    "missing": "не существует (страница удалена либо не создана)",
    "deleted": "удалена",
    "banned": "заблокирована соцсетью",
}
STATE_EN = {"missing": "does not exist", "deleted": "was deleted", "banned": "is blocked"}


def page_exists_outcome(
    platform: str, entity: Entity, obs: Observations, policy: Policy
) -> Outcome:
    this = get_platform(platform)
    name, name_en = this.name_ru, this.name_en
    slot = obs.slot(platform)
    others = [
        p.key
        for p in platforms()
        if p.federal and p.key != platform and obs.slot(p.key).page is not None
    ]
    other_live = [p for p in others if obs.slot(p).page.exists]
    # the body may meet the federal minimum (one page of the federal list) elsewhere: a failure
    # here is then the policy's platform rule, or a second page, not a breach of the law; a
    # page outside the list is never the federal minimum
    minimum_elsewhere = not this.federal or any(
        obs.slot(p).page.exists or obs.slot(p).page.state == "error" for p in others
    )
    required = policy.requires(platform)
    if slot.url and slot.page is None:
        return outcome(
            Status.ERROR,
            f"Страница {slot.url} не проверялась: сведения о ней не собраны.",
            f"The page {slot.url} was not checked: nothing was collected about it.",
        )
    if slot.page is None:
        if required and not obs.site.readable:
            # what the website would have linked is unknown: no conclusion about the page
            return outcome(
                Status.ERROR,
                f"Официальная страница в «{name}» неизвестна: реестр её не указывает, а сайт, "
                "где она была бы указана, прочитать не удалось.",
                f"The official {name_en} page is unknown: the registry declares none "
                "and the website that would link it could not be read.",
                obs.site.evidence_ids(),
            )
        if required:
            return outcome(
                Status.FAIL,
                f"Официальная страница в «{name}» не найдена: реестр её не указывает, "
                "сайт на неё не ссылается.",
                f"No official {name_en} page: the registry declares none and the "
                "website links none.",
                obs.site.evidence_ids(),
                beyond_minimum=minimum_elsewhere,
            )
        if not this.federal:
            return outcome(
                Status.NA,
                f"Страница в «{name}» не требуется: федеральный закон её не требует, "
                "политика проверки — тоже.",
                f"A {name_en} page is not required: neither federal law nor the policy "
                "requires it.",
            )
        if other_live or policy.required_platforms() - {platform}:
            return outcome(
                Status.NA,
                f"Страница в «{name}» не требуется политикой аудита: у органа есть страница "
                "в другой соцсети.",
                f"A {name_en} page is not required by the policy: the body has a "
                "page on the other platform.",
            )
        if obs.site.state == "none" and not entity.pages:
            return outcome(
                Status.ERROR,
                "Официальные страницы неизвестны: реестр их не указывает, а сайта, где они "
                "были бы указаны, у органа нет. Укажите страницы в реестре.",
                "Official pages unknown: the registry declares none and the body has no "
                "website that would link them. Declare the pages in the registry.",
            )
        if not obs.site.readable and not entity.pages:
            return outcome(
                Status.ERROR,
                "Официальные страницы неизвестны: реестр их не указывает, а сайт прочитать "
                "не удалось.",
                "Official pages unknown: the registry declares none and the website could "
                "not be read.",
                obs.site.evidence_ids(),
            )
        if others:
            return outcome(
                Status.NA,
                f"Страница в «{name}» не требуется; см. проверку страницы в другой соцсети.",
                f"A {name_en} page is not required; see the other platform's check.",
            )
        return outcome(
            Status.FAIL,
            "Не найдено ни одной официальной страницы органа ни во «ВКонтакте», "
            "ни в «Одноклассниках».",
            "No official page of the body was found on VK or OK.",
            obs.site.evidence_ids(),
        )
    page, ev = slot.page, slot.evidence
    where_ru, where_en = SOURCE_RU.get(slot.source, ""), SOURCE_EN.get(slot.source, "")
    if page.state == "error":
        ru, en = describe_page_error(page)
        return outcome(
            Status.ERROR,
            f"Не удалось проверить страницу {slot.url}: {ru}.",
            f"Could not check the page {slot.url}: {en}.",
            ev,
        )
    if not page.exists:
        said_ru = f"Страница {slot.url} ({where_ru}) {STATE_RU[page.state]}."
        said_en = f"The page {slot.url} ({where_en}) {STATE_EN[page.state]}."
        if minimum_elsewhere and not required:
            why_ru, why_en = (
                (
                    "У органа есть страница в другой соцсети: федеральный минимум — одна страница",
                    "The body has a page on the other platform (the federal minimum is one page)",
                )
                if this.federal
                else (
                    "Страницу здесь федеральный закон не требует",
                    "Federal law does not require a page here",
                )
            )
            return outcome(
                Status.FAIL,
                f"{said_ru} {why_ru}; сведения реестра или сайта об этой странице устарели.",
                f"{said_en} {why_en}: the registry's or website's record of this page is out "
                "of date.",
                ev,
                Severity.WARNING,
            )
        return outcome(Status.FAIL, said_ru, said_en, ev, beyond_minimum=minimum_elsewhere)
    label = f" «{clip(page.name)}»" if page.name else ""
    return outcome(
        Status.PASS,
        f"Страница{label} существует ({slot.url}, {where_ru}; источник: {page.source}).",
        f"The page{label} exists ({slot.url}, {where_en}; source: {page.source}).",
        ev,
    )
