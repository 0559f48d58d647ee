"""VK API client and collector with respx: batching, response shapes, error codes, redaction.

The mocked api.vk.com is answered by the simulated VK's own logic (audit.world.vk.VkWorld), so
the unit tests and the end-to-end tests exercise one VK, not two that could drift apart.
"""

from __future__ import annotations

import json
import math
from urllib.parse import parse_qs

import httpx
import pytest
import respx

from audit.collect.apicall import ApiConfigError, RateLimiter, Redactor
from audit.fetch import Fetcher
from audit.pageurls import PageRef
from audit.platforms.vk.answers import groups_of
from audit.platforms.vk.api import VkApi, VkSettings
from audit.platforms.vk.pages import collect_vk_api
from audit.transport import FetchConfig
from audit.world.vk import VkWorld

TOKEN = "vk1.a.SECRET-service-token-0123456789"
API = "https://api.vk.com/method/"


async def no_sleep(_seconds: float) -> None:
    return None


def world_with(n_groups: int = 0, **extra) -> VkWorld:
    groups = [
        {
            "id": 200000 + i,
            "screen_name": f"page{i}",
            "name": f"Администрация {i}",
            "gov": True,
            "posts": {"last_hours": 5, "every_hours": 24, "count": 10},
        }
        for i in range(n_groups)
    ]
    spec = {"token": TOKEN, "rate": 10_000, "groups": groups, **extra}
    return VkWorld(spec)


