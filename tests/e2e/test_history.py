"""History end to end: kill -9 and resume, diff and the report's changes, waivers, re-evaluation
without network, and the WARC evidence archive."""

from __future__ import annotations

import contextlib
import gzip
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from types import SimpleNamespace

import pytest
from warcio.archiveiterator import ArchiveIterator

from audit.cli import main
from audit.world.scenario import load_scenario
from audit.world.server import World
from tests.e2e.conftest import FAST, ROOT, cli, load_report

pytestmark = pytest.mark.e2e
API_HOSTS = {"api.vk.com", "api.ok.ru", "vk.com", "ok.ru", "m.vk.com", "m.ok.ru"}


def env_for(world: World) -> dict[str, str]:
    return {**world.ok_env(), "VK_TOKEN": world.vk_token}


def findings(out: Path) -> set[tuple[str, str, str, str]]:
    return {
        (e["id"], f["key"], f["status"], f["severity"])
        for e in load_report(out)["entities"]
        for f in e["findings"]
    }


def site_requests(world: World, start: int = 0) -> Counter:
    return Counter((h, p) for h, p in world.requests[start:] if h not in API_HOSTS)


def children_of(pid: int) -> set[int]:
    kids: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):
            kids |= {int(k) for k in (task / "children").read_text().split()}
    return kids


def alive(pid: int) -> bool:
    try:  # a zombie (ended, not yet reaped by its new parent) counts as ended
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_kill_9_then_resume_gives_the_same_findings(tmp_path):
    # websites read in two processes: they are killed with the auditor's run, or end with it
    args = ["registry/demo.yaml", "--chunk", "3", "--workers", "2", "--quiet", *FAST]
    # the uninterrupted run, in a world of its own (fault counters start afresh)
    with World() as w:
        proc = cli("run", *args, "--out", tmp_path / "whole", *w.cli_args(), env=env_for(w))
        assert proc.returncode == 1, proc.stderr
        whole_requests = site_requests(w)
    out = tmp_path / "killed"
    db = out / "history.sqlite"
    with World() as w:
        environ = {k: v for k, v in os.environ.items() if k != "VK_TOKEN"} | env_for(w)
        victim = subprocess.Popen(
            [sys.executable, "-m", "audit", "run", *args, "--out", str(out), *w.cli_args()],
            cwd=ROOT,
            env=environ,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        done: set[str] = set()
        saved_sites: set[str] = set()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and victim.poll() is None:
            if db.exists():
                try:
                    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1)
                    done = {r[0] for r in con.execute("SELECT entity_id FROM bodies")}
                    saved_sites = {r[0] for r in con.execute("SELECT entity_id FROM sites")}
                    con.close()
                except sqlite3.Error:
                    pass
            if len(done) >= 7:
                workers = children_of(victim.pid)
                victim.send_signal(signal.SIGKILL)
                break
            time.sleep(0.05)
        victim.wait(timeout=30)
        assert victim.returncode == -signal.SIGKILL, "the run ended before it could be killed"
        assert 7 <= len(done) < 33
        # the website processes notice that the auditor is gone and end
        assert len(workers) >= 2, workers
        deadline = time.monotonic() + 20
        while any(alive(p) for p in workers) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not [p for p in workers if alive(p)]
        before_resume = len(w.requests)
        proc = cli("run", *args, "--out", out, "--resume", *w.cli_args(), env=env_for(w))
        assert proc.returncode == 1, proc.stderr
        resumed_requests = site_requests(w, before_resume)
        total_requests = site_requests(w)
    assert findings(out) == findings(tmp_path / "whole")
    report = load_report(out)
    assert report["run"]["resumed"] is True and report["summary"]["bodies"] == 33
    # nothing written before the kill was fetched again: no website of a saved body
    registry = {e["id"]: e for e in load_report(tmp_path / "whole")["entities"]}
    saved_hosts = {
        (registry[i]["website"] or "").split("/")[2]
        for i in done | saved_sites
        if registry[i]["website"]
    }
    assert saved_hosts
    assert not [k for k in resumed_requests if k[0] in saved_hosts], resumed_requests
    # and altogether no more requests than one uninterrupted run, but for those in flight
    extra = total_requests - whole_requests
    assert sum(extra.values()) <= 6, extra
    with sqlite3.connect(db) as con:
        assert con.execute("SELECT state FROM runs").fetchall() == [("finished",)]


def test_resume_without_an_unfinished_run_is_a_usage_error(world, tmp_path):
    proc = cli("run", "registry/demo.yaml", "--out", tmp_path, "--resume", *world.cli_args())
    assert proc.returncode == 2 and "nothing to resume" in proc.stderr


