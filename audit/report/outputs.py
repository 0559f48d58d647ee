"""Every output file of a run (the formats of report.formats): report.json, index.html,
report.csv, report.xlsx, junit.xml.

A run-sized report is read from the history store by each writer in turn. Large ones are
written side by side: the slowest writers each in a process of its own, reading the store
through a connection of its own, the rest here meanwhile. On two cores a 10 000-body report
takes the time of the HTML (in a writer process) or of the tables and report.json (here),
whichever is longer, instead of the sum of all three; one process more, not three.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from audit.plan import LARGE_RUN
from audit.report.follow import ReportFollower, ReportFollowers
from audit.report.formats import FORMAT_NAMES as WRITERS
from audit.report.formats import get_format, output_of, write_format
from audit.report.json_report import stored_bodies
from audit.signals import child_started, held


def write_one(kind: str, report: dict, out: str, lang: str, templates: str | None) -> list[str]:
    """One format's files; `report` may stream its bodies (see json_report.Bodies)."""
    return write_format(get_format(kind), report, output_of(report, out, lang, templates))


def _write_from_store(
    kind: str,
    db: str,
    run_id: int | list[int],
    head: dict,
    out: str,
    lang: str,
    templates: str | None,
) -> list[str]:
    """In a writer process: the same report, its bodies read through a store of its own."""
    from audit.store import Store

    child_started()
    with Store(db) as store:
        bodies = stored_bodies(store, run_id)
        report = {k: (bodies if k == "entities" else v) for k, v in head.items()}
        return write_one(kind, report, out, lang, templates)


def write_reports(
    report: dict,
    out: str,
    lang: str = "ru",
    templates: str | None = None,
    store: tuple[str, int | list[int]] | None = None,
    processes: int = 0,
    follower: ReportFollower | ReportFollowers | None = None,
    meanwhile: Callable[[], None] | None = None,
) -> dict[str, list[str]]:
    """Write every output; {writer: paths}. With `store` = (database, run id or ids) of a stored
    run,
    `processes` writers run in processes of their own (spawned: a forked copy of a process
    holding a database connection is not safe) while this one writes the others. `follower`,
    which has been writing the reports while the run went on, finishes what it can; what it
    could not write is written here. `meanwhile`: work of this process done once it has
    written its own outputs, while the follower and the writer processes finish theirs."""
    if follower is not None:
        follower.hand(report)
        writers = [k for k in WRITERS if k not in follower.writers]
    else:
        writers = list(WRITERS)
    processes = min(processes, len(writers) - 1) if store is not None else 0
    written: dict[str, list[str]] = {}
    if processes <= 0:
        written = {kind: write_one(kind, report, out, lang, templates) for kind in writers}
    else:
        head = {k: (None if k == "entities" else v) for k, v in report.items()}
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(processes, mp_context=context) as pool:
            with held():  # the pool starts its processes as work is submitted
                futures = {
                    kind: pool.submit(_write_from_store, kind, *store, head, out, lang, templates)
                    for kind in writers[:processes]
                }
            for kind in writers[processes:]:
                written[kind] = write_one(kind, report, out, lang, templates)
            if meanwhile is not None:
                meanwhile()
                meanwhile = None
            for kind, future in futures.items():
                try:
                    written[kind] = future.result()
                except BrokenProcessPool:  # the writer died (killed, out of memory): here
                    written[kind] = write_one(kind, report, out, lang, templates)
    if meanwhile is not None:
        meanwhile()
    if follower is not None:
        written.update(follower.collect())
    for kind in WRITERS:
        if kind not in written:  # the follower's, which it could not write
            written[kind] = write_one(kind, report, out, lang, templates)
    return {kind: written[kind] for kind in WRITERS}


def report_processes(bodies: int, cpus: int) -> int:
    """Writer processes besides this one for a report of `bodies`: one per other core for a
    large report (at most one per writer but the last), else none."""
    return min(cpus - 1, len(WRITERS) - 1) if bodies >= LARGE_RUN else 0


def write_run_reports(
    report: dict,
    out: str,
    lang: str,
    templates: str | None,
    db: str,
    run_id: int | list[int],
    follower: ReportFollower | ReportFollowers | None = None,
    meanwhile: Callable[[], None] | None = None,
) -> dict[str, list[str]]:
    """Every output of a stored run (or of several merged: a national audit's shards), side by
    side when it is large and there are cores; `meanwhile` as in write_reports."""
    processes = report_processes(report["summary"]["bodies"], os.cpu_count() or 1)
    return write_reports(
        report,
        out,
        lang,
        templates,
        store=(db, run_id),
        processes=processes,
        follower=follower,
        meanwhile=meanwhile,
    )
