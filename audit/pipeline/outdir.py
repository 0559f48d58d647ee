"""The output directory: one run writes there at a time, and its reports are staged beside it
then published together, so a reader finds the previous set or the new one, never a mix."""

from __future__ import annotations

import contextlib
import os
import shutil
from pathlib import Path

from audit.exits import UsageError


def fresh_staging(out: str, run_id: int | str) -> Path:
    """OUT/.staging-run-N, empty: where a run's reports are written before they replace the
    previous set together (what an interrupted attempt left there goes)."""
    staging = Path(out) / f".staging-run-{run_id}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    return staging


def publish(staging: Path, out: str) -> None:
    """Move the staged reports into `out` at once: Ctrl-C and SIGTERM wait (a set of renames
    in one directory), so the reports there are the old set or the new one, never a mix."""
    from audit.report.atomic import swap_directory
    from audit.signals import held

    with held():
        for path in staging.iterdir():  # the reports; hidden entries are writers' scratch
            if path.name.startswith("."):
                continue
            if path.is_dir():  # the pages of a large run's HTML report
                swap_directory(path, Path(out) / path.name)
            elif path.is_file():
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
