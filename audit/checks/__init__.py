"""The check catalogue: one module per check, each defining `CHECK = Check(...)`.

A check is a pure function of an entity, its observations and the policy; it never touches the
network, so a test is a few lines of data. Platforms come from `audit.platforms`, never from a
check's own list, in one of two ways:
- a per-platform check (`per_platform=True`) is one check run for every platform: it reads one
  `PageSlot` and never knows which platform it reads; it sees only pages that exist (missing
  pages are page.exists.<platform>'s business, unreadable ones become `error` here); its
  findings are keyed `<id>[<platform>]`;
- a platform family (`family=True`: page.exists, site.links) becomes one check per platform
  with the platform's key in its id (`page.exists.vk`): the check is about the body as a whole
  and one platform in it; its title and remediation are templates (`{in_ru}`, `{name_en}`) and
  its `evaluate` takes the platform's key first.
The module name is the check id with dots replaced by underscores (site_links.py → `site.links`);
the catalogue verifies that at load.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from functools import cache, partial

from audit.checks.causes import describe_page_error
from audit.checks.legal import (
    BASIS_KIND_TITLES,
    FINDING_POLICY,
    FINDING_REGION,
    POLICY_PLATFORM,
    LegalBasis,
    for_court,
    joined,
    weakest,
)
from audit.model import ALL_KINDS, Entity, EntityKind, Finding, Severity, Status
from audit.observations import Observations, PageSlot
from audit.platforms import Platform, get_platform, name_en, name_ru, platform_keys, platforms
from audit.policy import Policy

CATALOGUE_VERSION = "2"  # 2: bases by kind; policy-number and registry findings are warnings


@dataclass(frozen=True)
class Outcome:
    status: Status
    message_ru: str
    message_en: str
    evidence: tuple[str, ...] = ()
    severity: Severity | None = None  # overrides the check's severity (graded thresholds)
    since: str | None = None  # a failure known to have begun earlier than this run (UTC ISO)
    # The failure rests on the policy's platform rule (`platforms: both | vk | ok`), not on the
    # federal minimum of one page: a warning unless the policy names the regional act.
    beyond_minimum: bool = False


def outcome(
    status: Status,
    ru: str,
    en: str,
    evidence: tuple[str, ...] = (),
    severity: Severity | None = None,
    since: str | None = None,
    beyond_minimum: bool = False,
) -> Outcome:
    return Outcome(status, ru, en, evidence, severity, since, beyond_minimum)


def clip(text: str | None, limit: int = 160) -> str:
    """Text written by others (page names, links), cut to a sensible length for a message."""
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def page_gate(slot: PageSlot, profile_ok: bool) -> Outcome | None:
    """The outcome when a per-platform check has no readable community page, else None."""
    page = slot.page
    if page is None and slot.url:
        return outcome(
            Status.ERROR,
            f"Страница {slot.url} не проверялась: сведения о ней не собраны.",
            f"The page {slot.url} was not checked: nothing was collected about it.",
        )
    if page is None:
        return outcome(
            Status.NA,
            f"Нет официальной страницы в «{name_ru(slot.platform)}» для проверки "
            f"(см. page.exists.{slot.platform}).",
            f"No official {name_en(slot.platform)} page to check "
            f"(see page.exists.{slot.platform}).",
        )
    ev = page.evidence_ids()
    if page.state == "error":
        ru, en = describe_page_error(page)
        return outcome(
            Status.ERROR,
            f"Не удалось прочитать страницу {slot.url}: {ru}.",
            f"The page {slot.url} could not be read: {en}.",
            ev,
        )
    if not page.exists:
        return outcome(
            Status.NA,
            f"Страница {slot.url} недоступна (см. page.exists.{slot.platform}).",
            f"The page {slot.url} is not available (see page.exists.{slot.platform}).",
            ev,
        )
    if page.is_community is False and not profile_ok:
        return outcome(
            Status.NA,
            f"{slot.url} — личная страница, а не сообщество (см. page.community).",
            f"{slot.url} is a personal profile, not a community (see page.community).",
            ev,
        )
    return None


def _lacking(platform: str) -> Outcome:
    where = get_platform(platform).in_ru
    return outcome(
        Status.NA,
        f"{where[0].upper()}{where[1:]} этого нет: проверка к таким страницам не применяется.",
        f"{name_en(platform)} has no such thing: the check does not apply to its pages.",
    )


@dataclass(frozen=True)
class Check:
    """`basis`: what the requirement rests on (see checks.legal; courts are held to their own
    law instead of 8-FZ). `regional`: the requirement is a number or a rating criterion that
    federal law does not set: a failure is a warning, unless the policy names the regional act
    that sets it (`regional_act`, `regional_requirements`), and then a violation of that act."""

    id: str
    title_ru: str
    title_en: str
    basis: tuple[LegalBasis, ...]
    severity: Severity
    remediation_ru: str
    remediation_en: str
    evaluate: Callable[..., Outcome]  # (entity, obs | slot, policy) -> Outcome
    applies_to: frozenset[EntityKind] = field(default=ALL_KINDS)
    per_platform: bool = False  # evaluate(entity, PageSlot, policy), once per platform
    profile_ok: bool = False  # per-platform: also evaluated for a personal profile
    platform: str | None = None  # the one platform a whole-body check is about
    regional: bool = False
    family: bool = False  # one check per platform, `<id>.<platform>` (see the module's doc)
    family_id: str | None = None  # in a check made from a family: the family's id
    # A rating or regional criterion beyond the default checks: run only when the policy lists
    # it in `criteria` (a platform may not publish what it reads, see the module's doc)
    optional: bool = False
    # per-platform: the fact it reads, which a platform may have no notion of (Platform.lacks)
    fact: str | None = None

    def for_platform(self, platform: Platform) -> Check:
        """The family's check about one platform. A platform outside the federal list is
        required only by a policy or a regional act: its failures are warnings there unless
        a regional act sets the platform rule."""
        forms = {"in_ru": platform.in_ru, "name_ru": platform.name_ru, "name_en": platform.name_en}
        return replace(
            self,
            id=f"{self.id}.{platform.key}",
            title_ru=self.title_ru.format(**forms),
            title_en=self.title_en.format(**forms),
            remediation_ru=self.remediation_ru.format(**forms),
            remediation_en=self.remediation_en.format(**forms),
            evaluate=partial(self.evaluate, platform.key),
            platform=platform.key,
            family=False,
            family_id=self.id,
            **(
                {}
                if platform.federal
                else {"basis": (POLICY_PLATFORM,), "severity": Severity.WARNING}
            ),
        )

    @property
    def about_pages(self) -> bool:
        return self.id.startswith("page.")

    @property
    def needs_pages(self) -> bool:
        """About the body's pages, or the website's links to them."""
        return self.about_pages or self.id.startswith("site.links")

    def basis_for(self, kind: EntityKind) -> tuple[LegalBasis, ...]:
        return for_court(self.basis) if kind is EntityKind.COURT else self.basis

    def run(self, entity: Entity, obs: Observations, policy: Policy) -> list[Finding]:
        if self.optional and self.id not in policy.criteria:
            return []
        if not self.per_platform:
            return [
                self._finding(
                    entity, self.platform, policy, lambda: self.evaluate(entity, obs, policy)
                )
            ]
        findings = []
        for platform in platform_keys():
            slot = obs.slot(platform)
            if self.fact in get_platform(platform).lacks:
                findings.append(
                    self._finding(entity, platform, policy, partial(_lacking, platform))
                )
                continue
            findings.append(
                self._finding(
                    entity,
                    platform,
                    policy,
                    lambda slot=slot: (
                        page_gate(slot, self.profile_ok) or self.evaluate(entity, slot, policy)
                    ),
                )
            )
        return findings

    def _finding(
        self,
        entity: Entity,
        platform: str | None,
        policy: Policy,
        evaluate: Callable[[], Outcome],
    ) -> Finding:
        if entity.kind not in self.applies_to:
            result = outcome(
                Status.NA,
                "Не применяется к органам этого вида.",
                "Does not apply to bodies of this kind.",
            )
        elif entity.covered_by and self.about_pages:
            result = outcome(
                Status.NA,
                f"Официальную страницу органа ведёт {entity.covered_by} (общая страница, "
                "указана в реестре): она проверяется в его результатах.",
                f"The body's official page is kept by {entity.covered_by} (a joint page, as "
                "the registry says): it is checked in that body's results.",
            )
        elif entity.pages_exempt and self.needs_pages:
            result = outcome(
                Status.NA,
                "Орган не ведёт официальных страниц; основание указано в реестре: "
                f"{clip(entity.pages_exempt, 300)}.",
                "The body keeps no official pages; the registry states the basis: "
                f"{clip(entity.pages_exempt, 300)}.",
            )
        else:
            try:
                result = evaluate()
            except Exception as exc:  # a bug in one check must not stop the audit
                result = outcome(
                    Status.ERROR,
                    f"Внутренняя ошибка проверки: {type(exc).__name__}",
                    f"Internal check error: {type(exc).__name__}: {exc}",
                )
        severity, basis = result.severity or self.severity, None
        requirement = "platforms" if result.beyond_minimum else self.id if self.regional else None
        if result.status is Status.FAIL and requirement is not None:
            if policy.sets_regionally(requirement):
                severity = result.severity or Severity.VIOLATION
                basis = FINDING_REGION if severity is Severity.VIOLATION else None
            else:
                severity = Severity.INFO if severity is Severity.INFO else Severity.WARNING
                basis = FINDING_POLICY
        return Finding(
            entity.id,
            self.id,
            result.status,
            severity,
            result.message_ru,
            result.message_en,
            result.evidence,
            platform,
            result.since,
            basis,
        )

    def to_json(self) -> dict:
        court = for_court(self.basis)
        kind = weakest(self.basis)
        return {
            "id": self.id,
            "title_ru": self.title_ru,
            "title_en": self.title_en,
            "legal_basis_ru": joined(self.basis, "ru"),
            "legal_basis_en": joined(self.basis, "en"),
            "basis_kind": kind.value,
            "basis_kind_ru": BASIS_KIND_TITLES[kind][0],
            "basis": [b.to_json() for b in self.basis],
            **(
                {
                    "legal_basis_court_ru": joined(court, "ru"),
                    "legal_basis_court_en": joined(court, "en"),
                }
                if court != self.basis
                else {}
            ),
            "regional": self.regional,
            "severity": self.severity.value,
            "remediation_ru": self.remediation_ru,
            "remediation_en": self.remediation_en,
            "applies_to": sorted(k.value for k in self.applies_to),
            "per_platform": self.per_platform,
            "platform": self.platform,
            "family": self.family_id,
            "optional": self.optional,
        }


def catalogue() -> tuple[Check, ...]:
    """All checks, in id order, a family's for each registered platform."""
    return _catalogue(platform_keys())


