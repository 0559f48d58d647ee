"""Notice letters and inspection records, one per body with violations, and their register.

A notice (`notices/`) is an official letter: sender, number and date, addressee, heading, the
basis of the check, each violation with its requirement and its own evidence, a deadline, the
executor. Warnings are listed apart as recommendations. An inspection record (`acts/`, an «акт
осмотра») states only the facts: when and from where what was opened and what was seen, with
hashes and archive records, for a prosecutor's office to attach to its own act.

Templates: templates/notice.html.j2 and templates/act.html.j2 (a copy edited locally is taken
with --templates). PDF: WeasyPrint when installed (the `pdf` extra), else headless Chromium.
"""

from __future__ import annotations

import hashlib
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from audit.platforms import name_ru, platforms
from audit.report.atomic import staged_directory, swap_directory
from audit.report.pdf import convert as to_pdf
from audit.report.readable import evidence_rows
from audit.report.render import basis_of, environment, trusted
from audit.report.sender import Sender

KINDS = {"notice": ("notices", "notice.html.j2"), "act": ("acts", "act.html.j2")}
DEFAULT_DEADLINE_DAYS = 30

_PLAIN_ID = re.compile(r"^(?!.*--)[0-9a-z_-]{1,80}$")  # an OKTMO, OGRN ... as it stands
_RESERVED = re.compile(r"^(index|con|prn|aux|nul|com\d|lpt\d)$")  # names Windows keeps


def notice_name(entity: dict) -> str:
    """The file of a body's letter: `<id>.html` when the id is a plain name (digits, lower-case
    Latin letters, `_`, `-`: the usual OKTMO and OGRN), else the id cleaned with 8 hex digits
    of its SHA-256 after `--`, which no plain id holds: unique per body on every file system
    (also where letter case does not count), whatever the registry's ids are."""
    ident = entity["id"]
    if _PLAIN_ID.match(ident) and not _RESERVED.match(ident):
        return f"{ident}.html"
    clean = re.sub(r"\W+", "_", ident.lower()).strip("_")[:60] or "body"
    digest = hashlib.sha256(ident.encode("utf-8")).hexdigest()[:8]
    return f"{clean}--{digest}.html"


@dataclass
class Letter:
    """One body's letter: what the register lists and the template prints."""

    name: str  # file name
    entity: dict
    number: str | None
    violations: list[dict]
    warnings: list[dict]
    opened: list[dict]  # every evidence row of the body's failures, once (the act's table)


def letters_of(report: dict, sender: Sender | None, on: date) -> Iterator[Letter]:
    """Every body with a violation, numbered in registry order, one at a time (a national
    report has tens of thousands); each finding carries what the template prints of it
    (title, basis, evidence)."""
    checks = {c["id"]: c for c in report["checks"]}
    policy = report["run"].get("policy") or {}
    written = 0
    for e in report["entities"]:
        fails = [f for f in e["findings"] if f["status"] == "fail"]
        violations = [f for f in fails if f["severity"] == "violation"]
        if not violations:
            continue
        by_id = {ev["id"]: ev for ev in e.get("evidence") or ()}
        numbers: dict[tuple, int] = {}  # an evidence row -> its number in `opened`
        opened: list[dict] = []
        for f in fails:
            check = checks[f["check"]]
            f["_title"] = check["title_ru"] + (
                f" («{name_ru(f['platform'])}»)"
                if f.get("platform") and check.get("per_platform")
                else ""
            )
            f["_basis"] = basis_of(f, check, e, policy, "ru")
            f["_remedy"] = check["remediation_ru"]
            f["_evidence"] = evidence_rows(f, e, by_id)
            f["_opened"] = []
            for row in f["_evidence"]:
                key = (row["url"], row["sha256"], row["fetched_at"])
                if key not in numbers:
                    opened.append(row)
                    numbers[key] = len(opened)
                f["_opened"].append(numbers[key])
        number = None
        written += 1
        if sender is not None:
            number = sender.outgoing_number(written, e["id"], on.strftime("%Y%m%d"))
        yield Letter(
            notice_name(e),
            e,
            number,
            violations,
            [f for f in fails if f["severity"] != "violation"],
            opened,
        )


def register_row(letter: Letter) -> Letter:
    """What the register keeps of a letter once it is written: its line, not the body."""
    e = letter.entity
    return Letter(
        letter.name,
        {"id": e["id"], "name": e.get("name"), "region": e.get("region")},
        letter.number,
        [{"basis": f.get("basis")} for f in letter.violations],
        [{"basis": f.get("basis")} for f in letter.warnings],
        [],
    )


def write_notices(
    report: dict,
    out_dir: str,
    template_dir: str | None = None,
    pdf: bool = False,
    sender: Sender | None = None,
    on: date | None = None,
    kind: str = "notice",
) -> list[str]:
    """DIR/notices/<id>.html (or DIR/acts/ for inspection records) for every body with a
    violation, and the register index.html; with `pdf`, a PDF beside each. Without a sender
    the letters are drafts, marked so, with the sender's parts left blank."""
    folder, template_name = KINDS[kind]
    target = Path(out_dir) / folder
    target.parent.mkdir(parents=True, exist_ok=True)
    env = environment(template_dir)
    template = env.get_template(template_name)
    index = env.get_template("notices_index.html.j2")
    on = on or date.today()
    deadline_days = (report["run"].get("policy") or {}).get(
        "notice_deadline_days", DEFAULT_DEADLINE_DAYS
    )
    common = {
        "r": report,
        "sender": sender,
        "on": on.strftime("%d.%m.%Y"),
        "deadline": (on + timedelta(days=deadline_days)).strftime("%d.%m.%Y"),
        "t": trusted({"platforms": {p.key: p.name_ru for p in platforms()}}),
    }
    letters = []
    # the set is written into a fresh private directory and replaces the old one whole: no
    # letter of an earlier batch outlives it, and nothing is created in a crowded directory
    staged = staged_directory(target)
    try:
        for letter in letters_of(report, sender, on):
            with (staged / letter.name).open("x", encoding="utf-8") as fh:
                fh.write(template.render(letter=letter, e=letter.entity, **common))
            letters.append(register_row(letter))
        # the register goes through the same environment as every HTML output (autoescape,
        # and no control or bidi character survives)
        with (staged / "index.html").open("x", encoding="utf-8") as fh:
            fh.write(index.render(letters=letters, kind=kind, **common))
        if pdf:
            to_pdf([str(staged / letter.name) for letter in letters])
        swap_directory(staged, target)
    except BaseException:
        shutil.rmtree(staged, ignore_errors=True)
        raise
    return [str(target / letter.name) for letter in letters]
