"""Faults over TCP: a site that resets connections, a VK API that fails every call, an OK API
that never answers, a careless API that echoes the token. The run completes; the affected
findings are `error` with the cause; the rest is unchanged; no secret reaches the output."""

from __future__ import annotations

from pathlib import Path

import pytest

from audit.world.scenario import load_scenario
from audit.world.server import World
from tests.e2e.conftest import FAST, cli, load_report, one_body

pytestmark = pytest.mark.e2e


def site_findings(out) -> dict:
    return {
        (e["id"], f["key"]): f["status"]
        for e in load_report(out)["entities"]
        for f in e["findings"]
        if f["check"].startswith("site.")
    }


@pytest.fixture(scope="module")
def normal_run(world, tmp_path_factory):
    out = tmp_path_factory.mktemp("normal")
    env = {**world.ok_env(), "VK_TOKEN": world.vk_token}
    proc = cli(
        "run", "registry/demo.yaml", "--out", out, "--quiet", *world.cli_args(), *FAST, env=env
    )
    assert proc.returncode == 1, proc.stderr
    return out


def faulty_world(vk_fault: dict, ok_fault: dict) -> World:
    scenario = load_scenario()
    scenario.vk = {**scenario.vk, "fault": vk_fault}
    scenario.ok = {**scenario.ok, "fault": ok_fault}
    return World(scenario)


@pytest.mark.parametrize("vk_fault", [{"status": 500}, {"error": 6, "echo_token": True}])
def test_platform_apis_failing_make_errors_not_violations(tmp_path, normal_run, vk_fault):
    with faulty_world(vk_fault, {"hang": 30}) as w:
        env = {**w.ok_env(), "VK_TOKEN": w.vk_token}
        proc = cli(
            "run",
            "registry/demo.yaml",
            "--out",
            tmp_path,
            *w.cli_args(),
            *FAST,
            env=env,
            timeout=300,
        )
        secrets = [w.vk_token, w.ok.app_secret, w.ok.access_token]
    assert proc.returncode == 3, proc.stderr  # complete, but marked incomplete for CI
    report = load_report(tmp_path)
    health = report["health"]["platforms"]
    # every VK page but the personal profile (known from its address alone) is unreadable
    assert health["vk"]["error_rate"] > 90 and health["ok"]["error_rate"] > 90
    expected_vk = {"http"} if vk_fault.get("status") else {"rate_limit"}
    assert set(health["vk"]["causes"]) == expected_vk
    assert set(health["ok"]["causes"]) == {"timeout"}
    page_findings = [
        f for e in report["entities"] for f in e["findings"] if f["check"].startswith("page.")
    ]
    assert not [f for f in page_findings if f["status"] in ("fail", "pass")]
    got, before = site_findings(tmp_path), site_findings(normal_run)
    # comparing a screen name with a club id needs VK: that one becomes an error, rightly
    key = ("1029900000051", "site.links.consistent")
    assert (before[key], got.pop(key)) == ("pass", "error")
    before.pop(key)
    assert got == before  # every other website finding is unaffected
    for path in Path(tmp_path).rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert not [s for s in secrets if s.encode() in data], path
    assert not [s for s in secrets if s in proc.stdout + proc.stderr]


def test_site_resetting_connections_is_an_error(hostile_world, tmp_path):
    reg = one_body(
        tmp_path,
        "{id: c, name: Администрация, kind: rural_settlement, website: 'https://cut.test/'}",
    )
    proc = cli(
        "run",
        reg,
        "--out",
        tmp_path / "o",
        "--quiet",
        "--no-canaries",
        *hostile_world.cli_args(),
        *FAST,
    )
    assert proc.returncode == 0, proc.stderr  # no violation: an error is not one
    body = load_report(tmp_path / "o")["entities"][0]
    exists = next(f for f in body["findings"] if f["check"] == "site.exists")
    assert exists["status"] == "error"
    assert body["evidence"][0]["error"] in ("protocol", "connect")
    assert body["evidence"][0]["attempts"] == 2  # retried once (FAST), then reported


def test_apis_that_redirect_are_not_followed_and_leak_nothing(tmp_path):
    """VK answers 307 to a host named after the token with the token in the query; OK answers
    307 to another host (a client that follows would POST the signed form, access token
    included, again there). Neither is followed; no output holds a secret."""
    scenario = load_scenario()
    from audit.world.scenario import Route, Site

    scenario.sites["leak.test"] = Site("leak.test", routes={"/fb.do": Route(body="{}")})
    scenario.vk = {
        **scenario.vk,
        "fault": {"redirect": "https://{token}.leak.test/method/x?access_token={token}"},
    }
    scenario.ok = {**scenario.ok, "fault": {"redirect": "https://leak.test/fb.do"}}
    with World(scenario) as w:
        env = {**w.ok_env(), "VK_TOKEN": w.vk_token}
        proc = cli(
            "run", "registry/demo.yaml", "--out", tmp_path, *w.cli_args(), *FAST, env=env,
            timeout=300,
        )  # fmt: skip
        secrets = [w.vk_token, w.ok.app_secret, w.ok.access_token]
        asked = {host for host, _path in w.requests}
    assert proc.returncode == 3, proc.stderr
    assert not [h for h in asked if "leak" in h]  # nothing went to the other host
    health = load_report(tmp_path)["health"]["platforms"]
    assert set(health["vk"]["causes"]) == {"http"} and set(health["ok"]["causes"]) == {"http"}
    for path in Path(tmp_path).rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert not [s for s in secrets if s.encode() in data], path
    assert not [s for s in secrets if s in proc.stdout + proc.stderr]


def test_a_token_echoed_in_page_data_reaches_no_output(tmp_path):
    scenario = load_scenario()
    token = scenario.vk["token"]
    groups = [dict(g) for g in scenario.vk["groups"]]
    for g in groups:  # every community's description repeats what the API was sent
        g["description"] = f"{g.get('description') or ''} token={token}"
    scenario.vk = {**scenario.vk, "groups": groups}
    with World(scenario) as w:
        env = {**w.ok_env(), "VK_TOKEN": w.vk_token}
        proc = cli("run", "registry/demo.yaml", "--out", tmp_path, *w.cli_args(), *FAST, env=env)
    assert proc.returncode in (0, 1), proc.stderr
    for path in Path(tmp_path).rglob("*"):
        if path.is_file():
            assert token.encode() not in path.read_bytes(), path
    assert "token=***" in (tmp_path / "report.csv").read_text(encoding="utf-8") or (
        "token=***" in (tmp_path / "report.json").read_text(encoding="utf-8")
    )