class Recorder:
    """respx side effect: VkWorld answers; every request is kept for counting."""

    def __init__(self, world: VkWorld, script: list | None = None):
        self.world, self.script = world, list(script or [])
        self.calls: list[tuple[str, dict, str | None]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        method = request.url.path.rsplit("/", 1)[1]
        params = {k: v[0] for k, v in parse_qs(request.content.decode()).items()}
        auth = request.headers.get("authorization")
        self.calls.append((method, params, auth))
        if self.script:
            return httpx.Response(200, json=self.script.pop(0))
        return httpx.Response(200, json=self.world.handle_api(method, params, auth))

    def count(self, method: str, inner: str | None = None) -> int:
        return sum(
            1 for m, p, _ in self.calls if m == method and (inner is None or inner in p["code"])
        )


def refs(keys: list[str]) -> list[PageRef]:
    return [
        PageRef("vk", "club", k[4:]) if k.startswith("club") else PageRef("vk", "screen_name", k)
        for k in keys
    ]


async def collect(world: VkWorld, keys: list[str], script=None, **settings):
    rec = Recorder(world, script)
    with respx.mock(assert_all_called=False) as mock:
        mock.post(url__startswith=API).mock(side_effect=rec)
        async with Fetcher(FetchConfig(retries=0)) as fetcher:
            api = VkApi(fetcher, VkSettings(token=TOKEN, rate=10_000, **settings), sleep=no_sleep)
            pages = await collect_vk_api(api, refs(keys))
    return pages, rec, api


@pytest.mark.parametrize("n", [1, 25, 26, 500, 501, 1234])
async def test_batching_n_pages_cost_ceil_n_500_plus_ceil_n_25(n):
    world = world_with(n)
    pages, rec, api = await collect(world, [f"page{i}" for i in range(n)])
    assert len(pages) == n and all(p.exists and p.posts for p in pages.values())
    assert rec.count("groups.getById") == math.ceil(n / 500)
    assert rec.count("execute", "wall.get") == math.ceil(n / 25)
    assert rec.count("execute", "resolveScreenName") == 0
    assert api.calls == len(rec.calls) == math.ceil(n / 500) + math.ceil(n / 25)


async def test_ids_per_call_is_configurable():
    world = world_with(30)
    _, rec, _ = await collect(world, [f"page{i}" for i in range(30)], ids_per_call=7)
    assert rec.count("groups.getById") == math.ceil(30 / 7)


async def test_names_getbyid_does_not_return_are_resolved_25_per_execute():
    world = world_with(2, users=[{"id": 9, "screen_name": "ivanov", "name": "Иван"}])
    unknown = [f"nobody{i}" for i in range(29)]
    pages, rec, _ = await collect(world, ["page0", "page1", "ivanov", *unknown])
    assert rec.count("execute", "resolveScreenName") == math.ceil(30 / 25)
    assert pages["https://vk.com/ivanov"].kind == "profile"
    assert pages["https://vk.com/ivanov"].page_id == "9"
    assert {pages[f"https://vk.com/{k}"].state for k in unknown} == {"missing"}


async def test_club_id_and_screen_name_are_one_page():
    world = world_with(1)
    pages, rec, _ = await collect(world, ["club200000", "page0"])
    a, b = pages["https://vk.com/club200000"], pages["https://vk.com/page0"]
    assert a.canonical_id == b.canonical_id == "vk:group:200000"
    assert rec.count("execute", "wall.get") == 1 and a.posts == b.posts


def test_both_response_shapes_are_accepted():
    group = {"id": 1, "name": "x", "screen_name": "x", "is_closed": 0, "type": "group"}
    assert groups_of({"groups": [group], "profiles": []}) == [group]
    assert groups_of([group]) == [group]
    assert groups_of({"unexpected": 1}) == [] and groups_of(None) == []


async def test_legacy_version_gets_the_plain_list_and_same_facts():
    world = world_with(3)
    new, _, _ = await collect(world, ["page0", "page1", "page2"])
    old, rec, _ = await collect(world, ["page0", "page1", "page2"], version="5.131")
    answer = world.log[-2][1] if world.log[-2][0] == "groups.getById" else world.log[-3][1]
    assert isinstance(answer["response"], list)  # the old shape was really served
    assert {u: (p.name, p.page_id) for u, p in new.items()} == {
        u: (p.name, p.page_id) for u, p in old.items()
    }
    assert all(p["v"] == "5.131" for _, p, _ in rec.calls)


def error(code: int, msg: str) -> dict:
    return {"error": {"error_code": code, "error_msg": msg, "request_params": []}}


async def test_error_6_backs_off_and_retries():
    world = world_with(1)
    pages, rec, _ = await collect(
        world, ["page0"], script=[error(6, "Too many requests per second")]
    )
    page = pages["https://vk.com/page0"]
    assert page.exists and rec.count("groups.getById") == 2
    assert "vk:6" in page.evidence[0].retried


async def test_error_29_is_retried_then_reported_as_rate_limit():
    world = world_with(1)
    script = [error(29, "Rate limit reached")] * 2
    pages, rec, _ = await collect(world, ["page0"], script=script, quota_retries=1)
    page = pages["https://vk.com/page0"]
    assert page.state == "error" and page.cause == "rate_limit"
    assert rec.count("groups.getById") == 2


@pytest.mark.parametrize("code", [5, 28])
async def test_auth_errors_stop_the_run_without_the_token(code):
    world = world_with(1)
    with pytest.raises(ApiConfigError) as info:
        await collect(world, ["page0"], script=[error(code, f"User authorization failed {TOKEN}")])
    assert TOKEN not in str(info.value) and "VK_TOKEN" in str(info.value)


async def test_real_wrong_token_answer_is_a_configuration_error():
    world = VkWorld({"token": "another-token", "groups": []})
    with pytest.raises(ApiConfigError):
        await collect(world, ["page0"])


@pytest.mark.parametrize(
    ("code", "state", "closed"), [(15, "found", True), (203, "found", True), (18, "deleted", None)]
)
async def test_access_errors_are_facts_about_the_page(code, state, closed):
    world = world_with(4)
    keys = ["page0", "page1", "page2", "page3"]

    rec_script = []  # the batch fails; halves are asked apart until the page is found
    answers = {
        "page0,page1,page2,page3": error(code, "Access denied"),
        "page0,page1": None,
        "page2,page3": error(code, "Access denied"),
        "page2": error(code, "Access denied"),
        "page3": None,
    }

    class Bisect(Recorder):
        def __call__(self, request):
            params = {k: v[0] for k, v in parse_qs(request.content.decode()).items()}
            if request.url.path.endswith("groups.getById"):
                canned = answers.get(params["group_ids"])
                if canned is not None:
                    self.calls.append(("groups.getById", params, None))
                    return httpx.Response(200, json=canned)
            return super().__call__(request)

    rec = Bisect(world, rec_script)
    with respx.mock(assert_all_called=False) as mock:
        mock.post(url__startswith=API).mock(side_effect=rec)
        async with Fetcher(FetchConfig(retries=0)) as fetcher:
            api = VkApi(fetcher, VkSettings(token=TOKEN, rate=10_000), sleep=no_sleep)
            pages = await collect_vk_api(api, refs(keys))
    page2 = pages["https://vk.com/page2"]
    assert page2.state == state and page2.closed is closed
    assert pages["https://vk.com/page3"].exists and pages["https://vk.com/page0"].exists


async def test_closed_wall_and_disabled_wall_inside_execute():
    world = world_with(2)
    world.groups[200001]["wall"] = 0
    pages, _, _ = await collect(world, ["page0", "page1"])
    assert pages["https://vk.com/page0"].posts
    disabled = pages["https://vk.com/page1"]
    assert disabled.posts == [] and disabled.wall_cause == "wall_disabled"


async def test_transport_failure_is_an_error_state_not_a_crash():
    with respx.mock() as mock:
        mock.post(url__startswith=API).mock(side_effect=httpx.ConnectError("refused"))
        async with Fetcher(FetchConfig(retries=0)) as fetcher:
            api = VkApi(fetcher, VkSettings(token=TOKEN, rate=10_000), sleep=no_sleep)
            pages = await collect_vk_api(api, refs(["page0"]))
    page = pages["https://vk.com/page0"]
    assert page.state == "error" and page.cause == "connect"


async def test_token_travels_in_the_header_and_nowhere_in_the_evidence():
    world = world_with(2)
    script = [error(100, f"One of the parameters ... access_token={TOKEN}")]
    pages, rec, _ = await collect(world, ["page0", "nobody"], script=script)
    assert all(auth == f"Bearer {TOKEN}" for _, _, auth in rec.calls)
    assert all("access_token" not in params for _, params, _ in rec.calls)
    dumped = json.dumps(
        [p.to_json() | {"ev": [e.to_json() for e in p.evidence]} for p in pages.values()],
        ensure_ascii=False,
    )
    assert TOKEN not in dumped


def test_redactor_replaces_every_secret():
    redact = Redactor([TOKEN, None, "abc"])  # too short to be a secret: left alone
    assert redact(f"x {TOKEN} y {TOKEN}") == "x *** y ***"
    assert redact(None) is None and redact("abc") == "abc"


async def test_rate_limiter_spaces_calls_evenly():
    now = [0.0]
    slept = []

    async def sleep(seconds):
        slept.append(round(seconds, 3))
        now[0] += seconds

    limiter = RateLimiter(4, sleep=sleep, clock=lambda: now[0])
    for _ in range(5):
        await limiter.wait()
    assert slept == [0.25, 0.25, 0.25, 0.25]


async def test_rate_limiter_callers_wait_side_by_side_for_their_own_slots():
    import asyncio

    slept = []

    async def sleep(seconds):
        slept.append(round(seconds, 3))
        await asyncio.sleep(0)

    limiter = RateLimiter(4, sleep=sleep, clock=lambda: 10.0)  # the clock stands still
    await asyncio.gather(*(limiter.wait() for _ in range(5)))
    assert sorted(slept) == [0.25, 0.5, 0.75, 1.0]  # one slot each, not one caller per turn


def test_settings_repr_hides_secrets():
    from audit.platforms.ok.api import OkSettings

    assert TOKEN not in repr(VkSettings(token=TOKEN))
    ok = OkSettings(app_key="K", app_secret="the-app-secret", access_token="the-token")
    assert "the-app-secret" not in repr(ok) and "the-token" not in repr(ok)


async def test_partly_filled_requests_wait_for_the_next_batch():
    from audit.platforms.vk.pages import VkPages

    world = world_with(12, users=[{"id": 9, "screen_name": "ivanov", "name": "Иван"}])
    first = [f"page{i}" for i in range(8)] + ["ivanov", "nobody"]
    second = [f"page{i}" for i in range(8, 12)] + ["ghost"]
    rec = Recorder(world)
    with respx.mock(assert_all_called=False) as mock:
        mock.post(url__startswith=API).mock(side_effect=rec)
        async with Fetcher(FetchConfig(retries=0)) as fetcher:
            api = VkApi(
                fetcher, VkSettings(token=TOKEN, rate=10_000, ids_per_call=5), sleep=no_sleep
            )
            pages = VkPages(api)
            got = await pages.collect(refs(first), final=False)
            # two full getById of 5; the 2 unresolved names and 8 walls fill no execute: they wait
            assert got == {} and rec.count("groups.getById") == 2 and len(rec.calls) == 2
            got = await pages.collect(refs(second), final=True)
    assert set(got) == {f"https://vk.com/{k}" for k in first + second}
    assert rec.count("groups.getById") == 3  # 15 names: ceil(15 / 5)
    assert rec.count("execute", "resolveScreenName") == 1  # ivanov, nobody, ghost together
    assert rec.count("execute", "wall.get") == 1  # 12 walls
    assert got["https://vk.com/ivanov"].kind == "profile"
    assert got["https://vk.com/ghost"].state == "missing"
    assert all(got[f"https://vk.com/page{i}"].posts for i in range(12))
    assert pages.refs == {} and pages.by_id == {} and pages.pages == {}  # nothing held after
