"""The output set is published whole: a run interrupted (or out of disk space) while it
writes its reports leaves the previous night's set untouched and complete, no scratch file
behind, and is not finished — `--resume` then writes the new set."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.e2e.conftest import FAST, ROOT, cli, load_report

# the real entry point, with report.json's writer hit by a fault halfway through the reports
FAULTY = """
import errno, os, signal, sys
import audit.report.formats as formats
from audit.__main__ import main
real = formats.write_json
def faulty(report, out):
    if sys.argv[1] == "term":
        os.kill(os.getpid(), signal.SIGTERM)
    else:
        raise OSError(errno.ENOSPC, "No space left on device")
    return real(report, out)
formats.write_json = faulty
raise SystemExit(main(sys.argv[2:]))
"""
SET = ("report.json", "index.html", "report.csv", "report.xlsx", "junit.xml")


@pytest.mark.parametrize("fault", ["term", "nospace"])
def test_a_run_stopped_while_writing_reports_keeps_the_previous_set(world, tmp_path, fault):
    args = ["run", "registry/demo.yaml", "--out", str(tmp_path), *world.cli_args(), *FAST]
    assert cli(*args).returncode == 1  # night 1: a complete set
    before = {name: (tmp_path / name).read_bytes() for name in SET}
    proc = subprocess.run(
        [sys.executable, "-c", FAULTY, fault, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if fault == "term":
        assert proc.returncode == 130 and "interrupted while writing the reports" in proc.stderr
    else:
        assert proc.returncode == 2 and "no space left on the device" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert {name: (tmp_path / name).read_bytes() for name in SET} == before
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".")]
    assert not list(tmp_path.rglob("*.tmp"))
    runs = json.loads(cli("runs", "--db", tmp_path / "history.sqlite", "--json").stdout)
    assert runs[-1]["state"] != "finished"  # night 2 is not over
    resumed = cli(*args, "--resume")
    assert resumed.returncode == 1, resumed.stderr
    assert load_report(tmp_path)["run"]["id"] == 2
    runs = json.loads(cli("runs", "--db", tmp_path / "history.sqlite", "--json").stdout)
    assert [r["state"] for r in runs] == ["finished", "finished"]
