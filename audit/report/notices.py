"""Notice letters: per body with violations, a Russian letter listing them with legal basis,
remediation and evidence, from the editable template templates/notice.html.j2."""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
from pathlib import Path

from audit.report.atomic import replaced
from audit.report.html import environment

PLATFORMS_RU = {"vk": "ВКонтакте", "ok": "Одноклассники"}


_PLAIN_ID = re.compile(r"^(?!.*--)[0-9a-z_-]{1,80}$")  # an OKTMO, OGRN ... as it stands
_RESERVED = re.compile(r"^(index|con|prn|aux|nul|com\d|lpt\d)$")  # names Windows keeps


def notice_name(entity: dict) -> str:
    """The file of a body's letter: `<id>.html` when the id is a plain name (digits, lower-case
    Latin letters, `_`, `-`: the usual OKTMO and OGRN), else the id cleaned with 8 hex digits
    of its SHA-256 after `--`, which no plain id holds: unique per body on every file system
    (also where letter case does not count), whatever the registry's ids are."""
    ident = entity["id"]
    if _PLAIN_ID.match(ident) and not _RESERVED.match(ident):
        return f"{ident}.html"
    clean = re.sub(r"\W+", "_", ident.lower()).strip("_")[:60] or "body"
    digest = hashlib.sha256(ident.encode("utf-8")).hexdigest()[:8]
    return f"{clean}--{digest}.html"


INDEX = """<!DOCTYPE html><html lang="ru"><head><meta charset="utf-8">
<title>Уведомления</title></head><body><h1>Уведомления</h1><ul>
{% for name, body in letters %}
<li><a href="{{ name }}">{{ body.name[:200] }}</a> ({{ body.id }})</li>
{% endfor %}</ul></body></html>
"""


def write_notices(
    report: dict, out_dir: str, template_dir: str | None = None, pdf: bool = False
) -> list[str]:
    """DIR/notices/<id>.html for every body with a violation, and an index; with `pdf`, a PDF
    beside each (headless Chromium, when installed). Returns the notice paths."""
    target = Path(out_dir) / "notices"
    target.mkdir(parents=True, exist_ok=True)
    env = environment(template_dir)
    template = env.get_template("notice.html.j2")
    checks = {c["id"]: c for c in report["checks"]}
    written, letters = [], []
    for e in report["entities"]:
        fails = [f for f in e["findings"] if f["status"] == "fail"]
        violations = [f for f in fails if f["severity"] == "violation"]
        if not violations:
            continue
        cited = {i for f in fails for i in f.get("evidence") or []}
        evidence = [ev for ev in e["evidence"] if ev["id"] in cited]
        html = template.render(
            r=report,
            e=e,
            checks=checks,
            violations=violations,
            warnings=[f for f in fails if f["severity"] != "violation"],
            evidence=evidence,
            platforms=PLATFORMS_RU,
        )
        path = target / notice_name(e)
        with replaced(path, "w", encoding="utf-8") as fh:
            fh.write(html)
        written.append(str(path))
        letters.append((path.name, {"id": e["id"], "name": e["name"]}))
    # the register goes through the same environment as every HTML output (autoescape, and
    # no control or bidi character survives)
    with replaced(target / "index.html", "w", encoding="utf-8") as fh:
        fh.write(env.from_string(INDEX).render(letters=letters))
    if pdf:
        for path in written:
            to_pdf(path)
    return written


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def to_pdf(html_path: str) -> str | None:
    """Print one notice to PDF with headless Chromium; None when Chromium is not installed."""
    browser = chromium()
    if browser is None:
        return None
    pdf = str(Path(html_path).with_suffix(".pdf"))
    subprocess.run(
        [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            f"--print-to-pdf={pdf}",
            "--no-pdf-header-footer",
            Path(html_path).resolve().as_uri(),
        ],
        capture_output=True,
        timeout=120,
        check=False,
    )
    return pdf if Path(pdf).is_file() else None
