"""The platform registry: descriptors, the grammar dispatch, families of checks, policy rules."""

from __future__ import annotations

import pytest

from audit.checks import catalogue, get_check
from audit.pageurls import parse_page_url
from audit.platforms import BUILTIN, get_platform, platform_keys, register, unregister
from audit.platforms.base import PageRef
from audit.policy import Policy, platform_rule_problem
from tests.toyplatform import PLATFORM as WHISTLE


@pytest.fixture
def whistle():
    register(WHISTLE)
    yield WHISTLE
    unregister(WHISTLE.key)


def test_the_built_in_platforms_are_vk_then_ok():
    assert platform_keys()[:2] == ("vk", "ok") and BUILTIN[0].federal and BUILTIN[1].federal
    assert get_platform("ok").in_ru == "в «Одноклассниках»"
    assert PageRef("vk", "club", "7").url == "https://vk.com/club7"
    assert PageRef("ok", "profile", "9").url == "https://ok.ru/profile/9"


def test_a_platform_is_registered_once_and_owns_its_hosts(whistle):
    with pytest.raises(ValueError, match="already registered"):
        register(whistle)
    stolen = type(whistle)(**{**whistle.__dict__, "key": "other"})
    with pytest.raises(ValueError, match=r"whistle\.test"):
        register(stolen)


def test_addresses_go_to_the_grammar_of_their_host(whistle):
    assert parse_page_url("https://whistle.test/adm_alpha")[0] == PageRef(
        "whistle", "channel", "adm_alpha"
    )
    assert parse_page_url("https://whistle.test/adm_alpha/post/5")[1] is True  # content
    assert parse_page_url("https://vk.com/club5")[0].platform == "vk"


def test_unregistered_the_platform_is_unknown_again(whistle):
    unregister(whistle.key)
    try:
        assert parse_page_url("https://whistle.test/adm_alpha") is None
        assert "page.exists.whistle" not in {c.id for c in catalogue()}
    finally:
        register(whistle)


def test_a_family_gives_one_check_per_platform_with_its_words(whistle):
    ids = {c.id for c in catalogue()}
    assert {"page.exists.vk", "page.exists.ok", "page.exists.whistle"} <= ids
    assert {"site.links.vk", "site.links.ok", "site.links.whistle"} <= ids
    ok = get_check("page.exists.ok")
    assert ok.title_ru == "Наличие официальной страницы в «Одноклассниках»"
    assert ok.platform == "ok" and ok.to_json()["family"] == "page.exists"
    toy = get_check("page.exists.whistle")
    # outside the federal list: cited as policy, a warning unless a regional act sets it
    assert toy.severity.value == "warning" and toy.to_json()["basis_kind"] == "policy"
    assert "2523" not in toy.to_json()["legal_basis_ru"]


def test_platform_rules():
    assert platform_rule_problem("any") is None and platform_rule_problem("vk,ok") is None
    assert "must be one of any, both, vk, ok" in platform_rule_problem("max")
    assert Policy(platforms="both").required_platforms() == {"vk", "ok"}
    assert Policy(platforms="ok").required_platforms() == {"ok"}
    assert Policy().required_platforms() == set()
    with pytest.raises(ValueError, match="platforms must be one of"):
        Policy(platforms="vk,max")
    # a shipped optional platform may be named before it is enabled (the command line
    # enables what the policy requires)
    assert Policy(platforms="vk,telegram").required_platforms() == {"vk", "telegram"}


def test_a_rule_may_name_a_registered_platform(whistle):
    assert Policy(platforms="vk,ok,whistle").required_platforms() == {"vk", "ok", "whistle"}
