"""The check catalogue: one module per check, each defining `CHECK = Check(...)`.

A check is a pure function of an entity, its observations and the policy; it never touches the
network, so a test is a few lines of data. The module name is the check id with dots replaced
by underscores (site_links_vk.py → `site.links.vk`); the catalogue verifies that at load.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache

from audit.checks.legal import LegalBasis
from audit.model import ALL_KINDS, Entity, EntityKind, Finding, Severity, Status
from audit.observations import Observations
from audit.policy import Policy

CATALOGUE_VERSION = "1"


@dataclass(frozen=True)
class Outcome:
    status: Status
    message_ru: str
    message_en: str
    evidence: tuple[str, ...] = ()


def outcome(status: Status, ru: str, en: str, evidence: tuple[str, ...] = ()) -> Outcome:
    return Outcome(status, ru, en, evidence)


@dataclass(frozen=True)
class Check:
    id: str
    title_ru: str
    title_en: str
    legal_basis: LegalBasis
    severity: Severity
    remediation_ru: str
    remediation_en: str
    evaluate: Callable[[Entity, Observations, Policy], Outcome]
    applies_to: frozenset[EntityKind] = field(default=ALL_KINDS)

    def run(self, entity: Entity, obs: Observations, policy: Policy) -> Finding:
        if entity.kind not in self.applies_to:
            result = outcome(
                Status.NA,
                "Не применяется к органам этого вида.",
                "Does not apply to bodies of this kind.",
            )
        else:
            try:
                result = self.evaluate(entity, obs, policy)
            except Exception as exc:  # a bug in one check must not stop the audit
                result = outcome(
                    Status.ERROR,
                    f"Внутренняя ошибка проверки: {type(exc).__name__}",
                    f"Internal check error: {type(exc).__name__}: {exc}",
                )
        return Finding(
            entity.id,
            self.id,
            result.status,
            self.severity,
            result.message_ru,
            result.message_en,
            result.evidence,
        )

    def to_json(self) -> dict:
        return {
            "id": self.id,
            "title_ru": self.title_ru,
            "title_en": self.title_en,
            "legal_basis_ru": self.legal_basis.ru,
            "legal_basis_en": self.legal_basis.en,
            "severity": self.severity.value,
            "remediation_ru": self.remediation_ru,
            "remediation_en": self.remediation_en,
            "applies_to": sorted(k.value for k in self.applies_to),
        }


@cache
def catalogue() -> tuple[Check, ...]:
    """All checks, in id order; each module's file name must match its check id."""
    checks = []
    for info in pkgutil.iter_modules(__path__):
        if info.name == "legal" or info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        check = getattr(module, "CHECK", None)
        if not isinstance(check, Check):
            raise RuntimeError(f"check module {info.name} defines no CHECK")
        if check.id.replace(".", "_") != info.name:
            raise RuntimeError(f"check id {check.id!r} does not match module {info.name}")
        if not check.legal_basis.ru.strip() or not check.remediation_ru.strip():
            raise RuntimeError(f"check {check.id} lacks a legal basis or remediation")
        checks.append(check)
    return tuple(sorted(checks, key=lambda c: c.id))


def get_check(check_id: str) -> Check:
    for check in catalogue():
        if check.id == check_id:
            return check
    raise KeyError(check_id)
