"""The rating's and regions' criteria end to end: a policy enables them, the real CLI reads the
simulated VK through its API (design, address, ПОС link, comments) and through its public pages
(which publish none of it: "check by hand", never a failure), and the reports show them apart
from the law's requirements."""

from __future__ import annotations

import pytest

from audit.world.scenario import load_scenario
from audit.world.server import World
from tests.e2e.conftest import FAST, cli, load_report

pytestmark = pytest.mark.e2e

WHERE = "kind: rural_settlement, region: Демонстрационная область, website: none"
REGISTRY = f"""entities:
  - {{id: model, name: Администрация Образцового сельского поселения, {WHERE},
     pages: {{vk: "https://vk.com/obrazcovoe_sp"}}, gospubliki: true}}
  - {{id: bare, name: Администрация Голого сельского поселения, {WHERE},
     pages: {{vk: "https://vk.com/goloe_sp"}}, gospubliki: false}}
  - {{id: late, name: Администрация Медленного сельского поселения, {WHERE},
     pages: {{vk: "https://vk.com/medlennoe_sp"}}}}
  - {{id: exempt, name: Администрация Упразднённого сельского поселения, {WHERE},
     pages_exempt: "закон области от 01.03.2026 № 7-ОЗ о преобразовании поселения"}}
"""
POLICY = """criteria: [page.design, page.address, page.pos_widget, page.comments_open,
           page.gospubliki, page.replies]
reply_deadline_hours: 24
"""
POSTS = {"last_hours": 5, "every_hours": 24, "count": 20}


def world() -> World:
    scenario = load_scenario()
    scenario.vk["groups"] += [
        {
            "id": 100700,
            "screen_name": "obrazcovoe_sp",
            "name": "Администрация Образцового сельского поселения",
            "gov": True,
            "cover": 1,
            "description": "Официальная страница администрации Образцового сельского поселения.",
            "address": "ул. Центральная, 1",
            "map_point": [54.6, 39.7],
            "links": ["https://pos.gosuslugi.ru/og/org-activities?mun_code=99000001"],
            "posts": POSTS,
            "replies": [2, 3],
        },
        {
            "id": 100702,
            "screen_name": "medlennoe_sp",
            "name": "Администрация Медленного сельского поселения",
            "gov": True,
            "posts": {"last_hours": 72, "every_hours": 24, "count": 10},
            "replies": [30, None],
        },
        {
            "id": 100701,
            "screen_name": "goloe_sp",
            "name": "Администрация Голого сельского поселения",
            "gov": True,
            "photo": 0,
            "wall": 0,
            "posts": POSTS,
        },
    ]
    return World(scenario)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    base = tmp_path_factory.mktemp("criteria")
    reg, policy = base / "reg.yaml", base / "policy.yaml"
    reg.write_text(REGISTRY, encoding="utf-8")
    policy.write_text(POLICY, encoding="utf-8")
    out = {}
    with world() as w:
        for name, env in (
            ("api", {"VK_TOKEN": w.vk_token}),
            ("html", {}),
            ("default", {"VK_TOKEN": w.vk_token}),
        ):
            options = ["--policy", policy] if name != "default" else []
            proc = cli("run", reg, "--out", base / name, *options, *w.cli_args(), *FAST, env=env)
            assert proc.returncode in (0, 1), proc.stderr
            out[name] = base / name
    return out


def findings(out, body: str) -> dict[str, dict]:
    entity = next(e for e in load_report(out)["entities"] if e["id"] == body)
    return {f["key"]: f for f in entity["findings"]}


def test_through_the_api_the_criteria_are_decided_on_what_vk_publishes(runs):
    model, bare = findings(runs["api"], "model"), findings(runs["api"], "bare")
    for key in (
        "page.design[vk]",
        "page.address[vk]",
        "page.pos_widget[vk]",
        "page.comments_open[vk]",
        "page.gospubliki",
    ):
        assert model[key]["status"] == "pass", (key, model[key])
    assert "с точкой на карте" in model["page.address[vk]"]["message_ru"]
    assert "На все 2 комментариев" in model["page.replies[vk]"]["message_ru"]
    late = findings(runs["api"], "late")["page.replies[vk]"]
    assert late["status"] == "fail" and "без ответа вовсе — 1" in late["message_ru"], late
    assert bare["page.replies[vk]"]["status"] == "n/a"  # no wall, nothing to answer
    design = bare["page.design[vk]"]
    assert design["status"] == "fail" and design["severity"] == "warning"
    assert "нет — аватар, описание, обложка" in design["message_ru"]
    assert bare["page.address[vk]"]["status"] == "fail"
    assert bare["page.comments_open[vk]"]["status"] == "fail"  # the wall is switched off
    assert bare["page.gospubliki"]["status"] == "fail"
    # no ПОС link on the page: the widget may be there all the same
    assert bare["page.pos_widget[vk]"]["status"] == "error"
    for f in (*model.values(), *bare.values()):
        if f["check"] in ("page.design", "page.address", "page.gospubliki"):
            assert f["severity"] == "warning" and f.get("basis") in (None, "policy")


def test_replies_cost_one_execute_for_up_to_25_sampled_posts(runs):
    with_replies = load_report(runs["api"])["run"]["api_requests"]["vk"]
    without = load_report(runs["default"])["run"]["api_requests"]["vk"]
    assert with_replies - without == 1  # two commented posts, one execute of wall.getComments


def test_public_pages_publish_no_design_so_nothing_fails(runs):
    for body in ("model", "bare"):
        seen = findings(runs["html"], body)
        for key in ("page.design[vk]", "page.address[vk]", "page.pos_widget[vk]"):
            assert seen[key]["status"] in ("error", "pass"), (body, key, seen[key])
            if seen[key]["status"] == "error":
                assert "вручную" in seen[key]["message_ru"]


def test_the_default_policy_runs_none_of_them(runs):
    model = findings(runs["default"], "model")
    assert not [k for k in model if k.startswith(("page.design", "page.address", "page.pos"))]
    report = load_report(runs["default"])
    assert "page.design" not in report["summary"]["per_check"]


def test_an_exempt_body_is_not_held_to_pages(runs):
    exempt = findings(runs["api"], "exempt")
    for key in ("page.exists.vk", "page.exists.ok", "site.links.vk", "page.gospubliki"):
        assert exempt[key]["status"] == "n/a" and "7-ОЗ" in exempt[key]["message_ru"], key
    assert load_report(runs["api"])["entities"][3]["pages_exempt"].startswith("закон области")


def test_the_report_shows_the_criteria_apart_from_the_law(runs):
    html = (runs["api"] / "index.html").read_text(encoding="utf-8")
    law_at = html.index("Требования закона")
    criteria_at = html.index("Критерии рейтинга и региональные требования")
    assert law_at < criteria_at
    assert "Оформление страницы: аватар, обложка, описание" in html[criteria_at:]
