"""index.html: the human report, rendered from report.json with Jinja2 (autoescape on)."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

from markupsafe import Markup

from audit.checks.causes import CAUSE_EN, CAUSE_RU, PAGE_CAUSE_EN, PAGE_CAUSE_RU
from audit.model import KIND_TITLES_RU
from audit.platforms import name_en, name_ru, platform_keys
from audit.report.atomic import replaced
from audit.report.bodyindex import (
    IndexEntry,
    body_index,
    districts,
    index_platforms,
    indexer,
    worst,
)
from audit.report.labels import LABELS
from audit.report.overview import (
    GROUPS,
    fold,
    headline,
    legend,
    overview_cells,
    policy_rows,
    titler,
    trend_svg,
)
from audit.report.readable import evidence_rows
from audit.report.render import (
    environment,
    trusted,
)


def finding_key(f: dict) -> str:
    return f.get("key") or f["check"]


def findings_by_key(entity: dict) -> dict[str, dict]:
    """A body's findings by key (page checks carry their platform in the key)."""
    return {finding_key(f): f for f in entity["findings"]}


def evidence_by_id(entity: dict) -> dict[str, dict]:
    return {ev["id"]: ev for ev in entity["evidence"]}


CAUSES = {"ru": {**CAUSE_RU, **PAGE_CAUSE_RU}, "en": {**CAUSE_EN, **PAGE_CAUSE_EN}}


LAW_KINDS = ("law_article", "act")


def of_law(check: dict | None) -> bool:
    """A check that rests on a law or a government act, not on a rating, region or policy."""
    return bool(check) and check.get("basis_kind") in LAW_KINDS


def split_by_law(checks: dict[str, dict]) -> Callable[[list[dict]], tuple[list, list]]:
    """Findings as (the law's requirements, the rating's and regions' criteria): a finding is
    about the law when its check rests on one and the finding itself does not rest on a
    regional act or the policy (a second platform, say)."""

    def test(f: dict) -> bool:
        return of_law(checks.get(f["check"])) and f.get("basis") not in ("region", "policy")

    def split(findings: list[dict]) -> tuple[list, list]:
        return [f for f in findings if test(f)], [f for f in findings if not test(f)]

    return split


def split_keys_by_law(checks: dict[str, dict]) -> Callable[[list[str]], tuple[list, list]]:
    """Finding keys (`page.design[vk]`) as (the law's requirements, the criteria)."""

    def split(keys: list[str]) -> tuple[list, list]:
        law = {k for k in keys if of_law(checks.get(k.partition("[")[0]))}
        return [k for k in keys if k in law], [k for k in keys if k not in law]

    return split


def page_rows(checks: dict[str, dict], platforms: list[str], lang: str) -> list[dict]:
    """The rows of a body's table of pages, each with the finding key per platform: whether
    the page exists (the page.exists family), then every per-platform page check; the law's
    requirements first, then the rating's and regions' criteria (`criterion`)."""
    rows = [
        {
            "title": LABELS[lang]["page_exists"],
            "keys": {p: f"page.exists.{p}" for p in platforms},
            "criterion": False,
        }
    ]
    for cid, c in checks.items():
        if c.get("per_platform"):
            rows.append(
                {
                    "title": c["title_" + lang],
                    "keys": {p: f"{cid}[{p}]" for p in platforms},
                    "criterion": not of_law(c),
                }
            )
    return sorted(rows, key=lambda row: row["criterion"])


def labels(lang: str) -> dict:
    """The report's words, platform names included (from the registered platforms)."""
    name = name_ru if lang == "ru" else name_en
    return {**LABELS[lang], "platform": {p: name(p) for p in platform_keys()}}


