"""Import a user's table (CSV in UTF-8 or windows-1251, XLSX, JSON) into a registry YAML.

Columns are recognised by their usual Russian (and English) names — «Наименование», «ОКТМО»,
«ОГРН», «Сайт», «Ссылка на госпаблик ВК», … — or mapped explicitly with `--map COLUMN=FIELD`.
Rows that cannot be used are reported with their row number and left out, never dropped
silently; the written file is validated like any registry.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from audit.model import EntityKind
from audit.platforms import platform_keys, platforms

BODY_FIELDS = ("id", "name", "short_name", "kind", "region", "parent", "website",
               "email", "phone", "address", "oktmo", "ogrn", "inn")  # fmt: skip


def fields() -> tuple[str, ...]:
    """What a column may be mapped to: a body's field or a registered platform's page."""
    return (*BODY_FIELDS, *platform_keys())


# normalised column name → field
ALIASES = {
    "id": "id", "идентификатор": "id", "код": "id",
    "наименование": "name", "название": "name", "полное наименование": "name",
    "наименование организации": "name", "наименование органа": "name", "name": "name",
    "орган": "name", "учреждение": "name",
    "краткое наименование": "short_name", "сокращенное наименование": "short_name",
    "short name": "short_name",
    "вид": "kind", "тип": "kind", "вид органа": "kind", "kind": "kind",
    "регион": "region", "субъект": "region", "субъект рф": "region", "region": "region",
    "родитель": "parent", "вышестоящий орган": "parent", "учредитель": "parent",
    "parent": "parent",
    "сайт": "website", "официальный сайт": "website", "адрес сайта": "website",
    "website": "website", "url": "website",
    "email": "email", "e-mail": "email", "электронная почта": "email", "эл. почта": "email",
    "телефон": "phone", "phone": "phone",
    "адрес": "address", "почтовый адрес": "address", "address": "address",
    "октмо": "oktmo", "oktmo": "oktmo", "огрн": "ogrn", "ogrn": "ogrn", "инн": "inn",
}  # fmt: skip


def column_field(name: str) -> str | None:
    """The field a (normalised) column header names; a platform's page by its descriptor."""
    if name in ALIASES:
        return ALIASES[name]
    return next((p.key for p in platforms() if name in p.import_columns or name == p.key), None)


# What a name says of its kind, as lemmas (every case form of a word is read as its dictionary
# form: «сельского поселения» is «сельский поселение»), whole words only (no «суд» inside
# «государственный», no «совет» inside «Советского района»). The phrase that comes first in
# the name is the body's own: «Совет депутатов сельского поселения» is a representative body,
# «Администрация сельского поселения … муниципального района» the settlement's.
KIND_PHRASES = [
    ("сельский поселение", "rural_settlement"), ("городской поселение", "urban_settlement"),
    ("муниципальный район", "municipal_district"), ("муниципальный округ", "municipal_okrug"),
    ("район", "municipal_district"),
    ("городской округ", "urban_okrug"), ("внутригородской", "intracity_territory"),
    ("местный администрация", "local_administration"), ("совет", "representative_body"),
    ("дума", "representative_body"), ("собрание", "representative_body"),
    ("суд", "court"), ("федеральный", "federal_body"), ("министерство", "regional_body"),
    ("правительство", "regional_body"), ("учреждение", "subordinate_organization"),
    ("школа", "subordinate_organization"), ("детский сад", "subordinate_organization"),
    ("больница", "subordinate_organization"), ("поликлиника", "subordinate_organization"),
    ("библиотека", "subordinate_organization"), ("гимназия", "subordinate_organization"),
    ("лицей", "subordinate_organization"), ("музей", "subordinate_organization"),
]  # fmt: skip
# Abbreviations written in capitals: institutions (МБОУ, МКДОУ, ГБУЗ …) and the short names of
# municipalities (СП, ГО, МР; «МО» says nothing of the kind)
INSTITUTION = re.compile(r"^(?:ФГ|ОГ|КГ|[МГ])[АБК]?(?:Д?ОУ|У|УЗ|УК|УДО|ОУДО|УСО|ОУ\s?ДО)$")
ABBREVIATIONS = {"СП": "rural_settlement", "ГП": "urban_settlement", "ГО": "urban_okrug",
                 "МР": "municipal_district"}  # fmt: skip
