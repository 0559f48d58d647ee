"""A run: collect every body concurrently through one fetcher, evaluate, hand results on.

The runner is library code: it never prints. Progress is reported through a callback.
"""

from __future__ import annotations

import asyncio
import hashlib
import resource
import time
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager, AsyncExitStack, nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime

from audit import __version__
from audit.canaries import Canary, check_canaries, of_platforms
from audit.checks import CATALOGUE_VERSION, catalogue
from audit.checks._site import site_down
from audit.collect.pages import PlatformSettings, page_collectors, page_refs
from audit.collect.site_pool import SitePool
from audit.evaluate import judge
from audit.fetch import Fetcher
from audit.model import Entity, Finding
from audit.observations import Observations, PageObservation, SiteObservation
from audit.policy import Policy
from audit.rudates import MSK
from audit.transport import FetchConfig
from audit.vantage import probe
from audit.waivers import Waiver

CHUNK = 500  # bodies collected together: their page look-ups share API requests
CHECK_SLICE = 50  # bodies checked and committed together before the event loop is let go


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
    cpu_s: float = 0.0  # CPU seconds of this process and its website processes
    site_cpu_s: float | None = None  # of the website processes alone (None: read in this one)
    registries: list[dict] = field(default_factory=list)  # [{"path", "sha256"}]
    policy: Policy = field(default_factory=Policy)
    fetch: dict = field(default_factory=dict)
    requests: int = 0
    api_requests: dict[str, int] = field(default_factory=dict)  # platform -> API requests
    page_sources: dict[str, str] = field(default_factory=dict)  # platform -> api | html
    platforms: dict = field(default_factory=dict)  # platform settings, secrets redacted
    results: list[EntityResult] = field(default_factory=list)
    expired_waivers: set = field(default_factory=set)
    canaries: list[dict] = field(default_factory=list)
    canary_requests: dict[str, int] = field(default_factory=dict)
    drift: list[dict] = field(default_factory=list)  # failed canaries
    vantage_health: dict = field(default_factory=dict)  # VantageHealth.to_json()
    tool_version: str = __version__
    catalogue_version: str = CATALOGUE_VERSION


