"""Command line: parses arguments and calls the library. Exit codes: 0 ok, 1 violations, 2 usage."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import errno
import json
import os
import shutil
import signal
import sqlite3
import sys
import threading
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from audit import __version__
from audit.checks import CATALOGUE_VERSION, catalogue, regional_requirements
from audit.checks.legal import BASIS_KIND_TITLES, joined, weakest
from audit.collect.apicall import ApiConfigError
from audit.collect.ok_api import OkSettings
from audit.collect.pages import PlatformSettings
from audit.collect.vk_api import VkSettings
from audit.fetch import FetchConfig, Fetcher, decode_body
from audit.links import discover
from audit.net import ConnectTo
from audit.policy import PLATFORM_RULES, Policy, PolicyError, load_policy
from audit.registry import load_registry
from audit.vantage import REFERENCE_SITES

EXIT_OK, EXIT_VIOLATIONS, EXIT_USAGE, EXIT_INCOMPLETE, EXIT_INTERRUPTED = 0, 1, 2, 3, 130


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
            policy = load_policy(args.policy, regional=regional_requirements())
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


@dataclass
class RunOptions:
    """What `run` and `demo` share beyond the registry and the network settings."""

    out: str
    policy: Policy
    lang: str = "ru"
    quiet: bool = False
    templates: str | None = None
    platforms: PlatformSettings | None = None
    db: str | None = None  # default: OUT/history.sqlite
    resume: bool = False
    waivers: list = field(default_factory=list)
    chunk: int = 500
    workers: int | None = None  # website processes; None: auto_workers()
    archive: bool = False
    canaries: tuple = ()
    reference_sites: tuple[str, ...] = REFERENCE_SITES  # read first: is the vantage working?
    max_error_rate: float = 20.0  # percent of a platform's pages unreadable: exit 3 above it
    fail_on: str = "violation"  # violation | new | none
    fail_under: float | None = None  # overall compliance percent


POOL_FROM = 1000  # bodies from which reading websites in other processes pays for starting them


def auto_workers(bodies: int, cpus: int | None = None) -> int:
    """Website processes for a run of `bodies`: one a core (up to 4) for a large run on more
    than one core — this process keeps only the API look-ups, the store and the checks, a
    fraction of a core (measured: 10 000 bodies on 2 cores, 1 process 105 s, 2 processes 89 s);
    none for a small run, whose websites are read before processes would have started."""
    cpus = cpus or os.cpu_count() or 1
    return min(cpus, 4) if bodies >= POOL_FROM and cpus > 1 else 0


def execute_run(registries: list[str], config: FetchConfig, opts: RunOptions) -> int:
    """Validate, audit into the history store, write report.json and index.html.

    Returns the exit code. Ctrl-C or SIGTERM leaves the run resumable."""
    from audit.history import StoreJournal, policy_digest, registry_digest
    from audit.report.follow import FOLLOW_FROM, ReportFollower
    from audit.runner import file_sha256, run_audit
    from audit.store import Store, StoreError

    reg = load_registry(registries, keep=False)  # the run reads the bodies again as it goes
    if reg.problems:
        for problem in reg.problems:
            print(problem)
        _err(f"registry has {len(reg.problems)} problem(s); nothing was audited")
        return EXIT_USAGE
    try:
        Path(opts.out).mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"--out {opts.out}: cannot create directory ({exc.strerror})") from None
    with lock_output(opts.out):  # one run at a time in an output directory
        db_path = opts.db or str(Path(opts.out) / "history.sqlite")
        try:
            store = Store(db_path)
        except StoreError as exc:
            raise UsageError(str(exc)) from None
        registries_meta = [{"path": p, "sha256": file_sha256(p)} for p in reg.files]
        digest = registry_digest(registries_meta)
        policy = opts.policy
        run_row = store.unfinished(digest) if opts.resume else None
        if opts.resume and run_row is None:
            store.close()
            raise UsageError(
                f"nothing to resume in {store.shown}: no unfinished run of these registries"
            )
        if run_row is not None:
            run_id = run_row["id"]
            policy = Policy(**json.loads(run_row["policy"]))  # a run keeps the policy it began with
            store.mark(run_id, "running")
            done = len(store.done_ids(run_id))
            if not opts.quiet:
                _err(f"resuming run {run_id}: {done} of {reg.count} bodies already done")
        else:
            run_id = store.begin_run(
                {
                    "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
                    "tool_version": __version__,
                    "catalogue_version": CATALOGUE_VERSION,
                    "registries": registries_meta,
                    "registry_sha256": digest,
                    "policy": policy.to_json(),
                    "policy_sha256": policy_digest(policy.to_json()),
                }
            )
        bar = _progress(reg.count, opts.quiet)
        if bar is not None:
            bar.update(len(store.done_ids(run_id)))
        previous = json.loads(store.run(run_id)["meta"])
        # the reports are written into a staging directory and put in place together
        staging = fresh_staging(opts.out, run_id)
        # a large run's reports are written as its bodies are stored, in a process of their own
        # (index.html there too unless drawn from edited templates)
        follower = None
        if reg.count >= FOLLOW_FROM:
            follower = ReportFollower(
                db_path, run_id, str(staging), opts.lang, html=opts.templates is None
            )
        try:
            try:
                result = asyncio.run(
                    run_audit(
                        reg.stream(),
                        reg.files,
                        config,
                        policy,
                        on_done=(lambda _r: bar.update(1)) if bar else None,
                        platforms=opts.platforms,
                        chunk=opts.chunk,
                        journal=StoreJournal(store, run_id),
                        workers=auto_workers(reg.count) if opts.workers is None else opts.workers,
                        waivers=opts.waivers,
                        keep_results=False,
                        fetcher_hook=_archive_hook(opts, run_id),
                        canaries=opts.canaries,
                        reference_sites=opts.reference_sites,
                    )
                )
            except KeyboardInterrupt:
                quiet_teardown()
                store.mark(run_id, "interrupted")
                done = len(store.done_ids(run_id))
                if bar:
                    bar.close()
                _err(
                    f"pages-audit: interrupted; run {run_id} keeps {done} finished bodies in "
                    f"{store.shown}.\nResume with the same command and --resume."
                )
                return EXIT_INTERRUPTED
            if bar:
                bar.close()
            store.finish_run(
                run_id,
                {
                    "duration_s": round(previous.get("duration_s", 0) + result.duration_s, 3),
                    "cpu_s": round(previous.get("cpu_s", 0) + result.cpu_s, 3),
                    "requests": previous.get("requests", 0) + result.requests,
                    "api_requests": {
                        p: (previous.get("api_requests") or {}).get(p, 0) + n
                        for p, n in result.api_requests.items()
                    },
                    "fetch": result.fetch,
                    "platforms": result.platforms,
                    "page_sources": result.page_sources,
                    "expired_waivers": sorted(
                        (w.to_json() for w in result.expired_waivers), key=lambda w: w["source"]
                    ),
                    "resumed": bool(run_row is not None or previous.get("resumed")),
                    "db": store.shown,
                    "canaries": result.canaries,
                    "canary_requests": result.canary_requests,
                    "drift": result.drift,
                    "vantage": vantage(config),
                    "vantage_health": result.vantage_health,
                },
                state="writing",  # finished once its reports are in place
            )
            # the report's bodies are read from the store by each writer in turn
            try:
                code = _report_run(store, run_id, result, opts, db_path, follower, staging)
            except KeyboardInterrupt:
                store.mark(run_id, "interrupted")
                _err(
                    f"pages-audit: interrupted while writing the reports; the reports in "
                    f"{opts.out} are still the previous ones. Run {run_id} in {store.shown} "
                    "keeps every body: resume with the same command and --resume."
                )
                return EXIT_INTERRUPTED
            except OSError as exc:
                if exc.errno != errno.ENOSPC:
                    raise
                _err(
                    f"pages-audit: no space left on the device writing the reports into "
                    f"{opts.out}; the reports there are still the previous ones. Run {run_id} "
                    f"in {store.shown} keeps every body: free some space and run the same "
                    "command with --resume."
                )
                return EXIT_USAGE
            store.complete(run_id)
            return code
        finally:
            if follower is not None:
                follower.stop()
            shutil.rmtree(staging, ignore_errors=True)
            store.close()


def quiet_teardown() -> None:
    """After an interruption, what the stopped event loop leaves to the garbage collector
    (a coroutine cut short that cannot close its connections outside the loop, a task never
    finished) is no news to the user: the process is ending, and says so in one line."""
    import logging

    sys.unraisablehook = lambda _unraisable: None
    logging.getLogger("asyncio").disabled = True


def fresh_staging(out: str, run_id: int) -> Path:
    """OUT/.staging-run-N, empty: where a run's reports are written before they replace the
    previous set together (what an interrupted attempt left there goes)."""
    staging = Path(out) / f".staging-run-{run_id}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    return staging


def publish(staging: Path, out: str) -> None:
    """Move the staged reports into `out` at once: Ctrl-C and SIGTERM wait (a set of renames
    in one directory), so the reports there are the old set or the new one, never a mix."""
    from audit.signals import held

    with held():
        for path in staging.iterdir():  # the reports; hidden entries are writers' scratch
            if path.is_file() and not path.name.startswith("."):
                os.replace(path, Path(out) / path.name)


@contextlib.contextmanager
def lock_output(out: str):
    """One run at a time writes into an output directory: a second one is refused at once
    (they would mix their reports and race on the history)."""
    import fcntl

    path = Path(out) / ".pages-audit.lock"
    try:
        fh = open(path, "a+")  # noqa: SIM115 - held open while the run goes
    except OSError as exc:
        raise UsageError(f"--out {out}: cannot lock the directory ({exc.strerror})") from None
    try:
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        fh.seek(0)
        holder = fh.read().strip() or "?"
        fh.close()
        raise UsageError(
            f"--out {out}: another pages-audit run (process {holder}) is writing there; "
            "wait for it to end, or give another --out"
        ) from None
    fh.seek(0)
    fh.truncate()
    fh.write(str(os.getpid()))
    fh.flush()
    with fh:
        try:
            yield
        finally:  # gone with the run (removed while still held: no one can take it between)
            path.unlink(missing_ok=True)


def _report_run(
    store, run_id: int, result, opts: RunOptions, db_path: str, follower, staging: Path
) -> int:
    """report.json, index.html and the tables (finished by `follower`, if any), written into
    `staging` and published into the output directory together."""
    from audit.report.json_report import report_from_store
    from audit.report.outputs import write_run_reports
    from audit.store import db_secrets

    report = report_from_store(store, run_id)
    s = report["summary"]
    written = write_run_reports(
        report, str(staging), opts.lang, opts.templates, db_path, run_id, follower
    )
    publish(staging, opts.out)
    written = {
        kind: [str(Path(opts.out) / Path(p).name) for p in paths] for kind, paths in written.items()
    }
    if follower is not None and follower.failure:
        failure = follower.failure
        for secret in db_secrets(db_path):
            failure = failure.replace(secret, "***")
        _err(f"pages-audit: reports written after the audit instead: {failure}")
    (json_path,), (html_path,) = written["json"], written["html"]
    for w in report["run"].get("expired_waivers") or []:
        _err(
            f"pages-audit: waiver expired {w['expires']} and ignored: {w['entity']} "
            f"{w['check']} ({w['source']})"
        )
    incomplete = incomplete_reasons(report, opts.max_error_rate)
    for reason in incomplete:
        _err(f"pages-audit: audit incomplete: {reason}")
    if not opts.quiet:
        by = s["by_body_status"]
        api = ", ".join(
            f"{p}: {result.page_sources[p]}, {n} requests" for p, n in result.api_requests.items()
        )
        _err(
            f"audited {s['bodies']} bodies in {result.duration_s:.1f} s "
            f"(CPU {result.cpu_s:.1f} s) "
            f"({result.requests} HTTP requests; pages {api}): "
            f"{by.get('violation', 0)} with violations, "
            f"{by.get('incomplete', 0)} not fully checked, {s['violations']} violation(s)"
        )
        _err(f"report: {html_path}\ndata:   {json_path}\nrun {run_id} in {store.shown}")
    if incomplete:
        return EXIT_INCOMPLETE
    return gate(report, opts.fail_on, opts.fail_under)


def gate(report: dict, fail_on: str = "violation", fail_under: float | None = None) -> int:
    """The exit code CI acts on: 1 when the chosen condition holds, else 0."""
    s = report["summary"]
    if fail_under is not None and (s.get("overall_compliance_percent") or 0) < fail_under:
        _err(
            f"pages-audit: compliance {s.get('overall_compliance_percent')} % is under "
            f"--fail-under {fail_under:g} %"
        )
        return EXIT_VIOLATIONS
    if fail_on == "none":
        return EXIT_OK
    if fail_on == "new":
        new = new_violations(report)
        if new:
            _err(f"pages-audit: {len(new)} new violation(s) since the last run")
        return EXIT_VIOLATIONS if new else EXIT_OK
    return EXIT_VIOLATIONS if s["violations"] else EXIT_OK


def new_violations(report: dict) -> list[tuple[str, str]]:
    """Violations of this run that were not failing in the previous one (all of them when
    there is no previous run)."""
    current = {
        (e["id"], f.get("key") or f["check"])
        for e in report["entities"]
        for f in e["findings"]
        if f["status"] == "fail" and f["severity"] == "violation"
    }
    changes = report.get("changes")
    if not changes:
        return sorted(current)
    new = {(c["entity"], c["key"]) for c in changes["new"]}
    return sorted(current & new)


def vantage(config: FetchConfig) -> dict:
    """Where the audit looked from: what a reader needs to reproduce what was seen."""
    import platform as host_platform

    if config.connect_to:
        rules = len(config.connect_to)
        resolver = f"--connect-to rules ({rules})" + (
            ", other names not resolved (--isolated)" if config.isolated else ", else system"
        )
        resolver_ru = f"адреса из заданных правил ({rules}), " + (
            "прочие имена не разрешались (изолированный режим)"
            if config.isolated
            else "прочие — системной службой имён"
        )
    else:
        resolver, resolver_ru = "system resolver", "системная служба имён (DNS)"
    return {
        "host": host_platform.node(),
        "user_agent": config.user_agent,
        "resolver": resolver,
        "resolver_ru": resolver_ru,
        "python": host_platform.python_version(),
        "system": f"{host_platform.system()} {host_platform.release()}",
    }


def incomplete_reasons(report: dict, max_error_rate: float) -> list[str]:
    """Why the run must not be published as complete (exit 3); empty when it may."""
    reasons = []
    health = report["run"].get("vantage_health") or {}
    if health and not health.get("healthy", True):
        reasons.append(
            f"the auditor's network is not working (vantage): {health.get('detail')}; "
            "websites that gave no answer are not findings"
        )
    for drift in report["run"].get("drift") or []:
        what = "platform unreachable" if drift.get("network") else "detector drift"
        reasons.append(
            f"{what} on {drift['platform']}: {drift['url']} expected "
            f"{drift['expect']}, got {drift['got']}"
        )
    for platform, h in report["health"]["platforms"].items():
        if h["pages"] and h["error_rate"] > max_error_rate:
            reasons.append(
                f"{platform}: {h['errors']} of {h['pages']} pages unreadable "
                f"({h['error_rate']} % > {max_error_rate:g} %)"
            )
    return reasons


def _archive_hook(opts: RunOptions, run_id: int):
    """With --archive, every fetched body goes to OUT/archive/run-<id>.warc.gz."""
    if not opts.archive:
        return None
    from audit.archive import WarcArchive

    archive = WarcArchive(str(Path(opts.out) / "archive" / f"run-{run_id}.warc.gz"))

    def attach(fetcher) -> None:
        fetcher.archive = archive

    return attach


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
            policy=policy_from(args),
            lang=args.lang,
            quiet=args.quiet,
            templates=args.templates,
            platforms=platform_settings(args),
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
        ),
    )
    return code


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


def cmd_selfcheck(args: argparse.Namespace) -> int:
    """The reference sites and the canaries: can this machine, network and version read the
    web, VK and OK right? NET: no answer at all (the network); DRIFT: a wrong answer."""
    from audit.canaries import check_canaries
    from audit.collect.pages import page_collectors
    from audit.vantage import probe

    canaries = canaries_from(args)
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


def cmd_runs(args: argparse.Namespace) -> int:
    with open_store(args.db) as store:
        rows = store.runs()
        out = []
        for row in rows:
            bodies, violations = store.counts(row["id"])
            out.append(
                {
                    "id": row["id"],
                    "state": row["state"],
                    "kind": row["kind"],
                    "derived_from": row["derived_from"],
                    "started_at": row["started_at"],
                    "finished_at": row["finished_at"],
                    "bodies": bodies,
                    "violations": violations,
                }
            )
    if args.json:
        print(json.dumps(out, ensure_ascii=False, indent=2))
        return EXIT_OK
    for r in out:
        derived = f" from run {r['derived_from']}" if r["derived_from"] else ""
        print(
            f"{r['id']:>5}  {r['state']:11} {r['kind']}{derived:14} {r['started_at']}  "
            f"{r['bodies']:>6} bodies {r['violations']:>6} violations"
        )
    return EXIT_OK


def cmd_diff(args: argparse.Namespace) -> int:
    from audit.history import changes

    with open_store(args.db) as store:
        finished = [r["id"] for r in store.runs("finished")]
        if args.runs and len(args.runs) > 2:
            raise UsageError("diff takes at most two run ids")
        if len(args.runs or []) == 2:
            before, after = args.runs
        elif len(args.runs or []) == 1:
            after = args.runs[0]
            earlier = [r for r in finished if r < after]
            if not earlier:
                raise UsageError(f"no finished run before run {after}")
            before = earlier[-1]
        else:
            if len(finished) < 2:
                raise UsageError(f"{store.shown}: fewer than two finished runs to compare")
            before, after = finished[-2:]
        for run_id in (before, after):
            if run_id not in finished:
                _no_run(store.shown, run_id)
        diff = changes(store, before, after, violations_only=args.violations_only)
        names = {**store.names(before), **store.names(after)}
    if args.json:
        print(json.dumps(diff.to_json(), ensure_ascii=False, indent=2))
        return EXIT_OK
    print(
        f"run {before} → run {after}: {len(diff.new)} new, {len(diff.fixed)} fixed, "
        f"{len(diff.still)} still open"
    )
    for label, items in (("NEW", diff.new), ("FIXED", diff.fixed), ("OPEN", diff.still)):
        if label == "OPEN" and not args.all:
            continue
        for entity, key in items:
            print(f"{label:6} {entity:15} {key:34} {names.get(entity, '')}")
    return EXIT_OK


def _no_run(db: str, run_id: int) -> None:
    raise UsageError(f"{db}: run {run_id} is not a finished run")


def cmd_evaluate(args: argparse.Namespace) -> int:
    """Findings again from a stored run's observations with another policy: no network."""
    from audit.canaries import Drift
    from audit.codec import entity_json
    from audit.evaluate import evaluate_entity
    from audit.history import policy_digest
    from audit.report.json_report import report_from_store
    from audit.report.outputs import write_run_reports
    from audit.rudates import MSK
    from audit.runner import EntityResult
    from audit.serialize import entity_from_json, observations_from_json
    from audit.waivers import apply_waivers

    policy = policy_from(args)
    waivers = waivers_from(args.waivers)
    today = datetime.now(MSK).date()
    with open_store(args.db) as store:
        source = store.run(args.run) if args.run in [r["id"] for r in store.runs()] else None
        if source is None or source["state"] != "finished":
            raise UsageError(f"{store.shown}: run {args.run} is not a finished run")
        run_id = store.begin_run(
            {
                "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "tool_version": __version__,
                "catalogue_version": CATALOGUE_VERSION,
                "registries": json.loads(source["registries"]),
                "registry_sha256": source["registry_sha256"],
                "policy": policy.to_json(),
                "policy_sha256": policy_digest(policy.to_json()),
            },
            kind="evaluate",
            derived_from=args.run,
        )
        expired = set()
        meta = json.loads(source["meta"])
        drift = Drift(meta.get("drift") or [])  # what the run could not vouch for, still not
        for position, body in enumerate(store.bodies(args.run)):
            entity = entity_from_json(body)
            obs = observations_from_json(body["observations"], body["evidence"])
            findings = drift.apply(evaluate_entity(entity, obs, policy))
            findings, gone = apply_waivers(findings, waivers, today)
            expired |= gone
            store.save_body(run_id, position, entity_json(EntityResult(entity, obs, findings)))
        meta["expired_waivers"] = sorted((w.to_json() for w in expired), key=lambda w: w["source"])
        store.finish_run(run_id, meta)
        report = report_from_store(store, run_id)
        Path(args.out).mkdir(parents=True, exist_ok=True)
        written = write_run_reports(report, args.out, args.lang, args.templates, args.db, run_id)
        print(written["html"][0])
    _err(
        f"run {run_id}: run {args.run} evaluated again, {report['summary']['violations']} "
        "violation(s); no request was made"
    )
    return EXIT_VIOLATIONS if report["summary"]["violations"] else EXIT_OK


