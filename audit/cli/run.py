"""Commands that audit: run, selfcheck, demo, and the simulated web (world)."""

from __future__ import annotations

import argparse
import asyncio
import signal
from pathlib import Path

from audit.cli.common import (
    CONSOLE,
    _err,
    _terminate,
    _wait_for_signal,
    canaries_from,
    fetch_config,
    platform_settings,
    policy_from,
    reference_sites_from,
    sender_from,
    waivers_from,
)
from audit.collect.pages import PlatformSettings
from audit.exits import (
    EXIT_INCOMPLETE,
    EXIT_OK,
    EXIT_USAGE,
    UsageError,
)
from audit.fetch import Fetcher
from audit.pipeline.session import RunOptions, execute_run
from audit.platforms.ok.api import OkSettings
from audit.platforms.vk.api import VkSettings


def cmd_run(args: argparse.Namespace) -> int:
    if args.chunk < 1:
        raise UsageError("--chunk must be at least 1")
    workers = None
    if args.workers != "auto":
        if not args.workers.isdigit():
            raise UsageError(f"--workers {args.workers}: a number of processes, or auto")
        workers = int(args.workers)
    signal.signal(signal.SIGTERM, _terminate)
    code = execute_run(
        args.registry,
        fetch_config(args),
        RunOptions(
            out=args.out,
            policy=(policy := policy_from(args)),
            lang=args.lang,
            quiet=args.quiet,
            brief=args.brief,
            templates=args.templates,
            platforms=platform_settings(args, policy),
            db=args.db,
            resume=args.resume,
            waivers=waivers_from(args.waivers),
            chunk=args.chunk,
            workers=workers,
            archive=args.archive,
            canaries=canaries_from(args),
            reference_sites=reference_sites_from(args),
            max_error_rate=args.max_error_rate,
            fail_on=args.fail_on,
            fail_under=args.fail_under,
            shard=args.shard,
        ),
        CONSOLE,
    )
    return code


def cmd_selfcheck(args: argparse.Namespace) -> int:
    """The reference sites and the canaries: can this machine, network and version read the
    web, VK and OK right? NET: no answer at all (the network); DRIFT: a wrong answer."""
    from audit.canaries import check_canaries, of_platforms
    from audit.collect.pages import page_collectors
    from audit.vantage import probe

    canaries = of_platforms(canaries_from(args))
    references = reference_sites_from(args)
    if not canaries and not references:
        raise UsageError("no canaries and no reference sites to check")
    platforms = platform_settings(args)

    async def collect():
        async with Fetcher(fetch_config(args)) as fetcher:
            health = await probe(fetcher, references)
            seen = {}
            for c in page_collectors(fetcher, platforms):
                seen.update(await c.collect([k.ref for k in canaries]))
            return health, seen

    health, seen = asyncio.run(collect())
    for p in health.probes:
        mark = "ok" if p["answered"] else "NET"
        got = "an answer" if p["answered"] else f"no answer ({p['cause']})"
        print(f"{mark:5} web {p['url']:60} expected an answer got {got}")
    drift = check_canaries(canaries, seen)
    failed = {f["url"]: f for f in drift.failures}
    for c in canaries:
        page = seen.get(c.ref.url)
        source = page.source if page else "-"
        failure = failed.get(c.url)
        mark = "ok" if failure is None else "NET" if failure["network"] else "DRIFT"
        got = failure["got"] if failure else c.expect
        print(f"{mark:5} {c.platform} {c.url:60} expected {c.expect:8} got {got} ({source})")
    unreachable = [f for f in drift.failures if f["network"]]
    if health.fault is not None or unreachable:
        _err(
            "pages-audit: network unreachable from this vantage: "
            + "; ".join(
                ([health.detail] if health.fault else [])
                + [f"{f['url']}: {f['got']}" for f in unreachable]
            )
        )
    drifted = len(drift.failures) - len(unreachable)
    if drifted:
        _err(f"pages-audit: {drifted} canary(ies) gave the wrong answer (detector drift)")
    return EXIT_INCOMPLETE if health.fault is not None or drift.failures else EXIT_OK


DEMO_REGISTRY = "registry/demo.yaml"
DEMO_SENDER = "docs/examples/sender.yaml"


def shipped(path: str) -> str:
    """A file of the repository the package also ships (registry/ as audit/registries,
    docs/examples as audit/examples): as given when it is there (a checkout, or the user's own
    copy), else the installed copy."""
    if Path(path).exists():
        return path
    package = Path(__file__).resolve().parent.parent
    folder, _, name = path.rpartition("/")
    installed = {"registry": "registries", "docs/examples": "examples"}.get(folder)
    candidate = package / installed / name if installed else None
    return str(candidate) if candidate is not None and candidate.exists() else path


def require_world() -> None:
    """The simulated web serves HTTPS with a throw-away CA made by trustme (the `world` extra)."""
    try:
        import trustme  # noqa: F401
    except ImportError:
        raise UsageError(
            "the simulated web needs the 'world' extra: pip install 'pages-audit[world]'"
        ) from None


def cmd_demo(args: argparse.Namespace) -> int:
    from audit.world.server import World

    registry = shipped(args.registry)
    if not Path(registry).exists():
        raise UsageError(f"{args.registry}: demo registry not found")
    require_world()
    with World() as world:
        config = world.fetch_config(
            connect_timeout=2.0,
            read_timeout=2.0,
            total_timeout=5.0,
            retries=1,
            backoff_base=0.2,
        )
        vk = VkSettings(token=None if args.html else world.vk_token, rate=20.0)
        ok = (
            OkSettings(rate=20.0)
            if args.html
            else OkSettings(
                app_key=world.ok.app_key,
                app_secret=world.ok.app_secret,
                access_token=world.ok.access_token,
                rate=20.0,
            )
        )
        code = execute_run(
            [registry],
            config,
            RunOptions(
                out=args.out,
                policy=policy_from(args),
                lang=args.lang,
                platforms=PlatformSettings(vk=vk, ok=ok),
                db=args.db,
                waivers=waivers_from(args.waivers),
                canaries=canaries_from(args),
                reference_sites=reference_sites_from(args),
            ),
            CONSOLE,
        )
    if code == EXIT_USAGE:
        return code
    report_path = Path(args.out) / "report.json"
    if report_path.is_file():
        from audit.report.json_report import read_json
        from audit.report.notices import write_notices

        example = shipped(DEMO_SENDER) if Path(shipped(DEMO_SENDER)).is_file() else None
        sender = sender_from(args.sender or example)
        write_notices(read_json(str(report_path)), args.out, sender=sender)
    print(str(Path(args.out) / "index.html"))
    return EXIT_OK  # the demo succeeded when the report exists; violations are its content


def cmd_world(args: argparse.Namespace) -> int:
    from audit.world.scenario import load_scenario
    from audit.world.server import World

    try:
        scenario = load_scenario(args.scenario)
    except (OSError, ValueError, TypeError) as exc:
        raise UsageError(f"scenario {args.scenario}: {exc}") from None
    require_world()
    with World(scenario) as world:
        if args.state:
            world.write_state(args.state)
        print(
            f"simulated web: http 127.0.0.1:{world.http_port}, "
            f"https 127.0.0.1:{world.https_port}, {len(world.sites)} hosts",
            flush=True,
        )
        print(
            "audit it with: pages-audit run REGISTRY --out DIR " + " ".join(world.cli_args()),
            flush=True,
        )
        _wait_for_signal()
    return EXIT_OK
