"""A large run's reports written while the audit runs.

The tables (report.csv, report.xlsx, junit.xml) and index.html take two cores a quarter of a
minute per 10 000 bodies, and while the audit runs the machine has spare time (it waits on
slow sites, most of all at the end, when the last hanging sites time out). Follower processes,
one per format (the HTML and the tables side by side: the reports' last seconds are then the
slower of the two, not their sum), started with the audit at low priority, read the bodies
from the history store as they are committed, in registry order, and write their table rows
and their parts of index.html (the row of the overview table, the details) — the bodies stored
past one still out (its pages wait for the last batch) are prepared while it waits and written
when it comes; when the audit is
over each is handed the report's head (summary, run, changes), takes the bodies left, renders
the overview around the parts or closes the tables and puts the files in place. What they
write is what the writers write from the finished run.

A follower drives streaming formats of report.formats, as the writers do. Whatever it could
not write (it failed; index.html when a body brought a platform the first ones had not) is
written after the audit as before; an interrupted run's followers leave no file behind.
"""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import os
import traceback

from audit.checks import in_force
from audit.report.formats import FORMATS, Output, Sink
from audit.report.json_report import dated
from audit.signals import child_started, held

PAGE = 100  # bodies read per query (a page of 500 holds ~25 MB more)
AHEAD = 1000  # bodies past a gap prepared while it waits (~40-80 KB each in the tables')
POLL_S = 0.5  # how long the follower waits for more bodies before it looks again
NICENESS = 19  # the lowest priority: the audit's processes come first


def follow(conn, db: str, run_id: int, output: Output, names: tuple[str, ...]) -> None:
    """In the follower process: write the formats `names` of run `run_id` of the store at
    `db` into `output.out`, body by body as the run stores them, until handed the report's
    head ("close", head) or stopped ("stop", or the auditor gone). Answers ("done", {format:
    paths}) for the formats it wrote, or ("failed", why)."""
    from audit.store import Store

    child_started()
    with contextlib.suppress(OSError):
        os.nice(NICENESS)
    sinks: dict[str, Sink] = {}
    try:
        with Store(db) as store:
            policy = json.loads(store.run(run_id)["policy"])
            checks = [c.to_json() for c in in_force(policy.get("criteria", ()))]
            output = Output(
                output.out, output.lang, checks, policy, output.templates, output.bodies
            )
            for fmt in FORMATS:
                if fmt.name in names:
                    sinks[fmt.name] = fmt.open(output)
            head = _take(conn, store, run_id, list(sinks.values()))
            if head is None:  # stopped: the run was interrupted or failed
                _discard(sinks)
                return
            written = {}
            for name, sink in sinks.items():
                if (paths := sink.close(head)) is not None:
                    written[name] = paths
            conn.send(("done", written))
    except Exception:  # the auditor writes the files itself
        _discard(sinks)
        with contextlib.suppress(OSError):
            conn.send(("failed", traceback.format_exc(limit=5)))


def _discard(sinks: dict[str, Sink]) -> None:
    for sink in sinks.values():
        with contextlib.suppress(Exception):
            sink.discard()


def _take(conn, store, run_id: int, sinks: list[Sink]) -> dict | None:
    """Add the run's bodies in registry order; the report's head once all are in, None when
    stopped. While the run goes on, a body is taken only after the one at the position before
    it (a body whose pages wait for the next batch is stored after the ones behind it); the
    bodies stored past such a gap, up to AHEAD, are prepared meanwhile (their rows, cards,
    cells: see Sink), so that little is left when the gap closes, and at the audit's end.
    The auditor is listened to after each page of bodies (a stop must not wait for a follower
    far behind)."""
    after, head = -1, None
    ahead: dict[int, list] = {}  # position -> each sink's part, for bodies past a gap
    while True:
        # the stored bodies after the last one taken, in order; the first body is taken
        # alone: it sets the HTML's columns, which the others are made for
        window = store.positions_after(run_id, after, AHEAD if after >= 0 else 1)
        if head is not None and not window:
            return head  # the run is over and every body is in
        unread = [p for p in window if p not in ahead][:PAGE]
        texts = dict(store.bodies_at(run_id, unread))
        for position in window:
            in_order = head is not None or position == after + 1  # once over, all are in
            if position in ahead:
                if in_order:
                    for sink, part in zip(sinks, ahead.pop(position), strict=True):
                        sink.put(part)
                    after = position
            elif position in texts:
                body = dated(store, run_id, json.loads(texts.pop(position)))
                if in_order:
                    for sink in sinks:
                        sink.add(body)
                    after = position
                elif after >= 0:
                    ahead[position] = [sink.prepare(body) for sink in sinks]
            else:
                break  # not read yet: the next page
        if head is not None:
            continue
        if conn.poll(POLL_S if len(unread) < PAGE else 0):
            try:
                kind, value = conn.recv()
            except EOFError:  # the auditor is gone
                return None
            if kind != "close":
                return None
            head = value


class ReportFollower:
    """The auditor's side: `ReportFollower(db, run_id, out, lang, templates)` starts a
    follower of the streaming formats (`names`: some of them); `hand(report)` gives it the
    report's head, `collect()` waits for its files: {format: paths} for the formats it wrote,
    {} if it failed (`failure` says why); `stop()` ends it leaving nothing."""

    def __init__(
        self,
        db: str,
        run_id: int,
        out: str,
        lang: str,
        templates: str | None = None,
        bodies: int | None = None,
        names: tuple[str, ...] | None = None,
    ):
        self.writers = names or tuple(f.name for f in FORMATS if f.streams)
        context = multiprocessing.get_context("spawn")  # a fork would share our DB connection
        self.conn, child = context.Pipe()
        output = Output(out, lang, [], {}, templates, bodies)  # checks, policy: the store's
        self.process = context.Process(
            target=follow,
            args=(child, db, run_id, output, self.writers),
            daemon=True,
            name="report " + "+".join(self.writers),
        )
        try:
            with held():
                self.process.start()
        except BaseException:  # interrupted as it started: it must not outlive the run
            self.process.kill()
            raise
        child.close()
        self.failure: str | None = None

    def hand(self, report: dict) -> None:
        with contextlib.suppress(OSError):
            self.conn.send(("close", {k: v for k, v in report.items() if k != "entities"}))

    def collect(self) -> dict[str, list[str]]:
        try:
            kind, value = self.conn.recv()
        except (EOFError, OSError):
            kind, value = "failed", f"the report's process ended (exit {self.process.exitcode})"
        self._end()
        if kind == "done":
            return value
        self.failure = value
        return {}

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


class ReportFollowers:
    """A follower per streaming format, used as one ReportFollower (`writers`, `hand`,
    `collect`, `failure`, `stop`); made with ReportFollower's arguments but `names`."""

    def __init__(self, *args, **kwargs):
        self.parts: list[ReportFollower] = []
        try:
            for fmt in FORMATS:
                if fmt.streams:
                    self.parts.append(ReportFollower(*args, **kwargs, names=(fmt.name,)))
        except BaseException:
            self.stop()
            raise
        self.writers = tuple(w for part in self.parts for w in part.writers)

    @property
    def failure(self) -> str | None:
        return "; ".join(p.failure for p in self.parts if p.failure) or None

    def hand(self, report: dict) -> None:
        for part in self.parts:
            part.hand(report)

    def collect(self) -> dict[str, list[str]]:
        written: dict[str, list[str]] = {}
        for part in self.parts:
            written.update(part.collect())
        return written

    def stop(self) -> None:
        for part in self.parts:
            part.stop()