def file_sha256(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def assemble(entity: Entity, site: SiteObservation, pages: dict) -> EntityResult:
    """One body's observations from the batch's collections (evidence numbered per body),
    not yet judged."""
    chosen, refs = page_refs(entity, site)
    obs = Observations(site=site, chosen=chosen)
    for ref in refs:
        if ref.url in pages:
            obs.pages[ref.url] = pages[ref.url]
    for url, _page in chosen.values():
        if url in pages:
            obs.pages[url] = pages[url]
    number_evidence(obs)
    return EntityResult(entity, obs, [])


def number_evidence(obs: Observations) -> None:
    """Give each evidence record of the body an id e1, e2 ...; records shared with other bodies
    (one API request answers for many pages) are copied so that each body numbers its own."""
    from dataclasses import replace

    copies: dict[int, object] = {}
    n = 0
    for ev in obs.site.evidence:
        n += 1
        ev.id = f"e{n}"
    for url, page in list(obs.pages.items()):
        own = []
        for ev in page.evidence:
            if id(ev) not in copies:
                n += 1
                copies[id(ev)] = replace(ev, id=f"e{n}")
            own.append(copies[id(ev)])
        obs.pages[url] = replace(page, evidence=own)


class Journal:
    """Where a run writes as it goes (nothing by default); the store-backed journal lets a
    killed run resume without fetching again what it already has."""

    def done_ids(self) -> set[str]:
        return set()

    def site(self, entity_id: str) -> SiteObservation | None:
        return None

    def save_site(self, entity_id: str, site: SiteObservation) -> None:
        pass

    def pages(self) -> dict[str, PageObservation]:
        return {}

    def save_pages(self, pages: dict[str, PageObservation]) -> None:
        pass

    def done(self, position: int, result: EntityResult) -> None:
        pass

    def site_down_before(self, entity_id: str) -> list[str]:
        """Start times of the earlier audits in a row (newest first) that found this body's
        site down from a working vantage: none without a history."""
        return []

    def batch(self) -> AbstractContextManager:
        """Around the `done` calls of one batch: the store commits them together."""
        return nullcontext()


async def run_audit(
    entities: Iterable[Entity],
    registry_files: list[str],
    config: FetchConfig,
    policy: Policy,
    on_done: Callable[[EntityResult], None] | None = None,
    platforms: PlatformSettings | None = None,
    chunk: int = CHUNK,
    journal: Journal | None = None,
    waivers: list[Waiver] | None = None,
    keep_results: bool = True,
    fetcher_hook: Callable[[Fetcher], None] | None = None,
    canaries: tuple[Canary, ...] = (),
    workers: int = 0,
    reference_sites: tuple[str, ...] = (),
    select: Callable[[str], bool] | None = None,
) -> RunResult:
    """Audit `entities` chunk by chunk (websites, then every page of the chunk in batched
    look-ups, then the checks), in registry order. Each result goes to `journal.done` and
    `on_done` as soon as it exists; `keep_results=False` keeps none in memory. `workers` > 0
    reads the websites (fetch and parse) in that many processes; this one keeps the platforms'
    look-ups, the store and the checks. `select` (an id → bool) keeps some of the bodies (a
    shard); each keeps its position in the registry, so shards merge back in registry order."""
    started, cpu_started = time.monotonic(), cpu_seconds()
    children_started = cpu_seconds(resource.RUSAGE_CHILDREN)
    pooled = workers > 0
    platforms = platforms or PlatformSettings()
    journal = journal or Journal()
    today = datetime.now(MSK).date()
    run = RunResult(
        started_at=datetime.now(UTC).isoformat(timespec="seconds"),
        registries=[{"path": p, "sha256": file_sha256(p)} for p in registry_files],
        policy=policy,
        fetch=config.redacted(),
        platforms=platforms.redacted(),
    )
    _ = catalogue()  # load (and validate) the catalogue before any network traffic
    done = journal.done_ids()
    # read as the run goes: a registry streamed from its files is never held whole
    todo = (
        (n, e)
        for n, e in enumerate(entities)
        if e.id not in done and (select is None or select(e.id))
    )
    known_pages = journal.pages()
    async with AsyncExitStack() as stack:
        fetcher = await stack.enter_async_context(Fetcher(config))
        if fetcher_hook is not None:
            fetcher_hook(fetcher)  # before the website processes start: they ask its archive
        if fetcher.archive is not None:  # what the archive lost is read again
            known_pages = {
                u: p for u, p in known_pages.items() if fetcher.archive.holds(p.evidence)
            }
        sites = await stack.enter_async_context(SitePool(workers, fetcher))
        collectors = page_collectors(fetcher, platforms)
        run.page_sources = {c.platform: c.source for c in collectors}
        # first: does this run's network work, and can it still read the platforms right?
        canaries = of_platforms(canaries)
        refs = [c.ref for c in canaries]
        health, *found = await asyncio.gather(
            probe(fetcher, reference_sites), *(c.collect(refs) for c in collectors if refs)
        )
        drift = check_canaries(canaries, {u: p for pages in found for u, p in pages.items()})
        if canaries:
            run.canaries = [
                {"platform": c.platform, "url": c.url, "expect": c.expect} for c in canaries
            ]
            run.canary_requests = {c.platform: c.requests() for c in collectors}
        run.drift = drift.to_json()

        async def site_of(entity: Entity) -> SiteObservation:
            site = journal.site(entity.id)
            if site is not None and fetcher.archive is not None:
                site = site if fetcher.archive.holds(site.evidence) else None
            if site is None:
                site = await sites.collect(entity)
                journal.save_site(entity.id, site)
            return site

        size = max(1, chunk)
        # bodies whose website is read, waiting for their batch; bounded, so that websites
        # read faster than batches are looked up and checked wait instead of piling up
        ready: asyncio.Queue = asyncio.Queue(maxsize=2 * size)
        finished = object()

        async def site_worker() -> None:
            for position, entity in todo:  # the workers share one iterator
                await ready.put((position, entity, await site_of(entity)))

        carried: list[tuple[int, Entity, SiteObservation]] = []  # bodies waiting for pages
        carried_pages: dict[str, PageObservation] = {}

        async def look_up(batch: list[tuple[int, Entity, SiteObservation]], final: bool):
            """Look up the batch's pages (with the bodies carried from the last batch): the
            bodies whose pages are all in, to be checked, and the pages. A body whose page
            waits for a fuller API request is carried to the next batch."""
            nonlocal carried, carried_pages
            batch = carried + batch
            refs_of = [page_refs(e, s)[1] for _, e, s in batch]
            pages = dict(carried_pages)
            for refs in refs_of:
                for r in refs:
                    if r.url in known_pages and r.url not in pages:
                        pages[r.url] = known_pages[r.url]
            missing = [r for refs in refs_of for r in refs if r.url not in pages]
            for found in await asyncio.gather(*(c.collect(missing, final) for c in collectors)):
                journal.save_pages(found)
                pages.update(found)
            complete, carried = [], []
            waiting: list = []  # the carried bodies' page references
            for item, refs in zip(batch, refs_of, strict=True):
                if not final and any(r.url not in pages for r in refs):
                    carried.append(item)
                    waiting.extend(refs)
                else:
                    complete.append(item)
            carried_pages = {r.url: pages[r.url] for r in waiting if r.url in pages}
            return complete, pages

        async def check(complete: list, pages: dict[str, PageObservation]) -> list:
            """Check the bodies and hand their results on, a slice at a time: between slices
            the websites and the next batch's look-ups go on (a batch's checks hold the event
            loop for most of a second)."""
            results = []
            health.add_sites([site for _, _, site in complete])
            for start in range(0, len(complete), CHECK_SLICE):
                with journal.batch():
                    for position, entity, site in complete[start : start + CHECK_SLICE]:
                        health.mark(site)
                        if site_down(site):
                            site.down_before = journal.site_down_before(entity.id)
                        result = assemble(entity, site, pages)
                        result.findings, expired = judge(
                            entity, result.observations, policy, drift, waivers, today
                        )
                        run.expired_waivers.update(expired)
                        journal.done(position, result)
                        if keep_results:
                            results.append((position, result))
                        if on_done is not None:
                            on_done(result)
                await asyncio.sleep(0)
            return results

        # Websites are read continuously; a batch of pages is looked up as soon as `size` bodies
        # have their website (or when no more are coming), so one slow site delays only its
        # own body, not a whole chunk, and the look-ups overlap with the next websites.
        workers = [
            asyncio.create_task(site_worker()) for _ in range(max(1, config.concurrency * 2))
        ]

        async def close_when_read() -> None:
            try:
                await asyncio.gather(*workers)
            finally:  # even when a worker failed: the loop below must end
                await ready.put(finished)

        closer = asyncio.create_task(close_when_read())
        kept: list = []
        batch: list = []
        # a batch's checks run while the next batch is gathered and looked up; the checks
        # themselves stay in registry order of batches (one batch's after the other's)
        checking: asyncio.Task | None = None
        try:
            while True:
                item = await ready.get()
                if item is not finished:
                    batch.append(item)
                if (batch or carried) and (len(batch) >= size or item is finished):
                    complete, pages = await look_up(batch, final=item is finished)
                    batch = []
                    if checking is not None:
                        kept.extend(await checking)
                    checking = asyncio.create_task(check(complete, pages))
                if item is finished:
                    break
            if checking is not None:
                kept.extend(await checking)
            await closer  # a worker's exception is the run's
        finally:
            tasks = [*workers, closer, *([checking] if checking is not None else [])]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        run.results.extend(r for _, r in sorted(kept, key=lambda pr: pr[0]))
        run.api_requests = {
            c.platform: c.requests() - run.canary_requests.get(c.platform, 0) for c in collectors
        }
        run.vantage_health = health.to_json()
    run.requests = fetcher.requests + sites.requests  # the website processes' once closed
    run.finished_at = datetime.now(UTC).isoformat(timespec="seconds")
    run.duration_s = round(time.monotonic() - started, 3)
    run.cpu_s = round(cpu_seconds() - cpu_started, 3)  # the website processes are reaped by now
    if pooled:  # the children that ended meanwhile: the website processes
        run.site_cpu_s = round(cpu_seconds(resource.RUSAGE_CHILDREN) - children_started, 3)
    return run


def cpu_seconds(*whose: int) -> float:
    """User and system CPU time of this process and of its children that have ended (or of
    those `whose` names: resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)."""
    total = 0.0
    for who in whose or (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        total += usage.ru_utime + usage.ru_stime
    return total
