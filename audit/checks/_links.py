"""Shared logic of site.links.vk and site.links.ok: one rule, two platforms."""

from __future__ import annotations

from audit.checks import Outcome, outcome
from audit.checks._site import unreadable_site
from audit.model import Entity, Severity, Status
from audit.observations import Observations
from audit.policy import Policy

NAMES = {"vk": "ВКонтакте", "ok": "Одноклассники"}
OTHER = {"vk": "ok", "ok": "vk"}


def site_links_outcome(platform: str, entity: Entity, obs: Observations, policy: Policy) -> Outcome:
    site = obs.site
    if (gate := unreadable_site(entity, site)) is not None:
        return gate
    ev = site.evidence_ids()
    links = site.links()
    name = NAMES[platform]
    direct = links.pages(platform, direct_only=True)
    if direct:
        shown = ", ".join(direct[:5])
        return outcome(
            Status.PASS,
            f"На сайте есть ссылка на страницу «{name}»: {shown}.",
            f"The website links a {platform.upper()} page: {shown}.",
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
        f"{platform.upper()} page.{note_en}"
    )
    declared = entity.pages.get(platform)
    if declared:
        missing_ru += f" Реестр указывает страницу {declared}."
        missing_en += f" The registry declares {declared}."
    other = OTHER[platform]
    links_other = bool(links.pages(other, direct_only=True))
    if policy.requires(platform):
        # with a link to the other platform's page the site meets the federal minimum
        return outcome(Status.FAIL, missing_ru, missing_en, ev, beyond_minimum=links_other)
    if declared and links_other:
        return outcome(
            Status.FAIL,
            f"{missing_ru} Сайт ссылается на страницу в «{NAMES[other]}» (федеральный "
            "минимум — одна страница).",
            f"{missing_en} The website links a {other.upper()} page (the federal minimum is "
            "one page).",
            ev,
            Severity.WARNING,
        )
    if policy.platforms == other and not declared and not links_other:
        return outcome(
            Status.NA,
            f"Страница в «{name}» не требуется политикой проверки (она требует страницу "
            f"в «{NAMES[other]}»).",
            f"A {platform.upper()} page is not required by the policy (it requires a "
            f"{other.upper()} page).",
            ev,
        )
    if links_other:
        return outcome(
            Status.NA,
            f"Страница в «{name}» не требуется политикой аудита: "
            f"на сайте есть ссылка на страницу в «{NAMES[other]}».",
            f"A {platform.upper()} page is not required by the policy: the site links "
            f"a {other.upper()} page.",
            ev,
        )
    return outcome(
        Status.FAIL,
        missing_ru + " Нет ссылок и на другие официальные страницы.",
        missing_en + " There are no links to other official pages either.",
        ev,
    )
