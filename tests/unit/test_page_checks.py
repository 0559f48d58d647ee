"""The page.* checks as pure functions over observations, and the policy file."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from audit.checks import get_check
from audit.model import Entity, EntityKind, Severity, Status
from audit.observations import Observations, PageObservation, SiteObservation
from audit.policy import Policy, PolicyError, load_policy

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
DAY = 86400
VK = "https://vk.com/adm_good"


def entity(**kw) -> Entity:
    values = dict(
        id="1",
        name="Администрация Хорошего сельского поселения",
        kind=EntityKind.RURAL_SETTLEMENT,
        website="https://good-sp.ru",
        pages={"vk": VK},
    )
    values.update(kw)
    return Entity(**values)


def good_page(**kw) -> PageObservation:
    ts = int(NOW.timestamp())
    page = PageObservation(
        platform="vk",
        url=VK,
        source="api",
        state="found",
        observed_at=NOW.isoformat(),
        page_id="10",
        kind="group",
        closed=False,
        gov_mark=True,
        name="Администрация Хорошего сельского поселения",
        description="Официальная страница администрации поселения.",
        site="https://www.good-sp.ru/",
        phones=["+7 812 123-45-67"],
        emails=["adm@good-sp.ru"],
        addresses=["ул. Ленина, 1"],
        posts=[ts - n * DAY for n in range(20)],
        posts_total=20,
        posts_cover_from=0,
    )
    return replace(page, **kw)


def site() -> SiteObservation:
    return SiteObservation(
        state="fetched", url="https://good-sp.ru", status=200, pages_read=["https://good-sp.ru"]
    )


def run(
    check_id: str,
    page: PageObservation | None = None,
    policy: Policy = Policy(),  # noqa: B008 (frozen, harmless)
    ent=None,
    platform: str = "vk",
):
    ent = ent or entity()
    obs = Observations(site=site())
    if page is not None:
        obs.pages[page.url] = page
        obs.chosen["vk"] = (page.url, "registry")
    findings = get_check(check_id).run(ent, obs, policy)
    return next(f for f in findings if f.platform == platform)


def test_good_page_passes_everything():
    for check_id in (
        "page.exists.vk",
        "page.community",
        "page.gov_mark",
        "page.name_matches",
        "page.contacts",
        "page.links_site",
        "page.description",
        "page.activity.last_post_age",
        "page.activity.posts_per_week",
    ):
        f = run(check_id, good_page())
        assert f.status is Status.PASS, (check_id, f.message_en)
        assert f.platform == "vk"


def test_page_checks_report_per_platform_and_gate_missing_pages():
    ok_finding = run("page.gov_mark", good_page(), platform="ok")
    assert ok_finding.status is Status.NA and "page.exists.ok" in ok_finding.message_en
    for state in ("missing", "deleted", "banned"):
        f = run("page.gov_mark", good_page(state=state))
        assert f.status is Status.NA and "page.exists.vk" in f.message_en
    err = run("page.description", good_page(state="error", cause="challenge"))
    assert err.status is Status.ERROR and "anti-bot" in err.message_en


@pytest.mark.parametrize(
    ("state", "word"),
    [("missing", "does not exist"), ("deleted", "deleted"), ("banned", "blocked")],
)
def test_exists_fails_for_missing_deleted_banned(state, word):
    f = run("page.exists.vk", good_page(state=state))
    assert f.status is Status.FAIL and word in f.message_en and f.severity is Severity.VIOLATION


def test_exists_without_any_page():
    f = run("page.exists.vk", ent=entity(pages={}))
    assert f.status is Status.FAIL and "No official page" in f.message_en
    both = run(
        "page.exists.ok", ent=entity(pages={}), policy=Policy(platforms="both"), platform="ok"
    )
    assert both.status is Status.FAIL
    f = run("page.exists.ok", good_page(), platform="ok")  # a VK page; OK not required
    assert f.status is Status.NA
    error = run("page.exists.vk", good_page(state="error", cause="rate_limit"))
    assert error.status is Status.ERROR and "rate limit" in error.message_en


def test_exists_beyond_the_federal_minimum_is_not_the_law():
    ok_url = "https://ok.ru/group/70000000000001"
    dead_ok = good_page(platform="ok", url=ok_url, state="missing")
    ent = entity(pages={"vk": VK, "ok": ok_url})
    obs = Observations(site=site())
    obs.pages[VK], obs.pages[ok_url] = good_page(), dead_ok
    obs.chosen.update(vk=(VK, "registry"), ok=(ok_url, "registry"))

    def exists_ok(policy):
        return get_check("page.exists.ok").run(ent, obs, policy)[0]

    f = exists_ok(Policy())  # a declared second page is dead: the registry's record is stale
    assert (f.status, f.severity) == (Status.FAIL, Severity.WARNING)
    f = exists_ok(Policy("both"))
    assert (f.severity, f.basis) == (Severity.WARNING, "policy")
    f = exists_ok(Policy("both", regional_act=ACT, regional_requirements=("platforms",)))
    assert (f.severity, f.basis) == (Severity.VIOLATION, "region")
    obs.pages[VK] = good_page(state="deleted")  # no live page at all: the law's own
    f = exists_ok(Policy())
    assert (f.severity, f.basis) == (Severity.VIOLATION, None)


def test_covered_bodies_leave_page_checks_to_the_joint_page():
    court = entity(kind=EntityKind.COURT, pages={}, covered_by="48000001")
    for check_id in ("page.exists.vk", "page.community", "page.activity.last_post_age"):
        f = run(check_id, good_page(state="missing"), ent=court)
        assert f.status is Status.NA and "48000001" in f.message_ru


def test_community_profile_and_closed():
    profile = run("page.community", good_page(kind="profile"))
    assert profile.status is Status.FAIL and "personal" in profile.message_en
    assert run("page.gov_mark", good_page(kind="profile")).status is Status.NA
    assert profile.severity is Severity.VIOLATION and "created by the body" in profile.message_en
    closed = run("page.community", good_page(closed=True))
    assert closed.status is Status.FAIL and "closed" in closed.message_en
    assert closed.severity is Severity.WARNING and "reading" in closed.message_en  # not the text


def test_gov_mark_unknown_is_error_not_violation():
    assert run("page.gov_mark", good_page(gov_mark=None)).status is Status.ERROR
    f = run("page.gov_mark", good_page(gov_mark=False))
    assert f.status is Status.FAIL and f.severity is Severity.WARNING


@pytest.mark.parametrize(
    ("page_name", "ok"),
    [
        ("Администрация Хорошего сельского поселения", True),
        ("Администрация Хорошего СП", True),
        ("Официальная страница: администрация хорошего сельского поселения", True),
        ("Новости района и всё о нас", False),
        ("Администрация Плохого сельского поселения", False),
        ("Администрация Хорошего муниципального района", False),
        ("Администрация сельского поселения Хорошее", True),
    ],
)
def test_name_matching(page_name, ok):
    f = run("page.name_matches", good_page(name=page_name))
    assert (f.status is Status.PASS) == ok, f.message_en


def test_name_matching_uses_short_name_and_abbreviations():
    school = entity(
        name="Муниципальное бюджетное общеобразовательное учреждение «Средняя "
        "общеобразовательная школа № 5»",
        short_name="МБОУ СОШ № 5",
    )
    f = run("page.name_matches", good_page(name="МБОУ «СОШ №5»"), ent=school)
    assert f.status is Status.PASS, f.message_en


def test_contacts():
    f = run("page.contacts", good_page(phones=[], emails=[]))
    assert f.status is Status.FAIL and "phone, email" in f.message_en
    f = run("page.contacts", good_page(addresses=[]))
    assert f.status is Status.PASS and "No postal address" in f.message_en


def test_back_link_same_registrable_domain_but_not_shared_hosting():
    assert run("page.links_site", good_page(site="news.good-sp.ru")).status is Status.PASS
    f = run("page.links_site", good_page(site="https://other.ru", links=[]))
    assert f.status is Status.FAIL and "other.ru" in f.message_en
    assert run("page.links_site", good_page(site=None)).status is Status.FAIL
    gosweb = entity(website="https://good-r99.gosweb.gosuslugi.ru")
    f = run("page.links_site", good_page(site="https://bad-r99.gosweb.gosuslugi.ru"), ent=gosweb)
    assert f.status is Status.FAIL
    f = run("page.links_site", good_page(site="good-r99.gosweb.gosuslugi.ru/"), ent=gosweb)
    assert f.status is Status.PASS
    assert (
        run("page.links_site", good_page(), ent=entity(website=None, website_none=True)).status
        is Status.NA
    )


def test_description_threshold_from_policy():
    assert run("page.description", good_page(description="  ")).status is Status.FAIL
    strict = Policy(description_min_chars=500)
    f = run("page.description", good_page(), policy=strict)
    assert f.status is Status.FAIL and "audit policy" in f.message_en


ACT = "постановление Правительства Н-ской области от 01.02.2024 № 45-п"
REGIONAL = Policy(regional_act=ACT, regional_requirements=("page.activity.last_post_age",))


@pytest.mark.parametrize(
    ("days", "policy", "status", "severity", "basis"),
    [
        (1, Policy(), Status.PASS, Severity.WARNING, None),
        (10, Policy(), Status.FAIL, Severity.WARNING, "policy"),
        (20, Policy(), Status.FAIL, Severity.WARNING, "policy"),  # a number is not the law
        (10, REGIONAL, Status.FAIL, Severity.WARNING, None),
        (20, REGIONAL, Status.FAIL, Severity.VIOLATION, "region"),  # the act sets the number
    ],
)
def test_last_post_age_is_graded(days, policy, status, severity, basis):
    ts = int(NOW.timestamp()) - days * DAY
    f = run("page.activity.last_post_age", good_page(posts=[ts], posts_total=1), policy)
    assert (f.status, f.severity, f.basis) == (status, severity, basis)


def test_last_post_age_without_posts_or_wall():
    assert run("page.activity.last_post_age", good_page(posts=[])).status is Status.FAIL
    f = run("page.activity.last_post_age", good_page(posts=None, wall_cause="closed"))
    assert f.status is Status.ERROR and "closed" in f.message_en


def test_posts_per_week():
    ts = int(NOW.timestamp())
    few = good_page(posts=[ts - n * 10 * DAY for n in range(3)], posts_cover_from=0)
    f = run("page.activity.posts_per_week", few)
    assert f.status is Status.FAIL and f.severity is Severity.WARNING
    assert run("page.activity.posts_per_week", good_page()).status is Status.PASS
    # a public page shows 10 posts of the last two days: enough to pass, never to fail
    busy = good_page(
        source="html", posts=[ts - n * 4 * 3600 for n in range(10)], posts_cover_from=ts - 36 * 3600
    )
    assert run("page.activity.posts_per_week", busy).status is Status.PASS
    sparse = good_page(source="html", posts=[ts - 2 * DAY], posts_cover_from=ts - 2 * DAY)
    assert run("page.activity.posts_per_week", sparse).status is Status.ERROR


def test_policy_file(tmp_path):
    path = tmp_path / "policy.yaml"
    path.write_text("platforms: both\nlast_post_fail_days: 30\nmin_posts_per_week: 1.5\n")
    policy = load_policy(str(path))
    assert (policy.platforms, policy.last_post_fail_days, policy.min_posts_per_week) == (
        "both",
        30,
        1.5,
    )
    path.write_text("platforms: all\n")
    with pytest.raises(PolicyError, match="platforms must be one of"):
        load_policy(str(path))
    path.write_text("last_post_warn_days: 7\nmin_posts: 3\ndescription_min_chars: many\n")
    with pytest.raises(PolicyError) as info:
        load_policy(str(path))
    text = str(info.value)
    assert f"{path}:2: min_posts: unknown setting" in text
    assert f"{path}:3: description_min_chars: expected a int" in text
