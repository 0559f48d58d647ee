"""API requests carried across batches: a run makes exactly the requests its pages need.

A batch of bodies rarely fills its last groups.getById, execute or group.getInfo; those requests
wait for the next batch's pages, and the bodies whose pages wait are checked with that batch.
"""

from __future__ import annotations

import asyncio
import math

import pytest

from audit.collect.pages import PlatformSettings
from audit.model import Entity, EntityKind
from audit.platforms.ok.api import OkSettings
from audit.platforms.vk.api import VkSettings
from audit.policy import Policy
from audit.runner import run_audit
from audit.world.scenario import Scenario
from audit.world.server import World

N = 53


def scenario() -> Scenario:
    posts = {"last_hours": 5, "every_hours": 24, "count": 10}
    vk = {
        "token": "carry-token",
        "rate": 1_000_000,
        "groups": [
            {
                "id": 500000 + i,
                "screen_name": f"carry{i}",
                "name": f"Администрация {i}",
                "gov": True,
                "posts": posts,
            }
            for i in range(N)
        ],
    }
    ok = {
        "app_key": "CARRYKEY",
        "app_secret": "carry-secret",
        "access_token": "carry-ok-token",
        "rate": 1_000_000,
        "groups": [
            {"id": 70000000000000 + i, "name": f"Администрация {i}", "gov": True, "posts": posts}
            for i in range(N)
        ],
    }
    return Scenario(sites={}, vk=vk, ok=ok)


def entities() -> list[Entity]:
    return [
        Entity(
            id=f"c{i:03d}",
            name=f"Администрация {i}",
            kind=EntityKind.RURAL_SETTLEMENT,
            website_none=True,
            pages={
                "vk": f"https://vk.com/carry{i}",
                "ok": f"https://ok.ru/group/{70000000000000 + i}",
            },
        )
        for i in range(N)
    ]


@pytest.mark.parametrize("chunk", [7, 500])
def test_requests_are_the_least_the_limits_allow_whatever_the_batch(chunk):
    with World(scenario()) as world:
        config = world.fetch_config(retries=0)
        platforms = PlatformSettings(
            vk=VkSettings(token=world.vk.token, rate=10_000.0, ids_per_call=10),
            ok=OkSettings(
                app_key=world.ok.app_key,
                app_secret=world.ok.app_secret,
                access_token=world.ok.access_token,
                rate=10_000.0,
                ids_per_call=10,
            ),
        )
        checked: list[str] = []
        run = asyncio.run(
            run_audit(
                entities(),
                [],
                config,
                Policy(),
                platforms=platforms,
                chunk=chunk,
                on_done=lambda r: checked.append(r.entity.id),
            )
        )
    # 53 communities: 6 getById of 10 and 3 executes of 25 walls; 6 group.getInfo and 53 topics
    assert run.api_requests == {"vk": math.ceil(N / 10) + math.ceil(N / 25), "ok": 6 + N}
    assert 0 < run.cpu_s < 60 and run.duration_s > 0  # the run's own CPU figure is recorded
    assert sorted(checked) == [e.id for e in entities()]  # each body checked once
    assert [r.entity.id for r in run.results] == [e.id for e in entities()]  # registry order
    for result in run.results:
        pages = result.observations.pages
        assert len(pages) == 2 and all(p.exists and p.posts for p in pages.values()), pages
