"""Each website check as a pure function: a few lines of data, no network."""

import pytest

from audit.checks import catalogue, get_check
from audit.evidence import Evidence
from audit.model import Entity, EntityKind, Severity, Status
from audit.observations import Observations, SiteObservation
from audit.pageurls import PageRef, PosWidget, Reference
from audit.policy import Policy

ANY, BOTH = Policy("any"), Policy("both")


def entity(kind=EntityKind.RURAL_SETTLEMENT, website="https://adm.ru", none=False, pages=None):
    return Entity(
        id="1",
        name="Адм",
        kind=kind,
        website=None if none else website,
        website_none=none,
        pages=pages or {},
    )


def site(refs=(), pos=False, state="fetched", status=200, cause=None, read=True):
    references = []
    for url, via in refs:
        platform = "vk" if "vk.com" in url else "ok"
        kind, key = url.rsplit("/", 1)[1], url.rsplit("/", 1)[1]
        if key.startswith("club"):
            kind, key = "club", key[4:]
        elif platform == "ok" and "/group/" in url:
            kind = "group"
        else:
            kind = "screen_name" if platform == "vk" else "shortname"
        references.append(Reference(PageRef(platform, kind, key), via, url))
    ev = Evidence(url="https://adm.ru", status=status, id="e1")
    return SiteObservation(
        state=state,
        url="https://adm.ru",
        final_url="https://adm.ru/",
        status=status,
        cause=cause,
        references=references,
        pos=PosWidget(found=pos),
        pages_read=["https://adm.ru/"] if read else [],
        evidence=[ev],
    )


def run(check_id, ent, obs, policy=ANY):
    return get_check(check_id).run(ent, Observations(site=obs), policy)[0]


def test_catalogue_is_complete_and_cited():
    ids = [c.id for c in catalogue()]
    assert ids == [
        "page.activity.last_post_age",
        "page.activity.posts_per_week",
        "page.address",
        "page.comments_open",
        "page.community",
        "page.contacts",
        "page.description",
        "page.design",
        "page.exists.ok",
        "page.exists.vk",
        "page.gospubliki",
        "page.gov_mark",
        "page.links_site",
        "page.name_matches",
        "page.pos_widget",
        "page.replies",
        "site.exists",
        "site.links.consistent",
        "site.links.ok",
        "site.links.vk",
        "site.pos_widget",
        "site.tls",
    ]
    for c in catalogue():
        assert c.basis and c.remediation_ru and c.title_en


# --- site.exists ---


def test_exists_pass_with_evidence():
    f = run("site.exists", entity(), site())
    assert f.status is Status.PASS and f.evidence == ("e1",) and f.severity is Severity.VIOLATION


DOWN = [
    {"state": "failed", "status": None, "cause": cause, "read": False}
    for cause in ("dns", "connect", "timeout", "redirects")
] + [{"status": 404, "read": False}, {"status": 410, "read": False}]


@pytest.mark.parametrize("down", DOWN)
def test_exists_one_failed_run_is_not_confirmed(down):
    f = run("site.exists", entity(), site(**down))
    assert f.status is Status.ERROR and "не подтверждено" in f.message_ru


def _seen(obs: SiteObservation, at: str, before: list[str]) -> SiteObservation:
    obs.evidence[0].fetched_at, obs.down_before = at, before
    return obs


@pytest.mark.parametrize("down", DOWN)
def test_exists_failure_confirmed_by_earlier_runs_is_a_violation_since_the_first(down):
    obs = _seen(site(**down), "2026-11-30T00:10:00+00:00", ["2026-11-29T00:00:00+00:00"])
    f = run("site.exists", entity(), obs)
    assert f.status is Status.FAIL and f.is_violation
    assert f.since == "2026-11-29T00:00:00+00:00" and "29.11.2026 03:00 МСК" in f.message_ru


def test_exists_confirmation_needs_the_runs_and_the_span_of_the_policy():
    down = {"state": "failed", "status": None, "cause": "dns", "read": False}
    too_soon = _seen(site(**down), "2026-11-29T10:00:00+00:00", ["2026-11-29T00:00:00+00:00"])
    assert run("site.exists", entity(), too_soon).status is Status.ERROR  # 10 h < 20 h
    three = Policy(site_down_confirm_runs=3, site_down_confirm_hours=0)
    two_runs = _seen(site(**down), "2026-11-30T00:00:00+00:00", ["2026-11-29T00:00:00+00:00"])
    assert run("site.exists", entity(), two_runs, three).status is Status.ERROR
    at_once = Policy(site_down_confirm_runs=1, site_down_confirm_hours=0)
    assert run("site.exists", entity(), site(**down), at_once).status is Status.FAIL


@pytest.mark.parametrize("cause", ["resolver", "tls", "blocked", "too_large", "protocol"])
def test_exists_failures_that_say_nothing_about_the_site_are_never_confirmed(cause):
    obs = _seen(
        site(state="failed", status=None, cause=cause, read=False),
        "2026-11-30T00:10:00+00:00",
        ["2026-11-29T00:00:00+00:00", "2026-11-28T00:00:00+00:00"],
    )
    assert run("site.exists", entity(), obs).status is Status.ERROR


def test_exists_a_broken_vantage_is_the_auditors_problem():
    obs = _seen(
        site(state="failed", status=None, cause="connect", read=False),
        "2026-11-30T00:10:00+00:00",
        ["2026-11-29T00:00:00+00:00"],
    )
    obs.vantage_fault = "reference_hosts"
    f = run("site.exists", entity(), obs)
    assert f.status is Status.ERROR and "на стороне проверяющего" in f.message_ru


