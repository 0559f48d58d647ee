"""index.html: the human report, rendered from report.json with Jinja2 (autoescape on)."""

from __future__ import annotations

import heapq
import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape

from audit.checks.legal import FINDING_POLICY, FINDING_REGION
from audit.model import KIND_TITLES_RU, PLATFORMS
from audit.report.atomic import replaced
from audit.summary import compliance

MSK = timezone(timedelta(hours=3), "MSK")  # Moscow has kept UTC+3 all year since 2014

LABELS = {
    "ru": {
        "title": "Аудит официальных страниц органов власти",
        "generated": "Отчёт сформирован",
        "summary": "Сводка",
        "bodies": "Проверено органов",
        "compliant": "Без нарушений",
        "violation": "С нарушениями",
        "incomplete": "Не удалось проверить полностью",
        "warning": "Только замечания",
        "per_check": "Соответствие по требованиям",
        "per_region": "По регионам",
        "region": "Регион",
        "check": "Требование",
        "compliance": "Соответствие",
        "table": "Органы и результаты проверок",
        "name": "Орган",
        "kind": "Вид",
        "details": "Подробно по органам",
        "legal_basis": "Правовое основание",
        "remediation": "Что сделать",
        "evidence": "Доказательства",
        "url": "Адрес",
        "final_url": "Итоговый адрес",
        "http_status": "HTTP",
        "time": "Время (МСК)",
        "sha256": "SHA-256",
        "error": "Ошибка",
        "website": "Сайт",
        "no_problems": "Нарушений и ошибок не выявлено.",
        "status": {
            "pass": "соответствует",
            "fail": "нарушение",
            "error": "не удалось проверить",
            "waived": "исключение",
            "n/a": "не применимо",
            "fail_warning": "замечание",
            "fail_region": "нарушение регионального требования",
            "fail_info": "к сведению",
        },
        "fail_column": "не соответствует",
        "retried": "повторные попытки после",
        "body_status": {
            "compliant": "соответствует",
            "violation": "нарушения",
            "incomplete": "проверено не полностью",
            "warning": "замечания",
        },
        "run_info": "Параметры запуска",
        "duration": "Длительность, с",
        "cpu": "Процессорное время, с",
        "requests": "HTTP-запросов",
        "registry": "Реестр",
        "disclaimer": "«Не удалось проверить» не является нарушением: сайт или страница не "
        "ответили так, чтобы вывод был достоверным.",
        "filter": "Фильтр по названию",
        "pages": "Официальные страницы",
        "page_exists": "Официальная страница существует",
        "changes": "Изменения с прошлого запуска",
        "overall": "Органов без нарушений",
        "per_district": "По муниципальным районам и округам",
        "worst": "Больше всего нарушений",
        "trend": "Динамика (доля органов без нарушений по запускам)",
        "violations_n": "нарушений",
        "sort_hint": "Нажмите на заголовок столбца, чтобы отсортировать.",
        "tool": "Версия",
        "catalogue": "каталог проверок",
        "window": "Окно наблюдения",
        "resolver": "Точка наблюдения",
        "canaries": "Контрольные страницы",
        "error_rate": "Доля непрочитанного",
        "vantage_title": "Сеть проверяющего не работала.",
        "vantage_text": "Из точки проверки не открывались контрольные сайты либо большинство "
        "сайтов были недоступны с одной и той же сетевой ошибкой. Недоступность сайтов в этом "
        "запуске не считается нарушением (отмечена «не удалось проверить»); запуск неполный.",
        "vantage_burst": "Недоступны с одной и той же ошибкой: %d из %d сайтов.",
        "vantage_answered": "ответил",
        "vantage_silent": "не ответил",
        "unreachable_title": "Соцсеть недоступна из точки проверки.",
        "unreachable_text": "Контрольные страницы не ответили вовсе: выводы по этой соцсети не "
        "делаются (отмечены «не удалось проверить»).",
        "drift_title": "Сбой детектора.",
        "drift_text": "Контрольные страницы прочитаны неверно: выводы по затронутой соцсети "
        "не делаются (отмечены «не удалось проверить»).",
        "expected": "ожидалось",
        "got": "получено",
        "run": "запуск",
        "new": "новые",
        "fixed": "устранены",
        "still_open": "не устранены",
        "failing_since": "Не соответствует с",
        "expired_waivers": "Истёк срок исключений (не применены)",
        "source": "источник",
        "sources": {"api": "API соцсети", "html": "публичная страница"},
        "platform": {"vk": "ВКонтакте", "ok": "Одноклассники"},
        "page_sources": "Источник сведений о страницах",
        "sheet_full": "Лист заполнен до предела Excel; все строки — в файле {csv}.",
    },
    "en": {
        "title": "Official pages compliance audit",
        "generated": "Generated",
        "summary": "Summary",
        "bodies": "Bodies audited",
        "compliant": "Compliant",
        "violation": "With violations",
        "incomplete": "Not fully checked",
        "warning": "Warnings only",
        "per_check": "Compliance per requirement",
        "per_region": "Per region",
        "region": "Region",
        "check": "Requirement",
        "compliance": "Compliance",
        "table": "Bodies and check results",
        "name": "Body",
        "kind": "Kind",
        "details": "Details per body",
        "legal_basis": "Legal basis",
        "remediation": "What to do",
        "evidence": "Evidence",
        "url": "URL",
        "final_url": "Final URL",
        "http_status": "HTTP",
        "time": "Time (MSK)",
        "sha256": "SHA-256",
        "error": "Error",
        "website": "Website",
        "no_problems": "No violations or errors.",
        "status": {
            "pass": "pass",
            "fail": "violation",
            "error": "could not check",
            "waived": "waived",
            "n/a": "n/a",
            "fail_warning": "warning",
            "fail_region": "violation of a regional requirement",
            "fail_info": "note",
        },
        "fail_column": "failed",
        "retried": "retried after",
        "body_status": {
            "compliant": "compliant",
            "violation": "violations",
            "incomplete": "not fully checked",
            "warning": "warnings",
        },
        "run_info": "Run",
        "duration": "Duration, s",
        "cpu": "CPU time, s",
        "requests": "HTTP requests",
        "registry": "Registry",
        "disclaimer": "'Could not check' is not a violation: the site or page did not answer in a "
        "way that allows a reliable conclusion.",
        "filter": "Filter by name",
        "pages": "Official pages",
        "page_exists": "The official page exists",
        "changes": "Changes since the last run",
        "overall": "Bodies without violations",
        "per_district": "Per municipal district and okrug",
        "worst": "Most violations",
        "trend": "Trend (share of bodies without violations per run)",
        "violations_n": "violations",
        "sort_hint": "Click a column header to sort.",
        "tool": "Version",
        "catalogue": "check catalogue",
        "window": "Observation window",
        "resolver": "Vantage point",
        "canaries": "Canary pages",
        "error_rate": "Unreadable share",
        "vantage_title": "The auditor's network was not working.",
        "vantage_text": "The reference sites could not be reached from the vantage, or most "
        "sites failed with the same network error. Unreachable websites are not violations in "
        "this run (marked 'could not check'); the run is incomplete.",
        "vantage_burst": "Failed with the same error: %d of %d sites.",
        "vantage_answered": "answered",
        "vantage_silent": "no answer",
        "unreachable_title": "Platform unreachable from the vantage.",
        "unreachable_text": "The canary pages gave no answer at all: no conclusion is drawn for "
        "that platform (marked 'could not check').",
        "drift_title": "Detector drift.",
        "drift_text": "Canary pages were read wrongly: no conclusion is drawn for the affected "
        "platform (marked 'could not check').",
        "expected": "expected",
        "got": "got",
        "run": "run",
        "new": "new",
        "fixed": "fixed",
        "still_open": "still open",
        "failing_since": "Failing since",
        "expired_waivers": "Expired waivers (not applied)",
        "source": "source",
        "sources": {"api": "platform API", "html": "public page"},
        "platform": {"vk": "VK", "ok": "OK"},
        "page_sources": "Source of page facts",
        "sheet_full": "The sheet is full to Excel's limit; every row is in {csv}.",
    },
}


