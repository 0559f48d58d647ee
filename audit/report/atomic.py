"""Output files put in place whole: written to a new temporary file beside the target, then
moved onto it. The temporary file is created exclusively under a name nobody can guess, so a
link or file planted in the output directory is never written through."""

from __future__ import annotations

import contextlib
import os
import secrets
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