def changed_world() -> World:
    scenario = load_scenario()
    groups = {g["id"]: g for g in scenario.vk["groups"]}
    groups[100001]["gov"] = True  # fixed: the mark was obtained
    groups[100006]["deactivated"] = "deleted"  # new: the district's page was deleted
    return World(scenario)


def test_diff_and_changes_section_after_a_changed_world(world, tmp_path):
    out = tmp_path / "nightly"
    first = cli(
        "run",
        "registry/demo.yaml",
        "--out",
        out,
        "--quiet",
        *world.cli_args(),
        *FAST,
        env=env_for(world),
    )
    assert first.returncode == 1, first.stderr
    with changed_world() as w:
        second = cli(
            "run",
            "registry/demo.yaml",
            "--out",
            out,
            "--quiet",
            *w.cli_args(),
            *FAST,
            env=env_for(w),
        )
    assert second.returncode == 1, second.stderr
    db = out / "history.sqlite"
    proc = cli("diff", "--db", db, "--json")
    assert proc.returncode == 0, proc.stderr
    diff = json.loads(proc.stdout)
    assert {"entity": "99620000", "key": "page.exists.vk"} in diff["new"]
    assert {"entity": "99610000", "key": "page.gov_mark[vk]"} in diff["fixed"]
    text = cli("diff", "1", "2", "--db", db).stdout
    assert "NEW    99620000" in text and "FIXED  99610000" in text
    report = load_report(out)
    assert report["changes"]["before"] == 1 and report["changes"]["after"] == 2
    since = {
        (e["id"], f["key"]): f.get("failing_since")
        for e in report["entities"]
        for f in e["findings"]
        if f["status"] == "fail"
    }
    runs = json.loads(cli("runs", "--db", db, "--json").stdout)
    assert since[("99620000", "page.exists.vk")] == runs[1]["started_at"]  # new today
    assert since[("99610403", "page.exists.vk")] == runs[0]["started_at"]  # since run 1
    html = (out / "index.html").read_text(encoding="utf-8")
    assert "Изменения с прошлого запуска" in html and "Не соответствует с" in html


def test_waivers_live_and_expired(world, tmp_path):
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text(
        "waivers:\n"
        "  - entity: '99610402'\n    check: page.community\n"
        "    reason: Группа закрыта на время реорганизации\n"
        "    approved_by: Иванов И. И.\n    expires: 2099-12-31\n"
        "  - entity: '99610403'\n    check: page.exists.vk\n    reason: Страница создаётся\n"
        "    approved_by: Петров П. П.\n    expires: 2020-01-01\n",
        encoding="utf-8",
    )
    proc = cli(
        "run",
        "registry/demo.yaml",
        "--out",
        tmp_path / "o",
        "--waivers",
        waivers,
        "--quiet",
        *world.cli_args(),
        *FAST,
        env=env_for(world),
    )
    assert "waiver expired 2020-01-01 and ignored: 99610403 page.exists.vk" in proc.stderr
    report = load_report(tmp_path / "o")
    by = {(e["id"], f["key"]): f for e in report["entities"] for f in e["findings"]}
    waived = by[("99610402", "page.community[vk]")]
    assert waived["status"] == "waived" and "реорганизации" in waived["message_ru"]
    assert by[("99610403", "page.exists.vk")]["status"] == "fail"
    assert report["run"]["expired_waivers"][0]["entity"] == "99610403"
    bad = tmp_path / "bad.yaml"
    bad.write_text("waivers:\n  - entity: x\n", encoding="utf-8")
    proc = cli("run", "registry/demo.yaml", "--out", tmp_path / "b", "--waivers", bad)
    assert proc.returncode == 2 and f"{bad}:2: check: required" in proc.stderr


def test_evaluate_recomputes_without_network(world, tmp_path, monkeypatch, capsys):
    out = tmp_path / "o"
    proc = cli(
        "run",
        "registry/demo.yaml",
        "--out",
        out,
        "--quiet",
        *world.cli_args(),
        *FAST,
        env=env_for(world),
    )
    assert proc.returncode == 1, proc.stderr
    policy = tmp_path / "both.yaml"
    policy.write_text("platforms: both\nlast_post_warn_days: 1\nlast_post_fail_days: 3\n")

    def no_network(*_args, **_kw):
        raise AssertionError("evaluate touched the network")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    code = main(
        [
            "evaluate",
            "--run",
            "1",
            "--db",
            str(out / "history.sqlite"),
            "--out",
            str(tmp_path / "again"),
            "--policy",
            str(policy),
        ]
    )
    assert code == 1
    before, after = load_report(out), load_report(tmp_path / "again")
    assert after["run"]["kind"] == "evaluate" and after["run"]["derived_from"] == 1
    assert after["run"]["policy"]["platforms"] == "both"
    assert after["summary"]["violations"] > before["summary"]["violations"]
    by = {(e["id"], f["key"]): f["status"] for e in after["entities"] for f in e["findings"]}
    assert by[("99610402", "page.exists.ok")] == "fail"  # OK now required
    same = {(e["id"], f["key"]): f["status"] for e in before["entities"] for f in e["findings"]}
    assert by[("99000000", "site.exists")] == same[("99000000", "site.exists")]