def cmd_report(args: argparse.Namespace) -> int:
    from audit.report.html import write_html
    from audit.report.json_report import read_json

    source = Path(args.dir) / "report.json"
    try:
        report = read_json(str(source))
    except (OSError, ValueError) as exc:
        raise UsageError(f"{source}: cannot read report ({exc})") from None
    from audit.report.tables import write_tables

    write_tables(report, args.dir, args.lang)
    print(write_html(report, args.dir, args.lang, args.templates))
    return EXIT_OK


def cmd_notices(args: argparse.Namespace) -> int:
    from audit.report.json_report import read_json
    from audit.report.notices import pdf_engines, write_notices

    source = Path(args.report or args.out)
    source = source / "report.json" if source.is_dir() else source
    try:
        report = read_json(str(source))
    except (OSError, ValueError) as exc:
        raise UsageError(f"{source}: cannot read report ({exc})") from None
    sender = sender_from(args.sender)
    if sender is None:
        _err("pages-audit: no --sender file: the letters are drafts without the sender's data")
    if args.pdf and not pdf_engines():
        _err(
            "pages-audit: neither WeasyPrint (pip install 'pages-audit[pdf]') nor Chromium is "
            "installed: letters are written as HTML only"
        )
    written = write_notices(
        report, args.out, args.templates, args.pdf, sender, args.date, args.kind
    )
    folder, noun = ("acts", "record") if args.kind == "act" else ("notices", "notice")
    print(f"{len(written)} {noun}(s) in {Path(args.out) / folder}")
    return EXIT_OK


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


