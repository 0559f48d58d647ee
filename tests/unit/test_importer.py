"""registry import: Russian column names, both CSV encodings, XLSX and JSON, bad rows reported
with their row numbers, and the written file valid as a registry."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import yaml

from audit.importer import convert
from audit.registry import load_registry

ROWS = [
    [
        "Наименование",
        "ОКТМО",
        "Вид",
        "Официальный сайт",
        "Ссылка на госпаблик ВК",
        "Одноклассники",
        "Электронная почта",
    ],
    [
        "Администрация Лесного сельского поселения",
        "58612420",
        "сельское поселение",
        "lesnoe-sp.ru",
        "https://vk.com/lesnoe_sp",
        "",
        "adm@lesnoe-sp.ru",
    ],
    [
        "МБОУ «Средняя школа № 5»",
        "1025800000001",
        "",
        "https://school5.ru",
        "vk.com/club555",
        "https://ok.ru/group/70000000000051",
        "",
    ],
    ["", "58612421", "сельское поселение", "", "", "", ""],  # no name
    ["Администрация без кода", "", "сельское поселение", "", "", "", ""],  # no id
    ["Администрация Лесного (повтор)", "58612420", "сельское поселение", "", "", "", ""],
    ["Непонятный орган", "58612499", "", "", "", "", ""],  # kind unknown
    [
        "Администрация Кривого поселения",
        "58612430",
        "сельское поселение",
        "https://",
        "",
        "",
        "",
    ],  # invalid website: refused by the registry validator
]


def write_csv(path, encoding: str, delimiter: str = ";") -> None:
    text = "\n".join(delimiter.join(f'"{c}"' for c in row) for row in ROWS) + "\n"
    path.write_bytes(text.encode(encoding))


@pytest.mark.parametrize(
    ("encoding", "delimiter"), [("utf-8", ";"), ("cp1251", ","), ("utf-8-sig", "\t")]
)
def test_csv_in_both_encodings(tmp_path, encoding, delimiter):
    path = tmp_path / "table.csv"
    write_csv(path, encoding, delimiter)
    result = convert(str(path), default_region="Псковская обл")
    assert [e["id"] for e in result.entities] == ["58612420", "1025800000001", "58612430"]
    first = result.entities[0]
    assert first == {
        "id": "58612420",
        "name": "Администрация Лесного сельского поселения",
        "kind": "rural_settlement",
        "region": "Псковская обл",
        "website": "https://lesnoe-sp.ru",
        "pages": {"vk": "https://vk.com/lesnoe_sp"},
        "contacts": {"email": "adm@lesnoe-sp.ru"},
    }
    assert result.entities[1]["kind"] == "subordinate_organization"  # told by «школа»
    text = "\n".join(result.problems)
    assert f"{path}:row 4: name: empty" in text
    assert f"{path}:row 5: id: no id" in text
    assert f"{path}:row 6: id: '58612420' repeats row 2" in text
    assert f"{path}:row 7: kind: cannot tell" in text


def test_cli_writes_a_valid_registry_and_reports_refused_rows(tmp_path):
    path = tmp_path / "table.csv"
    write_csv(path, "cp1251")
    out = tmp_path / "registry" / "imported.yaml"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "audit",
            "registry",
            "import",
            str(path),
            "--out",
            str(out),
            "--region",
            "Псковская обл",
            "--map",
            "Одноклассники=ok",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2, proc.stdout + proc.stderr  # rows were left out: said, exit 2
    assert "row 7: kind" in proc.stdout
    assert "entity '58612430': website" in proc.stdout  # refused by validation, said so
    assert "imported 2 bodies" in proc.stderr
    reg = load_registry([str(out)])
    assert not reg.problems and [e.id for e in reg.entities] == ["58612420", "1025800000001"]
    assert reg.entities[1].pages == {
        "vk": "https://vk.com/club555",
        "ok": "https://ok.ru/group/70000000000051",
    }
    stats = subprocess.run(
        [sys.executable, "-m", "audit", "registry", "stats", str(out), "--json"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    data = json.loads(stats.stdout)
    assert data["bodies"] == 2 and data["with_vk"] == 2 and data["with_ok"] == 1


def test_xlsx_and_json_tables(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    for row in ROWS[:3]:
        ws.append(row)
    wb.save(tmp_path / "t.xlsx")
    result = convert(str(tmp_path / "t.xlsx"))
    assert [e["id"] for e in result.entities] == ["58612420", "1025800000001"]
    items = [dict(zip(ROWS[0], row, strict=True)) for row in ROWS[1:3]]
    (tmp_path / "t.json").write_text(json.dumps(items, ensure_ascii=False), encoding="utf-8")
    assert [e["name"] for e in convert(str(tmp_path / "t.json")).entities] == [
        r[0] for r in ROWS[1:3]
    ]


def test_explicit_mapping_wins(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text(
        "Учреждение,Код ОУ,Страничка\nШкола № 1,7001,https://vk.com/school1\n", encoding="utf-8"
    )
    result = convert(str(path), {"Код ОУ": "id", "Страничка": "vk"}, default_kind="court")
    assert result.entities == [
        {
            "id": "7001",
            "name": "Школа № 1",
            "kind": "subordinate_organization",
            "pages": {"vk": "https://vk.com/school1"},
        }
    ]
    yaml.safe_dump(result.entities)


# A real-shaped table: «Наименование;Сайт;ВКонтакте;ОКТМО», names as registers write them
# (genitive after «Администрация», nominative, abbreviations, capitals), OKTMO with a leading 0
REAL = [
    ("Администрация Лесного сельского поселения", "rural_settlement"),
    ("Администрация Советского района", "municipal_district"),
    ("Государственное бюджетное учреждение здравоохранения «Районная больница»",
     "subordinate_organization"),
    ("Совет депутатов Лесного сельского поселения", "representative_body"),
    ("АДМИНИСТРАЦИЯ ГОРОДСКОГО ПОСЕЛЕНИЯ «ПЕЧОРЫ»", "urban_settlement"),
    ("МБОУ «Средняя школа № 5» Советского района", "subordinate_organization"),
    ("МКДОУ детский сад № 3 «Солнышко»", "subordinate_organization"),
    ("Собрание депутатов Советского муниципального района", "representative_body"),
    ("Администрация СП «Озерки»", "rural_settlement"),
    ("Администрация городского округа «Город Псков»", "urban_okrug"),
    ("Советский районный суд", "court"),
    ("Сельское поселение Горки", "rural_settlement"),
]  # fmt: skip


@pytest.mark.parametrize("encoding", ["utf-8", "cp1251", "utf-16"])
def test_a_real_shaped_table_imports_every_row_with_its_kind(tmp_path, encoding):
    path = tmp_path / "table.csv"
    lines = ["Наименование;Сайт;ВКонтакте;ОКТМО"]
    for n, (name, _) in enumerate(REAL):
        lines.append(f'"{name}";site{n}.ru;https://vk.com/club{100 + n};0470{n:04d}')
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    result = convert(str(path))
    assert result.problems == []
    kinds = {e["name"]: e["kind"] for e in result.entities}
    assert kinds == dict(REAL)
    assert result.entities[0]["id"] == "04700000"  # the leading zero kept


def test_numbers_a_spreadsheet_made_of_identifiers_get_their_zeros_back(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["Наименование", "ОКТМО", "ИНН"])
    wb.active.append(["Администрация Лесного сельского поселения", 4701000, 6001234567])
    wb.active.append(["Администрация Советского района", 4701000001, 601234567])
    wb.save(tmp_path / "t.xlsx")
    result = convert(str(tmp_path / "t.xlsx"))
    assert [e["id"] for e in result.entities] == ["04701000", "04701000001"]


def ods(path, rows) -> None:
    """A LibreOffice spreadsheet, as small as the format allows."""
    import zipfile
    from xml.sax.saxutils import escape

    def cell(value):
        if isinstance(value, int):
            return (
                f'<table:table-cell office:value-type="float" office:value="{value}">'
                f"<text:p>{value}</text:p></table:table-cell>"
            )
        return (
            '<table:table-cell office:value-type="string">'
            f"<text:p>{escape(value)}</text:p></table:table-cell>"
        )

    body = "".join(
        "<table:table-row>" + "".join(cell(v) for v in row) + "</table:table-row>" for row in rows
    )
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        '<office:body><office:spreadsheet><table:table table:name="Лист1">'
        f"{body}</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
        'manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
        z.writestr("META-INF/manifest.xml", manifest, compress_type=zipfile.ZIP_DEFLATED)


def test_a_libreoffice_table_imports_too(tmp_path):
    ods(
        tmp_path / "t.ods",
        [
            ["Наименование", "ОКТМО", "ВКонтакте"],
            ["Администрация Лесного сельского поселения", 4701000, "https://vk.com/lesnoe"],
            ["МБОУ «Школа № 1»", 4701000001, ""],
        ],
    )
    result = convert(str(tmp_path / "t.ods"))
    assert result.problems == []
    got = [(e["id"], e["kind"], e.get("pages")) for e in result.entities]
    assert got == [
        ("04701000", "rural_settlement", {"vk": "https://vk.com/lesnoe"}),
        ("04701000001", "subordinate_organization", None),
    ]
