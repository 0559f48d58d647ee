"""A run: collect every body concurrently through one fetcher, evaluate, hand results on.

The runner is library code: it never prints. Progress is reported through a callback.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from audit import __version__
from audit.checks import CATALOGUE_VERSION, catalogue
from audit.collect.site import collect_site
from audit.evaluate import evaluate_entity
from audit.fetch import FetchConfig, Fetcher
from audit.model import Entity, Finding
from audit.observations import Observations
from audit.policy import Policy


@dataclass
class EntityResult:
    entity: Entity
    observations: Observations
    findings: list[Finding]


@dataclass
class RunResult:
    started_at: str
    finished_at: str = ""
    duration_s: float = 0.0
    registries: list[dict] = field(default_factory=list)  # [{"path", "sha256"}]
    policy: Policy = field(default_factory=Policy)
    fetch: dict = field(default_factory=dict)
    requests: int = 0
    results: list[EntityResult] = field(default_factory=list)
    tool_version: str = __version__
    catalogue_version: str = CATALOGUE_VERSION


def file_sha256(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


async def audit_entity(entity: Entity, fetcher: Fetcher, policy: Policy) -> EntityResult:
    site = await collect_site(entity, fetcher)
    for n, ev in enumerate(site.evidence, 1):
        ev.id = f"e{n}"
    obs = Observations(site=site)
    return EntityResult(entity, obs, evaluate_entity(entity, obs, policy))


async def run_audit(
    entities: list[Entity],
    registry_files: list[str],
    config: FetchConfig,
    policy: Policy,
    on_done: Callable[[EntityResult], None] | None = None,
    workers: int | None = None,
) -> RunResult:
    """Audit `entities`; results come back in registry order."""
    started = time.monotonic()
    run = RunResult(
        started_at=datetime.now(UTC).isoformat(timespec="seconds"),
        registries=[{"path": p, "sha256": file_sha256(p)} for p in registry_files],
        policy=policy,
        fetch=config.redacted(),
    )
    _ = catalogue()  # load (and validate) the catalogue before any network traffic
    results: list[EntityResult | None] = [None] * len(entities)
    queue: asyncio.Queue[int] = asyncio.Queue()
    for index in range(len(entities)):
        queue.put_nowait(index)

    async with Fetcher(config) as fetcher:

        async def worker() -> None:
            while True:
                try:
                    index = queue.get_nowait()
                except asyncio.QueueEmpty:
                    return
                result = await audit_entity(entities[index], fetcher, policy)
                results[index] = result
                if on_done is not None:
                    on_done(result)

        count = max(1, min(len(entities), workers or config.concurrency * 2))
        await asyncio.gather(*(worker() for _ in range(count)))
        run.requests = fetcher.requests

    run.results = [r for r in results if r is not None]
    run.finished_at = datetime.now(UTC).isoformat(timespec="seconds")
    run.duration_s = round(time.monotonic() - started, 3)
    return run
