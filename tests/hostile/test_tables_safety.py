"""CSV, XLSX and JUnit outputs carry attacker-written text without formulas or broken XML."""

from __future__ import annotations

import csv
import xml.etree.ElementTree as ET

from openpyxl import load_workbook

from audit.report.tables import safe_cell, write_csv, write_junit, write_xlsx

EVIL = [
    '=HYPERLINK("http://evil.test","x")',
    "+1+1",
    "-2+3",
    "@SUM(A1:A9)",
    "\t=cmd",
    "\r=cmd",
    "ok \u202eтекст\x07\x00",
]


def report() -> dict:
    findings = [
        {
            "key": f"page.name_matches[vk]{n}",
            "check": "page.name_matches",
            "platform": "vk",
            "status": "fail",
            "severity": "warning",
            "message_ru": text,
            "message_en": text,
            "evidence": [],
        }
        for n, text in enumerate(EVIL)
    ]
    return {
        "run": {"started_at": "2026-11-23T00:00:00+00:00"},
        "summary": {"by_status": {"fail": len(findings)}, "violations": 0},
        "checks": [{"id": "page.name_matches", "legal_basis_ru": "=x", "remediation_ru": "@y"}],
        "entities": [
            {
                "id": "1",
                "name": "=Орган",
                "kind": "court",
                "region": "-Р",
                "findings": findings,
                "evidence": [],
                "status": "warning",
            }
        ],
    }


def test_safe_cell():
    assert safe_cell("=1+1") == "'=1+1" and safe_cell("@x") == "'@x"
    assert safe_cell("Администрация") == "Администрация" and safe_cell(5) == 5
    assert safe_cell("a\u202eb\x00c") == "abc"
    assert len(safe_cell("Ж" * 40000)) == 32767


def test_csv_xlsx_junit_hold_no_formulas(tmp_path):
    write_csv(report(), tmp_path)
    rows = list(csv.DictReader((tmp_path / "report.csv").open(encoding="utf-8")))
    texts = [r["message"] for r in rows] + [rows[0]["name"], rows[0]["region"]]
    assert all(not t.startswith(("=", "+", "-", "@", "\t", "\r")) for t in texts)
    assert rows[-1]["message"] == "ok текст"
    write_xlsx(report(), tmp_path)
    wb = load_workbook(tmp_path / "report.xlsx")
    for ws in wb.worksheets:
        for row in ws.iter_rows(min_row=2):
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
    write_junit(report(), tmp_path)
    root = ET.parse(tmp_path / "junit.xml").getroot()  # well-formed despite \x00 and \x07
    assert root[0].get("tests") == str(len(EVIL))


def test_junit_attributes_and_texts_come_back_as_written(tmp_path):
    """Cases are written as text, not through ElementTree: quotes, ampersands, angle brackets,
    line breaks and tabs in names and messages survive a parser's reading unchanged."""
    text = "a \"b\" & <c> 'd'\nline\tcol ]]> </testcase>"
    doc = report()
    entity = doc["entities"][0]
    entity["name"] = text
    entity["findings"] = [
        {**entity["findings"][0], "status": status, "severity": severity, "message_ru": text}
        for status, severity in (("error", "violation"), ("fail", "violation"), ("n/a", "info"))
    ]
    write_junit(doc, tmp_path)
    cases = ET.parse(tmp_path / "junit.xml").getroot()[0].findall("testcase")
    assert [c.get("classname") for c in cases] == [f"1 {text}"] * 3
    assert cases[0].find("error").get("message") == text
    failure = cases[1].find("failure")
    assert failure.get("message") == text and failure.get("type") == "violation"
    assert failure.text.startswith("=x\n@y")
    assert cases[2].find("skipped").get("message") == text
