"""HTML letters to PDF: WeasyPrint in this process when installed (`pip install
'pages-audit[pdf]'`: no browser, a fraction of a second a letter), else one headless Chromium
per letter. Neither may fetch anything: a letter is self-contained, and what it quotes from
websites is text, never a resource to load."""

from __future__ import annotations

import importlib.util
import logging
import shutil
import subprocess
from pathlib import Path

from audit.report.atomic import replaced


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def engines() -> list[str]:
    found = []
    if importlib.util.find_spec("weasyprint") is not None:
        found.append("weasyprint")
    if chromium() is not None:
        found.append("chromium")
    return found


def convert(paths: list[str], engine: str | None = None) -> list[str]:
    """A PDF beside each HTML file, with `engine` or the preferred one; returns those made."""
    engine = engine or next(iter(engines()), None)
    if engine == "weasyprint":
        return _weasyprint(paths)
    if engine == "chromium":
        return [pdf for path in paths if (pdf := _chromium(path)) is not None]
    return []


def _weasyprint(paths: list[str]) -> list[str]:
    import weasyprint
    from weasyprint.urls import URLFetcher

    class Refuse(URLFetcher):
        def fetch(self, url, headers=None):
            raise ValueError(f"a letter loads nothing: {url[:80]}")

    logging.getLogger("weasyprint").setLevel(logging.CRITICAL)  # refusals are not the user's
    refuse = Refuse()
    made = []
    for path in paths:
        pdf = Path(path).with_suffix(".pdf")
        document = weasyprint.HTML(filename=path, url_fetcher=refuse).render()
        with replaced(pdf, "wb") as fh:
            document.write_pdf(fh)
        made.append(str(pdf))
    return made


def _chromium(html_path: str) -> str | None:
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
