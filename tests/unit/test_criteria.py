"""The rating's and regions' criteria (page.design, page.address, page.pos_widget,
page.comments_open, page.gospubliki) and the registry's `pages_exempt`: on real VK API answers
where a fact comes from the platform, and never a failure on a fact the platform did not give."""

from __future__ import annotations

import json

import pytest

from audit.checks import get_check, optional_criteria
from audit.checks.legal import BasisKind, weakest
from audit.model import Entity, EntityKind, Severity, Status
from audit.observations import Observations, PageObservation, SiteObservation
from audit.platforms.ok.pages import page_from_group as ok_page
from audit.platforms.vk.answers import apply_wall, groups_of, page_from_group
from audit.policy import Policy, PolicyError, load_policy
from tests.shared import realworld

OBSERVED = "2025-01-12T12:00:00+00:00"
CRITERIA = Policy(criteria=optional_criteria())
URL = "https://vk.com/adm_demo"


def vk_answer(name: str):
    return json.loads(realworld(f"vkapi/{name}"))


def body(**kw) -> Entity:
    return Entity("b1", "Администрация Демо", EntityKind.RURAL_SETTLEMENT, **kw)


def run(check_id: str, page: PageObservation | None, policy=CRITERIA, ent=None):
    obs = Observations(site=SiteObservation("none"))
    if page is not None:
        obs.pages[page.url] = page
        obs.chosen[page.platform] = (page.url, "registry")
    findings = get_check(check_id).run(ent or body(), obs, policy)
    return {f.platform: f for f in findings} if findings else {}


def vk_group(**fields) -> PageObservation:
    group = {"id": 1, "name": "Администрация Демо", "screen_name": "adm_demo", "type": "group"}
    return page_from_group(URL, {**group, **fields}, OBSERVED)


def test_every_criterion_rests_on_the_rating_never_on_law_and_is_off_by_default():
    assert set(optional_criteria()) == {
        "page.address",
        "page.comments_open",
        "page.design",
        "page.gospubliki",
        "page.pos_widget",
        "page.replies",
    }
    for check_id in optional_criteria():
        check = get_check(check_id)
        # rating, region or policy (gospubliki rests on the registry's data too), never law
        assert weakest(check.basis) in (BasisKind.RATING, BasisKind.POLICY) and check.regional
        assert BasisKind.RATING in {b.kind for b in check.basis}
        assert check.severity is Severity.WARNING
        # the default policy runs none of them: no finding at all
        assert run(check_id, vk_group(has_photo=1), policy=Policy()) == {}


def test_real_answer_of_api_5_199_gives_avatar_and_address_but_not_the_cover():
    (group,) = groups_of(vk_answer("selenscrapy-groups.getById-5.199.json")["response"])
    page = page_from_group(URL, group, OBSERVED)
    # photo_200 on VK's own image host: an uploaded avatar; `cover` was not asked: unknown
    assert (page.avatar, page.cover, page.address_set, page.map_point) == (True, None, True, None)
    design = run("page.design", page)["vk"]
    assert design.status is Status.ERROR and "обложка" in design.message_ru
    address = run("page.address", page)["vk"]
    assert address.status is Status.PASS and "Владимиркий лагерь" in address.message_ru
    assert "точка на карте в ответе не указана" in address.message_ru


def test_older_answers_without_design_fields_are_unknown_not_failures():
    for group in groups_of(vk_answer("vknet-groups.getById-two-one-closed.json")["response"]):
        page = page_from_group(f"https://vk.com/club{group['id']}", group, OBSERVED)
        assert page.cover is None and page.address_set is None and page.pos_on_page is None
        for check_id in ("page.design", "page.address", "page.pos_widget"):
            finding = run(check_id, page)["vk"]
            assert finding.status in (Status.ERROR, Status.NA), (check_id, finding)


