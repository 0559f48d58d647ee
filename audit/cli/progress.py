"""How a run shows it is moving: a bar on a terminal, a plain line now and then elsewhere."""

from __future__ import annotations

import os
import sys
import time


def progress(total: int, quiet: bool):
    """A progress bar on a terminal; off one (cron, CI logs) a plain line now and then; nothing
    with --quiet."""
    if quiet:
        return None
    if os.environ.get("CI") or not sys.stderr.isatty():
        return ProgressLines(total)
    return TerminalBar(total)


class TerminalBar:
    def __init__(self, total: int):
        from tqdm import tqdm

        self.bar = tqdm(total=total, unit="body", file=sys.stderr, leave=False)

    def update(self, n: int) -> None:
        self.bar.update(n)

    def advance(self, result) -> None:
        self.bar.update(1)

    def close(self) -> None:
        self.bar.close()


PROGRESS_SECONDS = 10.0  # between two progress lines (PAGES_AUDIT_PROGRESS_SECONDS)


class ProgressLines:
    """Where nobody watches a bar (a nightly job's log): every PROGRESS_SECONDS a line with the
    bodies done of all, the rate, the bodies not fully checked so far and the time left."""

    def __init__(self, total: int, clock=None, write=None):
        self.total, self.done, self.incomplete = total, 0, 0
        self.clock = clock or time.monotonic
        self.write = write or (lambda line: print(line, file=sys.stderr, flush=True))
        self.period = float(os.environ.get("PAGES_AUDIT_PROGRESS_SECONDS") or PROGRESS_SECONDS)
        self.started = self.last = self.clock()
        self.resumed = 0  # bodies done before this process began (a resumed run)

    def update(self, n: int) -> None:
        self.done += n
        self.resumed += n

    def advance(self, result) -> None:
        self.done += 1
        if any(f.status.value == "error" for f in result.findings):
            self.incomplete += 1
        now = self.clock()
        if now - self.last >= self.period:
            self.last = now
            self.write(self.line(now))

    def line(self, now: float) -> str:
        elapsed = max(now - self.started, 1e-9)
        rate = (self.done - self.resumed) / elapsed
        left = (self.total - self.done) / rate if rate > 0 else None
        eta = f", about {left:.0f} s left" if left is not None else ""
        share = 100 * self.done / self.total if self.total else 100
        return (
            f"pages-audit: {self.done} of {self.total} bodies ({share:.0f} %), "
            f"{rate:.1f} bodies/s, {self.incomplete} not fully checked so far{eta}"
        )

    def close(self) -> None:
        pass
