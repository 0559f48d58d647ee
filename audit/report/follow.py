"""report.csv, report.xlsx and junit.xml written while the audit runs.

A large run's tables take a core for a quarter of a minute per 10 000 bodies, and while the
audit runs the machine has spare time (it waits on slow sites, most of all at the end, when the
last hanging sites time out). A follower process, started with the audit at low priority,
reads the bodies from the history store as they are committed, in registry order, and writes
their rows; when the audit is over it is handed the report's head (summary, run), takes the
bodies left and puts the files in place. What it writes is what `write_tables` writes from the
finished run: the same rows in the same order.

If the follower fails, the tables are written after the audit as before; if the run is
interrupted, it leaves no file behind.
"""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import os
import signal
import traceback

from audit.checks import catalogue
from audit.report.json_report import dated
from audit.report.tables import Tables

FOLLOW_FROM = 1000  # bodies from which a run's tables follow it (a process takes ~0.5 s to start)
PAGE = 100  # bodies read per query (a page of 500 holds ~25 MB more)
POLL_S = 0.5  # how long the follower waits for more bodies before it looks again
NICENESS = 10  # the audit's processes come first


def follow(conn, db: str, run_id: int, out: str, lang: str) -> None:
    """In the follower process: write the tables of run `run_id` of the store at `db` into
    `out`, body by body as the run stores them, until told to close ("close", head) or to stop
    ("stop", or the auditor gone). Answers ("done", paths) or ("failed", why)."""
    from audit.store import Store

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the auditor's to handle
    with contextlib.suppress(OSError):
        os.nice(NICENESS)
    tables = None
    try:
        with Store(db) as store:
            tables = Tables([c.to_json() for c in catalogue()], out, lang)
            head = _take(conn, store, run_id, tables)
            if head is None:  # stopped: the run was interrupted or failed
                tables.discard()
                return
            conn.send(("done", tables.close(head)))
    except Exception:  # the auditor writes the tables itself
        if tables is not None:
            tables.discard()
        with contextlib.suppress(OSError):
            conn.send(("failed", traceback.format_exc(limit=5)))


def _take(conn, store, run_id: int, tables: Tables) -> dict | None:
    """Add the run's bodies to `tables` in registry order; the report's head once all are in,
    None when stopped. While the run goes on, only an unbroken run of positions is taken (a
    body whose pages wait for the next batch is stored after the ones behind it)."""
    after, head = -1, None
    while True:
        rows = store.body_rows(run_id, after, PAGE)
        for position, text in rows:
            if head is None and position != after + 1:
                break  # a gap: the body at after + 1 is not stored yet
            tables.add(dated(store, run_id, json.loads(text)))
            after = position
        else:
            if head is not None and len(rows) < PAGE:
                return head  # the run is over and every body is in
            if len(rows) == PAGE:
                continue
        if head is None and conn.poll(POLL_S):
            try:
                kind, value = conn.recv()
            except EOFError:  # the auditor is gone
                return None
            if kind != "close":
                return None
            head = value


class TableFollower:
    """The auditor's side: `TableFollower(db, run_id, out, lang)` starts the follower;
    `close(report)` hands it the report's head and returns the tables' paths (None if it
    failed: write them here then); `stop()` ends it leaving nothing."""

    def __init__(self, db: str, run_id: int, out: str, lang: str):
        context = multiprocessing.get_context("spawn")  # a fork would share our DB connection
        self.conn, child = context.Pipe()
        self.process = context.Process(
            target=follow, args=(child, db, run_id, out, lang), daemon=True, name="tables"
        )
        self.process.start()
        child.close()
        self.failure: str | None = None

    def close(self, report: dict) -> list[str] | None:
        head = {"summary": report["summary"], "run": {"started_at": report["run"]["started_at"]}}
        try:
            self.conn.send(("close", head))
            kind, value = self.conn.recv()
        except (EOFError, OSError):
            kind, value = "failed", f"the tables' process ended (exit {self.process.exitcode})"
        self._end()
        if kind == "done":
            return value
        self.failure = value
        return None

    def stop(self) -> None:
        """End the follower if it still runs (the run was interrupted or failed)."""
        if self.conn.closed:
            return
        with contextlib.suppress(OSError):
            self.conn.send(("stop", None))
        self._end()

    def _end(self) -> None:
        self.conn.close()
        self.process.join(30)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
