"""A history written before catalogue 2 (tests/data/history-0.1: pages-audit at d87d872) opens,
lists, evaluates and diffs with today's code; keys are unchanged, meanings are today's."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.e2e.conftest import cli, load_report

pytestmark = pytest.mark.e2e

OLD = Path(__file__).resolve().parents[1] / "data" / "history-0.1"


@pytest.fixture
def history(tmp_path):
    db = tmp_path / "history.sqlite"
    shutil.copyfile(OLD / "history.sqlite", db)
    return db


def test_an_old_history_opens_evaluates_and_diffs(history, tmp_path):
    proc = cli("runs", "--db", history, "--json")
    assert proc.returncode == 0, proc.stderr
    (run,) = json.loads(proc.stdout)
    assert (run["state"], run["bodies"], run["violations"]) == ("finished", 3, 5)

    out = tmp_path / "evaluated"
    proc = cli("evaluate", "--run", "1", "--db", history, "--out", out)
    assert proc.returncode == 1, proc.stderr  # the page that does not exist is still the law's
    assert "no request was made" in proc.stderr
    report = load_report(out)
    assert report["tool"]["catalogue_version"] == "2"
    findings = {(e["id"], f["key"]): f for e in report["entities"] for f in e["findings"]}
    closed = findings[("99610402", "page.community[vk]")]
    assert (closed["status"], closed["severity"]) == ("fail", "warning")
    silent = findings[("99610407", "page.activity.last_post_age[vk]")]
    assert (silent["severity"], silent["basis"]) == ("warning", "policy")
    assert findings[("99610403", "page.exists.vk")]["severity"] == "violation"

    proc = cli("diff", "--db", history, "1", "2", "--json", "--violations-only")
    assert proc.returncode == 0, proc.stderr
    diff = json.loads(proc.stdout)
    fixed = {(c["entity"], c["key"]) for c in diff["fixed"]}
    assert fixed == {
        ("99610402", "page.community[vk]"),
        ("99610407", "page.activity.last_post_age[vk]"),
    }
    assert diff["new"] == []
