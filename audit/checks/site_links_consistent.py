"""site.links.consistent — the website links the very page the registry declares."""

from audit.checks import Check, Outcome, outcome
from audit.checks._site import unreadable_site
from audit.checks.legal import REGISTRY_DATA
from audit.model import Entity, Severity, Status
from audit.observations import Observations
from audit.pageurls import parse_page_url
from audit.policy import Policy


def evaluate(entity: Entity, obs: Observations, policy: Policy) -> Outcome:
    site = obs.site
    if not entity.pages:
        return outcome(
            Status.NA,
            "Реестр не указывает официальные страницы органа.",
            "The registry declares no official pages for the body.",
        )
    if (gate := unreadable_site(entity, site)) is not None:
        return gate
    ev = site.evidence_ids() + tuple(e for page in obs.pages.values() for e in page.evidence_ids())
    links = site.links()
    matched, mismatched, unresolved = [], [], []
    for platform, declared in sorted(entity.pages.items()):
        found = links.pages(platform, direct_only=True)
        if not found:
            continue  # reported by site.links.<platform>
        if declared in found:
            matched.append(declared)
            continue
        declared_id = obs.identity(declared)
        found_ids = [obs.identity(u) for u in found]
        if declared_id is not None and declared_id in found_ids:
            matched.append(declared)  # the same page under another address
            continue
        if declared_id is not None and all(found_ids):
            mismatched.append((declared, found))
            continue
        declared_ref = parse_page_url(declared)[0]
        comparable = [
            u for u in found if parse_page_url(u)[0].is_numeric == declared_ref.is_numeric
        ]
        if len(comparable) == len(found):
            mismatched.append((declared, found))
        else:
            unresolved.append((declared, found))
    if mismatched:
        ru = "; ".join(f"реестр: {d}, на сайте: {', '.join(f)}" for d, f in mismatched)
        en = "; ".join(f"registry: {d}, website: {', '.join(f)}" for d, f in mismatched)
        # which of the two is right the audit cannot tell: a data-quality finding, unless the
        # policy requires that very platform
        required = any(policy.requires(parse_page_url(d)[0].platform) for d, _ in mismatched)
        return outcome(
            Status.FAIL,
            f"Сайт ссылается не на ту страницу, что указана в реестре ({ru}).",
            f"The website links another page than the registry declares ({en}).",
            ev,
            None if required else Severity.WARNING,
            beyond_minimum=required,
        )
    if unresolved:
        ru = "; ".join(f"{d} и {', '.join(f)}" for d, f in unresolved)
        en = "; ".join(f"{d} vs {', '.join(f)}" for d, f in unresolved)
        return outcome(
            Status.ERROR,
            "Нельзя сопоставить короткое имя и числовой идентификатор: соцсеть "
            f"не сообщила идентификатор страницы ({ru}).",
            f"A screen name and a numeric id cannot be compared: the platform did not "
            f"give the page's id ({en}).",
            ev,
        )
    if matched:
        return outcome(
            Status.PASS,
            f"Сайт ссылается на страницы из реестра: {', '.join(matched)}.",
            f"The website links the registry's pages: {', '.join(matched)}.",
            ev,
        )
    return outcome(
        Status.NA,
        "На сайте нет ссылок на соцсети для сравнения с реестром "
        "(см. site.links.vk / site.links.ok).",
        "The website has no platform links to compare (see site.links.vk/ok).",
        ev,
    )


CHECK = Check(
    id="site.links.consistent",
    title_ru="Совпадение ссылок на сайте с официальными страницами из реестра",
    title_en="Website links point to the registry's official pages",
    basis=(REGISTRY_DATA,),
    severity=Severity.WARNING,
    remediation_ru="Исправить ссылки на сайте так, чтобы они вели на действующие официальные "
    "страницы органа, или уточнить адреса страниц в реестре.",
    remediation_en="Point the website's links to the body's current official pages, or correct "
    "the page addresses in the registry.",
    evaluate=evaluate,
)
