"""Output files put in place whole: written to a new temporary file beside the target, then
moved onto it. The temporary file is created exclusively under a name nobody can guess, so a
link or file planted in the output directory is never written through."""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO


def exclusive(path: Path, mode: str = "w", **open_args) -> tuple[IO, Path]:
    """An open new file beside `path` (hidden, `.<name>.<random>.tmp`) and its path: created
    with O_EXCL (never an existing file, never through a link), readable as the umask says
    like any output (a report is published as it is)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    while True:
        name = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
        try:
            fd = os.open(name, flags, 0o666)
            break
        except FileExistsError:
            continue
    try:
        return os.fdopen(fd, mode, **open_args), name
    except BaseException:
        os.close(fd)
        name.unlink()
        raise


@contextlib.contextmanager
def replaced(path: Path, mode: str = "w", **open_args) -> Iterator[IO]:
    """Write `path` through an exclusive temporary file, moved onto it when the block ends
    and removed when it fails: the target is the old file or the whole new one, never half."""
    fh, tmp = exclusive(path, mode, **open_args)
    try:
        with fh:
            yield fh
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def staged_directory(target: Path) -> Path:
    """A new private directory beside `target` (`.<name>.<random>.tmp`, made with mkdtemp):
    a set of files is written there under their own names — nobody else can create anything
    in it — and then replaces `target` whole (`swap_directory`)."""
    return Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent))


def swap_directory(staged: Path, target: Path) -> None:
    """Put `staged` in the place of `target` (a directory the tool wrote before, or nothing):
    readers see the old set or the new one, never a mix, and nothing stale of the old set is
    left. Ctrl-C and SIGTERM wait for the two renames."""
    from audit.signals import held

    mask = os.umask(0)
    os.umask(mask)
    os.chmod(staged, 0o777 & ~mask)  # as readable as any output directory
    old = None
    with held():
        if target.exists() or target.is_symlink():
            old = target.with_name(f".{target.name}.{secrets.token_hex(6)}.old")
            os.replace(target, old)
        os.replace(staged, target)
    if old is not None:
        if old.is_dir() and not old.is_symlink():
            shutil.rmtree(old, ignore_errors=True)
        else:
            old.unlink(missing_ok=True)
