"""The one Jinja2 environment of every HTML output (index.html, letters, records, registers):
autoescape on, no control or bidi character in what is printed, the filters the templates use,
and what a finding's label and basis are."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape

from audit.checks.legal import FINDING_POLICY, FINDING_REGION
from audit.report.labels import BASIS_NOTES
from audit.russian import number

MSK = timezone(timedelta(hours=3), "MSK")  # Moscow has kept UTC+3 all year since 2014


# C0/C1 controls (but tab and newline) and the bidirectional overrides and isolates that can
# make attacker-written text read as something else (U+202A-U+202E, U+2066-U+2069, U+200E/F).
INVISIBLE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)


def inert(value):
    """Every value the template prints passes here (Jinja's finalize) before autoescaping;
    markup the code built itself (Markup) is trusted as it is."""
    if isinstance(value, Markup):
        return value
    if isinstance(value, str):
        return INVISIBLE.sub("", value)
    return value


def trusted(value):
    """Texts the project wrote itself (labels, the catalogue's titles and legal texts) escaped
    once, as markup: a national report prints each of them 100 000 times, and escaping and
    `inert` pass markup through untouched. Nothing read from the network comes here."""
    if isinstance(value, str):
        return escape(value)
    if isinstance(value, dict):
        return {k: trusted(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [trusted(v) for v in value]
    return value


def safe_href(url: str | None) -> str:
    """Only http(s) URLs become links; anything else (javascript:, data:) becomes inert."""
    if url and url.lower().startswith(("http://", "https://")):
        return url
    return "#"


def status_key(finding: dict) -> str:
    """Label key for a finding: a failed warning is a remark, not a violation; a violation of
    a regional act the policy names is not a violation of federal law."""
    if finding["status"] == "fail" and finding["severity"] != "violation":
        return f"fail_{finding['severity']}"
    if finding["status"] == "fail" and finding.get("basis") == FINDING_REGION:
        return "fail_region"
    return finding["status"]


def basis_of(finding: dict, check: dict, entity: dict, policy: dict, lang: str = "ru") -> str:
    """What one finding rests on: the regional act or the policy when the finding says so,
    else the check's basis (for a court, its own law)."""
    regional, policy_note = BASIS_NOTES[lang]
    if finding.get("basis") == FINDING_REGION:
        return regional.format(act=policy.get("regional_act") or "—")
    if finding.get("basis") == FINDING_POLICY:
        return policy_note
    if entity.get("kind") == "court" and f"legal_basis_court_{lang}" in check:
        return check[f"legal_basis_court_{lang}"]
    return check[f"legal_basis_{lang}"]


def msk(value: str | None) -> str:
    """ISO 8601 UTC → 'DD.MM.YYYY HH:MM:SS' Moscow time."""
    if not value:
        return ""
    when = datetime.fromisoformat(value)
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(MSK).strftime("%d.%m.%Y %H:%M:%S")


def template_dirs(override: str | None = None) -> list[str]:
    """User templates first (copies of templates/ edited locally), then the packaged ones."""
    package = Path(__file__).resolve().parent.parent  # .../audit
    # Installed: audit/templates (mapped from templates/ at build); a checkout: ../templates.
    packaged = next(
        (
            str(d)
            for d in (package / "templates", package.parent / "templates")
            if (d / "report.html.j2").is_file()
        ),
        str(package / "templates"),
    )
    return [override, packaged] if override else [packaged]


class StatusCss(dict):
    """A status key as a CSS class suffix ("n/a" -> "na"), remembered."""

    def __missing__(self, key: str) -> str:
        self[key] = value = str(key).replace("/", "")
        return value


_DICT_ATTRIBUTES = frozenset(dir(dict))


class ReportEnvironment(Environment):
    """`x.name` on the report's data (plain dicts) looks the key up first. Jinja tries the
    attribute first and the key when that fails: the same answer, as a dict's only attributes
    are its methods, but a raised AttributeError for each of the millions of look-ups."""

    def getattr(self, obj, attribute):
        if type(obj) is dict and attribute not in _DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except KeyError:
                pass
        return super().getattr(obj, attribute)


def environment(template_dir: str | None = None) -> Environment:
    env = ReportEnvironment(
        loader=FileSystemLoader(template_dirs(template_dir)),
        autoescape=select_autoescape(["html", "j2", "html.j2"], default=True),
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=inert,
    )
    env.filters["msk"] = msk
    env.filters["safe_href"] = safe_href
    env.filters["num"] = number
    env.globals["status_key"] = status_key
    env.globals["basis_of"] = basis_of
    env.globals["css"] = StatusCss()
    return env
