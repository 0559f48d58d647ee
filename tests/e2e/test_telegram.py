"""Telegram channels end to end: off by default; `--platforms vk,ok,telegram` (or a policy, or
a registry that declares a channel) audits them through the simulated t.me — link discovery
on the website, the public preview read over TCP, the page checks and every report. A missing
or silent channel fails as a regional requirement, never as federal law."""

from __future__ import annotations

import csv
import re

import pytest

from audit.world.scenario import Route, Site, load_scenario
from audit.world.server import World
from audit.world.telegram import telegram_site
from tests.e2e.conftest import FAST, cli, load_report

pytestmark = pytest.mark.e2e

VK, OK = "https://vk.com/gov_demo", "https://ok.ru/govdemo"
WHERE = "kind: rural_settlement, region: Демонстрационная область"
REGISTRY = f"""entities:
  - {{id: alpha, name: Администрация Альфы, {WHERE}, website: "https://alpha-sp.ru/"}}
  - {{id: beta, name: Администрация Беты, {WHERE}, website: "https://beta-sp.ru/",
     pages: {{telegram: "https://t.me/adm_beta"}}}}
  - {{id: gamma, name: Администрация Гаммы, {WHERE}, website: "https://gamma-sp.ru/",
     pages: {{telegram: "https://t.me/s/adm_gamma_old"}}}}
  - {{id: delta, name: Администрация Дельты, {WHERE}, website: "https://delta-sp.ru/"}}
"""
REGIONAL = """platforms: vk,ok,telegram
regional_act: "указ Главы Демонстрационной области от 01.12.2025 № 100"
regional_requirements: [platforms, page.activity.last_post_age]
"""
TELEGRAM = {
    "channels": [
        {
            "name": "adm_alpha",
            "title": "Администрация Альфы",
            "description": "Официальный канал администрации сельского поселения Альфа. "
            "Сайт alpha-sp.ru, телефон +7 (81234) 5-67-89",
            "subscribers": "1.2K",
            "posts": {"last_hours": 5, "every_hours": 24, "count": 30},
        },
        {
            "name": "adm_beta",
            "title": "Администрация Беты",
            "description": "Официальный канал администрации Беты.",
            "subscribers": "312",
            "posts": {"last_hours": 24 * 60, "every_hours": 48, "count": 5},
        },
    ],
    "missing": ["adm_gamma_old"],
}


def site_page(links: str) -> str:
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>Администрация</title></head>"
        "<body><nav><a href='/news'>Новости</a></nav>"
        f"<p>Официальный сайт администрации сельского поселения.</p><footer>{links}</footer>"
        "</body></html>"
    )


def telegram_world() -> World:
    scenario = load_scenario()
    scenario.sites["t.me"] = telegram_site(TELEGRAM)
    both = f'<a href="{VK}">ВКонтакте</a> <a href="{OK}">Одноклассники</a>'
    channel = ' <a href="https://t.me/adm_alpha">Мы в Телеграме</a>'
    for host, links in (
        ("alpha-sp.ru", both + channel),
        ("beta-sp.ru", both),
        ("gamma-sp.ru", both),
        ("delta-sp.ru", both),
    ):
        scenario.sites[host] = Site(host, routes={"/": Route(body=site_page(links))})
    return World(scenario)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    base = tmp_path_factory.mktemp("telegram")
    reg, policy = base / "reg.yaml", base / "regional.yaml"
    reg.write_text(REGISTRY, encoding="utf-8")
    policy.write_text(REGIONAL, encoding="utf-8")
    out = {}
    with telegram_world() as w:
        for name, extra in (
            ("cli", ["--platforms", "vk,ok,telegram"]),
            ("regional", ["--policy", policy]),
        ):
            proc = cli("run", reg, "--out", base / name, *extra, *w.cli_args(), *FAST)
            assert proc.returncode in (0, 1), proc.stderr
            out[name] = base / name
        out["reg"] = reg
        out["world"] = w.cli_args()
    return out


def findings(out, body: str) -> dict[str, dict]:
    entity = next(e for e in load_report(out)["entities"] if e["id"] == body)
    return {f["key"]: f for f in entity["findings"]}


