"""VK end to end: the real CLI against the simulated VK (API and public pages) over TCP."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest

from audit.world.scenario import load_scenario
from audit.world.server import World
from tests.e2e.conftest import FAST, cli, load_report, one_body
from tests.unit.test_vk_schema import ERROR, GET_BY_ID, WALL_GET, check

pytestmark = pytest.mark.e2e

VK_CHECKS = (
    "page.exists.vk",
    "page.community",
    "page.gov_mark",
    "page.name_matches",
    "page.contacts",
    "page.links_site",
    "page.description",
    "page.activity.last_post_age",
    "page.activity.posts_per_week",
)
P, F, E, N = "pass", "fail", "error", "n/a"
W = "fail/warning"  # a failed check counted as a warning, not a violation
# id -> statuses of VK_CHECKS, read through the API
EXPECTED_API = {
    "99000000": (P, P, P, P, P, P, P, P, P),  # the model page
    "99610000": (P, P, W, P, P, P, P, P, P),  # no state-organisation mark
    "99610401": (P, P, P, P, P, P, P, W, W),  # quiet: 10 days, rare posts
    "99610402": (P, W, P, P, W, W, W, E, E),  # closed group: the audit's reading, a warning
    "99610403": (F, N, N, N, N, N, N, N, N),  # no such page
    "99610404": (P, P, P, P, W, P, W, P, P),  # no description, no contacts
    "99610407": (P, P, P, P, P, P, P, W, W),  # silent for a month: a policy number
    "99610408": (P, P, P, W, P, P, P, P, P),  # a name that does not identify the body
    "99610409": (P, P, P, P, P, W, P, P, P),  # links another website
    "99610415": (P, F, N, N, N, N, N, N, N),  # a personal profile as the page
    "99620000": (P, P, P, P, P, P, P, P, P),  # the registry's page (the site's is deleted)
    "99620101": (F, N, N, N, N, N, N, N, N),  # no page anywhere
    "99620102": (F, N, N, N, N, N, N, N, N),  # blocked by VK
    "1029900000051": (P, P, E, P, P, P, P, P, W),  # the API does not tell the mark
    "1029900000072": (P, P, E, P, P, P, P, P, P),
    "1029900000083": (P, F, N, N, N, N, N, N, N),  # a personal profile linked
    "99OS0000": (P, P, P, P, P, P, P, P, P),  # court
    "1029900000100": (P, P, P, P, P, P, P, P, P),
}
# what differs when the public pages are read instead (no token)
HTML_CHANGES = {
    "1029900000051": (P, P, W, P, P, P, P, P, E),  # label not shown; too few posts visible
    "1029900000072": (E, E, E, E, E, E, E, E, E),  # login wall
    "1029900000100": (E, E, E, E, E, E, E, E, E),  # anti-bot challenge
    "99610401": (P, P, P, P, P, P, P, W, W),
    "99610407": (P, P, P, P, P, P, P, W, W),
}


def vk_statuses(report: dict) -> dict[str, tuple[str, ...]]:
    out = {}
    for e in report["entities"]:
        by_check = {
            f["check"]: f["status"]
            + ("/warning" if f["status"] == "fail" and f["severity"] == "warning" else "")
            for f in e["findings"]
            if f["platform"] == "vk"
        }
        out[e["id"]] = tuple(by_check[c] for c in VK_CHECKS)
    return out


def run_demo(world: World, out: Path, *extra: str, token: str | None = None):
    env = {"VK_TOKEN": token} if token else {}
    log_start = len(world.vk.log)
    proc = cli("run", "registry/demo.yaml", "--out", out, *world.cli_args(), *FAST, *extra, env=env)
    log = world.vk.log[log_start:]
    if (Path(out) / "report.json").exists():  # the canaries are read first: not the audit's
        log = log[load_report(out)["run"]["canary_requests"].get("vk", 0) :]
    return proc, log


@pytest.fixture(scope="module")
def api_run(world, tmp_path_factory):
    out = tmp_path_factory.mktemp("vk-api")
    proc, log = run_demo(world, out, token=world.vk_token)
    return proc, out, log


@pytest.fixture(scope="module")
def html_run(world, tmp_path_factory):
    out = tmp_path_factory.mktemp("vk-html")
    proc, log = run_demo(world, out)
    return proc, out, log


def test_api_run_covers_every_vk_outcome(api_run):
    proc, out, _ = api_run
    assert proc.returncode == 1, proc.stderr
    report = load_report(out)
    assert report["run"]["page_sources"]["vk"] == "api"
    got = vk_statuses(report)
    assert {k: got[k] for k in EXPECTED_API} == EXPECTED_API
    rest = {k: v for k, v in got.items() if k not in EXPECTED_API}
    assert all(v[1:] == (N,) * 8 and v[0] in (E, F, N) for v in rest.values()), rest
    assert rest["99620103"][0] == N  # an OK page only: VK not required under "any"
    for i, check_id in enumerate(VK_CHECKS):
        seen = {row[i] for row in got.values()}
        assert P in seen and (F in seen or W in seen) and N in seen, check_id


def test_api_requests_are_batched(api_run):
    """N pages cost ceil(N/500) look-ups + ceil(resolves/25) + ceil(open walls/25) requests."""
    _, out, log = api_run
    report = load_report(out)
    pages = {
        url: page
        for e in report["entities"]
        for url, page in e["observations"]["pages"].items()
        if page["platform"] == "vk"
    }
    communities = {
        p["page_id"]
        for p in pages.values()
        if p["kind"] != "profile" and p["state"] in ("found", "deleted", "banned")
    }
    walls = {
        p["page_id"]
        for p in pages.values()
        if p["posts"] is not None
        and p["state"] == "found"
        and p["kind"] != "profile"
        and p["wall_cause"] is None
    }
    methods = [m for m, _ in log]
    executes = [a for m, a in log if m == "execute"]
    assert methods.count("groups.getById") == 1  # every community of the run in one request
    assert len(executes) == 2  # one for the unknown screen names, one for 12 walls
    assert len(walls) == 12 and len(communities) >= 14
    assert report["run"]["api_requests"]["vk"] == len(log) == 3
    assert len(log) == math.ceil(len(communities) / 500) + 1 + math.ceil(len(walls) / 25)


def test_every_simulated_answer_matches_vks_schema(api_run):
    _, _, log = api_run
    assert log
    for method, answer in log:
        if "error" in answer:
            check(ERROR, answer["error"])
        elif method == "groups.getById":
            check(GET_BY_ID, answer)
        elif method == "wall.get":
            check(WALL_GET, answer)
        else:  # execute: each wall slot is a wall.get response
            for slot in answer["response"]:
                if isinstance(slot, dict) and "items" in slot:
                    check(WALL_GET, {"response": slot})


def test_no_token_anywhere_in_the_output(api_run, world):
    proc, out, _ = api_run
    token = world.vk_token
    for path in Path(out).rglob("*"):
        if path.is_file():
            assert token not in path.read_text(encoding="utf-8", errors="replace"), path
    assert token not in proc.stdout + proc.stderr
    report = load_report(out)
    assert report["run"]["platforms"]["vk"]["token"] == "***"


def test_evidence_of_pages(api_run):
    _, out, _ = api_run
    entity = next(e for e in load_report(out)["entities"] if e["id"] == "99000000")
    evidence = {ev["id"]: ev for ev in entity["evidence"]}
    exists = next(f for f in entity["findings"] if f["check"] == "page.exists.vk")
    records = [evidence[i] for i in exists["evidence"]]
    assert [r["method"] for r in records] == ["POST", "POST"]
    assert records[0]["request"].startswith("groups.getById group_ids=")
    assert records[1]["request"].startswith("execute wall.get")
    assert all(
        len(r["sha256"]) == 64 and r["url"].startswith("https://api.vk.com/method/")
        for r in records
    )


def test_html_fallback_without_token(html_run, api_run):
    proc, out, log = html_run
    assert proc.returncode == 1, proc.stderr
    assert log == []  # no API request without a token
    report = load_report(out)
    assert report["run"]["page_sources"]["vk"] == "html"
    got = vk_statuses(report)
    expected = {**EXPECTED_API, **HTML_CHANGES}
    assert {k: got[k] for k in expected} == expected
    page = report["entities"][0]["observations"]["pages"]["https://vk.com/gov_demo"]
    assert page["source"] == "html" and page["page_id"] == "100100"


def test_wrong_token_stops_with_a_clear_message(world, tmp_path):
    proc, _ = run_demo(world, tmp_path / "out", token="not-the-token-123")
    assert proc.returncode == 2
    assert "VK API refused the access token" in proc.stderr and "VK_TOKEN" in proc.stderr
    assert "not-the-token-123" not in proc.stderr + proc.stdout


def test_legacy_api_version_gives_the_same_findings(world, tmp_path, api_run):
    proc, log = run_demo(world, tmp_path / "old", "--vk-api-version", "5.131", token=world.vk_token)
    assert proc.returncode == 1, proc.stderr
    assert isinstance(next(a for m, a in log if m == "groups.getById")["response"], list)
    got = vk_statuses(load_report(tmp_path / "old"))
    assert {k: got[k] for k in EXPECTED_API} == EXPECTED_API


def test_ids_per_call_splits_the_look_up(world, tmp_path, api_run):
    proc, log = run_demo(world, tmp_path / "split", "--vk-ids-per-call", "4", token=world.vk_token)
    assert proc.returncode == 1, proc.stderr
    report = load_report(tmp_path / "split")
    keys = {
        url
        for e in report["entities"]
        for url in e["observations"]["pages"]
        if url.startswith("https://vk.com/") and not re.fullmatch(r"https://vk.com/id\d+", url)
    }
    assert [m for m, _ in log].count("groups.getById") == math.ceil(len(keys) / 4)
    assert vk_statuses(report) == vk_statuses(load_report(api_run[1]))


def test_rate_limit_error_6_is_survived(tmp_path):
    scenario = load_scenario()
    scenario.vk = {**scenario.vk, "rate": 1}  # VK allows one request a second
    names = ["gov_demo", "severnoe_sp", "rechnoe_sp", "ozerki_sp", "sosnovka_sp", "nobody_x"]
    bodies = [
        f"{{id: b{i}, name: Орган {i}, kind: rural_settlement, website: none, "
        f"pages: {{vk: 'https://vk.com/{n}'}}}}"
        for i, n in enumerate(names)
    ]
    reg = one_body(tmp_path, *bodies)
    with World(scenario) as w:
        proc = cli(
            "run",
            reg,
            "--out",
            tmp_path / "o",
            "--vk-rate",
            "50",
            "--vk-ids-per-call",
            "2",
            *w.cli_args(),
            *FAST,
            env={"VK_TOKEN": w.vk_token},
        )
        codes = [a["error"]["error_code"] for _, a in w.vk.log if "error" in a]
    assert proc.returncode == 1, proc.stderr
    assert 6 in codes  # the simulated VK did refuse ...
    report = load_report(tmp_path / "o")
    states = [p["state"] for e in report["entities"] for p in e["observations"]["pages"].values()]
    assert states == ["found"] * 5 + ["missing"]  # ... and nothing was lost
    retried = [ev for e in report["entities"] for ev in e["evidence"] if ev["retried"]]
    assert any(re.fullmatch(r"vk:6", r) for ev in retried for r in ev["retried"])
