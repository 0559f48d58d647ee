"""Waivers: an approved, dated exception for one body and one check.

    waivers:
      - entity: "99610402"
        check: page.community          # a check id (every platform) or a key: page.community[vk]
        reason: Группа закрыта на время реорганизации учреждения
        approved_by: Иванов И. И., начальник отдела информатизации
        expires: 2027-03-01            # the last day the waiver holds

A waived finding keeps what was seen and becomes `waived` with the reason; a waiver past its
date is ignored — the finding counts as usual — and reported, so nobody relies on it unknowingly.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from audit.model import Finding, Status
from audit.yamlsrc import LDict, LList, Problem, YamlError, load_yaml_file

FIELDS = ("entity", "check", "reason", "approved_by", "expires")


@dataclass(frozen=True)
class Waiver:
    entity: str
    check: str
    reason: str
    approved_by: str
    expires: dt.date
    source: str = ""

    def matches(self, f: Finding) -> bool:
        return f.entity_id == self.entity and self.check in (f.check_id, f.key)

    def expired(self, today: dt.date) -> bool:
        return today > self.expires

    def to_json(self) -> dict:
        return {
            "entity": self.entity,
            "check": self.check,
            "reason": self.reason,
            "approved_by": self.approved_by,
            "expires": self.expires.isoformat(),
            "source": self.source,
        }


class WaiverError(Exception):
    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


def load_waivers(path: str) -> list[Waiver]:
    try:
        doc = load_yaml_file(path)
    except YamlError as exc:
        raise WaiverError([exc.problem]) from None
    items = doc.get("waivers") if isinstance(doc, LDict) else None
    if not isinstance(items, LList):
        raise WaiverError([Problem(path, 1, "waivers", "expected a list under 'waivers:'")])
    out, problems = [], []
    for index, item in enumerate(items):
        line = items.line_of(index)
        if not isinstance(item, LDict):
            problems.append(Problem(path, line, "waivers", "each waiver is a mapping"))
            continue
        for key in item:
            if key not in FIELDS:
                problems.append(Problem(path, item.line_of(key), str(key), "unknown field"))
        missing = [k for k in FIELDS if not item.get(k)]
        for key in missing:
            problems.append(Problem(path, line, key, "required"))
        for key in ("entity", "check", "reason", "approved_by"):
            value = item.get(key)
            if key not in missing and (
                isinstance(value, bool) or not isinstance(value, str | int)
            ):  # a list would be read as its text and never match anything
                problems.append(
                    Problem(path, item.line_of(key), key, f"expected one text value, got {value!r}")
                )
                missing.append(key)
        expires = item.get("expires")
        if isinstance(expires, dt.datetime):  # a date is a day; a time stamp is not one
            expires = None
        if isinstance(expires, str):
            try:
                expires = dt.date.fromisoformat(expires)
            except ValueError:
                expires = None
        if "expires" not in missing and not isinstance(expires, dt.date):
            problems.append(
                Problem(path, item.line_of("expires"), "expires", "expected a date YYYY-MM-DD")
            )
            continue
        if missing:
            continue
        out.append(
            Waiver(
                entity=str(item["entity"]),
                check=str(item["check"]),
                reason=str(item["reason"]),
                approved_by=str(item["approved_by"]),
                expires=expires,
                source=f"{path}:{line}",
            )
        )
    if problems:
        raise WaiverError(problems)
    return out


def apply_waivers(
    findings: list[Finding], waivers: list[Waiver], today: dt.date
) -> tuple[list[Finding], set[Waiver]]:
    """Findings with live waivers applied, and the expired waivers that matched a finding."""
    out, expired = [], set()
    for f in findings:
        match = next((w for w in waivers if w.matches(f)), None)
        if match is None or f.status not in (Status.FAIL, Status.ERROR):
            out.append(f)
            continue
        if match.expired(today):
            expired.add(match)
            out.append(f)
            continue
        until = match.expires.strftime("%d.%m.%Y")
        out.append(
            replace(
                f,
                status=Status.WAIVED,
                message_ru=f"Исключение до {until}: {match.reason} (утвердил: "
                f"{match.approved_by}). Выявлено: {f.message_ru}",
                message_en=f"Waived until {match.expires.isoformat()}: {match.reason} "
                f"(approved by {match.approved_by}). Found: {f.message_en}",
            )
        )
    return out, expired
