"""OK: the signature on the published example, the client and collector with respx (answered by
the simulated OK's own logic), error codes, secret redaction, and the public-page fallback."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime
from urllib.parse import parse_qs

import httpx
import pytest
import respx

from audit.collect.apicall import ApiConfigError
from audit.evidence import Evidence
from audit.fetch import Fetcher
from audit.fetched import FetchResult
from audit.pageurls import PageRef
from audit.platforms.ok.api import OkApi, OkSettings, ok_signature, session_secret
from audit.platforms.ok.html import parse_ok_page
from audit.platforms.ok.pages import collect_ok_api, groups_of
from audit.transport import FetchConfig
from audit.world.ok import OkWorld

KEY, SECRET, TOKEN = "CBAUNITTEST", "UNIT-SECRET-abcdef0123456789", "unit-access-token-XYZ987"
API = "https://api.ok.ru/fb.do"


def test_signature_on_the_published_example():
    token = "-s-84W-s3egarWUsbkq-IWTucuedzTKT8VUXIA.s4Xx8IW7"
    secret = "ABC123DEF456GHI789JKL123"
    assert session_secret(token, secret) == "b1a2b89707a94624c43afae67d59274c"
    params = {"application_key": "ABCDEFGHIGKLMNOPK", "format": "json", "method": "events.get"}
    assert ok_signature(params, token, secret) == "232c8eb921951c4dba9b72606f9ddb4c"
    # sig, access_token and session_key never take part; without a session the app secret signs
    noisy = {**params, "sig": "x", "access_token": token, "session_key": "y"}
    assert ok_signature(noisy, token, secret) == "232c8eb921951c4dba9b72606f9ddb4c"
    assert ok_signature(params, None, secret) != ok_signature(params, token, secret)


def test_signature_uses_raw_utf8_values():
    a = ok_signature({"q": "Администрация"}, None, "s")
    b = ok_signature({"q": "%D0%90"}, None, "s")
    assert a != b and len(a) == 32 and a == a.lower()


async def no_sleep(_s: float) -> None:
    return None


def world_with(n: int = 0, **extra) -> OkWorld:
    groups = [
        {
            "id": 80000000000000 + i,
            "shortname": f"grp{i}",
            "name": f"Администрация {i}",
            "gov": True,
            "posts": {"last_hours": 5, "every_hours": 24, "count": 10},
        }
        for i in range(n)
    ]
    return OkWorld(
        {
            "app_key": KEY,
            "app_secret": SECRET,
            "access_token": TOKEN,
            "rate": 10_000,
            "groups": groups,
            **extra,
        }
    )


class Recorder:
    def __init__(self, world: OkWorld, script: dict | None = None):
        self.world, self.script = world, {k: list(v) for k, v in (script or {}).items()}
        self.calls: list[dict] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        params = {k: v[0] for k, v in parse_qs(request.content.decode()).items()}
        self.calls.append(params)
        canned = self.script.get(params["method"])
        if canned:
            return httpx.Response(200, json=canned.pop(0))
        return httpx.Response(200, json=self.world.handle_api(params))

    def count(self, method: str) -> int:
        return sum(1 for c in self.calls if c["method"] == method)


def refs(keys: list[str]) -> list[PageRef]:
    return [
        PageRef("ok", "group", k) if k.isdigit() else PageRef("ok", "shortname", k) for k in keys
    ]


async def collect(world, keys, script=None, **settings):
    rec = Recorder(world, script)
    values = dict(app_key=KEY, app_secret=SECRET, access_token=TOKEN, rate=10_000)
    values.update(settings)
    with respx.mock(assert_all_called=False) as mock:
        mock.post(API).mock(side_effect=rec)
        async with Fetcher(FetchConfig(retries=0)) as fetcher:
            api = OkApi(fetcher, OkSettings(**values), sleep=no_sleep)
            pages = await collect_ok_api(api, refs(keys))
    return pages, rec, api


@pytest.mark.parametrize("n", [1, 100, 101, 250])
async def test_group_info_in_batches_of_100(n):
    world = world_with(n)
    keys = [str(80000000000000 + i) for i in range(n)]
    pages, rec, api = await collect(world, keys)
    assert all(p.exists and p.posts for p in pages.values()) and len(pages) == n
    assert rec.count("group.getInfo") == math.ceil(n / 100)
    assert rec.count("mediatopic.getTopics") == n
    assert rec.count("url.getInfo") == 0
    assert api.calls == math.ceil(n / 100) + n


async def test_a_partly_filled_group_info_waits_for_the_next_batch():
    from audit.platforms.ok.pages import OkPages

    world = world_with(7)
    keys = [str(80000000000000 + i) for i in range(7)]
    rec = Recorder(world)
    values = dict(app_key=KEY, app_secret=SECRET, access_token=TOKEN, rate=10_000, ids_per_call=3)
    with respx.mock(assert_all_called=False) as mock:
        mock.post(API).mock(side_effect=rec)
        async with Fetcher(FetchConfig(retries=0)) as fetcher:
            pages = OkPages(OkApi(fetcher, OkSettings(**values), sleep=no_sleep))
            got = await pages.collect(refs(keys[:4]), final=False)
            assert len(got) == 3 and rec.count("group.getInfo") == 1  # the 4th waits
            got.update(await pages.collect(refs(keys[4:]), final=True))
    assert len(got) == 7 and all(p.exists and p.posts for p in got.values())
    assert rec.count("group.getInfo") == 3 and rec.count("mediatopic.getTopics") == 7
    assert pages.gid_of == {} and pages.groups == {}  # nothing held after


async def test_short_names_are_resolved_one_by_one():
    world = world_with(3, users=[{"id": 5, "shortname": "ivanov", "name": "Иван"}])
    pages, rec, _ = await collect(world, ["grp0", "grp1", "ivanov", "nobody", "80000000000002"])
    assert rec.count("url.getInfo") == 4 and rec.count("group.getInfo") == 1
    assert pages["https://ok.ru/grp0"].page_id == "80000000000000"
    assert pages["https://ok.ru/ivanov"].kind == "profile"
    assert pages["https://ok.ru/nobody"].state == "missing"


def test_both_response_shapes():
    g = {"uid": "1", "name": "x"}
    assert groups_of([g]) == [g] and groups_of({"groups": [g]}) == [g] and groups_of(7) == []


async def test_every_request_is_signed_and_the_world_checks_it():
    world = world_with(1)
    pages, rec, _ = await collect(world, ["grp0"])
    for params in rec.calls:
        assert params["sig"] == ok_signature(params, TOKEN, SECRET)
        assert params["application_key"] == KEY and params["format"] == "json"
    assert pages["https://ok.ru/grp0"].exists


@pytest.mark.parametrize(
    ("settings", "code"),
    [
        ({"app_secret": "WRONG-SECRET-000"}, 104),
        ({"access_token": "other-token-123"}, 102),
        ({"app_key": "OTHERKEY"}, 101),
    ],
)
async def test_credential_errors_stop_the_run_without_secrets(settings, code):
    world = world_with(1)
    with pytest.raises(ApiConfigError) as info:
        await collect(world, ["80000000000000"], **settings)
    text = str(info.value)
    assert f"error {code}" in text and "OK_APP_SECRET" in text
    for secret in (SECRET, TOKEN, "WRONG-SECRET-000", "other-token-123"):
        assert secret not in text


async def test_flood_is_retried_and_limit_reported():
    world = world_with(1)
    flood = {"error_code": 8, "error_msg": "FLOOD_BLOCKED"}
    pages, _, _ = await collect(world, ["80000000000000"], script={"group.getInfo": [flood]})
    page = pages["https://ok.ru/group/80000000000000"]
    assert page.exists and "ok:8" in page.evidence[0].retried
    limit = {"error_code": 11, "error_msg": "LIMIT_REACHED"}
    pages, _, _ = await collect(
        world, ["80000000000000"], script={"group.getInfo": [limit] * 10}, retries=2
    )
    page = pages["https://ok.ru/group/80000000000000"]
    assert page.state == "error" and page.cause == "rate_limit"


async def test_restricted_and_private_groups_are_facts():
    world = world_with(2)
    world.groups["80000000000001"]["access"] = "CLOSED"
    pages, rec, _ = await collect(world, ["80000000000000", "80000000000001"])
    closed = pages["https://ok.ru/group/80000000000001"]
    assert closed.closed is True and closed.posts is None and closed.wall_cause == "closed"
    assert rec.count("mediatopic.getTopics") == 1  # a closed group's feed is not asked for
    restricted = {"error_code": 456, "error_msg": "GROUP_RESTRICTION"}
    pages, _, _ = await collect(world, ["80000000000000"], script={"group.getInfo": [restricted]})
    page = pages["https://ok.ru/group/80000000000000"]
    assert page.exists and page.closed is True


async def test_blocked_group_and_unknown_id():
    world = world_with(1)
    world.groups["80000000000000"]["blocked"] = True
    pages, _, _ = await collect(world, ["80000000000000", "80000000000999"])
    assert pages["https://ok.ru/group/80000000000000"].state == "banned"
    assert pages["https://ok.ru/group/80000000000999"].state == "missing"


async def test_secrets_never_in_observations_or_evidence():
    world = world_with(1)
    echo = {"error_code": 100, "error_msg": f"PARAM : bad {TOKEN} {SECRET}"}
    pages, _rec, _ = await collect(
        world, ["grp0", "80000000000000"], script={"url.getInfo": [echo]}
    )
    dumped = json.dumps(
        [p.to_json() | {"ev": [e.to_json() for e in p.evidence]} for p in pages.values()],
        ensure_ascii=False,
    )
    assert TOKEN not in dumped and SECRET not in dumped
    assert session_secret(TOKEN, SECRET) not in dumped


# --- public pages ---
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def web(world: OkWorld, path: str):
    status, headers, html = world.handle_web(path)
    final = headers.get("Location", f"https://ok.ru{path}")
    ev = Evidence(
        url=f"https://ok.ru{path}", final_url=final, status=status, content_type="text/html"
    )
    return parse_ok_page(
        FetchResult(ev, html, html.encode()),
        f"https://ok.ru{path}",
        NOW.isoformat(timespec="seconds"),
    )


def test_public_group_page():
    world = OkWorld(
        {
            "groups": [
                {
                    "id": 1,
                    "shortname": "good",
                    "name": "Администрация <b>",
                    "gov": True,
                    "homepage": "https://good-sp.ru",
                    "description": "Официальная группа.",
                    "phone": "+7 812 123-45-67",
                    "address": "199000, ул. Ленина, 1",
                    "members": 77,
                    "posts": {"last_hours": 3, "every_hours": 24, "count": 12},
                },
                {"id": 2, "shortname": "closed", "name": "Закрытая", "access": "CLOSED"},
                {"id": 3, "shortname": "blocked", "name": "Блок", "blocked": True},
                {"id": 4, "shortname": "robot", "name": "Робот", "web": "captcha"},
            ],
            "users": [{"id": 9, "shortname": "ivanov", "name": "Иван"}],
        },
        clock=NOW.timestamp,
    )
    page = web(world, "/good")
    assert page.state == "found" and page.source == "html" and page.page_id == "1"
    assert page.name == "Администрация <b>" and page.gov_mark is True
    assert page.site == "https://good-sp.ru" and page.phones == ["+7 812 123-45-67"]
    assert page.members == 77 and len(page.posts) == 10 and page.posts_within(30) is None
    assert web(world, "/group/2").closed is True
    assert web(world, "/blocked").state == "banned"
    assert web(world, "/no_such_group").state == "missing"  # a 200 answer, told by its text
    assert web(world, "/ivanov").kind == "profile"
    captcha = web(world, "/robot")
    assert captcha.state == "error" and captcha.cause == "challenge"
