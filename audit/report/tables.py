"""Flat outputs of a report: report.csv, report.xlsx (XlsxWriter) and junit.xml.

Cells hold text written by others (page names, messages quoting them), so every text cell is
made inert for spreadsheets: a value starting with = + - @ (or a tab or carriage return, which
some programs strip first) gets a leading apostrophe, the OWASP advice against formula
injection; characters XML cannot carry are dropped; cells are cut at Excel's 32 767 characters.
"""

from __future__ import annotations

import csv
import functools
import os
import re
import shutil
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from xml.sax.saxutils import escape

from audit.platforms import platform_keys, platforms
from audit.report.atomic import exclusive, replaced
from audit.report.labels import LABELS
from audit.report.render import INVISIBLE, basis_of, status_key

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# what inert() drops (controls, bidi overrides) and what XML cannot carry, in one pass
_UNSAFE = re.compile(INVISIBLE.pattern[:-1] + "\ufffe\uffff]")
CELL_LIMIT = 32_767
SHEET_ROWS = 1_048_576 - 1  # Excel's rows per sheet, less one for the note that the rest is cut
QUIET_STATUSES = ("pass", "n/a")  # left out of the XLSX findings sheet (report.csv has them)

FINDING_COLUMNS = (
    ("entity_id", "Идентификатор", "Id"),
    ("name", "Орган", "Body"),
    ("kind", "Вид", "Kind"),
    ("region", "Регион", "Region"),
    ("parent", "Вышестоящий орган", "Parent"),
    ("check", "Проверка", "Check"),
    ("platform", "Соцсеть", "Platform"),
    ("status", "Статус", "Status"),
    ("severity", "Важность", "Severity"),
    ("result", "Результат", "Result"),
    ("message", "Что выявлено", "Finding"),
    ("failing_since", "Не соответствует с", "Failing since"),
    ("legal_basis", "Правовое основание", "Legal basis"),
    ("remediation", "Что сделать", "Remediation"),
    ("evidence", "Доказательства (адрес, HTTP, время UTC, SHA-256)", "Evidence"),
)
BODY_IDENTITY = (
    ("entity_id", "Идентификатор", "Id"),
    ("name", "Орган", "Body"),
    ("kind", "Вид", "Kind"),
    ("region", "Регион", "Region"),
    ("parent", "Вышестоящий орган", "Parent"),
    ("website", "Сайт", "Website"),
)
BODY_OUTCOME = (
    ("status", "Итог", "Result"),
    ("violations", "Нарушений", "Violations"),
    ("warnings", "Замечаний", "Warnings"),
    ("errors", "Не удалось проверить", "Not checked"),
)


def body_columns() -> tuple[tuple[str, str, str], ...]:
    """The `bodies` sheet's columns: a body, the page chosen on each platform, its outcome."""
    pages = tuple((p.key, p.name_ru, p.name_en) for p in platforms())
    return (*BODY_IDENTITY, *pages, *BODY_OUTCOME)


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


class CsvTable:
    """report.csv: one row per finding, UTF-8, comma-separated; the header row holds the
    stable column keys (scripts rely on them), the texts are in `lang`."""

    def __init__(self, out_dir: str, lang: str, tmpdir: str):
        self.path = Path(out_dir) / "report.csv"
        self.fh, self.tmp = exclusive(self.path, "w", encoding="utf-8", newline="")
        self.writer = csv.writer(self.fh)
        self.writer.writerow([c[0] for c in FINDING_COLUMNS])

    def finding(self, row: dict, safe: list) -> None:
        self.writer.writerow(safe)

    def body(self, entity: dict) -> None:
        pass

    def close(self, report: dict) -> str:
        self.fh.close()
        os.replace(self.tmp, self.path)
        return str(self.path)

    def discard(self) -> None:
        self.fh.close()
        self.tmp.unlink(missing_ok=True)


