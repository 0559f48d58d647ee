"""report.xlsx is for people: Russian words, real dates in Moscow time, the parent's name, and a
first sheet «Сводка» with the headline figures and their denominators."""

from __future__ import annotations

from datetime import datetime

from openpyxl import load_workbook

from audit.checks import catalogue
from audit.report.tables import write_xlsx


def finding(key: str, check: str, status: str, severity: str, platform=None, since=None, ev=()):
    return {
        "key": key,
        "check": check,
        "platform": platform,
        "status": status,
        "severity": severity,
        "message_ru": f"Сообщение о {key}",
        "message_en": f"Message about {key}",
        "evidence": list(ev),
        **({"failing_since": since} if since else {}),
    }


def body(ident, name, kind, status, findings, parent=None):
    return {
        "id": ident,
        "name": name,
        "kind": kind,
        "region": "Демонстрационная область",
        "parent": parent,
        "website": f"https://{ident}.ru",
        "status": status,
        "findings": findings,
        "evidence": [],
        "observations": {"chosen": {"vk": {"url": "https://vk.com/adm"}}},
    }


def report() -> dict:
    district = body("d1", "Администрация Южного района", "municipal_district", "compliant", [])
    village = body(
        "s1",
        "Администрация Лесного сельского поселения",
        "rural_settlement",
        "violation",
        [
            finding("site.exists", "site.exists", "fail", "violation"),
            finding(
                "page.gov_mark[vk]",
                "page.gov_mark",
                "fail",
                "warning",
                "vk",
                "2026-11-20T21:30:00+00:00",
                ["e1"],
            ),
            finding("page.exists.ok", "page.exists.ok", "error", "violation", "ok"),
            finding("site.tls", "site.tls", "pass", "warning"),
        ],
        parent="d1",
    )
    village["evidence"] = [
        {
            "id": "e1",
            "url": "https://api.vk.com/method/execute",
            "request": "execute groups.getById group_ids=adm",
            "status": 200,
            "fetched_at": "2026-11-23T00:01:00+00:00",
            "sha256": "ab" * 32,
        }
    ]
    unread = body("s2", "Администрация Озерков", "rural_settlement", "incomplete", [], "d1")
    return {
        "checks": [c.to_json() for c in catalogue()],
        "run": {
            "policy": {},
            "started_at": "2026-11-23T00:00:00+00:00",
            "finished_at": "2026-11-23T00:10:00+00:00",
        },
        "summary": {
            "bodies": 3,
            "by_body_status": {"compliant": 1, "violation": 1, "incomplete": 1},
            "per_region": {
                "Демонстрационная область": {
                    "bodies": 3,
                    "compliant": 1,
                    "violation": 1,
                    "incomplete": 1,
                }
            },
        },
        "entities": [district, village, unread],
    }


def test_the_workbook_speaks_russian_with_real_dates(tmp_path):
    wb = load_workbook(write_xlsx(report(), str(tmp_path)))
    assert wb.sheetnames == ["Сводка", "Нарушения и замечания", "Органы"]
    findings = wb["Нарушения и замечания"]
    header = [c.value for c in findings[1]]
    rows = [
        dict(zip(header, r, strict=True)) for r in findings.iter_rows(min_row=2, values_only=True)
    ]
    assert len(rows) == 3  # the passed finding is not on the to-do list
    mark = next(r for r in rows if r["Соцсеть"] == "ВКонтакте")
    assert mark["Вид"] == "сельское поселение"
    assert mark["Требование"] == (
        "Отметка «госорганизация» (подтверждение через Госуслуги) — ВКонтакте"
    )
    assert mark["Важность"] == "замечание" and mark["Результат"] == "замечание"
    assert mark["Вышестоящий орган"] == "Администрация Южного района (d1)"
    assert mark["Доказательства (адрес, как получено, время МСК, SHA-256)"] == (
        "https://vk.com/adm — через программный интерфейс «ВКонтакте»: сведения о сообществе — "
        f"23.11.2026 03:01:00 — {'ab' * 32}"
    )
    since = mark["Не соответствует с (МСК)"]
    assert since == datetime(2026, 11, 21, 0, 30)  # 21:30 UTC is 00:30 in Moscow
    cell = next(c for c in findings[rows.index(mark) + 2] if c.value == since)
    assert cell.number_format == "dd.mm.yyyy hh:mm"
    site = next(r for r in rows if r["Требование"] == "Наличие и доступность официального сайта")
    assert site["Важность"] == "нарушение" and site["Соцсеть"] is None
    codes = {"fail", "error", "warning", "violation", "rural_settlement", "vk", "ok"}
    for r in rows:
        assert not codes & {str(v) for v in r.values()}, r
    bodies = wb["Органы"]
    kinds = [r[2] for r in bodies.iter_rows(min_row=2, values_only=True)]
    assert kinds == ["муниципальный район", "сельское поселение", "сельское поселение"]


def test_the_summary_sheet_shows_each_figure_with_its_denominator(tmp_path):
    wb = load_workbook(write_xlsx(report(), str(tmp_path)))
    summary = wb["Сводка"]
    assert wb.active.title == "Сводка"
    rows = [[v for v in r if v is not None] for r in summary.iter_rows(values_only=True)]
    assert ["Без нарушений", 1, "из", 3] in rows
    assert ["С нарушениями", 1, "из", 3] in rows
    assert ["Не удалось проверить полностью", 1, "из", 3] in rows
    region = next(r for r in rows if r and r[0] == "Демонстрационная область")
    assert region[:6] == ["Демонстрационная область", 3, 1, 1, 0, 1]
    assert region[6] == 0.5  # 1 without violations of the 2 fully checked
    district = next(r for r in rows if r and r[0] == "Администрация Южного района")
    assert district[:3] == ["Администрация Южного района", 3, 1]
