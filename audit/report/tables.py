"""Flat outputs of a report, written together in one pass over the findings: report.csv
(the machine format), report.xlsx (for people: report.xlsx) and junit.xml. Cells hold text
written by others (page names, messages quoting them): see report.cells for how every text
cell is made inert."""

from __future__ import annotations

import csv
import io
import os
import shutil
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path
from xml.sax.saxutils import escape

from audit.report.atomic import exclusive, replaced
from audit.report.cells import _UNSAFE, entity_finding_rows, safe_cell
from audit.report.xlsx import XlsxTable

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
    ("evidence", "Доказательства (адрес, код ответа, время UTC, SHA-256)", "Evidence"),
)


class CsvTable:
    """report.csv: one row per finding, UTF-8, comma-separated; the header row holds the
    stable column keys (scripts rely on them), the texts are in `lang`."""

    def __init__(self, out_dir: str, lang: str, tmpdir: str, checks: dict):
        self.path = Path(out_dir) / "report.csv"
        self.fh, self.tmp = exclusive(self.path, "w", encoding="utf-8", newline="")
        self.writer = csv.writer(self.fh)
        self.writer.writerow([c[0] for c in FINDING_COLUMNS])

    def prepare(self, entity: dict, rows: list[tuple[dict, list]]) -> str:
        """The body's lines of the file."""
        text = io.StringIO()
        csv.writer(text).writerows(safe for _, safe in rows)
        return text.getvalue()

    def put(self, lines: str) -> None:
        self.fh.write(lines)

    def close(self, report: dict) -> str:
        self.fh.close()
        os.replace(self.tmp, self.path)
        return str(self.path)

    def discard(self) -> None:
        self.fh.close()
        self.tmp.unlink(missing_ok=True)


class JunitTable:
    """junit.xml: a test case per body × check. A violation is a failure, a failed warning
    passes with the warning in its output, `error` is an error, n/a and waived are skipped.
    Written case by case to a file of its own; the suite's element, whose counts come from
    the report's summary, is put in front of them at the end."""

    def __init__(self, out_dir: str, lang: str, tmpdir: str, checks: dict):
        self.path = Path(out_dir) / "junit.xml"
        self.cases = Path(tmpdir) / "junit.cases"
        self.fh = self.cases.open("w", encoding="utf-8")

    def prepare(self, entity: dict, rows: list[tuple[dict, list]]) -> str:
        """The body's test cases."""
        return "".join(_case(r) for r, _ in rows)

    def put(self, cases: str) -> None:
        self.fh.write(cases)

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


TABLES = (CsvTable, XlsxTable, JunitTable)  # one line a table-like format


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
        self.tables = [kind(out_dir, lang, self.scratch.name, self.checks) for kind in kinds]
        self.keys = [c[0] for c in FINDING_COLUMNS]

    def add(self, e: dict) -> None:
        self.put(self.prepare(e))

    def prepare(self, e: dict) -> list:
        """Each table's part of the body, made without the bodies before it (see Sink)."""
        rows = [
            (row, [safe_cell(row[k]) for k in self.keys])  # once for the CSV and the XLSX
            for row in entity_finding_rows(e, self.checks, self.lang, self.policy)
        ]
        return [table.prepare(e, rows) for table in self.tables]

    def put(self, prepared: list) -> None:
        for table, part in zip(self.tables, prepared, strict=True):
            table.put(part)

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


def _case(r: dict) -> str:
    """A finding's test case."""
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
    return f"{opening}>{inner}</testcase>" if inner else f"{opening} />"