@cache
def _catalogue(keys: tuple[str, ...]) -> tuple[Check, ...]:
    checks = []
    for check in _declared():
        checks.extend([check.for_platform(p) for p in platforms()] if check.family else [check])
    return tuple(sorted(checks, key=lambda c: c.id))


@cache
def _declared() -> tuple[Check, ...]:
    """The checks as their modules declare them; each module's file name must match its id."""
    checks = []
    for info in pkgutil.iter_modules(__path__):
        if info.name in ("legal", "causes") or info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        check = getattr(module, "CHECK", None)
        if not isinstance(check, Check):
            raise RuntimeError(f"check module {info.name} defines no CHECK")
        if check.id.replace(".", "_") != info.name:
            raise RuntimeError(f"check id {check.id!r} does not match module {info.name}")
        if not check.basis or not check.remediation_ru.strip():
            raise RuntimeError(f"check {check.id} lacks a legal basis or remediation")
        checks.append(check)
    return tuple(checks)


def in_force(criteria: Iterable[str] = ()) -> tuple[Check, ...]:
    """The checks a run under a policy with these `criteria` runs (what its reports list)."""
    enabled = set(criteria)
    return tuple(c for c in catalogue() if not c.optional or c.id in enabled)


def optional_criteria() -> tuple[str, ...]:
    """What a policy's `criteria` may enable."""
    return tuple(c.id for c in catalogue() if c.optional)


def regional_requirements() -> tuple[str, ...]:
    """What a policy's regional act may set: the platform rule and the regional checks."""
    return ("platforms", *(c.id for c in catalogue() if c.regional))


def get_check(check_id: str) -> Check:
    for check in catalogue():
        if check.id == check_id:
            return check
    raise KeyError(check_id)
