"""OK end to end: the real CLI against the simulated OK (signed API and public pages) over TCP,
VK and OK side by side, and the policy choosing one platform or both."""

from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from tests.e2e.conftest import FAST, cli, load_report, one_body

pytestmark = pytest.mark.e2e

OK_CHECKS = (
    "page.exists.ok",
    "page.community",
    "page.gov_mark",
    "page.name_matches",
    "page.contacts",
    "page.links_site",
    "page.description",
    "page.activity.last_post_age",
    "page.activity.posts_per_week",
)
P, F, E, N, W = "P", "F", "E", "N", "W"
EXPECTED_API = {
    "99000000": (P, P, P, P, P, P, P, P, P),  # the model group
    "99610000": (P, P, P, P, W, P, P, P, P),  # no phone, no e-mail
    "99610401": (P, W, P, P, W, W, W, E, E),  # closed group: the audit's reading, a warning
    "99610402": (N, N, N, N, N, N, N, N, N),  # VK only: OK not required
    "99610404": (P, P, P, P, P, W, P, P, P),  # homepage elsewhere
    "99610407": (W, N, N, N, N, N, N, N, N),  # the site links a group that does not exist
    "99610408": (P, F, N, N, N, N, N, N, N),  # a personal profile
    "99610409": (P, P, P, W, W, P, W, P, P),  # name, description, contacts
    "99620000": (P, P, P, P, P, P, P, W, W),  # silent for three weeks: a policy number
    "99620102": (F, N, N, N, N, N, N, N, N),  # blocked
    "99620103": (P, P, P, P, P, E, P, P, P),  # an OK page only; website unknown
    "1029900000051": (P, P, W, P, P, P, P, P, P),  # no state-organisation mark
    "1029900000072": (P, P, E, P, P, P, P, P, P),  # the API does not say the mark
    "1029900000100": (P, P, P, P, P, P, P, P, P),
}
HTML_CHANGES = {
    "1029900000072": (P, P, W, P, P, P, P, P, P),  # no label on the public page
    "1029900000100": (E, E, E, E, E, E, E, E, E),  # captcha
}
LETTER = {"pass": P, "fail": F, "error": E, "n/a": N}


def ok_statuses(report: dict) -> dict[str, tuple[str, ...]]:
    out = {}
    for e in report["entities"]:
        by = {
            f["check"]: W
            if f["status"] == "fail" and f["severity"] == "warning"
            else LETTER[f["status"]]
            for f in e["findings"]
            if f["platform"] == "ok"
        }
        out[e["id"]] = tuple(by[c] for c in OK_CHECKS)
    return out


def run(world, out, *extra, api=True):
    env = {**world.ok_env(), "VK_TOKEN": world.vk_token} if api else {}
    start = len(world.ok.log)
    proc = cli("run", "registry/demo.yaml", "--out", out, *world.cli_args(), *FAST, *extra, env=env)
    log = world.ok.log[start:]
    if (Path(out) / "report.json").exists():  # the canaries are read first: not the audit's
        log = log[load_report(out)["run"]["canary_requests"].get("ok", 0) :]
    return proc, log


@pytest.fixture(scope="module")
def api_run(world, tmp_path_factory):
    out = tmp_path_factory.mktemp("ok-api")
    proc, log = run(world, out)
    return proc, out, log


def test_api_run_covers_every_ok_outcome(api_run):
    proc, out, log = api_run
    assert proc.returncode == 1, proc.stderr
    report = load_report(out)
    assert report["run"]["page_sources"] == {"vk": "api", "ok": "api"}
    got = ok_statuses(report)
    assert {k: got[k] for k in EXPECTED_API} == EXPECTED_API
    for i, check_id in enumerate(OK_CHECKS):
        seen = {row[i] for row in got.values()}
        assert {P, N} <= seen and seen & {F, W}, check_id
    methods = [m for m, _ in log]
    assert methods.count("group.getInfo") == 1  # every group of the run in one request
    assert report["run"]["api_requests"]["ok"] == len(log)
    assert not [
        a
        for _, a in log
        if isinstance(a, dict) and "error_code" in a and a["error_code"] in (101, 102, 104)
    ]


