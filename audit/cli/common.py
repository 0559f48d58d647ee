"""What the commands share: options, reading the files they name, printing."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from datetime import date
from pathlib import Path

from audit.checks import optional_criteria, regional_requirements
from audit.cli.progress import progress
from audit.collect.pages import PlatformSettings
from audit.exits import (
    UsageError,
)
from audit.net import ConnectTo
from audit.platforms import OPTIONAL, enable
from audit.platforms.ok.api import OkSettings
from audit.platforms.vk.api import VkSettings
from audit.policy import Policy, PolicyError, load_policy
from audit.transport import FetchConfig
from audit.vantage import REFERENCE_SITES


def _err(message: str) -> None:
    print(message, file=sys.stderr)


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
    g.add_argument(
        "--proxy",
        metavar="URL",
        help="HTTP proxy for every request (default: HTTP_PROXY / HTTPS_PROXY / NO_PROXY from "
        "the environment); hosts covered by --connect-to connect directly",
    )
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
        **proxy_settings(getattr(args, "proxy", None)),
    )
    values.update(overrides)
    return FetchConfig(**values)


def proxy_settings(proxy: str | None) -> dict:
    """--proxy for every scheme, else the environment's HTTP_PROXY, HTTPS_PROXY and NO_PROXY
    (as curl and every HTTP library read them)."""
    import urllib.request

    env = urllib.request.getproxies_environment()
    if proxy is not None:
        proxies = {"http": proxy, "https": proxy}
    else:
        proxies = {k: v for k, v in env.items() if k in ("http", "https") and v}
    for url in proxies.values():
        if not url.startswith(("http://", "https://")):
            raise UsageError(f"proxy {url.split('@')[-1]}: an http:// or https:// URL is expected")
    return {"proxies": tuple(sorted(proxies.items())), "no_proxy": env.get("no", "")}


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


def platform_settings(args: argparse.Namespace, policy: Policy | None = None) -> PlatformSettings:
    """The platforms' settings from the options and the environment; `policy` enabling
    page.replies makes VK read the comments of the latest commented posts."""
    replies = policy is not None and "page.replies" in policy.criteria
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
            comment_posts=policy.reply_sample_posts if replies else 0,
        ),
        ok=ok,
    )


def every_platform() -> None:
    """Reading what runs left (the history's findings): every shipped platform is known, so
    that a finding about an optional one is named."""
    enable(OPTIONAL)


def platforms_of(report: dict) -> None:
    """Rendering a run's report again: the optional platforms it audited are known, and only
    those (the tables' columns follow the registered platforms)."""
    enable((report.get("run") or {}).get("page_sources") or {})


def policy_from(args: argparse.Namespace) -> Policy:
    policy = Policy()
    if getattr(args, "policy", None):
        try:
            policy = load_policy(
                args.policy, regional=regional_requirements(), criteria=optional_criteria()
            )
        except PolicyError as exc:
            raise UsageError(f"policy file has problems:\n{exc}") from None
        except OSError as exc:
            raise UsageError(f"--policy {args.policy}: {exc.strerror}") from None
    if args.platforms:
        from dataclasses import replace

        policy = replace(policy, platforms=args.platforms)
    enable(policy.required_platforms())
    return policy


class Console:
    """What the library has to say, printed: `out` to standard output, `err` to standard
    error, and a progress bar on a terminal."""

    def out(self, message: str) -> None:
        print(message)

    def err(self, message: str) -> None:
        _err(message)

    def progress(self, total: int, quiet: bool):
        return progress(total, quiet)


CONSOLE = Console()


def waivers_from(path: str | None) -> list:
    if not path:
        return []
    from audit.waivers import WaiverError, load_waivers

    try:
        return load_waivers(path)
    except WaiverError as exc:
        raise UsageError(f"waiver file has problems:\n{exc}") from None
    except OSError as exc:
        raise UsageError(f"--waivers {path}: {exc.strerror}") from None


def canaries_from(args: argparse.Namespace) -> tuple:
    from audit.canaries import BUILTIN, CanaryError, load_canaries

    if getattr(args, "no_canaries", False):
        return ()
    if not getattr(args, "canaries", None):
        return BUILTIN
    try:
        return load_canaries(args.canaries)
    except CanaryError as exc:
        raise UsageError(f"canary file has problems:\n{exc}") from None
    except OSError as exc:
        raise UsageError(f"--canaries {args.canaries}: {exc.strerror}") from None


def reference_sites_from(args: argparse.Namespace) -> tuple[str, ...]:
    if getattr(args, "no_reference_sites", False):
        return ()
    given = getattr(args, "reference_sites", None)
    if not given:
        return REFERENCE_SITES
    urls = tuple(u.strip() for u in given.split(",") if u.strip())
    for url in urls:
        if not url.startswith(("http://", "https://")):
            raise UsageError(f"--reference-sites {url}: expected http:// or https:// URLs")
    return urls


def _terminate(*_args) -> None:
    """SIGTERM ends a run like Ctrl-C — it is turned into one: asyncio then cancels the run's
    tasks in order (an exception raised wherever the signal lands would leave them half torn
    down); what is written stays, the run can be resumed."""
    signal.raise_signal(signal.SIGINT)


def open_store(path: str):
    from audit.store import Store, StoreError, is_postgres

    if not is_postgres(path) and not Path(path).is_file():
        raise UsageError(f"--db {path}: no such history database")
    try:
        return Store(path)
    except StoreError as exc:
        raise UsageError(str(exc)) from None


def _no_run(db: str, run_id: int) -> None:
    raise UsageError(f"{db}: run {run_id} is not a finished run")


def sender_from(path: str | None):
    """--sender FILE, read and checked (every problem named with its line), or None."""
    if path is None:
        return None
    from audit.report.sender import SenderError, load_sender

    try:
        return load_sender(path)
    except SenderError as exc:
        raise UsageError(str(exc)) from None


def iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date YYYY-MM-DD: {text!r}") from None


def _wait_for_signal() -> None:
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    stop.wait()


def add_canary_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--canaries", metavar="FILE", help="reference pages read first (default: built-in list)"
    )
    p.add_argument("--no-canaries", action="store_true", help="skip the canary self-check")
    p.add_argument(
        "--reference-sites",
        metavar="URL,URL",
        help="sites read first to tell whether the auditor's network works (default: "
        + ", ".join(REFERENCE_SITES)
        + ")",
    )
    p.add_argument(
        "--no-reference-sites",
        action="store_true",
        help="skip the reference sites (the run's own failure statistics still apply)",
    )


def add_history_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--db", metavar="PATH", help="history database (SQLite file; default OUT/history.sqlite)"
    )
    p.add_argument("--waivers", metavar="FILE", help="waiver YAML: approved exceptions")


def history_of(args: argparse.Namespace) -> str:
    """The history database a command used, as it may be shown."""
    from audit.store import redact_db

    db = getattr(args, "db", None)
    if db:
        return redact_db(db)
    out = getattr(args, "out", None)
    return str(Path(out) / "history.sqlite") if out else "history database"
