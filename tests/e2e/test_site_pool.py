"""Websites read in worker processes (--workers): the same observations as read in the auditor,
over real TCP against the simulated web; a process that dies leaves its bodies to the auditor."""

import asyncio
import contextlib
import gzip
import json

import pytest

from audit.collect.site import collect_site
from audit.collect.site_pool import SitePool
from audit.fetch import Fetcher
from audit.model import Entity, EntityKind
from audit.transport import FetchConfig
from audit.urls import host_of
from tests.e2e.conftest import FAST, cli, load_report
from tests.e2e.test_cli import EXPECTED, ORDER

pytestmark = pytest.mark.e2e

# what differs between two reads of the same site: when, how long, where it was archived
VOLATILE = {"fetched_at", "elapsed_ms", "warc_record"}


def settled(value):
    if isinstance(value, dict):
        return {k: settled(v) for k, v in value.items() if k not in VOLATILE}
    if isinstance(value, list):
        return [settled(v) for v in value]
    return value


def observed(report: dict) -> dict:
    """Each body's website observation and evidence (its platform pages are read here, in
    either run, and their posts' ages move with the clock)."""
    out = {}
    for e in report["entities"]:
        site = [ev for ev in e["evidence"] if host_of(ev["url"]) not in ("vk.com", "ok.ru")]
        out[e["id"]] = settled([e["observations"]["site"], site])
    return out


def statuses(report: dict) -> dict:
    out = {}
    for body in report["entities"]:
        got = {f["check"]: f["status"] for f in body["findings"]}
        out[body["id"]] = tuple(got.get(c) for c in ORDER)
    return out


def test_run_with_website_processes_observes_what_one_process_observes(world, tmp_path):
    runs = {}
    for workers in (0, 2):
        out = tmp_path / f"w{workers}"
        world.reset_faults()  # each run sees every site's first failure (503, 429) again
        proc = cli(
            "run", "registry/demo.yaml", "--out", out, "--workers", workers, "--archive",
            *world.cli_args(), *FAST,
        )  # fmt: skip
        assert proc.returncode == 1, proc.stderr  # the demo has violations
        runs[workers] = load_report(out)
    one, two = runs[0], runs[2]
    assert statuses(two) == statuses(one) == EXPECTED
    assert observed(two) == observed(one)  # evidence, charsets, references, pages read
    # every request counted, the website processes' too
    assert two["run"]["requests"] == one["run"]["requests"]
    # the bodies the processes fetched are in the run's one archive, named by their evidence
    records = {ev["warc_record"] for e in two["entities"] for ev in e["evidence"] if ev["sha256"]}
    assert records and None not in records
    (archive,) = (tmp_path / "w2" / "archive").iterdir()  # one file, whatever the processes
    warc = gzip.decompress(archive.read_bytes())
    assert all(r.encode() in warc for r in records)


def _config(world) -> FetchConfig:
    return world.fetch_config(retries=0, connect_timeout=1, read_timeout=1, total_timeout=3)


BODIES = [
    Entity("w1", "Северное", EntityKind.RURAL_SETTLEMENT, website="http://severnoe-sp.ru/"),
    Entity("w2", "Без сайта", EntityKind.RURAL_SETTLEMENT, website_none=True),
    Entity("w3", "Демо", EntityKind.MUNICIPAL_DISTRICT, website="https://gov-demo-oblast.ru/"),
]


def test_a_process_that_dies_leaves_its_bodies_to_the_auditor(world):
    async def both():
        async with Fetcher(_config(world)) as fetcher:
            here = [await collect_site(e, fetcher) for e in BODIES]
            async with SitePool(1, fetcher) as pool:
                first = await pool.collect(BODIES[0])  # read there
                worker = pool._workers[0]
                worker.process.kill()
                await asyncio.to_thread(worker.process.join)
                after = [await pool.collect(e) for e in BODIES]  # read here
            return here, first, after, worker.gone, pool.requests

    here, first, after, gone, requests = asyncio.run(both())
    assert gone and requests == 0  # the killed process never reported
    assert first.evidence[0].charset == "windows-1251"  # decoded in the process
    strip = lambda obs: json.dumps(settled(obs.to_json()), sort_keys=True)  # noqa: E731
    assert [strip(o) for o in after] == [strip(o) for o in here]
    assert strip(first) == strip(here[0])


def test_the_processes_requests_are_counted_once_they_close(world):
    async def run():
        async with Fetcher(_config(world)) as fetcher:
            async with SitePool(2, fetcher) as pool:
                got = await asyncio.gather(*(pool.collect(e) for e in BODIES))
            return got, pool.requests, fetcher.requests

    got, theirs, ours = asyncio.run(run())
    assert [o.state for o in got] == ["fetched", "none", "fetched"]
    assert ours == 0 and theirs == sum(ev.attempts for o in got for ev in o.evidence)


def test_concurrency_bounds_the_bodies_read_at_once_in_all_processes():
    """Six sites answering in 0.5 s, two slots, two processes: three rounds, not one or two."""
    from audit.world.scenario import Route, Scenario, Site
    from audit.world.server import World

    sites = {
        f"slow{i}.example.ru": Site(
            host=f"slow{i}.example.ru", routes={"/": Route(body="<p>ok</p>", delay=0.5)}
        )
        for i in range(6)
    }
    bodies = [
        Entity(f"s{i}", f"Орган {i}", EntityKind.RURAL_SETTLEMENT, website=f"http://{host}/")
        for i, host in enumerate(sites)
    ]

    async def read(world) -> float:
        async with Fetcher(world.fetch_config(concurrency=2)) as f, SitePool(2, f) as pool:
            started = asyncio.get_running_loop().time()
            got = await asyncio.gather(*(pool.collect(e) for e in bodies))
            took = asyncio.get_running_loop().time() - started
        assert [o.status for o in got] == [200] * 6
        return took

    with World(Scenario(sites=sites)) as world:
        assert asyncio.run(read(world)) >= 1.4


def test_a_cancelled_run_stops_its_website_processes_at_once():
    """Bodies waiting for a slot and sites that hang when the run is cancelled (Ctrl-C): the
    pool sends nothing more, stops its processes and its threads within seconds, not after
    the queued sites' timeouts."""
    import threading

    from audit.world.scenario import Route, Scenario, Site
    from audit.world.server import World

    sites = {
        f"hang{i}.example.ru": Site(host=f"hang{i}.example.ru", routes={"/": Route(hang=30)})
        for i in range(8)
    }
    bodies = [
        Entity(f"h{i}", f"Орган {i}", EntityKind.RURAL_SETTLEMENT, website=f"http://{host}/")
        for i, host in enumerate(sites)
    ]

    async def cancelled(world) -> float:
        config = world.fetch_config(concurrency=2, read_timeout=20, total_timeout=25)
        async with Fetcher(config) as f:
            pool = SitePool(1, f)
            reading = asyncio.ensure_future(_read_all(pool, bodies))
            await asyncio.sleep(1.5)
            started = asyncio.get_running_loop().time()
            reading.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await reading
            return asyncio.get_running_loop().time() - started

    with World(Scenario(sites=sites)) as world:
        assert asyncio.run(cancelled(world)) < 5
    assert not [t for t in threading.enumerate() if t.name.startswith("pages-audit websites")]


async def _read_all(pool: SitePool, bodies: list[Entity]) -> None:
    async with pool:
        await asyncio.gather(*(pool.collect(e) for e in bodies))