class XlsxTable:
    """report.xlsx: sheets `findings` (what needs attention: every finding but pass and n/a,
    the to-do list to send around) and `bodies` (every body), filters on, header frozen.
    report.csv holds every finding. Written row by row (XlsxWriter's constant-memory mode:
    each sheet streams to a file of its own; 3-4 times faster than openpyxl's write-only
    mode, which builds a cell object per value). Every value is written as the text or number
    it is: XlsxWriter's conversion of strings to formulas, URLs or numbers is off."""

    def __init__(self, out_dir: str, lang: str, tmpdir: str):
        import xlsxwriter

        self.path = Path(out_dir) / "report.xlsx"
        self.fh, self.tmp = exclusive(self.path, "wb")
        self.lang = lang
        self.wb = xlsxwriter.Workbook(
            self.fh,
            {
                "constant_memory": True,
                "tmpdir": tmpdir,
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "strings_to_numbers": False,
            },
        )
        index = 1 if lang == "ru" else 2
        bold = self.wb.add_format({"bold": True})
        self.sheets = {}
        for title, columns in (("findings", FINDING_COLUMNS), ("bodies", body_columns())):
            ws = self.wb.add_worksheet(title)
            ws.freeze_panes(1, 0)
            for n, (key, *_names) in enumerate(columns):
                width = 60 if key in ("message", "legal_basis", "remediation", "evidence") else 24
                ws.set_column(n, n, width)
            ws.write_row(0, 0, [c[index] for c in columns], bold)
            self.sheets[title] = [ws, [c[0] for c in columns], 1]  # sheet, keys, rows

    def _append(self, title: str, values: list) -> None:
        sheet = self.sheets[title]
        ws, count = sheet[0], sheet[2]
        if count > SHEET_ROWS:
            return
        if count == SHEET_ROWS:  # Excel opens no more: say where the rest is
            ws.write_string(count, 0, LABELS[self.lang]["sheet_full"].format(csv="report.csv"))
        else:
            ws.write_row(count, 0, values)
        sheet[2] += 1

    def finding(self, row: dict, safe: list) -> None:
        if row["status"] not in QUIET_STATUSES:
            self._append("findings", safe)

    def body(self, entity: dict) -> None:
        row = body_row(entity, self.lang)
        self._append("bodies", [safe_cell(row[k]) for k in self.sheets["bodies"][1]])

    def close(self, report: dict) -> str:
        for ws, keys, count in self.sheets.values():
            ws.autofilter(0, 0, min(count, SHEET_ROWS) - 1, len(keys) - 1)
        self.wb.close()
        self.fh.close()
        os.replace(self.tmp, self.path)
        return str(self.path)

    def discard(self) -> None:
        """The sheets' row files are in the writer's temporary directory; the file begun
        beside report.xlsx goes."""
        self.fh.close()
        self.tmp.unlink(missing_ok=True)


class JunitTable:
    """junit.xml: a test case per body × check. A violation is a failure, a failed warning
    passes with the warning in its output, `error` is an error, n/a and waived are skipped.
    Written case by case to a file of its own; the suite's element, whose counts come from
    the report's summary, is put in front of them at the end."""

    def __init__(self, out_dir: str, lang: str, tmpdir: str):
        self.path = Path(out_dir) / "junit.xml"
        self.cases = Path(tmpdir) / "junit.cases"
        self.fh = self.cases.open("w", encoding="utf-8")

    def finding(self, r: dict, safe: list) -> None:
        classname = _attr(f"{r['entity_id']} {r['name']}"[:300])
        opening = f"<testcase classname={classname} name={_attr(r['check'])}"
        message = _xml(r["message"])
        if r["status"] == "fail" and r["severity"] == "violation":
            text = _xml(f"{r['legal_basis']}\n{r['remediation']}\n{r['evidence']}")
            attrs = f'message={_attr(message[:1000])} type="violation"'
            inner = f"<failure {attrs}>{escape(text)}</failure>"
        elif r["status"] == "fail":
            inner = f"<system-out>{escape(r['severity'] + ': ' + message)}</system-out>"
        elif r["status"] == "error":
            inner = f'<error message={_attr(message[:1000])} type="not-checked" />'
        elif r["status"] in ("n/a", "waived"):
            inner = f"<skipped message={_attr(message[:1000])} />"
        else:
            inner = ""
        self.fh.write(f"{opening}>{inner}</testcase>" if inner else f"{opening} />")

    def body(self, entity: dict) -> None:
        pass

    def close(self, report: dict) -> str:
        self.fh.close()
        by_status = report["summary"]["by_status"]
        suite = ET.Element(
            "testsuite",
            name="pages-audit",
            tests=str(sum(by_status.values())),
            failures=str(report["summary"]["violations"]),
            errors=str(by_status.get("error", 0)),
            skipped=str(by_status.get("n/a", 0) + by_status.get("waived", 0)),
            timestamp=report["run"].get("started_at") or "",
        )
        opening = ET.tostring(suite, encoding="unicode").replace(" />", ">")
        with (
            replaced(self.path, "w", encoding="utf-8") as out,
            self.cases.open(encoding="utf-8") as cases,
        ):
            out.write("<?xml version='1.0' encoding='utf-8'?>\n")
            out.write('<testsuites name="pages-audit">' + opening)
            shutil.copyfileobj(cases, out, 1 << 20)
            out.write("</testsuite></testsuites>\n")
        self.cases.unlink()
        return str(self.path)

    def discard(self) -> None:
        self.fh.close()
        self.cases.unlink(missing_ok=True)


