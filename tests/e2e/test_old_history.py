"""Histories written before catalogue 2 and the redesign (tests/data/history-0.1: pages-audit
at d87d872) open, list, evaluate, diff and resume with today's code; keys are unchanged,
meanings are today's."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from audit.world.server import World
from tests.e2e.conftest import FAST, cli, load_report

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


def test_an_old_unfinished_run_resumes(tmp_path):
    """interrupted.sqlite: the old code was killed after one of four bodies was stored (and
    three websites were read); today's code finishes that run, reading only what is left."""
    db = tmp_path / "interrupted.sqlite"
    shutil.copyfile(OLD / "interrupted.sqlite", db)
    registry = OLD / "registry-interrupted.yaml"
    proc = cli("runs", "--db", db, "--json")
    assert proc.returncode == 0, proc.stderr
    (before,) = json.loads(proc.stdout)
    assert before["state"] != "finished" and before["bodies"] == 1, before
    out = tmp_path / "resumed"
    with World() as w:
        env = {**w.ok_env(), "VK_TOKEN": w.vk_token}
        args = [registry, "--db", db, "--out", out, "--resume", "--quiet", *w.cli_args(), *FAST]
        proc = cli("run", *args, env=env)
        assert proc.returncode == 1, proc.stderr  # the page that does not exist
        read = {host for host, _path in w.requests}
    assert "ozerki-sp.ru" not in read  # its body was stored before the kill
    (after,) = json.loads(cli("runs", "--db", db, "--json").stdout)
    assert (after["id"], after["state"], after["bodies"]) == (before["id"], "finished", 4)
    report = load_report(out)
    findings = {(e["id"], f["key"]): f for e in report["entities"] for f in e["findings"]}
    assert {e["id"] for e in report["entities"]} == {"99610402", "99610403", "99610407", "99610410"}
    assert findings[("99610403", "page.exists.vk")]["severity"] == "violation"
    assert findings[("99610410", "site.exists")]["status"] == "error"  # it hangs: no verdict
    # the body stored before the kill is taken as stored (its site answered 503 then)
    assert findings[("99610407", "site.exists")]["status"] == "error"
