"""Command line: parses arguments and calls the library. Exit codes: 0 ok, 1 violations, 2 usage."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import sys
import threading
from pathlib import Path

from audit import __version__
from audit.checks import catalogue
from audit.collect.apicall import ApiConfigError
from audit.collect.ok_api import OkSettings
from audit.collect.pages import PlatformSettings
from audit.collect.vk_api import VkSettings
from audit.fetch import FetchConfig, Fetcher, decode_body
from audit.links import discover
from audit.net import ConnectTo
from audit.policy import PLATFORM_RULES, Policy, PolicyError, load_policy
from audit.registry import load_registry

EXIT_OK, EXIT_VIOLATIONS, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """Bad command line or configuration: printed without a traceback, exit 2."""


def _err(message: str) -> None:
    print(message, file=sys.stderr)


# --- options shared by commands that fetch -------------------------------------------------------


def add_fetch_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("network")
    g.add_argument(
        "--connect-to",
        action="append",
        default=[],
        metavar="HOST:PORT:TO_HOST:TO_PORT",
        help="send connections for HOST:PORT to another address (as curl); repeatable",
    )
    g.add_argument(
        "--isolated",
        action="store_true",
        help="resolve only names covered by --connect-to; others fail as DNS errors",
    )
    g.add_argument(
        "--allow-loopback",
        action="store_true",
        help="allow fetching loopback addresses (tests only; refused by default)",
    )
    g.add_argument("--ca-bundle", metavar="FILE", help="extra trusted CA certificates (PEM)")
    g.add_argument("--timeout", type=float, default=20.0, help="read timeout, seconds (20)")
    g.add_argument("--connect-timeout", type=float, default=10.0, help="connect timeout (10)")
    g.add_argument(
        "--total-timeout",
        type=float,
        default=60.0,
        help="cap on one request attempt including the body, seconds (60)",
    )
    g.add_argument("--retries", type=int, default=2, help="retries of transient failures (2)")
    g.add_argument("--concurrency", type=int, default=64, help="requests at once in all (64)")
    g.add_argument("--per-host", type=int, default=4, help="requests at once per host (4)")
    g.add_argument(
        "--max-bytes", type=int, default=5 * 1024 * 1024, help="body size cap in bytes (5 MiB)"
    )


def fetch_config(args: argparse.Namespace, **overrides) -> FetchConfig:
    try:
        rules = tuple(ConnectTo.parse(r) for r in args.connect_to)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if args.ca_bundle and not Path(args.ca_bundle).is_file():
        raise UsageError(f"--ca-bundle {args.ca_bundle}: no such file")
    for name in ("timeout", "connect_timeout", "total_timeout"):
        if getattr(args, name) <= 0:
            raise UsageError(f"--{name.replace('_', '-')} must be positive")
    if args.retries < 0 or args.concurrency < 1 or args.per_host < 1 or args.max_bytes < 1:
        raise UsageError("--retries must be >= 0; --concurrency, --per-host, --max-bytes >= 1")
    values = dict(
        connect_timeout=args.connect_timeout,
        read_timeout=args.timeout,
        total_timeout=args.total_timeout,
        retries=args.retries,
        concurrency=args.concurrency,
        per_host=args.per_host,
        max_bytes=args.max_bytes,
        connect_to=rules,
        isolated=args.isolated,
        allow_loopback=args.allow_loopback,
        ca_bundle=args.ca_bundle,
    )
    values.update(overrides)
    return FetchConfig(**values)


def add_platform_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group(
        "platforms (API credentials from the environment: VK_TOKEN; OK_APP_KEY, OK_APP_SECRET, "
        "OK_ACCESS_TOKEN)"
    )
    g.add_argument("--vk-token-file", metavar="FILE", help="read the VK service token from FILE")
    g.add_argument("--vk-api-version", default="5.199", help="VK API version (5.199)")
    g.add_argument("--vk-rate", type=float, default=3.0, help="VK API requests per second (3)")
    g.add_argument(
        "--vk-ids-per-call", type=int, default=500, help="communities per groups.getById (500)"
    )
    g.add_argument("--ok-rate", type=float, default=3.0, help="OK API requests per second (3)")
    g.add_argument(
        "--ok-ids-per-call", type=int, default=100, help="groups per group.getInfo (100)"
    )
    g.add_argument(
        "--no-api",
        action="store_true",
        help="read public pages only, even when API credentials are set",
    )


def platform_settings(args: argparse.Namespace) -> PlatformSettings:
    token = None if args.no_api else os.environ.get("VK_TOKEN", "").strip() or None
    if args.vk_token_file and not args.no_api:
        try:
            token = Path(args.vk_token_file).read_text(encoding="utf-8").strip() or None
        except OSError as exc:
            raise UsageError(f"--vk-token-file {args.vk_token_file}: {exc.strerror}") from None
    if args.vk_rate <= 0 or not 1 <= args.vk_ids_per_call <= 500:
        raise UsageError("--vk-rate must be positive; --vk-ids-per-call between 1 and 500")
    if args.ok_rate <= 0 or not 1 <= args.ok_ids_per_call <= 100:
        raise UsageError("--ok-rate must be positive; --ok-ids-per-call between 1 and 100")

    def env(name: str) -> str | None:
        return None if args.no_api else os.environ.get(name, "").strip() or None

    ok = OkSettings(
        app_key=env("OK_APP_KEY"),
        app_secret=env("OK_APP_SECRET"),
        access_token=env("OK_ACCESS_TOKEN"),
        rate=args.ok_rate,
        ids_per_call=args.ok_ids_per_call,
    )
    if bool(ok.app_key) != bool(ok.app_secret):
        raise UsageError("OK API: set both OK_APP_KEY and OK_APP_SECRET (or neither)")
    return PlatformSettings(
        vk=VkSettings(
            token=token,
            version=args.vk_api_version,
            rate=args.vk_rate,
            ids_per_call=args.vk_ids_per_call,
        ),
        ok=ok,
    )


def policy_from(args: argparse.Namespace) -> Policy:
    policy = Policy()
    if getattr(args, "policy", None):
        try:
            policy = load_policy(args.policy)
        except PolicyError as exc:
            raise UsageError(f"policy file has problems:\n{exc}") from None
        except OSError as exc:
            raise UsageError(f"--policy {args.policy}: {exc.strerror}") from None
    if args.platforms:
        from dataclasses import replace

        policy = replace(policy, platforms=args.platforms)
    return policy


# --- commands ---


def cmd_validate(args: argparse.Namespace) -> int:
    reg = load_registry(args.paths)
    for problem in reg.problems:
        print(problem)
    if reg.problems:
        _err(f"{len(reg.problems)} problem(s) in {len(reg.files)} file(s)")
        return EXIT_USAGE
    print(f"ok: {len(reg.entities)} entities in {len(reg.files)} file(s)")
    return EXIT_OK


def _progress(total: int, quiet: bool):
    """A progress bar on a terminal; nothing in CI or when output is redirected."""
    if quiet or os.environ.get("CI") or not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    return tqdm(total=total, unit="body", file=sys.stderr, leave=False)


def execute_run(
    registries: list[str],
    out: str,
    config: FetchConfig,
    policy: Policy,
    lang: str,
    quiet: bool,
    templates: str | None = None,
    platforms: PlatformSettings | None = None,
) -> tuple[int, dict]:
    """Validate, audit, write report.json and index.html. Returns (exit code, report)."""
    from audit.report.html import write_html
    from audit.report.json_report import build_report, write_json
    from audit.runner import run_audit

    reg = load_registry(registries)
    if reg.problems:
        for problem in reg.problems:
            print(problem)
        _err(f"registry has {len(reg.problems)} problem(s); nothing was audited")
        return EXIT_USAGE, {}
    try:
        Path(out).mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"--out {out}: cannot create directory ({exc.strerror})") from None
    bar = _progress(len(reg.entities), quiet)
    result = asyncio.run(
        run_audit(
            reg.entities,
            reg.files,
            config,
            policy,
            on_done=(lambda _r: bar.update(1)) if bar else None,
            platforms=platforms,
        )
    )
    if bar:
        bar.close()
    report = build_report(result)
    json_path = write_json(report, out)
    html_path = write_html(report, out, lang, templates)
    s = report["summary"]
    if not quiet:
        by = s["by_body_status"]
        api = ", ".join(
            f"{p}: {result.page_sources[p]}, {n} requests" for p, n in result.api_requests.items()
        )
        _err(
            f"audited {s['bodies']} bodies in {result.duration_s:.1f} s "
            f"({result.requests} HTTP requests; pages {api}): "
            f"{by.get('violation', 0)} with violations, "
            f"{by.get('incomplete', 0)} not fully checked, {s['violations']} violation(s)"
        )
        _err(f"report: {html_path}\ndata:   {json_path}")
    return (EXIT_VIOLATIONS if s["violations"] else EXIT_OK), report


def cmd_run(args: argparse.Namespace) -> int:
    code, _ = execute_run(
        args.registry,
        args.out,
        fetch_config(args),
        policy_from(args),
        args.lang,
        args.quiet,
        args.templates,
        platform_settings(args),
    )
    return code


def cmd_report(args: argparse.Namespace) -> int:
    from audit.report.html import write_html
    from audit.report.json_report import read_json

    source = Path(args.dir) / "report.json"
    try:
        report = read_json(str(source))
    except (OSError, ValueError) as exc:
        raise UsageError(f"{source}: cannot read report ({exc})") from None
    print(write_html(report, args.dir, args.lang, args.templates))
    return EXIT_OK


def cmd_checks(args: argparse.Namespace) -> int:
    checks = catalogue()
    if args.json:
        print(json.dumps([c.to_json() for c in checks], ensure_ascii=False, indent=2))
        return EXIT_OK
    for c in checks:
        title = c.title_ru if args.lang == "ru" else c.title_en
        basis = c.legal_basis.ru if args.lang == "ru" else c.legal_basis.en
        print(f"{c.id:24} {c.severity.value:9} {title}\n{'':24} {basis}")
    return EXIT_OK


def cmd_links(args: argparse.Namespace) -> int:
    target = args.target
    if target.startswith(("http://", "https://")):

        async def fetch():
            async with Fetcher(fetch_config(args)) as f:
                return await f.get(target)

        result = asyncio.run(fetch())
        ev = result.evidence
        if not result.ok or result.text is None:
            reason = ev.error.value if ev.error else f"HTTP {ev.status}"
            _err(
                f"{target}: could not read the page ({reason}"
                f"{': ' + ev.error_detail if ev.error_detail else ''})"
            )
            return EXIT_USAGE
        html, base = result.text, args.base_url or ev.final_url
    else:
        try:
            data = Path(target).read_bytes()
        except OSError as exc:
            raise UsageError(f"{target}: cannot read ({exc.strerror})") from None
        html, _ = decode_body(data, None)
        base = args.base_url
    found = discover(html, base)
    if args.json:
        print(json.dumps(found.to_json(), ensure_ascii=False, indent=2))
        return EXIT_OK
    for platform in ("vk", "ok"):
        pages = found.pages(platform)
        print(f"{platform}: {', '.join(pages) if pages else '-'}")
    print(
        f"pos_widget: {'yes' if found.pos.found else 'no'}"
        f"{' (' + ', '.join(found.pos.signatures) + ')' if found.pos.found else ''}"
    )
    for ref in found.references:
        print(f"  {ref.ref.url:45} via {ref.via:9} {ref.raw[:100]}")
    return EXIT_OK


def _wait_for_signal() -> None:
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    stop.wait()


def cmd_world(args: argparse.Namespace) -> int:
    from audit.world.server import World, load_scenario

    try:
        scenario = load_scenario(args.scenario)
    except (OSError, ValueError, TypeError) as exc:
        raise UsageError(f"scenario {args.scenario}: {exc}") from None
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


def cmd_demo(args: argparse.Namespace) -> int:
    from audit.world.server import World

    if not Path(args.registry).exists():
        raise UsageError(f"{args.registry}: demo registry not found (run from the repository root)")
    with World() as world:
        config = FetchConfig(
            connect_to=tuple(ConnectTo.parse(r) for r in world.connect_to),
            isolated=True,
            ca_bundle=world.ca_bundle,
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
        code, _report = execute_run(
            [args.registry],
            args.out,
            config,
            policy_from(args),
            args.lang,
            quiet=False,
            platforms=PlatformSettings(vk=vk, ok=ok),
        )
    if code == EXIT_USAGE:
        return code
    print(str(Path(args.out) / "index.html"))
    return EXIT_OK  # the demo succeeded when the report exists; violations are its content


# --- parser ---


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pages-audit",
        description="Audit official websites and VK/OK official pages of Russian state bodies.",
    )
    parser.add_argument("--version", action="version", version=f"pages-audit {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("validate", help="check registry files; print file:line: field: message")
    p.add_argument("paths", nargs="+", metavar="PATH", help="registry files or directories")
    p.set_defaults(func=cmd_validate)

    def add_report_options(p: argparse.ArgumentParser) -> None:
        p.add_argument("--lang", choices=("ru", "en"), default="ru", help="report language (ru)")
        p.add_argument(
            "--templates",
            metavar="DIR",
            help="directory of edited templates that override the bundled ones",
        )

    p = sub.add_parser("run", help="audit the bodies of one or more registries")
    p.add_argument("registry", nargs="+", metavar="REGISTRY", help="registry files or directories")
    p.add_argument(
        "--out", required=True, metavar="DIR", help="where report.json and index.html go"
    )
    p.add_argument(
        "--platforms",
        choices=PLATFORM_RULES,
        help="official pages required: any of VK/OK (federal minimum; default), both, vk, ok",
    )
    p.add_argument("--policy", metavar="FILE", help="policy YAML: thresholds and platforms")
    p.add_argument("--quiet", action="store_true", help="no progress bar and no summary")
    add_report_options(p)
    add_fetch_options(p)
    add_platform_options(p)
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("report", help="render DIR/index.html again from DIR/report.json")
    p.add_argument("dir", metavar="DIR")
    add_report_options(p)
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("checks", help="list the checks with their legal basis")
    p.add_argument("--json", action="store_true")
    p.add_argument("--lang", choices=("ru", "en"), default="ru")
    p.set_defaults(func=cmd_checks)

    p = sub.add_parser("links", help="show the VK/OK references and ПОС widget found on one page")
    p.add_argument("target", metavar="URL_OR_FILE")
    p.add_argument("--base-url", metavar="URL", help="address the file was saved from")
    p.add_argument("--json", action="store_true")
    add_fetch_options(p)
    p.set_defaults(func=cmd_links)

    p = sub.add_parser("world", help="serve the simulated web on 127.0.0.1 until interrupted")
    p.add_argument("--scenario", metavar="FILE", help="scenario YAML (default: the demo world)")
    p.add_argument("--state", metavar="FILE", help="write ports, CA bundle and rules as JSON")
    p.set_defaults(func=cmd_world)

    p = sub.add_parser("demo", help="run the audit of the demo registry against the simulated web")
    p.add_argument("--registry", default="registry/demo.yaml")
    p.add_argument("--out", default="reports/demo")
    p.add_argument("--platforms", choices=PLATFORM_RULES)
    p.add_argument("--policy", metavar="FILE", help="policy YAML: thresholds and platforms")
    p.add_argument(
        "--html", action="store_true", help="no API credentials: read the simulated public pages"
    )
    p.add_argument("--lang", choices=("ru", "en"), default="ru")
    p.set_defaults(func=cmd_demo)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except UsageError as exc:
        _err(f"pages-audit: {exc}")
        return EXIT_USAGE
    except ApiConfigError as exc:
        _err(f"pages-audit: configuration error: {exc}")
        return EXIT_USAGE
    except KeyboardInterrupt:
        _err("pages-audit: interrupted")
        return 130