def page_context(checks: list[dict], platforms: list[str], lang: str, policy: dict) -> dict:
    """What a body's row and details (report_body.html.j2) are rendered with."""
    trusted_checks = {c["id"]: trusted(c) for c in checks}
    bases, basis_numbers = legend(trusted_checks, lang)
    return {
        "policy": policy,
        "checks": trusted_checks,
        "check_ids": list(trusted_checks),
        "groups": GROUPS,
        "overview_cells": overview_cells,
        "page_rows": page_rows(trusted_checks, platforms, lang),
        "split_by_law": split_by_law(trusted_checks),
        "split_keys_by_law": split_keys_by_law(trusted_checks),
        "bases": bases,
        "basis_numbers": basis_numbers,
        "fold": fold,
        "evidence_rows": evidence_rows,
        "title_of": titler(trusted_checks, lang),
        "causes": trusted(
            {**CAUSE_RU, **PAGE_CAUSE_RU} if lang == "ru" else {**CAUSE_EN, **PAGE_CAUSE_EN}
        ),
        "platforms": platforms,
        "t": trusted(labels(lang)),
        "lang": lang,
        "kinds": trusted(KIND_TITLES_RU),
        "findings_by_key": findings_by_key,
        "evidence_by_id": evidence_by_id,
    }


# Where report.html.j2 puts the bodies' rows and details rendered beforehand (`parts`): text
# no printed value can hold (every one passes `inert`, which drops NUL), replaced by the files.
PART_MARK = "\x00pages-audit:{}\x00"
PARTS = ("rows", "details")
WRITE_CHARS = 1 << 20


def render_chunks(
    report: dict,
    lang: str = "ru",
    template_dir: str | None = None,
    index: list[IndexEntry] | None = None,
    parts: bool = False,
) -> Iterator[str]:
    """index.html piece by piece: the overview from a light index of the bodies, then the
    bodies streamed through the table and the details (memory does not grow with them).
    `index` may come ready; with `parts` the table's rows and the details are marks (PART_MARK)
    for bodies rendered beforehand, and the report's bodies are not read."""
    if index is None:
        index = body_index(report)
    context = page_context(report["checks"], index_platforms(index), lang, report["run"]["policy"])
    wanted = {
        c["entity"]
        for part in ("new", "fixed")
        for c in (report.get("changes") or {}).get(part, [])
    }
    return (
        environment(template_dir)
        .get_template("report.html.j2")
        .generate(
            r=report,
            **context,
            summary_keys=list(report["summary"]["per_check"]),
            districts=districts(index),
            worst=worst(index),
            names={e.id: e.name for e in index if e.id in wanted},
            trend_svg=Markup(
                trend_svg(report.get("trend") or [], context["t"]["trend_axis"], lang)
            ),
            headline=headline(report["summary"]),
            policy_rows=policy_rows(
                report["run"].get("policy") or {}, labels(lang), context["title_of"], lang
            ),
            parts={k: Markup(PART_MARK.format(k)) for k in PARTS} if parts else None,
            now=datetime.now(UTC).isoformat(),
        )
    )


def render_html(report: dict, lang: str = "ru", template_dir: str | None = None) -> str:
    return "".join(render_chunks(report, lang, template_dir))


def write_html(
    report: dict,
    out_dir: str,
    lang: str = "ru",
    template_dir: str | None = None,
    index: list[IndexEntry] | None = None,
    parts: dict[str, Path] | None = None,
) -> str:
    """index.html, atomically. `parts`: files holding the bodies' rows and details already
    rendered (see BodyPages), copied in where the template puts them."""
    path = Path(out_dir) / "index.html"
    chunks = render_chunks(report, lang, template_dir, index, parts is not None)
    marks = {PART_MARK.format(k): k for k in PARTS}
    split = re.compile("(" + "|".join(map(re.escape, marks)) + ")").split

    def put(text: str) -> None:
        if parts is None or "\x00" not in text:
            fh.write(text)
            return
        for piece in split(text):
            if piece in marks:
                with parts[marks[piece]].open(encoding="utf-8") as src:
                    shutil.copyfileobj(src, fh, 1 << 20)
            else:
                fh.write(piece)

    with replaced(path, "w", encoding="utf-8") as fh:
        # the template yields millions of short pieces (a body's row and details come whole,
        # ~13 KB): written about a megabyte at a time, whatever their size
        buffer: list[str] = []
        size = 0
        for chunk in chunks:
            buffer.append(chunk)
            size += len(chunk)
            if size >= WRITE_CHARS:
                put("".join(buffer))
                buffer, size = [], 0
        put("".join(buffer))
    return str(path)