def test_archive_keeps_every_body_and_no_secret(world, tmp_path):
    out = tmp_path / "o"
    proc = cli(
        "run",
        "registry/demo.yaml",
        "--out",
        out,
        "--archive",
        "--quiet",
        *world.cli_args(),
        *FAST,
        env=env_for(world),
    )
    assert proc.returncode == 1, proc.stderr
    warc = out / "archive" / "run-1.warc.gz"
    records = {}
    with warc.open("rb") as fh:
        for rec in ArchiveIterator(fh):
            records[rec.rec_headers.get_header("WARC-Record-ID")] = (
                rec.rec_headers.get_header("WARC-Target-URI"),
                rec.rec_headers.get_header("WARC-Pages-Audit-Evidence-Sha256"),
                rec.content_stream().read(),
            )
    evidence = [e for b in load_report(out)["entities"] for e in b["evidence"]]
    linked = [e for e in evidence if e["warc_record"]]
    assert linked and all(e["warc_record"] in records for e in linked)
    for e in linked:
        _uri, sha, _ = records[e["warc_record"]]
        assert sha == e["sha256"]
    raw = b"".join(body for _, _, body in records.values())
    whole = gzip.decompress(warc.read_bytes())  # every record, headers and requests included
    for secret in (world.vk_token, world.ok.app_secret, world.ok.access_token):
        assert secret.encode() not in raw and secret.encode() not in whole


def test_the_archive_is_valid_for_standard_warc_tools(world, tmp_path):
    """warcio's own checker verifies every digest; the file opens with a warcinfo record; each
    response follows its request; a response's headers describe the bytes it holds."""
    from warcio.checker import Checker

    out = tmp_path / "o"
    args = ["run", "registry/demo.yaml", "--out", out, "--archive", "--quiet"]
    proc = cli(*args, *world.cli_args(), *FAST, env=env_for(world))
    assert proc.returncode == 1, proc.stderr
    warc = out / "archive" / "run-1.warc.gz"
    checker = Checker(SimpleNamespace(inputs=[str(warc)], verbose=False))
    assert checker.process_all() == 0
    with warc.open("rb") as fh:
        records = list(_records(ArchiveIterator(fh)))
    assert records[0]["type"] == "warcinfo" and "pages-audit" in records[0]["payload"].decode()
    requests = {r["id"]: r for r in records if r["type"] == "request"}
    responses = [r for r in records if r["type"] == "response"]
    assert responses and len(requests) == len(responses)
    concurrent = {r["concurrent"] for r in requests.values()}
    assert {r["id"] for r in responses} == concurrent
    for r in responses:
        http = r["http"]
        assert http.get_header("Content-Encoding") is None, r["uri"]
        assert http.get_header("Transfer-Encoding") is None, r["uri"]
        assert int(http.get_header("Content-Length")) == len(r["payload"]), r["uri"]
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "archive/run-1.warc.gz" in index


def _records(iterator):
    for rec in iterator:
        headers = rec.rec_headers
        yield {
            "type": headers.get_header("WARC-Type"),
            "id": headers.get_header("WARC-Record-ID"),
            "uri": headers.get_header("WARC-Target-URI"),
            "concurrent": headers.get_header("WARC-Concurrent-To"),
            "http": rec.http_headers,
            "payload": rec.content_stream().read(),
        }


def test_shared_history_in_postgresql(world, tmp_path, postgres_url):
    for n in (1, 2):
        proc = cli(
            "run",
            "registry/demo.yaml",
            "--out",
            tmp_path / f"night{n}",
            "--db",
            postgres_url,
            "--quiet",
            *world.cli_args(),
            *FAST,
            env=env_for(world),
        )
        assert proc.returncode == 1, proc.stderr
    runs = json.loads(cli("runs", "--db", postgres_url, "--json").stdout)
    assert [(r["id"], r["state"], r["bodies"]) for r in runs] == [
        (1, "finished", 33),
        (2, "finished", 33),
    ]
    diff = json.loads(cli("diff", "--db", postgres_url, "--json").stdout)
    assert diff["before"] == 1 and diff["after"] == 2 and diff["still_open"]
    report = load_report(tmp_path / "night2")
    assert report["changes"]["before"] == 1
    assert findings(tmp_path / "night1") == findings(tmp_path / "night2")
