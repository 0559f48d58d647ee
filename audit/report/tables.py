"""Flat outputs of a report: report.csv, report.xlsx (openpyxl) and junit.xml.

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
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

from audit.report.html import INVISIBLE, LABELS, status_key

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
BODY_COLUMNS = (
    ("entity_id", "Идентификатор", "Id"),
    ("name", "Орган", "Body"),
    ("kind", "Вид", "Kind"),
    ("region", "Регион", "Region"),
    ("parent", "Вышестоящий орган", "Parent"),
    ("website", "Сайт", "Website"),
    ("vk", "ВКонтакте", "VK"),
    ("ok", "Одноклассники", "OK"),
    ("status", "Итог", "Result"),
    ("violations", "Нарушений", "Violations"),
    ("warnings", "Замечаний", "Warnings"),
    ("errors", "Не удалось проверить", "Not checked"),
)


def safe_cell(value):
    """A value that a spreadsheet shows as the text it is, never runs."""
    return _safe_text(value) if isinstance(value, str) else value


@functools.lru_cache(maxsize=8192)
def _safe_text(value: str) -> str:
    """Remembered: a report repeats most cell texts (a body's name on each of its rows, a
    check's legal basis and remedy on thousands of rows)."""
    value = _UNSAFE.sub("", value)
    if value.startswith(FORMULA_START):
        value = "'" + value
    return value if len(value) <= CELL_LIMIT else value[:CELL_LIMIT]


def finding_rows(report: dict, lang: str = "ru") -> Iterator[dict]:
    checks = {c["id"]: c for c in report["checks"]}
    for e in report["entities"]:
        yield from entity_finding_rows(e, checks, lang)


def entity_finding_rows(e: dict, checks: dict[str, dict], lang: str = "ru") -> Iterator[dict]:
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
            "legal_basis": c.get(f"legal_basis_{lang}", ""),
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
        "vk": (chosen.get("vk") or {}).get("url", ""),
        "ok": (chosen.get("ok") or {}).get("url", ""),
        "status": labels.get(e["status"], e["status"]),
        "violations": sum(1 for f in fails if f["severity"] == "violation"),
        "warnings": sum(1 for f in fails if f["severity"] != "violation"),
        "errors": sum(1 for f in e["findings"] if f["status"] == "error"),
    }


def _atomic(path: Path):
    return path.with_name(path.name + ".tmp")


class CsvTable:
    """report.csv: one row per finding, UTF-8, comma-separated; the header row holds the
    stable column keys (scripts rely on them), the texts are in `lang`."""

    def __init__(self, report: dict, out_dir: str, lang: str):
        self.path = Path(out_dir) / "report.csv"
        self.tmp = _atomic(self.path)
        self.fh = self.tmp.open("w", encoding="utf-8", newline="")
        self.writer = csv.writer(self.fh)
        self.writer.writerow([c[0] for c in FINDING_COLUMNS])
        self.keys = [c[0] for c in FINDING_COLUMNS]

    def finding(self, row: dict) -> None:
        self.writer.writerow([safe_cell(row[k]) for k in self.keys])

    def body(self, entity: dict) -> None:
        pass

    def close(self) -> str:
        self.fh.close()
        os.replace(self.tmp, self.path)
        return str(self.path)


