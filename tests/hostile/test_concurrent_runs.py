"""Two runs at once: a second run on the same --out is refused clearly (exit 2), the first
completes; processes opening a new history at the same moment all find it migrated once."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from tests.e2e.conftest import ROOT, cli, load_report

OFFLINE = ["--isolated", "--no-canaries", "--no-reference-sites", "--retries", "0", "--quiet"]


def test_a_second_run_on_the_same_output_is_refused(tmp_path):
    first = subprocess.Popen(
        [sys.executable, "-m", "audit", "run", "registry/courts.yaml", "--out", tmp_path,
         *OFFLINE, "--workers", "0"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    lock = tmp_path / ".pages-audit.lock"
    deadline = time.monotonic() + 30
    while not (lock.exists() and lock.read_text().strip()) and time.monotonic() < deadline:
        time.sleep(0.05)
    second = cli("run", "registry/demo.yaml", "--out", tmp_path, *OFFLINE)
    _, err = first.communicate(timeout=300)
    assert second.returncode == 2 and "another pages-audit run" in second.stderr
    assert "Traceback" not in second.stderr
    assert first.returncode == 3, err  # offline: complete, marked incomplete
    assert len(load_report(tmp_path)["entities"]) == 2311  # the first run's report, whole


OPEN = "import sys\nfrom audit.store import Store\nStore(sys.argv[1]).close()\n"


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_a_new_history_opened_by_many_at_once_is_migrated_once(tmp_path, backend, request):
    target = (
        str(tmp_path / "history.sqlite")
        if backend == "sqlite"
        else request.getfixturevalue("postgres_url")
    )
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", OPEN, target], cwd=ROOT, stderr=subprocess.PIPE, text=True
        )
        for _ in range(8)
    ]
    errors = [p.communicate(timeout=120)[1] for p in procs]
    assert [p.returncode for p in procs] == [0] * 8, errors
    runs = cli("runs", "--db", target, "--json")
    assert runs.returncode == 0 and runs.stdout.strip() == "[]", runs.stderr
