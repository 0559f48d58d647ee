"""What the tables write in a cell, made inert: a value starting with = + - @ (or a tab or
carriage return, which some programs strip first) gets a leading apostrophe, the OWASP advice
against formula injection; characters XML cannot carry are dropped; cells are cut at Excel's
32 767 characters. And the rows: a finding's and a body's values by column key."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator

from audit.platforms import platform_keys
from audit.report.labels import LABELS
from audit.report.render import INVISIBLE, basis_of, status_key

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# what inert() drops (controls, bidi overrides) and what XML cannot carry, in one pass
_UNSAFE = re.compile(INVISIBLE.pattern[:-1] + "\ufffe\uffff]")
CELL_LIMIT = 32_767
SHEET_ROWS = 1_048_576 - 1  # Excel's rows per sheet, less one for the note that the rest is cut


def safe_cell(value):
    """A value that a spreadsheet shows as the text it is, never runs."""
    return _safe_text(value) if isinstance(value, str) else value


@functools.lru_cache(maxsize=1024)
def _safe_text(value: str) -> str:
    """Remembered: a report repeats most cell texts (a body's name on each of its rows, a
    check's legal basis and remedy on thousands of rows)."""
    value = _UNSAFE.sub("", value)
    if value.startswith(FORMULA_START):
        value = "'" + value
    return value if len(value) <= CELL_LIMIT else value[:CELL_LIMIT]


def entity_finding_rows(
    e: dict, checks: dict[str, dict], lang: str = "ru", policy: dict | None = None
) -> Iterator[dict]:
    labels = LABELS[lang]["status"]
    identity = body_identity(e)
    evidence = {ev["id"]: ev for ev in e["evidence"]}
    for f in e["findings"]:
        c = checks.get(f["check"], {})
        cited = [evidence[i] for i in f.get("evidence") or [] if i in evidence]
        yield {
            **identity,
            "check": f.get("key") or f["check"],
            "check_id": f["check"],
            "finding": f,  # for a table that tells the evidence in words (report.xlsx)
            "platform": f.get("platform") or "",
            "status": f["status"],
            "severity": f["severity"],
            "result": labels.get(status_key(f), f["status"]),
            "message": f[f"message_{lang}"],
            "failing_since": f.get("failing_since") or "",
            "legal_basis": basis_of(f, c, e, policy or {}, lang) if c else "",
            "remediation": c.get(f"remediation_{lang}", "") if f["status"] == "fail" else "",
            "evidence": "; ".join(
                f"{ev['url']} {ev.get('status') or ev.get('error') or ''} "
                f"{ev.get('fetched_at', '')} {ev.get('sha256') or ''}".strip()
                for ev in cited
            ),
        }


def body_identity(e: dict) -> dict:
    """The columns naming a body, first in both sheets."""
    return {
        "entity_id": e["id"],
        "name": e["name"],
        "kind": e["kind"],
        "region": e.get("region") or "",
        "parent": e.get("parent") or "",
    }


def body_row(e: dict, lang: str = "ru") -> dict:
    labels = LABELS[lang]["body_status"]
    chosen = (e.get("observations") or {}).get("chosen") or {}
    fails = [f for f in e["findings"] if f["status"] == "fail"]
    return {
        **body_identity(e),
        "website": e.get("website") or ("—" if e.get("website_none") else ""),
        **{p: (chosen.get(p) or {}).get("url", "") for p in platform_keys()},
        "status": labels.get(e["status"], e["status"]),
        "violations": sum(1 for f in fails if f["severity"] == "violation"),
        "warnings": sum(1 for f in fails if f["severity"] != "violation"),
        "errors": sum(1 for f in e["findings"] if f["status"] == "error"),
    }
