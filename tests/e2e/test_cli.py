"""The real CLI over real TCP against the simulated web; nothing leaves 127.0.0.1."""

import csv
import json

import pytest

from tests.e2e.conftest import FAST, ROOT, cli, load_report, one_body

pytestmark = pytest.mark.e2e

# id -> (site.exists, site.links.vk, site.links.ok, site.links.consistent, site.pos_widget)
EXPECTED = {
    "99000000": ("pass", "pass", "pass", "pass", "pass"),  # Gosweb-like, icons, ПОС
    "99610000": ("pass", "pass", "pass", "pass", "pass"),  # public<id> == club<id>
    "99610401": ("pass", "pass", "pass", "pass", "fail"),  # windows-1251, legacy domains
    "99610402": ("pass", "pass", "n/a", "pass", "fail"),  # VK widget only
    "99610403": ("pass", "fail", "fail", "n/a", "fail"),  # no links
    "99610404": ("pass", "pass", "pass", "pass", "fail"),  # links on the contacts page
    "99610405": ("error", "error", "error", "n/a", "error"),  # 404 (not confirmed: one run)
    "99610406": ("error", "error", "error", "n/a", "error"),  # 500
    "99610407": ("pass", "pass", "pass", "n/a", "fail"),  # 503 then ok
    "99610408": ("pass", "pass", "pass", "n/a", "fail"),  # 429 + Retry-After then ok
    "99610409": ("pass", "pass", "pass", "n/a", "fail"),  # slow
    "99610410": ("error", "error", "error", "n/a", "error"),  # hangs: timeout
    "99610411": ("error", "error", "error", "n/a", "error"),  # not resolved (isolated)
    "99610412": ("pass", "pass", "pass", "n/a", "fail"),  # TLS mismatch: read anyway (site.tls)
    "99610413": ("error", "error", "error", "n/a", "error"),  # redirect loop (not confirmed)
    "99610414": ("pass", "error", "error", "n/a", "error"),  # over the size cap
    "99610415": ("pass", "pass", "pass", "pass", "fail"),  # broken HTML
    "99610416": ("error", "error", "error", "n/a", "error"),  # website unknown
    "99610417": ("fail", "n/a", "n/a", "n/a", "n/a"),  # website: none
    "99610418": ("pass", "error", "error", "n/a", "error"),  # PDF home page
    "99610419": ("error", "error", "error", "n/a", "error"),  # blocking stub
    "99610420": ("error", "error", "error", "n/a", "error"),  # anti-bot interstitial (403)
    "99610421": ("error", "error", "error", "n/a", "error"),  # parked domain
    "99620000": ("pass", "pass", "pass", "fail", "fail"),  # links another VK page
    "99620101": ("pass", "fail", "fail", "n/a", "fail"),  # share buttons + a post link
    "99620102": ("pass", "pass", "pass", "pass", "fail"),  # 301 to a new domain
    "99620103": ("error", "error", "error", "error", "error"),  # website unknown, OK page declared
    "1029900000051": ("pass", "pass", "pass", "pass", "fail"),  # club<id> == screen name (VK id)
    "1029900000072": ("pass", "pass", "pass", "n/a", "fail"),  # onclick / data-href
    "1029900000083": ("pass", "pass", "n/a", "n/a", "fail"),  # personal VK profile link
    "1029900000094": ("n/a", "n/a", "n/a", "n/a", "n/a"),  # subordinate, no site
    "99OS0000": ("pass", "pass", "n/a", "n/a", "fail"),  # court, address as text
    "1029900000100": ("pass", "pass", "pass", "pass", "pass"),  # OK widget, vk.ru, ПОС call
}
ORDER = (
    "site.exists",
    "site.links.vk",
    "site.links.ok",
    "site.links.consistent",
    "site.pos_widget",
)


