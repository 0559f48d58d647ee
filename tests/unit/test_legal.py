"""The legal catalogue: what each check cites is on the verified list, and a failure that rests
on the audit's policy or the registry is never a violation of federal law by itself."""

import re

import pytest

from audit.checks import catalogue, get_check, regional_requirements
from audit.checks.legal import VERIFIED, BasisKind, for_court
from audit.model import EntityKind, Severity
from audit.policy import Policy, PolicyError, load_policy

# the article/part citations verified in the acts' text (issue 21); nothing else may appear
ARTICLES = {"п. 6 ст. 1", "ч. 1 ст. 10", "ч. 7 ст. 14", "ч. 2 ст. 13.27"}
ACT = "постановление Правительства РФ от 31.12.2022 № 2560"


def test_every_check_cites_only_verified_bases():
    for check in catalogue():
        for basis in check.basis + for_court(check.basis):
            assert basis in VERIFIED, (check.id, basis.ru)


def test_the_verified_list_cites_only_verified_articles_and_no_unread_clause():
    for basis in VERIFIED:
        for cited in re.findall(r"(?:п\.|ч\.) \d+ ст\. [\d.]+", basis.ru):
            assert cited in ARTICLES, (basis.ru, cited)
        assert "2560" not in basis.ru and "1802" not in basis.ru
        assert basis.kind is not BasisKind.LAW_ARTICLE or re.search(r"ст\. \d", basis.ru)
    # 2523-р lists the platforms: it is cited only where the platform list matters
    for check in catalogue():
        cites_list = any("2523" in b.ru for b in check.basis)
        assert cites_list == check.id.startswith("page.exists."), check.id


def test_courts_cite_their_own_law_not_8fz():
    for check in catalogue():
        text = " ".join(b.ru for b in check.basis_for(EntityKind.COURT))
        if check.basis_for(EntityKind.COURT) != check.basis:
            assert "8-ФЗ" not in text and "деятельности судов" in text, check.id
    site = get_check("site.exists").to_json()
    assert "ч. 1 ст. 10" in site["legal_basis_ru"]
    assert "ч. 1 ст. 10" not in site["legal_basis_court_ru"]


def test_basis_kinds_say_what_a_requirement_rests_on():
    kinds = {c.id: c.to_json()["basis_kind"] for c in catalogue()}
    assert kinds["page.activity.last_post_age"] == "policy"
    assert kinds["page.activity.posts_per_week"] == "policy"
    assert kinds["site.pos_widget"] == "rating"
    assert kinds["page.gov_mark"] == "rating"
    assert kinds["site.exists"] == "law_article"
    assert kinds["page.community"] == "law_article"
    assert kinds["page.exists.vk"] == "act"
    assert kinds["site.links.consistent"] == "policy"


def test_only_duties_of_the_law_are_violations_by_default():
    for check in catalogue():
        kinds = {b.kind for b in check.basis}
        if check.severity is Severity.VIOLATION:
            assert kinds <= {BasisKind.LAW_ARTICLE, BasisKind.ACT}, check.id
            assert not check.regional
        if BasisKind.POLICY in kinds or BasisKind.RATING in kinds:
            assert check.severity is not Severity.VIOLATION, check.id


def test_regional_checks_are_the_ones_resting_on_policy_or_rating():
    for check in catalogue():
        kinds = {b.kind for b in check.basis}
        if check.regional:
            assert kinds & {BasisKind.POLICY, BasisKind.RATING}, check.id


def test_policy_needs_the_act_for_regional_requirements():
    with pytest.raises(ValueError, match="regional_act"):
        Policy(regional_requirements=("page.activity.last_post_age",))
    with pytest.raises(ValueError, match="regional_requirements"):
        Policy(regional_act="постановление № 1")


def test_policy_file_names_what_a_regional_act_may_set(tmp_path):
    path = tmp_path / "policy.yaml"
    path.write_text(
        "regional_act: постановление № 1\nregional_requirements: [platforms, site.exists]\n",
        encoding="utf-8",
    )
    with pytest.raises(PolicyError) as caught:
        load_policy(str(path), regional=regional_requirements())
    assert str(caught.value.problems[0]).endswith(
        "policy.yaml:2: regional_requirements: unknown 'site.exists' (known: "
        + ", ".join(sorted(regional_requirements()))
        + ")"
    )
    path.write_text("regional_requirements: [platforms]\n", encoding="utf-8")
    with pytest.raises(PolicyError) as caught:
        load_policy(str(path), regional=regional_requirements())
    assert ":1: regional_requirements: regional_requirements need regional_act" in str(caught.value)