def test_a_linked_live_channel_passes(runs):
    alpha = findings(runs["cli"], "alpha")
    assert alpha["site.links.telegram"]["status"] == "pass"
    exists = alpha["page.exists.telegram"]
    assert exists["status"] == "pass" and "Администрация Альфы" in exists["message_ru"]
    assert alpha["page.activity.last_post_age[telegram]"]["status"] == "pass"
    assert alpha["page.description[telegram]"]["status"] == "pass"
    # a channel has no «госорганизация» mark: not applicable, never "check by hand"
    assert alpha["page.gov_mark[telegram]"]["status"] == "n/a"
    assert alpha["page.gov_mark[telegram]"]["message_ru"].startswith("В «Телеграме» этого нет")
    # a public channel, and the site its description links
    assert alpha["page.community[telegram]"]["status"] == "pass"
    assert alpha["page.links_site[telegram]"]["status"] == "pass"
    page = load_report(runs["cli"])["entities"][0]["observations"]["pages"][
        "https://t.me/adm_alpha"
    ]
    assert page["members"] == 1200 and len(page["posts"]) == 20


def test_missing_and_silent_channels_are_regional_not_federal(runs):
    beta, gamma, delta = (findings(runs["regional"], b) for b in ("beta", "gamma", "delta"))
    silent = beta["page.activity.last_post_age[telegram]"]
    assert (silent["status"], silent["severity"], silent.get("basis")) == (
        "fail",
        "violation",
        "region",
    ), silent
    gone = gamma["page.exists.telegram"]
    assert gone["status"] == "fail" and "не существует" in gone["message_ru"], gone
    assert gone.get("basis") == "region"
    missing = delta["page.exists.telegram"]
    assert (missing["status"], missing.get("basis")) == ("fail", "region"), missing
    assert delta["site.links.telegram"]["status"] == "fail"
    for body in (beta, gamma, delta):  # the federal checks are untouched
        assert body["page.exists.vk"]["status"] == "pass"
    report = load_report(runs["regional"])
    check = next(c for c in report["checks"] if c["id"] == "page.exists.telegram")
    assert check["basis_kind"] == "policy" and "2523" not in check["legal_basis_ru"]
    # without the regional act the same failures are the policy's, warnings
    cli_gamma = findings(runs["cli"], "gamma")["page.exists.telegram"]
    assert (cli_gamma["status"], cli_gamma["severity"]) == ("fail", "warning")


def test_off_by_default(runs, tmp_path):
    with telegram_world() as w:
        reg = tmp_path / "reg.yaml"
        reg.write_text(REGISTRY.split("  - {id: beta")[0], encoding="utf-8")
        proc = cli("run", reg, "--out", tmp_path / "out", *w.cli_args(), *FAST)
    assert proc.returncode in (0, 1), proc.stderr
    keys = findings(tmp_path / "out", "alpha")
    assert not [k for k in keys if "telegram" in k]
    assert "Телеграм" not in (tmp_path / "out" / "index.html").read_text(encoding="utf-8")


def test_the_reports_show_the_channel_beside_vk_and_ok(runs):
    html = (runs["regional"] / "index.html").read_text(encoding="utf-8")
    assert "<th>Телеграм</th>" in html and "https://t.me/adm_alpha" in html
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "lxml")
    for node in soup(["script", "style"]):
        node.decompose()
    seen = re.sub(r"https://t\.me/\S*", "", soup.get_text(" ")).replace(str(runs["reg"].parent), "")
    assert "telegram" not in seen.lower()  # a Russian reader sees «Телеграм»
    with (runs["regional"] / "report.csv").open(encoding="utf-8-sig") as fh:
        keys = {(r["entity_id"], r["check"]) for r in csv.DictReader(fh)}
    assert ("delta", "page.exists.telegram") in keys
    again = cli("report", runs["regional"])
    assert again.returncode == 0, again.stderr
    assert "<th>Телеграм</th>" in (runs["regional"] / "index.html").read_text(encoding="utf-8")


def test_a_tables_telegram_column_becomes_the_registrys_channel(tmp_path):
    table = tmp_path / "bodies.csv"
    table.write_text(
        "ОКТМО;Наименование;Сайт;ВКонтакте;Телеграм\n"
        "99601401;Администрация Альфинского сельского поселения;https://alpha-sp.ru/;"
        "https://vk.com/gov_demo;https://t.me/adm_alpha\n",
        encoding="utf-8",
    )
    out = tmp_path / "reg.yaml"
    proc = cli("registry", "import", table, "--out", out, "--region", "Демонстрационная область")
    assert proc.returncode == 0, proc.stderr
    assert "telegram: https://t.me/adm_alpha" in out.read_text(encoding="utf-8")
    checked = cli("validate", out)
    assert checked.returncode == 0, checked.stderr + checked.stdout