def test_exists_error_for_timeout_5xx_403():
    obs = site(state="failed", status=None, cause="timeout", read=False)
    assert run("site.exists", entity(), obs).status is Status.ERROR
    assert run("site.exists", entity(), site(status=503, read=False)).status is Status.ERROR
    assert run("site.exists", entity(), site(status=403, read=False)).status is Status.ERROR


def test_exists_unknown_and_none():
    assert (
        run("site.exists", entity(website=None), SiteObservation("unknown")).status is Status.ERROR
    )
    assert run("site.exists", entity(none=True), SiteObservation("none")).status is Status.FAIL
    sub = entity(kind=EntityKind.SUBORDINATE_ORGANIZATION, none=True)
    assert run("site.exists", sub, SiteObservation("none")).status is Status.NA


# --- site.links.vk / site.links.ok ---


def test_links_pass():
    obs = site(refs=[("https://vk.com/adm", "link"), ("https://ok.ru/adm", "widget")])
    assert run("site.links.vk", entity(), obs).status is Status.PASS
    assert run("site.links.ok", entity(), obs).status is Status.PASS


REGIONAL_BOTH = Policy(
    "both",
    regional_act="указ Главы Республики от 01.12.2025 № 1",
    regional_requirements=("platforms",),
)


def test_links_any_policy_other_platform_is_enough():
    obs = site(refs=[("https://vk.com/adm", "link")])
    assert run("site.links.ok", entity(), obs, ANY).status is Status.NA
    # the second platform is the policy's rule, not the law: a warning, unless an act sets it
    f = run("site.links.ok", entity(), obs, BOTH)
    assert (f.status, f.severity, f.basis) == (Status.FAIL, Severity.WARNING, "policy")
    f = run("site.links.ok", entity(), obs, REGIONAL_BOTH)
    assert (f.status, f.severity, f.basis) == (Status.FAIL, Severity.VIOLATION, "region")
    # no link to any page at all is the law's, whatever the policy
    f = run("site.links.ok", entity(), site(), BOTH)
    assert (f.severity, f.basis) == (Severity.VIOLATION, None)


def test_links_a_declared_second_page_unlinked_is_a_warning():
    obs = site(refs=[("https://vk.com/adm", "link")])
    f = run("site.links.ok", entity(pages={"ok": "https://ok.ru/adm"}), obs, ANY)
    assert f.status is Status.FAIL and "https://ok.ru/adm" in f.message_ru
    assert f.severity is Severity.WARNING and "одна страница" in f.message_ru
    f = run("site.links.ok", entity(pages={"ok": "https://ok.ru/adm"}), site(), ANY)
    assert f.severity is Severity.VIOLATION  # the site links no page at all


def test_links_nothing_at_all_fails_and_post_links_are_not_enough():
    assert run("site.links.vk", entity(), site()).status is Status.FAIL
    f = run("site.links.vk", entity(), site(refs=[("https://vk.com/club5", "content")]))
    assert f.status is Status.FAIL and "публикации" in f.message_ru


def test_links_unreadable_site_is_error_not_violation():
    obs = site(state="failed", status=None, cause="timeout", read=False)
    assert run("site.links.vk", entity(), obs).status is Status.ERROR
    assert (
        run("site.links.vk", entity(website=None), SiteObservation("unknown")).status
        is Status.ERROR
    )
    assert run("site.links.vk", entity(none=True), SiteObservation("none")).status is Status.NA


# --- site.links.consistent ---


def test_consistent_pass_mismatch_unresolved_and_na():
    declared = entity(pages={"vk": "https://vk.com/adm"})
    assert (
        run("site.links.consistent", declared, site(refs=[("https://vk.com/adm", "link")])).status
        is Status.PASS
    )
    f = run("site.links.consistent", declared, site(refs=[("https://vk.com/other", "link")]))
    assert f.status is Status.FAIL and "https://vk.com/other" in f.message_ru
    assert f.severity is Severity.WARNING  # the registry is data: which one is right is unknown
    f = run(
        "site.links.consistent",
        declared,
        site(refs=[("https://vk.com/other", "link")]),
        Policy("vk", regional_act="постановление № 2", regional_requirements=("platforms",)),
    )
    assert (f.severity, f.basis) == (Severity.VIOLATION, "region")
    f = run("site.links.consistent", declared, site(refs=[("https://vk.com/club12", "link")]))
    assert f.status is Status.ERROR
    assert run("site.links.consistent", entity(), site()).status is Status.NA
    assert run("site.links.consistent", declared, site()).status is Status.NA


# --- site.pos_widget ---


def test_pos_widget():
    assert run("site.pos_widget", entity(), site(pos=True)).status is Status.PASS
    f = run("site.pos_widget", entity(), site(pos=False))
    assert f.status is Status.FAIL and f.severity is Severity.WARNING and not f.is_violation


def test_a_crashing_check_becomes_error():
    from dataclasses import replace

    broken = replace(get_check("site.pos_widget"), evaluate=lambda *a: 1 / 0)
    (f,) = broken.run(entity(), Observations(site=site()), ANY)
    assert f.status is Status.ERROR and "ZeroDivisionError" in f.message_en


def test_tls_warning_only_for_a_site_read_without_verifying():
    read = site()
    read.tls_problem = "certificate verify failed: unable to get local issuer certificate"
    f = run("site.tls", entity(), read)
    assert f.status is Status.FAIL and f.severity is Severity.WARNING
    unread = site(state="failed", status=None, cause="tls", read=False)
    unread.tls_problem = "handshake failure"
    assert run("site.tls", entity(), unread).status is Status.ERROR
    assert run("site.tls", entity(), site()).status is Status.PASS  # verified