class XlsxTable:
    """report.xlsx: sheets `findings` (what needs attention: every finding but pass and n/a,
    the to-do list to send around) and `bodies` (every body), filters on, header frozen.
    report.csv holds every finding. Both sheets are streamed (openpyxl write-only)."""

    def __init__(self, report: dict, out_dir: str, lang: str):
        from openpyxl import Workbook
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Font
        from openpyxl.utils import get_column_letter

        self.path = Path(out_dir) / "report.xlsx"
        self.lang = lang
        self.letter = get_column_letter
        self.wb = Workbook(write_only=True)
        index = 1 if lang == "ru" else 2
        bold = Font(bold=True)
        self.sheets = {}
        for title, columns in (("findings", FINDING_COLUMNS), ("bodies", BODY_COLUMNS)):
            ws = self.wb.create_sheet(title)
            ws.freeze_panes = "A2"
            for n, (key, *_names) in enumerate(columns, 1):
                width = 60 if key in ("message", "legal_basis", "remediation", "evidence") else 24
                ws.column_dimensions[get_column_letter(n)].width = width
            header = []
            for c in columns:
                cell = WriteOnlyCell(ws, value=c[index])
                cell.font = bold
                header.append(cell)
            ws.append(header)
            self.sheets[title] = [ws, [c[0] for c in columns], 1]  # sheet, keys, rows

    def _append(self, title: str, row: dict) -> None:
        sheet = self.sheets[title]
        ws, keys, count = sheet
        if count > SHEET_ROWS:
            return
        if count == SHEET_ROWS:  # Excel opens no more: say where the rest is
            ws.append([LABELS[self.lang]["sheet_full"].format(csv="report.csv")])
        else:  # plain values: safe_cell leaves no text starting with "=": none is a formula
            ws.append([safe_cell(row[k]) for k in keys])
        sheet[2] += 1

    def finding(self, row: dict) -> None:
        if row["status"] not in QUIET_STATUSES:
            self._append("findings", row)

    def body(self, entity: dict) -> None:
        self._append("bodies", body_row(entity, self.lang))

    def close(self) -> str:
        for ws, keys, count in self.sheets.values():
            ws.auto_filter.ref = f"A1:{self.letter(len(keys))}{min(count, SHEET_ROWS)}"
        tmp = _atomic(self.path)
        self.wb.save(tmp)
        os.replace(tmp, self.path)
        return str(self.path)


class JunitTable:
    """junit.xml: a test case per body × check. A violation is a failure, a failed warning
    passes with the warning in its output, `error` is an error, n/a and waived are skipped.
    Written case by case; the suite's counts come from the report's summary."""

    def __init__(self, report: dict, out_dir: str, lang: str):
        self.path = Path(out_dir) / "junit.xml"
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
        self.tmp = _atomic(self.path)
        self.fh = self.tmp.open("w", encoding="utf-8")
        self.fh.write("<?xml version='1.0' encoding='utf-8'?>\n")
        self.fh.write('<testsuites name="pages-audit">' + opening)

    def finding(self, r: dict) -> None:
        case = ET.Element(
            "testcase",
            classname=_xml(f"{r['entity_id']} {r['name']}"[:300]),
            name=_xml(r["check"]),
        )
        message = _xml(r["message"])
        if r["status"] == "fail" and r["severity"] == "violation":
            node = ET.SubElement(case, "failure", message=message[:1000], type="violation")
            node.text = _xml(f"{r['legal_basis']}\n{r['remediation']}\n{r['evidence']}")
        elif r["status"] == "fail":
            ET.SubElement(case, "system-out").text = f"{r['severity']}: {message}"
        elif r["status"] == "error":
            ET.SubElement(case, "error", message=message[:1000], type="not-checked")
        elif r["status"] in ("n/a", "waived"):
            ET.SubElement(case, "skipped", message=message[:1000])
        self.fh.write(ET.tostring(case, encoding="unicode"))

    def body(self, entity: dict) -> None:
        pass

    def close(self) -> str:
        self.fh.write("</testsuite></testsuites>\n")
        self.fh.close()
        os.replace(self.tmp, self.path)
        return str(self.path)


def write_tables(report: dict, out_dir: str, lang: str = "ru", kinds=None) -> list[str]:
    """report.csv, report.xlsx and junit.xml in one pass over the bodies."""
    checks = {c["id"]: c for c in report["checks"]}
    tables = [k(report, out_dir, lang) for k in (kinds or (CsvTable, XlsxTable, JunitTable))]
    for e in report["entities"]:
        for row in entity_finding_rows(e, checks, lang):
            for table in tables:
                table.finding(row)
        for table in tables:
            table.body(e)
    return [table.close() for table in tables]


def write_csv(report: dict, out_dir: str, lang: str = "ru") -> str:
    return write_tables(report, out_dir, lang, (CsvTable,))[0]


def write_xlsx(report: dict, out_dir: str, lang: str = "ru") -> str:
    return write_tables(report, out_dir, lang, (XlsxTable,))[0]


def write_junit(report: dict, out_dir: str, lang: str = "ru") -> str:
    return write_tables(report, out_dir, lang, (JunitTable,))[0]


def _xml(text: str) -> str:
    return _UNSAFE.sub("", text or "")