# C0/C1 controls (but tab and newline) and the bidirectional overrides and isolates that can
# make attacker-written text read as something else (U+202A-U+202E, U+2066-U+2069, U+200E/F).
INVISIBLE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)


def inert(value):
    """Every value the template prints passes here (Jinja's finalize) before autoescaping;
    markup the code built itself (Markup) is trusted as it is."""
    if isinstance(value, Markup):
        return value
    if isinstance(value, str):
        return INVISIBLE.sub("", value)
    return value


def trusted(value):
    """Texts the project wrote itself (labels, the catalogue's titles and legal texts) escaped
    once, as markup: a national report prints each of them 100 000 times, and escaping and
    `inert` pass markup through untouched. Nothing read from the network comes here."""
    if isinstance(value, str):
        return escape(value)
    if isinstance(value, dict):
        return {k: trusted(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [trusted(v) for v in value]
    return value


def safe_href(url: str | None) -> str:
    """Only http(s) URLs become links; anything else (javascript:, data:) becomes inert."""
    if url and url.lower().startswith(("http://", "https://")):
        return url
    return "#"


def status_key(finding: dict) -> str:
    """Label key for a finding: a failed warning is a remark, not a violation; a violation of
    a regional act the policy names is not a violation of federal law."""
    if finding["status"] == "fail" and finding["severity"] != "violation":
        return f"fail_{finding['severity']}"
    if finding["status"] == "fail" and finding.get("basis") == FINDING_REGION:
        return "fail_region"
    return finding["status"]


BASIS_NOTES = {
    "ru": (
        "региональный акт: {act}",
        "политика проверки: требование сверх федерального минимума или числовой порог; "
        "региональный акт, который бы его устанавливал, в политике проверки не указан",
    ),
    "en": (
        "a regional act: {act}",
        "the audit's policy: a requirement beyond the federal minimum or a numeric threshold; "
        "the policy names no regional act that sets it",
    ),
}


def basis_of(finding: dict, check: dict, entity: dict, policy: dict, lang: str = "ru") -> str:
    """What one finding rests on: the regional act or the policy when the finding says so,
    else the check's basis (for a court, its own law)."""
    regional, policy_note = BASIS_NOTES[lang]
    if finding.get("basis") == FINDING_REGION:
        return regional.format(act=policy.get("regional_act") or "—")
    if finding.get("basis") == FINDING_POLICY:
        return policy_note
    if entity.get("kind") == "court" and f"legal_basis_court_{lang}" in check:
        return check[f"legal_basis_court_{lang}"]
    return check[f"legal_basis_{lang}"]


def msk(value: str | None) -> str:
    """ISO 8601 UTC → 'DD.MM.YYYY HH:MM:SS' Moscow time."""
    if not value:
        return ""
    when = datetime.fromisoformat(value)
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(MSK).strftime("%d.%m.%Y %H:%M:%S")


def template_dirs(override: str | None = None) -> list[str]:
    """User templates first (copies of templates/ edited locally), then the packaged ones."""
    package = Path(__file__).resolve().parent.parent  # .../audit
    # Installed: audit/templates (mapped from templates/ at build); a checkout: ../templates.
    packaged = next(
        (
            str(d)
            for d in (package / "templates", package.parent / "templates")
            if (d / "report.html.j2").is_file()
        ),
        str(package / "templates"),
    )
    return [override, packaged] if override else [packaged]


class StatusCss(dict):
    """A status key as a CSS class suffix ("n/a" -> "na"), remembered."""

    def __missing__(self, key: str) -> str:
        self[key] = value = str(key).replace("/", "")
        return value


_DICT_ATTRIBUTES = frozenset(dir(dict))


class ReportEnvironment(Environment):
    """`x.name` on the report's data (plain dicts) looks the key up first. Jinja tries the
    attribute first and the key when that fails: the same answer, as a dict's only attributes
    are its methods, but a raised AttributeError for each of the millions of look-ups."""

    def getattr(self, obj, attribute):
        if type(obj) is dict and attribute not in _DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except KeyError:
                pass
        return super().getattr(obj, attribute)


def environment(template_dir: str | None = None) -> Environment:
    env = ReportEnvironment(
        loader=FileSystemLoader(template_dirs(template_dir)),
        autoescape=select_autoescape(["html", "j2", "html.j2"], default=True),
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=inert,
    )
    env.filters["msk"] = msk
    env.filters["safe_href"] = safe_href
    env.globals["status_key"] = status_key
    env.globals["basis_of"] = basis_of
    env.globals["css"] = StatusCss()
    return env


RANK = {"fail": 5, "fail_region": 4, "error": 3, "fail_warning": 2, "fail_info": 1, "pass": 0}


def platform_status(entity: dict, platform: str) -> str | None:
    """The worst outcome of a body's checks about one platform's page (for the overview)."""
    keys = [
        status_key(f)
        for f in entity["findings"]
        if f.get("platform") == platform and f["check"].startswith("page.")
    ]
    keys = [k for k in keys if k in RANK] or [k for k in keys if k == "n/a"]
    return max(keys, key=lambda k: RANK.get(k, -1)) if keys else None


DISTRICT_KINDS = ("municipal_district", "municipal_okrug", "urban_okrug")


@dataclass(frozen=True, slots=True)
class IndexEntry:
    """What the overview needs of one body: a national report holds 100 000 of these."""

    id: str
    name: str
    kind: str
    parent: str | None
    status: str
    violations: int
    platforms: frozenset[str]


def body_index(report: dict) -> list[IndexEntry]:
    """What the overview needs of every body, read in one pass: the bodies themselves stay where
    they are (a store-backed report streams them)."""
    entry = indexer()
    return [entry(e) for e in report["entities"]]


def indexer() -> Callable[[dict], IndexEntry]:
    """A body's IndexEntry; repeated texts are shared, not copied, among the entries it makes."""
    shared: dict = {}

    def one(value):
        return shared.setdefault(value, value)

    def entry(e: dict) -> IndexEntry:
        findings = e["findings"]
        return IndexEntry(
            id=e["id"],
            name=e["name"],
            kind=one(e["kind"]),
            parent=one(e.get("parent")),
            status=one(e["status"]),
            violations=sum(
                1 for f in findings if f["status"] == "fail" and f["severity"] == "violation"
            ),
            platforms=one(frozenset(f.get("platform") for f in findings) - {None}),
        )

    return entry


def districts(index: list[IndexEntry]) -> list[dict]:
    """Municipal districts and okrugs with every body below them (through `parent`), for the
    drill-down: counts, compliance and the bodies themselves."""
    bodies = {e.id: e for e in index}

    def top(e: IndexEntry | None) -> IndexEntry | None:
        seen = set()
        while e is not None and e.id not in seen:
            seen.add(e.id)
            if e.kind in DISTRICT_KINDS:
                return e
            e = bodies.get(e.parent) if e.parent is not None else None
        return None

    groups: dict[str, list[IndexEntry]] = {}
    for e in index:
        head = top(e)
        if head is not None:
            groups.setdefault(head.id, []).append(e)
    out = []
    for head_id, members in groups.items():
        ok = sum(1 for m in members if m.status in ("compliant", "warning"))
        bad = sum(1 for m in members if m.status == "violation")
        out.append(
            {
                "id": head_id,
                "name": bodies[head_id].name,
                "bodies": members,
                "violation": bad,
                "compliance": compliance(ok, bad),
            }
        )
    return sorted(out, key=lambda d: (d["compliance"] is None, d["compliance"] or 0))


def worst(index: list[IndexEntry], limit: int = 10) -> list[tuple[IndexEntry, int]]:
    """Bodies with the most violations."""
    counted = [e for e in index if e.violations]
    return [(e, e.violations) for e in heapq.nsmallest(limit, counted, key=lambda e: -e.violations)]


def trend_svg(trend: list[dict], width: int = 360, height: int = 90) -> str:
    """An inline SVG line of overall compliance over recent runs (no script, no CDN)."""
    points = [t for t in trend if t.get("compliance_percent") is not None]
    if len(points) < 2:
        return ""
    step = (width - 20) / (len(points) - 1)
    coords = [
        (10 + i * step, height - 10 - (height - 20) * t["compliance_percent"] / 100)
        for i, t in enumerate(points)
    ]
    line = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
    dots = "".join(
        f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3"><title>{t["started_at"]}: '
        f"{t['compliance_percent']} %</title></circle>"
        for (x, y), t in zip(coords, points, strict=True)
    )
    return (
        f'<svg class="trend" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="trend"><rect width="{width}" height="{height}" fill="#fafafa" '
        f'stroke="#ddd"/><polyline fill="none" stroke="#1b7f3b" stroke-width="2" '
        f'points="{line}"/>{dots}</svg>'
    )


def finding_key(f: dict) -> str:
    return f.get("key") or f["check"]


def findings_by_key(entity: dict) -> dict[str, dict]:
    """A body's findings by key (page checks carry their platform in the key)."""
    return {finding_key(f): f for f in entity["findings"]}


def evidence_by_id(entity: dict) -> dict[str, dict]:
    return {ev["id"]: ev for ev in entity["evidence"]}


def page_context(checks: list[dict], platforms: list[str], lang: str, policy: dict) -> dict:
    """What a body's row and details (report_body.html.j2) are rendered with."""
    trusted_checks = {c["id"]: trusted(c) for c in checks}
    return {
        "policy": policy,
        "checks": trusted_checks,
        "check_ids": list(trusted_checks),
        "body_checks": [cid for cid, c in trusted_checks.items() if not c.get("per_platform")],
        "page_checks": [cid for cid, c in trusted_checks.items() if c.get("per_platform")],
        "platforms": platforms,
        "platform_status": platform_status,
        "t": trusted(LABELS[lang]),
        "lang": lang,
        "kinds": trusted(KIND_TITLES_RU),
        "findings_by_key": findings_by_key,
        "evidence_by_id": evidence_by_id,
    }


def index_platforms(index: list[IndexEntry]) -> list[str]:
    """The platforms the report has columns for: those some body has a finding on."""
    seen = set().union(*(e.platforms for e in index)) if index else set()
    return [p for p in PLATFORMS if p in seen]


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
            trend_svg=Markup(trend_svg(report.get("trend") or [])),
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


class BodyPages:
    """The bodies' rows and details of index.html rendered one body at a time (`add`) into
    files of `scratch`, with the index the overview needs; `write` renders the rest around
    them. The columns are the platforms of the first body; a body with findings on another
    platform makes the parts unusable (`usable` false): index.html is then rendered whole."""

    def __init__(self, checks: list[dict], policy: dict, scratch: str, lang: str = "ru"):
        self.checks, self.policy, self.lang = checks, policy, lang
        self.files = {k: Path(scratch) / f"index.{k}" for k in PARTS}
        self.out = {k: f.open("w", encoding="utf-8") for k, f in self.files.items()}
        self.index: list[IndexEntry] = []
        self.entry = indexer()
        self.platforms: list[str] | None = None
        self.module = None
        self.usable = True

    def add(self, e: dict) -> None:
        entry = self.entry(e)
        self.index.append(entry)
        if not self.usable:
            return
        if self.platforms is None:
            self.platforms = index_platforms([entry])
            context = page_context(self.checks, self.platforms, self.lang, self.policy)
            template = environment().get_template("report_body.html.j2")
            self.module = template.make_module(context)
        elif not entry.platforms <= set(self.platforms):
            self.usable = False
            return
        self.out["rows"].write(self.module.row(e))
        self.out["details"].write(self.module.details(e))

    def discard(self) -> None:
        for fh in self.out.values():
            fh.close()

    def write(self, report: dict, out_dir: str) -> str | None:
        """index.html of `report` (its bodies the ones added), or None if unusable."""
        self.discard()
        if not self.usable:
            return None
        return write_html(report, out_dir, self.lang, None, self.index, self.files)
