"""Notice letters: per body with violations, a Russian letter listing them with legal basis,
remediation and evidence, from the editable template templates/notice.html.j2."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

from audit.report.html import environment

PLATFORMS_RU = {"vk": "ВКонтакте", "ok": "Одноклассники"}


def safe_name(entity_id: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "_", entity_id)[:80] or "body"


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
    written = []
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
        path = target / f"{safe_name(e['id'])}.html"
        tmp = path.with_suffix(".html.tmp")
        tmp.write_text(html, encoding="utf-8")
        os.replace(tmp, path)
        written.append(str(path))
    index = [
        "<!DOCTYPE html><html lang='ru'><head><meta charset='utf-8'>",
        "<title>Уведомления</title></head><body><h1>Уведомления</h1><ul>",
    ]
    from html import escape

    for path in written:
        name = Path(path).name
        body = next(e for e in report["entities"] if safe_name(e["id"]) + ".html" == name)
        index.append(f"<li><a href='{escape(name)}'>{escape(body['name'][:200])}</a></li>")
    index.append("</ul></body></html>")
    (target / "index.html").write_text("\n".join(index), encoding="utf-8")
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
