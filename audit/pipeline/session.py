"""One audit run from registry to published reports: the history store, the website and
platform collection, the report writers, interruption and resume."""

from __future__ import annotations

import asyncio
import errno
import json
import logging
import os
import shutil
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from audit import __version__
from audit.checks import CATALOGUE_VERSION
from audit.collect.pages import PlatformSettings
from audit.exits import (
    EXIT_INCOMPLETE,
    EXIT_INTERRUPTED,
    EXIT_USAGE,
    UsageError,
)
from audit.pipeline.outdir import fresh_staging, lock_output, publish
from audit.pipeline.verdict import gate, incomplete_reasons
from audit.plan import LARGE_RUN
from audit.policy import Policy
from audit.registry import load_registry
from audit.shard import Shard
from audit.transport import FetchConfig
from audit.vantage import REFERENCE_SITES, describe_vantage


@dataclass
class RunOptions:
    """What `run` and `demo` share beyond the registry and the network settings."""

    out: str
    policy: Policy
    lang: str = "ru"
    quiet: bool = False  # run --quiet: neither progress nor the summary
    brief: bool = False  # -q: the summary only, no progress
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
    shard: Shard | None = None  # audit only the bodies of this shard (see audit.shard)


LOG = logging.getLogger("audit.run")  # -v: the steps of a run
POOL_FROM = LARGE_RUN  # bodies from which websites are read in other processes


def auto_workers(bodies: int, cpus: int | None = None) -> int:
    """Website processes for a run of `bodies`: one a core but one (up to 4) for a large run
    on more than one core — that core is left to this process (the API look-ups, the store,
    the checks) and the report followers; none for a small run, whose websites are read
    before processes would have started. Measured on 2 cores at 10 000 bodies: one website
    process spends 2.8 ms of CPU a site, two 3.4-3.5 (they share the cores with the rest),
    and the run is no slower."""
    cpus = cpus or os.cpu_count() or 1
    return min(cpus - 1, 4) if bodies >= POOL_FROM and cpus > 1 else 0


