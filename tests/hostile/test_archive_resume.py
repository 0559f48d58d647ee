"""A resumed --archive run after a power loss tore the archive's last record: the archive is
cut back to its last whole record before anything is appended, and every record the report
cites can be read."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from warcio.archiveiterator import ArchiveIterator

from tests.e2e.conftest import FAST, ROOT, cli, load_report


def test_resume_after_a_torn_record_keeps_every_cited_record_readable(world, tmp_path):
    args = ["run", "registry/demo.yaml", "--out", str(tmp_path), "--archive", *FAST]
    args += world.cli_args()
    first = subprocess.Popen(
        [sys.executable, "-m", "audit", *args], cwd=ROOT, stderr=subprocess.PIPE, text=True
    )
    archive = tmp_path / "archive" / "run-1.warc.gz"
    deadline = time.monotonic() + 30
    while (not archive.exists() or archive.stat().st_size < 20_000) and (
        time.monotonic() < deadline
    ):
        time.sleep(0.05)
    first.send_signal(signal.SIGTERM)
    _, err = first.communicate(timeout=120)
    assert first.returncode == 130, err
    size = archive.stat().st_size
    os.truncate(archive, size - 37)  # the power went in the middle of the last record
    resumed = cli(*args, "--resume")
    assert resumed.returncode == 1, resumed.stderr
    with open(archive, "rb") as fh:
        readable = {
            rec.rec_headers.get_header("WARC-Record-ID")
            for rec in ArchiveIterator(fh)
            if rec.content_stream().read() is not None
        }
    cited = {
        ev["warc_record"]
        for body in load_report(tmp_path)["entities"]
        for ev in body["evidence"]
        if ev.get("warc_record")
    }
    assert cited and cited <= readable, sorted(cited - readable)[:5]
