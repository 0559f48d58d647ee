"""Letters printed to PDF without a browser (WeasyPrint), loading nothing from the network."""

from __future__ import annotations

import http.server
import shutil
import subprocess
import threading
from pathlib import Path

import pytest

from tests.e2e.conftest import FAST, cli

pytestmark = pytest.mark.e2e


def weasyprint_works() -> bool:
    try:
        import weasyprint  # noqa: F401  (needs the system's Pango)
    except (ImportError, OSError):
        return False
    return True


needs_weasyprint = pytest.mark.skipif(
    not (weasyprint_works() and shutil.which("pdftotext")),
    reason="WeasyPrint with Pango, and pdftotext (poppler-utils), are not installed "
    "(.ci/run installs them)",
)


@needs_weasyprint
def test_notices_pdf_with_weasyprint(world, tmp_path):
    out = tmp_path / "out"
    env = {**world.ok_env(), "VK_TOKEN": world.vk_token}
    cli("run", "registry/demo.yaml", "--out", out, "--quiet", *world.cli_args(), *FAST, env=env)
    proc = cli(
        "notices", "--out", out, "--pdf", "--sender", "docs/examples/sender.yaml", timeout=300
    )
    assert proc.returncode == 0, proc.stderr
    letters = sorted((out / "notices").glob("*.html"))
    pdfs = sorted((out / "notices").glob("*.pdf"))
    assert len(pdfs) == len(letters) - 1  # every letter, not the register
    text = subprocess.run(
        ["pdftotext", "-layout", str(out / "notices" / "99610403.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "О выявленных нарушениях" in text and "Полевого сельского поселения" in text
    assert "Исполнитель: Петрова Анна Сергеевна" in " ".join(text.split())


@needs_weasyprint
def test_a_letter_loads_nothing(tmp_path):
    """Whatever a letter's markup names (an edited template, say), the PDF engine fetches
    nothing: a server on loopback sees no request."""
    from audit.report.pdf import convert

    seen = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            seen.append(self.path)
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_port}"
        page = tmp_path / "letter.html"
        page.write_text(
            f'<html><head><link rel="stylesheet" href="{url}/s.css"></head>'
            f'<body><img src="{url}/i.png"><p>Письмо</p></body></html>',
            encoding="utf-8",
        )
        made = convert([str(page)], "weasyprint")
    finally:
        server.shutdown()
    assert made == [str(Path(tmp_path / "letter.pdf"))] and seen == []
