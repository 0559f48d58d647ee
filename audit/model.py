"""Core value types shared by every stage: entities, statuses, severities, findings."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class EntityKind(StrEnum):
    """What kind of body an entity is; decides which checks apply."""

    FEDERAL_BODY = "federal_body"
    REGIONAL_BODY = "regional_body"
    MUNICIPAL_DISTRICT = "municipal_district"
    MUNICIPAL_OKRUG = "municipal_okrug"
    URBAN_OKRUG = "urban_okrug"
    INTRACITY_TERRITORY = "intracity_territory"
    URBAN_SETTLEMENT = "urban_settlement"
    RURAL_SETTLEMENT = "rural_settlement"
    LOCAL_ADMINISTRATION = "local_administration"
    REPRESENTATIVE_BODY = "representative_body"
    SUBORDINATE_ORGANIZATION = "subordinate_organization"
    COURT = "court"


KIND_TITLES_RU: dict[EntityKind, str] = {
    EntityKind.FEDERAL_BODY: "федеральный орган",
    EntityKind.REGIONAL_BODY: "региональный орган",
    EntityKind.MUNICIPAL_DISTRICT: "муниципальный район",
    EntityKind.MUNICIPAL_OKRUG: "муниципальный округ",
    EntityKind.URBAN_OKRUG: "городской округ",
    EntityKind.INTRACITY_TERRITORY: "внутригородская территория",
    EntityKind.URBAN_SETTLEMENT: "городское поселение",
    EntityKind.RURAL_SETTLEMENT: "сельское поселение",
    EntityKind.LOCAL_ADMINISTRATION: "местная администрация",
    EntityKind.REPRESENTATIVE_BODY: "представительный орган",
    EntityKind.SUBORDINATE_ORGANIZATION: "подведомственная организация",
    EntityKind.COURT: "суд",
}

ALL_KINDS: frozenset[EntityKind] = frozenset(EntityKind)


class Status(StrEnum):
    """Outcome of one check for one body. `error` is never a violation."""

    PASS = "pass"
    FAIL = "fail"
    ERROR = "error"
    WAIVED = "waived"
    NA = "n/a"


class Severity(StrEnum):
    """How a failed check counts: only `violation` fails make the run exit 1."""

    VIOLATION = "violation"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True, slots=True)
class Entity:
    """One body from the registry, with where it was declared (for error messages).

    Slotted: a national registry holds 100 000 of them for the whole run."""

    id: str
    name: str
    kind: EntityKind
    region: str | None = None
    parent: str | None = None
    website: str | None = None
    website_none: bool = False  # the registry says the body has no website at all
    short_name: str | None = None
    pages: dict[str, str] = field(default_factory=dict)  # platform -> canonical URL
    contacts: dict[str, str] = field(default_factory=dict)
    head: dict[str, str] = field(default_factory=dict)  # {position, name}, in the dative
    covered_by: str | None = None  # the body whose (joint) official page serves this one
    # what no platform publishes, from the region's own lists: connected to the Gosuslugi
    # «Госпаблики» component (None: the registry does not say), and the stated basis on which
    # the body keeps no official page at all
    gospubliki: bool | None = None
    pages_exempt: str | None = None
    source_file: str = ""
    source_line: int = 0


@dataclass(frozen=True)
class Finding:
    """The result of one check for one body, with the ids of the evidence it rests on."""

    entity_id: str
    check_id: str
    status: Status
    severity: Severity
    message_ru: str
    message_en: str
    evidence: tuple[str, ...] = ()
    platform: str | None = None  # the platform's key, for checks about one platform's page
    since: str | None = None  # the failure began before this run (UTC ISO), as the check knows
    basis: str | None = None  # "region" / "policy" when the finding rests on those, not the law

    @property
    def key(self) -> str:
        """Unique per body: the check id, with the platform for checks run per platform."""
        if self.platform and not self.check_id.endswith("." + self.platform):
            return f"{self.check_id}[{self.platform}]"
        return self.check_id

    @property
    def is_violation(self) -> bool:
        return self.status is Status.FAIL and self.severity is Severity.VIOLATION