@pytest.mark.parametrize(
    ("fields", "status", "said"),
    [
        (
            {
                "has_photo": 1,
                "cover": {"enabled": 1},
                "description": "Официальная страница администрации сельского поселения",
            },
            Status.PASS,
            "100 %",
        ),
        (
            {
                "has_photo": 0,
                "cover": {"enabled": 1},
                "description": "Официальная страница администрации сельского поселения",
            },
            Status.FAIL,
            "на 75 %: нет — аватар",
        ),
        (
            {"has_photo": 1, "cover": {"enabled": 0}, "description": ""},
            Status.FAIL,
            "на 25 %: нет — описание, обложка",
        ),
    ],
)
def test_design_score_as_the_rating_weighs_it(fields, status, said):
    finding = run("page.design", vk_group(**fields))["vk"]
    assert finding.status is status and said in finding.message_ru
    if status is Status.FAIL:
        assert finding.severity is Severity.WARNING and finding.basis == "policy"


def test_address_in_the_settings_with_a_point_on_the_map():
    main = {"id": 7, "address": "ул. Ленина, 1", "latitude": 55.1, "longitude": 37.2}
    page = vk_group(addresses={"is_enabled": True, "main_address_id": 7, "main_address": main})
    assert page.map_point is True
    assert "с точкой на карте" in run("page.address", page)["vk"].message_ru
    off = vk_group(addresses={"is_enabled": False, "count": 0})
    assert run("page.address", off)["vk"].status is Status.FAIL


def test_pos_form_linked_from_the_page_passes_and_its_absence_is_never_a_failure():
    links = [
        {"id": 1, "url": "https://pos.gosuslugi.ru/og/org-activities?mun_code=1", "name": "ПОС"}
    ]
    assert run("page.pos_widget", vk_group(links=links))["vk"].status is Status.PASS
    silent = run("page.pos_widget", vk_group(links=[]))["vk"]
    assert silent.status is Status.ERROR and "вручную" in silent.message_ru


def test_comments_open_from_real_wall_answers_and_a_switched_off_wall():
    page = PageObservation("vk", "https://vk.com/id10", "api", "found", OBSERVED, kind="group")
    apply_wall(page, vk_answer("vknet-wall.get-extended.json")["response"])
    assert page.comments_open is True  # can_post: 1 on the owner's own post
    assert run("page.comments_open", page)["vk"].status is Status.PASS
    # can_post: 0 speaks of the caller only: not proof of closed comments
    closed_for_caller = {
        "count": 1,
        "items": [
            {
                "id": 5,
                "owner_id": -1,
                "from_id": -1,
                "date": 1736500000,
                "comments": {"count": 0, "can_post": 0},
            }
        ],
    }
    unknown = vk_group()
    apply_wall(unknown, closed_for_caller)
    assert unknown.comments_open is None
    assert run("page.comments_open", unknown)["vk"].status is Status.ERROR
    no_wall = vk_group(wall=0)
    assert run("page.comments_open", no_wall)["vk"].status is Status.FAIL


def test_ok_publishes_no_cover_and_omits_empty_fields():
    page = ok_page(
        "https://ok.ru/admdemo",
        {
            "uid": "5",
            "name": "Администрация",
            "pic_avatar": "https://i.mycdn.me/i?r=1",
            "address": "ул. Мира, 2",
            "location_latitude": 55.0,
            "location_longitude": 37.0,
        },
        OBSERVED,
    )
    assert (page.avatar, page.cover, page.address_set, page.map_point) == (True, None, True, True)
    bare = ok_page("https://ok.ru/admdemo", {"uid": "5", "name": "Администрация"}, OBSERVED)
    assert (bare.avatar, bare.address_set) == (None, None)
    assert run("page.address", bare)["ok"].status is Status.ERROR


def test_gospubliki_from_the_registry():
    assert run("page.gospubliki", None, ent=body(gospubliki=True))[None].status is Status.PASS
    no = run("page.gospubliki", None, ent=body(gospubliki=False))[None]
    assert no.status is Status.FAIL and no.severity is Severity.WARNING
    assert run("page.gospubliki", None)[None].status is Status.NA


