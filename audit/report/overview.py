"""What index.html shows a person instead of codes: the body table's column groups, the headline
figures with their denominators, the legal bases once (a numbered legend), identical failures
folded into one card, a finding key as the requirement's title, the policy as a table and the
trend as a chart with axes."""

from __future__ import annotations

from collections.abc import Callable

from markupsafe import escape

from audit.platforms import name_en, name_ru
from audit.report.render import msk, status_key
from audit.russian import number

# The overview's columns of a body's website, each the worst outcome of its checks; the pages
# have a column per platform.
GROUPS = ("site", "links", "pos")
BODY_STATUSES = ("compliant", "violation", "warning", "incomplete")
RANK = {"fail": 5, "fail_region": 4, "error": 3, "fail_warning": 2, "fail_info": 1, "pass": 0}


def group_of(check_id: str) -> str | None:
    if check_id.startswith("page."):
        return None
    if check_id.startswith("site.links"):
        return "links"
    if check_id.startswith("site.pos_widget"):
        return "pos"
    return "site"


PROBLEMS = frozenset({"fail", "fail_region", "fail_warning", "error"})


def _worst(keys: list[str], quiet: tuple[str, ...]) -> str | None:
    """The worst outcome among `keys`; with none ranked, the first of the quiet ones seen."""
    ranked = [k for k in keys if k in RANK] or [k for k in keys if k in quiet]
    return max(ranked, key=lambda k: RANK.get(k, -1)) if ranked else None


def overview_cells(entity: dict, groups, platforms) -> dict:
    """A body's row of the overview, in one pass over its findings: the worst outcome of each
    group of website checks and of each platform's page, and where it has problems (for the
    "where" filter)."""
    by_group: dict[str, list[str]] = {g: [] for g in groups}
    by_platform: dict[str, list[str]] = {p: [] for p in platforms}
    for f in entity["findings"]:
        if f["check"].startswith("page."):
            by_platform.get(f.get("platform"), []).append(status_key(f))
        else:
            by_group.get(group_of(f["check"]), []).append(status_key(f))
    columns = [(g, _worst(by_group[g], ("n/a", "waived"))) for g in groups]
    columns += [(p, _worst(by_platform[p], ("n/a",))) for p in platforms]
    return {
        "statuses": [k for _, k in columns],
        "problems": [name for name, k in columns if k in PROBLEMS],
    }


def headline(summary: dict) -> dict:
    """The figures at the top, each with what it is counted of: bodies by result out of all
    bodies; the share without violations out of the bodies checked fully (a body that could not
    be checked is neither compliant nor in breach)."""
    counts = summary.get("by_body_status") or {}
    total = summary.get("bodies", 0)
    fully = total - counts.get("incomplete", 0)
    ok = counts.get("compliant", 0) + counts.get("warning", 0)
    return {
        "total": total,
        "counts": {
            s: counts.get(s, 0) for s in ("compliant", "violation", "warning", "incomplete")
        },
        "fully": fully,
        "ok": ok,
        "share": round(100.0 * ok / fully, 1) if fully else None,
    }


def legend(checks: dict[str, dict], lang: str) -> tuple[list[dict], dict[str, int]]:
    """Each check's legal basis once, numbered; {check id: number} for the cards to refer to."""
    entries, numbers = [], {}
    for n, (cid, c) in enumerate(checks.items(), start=1):
        numbers[cid] = n
        entries.append(
            {
                "n": n,
                "id": cid,
                "title": c[f"title_{lang}"],
                "basis": c[f"legal_basis_{lang}"],
                "court": c.get(f"legal_basis_court_{lang}"),
            }
        )
    return entries, numbers


def fold(findings: list[dict], lang: str) -> list[list[dict]]:
    """Failures of one cause told in the same words (a website that did not answer fails every
    check of the site alike) in one card: groups in order of their first finding."""
    groups: dict[tuple[str, str], list[dict]] = {}
    for f in findings:
        groups.setdefault((status_key(f), f[f"message_{lang}"]), []).append(f)
    return list(groups.values())


def titler(checks: dict[str, dict], lang: str) -> Callable[[str], str]:
    """A finding key as a reader names it: `page.gov_mark[vk]` → the title — ВКонтакте."""
    platform_name = name_ru if lang == "ru" else name_en

    def title(key: str) -> str:
        check_id, _, rest = key.partition("[")
        c = checks.get(check_id)
        text = c[f"title_{lang}"] if c else check_id
        return f"{text} — {platform_name(rest[:-1])}" if rest else text

    return title


def policy_rows(policy: dict, labels: dict, title: Callable[[str], str], lang: str) -> list:
    """The policy as (what, value) rows in words."""
    names = labels["policy_keys"]
    rows = []
    for key, value in policy.items():
        if key not in names or value in ("", [], None):
            continue
        if key.startswith("reply_") and "page.replies" not in (policy.get("criteria") or ()):
            continue
        if key == "platforms":
            platform_name = name_ru if lang == "ru" else name_en
            shown = labels["platform_rules"].get(value) or ", ".join(
                platform_name(p) for p in value.split(",")
            )
        elif key == "criteria":
            shown = "; ".join(title(c) for c in value)
        elif key == "regional_requirements":
            shown = "; ".join(names["platforms"] if r == "platforms" else title(r) for r in value)
        elif isinstance(value, float | int):
            shown = f"{value:g}".replace(".", ",") if lang == "ru" else f"{value:g}"
        else:
            shown = str(value)
        rows.append((names[key], shown))
    return rows


def trend_svg(trend: list[dict], axis: str, lang: str = "ru") -> str:
    """An inline SVG chart of the share of bodies without violations over recent runs: a
    0-100 % axis, each run's date and value (no script, no CDN)."""
    points = [t for t in trend if t.get("compliance_percent") is not None][-12:]
    if len(points) < 2:
        return ""
    width, height, left, top, bottom = 560, 200, 44, 24, 36
    inner_w, inner_h = width - left - 16, height - top - bottom
    step = inner_w / (len(points) - 1)

    def y(value: float) -> float:
        return top + inner_h * (1 - value / 100)

    coords = [(left + i * step, y(t["compliance_percent"])) for i, t in enumerate(points)]
    grid = "".join(
        f'<line x1="{left}" x2="{width - 16}" y1="{y(v):.1f}" y2="{y(v):.1f}" stroke="#ddd"/>'
        f'<text x="{left - 6}" y="{y(v) + 4:.1f}" text-anchor="end">{v}</text>'
        for v in (0, 50, 100)
    )
    line = " ".join(f"{x:.1f},{yy:.1f}" for x, yy in coords)
    marks = "".join(
        f'<circle cx="{x:.1f}" cy="{yy:.1f}" r="3"/>'
        f'<text x="{x:.1f}" y="{yy - 7:.1f}" text-anchor="middle">'
        f"{number(t['compliance_percent'], 1, lang)}</text>"
        f'<text x="{x:.1f}" y="{height - bottom + 16}" text-anchor="middle">'
        f"{_day(t.get('started_at'))}</text>"
        for (x, yy), t in zip(coords, points, strict=True)
    )
    return (
        f'<svg class="trend" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="{escape(axis)}" font-size="11" font-family="sans-serif">'
        f'<text x="{left}" y="12">{escape(axis)}</text>{grid}'
        f'<polyline fill="none" stroke="#1b7f3b" stroke-width="2" points="{line}"/>{marks}</svg>'
    )


def _day(iso: str | None) -> str:
    return msk(iso)[:5] if iso else ""
