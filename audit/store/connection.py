"""A connection to the history: SQLite (stdlib, WAL, synchronous=FULL) or PostgreSQL (optional
psycopg), one SQL dialect for both, nested transactions, and the database's address shown
without its passwords."""

from __future__ import annotations

import json
import re
import sqlite3
import time
import zlib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from audit.store.schema import MIGRATION_LOCK, MIGRATIONS, SCHEMA_VERSION, statements
from audit.urls import url_password, without_password


def compact_json(value) -> str:
    """A body as stored and as report.json holds it, byte for byte: the report's writer copies
    stored bodies through without decoding and encoding them again."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


PACK_LEVEL = 6  # zlib: a 12 KB body to ~2.5 KB in ~0.12 ms (level 1: 4.3x as against 4.8x)


def pack(text: str) -> bytes:
    """A body's compact JSON as the history keeps it (schema 6)."""
    return zlib.compress(text.encode("utf-8"), PACK_LEVEL)


def unpack(row) -> str:
    """A stored body's compact JSON: from `packed`, or `data` as bodies were stored before."""
    packed = row["packed"]
    return zlib.decompress(packed).decode("utf-8") if packed is not None else row["data"]


def unpack_utf8(row) -> bytes:
    """`unpack`, UTF-8 encoded (what a packed body is, undecoded)."""
    packed = row["packed"]
    return zlib.decompress(packed) if packed is not None else row["data"].encode("utf-8")


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class StoreError(Exception):
    pass


# libpq's connection strings: a URI, or keyword=value pairs ("host=db dbname=audit ...")
_CONNINFO = re.compile(r"^\s*[a-z_]+\s*=")
_SECRET_KEYS = r"(?:password|sslpassword)"
_SECRET_PAIR = re.compile(rf"(\b{_SECRET_KEYS}\s*=\s*)('(?:[^'\\]|\\.)*'|[^\s&]*)", re.IGNORECASE)


def is_postgres(target: str) -> bool:
    return target.startswith(("postgresql://", "postgres://")) or bool(_CONNINFO.match(target))


def redact_db(target: str) -> str:
    """The history's address as it may be shown or stored: every password of a PostgreSQL
    connection string (in the URI's user part, `?password=`, `sslpassword=`, or a keyword
    pair) replaced by ***."""
    if not is_postgres(target):
        return target
    shown = without_password(target)
    return _SECRET_PAIR.sub(lambda m: m.group(1) + "***", shown)


def db_secrets(target: str) -> list[str]:
    """The passwords a connection string holds, to be scrubbed from any text shown."""
    if not is_postgres(target):
        return []
    found = [m.group(2).strip("'") for m in _SECRET_PAIR.finditer(target)]
    if password := url_password(target):
        found.append(password)
    found += [unquote(f) for f in found]
    return sorted({f for f in found if f and f != "***"}, key=len, reverse=True)