def cmd_registry_import(args: argparse.Namespace) -> int:
    """A user's table → a registry file; unusable rows reported with their row numbers."""
    import yaml

    from audit.importer import FIELDS, convert

    mapping = {}
    for item in args.map:
        column, _, target = item.rpartition("=")
        if not column or target not in FIELDS:
            raise UsageError(
                f"--map {item!r}: expected COLUMN=FIELD, FIELD one of {', '.join(FIELDS)}"
            )
        mapping[column] = target
    if not Path(args.file).is_file():
        raise UsageError(f"{args.file}: no such file")
    try:
        result = convert(args.file, mapping, args.kind, args.region, args.sheet)
    except (OSError, ValueError, KeyError) as exc:
        raise UsageError(f"{args.file}: cannot read the table ({exc})") from None
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    doc: dict = {
        "meta": {"source": Path(args.file).name, "imported_by": f"pages-audit {__version__}"},
        "entities": result.entities,
    }
    if args.region:
        doc["region"] = args.region
    out.write_text(
        yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=100), encoding="utf-8"
    )
    reg = load_registry([str(out)])
    bad_lines = sorted({p.line for p in reg.problems})
    if bad_lines:  # leave out the entities the registry validator refuses, and say which
        text = out.read_text(encoding="utf-8").splitlines()
        starts = [n + 1 for n, line in enumerate(text) if line.startswith("- id:")]
        refused = set()
        for problem in reg.problems:
            index = max(
                (i for i, start in enumerate(starts) if start <= problem.line), default=None
            )
            if index is not None:
                refused.add(index)
                e = result.entities[index]
                result.problems.append(
                    f"{args.file}: entity {e['id']!r}: {problem.field}: "
                    f"{problem.message} — row left out"
                )
        doc["entities"] = [e for i, e in enumerate(result.entities) if i not in refused]
        out.write_text(
            yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=100), encoding="utf-8"
        )
    for problem in result.problems:
        print(problem)
    mapped = ", ".join(f"{c} → {f}" for c, f in result.columns.items())
    _err(f"columns: {mapped or 'none recognised'}")
    _err(
        f"imported {len(doc['entities'])} bodies into {out}; {len(result.problems)} row(s) left out"
    )
    final = load_registry([str(out)])
    if final.problems:
        for problem in final.problems:
            print(problem)
        return EXIT_USAGE
    return EXIT_OK if doc["entities"] else EXIT_USAGE


