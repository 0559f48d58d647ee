"""Benchmark: API requests and time for N VK and N OK pages against the simulated web.

    python benchmarks/page_batching.py [N ...]        (default: 10 100 1000 2500)

Each body declares one VK page (a screen name) and one OK page (ok.ru/group/<id>) and has no
website, so only the page collectors work. Prints, per N: VK requests (expected ceil(N/500) +
ceil(N/25)), OK requests (expected ceil(N/100) + N), pages found, wall time. The simulated web is
the same in-process server the tests use; times include its Python HTTP handling.
"""

from __future__ import annotations

import asyncio
import math
import sys
import tempfile
import time
from pathlib import Path

from audit.collect.pages import PlatformSettings
from audit.platforms.ok.api import OkSettings
from audit.platforms.vk.api import VkSettings
from audit.policy import Policy
from audit.registry import load_registry
from audit.runner import run_audit
from audit.world.scenario import Scenario
from audit.world.server import World


def scenario(n: int) -> Scenario:
    vk = {
        "token": "bench-token",
        "rate": 1_000_000,
        "groups": [
            {
                "id": 300000 + i,
                "screen_name": f"bench{i}",
                "name": f"Администрация {i}",
                "gov": True,
                "posts": {"last_hours": 5, "every_hours": 24, "count": 40},
            }
            for i in range(n)
        ],
    }
    ok = {
        "app_key": "BENCHKEY",
        "app_secret": "bench-secret",
        "access_token": "bench-ok-token",
        "rate": 1_000_000,
        "groups": [
            {
                "id": 90000000000000 + i,
                "name": f"Администрация {i}",
                "gov": True,
                "posts": {"last_hours": 5, "every_hours": 24, "count": 40},
            }
            for i in range(n)
        ],
    }
    return Scenario(sites={}, vk=vk, ok=ok)


def registry(n: int, directory: str) -> str:
    lines = ["region: Бенчмарк", "entities:"]
    for i in range(n):
        lines.append(
            f"  - {{id: b{i}, name: Администрация {i}, kind: rural_settlement, website: none, "
            f"pages: {{vk: 'https://vk.com/bench{i}', "
            f"ok: 'https://ok.ru/group/{90000000000000 + i}'}}}}"
        )
    path = Path(directory) / "bench.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def measure(n: int) -> None:
    with tempfile.TemporaryDirectory() as tmp, World(scenario(n)) as world:
        reg = load_registry([registry(n, tmp)])
        assert not reg.problems, reg.problems[:3]
        config = world.fetch_config(retries=1, concurrency=32)
        platforms = PlatformSettings(
            vk=VkSettings(token=world.vk.token, rate=1000.0),
            ok=OkSettings(
                app_key=world.ok.app_key,
                app_secret=world.ok.app_secret,
                access_token=world.ok.access_token,
                rate=1000.0,
            ),
        )
        started = time.perf_counter()
        run = asyncio.run(run_audit(reg.entities, reg.files, config, Policy(), platforms=platforms))
        elapsed = time.perf_counter() - started
    found = sum(
        1 for r in run.results for p in r.observations.pages.values() if p.exists and p.posts
    )
    vk_expected = math.ceil(n / 500) + math.ceil(n / 25)
    ok_expected = math.ceil(n / 100) + n
    print(
        f"N={n:5d}  VK requests {run.api_requests['vk']:5d} (expected {vk_expected:5d})  "
        f"OK requests {run.api_requests['ok']:5d} (expected {ok_expected:5d})  "
        f"pages read {found:5d}/{2 * n}  {elapsed:6.1f} s"
    )


if __name__ == "__main__":
    for n in [int(a) for a in sys.argv[1:]] or [10, 100, 1000, 2500]:
        measure(n)
