"""Flat outputs of a report: report.csv, report.xlsx (openpyxl) and junit.xml.

Cells hold text written by others (page names, messages quoting them), so every text cell is
made inert for spreadsheets: a value starting with = + - @ (or a tab or carriage return, which
some programs strip first) gets a leading apostrophe, the OWASP advice against formula
injection; characters XML cannot carry are dropped; cells are cut at Excel's 32 767 characters.
"""

from __future__ import annotations

import csv
import os
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

from audit.report.html import INVISIBLE, LABELS, inert, status_key

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# what inert() drops and what XML cannot carry, in one pass
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
    if not isinstance(value, str):
        return value
    value = _UNSAFE.sub("", value)
    if value.startswith(FORMULA_START):
        value = "'" + value
    return value if len(value) <= CELL_LIMIT else value[:CELL_LIMIT]


def finding_rows(report: dict, lang: str = "ru") -> Iterator[dict]:
    checks = {c["id"]: c for c in report["checks"]}
    labels = LABELS[lang]["status"]
    for e in report["entities"]:
        evidence = {ev["id"]: ev for ev in e["evidence"]}
        for f in e["findings"]:
            c = checks.get(f["check"], {})
            cited = [evidence[i] for i in f.get("evidence") or [] if i in evidence]
            yield {
                "entity_id": e["id"],
                "name": e["name"],
                "kind": e["kind"],
                "region": e.get("region") or "",
                "parent": e.get("parent") or "",
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


def body_rows(report: dict, lang: str = "ru") -> Iterator[dict]:
    labels = LABELS[lang]["body_status"]
    for e in report["entities"]:
        chosen = (e.get("observations") or {}).get("chosen") or {}
        fails = [f for f in e["findings"] if f["status"] == "fail"]
        yield {
            "entity_id": e["id"],
            "name": e["name"],
            "kind": e["kind"],
            "region": e.get("region") or "",
            "parent": e.get("parent") or "",
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


def write_csv(report: dict, out_dir: str, lang: str = "ru") -> str:
    """report.csv: one row per finding, UTF-8, comma-separated; the header row holds the
    stable column keys (scripts rely on them), the texts are in `lang`."""
    path = Path(out_dir) / "report.csv"
    tmp = _atomic(path)
    with tmp.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow([c[0] for c in FINDING_COLUMNS])
        for row in finding_rows(report, lang):
            writer.writerow([safe_cell(row[c[0]]) for c in FINDING_COLUMNS])
    os.replace(tmp, path)
    return str(path)


def write_xlsx(report: dict, out_dir: str, lang: str = "ru") -> str:
    """report.xlsx: sheets `findings` (what needs attention: every finding but pass and n/a,
    the to-do list to send around) and `bodies` (every body), filters on, header frozen.
    report.csv holds every finding."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    path = Path(out_dir) / "report.xlsx"
    index = 1 if lang == "ru" else 2
    wb = Workbook(write_only=True)  # streamed: memory and time linear in the rows
    attention = (r for r in finding_rows(report, lang) if r["status"] not in QUIET_STATUSES)
    sheets = (
        ("findings", FINDING_COLUMNS, attention),
        ("bodies", BODY_COLUMNS, body_rows(report, lang)),
    )
    bold = Font(bold=True)
    for title, columns, rows in sheets:
        ws = wb.create_sheet(title)
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
        count = 1
        keys = [c[0] for c in columns]
        for row in rows:
            if count == SHEET_ROWS:  # Excel opens no more: say where the rest is
                note = LABELS[lang]["sheet_full"]
                ws.append([note.format(csv="report.csv")])
                break
            # plain values: safe_cell leaves no text starting with "=", so none is a formula
            ws.append([safe_cell(row[k]) for k in keys])
            count += 1
        ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{count}"
    tmp = _atomic(path)
    wb.save(tmp)
    os.replace(tmp, path)
    return str(path)


def write_junit(report: dict, out_dir: str, lang: str = "ru") -> str:
    """junit.xml: a test case per body × check. A violation is a failure, a failed warning
    passes with the warning in its output, `error` is an error, n/a and waived are skipped.
    Written case by case; the suite's counts come from the report's summary."""
    path = Path(out_dir) / "junit.xml"
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
    tmp = _atomic(path)
    with tmp.open("w", encoding="utf-8") as fh:
        fh.write("<?xml version='1.0' encoding='utf-8'?>\n")
        fh.write('<testsuites name="pages-audit">' + opening)
        for r in finding_rows(report, lang):
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
            fh.write(ET.tostring(case, encoding="unicode"))
        fh.write("</testsuite></testsuites>\n")
    os.replace(tmp, path)
    return str(path)


def _xml(text: str) -> str:
    return _XML_ILLEGAL.sub("", inert(text or ""))


def write_tables(report: dict, out_dir: str, lang: str = "ru") -> list[str]:
    return [
        write_csv(report, out_dir, lang),
        write_xlsx(report, out_dir, lang),
        write_junit(report, out_dir, lang),
    ]
