"""Commands that write or list outputs: report, notices, checks."""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

from audit.checks import catalogue
from audit.checks.legal import BASIS_KIND_TITLES, joined, weakest
from audit.cli.common import _err, open_store, platforms_of, sender_from
from audit.exits import (
    EXIT_INCOMPLETE,
    EXIT_OK,
    UsageError,
)


def cmd_report(args: argparse.Namespace) -> int:
    from audit.report.formats import FORMATS, output_of, write_format
    from audit.report.json_report import read_json

    if args.db:
        if args.dir is not None:
            raise UsageError("report --db writes into --out: give no DIR")
        if not args.out:
            raise UsageError("report --db needs --out DIR")
        return merge_runs(args)
    if args.dir is None:
        raise UsageError("report needs DIR (a run's output), or --db, --runs and --out")
    for given, option in (
        (args.runs, "--runs"),
        (args.out, "--out"),
        (args.allow_partial, "--allow-partial"),
    ):
        if given:
            raise UsageError(f"{option} goes with --db (a report over stored runs)")
    source = Path(args.dir) / "report.json"
    try:
        report = read_json(str(source))
    except (OSError, ValueError) as exc:
        raise UsageError(f"{source}: cannot read report ({exc})") from None
    platforms_of(report)
    output = output_of(report, args.dir, args.lang, args.templates)
    # every output but report.json itself, drawn from it again
    written = {f.name: write_format(f, report, output) for f in FORMATS if f.name != "json"}
    print(written["html"][0])
    return EXIT_OK


def merge_runs(args: argparse.Namespace) -> int:
    """One report over stored runs (the shards of a national audit), written into --out."""
    from audit.history import chosen_runs, latest_shards, mixed_policies
    from audit.pipeline.outdir import fresh_staging, lock_output, publish
    from audit.report.merged import merged_report
    from audit.report.outputs import write_run_reports

    spec = args.runs or "latest-shards"
    if spec != "latest-shards":
        try:
            ids = [int(part) for part in spec.split(",") if part.strip()]
        except ValueError:
            raise UsageError(f"--runs {spec}: latest-shards, or run ids joined by commas") from None
        if not ids:
            raise UsageError(f"--runs {spec}: latest-shards, or run ids joined by commas")
    with open_store(args.db) as store:
        try:
            chosen = latest_shards(store) if spec == "latest-shards" else chosen_runs(store, ids)
        except ValueError as exc:
            raise UsageError(str(exc)) from None
        if mixed_policies(chosen.runs):
            raise UsageError(
                "the runs were judged with different policies: evaluate them with one first"
            )
        lacking = chosen.missing + [
            f"{u['shard']} (run {u['run']}: {u['state']})" for u in chosen.unfinished
        ]
        if lacking and not args.allow_partial:
            _err(
                f"pages-audit: shards missing or unfinished: {', '.join(lacking)}; nothing was "
                "written (--allow-partial writes the report of the others, marked partial)"
            )
            return EXIT_INCOMPLETE
        if not chosen.runs:
            _err("pages-audit: no finished shard to report on")
            return EXIT_INCOMPLETE
        Path(args.out).mkdir(parents=True, exist_ok=True)
        with lock_output(args.out):
            staging = fresh_staging(args.out, "report")
            try:
                report = merged_report(store, chosen)
                platforms_of(report)
                written = write_run_reports(
                    report, str(staging), args.lang, args.templates, args.db, chosen.ids
                )
                publish(staging, args.out)
            finally:
                shutil.rmtree(staging, ignore_errors=True)
    s = report["summary"]
    shards = ", ".join(r["shard"] or f"run {r['id']}" for r in chosen.runs)
    _err(
        f"merged {len(chosen.runs)} run(s) ({shards}): {s['bodies']} bodies, "
        f"{s['violations']} violation(s)"
        + (f"; PARTIAL, without {', '.join(lacking)}" if lacking else "")
    )
    print(str(Path(args.out) / Path(written["html"][0]).name))
    return EXIT_OK


def cmd_notices(args: argparse.Namespace) -> int:
    from audit.report.json_report import read_json
    from audit.report.notices import write_notices
    from audit.report.pdf import engines as pdf_engines

    source = Path(args.report or args.out)
    source = source / "report.json" if source.is_dir() else source
    try:
        report = read_json(str(source))
    except (OSError, ValueError) as exc:
        raise UsageError(f"{source}: cannot read report ({exc})") from None
    platforms_of(report)
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
        if c.optional:
            said = (
                "проверяется, только если политика включает его в criteria"
                if args.lang == "ru"
                else "checked only when the policy lists it in criteria"
            )
            print(f"{'':28} ({said})")
    return EXIT_OK