WORD = re.compile(r"[А-Яа-яЁёA-Za-z]+")


@functools.cache
def _morph():
    import pymorphy3  # Russian morphology: the dictionary form of every word of a name

    return pymorphy3.MorphAnalyzer()


@functools.lru_cache(maxsize=65536)
def lemma(word: str) -> str:
    return _morph().parse(word)[0].normal_form.replace("ё", "е")


def guess_kind(name: str) -> str | None:
    words = WORD.findall(name)
    for word in words:  # an abbreviation first: «МБОУ … района» is the school
        if INSTITUTION.match(word):
            return "subordinate_organization"
        if word in ABBREVIATIONS:
            return ABBREVIATIONS[word]
    lemmas = [lemma(w.lower()) for w in words]
    best: tuple[int, str] | None = None
    for phrase, kind in KIND_PHRASES:
        parts = phrase.split()
        for at in range(len(lemmas) - len(parts) + 1):
            if lemmas[at : at + len(parts)] == parts:
                if best is None or at < best[0]:
                    best = (at, kind)
                break
    return best[1] if best else None


def normalise(header: str) -> str:
    text = header.strip().lower().replace("ё", "е")
    return re.sub(r"\s+", " ", re.sub(r"[«»\"'():;,]", "", text))


@dataclass
class ImportResult:
    entities: list[dict] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # "FILE:row N: field: message"
    columns: dict[str, str] = field(default_factory=dict)  # column -> field


class TableError(ValueError):
    """The file is not a table the importer can read (said in the message)."""


def read_table(path: str, sheet: str | None = None) -> tuple[list[str], list[tuple[int, list]]]:
    """Header and (row number, cells) from CSV (UTF-8, UTF-16 with its BOM or windows-1251),
    XLSX, XLS, ODS or JSON; TableError for a file that is none of them."""
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix in SPREADSHEETS:
        return _read_spreadsheet(p, sheet)
    if suffix == ".json":
        return _read_json(p)
    text = _decode(p.read_bytes())
    try:
        rows = list(csv.reader(io.StringIO(text), _dialect(text)))
    except csv.Error as exc:
        raise TableError(f"not a readable CSV table ({exc})") from None
    header = [h.strip() for h in rows[0]] if rows else []
    return header, [(n, r) for n, r in enumerate(rows[1:], 2) if any(c.strip() for c in r)]


SPREADSHEETS = (".xlsx", ".xlsm", ".xls", ".ods")


def _read_spreadsheet(p: Path, sheet: str | None):
    """XLSX, XLS or ODS through calamine (Rust: 20 000 rows of 5 cells in 0.10 s against 0.63 s
    with openpyxl here, and it reads the old .xls and LibreOffice's .ods too)."""
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        wb = CalamineWorkbook.from_path(str(p))
        if sheet is not None and sheet not in wb.sheet_names:
            raise TableError(f"no sheet {sheet!r} (sheets: {', '.join(wb.sheet_names)})")
        if not wb.sheet_names:
            return [], []
        rows = wb.get_sheet_by_name(sheet or wb.sheet_names[0]).to_python(skip_empty_area=False)
    except (CalamineError, ValueError, OSError) as exc:
        raise TableError(
            f"not a readable {p.suffix[1:].upper()} file: damaged, truncated or encrypted "
            f"({type(exc).__name__})"
        ) from None
    header = [str(c if c is not None else "").strip() for c in rows[0]] if rows else []
    return header, [(n, [None if c == "" else c for c in r]) for n, r in enumerate(rows[1:], 2)]