TABLES = (CsvTable, XlsxTable, JunitTable)


class Tables:
    """report.csv, report.xlsx and junit.xml written together, a body at a time (`add`), in
    one pass; `close` with the report's head (its summary and run) puts them in place,
    `discard` leaves none. Their scratch files are in a temporary directory of `out_dir`."""

    def __init__(
        self,
        checks: list[dict],
        out_dir: str,
        lang: str = "ru",
        kinds=TABLES,
        policy: dict | None = None,
    ):
        self.checks = {c["id"]: c for c in checks}
        self.policy = policy or {}
        self.lang = lang
        self.scratch = tempfile.TemporaryDirectory(dir=out_dir, prefix=".tables-")
        self.tables = [kind(out_dir, lang, self.scratch.name) for kind in kinds]
        self.keys = [c[0] for c in FINDING_COLUMNS]

    def add(self, e: dict) -> None:
        for row in entity_finding_rows(e, self.checks, self.lang, self.policy):
            safe = [safe_cell(row[k]) for k in self.keys]  # once for the CSV and the XLSX
            for table in self.tables:
                table.finding(row, safe)
        for table in self.tables:
            table.body(e)

    def close(self, report: dict) -> list[str]:
        try:
            return [table.close(report) for table in self.tables]
        finally:
            self.scratch.cleanup()

    def discard(self) -> None:
        for table in self.tables:
            table.discard()
        self.scratch.cleanup()


def write_tables(report: dict, out_dir: str, lang: str = "ru", kinds=TABLES) -> list[str]:
    """report.csv, report.xlsx and junit.xml in one pass over the bodies."""
    tables = Tables(report["checks"], out_dir, lang, kinds, report["run"].get("policy"))
    try:
        for e in report["entities"]:
            tables.add(e)
    except BaseException:
        tables.discard()
        raise
    return tables.close(report)


def write_csv(report: dict, out_dir: str, lang: str = "ru") -> str:
    return write_tables(report, out_dir, lang, (CsvTable,))[0]


def write_xlsx(report: dict, out_dir: str, lang: str = "ru") -> str:
    return write_tables(report, out_dir, lang, (XlsxTable,))[0]


def write_junit(report: dict, out_dir: str, lang: str = "ru") -> str:
    return write_tables(report, out_dir, lang, (JunitTable,))[0]


def _xml(text: str) -> str:
    return _UNSAFE.sub("", text or "")


# what ElementTree escapes in an attribute value besides & < > (the value is written between
# double quotes; line breaks and tabs survive as character references)
_ATTR_ENTITIES = {'"': "&quot;", "\r": "&#13;", "\n": "&#10;", "\t": "&#09;"}


def _attr(text: str) -> str:
    """A quoted XML attribute value, escaped as ElementTree escapes it."""
    return f'"{escape(_xml(text), _ATTR_ENTITIES)}"'