def test_no_secret_anywhere_in_the_output(api_run, world):
    proc, out, _ = api_run
    secrets = [world.ok.app_secret, world.ok.access_token, world.vk_token]
    for path in Path(out).rglob("*"):
        if path.is_file():
            text = path.read_text(encoding="utf-8", errors="replace")
            assert not [s for s in secrets if s in text], path
    assert not [s for s in secrets if s in proc.stdout + proc.stderr]
    platforms = load_report(out)["run"]["platforms"]["ok"]
    assert platforms["app_secret"] == "***" and platforms["access_token"] == "***"


def test_html_fallback_without_keys(world, tmp_path):
    proc, log = run(world, tmp_path / "html", api=False)
    assert proc.returncode == 1, proc.stderr
    assert log == []
    report = load_report(tmp_path / "html")
    assert report["run"]["page_sources"] == {"vk": "html", "ok": "html"}
    got = ok_statuses(report)
    expected = {**EXPECTED_API, **HTML_CHANGES}
    assert {k: got[k] for k in expected} == expected


def test_wrong_secret_is_a_signature_error_and_stops(world, tmp_path):
    env = {**world.ok_env(), "OK_APP_SECRET": "not-the-secret-42"}
    proc = cli(
        "run", "registry/demo.yaml", "--out", tmp_path / "o", *world.cli_args(), *FAST, env=env
    )
    assert proc.returncode == 2
    assert "OK API refused the application credentials" in proc.stderr
    assert "error 104" in proc.stderr and "not-the-secret-42" not in proc.stderr


def test_half_configured_keys_are_a_usage_error(world, tmp_path):
    proc = cli(
        "run",
        "registry/demo.yaml",
        "--out",
        tmp_path / "o",
        *world.cli_args(),
        env={"OK_APP_KEY": "X"},
    )
    assert proc.returncode == 2 and "OK_APP_SECRET" in proc.stderr


def test_report_shows_vk_and_ok_side_by_side(api_run):
    _, out, _ = api_run
    soup = BeautifulSoup((Path(out) / "index.html").read_text(encoding="utf-8"), "lxml")
    head = [th.get_text(strip=True) for th in soup.select("#bodies thead th")]
    assert head[-3:] == ["ВКонтакте", "Одноклассники", "Итог"]
    pages = soup.select("section.body")[0].select_one("table.pages")
    first = [c.get_text(" ", strip=True) for c in pages.select("tr")[0].select("th")]
    assert first[1].startswith("ВКонтакте https://vk.com/gov_demo")
    assert first[2].startswith("Одноклассники https://ok.ru/govdemo")


@pytest.mark.parametrize(
    ("platforms", "vk", "ok"),
    [
        ("any", "pass", "n/a"),
        ("vk", "pass", "n/a"),
        ("ok", "pass", "fail"),
        ("both", "pass", "fail"),
    ],
)
def test_policy_requires_one_platform_or_both(world, tmp_path, platforms, vk, ok):
    reg = one_body(
        tmp_path,
        "{id: l, name: Администрация Лесного сельского поселения, "
        "kind: rural_settlement, website: 'https://lesnoe-sp.ru'}",
    )
    policy = tmp_path / "policy.yaml"
    policy.write_text(f"platforms: {platforms}\n", encoding="utf-8")
    proc = cli(
        "run",
        reg,
        "--out",
        tmp_path / "o",
        "--policy",
        policy,
        *world.cli_args(),
        *FAST,
        env={"VK_TOKEN": world.vk_token},
    )
    # the VK group is closed (a warning) and the OK page only a policy requires (a warning)
    assert proc.returncode == 0, proc.stderr
    findings = {
        f["check"]: f["status"]
        for f in load_report(tmp_path / "o")["entities"][0]["findings"]
        if f["check"].startswith("page.exists")
    }
    assert findings == {"page.exists.vk": vk, "page.exists.ok": ok}
