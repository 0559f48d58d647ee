"""Commands over the history database: runs, diff, evaluate, history prune."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from audit.cli.common import (
    _err,
    _no_run,
    every_platform,
    open_store,
    policy_from,
    waivers_from,
)
from audit.exits import (
    EXIT_OK,
    EXIT_VIOLATIONS,
    UsageError,
)


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
                    "shard": row["shard"],
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
        derived += f" shard {r['shard']}" if r["shard"] else ""
        print(
            f"{r['id']:>5}  {r['state']:11} {r['kind']}{derived:14} {r['started_at']}  "
            f"{r['bodies']:>6} bodies {r['violations']:>6} violations"
        )
    return EXIT_OK


def cmd_diff(args: argparse.Namespace) -> int:
    from audit.history import changes

    every_platform()

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


def cmd_evaluate(args: argparse.Namespace) -> int:
    """Findings again from a stored run's observations with another policy: no network."""
    from audit.pipeline.reevaluate import reevaluate
    from audit.report.json_report import report_from_store
    from audit.report.outputs import write_run_reports

    policy = policy_from(args)
    waivers = waivers_from(args.waivers)
    with open_store(args.db) as store:
        run_id = reevaluate(store, args.run, policy, waivers)
        report = report_from_store(store, run_id)
        Path(args.out).mkdir(parents=True, exist_ok=True)
        written = write_run_reports(report, args.out, args.lang, args.templates, args.db, run_id)
        print(written["html"][0])
    _err(
        f"run {run_id}: run {args.run} evaluated again, {report['summary']['violations']} "
        "violation(s); no request was made"
    )
    return EXIT_VIOLATIONS if report["summary"]["violations"] else EXIT_OK


def cmd_prune(args: argparse.Namespace) -> int:
    """Delete the runs older than the `--keep` newest finished audits of each shard, with what
    they stored, and give the space back."""
    from audit.store import is_postgres

    if args.keep < 1:
        raise UsageError("--keep must be at least 1")
    size = (lambda: 0) if is_postgres(args.db) else (lambda: _file_size(args.db))
    with open_store(args.db) as store:
        doomed = store.prunable(args.keep)
        counts = {run_id: store.counts(run_id)[0] for run_id in doomed}
        if not doomed:
            print(f"nothing to prune in {store.shown}: no shard has more than {args.keep} runs")
            return EXIT_OK
        listed = ", ".join(map(str, doomed))
        if args.dry_run:
            print(f"would prune run(s) {listed} ({sum(counts.values())} bodies)")
            return EXIT_OK
        before = size()
        store.prune(doomed)
        store.compact()
        after = size()
    print(
        f"pruned run(s) {listed} ({sum(counts.values())} bodies)"
        + (f"; {args.db}: {before / 1e6:.1f} MB → {after / 1e6:.1f} MB" if before else "")
    )
    return EXIT_OK


def _file_size(path: str) -> int:
    """A SQLite history's bytes, its write-ahead log included."""
    return sum(Path(p).stat().st_size for p in (path, path + "-wal") if Path(p).is_file())
