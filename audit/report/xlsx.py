"""report.xlsx, the workbook for people (report.csv is the machine format: keys and codes).

Three sheets: «Сводка» first (the headline figures with their denominators, per region, per
municipal district), then the to-do list (every finding but pass and n/a) and every body. The
words are the report's (kinds, results, severities, platforms, requirement titles), dates are
Excel dates in Moscow time, filters are on and headers frozen. Written row by row
(XlsxWriter's constant-memory mode: each sheet streams to a file of its own; 3-4 times faster
than openpyxl's write-only mode); the summary sheet is filled at `close`, when the figures are
known. Every text is written as the text it is (no conversion to formulas, URLs or numbers) and
made inert (cells.safe_cell)."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

from audit.model import KIND_TITLES_RU
from audit.platforms import name_en, name_ru, platforms
from audit.report.atomic import exclusive
from audit.report.bodyindex import districts, indexer
from audit.report.cells import SHEET_ROWS, body_row, safe_cell
from audit.report.labels import LABELS
from audit.report.readable import evidence_rows
from audit.report.render import MSK, msk
from audit.summary import compliance

QUIET_STATUSES = ("pass", "n/a")  # left out of the findings sheet (report.csv has them)
SHEETS = {
    "ru": ("Сводка", "Нарушения и замечания", "Органы"),
    "en": ("summary", "findings", "bodies"),
}
WIDE = {"message": 70, "legal_basis": 50, "remediation": 50, "evidence": 60, "name": 45}
NARROW = {"entity_id": 14, "kind": 22, "result": 24, "severity": 14, "failing_since": 17}
WORDS = {
    "ru": {
        "severity": {"violation": "нарушение", "warning": "замечание", "info": "к сведению"},
        "columns": {
            "entity_id": "Идентификатор",
            "name": "Орган",
            "kind": "Вид",
            "region": "Регион",
            "parent": "Вышестоящий орган",
            "check": "Требование",
            "platform": "Соцсеть",
            "result": "Результат",
            "severity": "Важность",
            "message": "Что выявлено",
            "failing_since": "Не соответствует с (МСК)",
            "legal_basis": "Правовое основание",
            "remediation": "Что сделать",
            "evidence": "Доказательства (адрес, как получено, время МСК, SHA-256)",
            "website": "Сайт",
            "status": "Итог",
            "violations": "Нарушений",
            "warnings": "Замечаний",
            "errors": "Не удалось проверить",
        },
        "of": "из",
        "figures": "Итоги проверки",
        "window": "Проверка",
        "district": "Муниципальный район (округ)",
        "share": "Доля без нарушений среди проверенных полностью",
        "figure_notes": "«Не удалось проверить полностью» — не нарушение: сайт или страница не "
        "ответили так, чтобы вывод был достоверным. Доля без нарушений считается среди органов, "
        "проверенных полностью.",
    },
    "en": {
        "severity": {"violation": "violation", "warning": "warning", "info": "note"},
        "columns": {
            "entity_id": "Id",
            "name": "Body",
            "kind": "Kind",
            "region": "Region",
            "parent": "Parent",
            "check": "Requirement",
            "platform": "Platform",
            "result": "Result",
            "severity": "Severity",
            "message": "Finding",
            "failing_since": "Failing since (MSK)",
            "legal_basis": "Legal basis",
            "remediation": "Remediation",
            "evidence": "Evidence (address, how it was read, time MSK, SHA-256)",
            "website": "Website",
            "status": "Result",
            "violations": "Violations",
            "warnings": "Warnings",
            "errors": "Not checked",
        },
        "of": "of",
        "figures": "Results",
        "window": "Audit",
        "district": "Municipal district (okrug)",
        "share": "Share without violations among the fully checked",
        "figure_notes": "'Not fully checked' is no violation: a site or page did not answer so "
        "that a conclusion could be trusted. The share is taken among fully checked bodies.",
    },
}
FINDING_KEYS = (
    "entity_id",
    "name",
    "kind",
    "region",
    "parent",
    "check",
    "platform",
    "result",
    "severity",
    "message",
    "failing_since",
    "legal_basis",
    "remediation",
    "evidence",
)
BODY_STATUSES = ("compliant", "violation", "warning", "incomplete")


def msk_datetime(iso: str) -> datetime | None:
    """A UTC ISO time as Moscow wall time, as Excel keeps dates (without a zone)."""
    try:
        return datetime.fromisoformat(iso).astimezone(MSK).replace(tzinfo=None)
    except (TypeError, ValueError):
        return None


class XlsxTable:
    """One of the tables written in one pass (see tables.Tables): `finding` per finding row,
    `body` per body, `close` with the report's head."""

    def __init__(self, out_dir: str, lang: str, tmpdir: str, checks: dict[str, dict]):
        import xlsxwriter

        self.path = Path(out_dir) / "report.xlsx"
        self.fh, self.tmp = exclusive(self.path, "wb")
        self.lang, self.checks = lang, checks
        self.words = WORDS[lang]
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
        self.bold = self.wb.add_format({"bold": True})
        self.title = self.wb.add_format({"bold": True, "font_size": 14})
        self.date = self.wb.add_format({"num_format": "dd.mm.yyyy hh:mm"})
        self.percent = self.wb.add_format({"num_format": "0.0%"})
        self.wrap = self.wb.add_format({"text_wrap": True, "valign": "top"})
        summary, findings, bodies = SHEETS[lang]
        self.summary = self.wb.add_worksheet(summary)
        body_keys = [
            "entity_id",
            "name",
            "kind",
            "region",
            "parent",
            "website",
            *(p.key for p in platforms()),
            "status",
            "violations",
            "warnings",
            "errors",
        ]
        self.sheets = {
            "findings": self._sheet(findings, list(FINDING_KEYS)),
            "bodies": self._sheet(bodies, body_keys),
        }
        self.names: dict[str, str] = {}  # bodies seen so far: a parent is named when known
        self.index = []
        self.entry = indexer()

    def _sheet(self, title: str, keys: list[str]) -> list:
        ws = self.wb.add_worksheet(title)
        ws.freeze_panes(1, 0)
        columns = self.words["columns"]
        names = {p.key: (p.name_ru if self.lang == "ru" else p.name_en) for p in platforms()}
        for n, key in enumerate(keys):
            width = WIDE.get(key) or NARROW.get(key) or (40 if key in names else 26)
            ws.set_column(n, n, width, self.wrap if key in WIDE else None)
        ws.write_row(0, 0, [columns.get(k) or names[k] for k in keys], self.bold)
        return [ws, keys, 1]  # sheet, keys, rows written

    def _append(self, sheet: list, row: dict) -> None:
        ws, keys, count = sheet
        if count > SHEET_ROWS:
            return
        if count == SHEET_ROWS:  # Excel opens no more: say where the rest is
            ws.write_string(count, 0, LABELS[self.lang]["sheet_full"].format(csv="report.csv"))
        else:
            for col, key in enumerate(keys):
                value = row.get(key)
                if isinstance(value, datetime):
                    ws.write_datetime(count, col, value, self.date)
                elif isinstance(value, str):
                    if value:
                        ws.write_string(count, col, safe_cell(value))
                elif value is not None:
                    ws.write(count, col, safe_cell(value))
        sheet[2] += 1

    def _kind(self, kind: str) -> str:
        return KIND_TITLES_RU.get(kind, kind) if self.lang == "ru" else kind

    def _parent(self, parent: str) -> str:
        name = self.names.get(parent)
        return f"{name} ({parent})" if name else parent

    def prepare(self, entity: dict, rows: list[tuple[dict, list]]) -> tuple:
        """The body's rows of both sheets but their «parent» (named from the bodies before)."""
        evidence = {ev["id"]: ev for ev in entity.get("evidence") or ()}
        body = body_row(entity, self.lang)
        body["kind"] = self._kind(body["kind"])
        findings = [
            self._finding(row, entity, evidence)
            for row, _ in rows
            if row["status"] not in QUIET_STATUSES
        ]
        return entity["id"], entity["name"], self.entry(entity), body, findings

    def put(self, prepared: tuple) -> None:
        body_id, name, entry, body, findings = prepared
        self.names[body_id] = name
        self.index.append(entry)
        for sheet, row in ((self.sheets["bodies"], body),
                           *((self.sheets["findings"], f) for f in findings)):  # fmt: skip
            row["parent"] = self._parent(row["parent"])
            self._append(sheet, row)

    def _finding(self, row: dict, entity: dict, evidence: dict) -> dict:
        check = self.checks.get(row["check_id"], {})
        platform = row["platform"]
        title = check.get(f"title_{self.lang}") or row["check"]
        if platform and check.get("per_platform"):
            title += f" — {name_ru(platform) if self.lang == 'ru' else name_en(platform)}"
        human = {
            **row,
            "kind": self._kind(row["kind"]),
            "check": title,
            "platform": (name_ru(platform) if self.lang == "ru" else name_en(platform))
            if platform
            else "",
            "severity": self.words["severity"].get(row["severity"], row["severity"]),
            "failing_since": msk_datetime(row["failing_since"]) or "",
            "evidence": self._evidence(row["finding"], entity, evidence),
        }
        del human["finding"]  # the body's own structure: not kept while the row waits
        return human

    def _evidence(self, finding: dict, entity: dict, evidence: dict) -> str:
        """The finding's evidence as the HTML report tells it: the page's own address, how it
        was read in words, Moscow time, SHA-256."""
        rows = evidence_rows(finding, entity, evidence, self.lang)
        return "; ".join(
            " — ".join(
                part
                for part in (r["url"], r["how"], msk(r["fetched_at"]), r["sha256"] or "")
                if part
            )
            for r in rows
        )

    def _write_summary(self, report: dict) -> None:
        ws, w, t = self.summary, self.words, LABELS[self.lang]
        summary = report.get("summary") or {}
        run = report.get("run") or {}
        ws.set_column(0, 0, 48)
        ws.set_column(1, 6, 16)
        ws.write_string(0, 0, t["title"], self.title)
        started, finished = (
            msk_datetime(run.get("started_at")),
            msk_datetime(run.get("finished_at")),
        )
        ws.write_string(1, 0, w["window"])
        if started:
            ws.write_datetime(1, 1, started, self.date)
        if finished:
            ws.write_datetime(1, 2, finished, self.date)
        total = summary.get("bodies", 0)
        counts = summary.get("by_body_status") or {}
        ws.write_string(3, 0, w["figures"], self.bold)
        ws.write_row(4, 0, [t["bodies"], total])
        for n, status in enumerate(BODY_STATUSES):
            ws.write_row(5 + n, 0, [t[status], counts.get(status, 0), w["of"], total])
        ws.write_string(10, 0, w["figure_notes"], self.wrap)
        row = 12
        header = [t["region"], t["bodies"], t["compliant"], t["violation"], t["warning"],
                  t["incomplete"], w["share"]]  # fmt: skip
        ws.write_row(row, 0, header, self.bold)
        for region, c in (summary.get("per_region") or {}).items():
            row += 1
            values = [c.get(s, 0) for s in BODY_STATUSES]
            ws.write_row(row, 0, [safe_cell(region), c.get("bodies", 0), *values])
            self._share(row, 6, compliance(values[0] + values[2], values[1]))
        found = districts(self.index)
        if found:
            row += 2
            ws.write_row(
                row, 0, [w["district"], t["bodies"], t["violation"], w["share"]], self.bold
            )
            for d in sorted(found, key=lambda d: d["name"]):
                row += 1
                ws.write_row(row, 0, [safe_cell(d["name"]), len(d["bodies"]), d["violation"]])
                self._share(row, 3, d["compliance"])

    def _share(self, row: int, col: int, percent: float | None) -> None:
        """A share without violations (summary.compliance) as an Excel percentage."""
        if percent is None:
            self.summary.write_string(row, col, "—")
        else:
            self.summary.write_number(row, col, percent / 100, self.percent)

    def close(self, report: dict) -> str:
        self._write_summary(report)
        for ws, keys, count in self.sheets.values():
            ws.autofilter(0, 0, min(count, SHEET_ROWS) - 1, len(keys) - 1)
        self.summary.activate()
        self.wb.close()
        self.fh.close()
        os.replace(self.tmp, self.path)
        return str(self.path)

    def discard(self) -> None:
        """The sheets' row files are in the writer's temporary directory; the file begun
        beside report.xlsx goes."""
        self.fh.close()
        self.tmp.unlink(missing_ok=True)
