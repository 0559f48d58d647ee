"""A database password never leaves the command line: not on stderr, not in report.json or
any output file, not in the history's run records, not in connection errors — in every form
libpq accepts (the URI's user part, ?password=, sslpassword=, keyword=value pairs)."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from audit.store import db_secrets, redact_db
from tests.e2e.conftest import FAST, cli, one_body

SECRET = "Pw-S3cret-77"
BODY = (
    '{id: "s1", name: Администрация сельского поселения, kind: rural_settlement, '
    'website: "https://gov-demo-oblast.ru/"}'
)


def everything_written(out: Path, *texts: str) -> str:
    files = [p.read_text(encoding="utf-8", errors="replace") for p in out.rglob("*") if p.is_file()]
    return "\n".join([*texts, *files])


@pytest.mark.parametrize("form", ["userinfo", "query", "keywords"])
def test_database_password_appears_nowhere(world, tmp_path, postgres_url, form):
    parts = urlsplit(postgres_url)  # postgresql://postgres@127.0.0.1:PORT/NAME (trust auth)
    db = {
        "userinfo": f"postgresql://postgres:{SECRET}@{parts.hostname}:{parts.port}{parts.path}",
        "query": f"{postgres_url}?password={SECRET}",
        "keywords": f"host={parts.hostname} port={parts.port} dbname={parts.path[1:]} "
        f"user=postgres password='{SECRET}'",
    }[form]
    out = tmp_path / "out"
    reg = one_body(tmp_path, BODY)
    proc = cli("run", reg, "--out", out, "--db", db, "--no-canaries", *world.cli_args(), *FAST)
    assert proc.returncode in (0, 1), proc.stderr
    runs = cli("runs", "--db", db, "--json")
    assert json.loads(runs.stdout)[0]["state"] == "finished"
    import psycopg

    with psycopg.connect(postgres_url) as con:
        meta = " ".join(r[0] for r in con.execute("SELECT meta FROM runs").fetchall())
    seen = everything_written(out, proc.stdout, proc.stderr, runs.stdout, runs.stderr, meta)
    assert SECRET not in seen
    assert "***" in meta  # the history says where it is, without the password


def test_connection_errors_do_not_show_the_password(tmp_path):
    reg = one_body(tmp_path, BODY)
    for db in (
        f"postgresql://audit:{SECRET}@127.0.0.1:1/pa",
        f"postgresql://audit@127.0.0.1:1/pa?password={SECRET}",
        f"host=127.0.0.1 port=1 dbname=pa user=audit password={SECRET}",
    ):
        proc = cli("run", reg, "--out", tmp_path / "out", "--db", db, "--no-canaries")
        assert proc.returncode == 2, proc.stderr
        assert SECRET not in proc.stdout + proc.stderr and "***" in proc.stderr


def test_redaction_covers_every_form():
    assert redact_db("postgresql://a:p%40ss@h/d") == "postgresql://a:***@h/d"
    assert redact_db("postgres://h/d?sslpassword=k&password=p") == (
        "postgres://h/d?sslpassword=***&password=***"
    )
    assert redact_db("host=h password='a b' dbname=d") == "host=h password=*** dbname=d"
    assert redact_db("/var/lib/pages-audit/history.sqlite") == "/var/lib/pages-audit/history.sqlite"
    assert db_secrets("postgresql://a:p%40ss@h/d") == ["p%40ss", "p@ss"]
