"""Adding a platform is one folder: the toy platform of tests/toyplatform (never part of
`audit/`) goes through the whole pipeline — link discovery on the bodies' websites, its own
collector over TCP, the page checks, the verdict and every report — once it is named in
PAGES_AUDIT_PLATFORMS. Like MAX, it is outside the federal list, so a missing page there is a
violation only of a regional act that requires it, never of federal law."""

from __future__ import annotations

import csv
import json

import pytest

from audit.world.scenario import Route, Site, load_scenario
from audit.world.server import World
from tests.e2e.conftest import FAST, cli, load_report

pytestmark = pytest.mark.e2e

TOY = {"PAGES_AUDIT_PLATFORMS": "tests.toyplatform"}
VK, OK = "https://vk.com/gov_demo", "https://ok.ru/govdemo"


def site_page(links: str) -> str:
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>Администрация</title></head>"
        "<body><nav><a href='/news'>Новости</a> <a href='/docs'>Документы</a></nav>"
        f"<p>Официальный сайт администрации сельского поселения.</p><footer>{links}</footer>"
        "</body></html>"
    )


def channel(name: str) -> str:
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'>"
        f"<meta property='og:title' content='{name}'>"
        "<meta property='og:description' content='Официальный канал администрации'></head>"
        f"<body><main data-channel='1'><h1>{name}</h1></main></body></html>"
    )


def toy_world() -> World:
    scenario = load_scenario()
    scenario.sites["whistle.test"] = Site(
        "whistle.test", routes={"/adm_alpha": Route(body=channel("Администрация Альфы"))}
    )
    both = f'<a href="{VK}">ВКонтакте</a> <a href="{OK}">Одноклассники</a>'
    scenario.sites["alpha-sp.ru"] = Site(
        "alpha-sp.ru",
        routes={
            "/": Route(
                body=site_page(both + ' <a href="https://whistle.test/adm_alpha">Свисток</a>')
            )
        },
    )
    scenario.sites["beta-sp.ru"] = Site("beta-sp.ru", routes={"/": Route(body=site_page(both))})
    scenario.sites["gamma-sp.ru"] = Site("gamma-sp.ru", routes={"/": Route(body=site_page(both))})
    return World(scenario)


WHERE = "kind: rural_settlement, region: Демонстрационная область"
REGISTRY = f"""entities:
  - {{id: alpha, name: Администрация Альфы, {WHERE}, website: "https://alpha-sp.ru/"}}
  - {{id: beta, name: Администрация Беты, {WHERE}, website: "https://beta-sp.ru/",
     pages: {{whistle: "https://whistle.test/gone_beta"}}}}
  - {{id: gamma, name: Администрация Гаммы, {WHERE}, website: "https://gamma-sp.ru/"}}
"""
REGIONAL = """platforms: vk,ok,whistle
regional_act: "закон Демонстрационной области от 01.02.2026 № 1-ОЗ"
regional_requirements: [platforms]
"""


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    base = tmp_path_factory.mktemp("toy")
    reg = base / "toy.yaml"
    reg.write_text(REGISTRY, encoding="utf-8")
    policy = base / "regional.yaml"
    policy.write_text(REGIONAL, encoding="utf-8")
    out = {}
    with toy_world() as w:
        for name, extra in (("any", []), ("regional", ["--policy", policy])):
            proc = cli("run", reg, "--out", base / name, *extra, *w.cli_args(), *FAST, env=TOY)
            assert proc.returncode in (0, 1), proc.stderr
            out[name] = base / name
    return out


def findings(out, body: str) -> dict[str, dict]:
    entity = next(e for e in load_report(out)["entities"] if e["id"] == body)
    return {f["key"]: f for f in entity["findings"]}


def test_the_toy_platform_is_discovered_collected_and_checked(runs):
    alpha, beta, gamma = (findings(runs["any"], b) for b in ("alpha", "beta", "gamma"))
    assert alpha["site.links.whistle"]["status"] == "pass"
    assert alpha["page.exists.whistle"]["status"] == "pass", alpha["page.exists.whistle"]
    assert "Администрация Альфы" in alpha["page.exists.whistle"]["message_ru"]
    assert alpha["page.description[whistle]"]["status"] == "pass"
    # the registry's page answers 404: out-of-date data, a warning; federal law is not involved
    gone = beta["page.exists.whistle"]
    assert (gone["status"], gone["severity"]) == ("fail", "warning"), gone
    assert "не существует" in gone["message_ru"]
    assert gamma["page.exists.whistle"]["status"] == "n/a"
    assert gamma["site.links.whistle"]["status"] == "n/a"
    for body in (alpha, beta, gamma):  # the federal checks are untouched by the third platform
        assert body["page.exists.vk"]["status"] == body["site.links.ok"]["status"] == "pass"


def test_a_regional_act_makes_the_missing_channel_a_regional_violation(runs):
    gamma = findings(runs["regional"], "gamma")
    missing = gamma["page.exists.whistle"]
    assert (missing["status"], missing["severity"], missing["basis"]) == (
        "fail",
        "violation",
        "region",
    ), missing
    assert gamma["site.links.whistle"]["basis"] == "region"
    assert gamma["page.exists.vk"]["status"] == "pass"
    report = load_report(runs["regional"])
    check = next(c for c in report["checks"] if c["id"] == "page.exists.whistle")
    assert check["basis_kind"] == "policy" and "2523" not in check["legal_basis_ru"]
    assert check["title_ru"] == "Наличие официальной страницы в «Свистке»"


def test_the_reports_show_the_toy_platform(runs):
    html = (runs["any"] / "index.html").read_text(encoding="utf-8")
    assert "<th>Свисток</th>" in html and "https://whistle.test/adm_alpha" in html
    with (runs["any"] / "report.csv").open(encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    keys = {(r["entity_id"], r["check"]) for r in rows}
    assert {("alpha", "page.exists.whistle"), ("beta", "site.links.whistle")} <= keys


def test_without_the_plugin_the_platform_is_unknown_and_named(tmp_path, runs):
    reg = tmp_path / "toy.yaml"
    reg.write_text(REGISTRY, encoding="utf-8")
    proc = cli("validate", reg)
    assert proc.returncode == 2
    said = proc.stderr + proc.stdout
    assert "toy.yaml:4" in said and "pages.whistle" in said
    listed = cli("checks", "--json", env=TOY)
    assert "page.exists.whistle" in {c["id"] for c in json.loads(listed.stdout)}


def test_a_plugin_that_does_not_load_is_a_usage_error(tmp_path):
    proc = cli("checks", env={"PAGES_AUDIT_PLATFORMS": "tests.no_such_platform"})
    assert proc.returncode == 2
    assert "PAGES_AUDIT_PLATFORMS" in proc.stderr and "tests.no_such_platform" in proc.stderr
    assert "Traceback" not in proc.stderr