def cmd_registry_stats(args: argparse.Namespace) -> int:
    from collections import Counter

    reg = load_registry(args.paths)
    for problem in reg.problems:
        print(problem)
    by_kind = Counter(e.kind.value for e in reg.entities)
    by_region = Counter(e.region or "—" for e in reg.entities)
    no_site = sum(1 for e in reg.entities if not e.website)
    no_pages = sum(1 for e in reg.entities if not e.pages)
    stats = {
        "bodies": len(reg.entities),
        "files": len(reg.files),
        "with_website": len(reg.entities) - no_site,
        "without_website": no_site,
        "website_none": sum(1 for e in reg.entities if e.website_none),
        "without_pages": no_pages,
        "with_vk": sum(1 for e in reg.entities if "vk" in e.pages),
        "with_ok": sum(1 for e in reg.entities if "ok" in e.pages),
        "by_kind": dict(by_kind.most_common()),
        "by_region": dict(sorted(by_region.items())),
    }
    if args.json:
        print(json.dumps(stats, ensure_ascii=False, indent=2))
    else:
        print(
            f"{stats['bodies']} bodies in {stats['files']} file(s): "
            f"{stats['with_website']} with a website, {stats['without_website']} without "
            f"(of which {stats['website_none']} declared none), {no_pages} without declared "
            f"pages ({stats['with_vk']} with VK, {stats['with_ok']} with OK)"
        )
        print("by kind:")
        for kind, n in by_kind.most_common():
            print(f"  {kind:26} {n:7}")
        print("by region:")
        for region, n in sorted(by_region.items()):
            print(f"  {region[:60]:60} {n:7}")
    return EXIT_USAGE if reg.problems else EXIT_OK