@pytest.fixture(scope="module")
def demo_run(world, tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    world.reset_faults()  # the retry checks below need each site's first failure
    proc = cli("run", "registry/demo.yaml", "--out", out, *world.cli_args(), *FAST)
    return proc, out


def test_run_covers_every_website_outcome(demo_run):
    proc, out = demo_run
    assert proc.returncode == 1, proc.stderr  # violations found
    report = load_report(out)
    got = {
        e["id"]: tuple({f["check"]: f["status"] for f in e["findings"]}[c] for c in ORDER)
        for e in report["entities"]
    }
    assert got == EXPECTED
    tls = {e["id"]: {f["check"]: f for f in e["findings"]}["site.tls"] for e in report["entities"]}
    assert tls["99610412"]["status"] == "fail" and tls["99610412"]["severity"] == "warning"
    assert tls["99000000"]["status"] == "pass"
    seen = {(c, s) for row in EXPECTED.values() for c, s in zip(ORDER, row, strict=True)}
    for check in ORDER:  # each check shows pass, fail and error somewhere in the demo
        need = {"pass", "fail"} if check == "site.links.consistent" else {"pass", "fail", "error"}
        assert {s for c, s in seen if c == check} >= need, check


def test_evidence_is_recorded(demo_run):
    _, out = demo_run
    by_id = {e["id"]: e for e in load_report(out)["entities"]}
    region = by_id["99000000"]
    ev = region["evidence"][0]
    assert ev["status"] == 200 and len(ev["sha256"]) == 64 and ev["fetched_at"].endswith("+00:00")
    assert all(f["evidence"][0] == "e1" for f in region["findings"] if f["check"] in ORDER)
    moved = by_id["99620102"]["evidence"][0]
    assert moved["final_url"] == "https://zapadny-gp.ru/" and moved["redirects"][0]["status"] == 301
    assert by_id["99610407"]["evidence"][0]["attempts"] == 2
    assert by_id["99610408"]["evidence"][0]["retried"] == ["429"]
    assert by_id["99610401"]["evidence"][0]["charset"] == "windows-1251"
    untrusted, read = by_id["99610412"]["evidence"][:2]
    assert untrusted["error"] == "tls" and not untrusted["tls_unverified"]
    assert read["status"] == 200 and read["tls_unverified"]  # read anyway, and said so
    assert by_id["99610411"]["evidence"][0]["error"] == "resolver"  # isolated: not asked
    assert by_id["99610410"]["evidence"][0]["error"] == "timeout"
    contacts = by_id["99610404"]["observations"]["site"]["pages_read"]
    assert contacts == ["https://rechnoe-sp.ru", "https://rechnoe-sp.ru/kontakty"]


def test_html_report(demo_run):
    _, out = demo_run
    html = (out / "index.html").read_text(encoding="utf-8")
    assert '<html lang="ru">' in html and "Сводка" in html
    assert "Правительство Демонстрационной области" in html
    assert "ч. 1 ст. 10 Федерального закона от 09.02.2009 № 8-ФЗ" in html
    assert "Разместить на официальном сайте" in html  # remediation shown for failures
    assert "замечание" in html  # a failed warning (ПОС widget) is a remark, not a violation
    assert "http://" not in html.split("<style>")[0]  # no external resources in <head>
    assert "cdn" not in html.lower()


def test_report_command_rerenders_in_english(demo_run):
    _, out = demo_run
    proc = cli("report", out, "--lang", "en")
    assert proc.returncode == 0, proc.stderr
    assert "Compliance per requirement" in (out / "index.html").read_text(encoding="utf-8")


def test_exit_zero_without_violations(world, tmp_path):
    reg = one_body(
        tmp_path,
        "{id: a, name: Правительство, kind: regional_body, website: 'https://gov-demo-oblast.ru', "
        "pages: {vk: 'https://vk.com/gov_demo'}}",
    )
    proc = cli("run", reg, "--out", tmp_path / "out", "--quiet", *world.cli_args(), *FAST)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_platforms_both_policy(world, tmp_path):
    """A second platform is the policy's rule, not the law: a warning, and a violation only of
    the regional act a policy file names."""
    reg = one_body(
        tmp_path, "{id: a, name: Лесное, kind: rural_settlement, website: 'https://lesnoe-sp.ru'}"
    )
    proc = cli("run", reg, "--out", tmp_path / "o", "--platforms", "both", *world.cli_args(), *FAST)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    findings = {f["check"]: f for f in load_report(tmp_path / "o")["entities"][0]["findings"]}
    links_ok = findings["site.links.ok"]
    assert (links_ok["status"], links_ok["severity"], links_ok["basis"]) == (
        "fail",
        "warning",
        "policy",
    )
    policy = tmp_path / "policy.yaml"
    policy.write_text(
        "platforms: both\n"
        "regional_act: указ Главы Республики от 01.12.2025 № 1\n"
        "regional_requirements: [platforms]\n",
        encoding="utf-8",
    )
    proc = cli("run", reg, "--out", tmp_path / "r", "--policy", policy, *world.cli_args(), *FAST)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    report = load_report(tmp_path / "r")
    links_ok = {f["check"]: f for f in report["entities"][0]["findings"]}["site.links.ok"]
    assert (links_ok["severity"], links_ok["basis"]) == ("violation", "region")
    html = (tmp_path / "r" / "index.html").read_text(encoding="utf-8")
    assert "нарушение регионального требования" in html
    assert "региональный акт: указ Главы Республики от 01.12.2025 № 1" in html


def test_a_court_covered_by_a_joint_page(world, tmp_path):
    """A court whose official page is the regional courts' joint page: its page checks point
    there, the joint page is checked once under the body that keeps it, and courts are held
    to their own information law."""
    reg = one_body(
        tmp_path,
        "{id: '99OS0000', name: Демонстрационный областной суд, kind: court, "
        "website: 'https://oblsud-demo.sudrf.ru', pages: {vk: 'https://vk.com/oblsud_demo'}}",
        "{id: '99RS0001', name: Демонстрационный районный суд, kind: court, "
        "website: 'https://oblsud-demo.sudrf.ru', covered_by: '99OS0000'}",
    )
    out = tmp_path / "o"
    proc = cli("run", reg, "--out", out, *world.cli_args(), *FAST, env={"VK_TOKEN": world.vk_token})
    assert proc.returncode in (0, 1), proc.stderr
    keeper, covered = load_report(out)["entities"]
    page_findings = [f for f in covered["findings"] if f["check"].startswith("page.")]
    assert page_findings and all(f["status"] == "n/a" for f in page_findings)
    assert all("99OS0000" in f["message_ru"] for f in page_findings)
    exists = {f["check"]: f["status"] for f in keeper["findings"]}
    assert exists["page.exists.vk"] == "pass"
    with (out / "report.csv").open(encoding="utf-8-sig", newline="") as fh:
        basis = {
            r["check"]: r["legal_basis"] for r in csv.DictReader(fh) if r["entity_id"] == "99OS0000"
        }
    assert "Об обеспечении доступа к информации о деятельности судов" in basis["site.exists"]
    assert "8-ФЗ" not in basis["site.exists"]


def test_loopback_refused_unless_allowed(world, tmp_path):
    reg = one_body(
        tmp_path, f"{{id: a, name: A, kind: court, website: 'http://127.0.0.1:{world.http_port}/'}}"
    )
    cli("run", reg, "--out", tmp_path / "o1", "--quiet", *FAST)
    ev = load_report(tmp_path / "o1")["entities"][0]["evidence"][0]
    assert ev["error"] == "blocked" and ev["status"] is None
    cli("run", reg, "--out", tmp_path / "o2", "--quiet", "--allow-loopback", *FAST)
    ev = load_report(tmp_path / "o2")["entities"][0]["evidence"][0]
    assert ev["error"] is None and ev["status"] == 404


def test_validate_broken_registry(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "entities:\n  - id: a\n    name: A\n    kind: village\n"
        "    website: adm.ru\n  - {id: a, name: B, kind: court}\n",
        encoding="utf-8",
    )
    proc = cli("validate", bad)
    assert proc.returncode == 2
    lines = proc.stdout.splitlines()
    assert f"{bad}:4: kind: unknown kind 'village'" in lines[0]
    assert lines[1].startswith(f"{bad}:5: website: missing scheme")
    assert lines[2] == f"{bad}:6: id: duplicate id 'a' (first at {bad}:2)"


def test_validate_shipped_registry():
    proc = cli("validate", "registry/")  # the demo and the real registries shipped
    assert proc.returncode == 0 and proc.stdout.startswith("ok: ")
    proc = cli("validate", "registry/demo.yaml")
    assert proc.returncode == 0 and proc.stdout.startswith("ok: 33 entities")


def test_run_refuses_broken_registry(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("entities: {}\n", encoding="utf-8")
    proc = cli("run", bad, "--out", tmp_path / "o")
    assert proc.returncode == 2 and "bad.yaml:1: entities:" in proc.stdout
    assert not (tmp_path / "o" / "report.json").exists()


def test_usage_errors_exit_2(tmp_path):
    assert (
        cli("run", "registry/demo.yaml", "--out", tmp_path, "--connect-to", "x:1").returncode == 2
    )
    assert cli("run").returncode == 2
    assert cli("links", tmp_path / "missing.html").returncode == 2


def test_checks_json():
    proc = cli("checks", "--json")
    checks = json.loads(proc.stdout)
    assert {c["id"] for c in checks} >= set(ORDER) | {"page.exists.vk", "page.gov_mark"}
    assert all(c["legal_basis_ru"].strip() and c["remediation_ru"].strip() for c in checks)
    kinds = {"law_article", "act", "rating", "region", "policy"}
    assert all(c["basis_kind"] in kinds and c["basis"] for c in checks)


def test_links_on_a_file_with_base_url():
    page = ROOT / "audit/world/sites/widget_vk.html"
    proc = cli("links", page, "--base-url", "https://lesnoe-sp.ru/", "--json")
    out = json.loads(proc.stdout)
    assert out["vk"] == [] and out["ok"] == [] and out["pos_widget"] is False  # {{gid}} unfilled
    page = ROOT / "audit/world/sites/federal.html"
    out = json.loads(cli("links", page, "--json").stdout)
    assert out["ok"] == [] and out["pos_widget"] is True


def test_links_on_a_url_through_the_world(world):
    proc = cli("links", "https://gov-demo-oblast.ru/", "--json", *world.cli_args())
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out == {
        **out,
        "vk": ["https://vk.com/gov_demo"],
        "ok": ["https://ok.ru/govdemo"],
        "pos_widget": True,
        "pos_widget_id": "356789",
    }


def test_demo_command(tmp_path):
    proc = cli("demo", "--out", tmp_path / "demo", timeout=180)
    assert proc.returncode == 0, proc.stderr
    for name in ("index.html", "report.json", "report.csv", "report.xlsx", "junit.xml"):
        assert (tmp_path / "demo" / name).is_file(), name
    assert load_report(tmp_path / "demo")["summary"]["bodies"] == 33
    from openpyxl import load_workbook

    wb = load_workbook(tmp_path / "demo" / "report.xlsx")
    assert wb.sheetnames == ["Сводка", "Нарушения и замечания", "Органы"]
    assert wb["Органы"].max_row == 34 and wb["Органы"].freeze_panes == "A2"
    assert wb["Нарушения и замечания"].auto_filter.ref.startswith("A1:")


def test_a_nightly_log_shows_progress_lines_and_quiet_shows_none(world, tmp_path):
    """Under CI (no terminal) a run prints a plain progress line every period (10 s; shortened
    here), and nothing of the kind with --quiet."""
    env = {"CI": "true", "PAGES_AUDIT_PROGRESS_SECONDS": "0.05"}
    args = ["run", "registry/demo.yaml", *world.cli_args(), *FAST]
    proc = cli(*args, "--out", tmp_path / "loud", env=env)
    assert proc.returncode == 1, proc.stderr
    lines = [x for x in proc.stderr.splitlines() if " of 33 bodies (" in x]
    assert lines and "bodies/s" in lines[-1] and "not fully checked so far" in lines[-1]
    quiet = cli(*args, "--out", tmp_path / "quiet", "--quiet", env=env)
    assert quiet.returncode == 1 and " of 33 bodies (" not in quiet.stderr
    assert "33 bodies" not in quiet.stdout + quiet.stderr  # --quiet: no summary either
    brief = cli("-q", *args, "--out", tmp_path / "brief", env=env)
    assert brief.returncode == 1 and " of 33 bodies (" not in brief.stderr
    said = brief.stdout + brief.stderr
    assert "33" in said and "index.html" in said, said  # -q: only the summary
    assert cli("-q", "-v", "checks").returncode == 2


def test_verbose_logs_the_steps_and_every_request_without_secrets(world, tmp_path):
    env = {"VK_TOKEN": world.vk_token, **world.ok_env()}
    args = ["run", "registry/demo.yaml", "--out", tmp_path / "v", *world.cli_args(), *FAST]
    proc = cli("-vv", *args, env=env)
    assert proc.returncode == 1, proc.stderr
    assert "INFO audit.run: run 1: 33 bodies of" in proc.stderr
    requests = [x for x in proc.stderr.splitlines() if "DEBUG audit.fetch: " in x]
    assert any("GET https://" in x and "-> 200 in" in x for x in requests)
    assert any("api.vk.com" in x for x in requests) and any("-> timeout in" in x for x in requests)
    for secret in (world.vk_token, world.ok.app_secret, world.ok.access_token):
        assert secret not in proc.stderr
    quiet = cli(*args[:3], tmp_path / "q", *args[4:], env=env)
    assert "audit.fetch" not in quiet.stderr and "audit.run" not in quiet.stderr