def test_a_body_exempt_from_pages_is_not_held_to_them():
    exempt = body(pages_exempt="приказ учредителя от 01.02.2026 № 5")
    obs = Observations(site=SiteObservation("none"))
    for check_id in ("page.exists.vk", "site.links.ok", "page.gospubliki"):
        (finding,) = get_check(check_id).run(exempt, obs, CRITERIA)
        assert finding.status is Status.NA and "приказ учредителя" in finding.message_ru
    (site,) = get_check("site.exists").run(exempt, obs, CRITERIA)
    assert "приказ учредителя" not in site.message_ru


def test_policy_criteria_are_checked_by_name_with_their_line(tmp_path):
    path = tmp_path / "policy.yaml"
    path.write_text("platforms: any\ncriteria: [page.design, page.colour]\n", encoding="utf-8")
    with pytest.raises(PolicyError) as err:
        load_policy(str(path), criteria=optional_criteria())
    assert f"{path}:2" in str(err.value) and "page.colour" in str(err.value)
    path.write_text("criteria: [page.design]\n", encoding="utf-8")
    assert load_policy(str(path), criteria=optional_criteria()).criteria == ("page.design",)


def test_registry_fields_with_their_lines(tmp_path):
    from audit.registry import load_registry

    path = tmp_path / "reg.yaml"
    where = "kind: subordinate_organization, region: Демонстрационная область"
    path.write_text(
        "entities:\n"
        f"  - {{id: a, name: Школа А, {where}, gospubliki: true}}\n"
        f"  - {{id: b, name: Школа Б, {where}, pages_exempt: приказ № 5}}\n"
        f"  - {{id: c, name: Школа В, {where}, gospubliki: да}}\n"
        f"  - {{id: d, name: Школа Г, {where}, pages_exempt: x,\n"
        "     pages: {vk: https://vk.com/school_g}}\n",
        encoding="utf-8",
    )
    reg = load_registry([str(path)])
    assert [(e.id, e.gospubliki, e.pages_exempt) for e in reg.entities] == [
        ("a", True, None),
        ("b", None, "приказ № 5"),
    ]
    said = "\n".join(str(p) for p in reg.problems)
    assert f"{path}:4" in said and "gospubliki" in said
    assert f"{path}:5" in said and "pages_exempt" in said


def test_residents_comments_and_the_pages_answers_from_a_schema_shaped_answer():
    from audit.platforms.vk.comments import commented_posts, residents_comments

    page = vk_group()
    answer = {
        "count": 4,
        "items": [
            {
                "id": 10,
                "from_id": 5001,
                "date": 1000,
                "text": "Вопрос",
                "thread": {
                    "count": 1,
                    "items": [{"id": 11, "from_id": -1, "date": 4600, "text": "Ответ"}],
                },
            },
            {
                "id": 12,
                "from_id": 5002,
                "date": 2000,
                "text": "Вопрос без ответа",
                "thread": {"count": 0, "items": []},
            },
            {"id": 13, "from_id": -1, "date": 9000, "text": "Ответ", "reply_to_comment": 12},
            {"id": 14, "from_id": 5003, "date": 3000, "text": "", "deleted": True},
            {"id": 15, "from_id": -777, "date": 3000, "text": "Другое сообщество"},
        ],
    }
    assert residents_comments(page, answer) == [[1000, 4600], [2000, 9000]]
    wall = vk_answer("selenscrapy-wall.get-5.199-visitor-posts.json")["response"]
    assert commented_posts(wall, 3) == []  # residents' own posts are not the page's


@pytest.mark.parametrize(
    ("pairs", "status", "said"),
    [
        ([[0, 3600]], Status.PASS, "в течение 24 ч"),
        ([[0, 3600], [0, 30 * 3600], [0, None]], Status.FAIL, "без ответа в течение 24 ч — 2"),
        ([[1736683200 - 3600, None]], Status.NA, "срок ответа"),  # asked an hour ago
        ([], Status.NA, "срок ответа"),
        (None, Status.ERROR, "вручную"),
    ],
)
def test_replies_against_the_policys_deadline(pairs, status, said):
    page = vk_group()
    page.replies = pairs
    finding = run("page.replies", page)["vk"]
    assert finding.status is status and said in finding.message_ru, finding.message_ru