def execute_run(registries: list[str], config: FetchConfig, opts: RunOptions, ui) -> int:
    """Validate, audit into the history store, write report.json and index.html.

    Returns the exit code. Ctrl-C or SIGTERM leaves the run resumable. `ui` hears what the
    user should: `ui.out` (the registry's problems), `ui.err` (the rest), `ui.progress(total,
    quiet)` (a bar, or None)."""
    from audit.history import policy_digest, registry_digest, same_registries
    from audit.pipeline.journal import StoreJournal
    from audit.report.follow import ReportFollowers
    from audit.runner import file_sha256, run_audit
    from audit.store import Store, StoreError

    reg = load_registry(registries, keep=False)  # the run reads the bodies again as it goes
    if reg.problems:
        for problem in reg.problems:
            ui.out(str(problem))
        ui.err(f"registry has {len(reg.problems)} problem(s); nothing was audited")
        return EXIT_USAGE
    try:
        Path(opts.out).mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"--out {opts.out}: cannot create directory ({exc.strerror})") from None
    shard = str(opts.shard) if opts.shard else None
    count = sum(map(opts.shard.covers, reg.ids)) if opts.shard else reg.count
    with lock_output(opts.out):  # one run at a time in an output directory
        db_path = opts.db or str(Path(opts.out) / "history.sqlite")
        try:
            store = Store(db_path)
        except StoreError as exc:
            raise UsageError(str(exc)) from None
        registries_meta = [{"path": p, "sha256": file_sha256(p)} for p in reg.files]
        digest = registry_digest(registries_meta)
        policy = opts.policy
        run_row = None
        if opts.resume:
            run_row = next(
                (
                    row
                    for row in store.unfinished_audits()
                    if same_registries(json.loads(row["registries"]), registries_meta)
                    and row["shard"] == shard
                ),
                None,
            )
        if opts.resume and run_row is None:
            store.close()
            raise UsageError(
                f"nothing to resume in {store.shown}: no unfinished run of these registries"
                + (f" and shard {shard}" if shard else "")
            )
        if run_row is not None:
            run_id = run_row["id"]
            policy = Policy(**json.loads(run_row["policy"]))  # a run keeps the policy it began with
            store.mark(run_id, "running")
            done = len(store.done_ids(run_id))
            if not opts.quiet:
                ui.err(f"resuming run {run_id}: {done} of {count} bodies already done")
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
                    "shard": shard,
                }
            )
        LOG.info(
            "run %d: %d bodies of %s%s into %s (history %s)",
            run_id,
            count,
            ", ".join(reg.files),
            f" (shard {shard})" if shard else "",
            opts.out,
            store.shown,
        )
        bar = ui.progress(count, opts.quiet or opts.brief)
        if bar is not None:
            bar.update(len(store.done_ids(run_id)))
        previous = json.loads(store.run(run_id)["meta"])
        # the reports are written into a staging directory and put in place together
        staging = fresh_staging(opts.out, run_id)
        # a large run's reports are written as its bodies are stored, in a process of their own
        follower = None
        try:
            try:
                journal = StoreJournal(store, run_id)
                if count >= LARGE_RUN:
                    follower = ReportFollowers(
                        db_path, run_id, str(staging), opts.lang, opts.templates, count
                    )
                result = asyncio.run(
                    run_audit(
                        reg.stream(),
                        reg.files,
                        config,
                        policy,
                        on_done=bar.advance if bar else None,
                        platforms=opts.platforms,
                        chunk=opts.chunk,
                        journal=journal,
                        workers=auto_workers(count) if opts.workers is None else opts.workers,
                        select=opts.shard.covers if opts.shard else None,
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
                ui.err(
                    f"pages-audit: interrupted; run {run_id} keeps {done} finished bodies in "
                    f"{store.shown}.\nResume with the same command and --resume."
                )
                return EXIT_INTERRUPTED
            if bar:
                bar.close()
            LOG.info(
                "run %d: audited in %.1f s, %d requests; writing the reports",
                run_id,
                result.duration_s,
                result.requests,
            )
            store.finish_run(
                run_id,
                {
                    "duration_s": round(previous.get("duration_s", 0) + result.duration_s, 3),
                    "cpu_s": round(previous.get("cpu_s", 0) + result.cpu_s, 3),
                    "site_cpu_s": result.site_cpu_s,
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
                    "vantage": describe_vantage(config),
                    "vantage_health": result.vantage_health,
                    # the evidence archive, relative to the output directory
                    **({"archive": archive_name(run_id)} if opts.archive else {}),
                },
                state="writing",  # finished once its reports are in place
            )
            # the report's bodies are read from the store by each writer in turn
            try:
                code = _report_run(
                    store,
                    run_id,
                    result,
                    opts,
                    db_path,
                    follower,
                    staging,
                    ui,
                    (journal.summary, journal.health),
                )
            except KeyboardInterrupt:
                store.mark(run_id, "interrupted")
                ui.err(
                    f"pages-audit: interrupted while writing the reports; the reports in "
                    f"{opts.out} are still the previous ones. Run {run_id} in {store.shown} "
                    "keeps every body: resume with the same command and --resume."
                )
                return EXIT_INTERRUPTED
            except OSError as exc:
                if exc.errno != errno.ENOSPC:
                    raise
                ui.err(
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


def _report_run(
    store,
    run_id: int,
    result,
    opts: RunOptions,
    db_path: str,
    follower,
    staging: Path,
    ui,
    counted: tuple,
) -> int:
    """report.json, index.html and the tables (finished by `follower`, if any), written into
    `staging` and published into the output directory together."""
    from audit.report.json_report import report_from_store
    from audit.report.outputs import write_run_reports
    from audit.store import db_secrets

    report = report_from_store(store, run_id, counted)
    s = report["summary"]
    written = write_run_reports(
        report,
        str(staging),
        opts.lang,
        opts.templates,
        db_path,
        run_id,
        follower,
        meanwhile=lambda: store.drop_journal(run_id),
    )
    publish(staging, opts.out)
    written = {
        kind: [str(Path(opts.out) / Path(p).name) for p in paths] for kind, paths in written.items()
    }
    if follower is not None and follower.failure:
        failure = follower.failure
        for secret in db_secrets(db_path):
            failure = failure.replace(secret, "***")
        ui.err(f"pages-audit: reports written after the audit instead: {failure}")
    (json_path,), html_path = written["json"], written["html"][0]
    for w in report["run"].get("expired_waivers") or []:
        ui.err(
            f"pages-audit: waiver expired {w['expires']} and ignored: {w['entity']} "
            f"{w['check']} ({w['source']})"
        )
    incomplete = incomplete_reasons(report, opts.max_error_rate)
    for reason in incomplete:
        ui.err(f"pages-audit: audit incomplete: {reason}")
    if not opts.quiet:
        by = s["by_body_status"]
        api = ", ".join(
            f"{p}: {result.page_sources[p]}, {n} requests" for p, n in result.api_requests.items()
        )
        ui.err(
            f"audited {s['bodies']} bodies in {result.duration_s:.1f} s "
            f"(CPU {result.cpu_s:.1f} s) "
            f"({result.requests} HTTP requests; pages {api}): "
            f"{by.get('violation', 0)} with violations, "
            f"{by.get('incomplete', 0)} not fully checked, {s['violations']} violation(s)"
        )
        ui.err(f"report: {html_path}\ndata:   {json_path}\nrun {run_id} in {store.shown}")
    if incomplete:
        return EXIT_INCOMPLETE
    return gate(report, opts.fail_on, opts.fail_under, ui.err)


def archive_name(run_id: int) -> str:
    return f"archive/run-{run_id}.warc.gz"


def _archive_hook(opts: RunOptions, run_id: int):
    """With --archive, every fetched body goes to OUT/archive/run-<id>.warc.gz."""
    if not opts.archive:
        return None
    from audit.archive import WarcArchive

    archive = WarcArchive(str(Path(opts.out) / archive_name(run_id)), f"pages-audit {__version__}")

    def attach(fetcher) -> None:
        fetcher.archive = archive

    return attach
