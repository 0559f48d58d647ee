"""Attacker-written names, descriptions and URLs (HTML, JavaScript, javascript: URLs, control
characters, right-to-left overrides, very long strings) are inert and truncated in the report."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from audit.world.scenario import Route, Site, load_scenario
from audit.world.server import World
from tests.e2e.conftest import FAST, cli, load_report, one_body

pytestmark = pytest.mark.e2e
EVIL_NAME = '<script>alert("vk")</script>\u202eливе\u202c \x07' + "Ж" * 5000


def evil_world() -> World:
    scenario = load_scenario()
    scenario.sites["evil.test"] = Site(
        "evil.test", vars={"title": "<b>bold</b>"}, routes={"/": Route(file="evil.html")}
    )
    groups = {g["id"]: g for g in scenario.vk["groups"]}
    groups[100100].update(
        name=EVIL_NAME,
        description="<img src=x onerror=alert(2)> " + "описание " * 2000,
        site="javascript:alert(3)",
    )
    return World(scenario)


def test_report_renders_hostile_text_inert(tmp_path):
    reg = one_body(
        tmp_path,
        "{id: e, name: 'Администрация <script>alert(4)</script>', kind: rural_settlement, "
        "website: 'https://evil.test/', pages: {vk: 'https://vk.com/gov_demo'}}",
    )
    with evil_world() as w:
        proc = cli(
            "run",
            reg,
            "--out",
            tmp_path / "o",
            "--quiet",
            "--no-canaries",
            *w.cli_args(),
            *FAST,
            env={"VK_TOKEN": w.vk_token},
        )
    assert proc.returncode in (0, 1), proc.stderr
    html = (tmp_path / "o" / "index.html").read_text(encoding="utf-8")
    assert "<script>alert" not in html and "onerror=alert" not in html
    assert "\u202e" not in html and "\x07" not in html
    soup = BeautifulSoup(html, "lxml")
    hrefs = [a.get("href", "") for a in soup.find_all("a")]
    assert not [h for h in hrefs if h.lower().startswith(("javascript:", "data:"))]
    scripts = soup.find_all("script")
    assert len(scripts) == 1 and "alert" not in scripts[0].get_text()  # only our filter
    assert "Ж" * 400 not in html  # very long names are truncated in the page
    name = load_report(tmp_path / "o")["entities"][0]["observations"]["pages"][
        "https://vk.com/gov_demo"
    ]["name"]
    assert name == EVIL_NAME  # report.json keeps what was seen, verbatim