class Database:
    """One connection to a history, SQLite or PostgreSQL, with its schema brought up to date;
    statements in one dialect (`sql`), transactions that nest (`transaction`)."""

    def __init__(self, target: str):
        self.path = target
        self.shown = redact_db(target)  # what messages and records may say
        self._history: dict[int, tuple[str, list]] = {}  # see _earlier_audits
        self.postgres = is_postgres(target)
        self._depth = 0  # open transactions: an inner one joins the outer
        try:
            if self.postgres:
                self.db = _postgres(target)
            else:
                Path(target).parent.mkdir(parents=True, exist_ok=True)
                self.db = _sqlite(target)
            self.migrate()
        except sqlite3.OperationalError as exc:  # locked, read-only, no room ...
            raise StoreError(f"{self.shown}: cannot open the history database ({exc})") from None
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.shown}: not a pages-audit history database ({exc})") from None

    def close(self) -> None:
        self.db.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def sql(self, statement: str, params: tuple | list = ()) -> Any:
        """Run one statement written with `?` placeholders in either dialect."""
        if self.postgres:
            return self.db.execute(statement.replace("?", "%s"), params)
        return self.db.execute(statement, params)

    def sql_many(self, statement: str, rows: list[tuple]) -> None:
        if self.postgres:
            with self.db.cursor() as cur:
                cur.executemany(statement.replace("?", "%s"), rows)
        else:
            self.db.executemany(statement, rows)

    @property
    def version(self) -> int:
        if self.postgres:
            self.sql("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            row = self.sql("SELECT max(version) AS v FROM schema_version").fetchone()
            return int(row["v"] or 0)
        legacy = self.db.execute("PRAGMA user_version").fetchone()[0]
        has_table = self.db.execute(
            "SELECT 1 FROM sqlite_master WHERE name='schema_version'"
        ).fetchone()
        if not has_table:
            return legacy
        row = self.db.execute("SELECT max(version) FROM schema_version").fetchone()
        return max(legacy, int(row[0] or 0))

    def migrate(self) -> None:
        """Bring the schema up to date, in one transaction that holds the database's write
        lock from the version check on: runs opening a new history at once wait for each
        other instead of both creating its tables."""
        with self.transaction():
            if self.postgres:
                self.sql("SELECT pg_advisory_xact_lock(?)", (MIGRATION_LOCK,))
            self._migrate()

    def _migrate(self) -> None:
        current = self.version
        if current > SCHEMA_VERSION:
            raise StoreError(
                f"{self.shown}: written by a newer pages-audit "
                f"(schema {current} > {SCHEMA_VERSION})"
            )
        serial = "BIGSERIAL PRIMARY KEY" if self.postgres else "INTEGER PRIMARY KEY"
        blob = "BYTEA" if self.postgres else "BLOB"
        for number in range(current, SCHEMA_VERSION):
            with self.transaction():
                self.sql("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
                script = MIGRATIONS[number].replace("{serial}", serial).replace("{blob}", blob)
                for statement in statements(script):
                    self.sql(statement)
                self.sql("INSERT INTO schema_version VALUES (?)", (number + 1,))
                if not self.postgres:
                    self.db.execute(f"PRAGMA user_version={number + 1}")

    def give_back(self) -> None:
        """Return the pages of deleted rows to the file system (a SQLite file made with
        auto_vacuum=INCREMENTAL; PostgreSQL's autovacuum does its own)."""
        if not self.postgres and self._depth == 0:
            # sqlite3's execute steps the pragma once, which frees one page: executescript
            # runs it to the end (10 000 bodies' journal: ~23 000 pages in 0.5 s)
            self.db.executescript("PRAGMA incremental_vacuum;")

    def compact(self) -> None:
        """Rewrite the whole history without its free space (after deleting runs)."""
        if self.postgres:
            self.db.execute("VACUUM")
        else:
            self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            self.db.execute("VACUUM")
            self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def transaction(self, durable: bool = True):
        """`durable=False`: committed for every later reader and kept if the process dies, but
        not flushed to disk at once (no fsync): for what a power loss may cost without harm."""
        return _Transaction(self, durable)


class _Transaction:
    """BEGIN ... COMMIT (ROLLBACK on an exception). Nested, it joins the outer transaction:
    a batch of bodies is one commit (one fsync) however many bodies it saves."""

    def __init__(self, store: Database, durable: bool = True):
        self.store, self.durable = store, durable

    def __enter__(self):
        store = self.store
        if store._depth == 0:
            if store.postgres:
                store.db.execute("BEGIN")
                if not self.durable:
                    store.db.execute("SET LOCAL synchronous_commit TO OFF")
            else:
                if not self.durable:
                    store.db.execute("PRAGMA synchronous=NORMAL")  # WAL: no fsync at commit
                store.db.execute("BEGIN IMMEDIATE")
        store._depth += 1
        return store

    def __exit__(self, exc_type, *_):
        store = self.store
        store._depth -= 1
        if store._depth == 0:
            store.db.execute("ROLLBACK" if exc_type else "COMMIT")
            if not self.durable and not store.postgres:
                store.db.execute("PRAGMA synchronous=FULL")


def _postgres(url: str):
    try:
        import psycopg
        from psycopg.rows import dict_row
    except ImportError:
        raise StoreError(
            "a PostgreSQL --db needs psycopg: pip install 'pages-audit[postgres]'"
        ) from None
    try:
        return psycopg.connect(url, autocommit=True, row_factory=dict_row)
    except psycopg.Error as exc:
        raise StoreError(
            f"cannot connect to PostgreSQL at {redact_db(url)}: {type(exc).__name__}"
        ) from None


OPEN_WAIT_S = 30.0  # how long opening waits for others that open the same history at once


def _sqlite(path: str) -> sqlite3.Connection:
    """A connection in WAL mode. Turning a new file to WAL, and the first read of a file
    another connection is turning, take locks that SQLite's busy timeout does not always wait
    for: several processes opening one new history at the same moment (a team's jobs, a test)
    failed now and then with "database is locked", so those steps are tried again until
    OPEN_WAIT_S."""
    deadline = time.monotonic() + OPEN_WAIT_S
    while True:
        db = sqlite3.connect(path, timeout=OPEN_WAIT_S, isolation_level=None)
        try:
            # a new file gives back the pages a finished run's resume journal held (see
            # Store.complete); a file made before keeps its setting (VACUUM by `history prune`)
            db.execute("PRAGMA auto_vacuum=INCREMENTAL")
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("SELECT count(*) FROM sqlite_master").fetchone()  # the schema read
            break
        except sqlite3.OperationalError as exc:
            db.close()
            if "locked" not in str(exc) and "busy" not in str(exc):
                raise
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)
    db.row_factory = sqlite3.Row
    db.execute("PRAGMA synchronous=FULL")  # power loss keeps what was committed
    db.execute("PRAGMA foreign_keys=ON")
    return db
