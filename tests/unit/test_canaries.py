"""Canaries: verdicts, the scope of a drift, and the canary file."""

from __future__ import annotations

import pytest

from audit.canaries import BUILTIN, Canary, CanaryError, check_canaries, load_canaries, verdict
from audit.model import Finding, Severity, Status
from audit.observations import PageObservation
from audit.summary import run_health


def page(state="found", gov=None, cause=None, url="https://vk.com/adm_one"):
    return PageObservation(
        "vk", url, "html", state, "2026-11-23T00:00:00+00:00", gov_mark=gov, cause=cause
    )


def test_verdicts():
    exists, missing = (
        Canary("vk", "https://vk.com/adm_one", "exists"),
        Canary("vk", "https://vk.com/adm_one", "missing"),
    )
    marked = Canary("vk", "https://vk.com/adm_one", "gov_mark")
    assert verdict(exists, page()) is None and verdict(exists, page("missing")) == "missing"
    assert verdict(exists, page("error", cause="challenge")) == "error (challenge)"
    assert verdict(missing, page("missing")) is None and verdict(missing, page()) == "found"
    assert verdict(marked, page(gov=True)) is None
    assert verdict(marked, page(gov=False)) == "no state mark"
    assert verdict(marked, page(gov=None)) == "state mark not reported"
    assert verdict(exists, None) == "nothing collected"


def finding(check: str, platform: str | None, status=Status.FAIL) -> Finding:
    return Finding("1", check, status, Severity.VIOLATION, "ru", "en", (), platform)


def test_drift_scope_and_application():
    canaries = (
        Canary("vk", "https://vk.com/adm_one", "exists"),
        Canary("ok", "https://ok.ru/adm_two", "gov_mark"),
    )
    drift = check_canaries(
        canaries,
        {
            "https://vk.com/adm_one": page("missing"),
            "https://ok.ru/adm_two": page(gov=False, url="https://ok.ru/adm_two"),
        },
    )
    assert drift.scope("vk") == {"*"} and drift.scope("ok") == {"page.gov_mark"}
    out = drift.apply(
        [
            finding("page.exists.vk", "vk"),
            finding("page.gov_mark", "vk", Status.PASS),
            finding("page.community", "vk", Status.NA),
            finding("page.gov_mark", "ok"),
            finding("page.contacts", "ok"),
            finding("site.links.vk", None),
        ]
    )
    assert [f.status for f in out] == [
        Status.ERROR,
        Status.ERROR,
        Status.NA,
        Status.ERROR,
        Status.FAIL,
        Status.FAIL,
    ]
    assert out[0].message_en.startswith(
        "detector drift: https://vk.com/adm_one expected exists got"
    )
    assert check_canaries(canaries[:1], {"https://vk.com/adm_one": page()}).failures == []


def test_builtin_canaries_are_valid_page_addresses():
    from audit.canaries import of_platforms
    from audit.platforms import enable, enabling

    assert {c.platform for c in BUILTIN} == {"vk", "ok", "telegram"}
    # Telegram's are read only in runs that audit Telegram
    assert {c.platform for c in of_platforms(BUILTIN)} == {"vk", "ok"}
    with enabling():
        enable(["telegram"])
        assert of_platforms(BUILTIN) == BUILTIN
        assert all(c.ref.url == c.url for c in BUILTIN)
    assert {c.expect for c in BUILTIN if c.platform == "vk"} == {"exists", "missing", "gov_mark"}


def test_canary_file(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text(
        "vk:\n  - {url: 'vk.com/club1', expect: exists}\n"
        "ok:\n  - {url: 'https://ok.ru/xgroup', expect: sometimes}\n"
        "  - {url: 'https://vk.com/y', expect: exists}\n",
        encoding="utf-8",
    )
    with pytest.raises(CanaryError) as info:
        load_canaries(str(path))
    assert f"{path}:4: expect: one of exists, missing, gov_mark" in str(info.value)
    assert f"{path}:5: url: not a ok page" in str(info.value)
    path.write_text("vk:\n  - {url: 'vk.com/public1', expect: exists}\n", encoding="utf-8")
    assert load_canaries(str(path)) == (Canary("vk", "https://vk.com/club1", "exists"),)


def test_run_health_rates():
    bodies = [
        {
            "observations": {
                "site": {"state": "fetched", "pages_read": ["x"]},
                "pages": {
                    "https://vk.com/adm_one": {"platform": "vk", "state": "found"},
                    "https://vk.com/adm_three": {
                        "platform": "vk",
                        "state": "error",
                        "cause": "challenge",
                    },
                },
            }
        },
        {
            "observations": {
                "site": {"state": "failed", "cause": "timeout", "pages_read": []},
                "pages": {
                    "https://vk.com/adm_three": {
                        "platform": "vk",
                        "state": "error",
                        "cause": "challenge",
                    }
                },
            }
        },
        {"observations": {"site": {"state": "unknown"}, "pages": {}}},
    ]
    health = run_health(bodies)
    assert health["platforms"]["vk"] == {
        "pages": 2,
        "errors": 1,
        "error_rate": 50.0,
        "causes": {"challenge": 1},
    }
    assert health["platforms"]["ok"]["pages"] == 0
    assert health["sites"] == {
        "sites": 2,
        "errors": 1,
        "error_rate": 50.0,
        "causes": {"timeout": 1},
    }