def cmd_checks(args: argparse.Namespace) -> int:
    checks = catalogue()
    if args.json:
        print(json.dumps([c.to_json() for c in checks], ensure_ascii=False, indent=2))
        return EXIT_OK
    for c in checks:
        title = c.title_ru if args.lang == "ru" else c.title_en
        kind = BASIS_KIND_TITLES[weakest(c.basis)][0 if args.lang == "ru" else 1]
        basis = joined(c.basis, args.lang)
        print(f"{c.id:28} {c.severity.value:9} {title}\n{'':28} [{kind}] {basis}")
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


DEMO_SENDER = "docs/examples/sender.yaml"


def cmd_demo(args: argparse.Namespace) -> int:
    from audit.world.server import World

    if not Path(args.registry).exists():
        raise UsageError(f"{args.registry}: demo registry not found (run from the repository root)")
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
            [args.registry],
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
        )
    if code == EXIT_USAGE:
        return code
    report_path = Path(args.out) / "report.json"
    if report_path.is_file():
        from audit.report.json_report import read_json
        from audit.report.notices import write_notices

        example = DEMO_SENDER if Path(DEMO_SENDER).is_file() else None
        sender = sender_from(args.sender or example)
        write_notices(read_json(str(report_path)), args.out, sender=sender)
    print(str(Path(args.out) / "index.html"))
    return EXIT_OK  # the demo succeeded when the report exists; violations are its content