class BodyRenderer:
    """Each body's row of the overview table and its card, rendered as the body comes, and the
    index of every body seen. The columns are the platforms of the first body: a body with
    findings on another platform makes the rendering unusable (`usable` false), and the caller
    renders the bodies again with the columns of all of them (`use`, then `render`)."""

    def __init__(self, checks: list[dict], policy: dict, lang: str, templates: str | None):
        self.checks, self.policy, self.lang, self.templates = checks, policy, lang, templates
        self.index: list[IndexEntry] = []
        self.entry = indexer()
        self.platforms: list[str] | None = None
        self.columns: frozenset[str] = frozenset()
        self.module = None
        self.usable = True

    def use(self, platforms: list[str]) -> None:
        self.platforms = platforms
        self.columns = frozenset(platforms)
        context = page_context(self.checks, platforms, self.lang, self.policy)
        template = environment(self.templates).get_template("report_body.html.j2")
        self.module = template.make_module(context)
        self.usable = True

    def add(self, e: dict) -> tuple[str, str] | None:
        """The body's row and card, or None once the rendering is unusable."""
        if self.platforms is None and self.usable:  # the first body sets the columns
            self.use(index_platforms([self.entry(e)]))
        return self.put(self.prepare(e))

    def prepare(self, e: dict) -> tuple[IndexEntry, tuple[str, str] | None]:
        """What `put` needs of a body, made without the bodies before it once the first is
        in: its index entry, and its row and card unless they do not fit the columns."""
        entry = self.entry(e)
        fits = self.usable and self.platforms is not None and entry.platforms <= self.columns
        return entry, self.render(e) if fits else None

    def put(self, prepared: tuple[IndexEntry, tuple[str, str] | None]) -> tuple[str, str] | None:
        """The next body in registry order, prepared: its row and card, or None once the
        rendering is unusable."""
        entry, parts = prepared
        self.index.append(entry)
        if parts is None:
            self.usable = False
        return parts if self.usable else None

    def render(self, e: dict) -> tuple[str, str]:
        return self.module.row(e), self.module.details(e)


class BodyPages:
    """The bodies' rows and details of index.html rendered one body at a time (`add`) into
    files of `scratch`, with the index the overview needs; `write` renders the rest around
    them, or gives None when the rendering was unusable (see BodyRenderer): index.html is then
    rendered whole."""

    def __init__(
        self,
        checks: list[dict],
        policy: dict,
        scratch: str,
        lang: str = "ru",
        templates: str | None = None,
    ):
        self.lang, self.templates = lang, templates
        self.renderer = BodyRenderer(checks, policy, lang, templates)
        self.files = {k: Path(scratch) / f"index.{k}" for k in PARTS}
        self.out = {k: f.open("w", encoding="utf-8") for k, f in self.files.items()}

    def add(self, e: dict) -> None:
        self._write(self.renderer.add(e))

    def prepare(self, e: dict):
        return self.renderer.prepare(e)

    def put(self, prepared) -> None:
        self._write(self.renderer.put(prepared))

    def _write(self, parts: tuple[str, str] | None) -> None:
        if parts is not None:
            self.out["rows"].write(parts[0])
            self.out["details"].write(parts[1])

    def discard(self) -> None:
        for fh in self.out.values():
            fh.close()

    def write(self, report: dict, out_dir: str) -> str | None:
        """index.html of `report` (its bodies the ones added), or None if unusable."""
        self.discard()
        if not self.renderer.usable:
            return None
        return write_html(
            report, out_dir, self.lang, self.templates, self.renderer.index, self.files
        )
