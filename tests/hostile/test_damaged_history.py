"""A damaged history database is a clear error naming the file (exit 2), never a traceback,
in every command that reads it."""

from __future__ import annotations

import os

import pytest

from tests.e2e.conftest import cli

OFFLINE = ["--isolated", "--no-canaries", "--no-reference-sites", "--retries", "0", "--quiet"]


@pytest.fixture(scope="module")
def damaged(tmp_path_factory):
    out = tmp_path_factory.mktemp("damaged")
    proc = cli("run", "registry/demo.yaml", "--out", out, *OFFLINE)
    assert proc.returncode == 3, proc.stderr
    db = out / "history.sqlite"
    size = db.stat().st_size
    with open(db, "r+b") as fh:  # every page but the first (the schema) overwritten
        fh.seek(4096)
        fh.write(os.urandom(size - 4096))
    return out, db


@pytest.mark.parametrize(
    "command",
    [
        ["runs", "--db", "{db}"],
        ["diff", "--db", "{db}"],
        ["evaluate", "--run", "1", "--db", "{db}", "--out", "{out}/again"],
        ["run", "registry/demo.yaml", "--out", "{out}", *OFFLINE],
        ["run", "registry/demo.yaml", "--out", "{out}", "--resume", *OFFLINE],
    ],
)
def test_every_command_names_the_damaged_file(damaged, command):
    out, db = damaged
    proc = cli(*(part.format(db=db, out=out) for part in command))
    assert proc.returncode == 2, proc.stderr
    said = proc.stderr
    assert f"{db}: " in said and ("damaged" in said or "not a pages-audit" in said), said
    assert "Traceback" not in said