# --- parser ---


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
    add_history_options(p)
    p.add_argument(
        "--resume",
        action="store_true",
        help="continue the unfinished run of these registries in the history database",
    )
    p.add_argument(
        "--chunk",
        type=int,
        default=500,
        help="bodies collected together; their page look-ups share API requests (500)",
    )
    p.add_argument(
        "--workers",
        default="auto",
        metavar="N",
        help="processes reading (fetching and parsing) the websites; 0: read them in this one "
        f"(auto: one a core, up to 4, for {POOL_FROM} bodies or more on 2 cores or more; else 0)",
    )
    p.add_argument(
        "--archive",
        action="store_true",
        help="keep every fetched body in DIR/archive/run-<id>.warc.gz (evidence links to it)",
    )
    p.add_argument(
        "--fail-on",
        choices=("violation", "new", "none"),
        default="violation",
        help="exit 1 on any violation (default), only on violations new since the last run, "
        "or never",
    )
    p.add_argument(
        "--fail-under",
        type=float,
        metavar="PERCENT",
        help="exit 1 when the share of bodies without violations is under PERCENT",
    )
    p.add_argument(
        "--max-error-rate",
        type=float,
        default=20.0,
        metavar="PERCENT",
        help="a platform with more unreadable pages makes the run exit 3 (20)",
    )
    add_canary_options(p)
    add_report_options(p)
    add_fetch_options(p)
    add_platform_options(p)
    p.set_defaults(func=cmd_run)

    p = sub.add_parser(
        "selfcheck", help="read only the canary pages: exit 3 when a detector has drifted"
    )
    add_canary_options(p)
    add_fetch_options(p)
    add_platform_options(p)
    p.set_defaults(func=cmd_selfcheck)

    p = sub.add_parser("runs", help="list the runs in a history database")
    p.add_argument("--db", required=True, metavar="PATH")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_runs)

    p = sub.add_parser(
        "diff", help="new, fixed and still-open failures between two runs (default: last two)"
    )
    p.add_argument("runs", nargs="*", type=int, metavar="RUN")
    p.add_argument("--db", required=True, metavar="PATH")
    p.add_argument("--json", action="store_true")
    p.add_argument("--all", action="store_true", help="also list the still-open failures")
    p.add_argument("--violations-only", action="store_true", help="leave out failed warnings")
    p.set_defaults(func=cmd_diff)

    p = sub.add_parser(
        "evaluate", help="recompute findings of a stored run with another policy (no network)"
    )
    p.add_argument("--run", type=int, required=True, metavar="ID")
    p.add_argument("--db", required=True, metavar="PATH")
    p.add_argument("--out", required=True, metavar="DIR")
    p.add_argument("--policy", metavar="FILE")
    p.add_argument("--platforms", choices=PLATFORM_RULES)
    p.add_argument("--waivers", metavar="FILE")
    add_report_options(p)
    p.set_defaults(func=cmd_evaluate)

    p = sub.add_parser("report", help="render DIR/index.html again from DIR/report.json")
    p.add_argument("dir", metavar="DIR")
    add_report_options(p)
    p.set_defaults(func=cmd_report)

    p = sub.add_parser(
        "notices", help="a notice letter per body with violations: DIR/notices/<id>.html"
    )
    p.add_argument("--out", required=True, metavar="DIR", help="where notices/ goes")
    p.add_argument("--report", metavar="PATH", help="report.json or its directory (default: --out)")
    p.add_argument(
        "--pdf",
        action="store_true",
        help="also PDF: WeasyPrint when installed (the pdf extra), else headless Chromium",
    )
    p.add_argument(
        "--templates", metavar="DIR", help="edited copies of templates/notice.html.j2, act.html.j2"
    )
    p.add_argument(
        "--sender",
        metavar="FILE",
        help="YAML: sender, signatory, executor, basis of the check, number pattern "
        "(see docs/examples/sender.yaml); without it the letters are drafts",
    )
    p.add_argument(
        "--kind",
        choices=("notice", "act"),
        default="notice",
        help="notice: letters demanding a remedy (DIR/notices/); act: inspection records, "
        "facts only (DIR/acts/)",
    )
    p.add_argument(
        "--date", type=iso_date, metavar="YYYY-MM-DD", help="the letters' date (default: today)"
    )
    p.set_defaults(func=cmd_notices)

    p = sub.add_parser("registry", help="import a table into a registry; registry statistics")
    rsub = p.add_subparsers(dest="registry_command", required=True, metavar="ACTION")
    q = rsub.add_parser("import", help="CSV (UTF-8 or windows-1251), XLSX or JSON → registry")
    q.add_argument("file", metavar="FILE")
    q.add_argument("--out", required=True, metavar="FILE.yaml")
    q.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="COLUMN=FIELD",
        help="map a column to a field (id, name, short_name, kind, region, parent, "
        "website, vk, ok, email, phone, address, oktmo, ogrn, inn); repeatable",
    )
    q.add_argument("--kind", help="kind for rows whose kind cannot be told")
    q.add_argument("--region", help="region of every body")
    q.add_argument("--sheet", help="XLSX sheet (default: the first)")
    q.set_defaults(func=cmd_registry_import)
    q = rsub.add_parser("stats", help="counts by kind and region; bodies lacking site or pages")
    q.add_argument("paths", nargs="+", metavar="PATH")
    q.add_argument("--json", action="store_true")
    q.set_defaults(func=cmd_registry_stats)

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
    p.add_argument(
        "--sender",
        metavar="FILE",
        help=f"the demo letters' sender (default: {DEMO_SENDER}; see notices --sender)",
    )
    p.add_argument("--platforms", choices=PLATFORM_RULES)
    p.add_argument("--policy", metavar="FILE", help="policy YAML: thresholds and platforms")
    add_history_options(p)
    add_canary_options(p)
    p.add_argument(
        "--html", action="store_true", help="no API credentials: read the simulated public pages"
    )
    p.add_argument("--lang", choices=("ru", "en"), default="ru")
    p.set_defaults(func=cmd_demo)
    return parser


def history_of(args: argparse.Namespace) -> str:
    """The history database a command used, as it may be shown."""
    from audit.store import redact_db

    db = getattr(args, "db", None)
    if db:
        return redact_db(db)
    out = getattr(args, "out", None)
    return str(Path(out) / "history.sqlite") if out else "history database"


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except UsageError as exc:
        _err(f"pages-audit: {exc}")
        return EXIT_USAGE
    except BrokenPipeError:  # `pages-audit diff ... | head`
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except ApiConfigError as exc:
        _err(f"pages-audit: configuration error: {exc}")
        return EXIT_USAGE
    except sqlite3.DatabaseError as exc:  # a damaged page of the history, at any point
        _err(f"pages-audit: {history_of(args)}: the history database is damaged ({exc})")
        return EXIT_USAGE
    except KeyboardInterrupt:
        _err("pages-audit: interrupted")
        return 130
