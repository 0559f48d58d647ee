"""A national audit's shape on one machine: three shard jobs started at once into one
PostgreSQL history, then one report merged from them — equal, per body and check, to a single
run of the whole registry against the same simulated web."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.e2e.conftest import FAST, ROOT, cli, load_report
from tests.e2e.test_history import env_for, findings

REGISTRY = "registry/demo.yaml"


def shard_jobs(world, tmp_path, db: str, night: str) -> list[subprocess.Popen]:
    env = {**os.environ, **env_for(world)}
    return [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "audit",
                "run",
                REGISTRY,
                "--shard",
                f"{k}/3",
                "--db",
                db,
                "--out",
                str(tmp_path / night / f"shard{k}"),
                "--quiet",
                *world.cli_args(),
                *FAST,
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for k in (1, 2, 3)
    ]


def finish(jobs: list[subprocess.Popen]) -> None:
    for job in jobs:
        _, err = job.communicate(timeout=300)
        assert job.returncode in (0, 1), err  # 1: the demo has violations


def test_three_shards_at_once_merge_into_the_single_run(world, tmp_path, postgres_url):
    finish(shard_jobs(world, tmp_path, postgres_url, "night1"))
    runs = json.loads(cli("runs", "--db", postgres_url, "--json").stdout)
    assert sorted(r["shard"] for r in runs) == ["1/3", "2/3", "3/3"]
    sizes = [r["bodies"] for r in runs]
    assert sum(sizes) == 33 and all(sizes), sizes  # every body once, every shard some
    merged = tmp_path / "merged"
    proc = cli("report", "--db", postgres_url, "--runs", "latest-shards", "--out", merged)
    assert proc.returncode == 0, proc.stderr
    assert "merged 3 run(s) (1/3, 2/3, 3/3): 33 bodies" in proc.stderr
    assert proc.stdout.strip() == str(merged / "index.html")

    whole = tmp_path / "whole"
    single = cli(
        "run", REGISTRY, "--out", whole, "--quiet", *world.cli_args(), *FAST, env=env_for(world)
    )
    assert single.returncode == 1, single.stderr
    assert findings(merged) == findings(whole)
    one, many = load_report(whole), load_report(merged)
    assert [e["id"] for e in many["entities"]] == [e["id"] for e in one["entities"]]  # order
    assert many["summary"] == one["summary"]
    assert many["run"]["partial"] is False and len(many["run"]["runs"]) == 3
    assert many["run"]["requests"] == sum(
        load_report(tmp_path / "night1" / f"shard{k}")["run"]["requests"] for k in (1, 2, 3)
    )
    for name in ("report.csv", "report.xlsx", "junit.xml", "index.html"):
        assert (merged / name).is_file(), name
    html = (merged / "index.html").read_text(encoding="utf-8")
    assert "Части проверки" in html and "часть 3 из 3" in html and "Отчёт неполный" not in html

    # the next night: each shard compares with its own previous run; the trend has two sets
    finish(shard_jobs(world, tmp_path, postgres_url, "night2"))
    proc = cli("report", "--db", postgres_url, "--out", merged)
    assert proc.returncode == 0, proc.stderr
    again = load_report(merged)
    assert sorted(again["changes"]["before"]) == [r["id"] for r in runs]
    assert not again["changes"]["new"] and not again["changes"]["fixed"]
    assert len(again["changes"]["still_open"]) == sum(
        1 for e in again["entities"] for f in e["findings"] if f["status"] == "fail"
    )
    assert [p["bodies"] for p in again["trend"]] == [33, 33]
    fails = [f for e in again["entities"] for f in e["findings"] if f["status"] == "fail"]
    # back to the first night: to its shard's own start, which may be a second or more after
    # another shard's under load
    last_start = max(r["started_at"] for r in runs)
    assert fails and all(f["failing_since"] <= last_start[:19] + "+00:00" for f in fails)


def test_a_missing_or_unfinished_shard_is_refused_unless_partial(world, tmp_path, postgres_url):
    env = env_for(world)
    for k in (1, 2):
        proc = cli(
            "run", REGISTRY, "--shard", f"{k}/3", "--db", postgres_url, "--out",
            tmp_path / f"s{k}", "--quiet", *world.cli_args(), *FAST, env=env,
        )  # fmt: skip
        assert proc.returncode in (0, 1), proc.stderr
    out = tmp_path / "merged"
    refused = cli("report", "--db", postgres_url, "--out", out)
    assert refused.returncode == 3 and "shards missing or unfinished: 3/3" in refused.stderr
    assert not (out / "index.html").exists()
    partial = cli("report", "--db", postgres_url, "--out", out, "--allow-partial")
    assert partial.returncode == 0, partial.stderr
    report = load_report(out)
    assert report["run"]["partial"] and report["run"]["shards"]["missing"] == ["3/3"]
    html = (out / "index.html").read_text(encoding="utf-8")
    assert "Отчёт неполный." in html and "часть 3 из 3 (не запускалась)" in html
    assert "Traceback" not in refused.stderr + partial.stderr
    # explicit ids: the same checks; an unknown run is a usage error
    assert cli("report", "--db", postgres_url, "--runs", "1,9", "--out", out).returncode == 2
    bad = cli("report", "--db", postgres_url, "--runs", "1,x", "--out", out)
    assert bad.returncode == 2 and "run ids joined by commas" in bad.stderr
    assert cli("report", "--db", postgres_url, "--runs", "1,2", "--out", out).returncode == 3


def test_a_shard_resumes_on_its_own(world, tmp_path):
    db = str(tmp_path / "h.sqlite")
    nothing = cli("run", REGISTRY, "--shard", "2/3", "--db", db, "--out", tmp_path / "a",
                  "--resume", "--quiet", *world.cli_args(), *FAST)  # fmt: skip
    assert nothing.returncode == 2 and "and shard 2/3" in nothing.stderr
    bad = cli("run", REGISTRY, "--shard", "4/3", "--out", tmp_path / "a")
    assert bad.returncode == 2 and "the shard must be 1 to 3" in bad.stderr
