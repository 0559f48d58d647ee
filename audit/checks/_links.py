"""The rule of site.links.<platform>, one for every platform."""

from __future__ import annotations

from audit.checks import Outcome, outcome
from audit.checks._site import unreadable_site
from audit.model import Entity, Severity, Status
from audit.observations import Observations
from audit.platforms import get_platform, platforms
from audit.policy import Policy


def quoted(keys: list[str], lang: str) -> str:
    if lang == "ru":
        return ", ".join(f"«{get_platform(k).name_ru}»" for k in keys)
    return ", ".join(get_platform(k).name_en for k in keys)


def site_links_outcome(platform: str, entity: Entity, obs: Observations, policy: Policy) -> Outcome:
    site = obs.site
    if (gate := unreadable_site(entity, site)) is not None:
        return gate
    ev = site.evidence_ids()
    links = site.links()
    this = get_platform(platform)
    name, name_en = this.name_ru, this.name_en
    direct = links.pages(platform, direct_only=True)
    if direct:
        shown = ", ".join(direct[:5])
        return outcome(
            Status.PASS,
            f"На сайте есть ссылка на страницу «{name}»: {shown}.",
            f"The website links a {name_en} page: {shown}.",
            ev,
        )
    content = links.pages(platform)
    note_ru = note_en = ""
    if content:
        note_ru = f" Есть только ссылки на отдельные публикации ({', '.join(content[:3])})."
        note_en = f" Only links to single posts were found ({', '.join(content[:3])})."
    pages_read = len(site.pages_read)
    missing_ru = (
        f"На сайте (просмотрено страниц: {pages_read}) нет ссылки на официальную "
        f"страницу в «{name}».{note_ru}"
    )
    missing_en = (
        f"The website ({pages_read} page(s) read) has no link to an official "
        f"{name_en} page.{note_en}"
    )
    declared = entity.pages.get(platform)
    if declared:
        missing_ru += f" Реестр указывает страницу {declared}."
        missing_en += f" The registry declares {declared}."
    # the federal minimum is one page of the federal list: a link to another one meets it
    # (a page outside the list never counts toward it)
    others = [p.key for p in platforms() if p.federal and p.key != platform]
    linked_others = [o for o in others if links.pages(o, direct_only=True)]
    if policy.requires(platform):
        beyond = bool(linked_others) or not this.federal
        return outcome(Status.FAIL, missing_ru, missing_en, ev, beyond_minimum=beyond)
    if declared and (linked_others or not this.federal):
        said_ru = (
            f" Сайт ссылается на страницу в {quoted(linked_others, 'ru')} (федеральный "
            "минимум — одна страница)."
            if linked_others
            else " Федеральный закон страницу на этой площадке не требует."
        )
        said_en = (
            f" The website links a {quoted(linked_others, 'en')} page (the federal minimum is "
            "one page)."
            if linked_others
            else " Federal law does not require a page on this platform."
        )
        return outcome(
            Status.FAIL, missing_ru + said_ru, missing_en + said_en, ev, Severity.WARNING
        )
    required_others = sorted(policy.required_platforms() - {platform})
    if required_others and not declared and not linked_others:
        return outcome(
            Status.NA,
            f"Страница в «{name}» не требуется политикой проверки (она требует страницу "
            f"в {quoted(required_others, 'ru')}).",
            f"A {name_en} page is not required by the policy (it requires a "
            f"{quoted(required_others, 'en')} page).",
            ev,
        )
    if linked_others or not this.federal:
        where_ru = (
            f"на сайте есть ссылка на страницу в {quoted(linked_others, 'ru')}"
            if linked_others
            else "федеральный закон страницу на этой площадке не требует"
        )
        where_en = (
            f"the site links a {quoted(linked_others, 'en')} page"
            if linked_others
            else "federal law does not require a page on this platform"
        )
        return outcome(
            Status.NA,
            f"Страница в «{name}» не требуется политикой аудита: {where_ru}.",
            f"A {name_en} page is not required by the policy: {where_en}.",
            ev,
        )
    return outcome(
        Status.FAIL,
        missing_ru + " Нет ссылок и на другие официальные страницы.",
        missing_en + " There are no links to other official pages either.",
        ev,
    )