def _read_json(p: Path):
    try:
        doc = json.loads(p.read_text(encoding="utf-8"))
    except RecursionError:
        raise TableError("JSON nested too deeply") from None
    items = doc.get("entities", doc) if isinstance(doc, dict) else doc
    if not isinstance(items, list):
        raise TableError('expected a list of rows, or {"entities": [rows]}')
    header = list(dict.fromkeys(k for item in items if isinstance(item, dict) for k in item))
    return header, [
        (n, [item.get(h) if isinstance(item, dict) else None for h in header])
        for n, item in enumerate(items, 1)
    ]


def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 with its byte order mark
        return data.decode("utf-16")
    for encoding in ("utf-8-sig", "cp1251"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise TableError("not a text table (neither UTF-8, UTF-16 nor windows-1251)")


def _dialect(text: str):
    """The separator: what csv's sniffer finds, else the one the header line uses most (a
    one-column table, or a first row too long for the sniffer, has no pattern to find)."""
    if not text.strip():
        return csv.excel
    try:
        return csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        header = text.split("\n", 1)[0]
        separator = max(",;\t", key=header.count)

        class Found(csv.excel):
            delimiter = separator

        return Found


# How many digits an identifier has (a spreadsheet that took it for a number dropped the
# leading zeros): OKTMO 8 or 11, OGRN 13 (15 for an entrepreneur), INN 10 (12 for a person)
DIGITS = {"oktmo": (8, 11), "ogrn": (13, 15), "inn": (10, 12)}


def identifier(field: str, value) -> str:
    """An identifier as text: a number a spreadsheet stored is written back with the zeros it
    lost, to the nearest length the identifier has."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    if field in DIGITS and isinstance(value, int):
        width = next((n for n in DIGITS[field] if len(text) <= n), len(text))
        text = text.zfill(width)
    return text


def convert(
    path: str,
    mapping: dict[str, str] | None = None,
    default_kind: str | None = None,
    default_region: str | None = None,
    sheet: str | None = None,
) -> ImportResult:
    header, rows = read_table(path, sheet)
    result = ImportResult()
    mapping = {normalise(k): v for k, v in (mapping or {}).items()}
    for column in header:
        target = mapping.get(normalise(column)) or column_field(normalise(column))
        if target:
            result.columns[column] = target
    kinds = {k.value for k in EntityKind}
    seen: dict[str, int] = {}
    for number, cells in rows:
        values: dict[str, str] = {}
        for column, cell in zip(header, cells, strict=False):
            target = result.columns.get(column)
            if target and cell not in (None, "") and target not in values:
                values[target] = identifier(target, cell)
        where = f"{path}:row {number}"
        name = values.get("name")
        ident = values.get("id") or values.get("oktmo") or values.get("ogrn") or values.get("inn")
        if not name:
            result.problems.append(f"{where}: name: empty — row left out")
            continue
        if not ident:
            result.problems.append(f"{where}: id: no id, OKTMO, OGRN or INN — row left out")
            continue
        if ident in seen:
            result.problems.append(
                f"{where}: id: {ident!r} repeats row {seen[ident]} — row left out"
            )
            continue
        kind = values.get("kind")
        kind = kind if kind in kinds else guess_kind(kind or "") or guess_kind(name) or default_kind
        if kind is None:
            result.problems.append(
                f"{where}: kind: cannot tell the kind of {name!r}; give --kind — row left out"
            )
            continue
        seen[ident] = number
        entity: dict = {"id": ident, "name": name, "kind": kind}
        for key in ("short_name", "region", "parent", "website"):
            if values.get(key):
                entity[key] = values[key]
        if "region" not in entity and default_region:
            entity["region"] = default_region
        if entity.get("website") and "://" not in entity["website"]:
            entity["website"] = "https://" + entity["website"]
        pages = {p: values[p] for p in platform_keys() if values.get(p)}
        if pages:
            entity["pages"] = pages
        contacts = {k: values[k] for k in ("email", "phone", "address") if values.get(k)}
        if contacts:
            entity["contacts"] = contacts
        result.entities.append(entity)
    return result
